#!/usr/bin/env python3
"""Python/PyTorch reference for the speed harness (scripts/bench_speed.sh, issue 12).

SegTrain's residual-SE U-Net (native/core/src/model/{unet,layers,anisotropy}.rs), its loss
(native/core/src/train/{head,loss}.rs) and its optimiser step (native/core/src/train/optimizer.rs)
written as plain PyTorch with PyTorch's defaults: NCHW / NCDHW, fp32, eager, torch.optim.
Run it with a torch of the same libtorch build SegTrain links (the harness checks the SHA-256 of
libtorch_cpu.so). Every subcommand prints one JSON object on stdout.

  speed_reference.py ceilings --threads N [--seconds S]
  speed_reference.py check    --model DIR --image IMG --segtrain-probabilities P.tif [--threads N]
  speed_reference.py train    --config CONFIG.json --image IMG --labels LBL --window Z,Y,X --batch N
                              --iterations N --warmup N [--voxel-nm X,Y,Z] [--threads N] [--seed N]
  speed_reference.py predict  --model DIR --image IMG --out OUT.tif [--probabilities P.tif]
                              [--overlap F] [--batch N] [--threads N]
  speed_reference.py flops    --model DIR [--batch N]
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import tifffile
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- network (unet.rs, layers.rs)

def two_d_spec(filters, in_channels, out_channels):
    """UNetSpec::two_d: 3x3 kernels, every level below the first halves y and x."""
    levels = [{"kernel": [3, 3], "stride": [1, 1] if i == 0 else [2, 2]} for i in range(len(filters))]
    return {"in_channels": in_channels, "out_channels": out_channels, "filters": list(filters),
            "io_kernel": [5, 5], "levels": levels}


def three_d_spec(filters, voxel_nm, in_channels, out_channels):
    """UNetSpec::three_d with anisotropy.rs's plan (voxel_nm is x, y, z)."""
    spacing = [voxel_nm[2], voxel_nm[1], voxel_nm[0]]
    levels = []
    for level in range(len(filters)):
        finest = min(spacing)
        stride = [1, 1, 1] if level == 0 else [2 if s < 2.0 * finest else 1 for s in spacing]
        spacing = [s * st for s, st in zip(spacing, stride)]
        finest = min(spacing)
        kernel = [3 if s < 2.0 * finest else 1 for s in spacing]
        levels.append({"kernel": kernel, "stride": stride})
    io_kernel = [5 if k > 1 else 1 for k in levels[0]["kernel"]]
    return {"in_channels": in_channels, "out_channels": out_channels, "filters": list(filters),
            "io_kernel": io_kernel, "levels": levels}


# layers.rs pads by replicating the border; `train --padding zeros` measures what zero padding
# (done inside the convolution, no copy of the input) would save.
PADDING = "replicate"


