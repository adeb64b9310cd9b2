//! Holes of a foreground mask: background enclosed by foreground. Networks often call the
//! inside of an organelle background where it looks like background (the starch grains of a
//! chloroplast, the matrix of a swollen mitochondrion) and draw a contour around it; the
//! object then comes back with a hole, or split around it. Filling the holes up to a size
//! gives the object back its inside; larger enclosed regions (a lumen ringed by cells) stay.

use super::components::label_where;

/// Sets to 1 every hole of `mask` (non-zero = foreground) with at most `max_size` voxels: a
/// connected component of background that does not touch the border. `per_slice`: holes of
/// each z slice (4-connectivity, the slice's four edges are border); otherwise 3-D cavities
/// (6-connectivity, all six faces are border), counted like the other size limits of the
/// same mode. `max_size` 0 fills nothing. The caller has checked the shape.
pub(super) fn fill_holes(mask: &mut [u8], shape: [usize; 3], per_slice: bool, max_size: usize) {
    if max_size == 0 {
        return;
    }
    let (background, count) = label_where(shape, per_slice, |i| mask[i] == 0);
    // sizes[id]: voxels of background component id; 0 once it touches the border.
    let mut sizes = vec![0usize; count as usize + 1];
    for &id in &background {
        sizes[id as usize] += 1;
    }
    let [depth, height, width] = shape;
    let plane = height * width;
    let mut open = |i: usize| sizes[background[i] as usize] = 0;
    for z in 0..depth {
        let slice_is_border = !per_slice && (z == 0 || z + 1 == depth);
        for y in 0..height {
            let row = z * plane + y * width;
            if slice_is_border || y == 0 || y + 1 == height {
                (row..row + width).for_each(&mut open);
            } else if width > 0 {
                open(row);
                open(row + width - 1);
            }
        }
    }
    for (m, &id) in mask.iter_mut().zip(&background) {
        if id != 0 && (1..=max_size).contains(&sizes[id as usize]) {
            *m = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 9x9 slice: a ring (square, 1 px wide) from 1 to 7 around a 5x5 hole, and a 3x3 ring
    /// at the right border that is open to it.
    fn ring(depth: usize) -> Vec<u8> {
        let (h, w) = (9, 12);
        let mut mask = vec![0u8; depth * h * w];
        for z in 0..depth {
            for y in 1..8 {
                for x in 1..8 {
                    if y == 1 || y == 7 || x == 1 || x == 7 {
                        mask[z * h * w + y * w + x] = 1;
                    }
                }
            }
            // An open "C" at the right edge: its inside touches the border.
            for y in 2..5 {
                for x in 9..12 {
                    if y != 3 || x == 9 {
                        mask[z * h * w + y * w + x] = 1;
                    }
                }
            }
        }
        mask
    }

    fn filled(mask: &[u8]) -> usize {
        mask.iter().filter(|&&m| m != 0).count()
    }

    #[test]
    fn enclosed_holes_up_to_the_size_are_filled_and_open_ones_are_not() {
        let before = ring(1);
        let shape = [1, 9, 12];
        let mut mask = before.clone();
        fill_holes(&mut mask, shape, true, 25);
        assert_eq!(filled(&mask), filled(&before) + 25, "the 5x5 inside of the ring");
        assert_eq!(mask[5 * 12 + 4], 1);
        assert_eq!(mask[3 * 12 + 10], 0, "the C opens to the border");
        // Too large a hole stays; 0 fills nothing.
        for max in [24, 0] {
            let mut mask = before.clone();
            fill_holes(&mut mask, shape, true, max);
            assert_eq!(mask, before, "max {max}");
        }
    }

    #[test]
    fn in_3d_a_hole_open_through_the_top_or_bottom_slice_is_not_a_cavity() {
        // Three identical slices: per slice each ring encloses 25 px; in 3-D the holes form one
        // column that reaches the first and last slice, so it is open.
        let before = ring(3);
        let shape = [3, 9, 12];
        let mut per_slice = before.clone();
        fill_holes(&mut per_slice, shape, true, 25);
        assert_eq!(filled(&per_slice), filled(&before) + 75);
        let mut cavity = before.clone();
        fill_holes(&mut cavity, shape, false, 1000);
        assert_eq!(cavity, before);
        // Closed by full lids: the middle slice's hole is a 25-voxel cavity.
        let mut lidded = before.clone();
        for i in 0..9 * 12 {
            let (y, x) = (i / 12, i % 12);
            if (1..8).contains(&y) && (1..8).contains(&x) {
                lidded[i] = 1;
                lidded[2 * 9 * 12 + i] = 1;
            }
        }
        let mut mask = lidded.clone();
        fill_holes(&mut mask, shape, false, 25);
        assert_eq!(filled(&mask), filled(&lidded) + 25);
    }
}
