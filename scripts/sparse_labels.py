#!/usr/bin/env python3
"""Sparse labels from dense ones, as a person annotates with a few clicks of a round brush.

For every section and every class (label value) of LABELS, PER_CLASS discs of RADIUS pixels are
kept that lie wholly inside that class: half at random places, half along the class's edge (the
disc touches another class within one pixel), as strokes along boundaries are drawn. Every other
pixel becomes IGNORE, the value to give SegTrain as ignore_label. Deterministic for a SEED.
Writes 8-bit labels when IGNORE and every class fit, else 16-bit; prints the annotated share.

    python3 scripts/sparse_labels.py LABELS.tif OUT.tif [--per-class 20] [--radius 5]
                                     [--ignore 255] [--seed 1]

Needs numpy and Pillow.
"""
import argparse
import sys

import numpy as np
from PIL import Image, ImageSequence


def disc(r):
    y, x = np.mgrid[-r:r + 1, -r:r + 1]
    return (y * y + x * x) <= r * r


def sparse_section(dense, per_class, radius, ignore, rng):
    out = np.full(dense.shape, ignore, dtype=np.int64)
    inside, around = disc(radius), disc(radius + 1)
    h, w = dense.shape
    m = radius + 1
    for value in np.unique(dense):
        placed = tries = 0
        while placed < per_class and tries < 200_000:
            tries += 1
            y, x = int(rng.integers(m, h - m)), int(rng.integers(m, w - m))
            patch = dense[y - radius:y + radius + 1, x - radius:x + radius + 1]
            if not np.all(patch[inside] == value):
                continue
            if placed % 2 == 1:  # along the edge: another class within one pixel of the disc
                ring = dense[y - m:y + m + 1, x - m:x + m + 1]
                if np.all(ring[around] == value):
                    continue
            out[y - radius:y + radius + 1, x - radius:x + radius + 1][inside] = value
            placed += 1
        if placed < per_class:
            print(f"sparse_labels: only {placed} discs fit class {value}", file=sys.stderr)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("labels")
    p.add_argument("out")
    p.add_argument("--per-class", type=int, default=20)
    p.add_argument("--radius", type=int, default=5)
    p.add_argument("--ignore", type=int, default=255)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    sections = [np.array(page) for page in ImageSequence.Iterator(Image.open(a.labels))]
    if any(a.ignore in s for s in sections):
        sys.exit(f"sparse_labels: the labels already use {a.ignore}; choose another --ignore")
    out = [sparse_section(s, a.per_class, a.radius, a.ignore, rng) for s in sections]
    biggest = max(a.ignore, max(int(s.max()) for s in out))
    dtype, mode = (np.uint8, "L") if biggest <= 255 else (np.uint16, "I;16")
    pages = [Image.fromarray(s.astype(dtype), mode=mode) for s in out]
    pages[0].save(a.out, save_all=True, append_images=pages[1:])
    total = sum(s.size for s in out)
    annotated = sum(int((s != a.ignore).sum()) for s in out)
    print(f"{100.0 * annotated / total:.2f} % annotated ({annotated} of {total} pixels; ignore_label {a.ignore})")


if __name__ == "__main__":
    main()