def conv(c_in, c_out, kernel, stride, bias):
    """layers.rs Conv: "same" replicate padding, then an unpadded convolution."""
    cls = nn.Conv2d if len(kernel) == 2 else nn.Conv3d
    padding = tuple(k // 2 for k in kernel)
    mode = PADDING if any(padding) else "zeros"
    return cls(c_in, c_out, tuple(kernel), stride=tuple(stride), padding=padding, padding_mode=mode, bias=bias)


class ConvNormAct(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, activate=True):
        super().__init__()
        self.conv = conv(c_in, c_out, kernel, stride, bias=False)
        self.bn = (nn.BatchNorm2d if len(kernel) == 2 else nn.BatchNorm3d)(c_out, track_running_stats=True)
        self.activate = activate

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.elu(y) if self.activate else y


class SqueezeExcite(nn.Module):
    def __init__(self, channels):
        super().__init__()
        hidden = max(channels // 4, 1)
        self.reduce = nn.Linear(channels, hidden)
        self.expand = nn.Linear(hidden, channels)

    def forward(self, x):
        squeezed = x.mean(dim=tuple(range(2, x.dim())))
        gate = torch.sigmoid(self.expand(F.elu(self.reduce(squeezed))))
        return x * gate.view(*gate.shape, *([1] * (x.dim() - 2)))


class ResidualSe(nn.Module):
    def __init__(self, channels, kernel):
        super().__init__()
        unit = [1] * len(kernel)
        self.first = ConvNormAct(channels, channels, kernel, unit, True)
        self.second = ConvNormAct(channels, channels, kernel, unit, False)
        self.se = SqueezeExcite(channels)

    def forward(self, x):
        return F.elu(self.se(self.second(self.first(x))) + x)


class EncoderLevel(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride):
        super().__init__()
        self.enter = ConvNormAct(c_in, c_out, kernel, stride, True)
        self.block = ResidualSe(c_out, kernel)


class DecoderLevel(nn.Module):
    def __init__(self, c_in, c_out, kernel):
        super().__init__()
        self.reduce = ConvNormAct(c_in, c_out, kernel, [1] * len(kernel), True)
        self.block = ResidualSe(c_out, kernel)


class UNet(nn.Module):
    """unet.rs UNet, with the same parameter names (the keys of model.safetensors)."""

    def __init__(self, spec):
        super().__init__()
        f = spec["filters"]
        unit = [1] * len(spec["io_kernel"])
        self.conv_in = ConvNormAct(spec["in_channels"], f[0], spec["io_kernel"], unit, True)
        self.encoder = nn.ModuleList(
            EncoderLevel(f[max(i - 1, 0)], f[i], lv["kernel"], lv["stride"]) for i, lv in enumerate(spec["levels"]))
        self.decoder = nn.ModuleList(
            DecoderLevel(f[j], f[j - 1], spec["levels"][j]["kernel"]) for j in range(1, len(f)))
        self.conv_out = conv(f[0], spec["out_channels"], spec["io_kernel"], unit, bias=True)
        # PyTorch Connectomics (and init.rs): orthogonal conv and linear weights, zero biases;
        # batch norm keeps PyTorch's defaults (scale 1, shift 0).
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.Linear)):
                nn.init.orthogonal_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.conv_in(x)
        skips = []
        for level in self.encoder:
            h = level.block(level.enter(h))
            skips.append(h)
        skips.pop()
        for level, skip in reversed(list(zip(self.decoder, skips))):
            h = level.reduce(h)
            mode = "bilinear" if skip.dim() == 4 else "trilinear"
            h = level.block(F.interpolate(h, size=skip.shape[2:], mode=mode, align_corners=True) + skip)
        return self.conv_out(h)


# ---------------------------------------------------------------- SegTrain's files

def read_safetensors(path):
    """Named tensors of a safetensors file (8-byte header length, JSON header, raw data)."""
    with open(path, "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(n))
        data = fh.read()
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "BF16": None}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = dtypes[info["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"]).copy())
    return out


def read_stack(path):
    """A TIFF stack as float32 (z, y, x)."""
    a = tifffile.imread(path)
    if a.ndim == 2:
        a = a[None]
    return a.astype(np.float32)


def load_model(model_dir):
    record = json.load(open(os.path.join(model_dir, "model.json")))
    net = UNet(record["network"])
    saved = read_safetensors(os.path.join(model_dir, record.get("weights") or "model.safetensors"))
    own = net.state_dict()
    # PyTorch's batch norm also counts its batches; tch's has no such buffer (and SegTrain's
    # batch norm uses momentum 0.1, PyTorch's default, so the counter is unused here).
    wanted = {k for k in own if not k.endswith("num_batches_tracked")}
    if wanted != set(saved):
        raise SystemExit("weight names differ: only SegTrain %s, only reference %s"
                         % (sorted(set(saved) - wanted), sorted(wanted - set(saved))))
    for k in wanted:
        if tuple(own[k].shape) != tuple(saved[k].shape):
            raise SystemExit("shape of %s differs: %s vs %s" % (k, tuple(saved[k].shape), tuple(own[k].shape)))
    net.load_state_dict(saved, strict=False)
    return record, net, saved


# ---------------------------------------------------------------- loss (loss.rs, head.rs)

MIN_SHARE = 0.05
DICE_SMOOTH = 1.0


def balanced_weight(target):
    dims = tuple(range(1, target.dim()))
    share = target.mean(dim=dims, keepdim=True).clamp(MIN_SHARE, 1.0 - MIN_SHARE)
    other = 1.0 - share
    extra = torch.maximum(share, other) / torch.minimum(share, other) - 1.0
    fg_rare = (share < 0.5).float()
    rare = fg_rare * target + (1.0 - fg_rare) * (1.0 - target)
    return rare * extra + 1.0


def dice_loss(probability, target):
    dims = tuple(range(1, target.dim()))
    overlap = (probability * target).sum(dim=dims)
    denominator = probability.square().sum(dim=dims) + target.square().sum(dim=dims)
    return (1.0 - (2.0 * overlap + DICE_SMOOTH) / (denominator + DICE_SMOOTH)).mean()


def binary_loss(logits, target, ce, dice):
    bce = F.binary_cross_entropy_with_logits(logits, target, weight=balanced_weight(target))
    return bce * ce + dice_loss(torch.sigmoid(logits), target) * dice


def head_loss(kind, logits, target, config):
    ce, dice = config["cross_entropy_weight"], config["dice_weight"]
    if kind == "binary":
        return binary_loss(logits, target, ce, dice)
    total = binary_loss(logits[:, 0:1], target[:, 0:1], ce, dice) + binary_loss(logits[:, 1:2], target[:, 1:2], ce, dice)
    if config["instance_distance"]:
        total = total + F.binary_cross_entropy_with_logits(logits[:, 2:3], target[:, 2:3]) * ce
    return total


def optimizer_for(net, config, lr):
    """optimizer.rs: weight decay on conv and linear weights (more than 1-D) only."""
    params = [p for p in net.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() > 1]
    other = [p for p in params if p.dim() <= 1]
    groups = [{"params": decay, "weight_decay": config["weight_decay"]}, {"params": other, "weight_decay": 0.0}]
    if config["optimizer"] == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=config["momentum"])
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)


# ---------------------------------------------------------------- targets for the training loop

def shifted_differs(labels):
    """Per slice: voxels with a different label among their 8 in-plane neighbours."""
    padded = np.pad(labels, ((0, 0), (1, 1), (1, 1)), mode="edge")
    h, w = labels.shape[1:]
    differs = np.zeros(labels.shape, bool)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            differs |= padded[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] != labels
    return differs


def instance_targets(labels, distance):
    """Foreground, contour (object voxels next to another label) and, if asked, an in-plane
    distance to the object's border normalised per object: the kind of targets SegTrain makes
    (computed once for the whole stack; their values do not change the speed)."""
    fg = (labels != 0).astype(np.float32)
    contour = (shifted_differs(labels) & (labels != 0)).astype(np.float32)
    channels = [fg, contour]
    if distance:
        inside = labels != 0
        depth = np.zeros(labels.shape, np.float32)
        current = inside & ~shifted_differs(labels)
        step = 1
        depth[inside] = 1
        while current.any() and step < 64:
            step += 1
            depth[current] = step
            grown = current.copy()
            grown[:, 1:, :] &= current[:, :-1, :]
            grown[:, :-1, :] &= current[:, 1:, :]
            grown[:, :, 1:] &= current[:, :, :-1]
            grown[:, :, :-1] &= current[:, :, 1:]
            current = grown
        top = np.zeros(int(labels.max()) + 1, np.float32)
        np.maximum.at(top, labels.ravel(), depth.ravel())
        norm = top[labels]
        channels.append(np.where(inside, depth / np.maximum(norm, 1), 0).astype(np.float32))
    return np.stack(channels)


# ---------------------------------------------------------------- subcommands

def bench(make, flops_of, sizes, seconds):
    """GFLOP/s of the operation `make(size)` returns, at the first size of `sizes` whose second
    call takes at least 0.25 s (short calls measure the threads' wake-up more than the kernel;
    slow variants, e.g. bf16 emulated on a CPU without bf16 instructions, stay smaller): the
    fastest of calls repeated for about `seconds`, at least 3 (a ceiling: what the CPU reaches
    when nothing else holds it back, also on a machine shared with other work)."""
    for size in sizes:
        fn = make(size)
        fn()  # warm-up (the first call prepares the kernels)
        t = time.perf_counter()
        fn()
        if time.perf_counter() - t >= 0.25 or size == sizes[-1]:
            break
    times = []
    start = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < seconds:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return flops_of(size) / min(times) / 1e9, size


def cmd_ceilings(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = {"threads": a.threads, "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    c = 64
    with torch.no_grad():
        for name, dtype, layout in [("conv3x3_64_fp32_nchw", torch.float32, torch.contiguous_format),
                                    ("conv3x3_64_fp32_channels_last", torch.float32, torch.channels_last),
                                    ("conv3x3_64_bf16_channels_last", torch.bfloat16, torch.channels_last)]:
            def make(hw, dtype=dtype, layout=layout):
                x = torch.randn(2, c, hw, hw).to(dtype=dtype, memory_format=layout)
                w = torch.randn(c, c, 3, 3).to(dtype=dtype, memory_format=layout)
                return lambda: F.conv2d(x, w, padding=1)
            out[name], out[name + "_size"] = bench(make, lambda hw: 2.0 * 2 * c * c * 9 * hw * hw, [128, 256], a.seconds)
        for name, dtype in [("gemm_fp32", torch.float32), ("gemm_bf16", torch.bfloat16)]:
            def make(m, dtype=dtype):
                x, y = torch.randn(m, m, dtype=dtype), torch.randn(m, m, dtype=dtype)
                return lambda: x @ y
            out[name], out[name + "_size"] = bench(make, lambda m: 2.0 * m ** 3, [1024, 2048], a.seconds)
    print(json.dumps(out))


def count_flops(fn):
    """FLOPs (multiply-adds x 2) of convolutions and matrix products, by PyTorch's counter."""
    from torch.utils.flop_counter import FlopCounterMode
    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return counter.get_total_flops()


def cmd_train(a):
    """A plain PyTorch training loop: random windows of the normalised stack with random flips
    (targets computed once beforehand), forward, SegTrain's loss, backward, torch.optim step at the
    config's base_lr (SegTrain's warm-up and decay change the learning rate, not the work done).
    Prints the mean s/iteration after `warmup` iterations and the FLOPs of one iteration."""
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    config = json.load(open(a.config))
    window = [int(v) for v in a.window.split(",")]
    image = read_stack(a.image)
    image = (image - image.astype(np.float64).mean()) / max(image.astype(np.float64).std(), 1e-6)
    image = image.astype(np.float32)
    labels = tifffile.imread(a.labels)
    labels = labels[None] if labels.ndim == 2 else labels
    if config["task"] == "instance":
        kind = "instance"
        targets = instance_targets(labels.astype(np.int64), config["instance_distance"])
        out_channels = targets.shape[0]
    else:
        values = np.unique(labels)
        if len(values) != 2:
            raise SystemExit("the reference trains binary semantic labels only (got %d values)" % len(values))
        kind = "binary"
        targets = (labels != values[0]).astype(np.float32)[None]
        out_channels = 1
    if config["dims"] == 2:
        spec = two_d_spec(config["filters"], 1, out_channels)
    else:
        voxel = [float(v) for v in a.voxel_nm.split(",")] if a.voxel_nm else config["voxel_nm"]
        spec = three_d_spec(config["filters"], voxel, 1, out_channels)
    net = UNet(spec)
    layout = torch.channels_last if config["dims"] == 2 else torch.channels_last_3d
    if a.channels_last:
        net = net.to(memory_format=layout)
    net.train()
    opt = optimizer_for(net, config, config["base_lr"])
    spatial = 2 if config["dims"] == 2 else 3

    def batch():
        xs, ts = [], []
        for _ in range(a.batch):
            o = [int(rng.integers(0, s - w + 1)) for s, w in zip(image.shape, window)]
            sl = tuple(slice(p, p + w) for p, w in zip(o, window))
            x, t = image[sl], targets[(slice(None),) + sl]
            for axis in (1, 2):  # random flips in y and x
                if rng.random() < 0.5:
                    x, t = np.flip(x, axis - 3), np.flip(t, axis - 3)
            xs.append(np.ascontiguousarray(x)[None])
            ts.append(np.ascontiguousarray(t))
        x, t = torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ts))
        if spatial == 2:
            x, t = x[:, :, 0], t[:, :, 0]
        if a.channels_last:
            x = x.contiguous(memory_format=layout)
        return x, t

    def step(x, t):
        opt.zero_grad()
        loss = head_loss(kind, net(x), t, config)
        loss.backward()
        opt.step()
        return loss.item()

    times, losses = [], []
    for it in range(a.iterations):
        start = time.perf_counter()
        x, t = batch()
        losses.append(step(x, t))
        times.append(time.perf_counter() - start)
    timed = times[a.warmup:]
    if a.profile:
        # Where a step's time goes, by operator (self time: without the operators it calls).
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for _ in range(a.profile):
                step(*batch())
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=30), file=sys.stderr)
    # One more iteration under the FLOP counter (not timed).
    x, t = batch()
    flops = count_flops(lambda: step(x, t))
    params = sum(p.numel() for p in net.parameters())
    print(json.dumps({"seconds_per_iteration": sum(timed) / len(timed), "timed_iterations": len(timed),
                      "flops_per_iteration": flops, "parameters": params, "network": spec,
                      "first_loss": losses[0], "last_loss": losses[-1], "threads": a.threads}))


def axis_origins(n, window, overlap):
    """tiling.rs axis_origins: every `stride` voxels, the last window flush with the end."""
    window = max(min(window, n), 1)
    stride = min(max(int(round(window * (1.0 - overlap))), 1), window)
    origins = list(range(0, n - window + 1, stride))
    if origins[-1] != n - window:
        origins.append(n - window)
    return origins


def gaussian_importance(size):
    """Gaussian importance map, sigma = 1/8 of the window per axis (MONAI's sigma_scale 0.125),
    peak 1, no weight below 1e-3 (SegTrain's blending.rs uses the same map)."""
    axes = []
    for n in size:
        sigma = max(n / 8.0, 1e-3)
        centre = (n - 1) / 2.0
        axes.append(torch.exp(-0.5 * ((torch.arange(n, dtype=torch.float32) - centre) / sigma) ** 2))
    w = axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]
    return w.clamp_min(1e-3)


def sliding_window(net, image, window, overlap, batch, out_channels, spatial, activate):
    """MONAI-style sliding-window inference: windows in batches, outputs weighted by the
    Gaussian importance map and summed, then divided by the summed weights."""
    shape = image.shape
    w = [min(window[d], shape[d]) for d in range(3)]
    origins = [(z, y, x) for z in axis_origins(shape[0], w[0], overlap)
               for y in axis_origins(shape[1], w[1], overlap) for x in axis_origins(shape[2], w[2], overlap)]
    importance = gaussian_importance(w)
    sums = torch.zeros((out_channels,) + tuple(shape))
    weights = torch.zeros(tuple(shape))
    source = torch.from_numpy(image)
    with torch.no_grad():
        for i in range(0, len(origins), batch):
            group = origins[i:i + batch]
            x = torch.stack([source[z:z + w[0], y:y + w[1], xx:xx + w[2]] for z, y, xx in group])[:, None]
            if spatial == 2:
                x = x[:, :, 0]
            p = activate(net(x))
            if spatial == 2:
                p = p[:, :, None]
            for k, (z, y, xx) in enumerate(group):
                region = (slice(z, z + w[0]), slice(y, y + w[1]), slice(xx, xx + w[2]))
                sums[(slice(None),) + region] += p[k] * importance
                weights[region] += importance
    return sums / weights, len(origins)


def cmd_predict(a):
    torch.set_num_threads(a.threads)
    record, net, _ = load_model(a.model)
    net.eval()
    image = read_stack(a.image)
    # The span SegTrain's `predict` reports as "seconds": from the stack in memory to the label
    # file written (the reference's model is already loaded; SegTrain's load is inside its span).
    start = time.perf_counter()
    norm = record["normalization"]
    image = (image - np.float32(norm["mean"])) * np.float32(1.0 / norm["std"])
    head = record["head"]
    window = record["config"]["window_size"]
    spatial = len(record["network"]["io_kernel"])
    activate = (lambda t: torch.softmax(t, 1)) if head["kind"] == "classes" else torch.sigmoid
    prob, windows = sliding_window(net, image, window, a.overlap, a.batch, record["network"]["out_channels"],
                                   spatial, activate)
    if head["kind"] != "binary":
        raise SystemExit("the reference post-processes binary semantic models only")
    threshold = record["postprocess"]["threshold"]
    labels = torch.where(prob[0] >= threshold, head["foreground"], head["background"]).numpy()
    dtype = np.uint8 if max(head["foreground"], head["background"]) < 256 else np.uint16
    tifffile.imwrite(a.out, labels.astype(dtype))
    seconds = time.perf_counter() - start
    if a.probabilities:
        tifffile.imwrite(a.probabilities, prob[0].numpy())
    print(json.dumps({"seconds": seconds, "windows": windows, "threads": a.threads, "shape": list(image.shape)}))


def cmd_flops(a):
    """FLOPs of one window's forward pass of a stored model (for auto-label's GFLOP/s)."""
    torch.set_num_threads(a.threads)
    record, net, _ = load_model(a.model)
    net.eval()
    window = record["config"]["window_size"]
    x = torch.zeros([a.batch, 1] + (window[1:] if len(record["network"]["io_kernel"]) == 2 else window))
    with torch.no_grad():
        flops = count_flops(lambda: net(x)) / a.batch
    print(json.dumps({"flops_per_window": flops}))


def cmd_check(a):
    """Proves the reference network is SegTrain's: same names and shapes of every weight, same
    parameter count, and the same probabilities from SegTrain's saved weights on the same stack.
    Also runs SegTrain's own unit-test cases of the loss and the optimisers through the
    reference's loss and torch.optim."""
    torch.set_num_threads(a.threads)
    record, net, saved = load_model(a.model)
    net.eval()
    trainable = sum(v.numel() for k, v in saved.items() if not k.endswith(("running_mean", "running_var")))
    ours = sum(p.numel() for p in net.parameters())
    config = record["config"]
    if config["dims"] == 2:
        rebuilt = two_d_spec(config["filters"], 1, record["network"]["out_channels"])
    else:
        rebuilt = three_d_spec(config["filters"], config["voxel_nm"], 1, record["network"]["out_channels"])
    result = {"weights": len(saved), "parameters_segtrain": trainable, "parameters_reference": ours,
              "spec_rebuilt_from_config_equal": rebuilt == record["network"]}
    image = read_stack(a.image)
    norm = record["normalization"]
    image = (image - np.float32(norm["mean"])) * np.float32(1.0 / norm["std"])
    activate = (lambda t: torch.softmax(t, 1)) if record["head"]["kind"] == "classes" else torch.sigmoid
    prob, windows = sliding_window(net, image, config["window_size"], a.overlap, a.batch,
                                   record["network"]["out_channels"], len(record["network"]["io_kernel"]), activate)
    # SegTrain writes P.tif for one output channel, P_<name>.tif for each of several.
    stem, _ = os.path.splitext(a.segtrain_probabilities)
    names = record["outputs"]
    paths = [a.segtrain_probabilities] if len(names) == 1 else \
        ["%s_%s.tif" % (stem, "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in n)) for n in names]
    diff = np.zeros(0, np.float32)
    for channel, path in enumerate(paths):
        theirs = tifffile.imread(path).astype(np.float32)
        theirs = theirs[None] if theirs.ndim == 2 else theirs
        diff = np.concatenate([diff, np.abs(prob[channel].numpy() - theirs).ravel()])
    result.update({"windows": windows, "channels": len(paths), "probabilities_max_abs_diff": float(diff.max()),
                   "probabilities_identical_share": float((diff == 0).mean())})
    # loss.rs tests: balanced weights, Dice, binary loss.
    t = torch.tensor([[1., 0, 0, 0, 0], [1, 1, 1, 1, 0]])
    ok_weight = torch.allclose(balanced_weight(t), torch.tensor([[4., 1, 1, 1, 1], [1, 1, 1, 1, 4]]))
    t2 = torch.tensor([[1., 1, 0, 0]])
    ok_dice = abs(dice_loss(torch.tensor([[1., 0, 0, 0]]), t2).item() - 0.25) < 1e-6
    expected = math.log(2) + 0.5 * (1 - (2 * 0.5 + 1) / (0.5 + 1 + 1))
    ok_bce = abs(binary_loss(torch.zeros(1, 2), torch.tensor([[1., 0]]), 1.0, 0.5).item() - expected) < 1e-6
    # optimizer.rs tests: two steps, lr 0.5, momentum 0.9, weight decay 0.1, gradient 1.
    optim = {}
    for kind, (w_expected, b_expected) in {"sgd": (-0.5675, -0.45), "adamw": (-0.0725, 0.0)}.items():
        w = nn.Parameter(torch.ones(1, 2))
        b = nn.Parameter(torch.ones(1))
        holder = nn.Module()
        holder.w, holder.b = w, b
        opt = optimizer_for(holder, {"optimizer": kind, "momentum": 0.9, "weight_decay": 0.1}, 0.5)
        for _ in range(2):
            opt.zero_grad()
            (w.sum() + b.sum()).backward()
            opt.step()
        optim[kind] = abs(w[0, 0].item() - w_expected) < 1e-5 and abs(b.item() - b_expected) < 1e-5
    result.update({"loss_tests_pass": ok_weight and ok_dice and ok_bce, "sgd_test_pass": optim["sgd"],
                   "adamw_test_pass": optim["adamw"]})
    print(json.dumps(result))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("ceilings")
    c.add_argument("--threads", type=int, default=os.cpu_count())
    c.add_argument("--seconds", type=float, default=2.0)
    c = sub.add_parser("train")
    for k in ("config", "image", "labels", "window"):
        c.add_argument("--" + k, required=True)
    c.add_argument("--batch", type=int, required=True)
    c.add_argument("--iterations", type=int, required=True)
    c.add_argument("--warmup", type=int, default=2)
    c.add_argument("--voxel-nm")
    c.add_argument("--threads", type=int, default=os.cpu_count())
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--channels-last", action="store_true", help="weights and inputs channels-last")
    c.add_argument("--padding", choices=["replicate", "zeros"], default="replicate")
    c.add_argument("--profile", type=int, default=0, help="then profile this many steps (table to stderr)")
    for name in ("predict", "check", "flops"):
        c = sub.add_parser(name)
        c.add_argument("--model", required=True)
        c.add_argument("--image", required=name != "flops")
        c.add_argument("--overlap", type=float, default=0.5)
        c.add_argument("--batch", type=int, default=4)
        c.add_argument("--threads", type=int, default=os.cpu_count())
        if name == "predict":
            c.add_argument("--out", required=True)
            c.add_argument("--probabilities")
        elif name == "check":
            c.add_argument("--segtrain-probabilities", required=True)
    a = p.parse_args()
    global PADDING
    PADDING = getattr(a, "padding", PADDING)
    {"ceilings": cmd_ceilings, "train": cmd_train, "predict": cmd_predict, "check": cmd_check, "flops": cmd_flops}[a.cmd](a)


if __name__ == "__main__":
    main()
