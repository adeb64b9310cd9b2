//! Seeded watershed: Meyer's flooding with a priority queue, restricted to a mask.
//!
//! Every seed voxel is queued at its relief level; the lowest queued voxel is taken and each
//! unlabelled mask neighbour gets its id and is queued in turn. Voxels are claimed by the
//! first front that reaches them, and fronts advance lowest level first, so two basins meet
//! on the ridge between them. Within a level the queue is first-in-first-out: on a plateau
//! all fronts grow one voxel layer per step, and the plateau is split halfway.
//!
//! Neighbourhoods are 4-connected per slice (y/x only) or 6-connected in 3-D, as in
//! [`super::connected_components`]. Each voxel is queued at most once: O(n + levels) with the
//! [`BucketQueue`], and 4 bytes per voxel of the block being flooded (a slice, or the volume).

use super::queue::{BucketQueue, Levels};
use super::shape;

/// Floods `seeds` (ids, 0 = not a seed) over `relief` (lower floods first) within `mask`
/// (non-zero = may be labelled; `None`: everywhere) and returns the labels.
///
/// Seed ids are kept (a seed region may be any set of voxels, not necessarily connected);
/// seeds outside the mask are ignored. Mask voxels that no seed reaches through the mask stay
/// 0, as does everything outside it. `per_slice`: each z slice is flooded on its own, through
/// y/x neighbours only; otherwise through all six neighbours in 3-D.
///
/// The relief is quantised to 16 bits over its finite range within the mask (see
/// [`Levels`]); NaN counts as the highest relief. Deterministic: the result depends only on
/// the inputs (ties go to the front that got there first, then to the earlier seed in scan
/// order).
///
/// # Panics
/// If an input's length does not match `shape`.
pub fn watershed(relief: &[f32], seeds: &[u32], mask: Option<&[u8]>, shape: [usize; 3], per_slice: bool) -> Vec<u32> {
    shape::voxels(relief.len(), shape, "relief");
    shape::voxels(seeds.len(), shape, "seeds");
    let mut labels = seeds.to_vec();
    match mask {
        Some(mask) => {
            shape::voxels(mask.len(), shape, "mask");
            flood(&mut labels, shape, per_slice, |i| relief[i], |i| mask[i] != 0);
        }
        None => flood(&mut labels, shape, per_slice, |i| relief[i], |_| true),
    }
    labels
}

/// Marks voxels outside the mask in `labels` while flooding, so that testing whether a
/// neighbour is free reads one array instead of two: that test is where the flood waits on
/// memory, at random places of large volumes.
const OUTSIDE: u32 = u32::MAX;

/// [`watershed`] in place: `labels` holds the seeds and receives the result. The relief and
/// the mask are functions of the voxel index, so that a derived relief (a mix of network
/// channels) or mask (a thresholded probability) costs no buffer. The caller has checked the
/// shape.
pub(super) fn flood(
    labels: &mut [u32],
    shape: [usize; 3],
    per_slice: bool,
    relief: impl Fn(usize) -> f32,
    in_mask: impl Fn(usize) -> bool,
) {
    // One pass: the relief range over the mask, and the OUTSIDE marks (which also drop seeds
    // outside the mask).
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    let mut clash = false;
    for (i, label) in labels.iter_mut().enumerate() {
        if in_mask(i) {
            clash |= *label == OUTSIDE;
            let r = relief(i);
            if r.is_finite() {
                lo = lo.min(r);
                hi = hi.max(r);
            }
        } else {
            *label = OUTSIDE;
        }
    }
    let levels = Levels::between(lo, hi);
    let level = |i: usize| levels.of(relief(i));
    if clash {
        // A seed uses the marker's id: unmark, and test the mask instead.
        for (i, label) in labels.iter_mut().enumerate() {
            if !in_mask(i) {
                *label = 0;
            }
        }
        flood_blocks(labels, shape, per_slice, level, |_, l| l != 0, |j, l| l == 0 && in_mask(j));
    } else {
        flood_blocks(labels, shape, per_slice, level, |_, l| l != 0 && l != OUTSIDE, |_, l| l == 0);
        for label in labels.iter_mut().filter(|l| **l == OUTSIDE) {
            *label = 0;
        }
    }
}

/// Floods each block (each slice per slice, else the whole volume) on its own. `level`,
/// `is_seed(index, label)` and `is_free(index, label)` take indices in the whole volume.
fn flood_blocks(
    labels: &mut [u32],
    shape: [usize; 3],
    per_slice: bool,
    level: impl Fn(usize) -> usize,
    is_seed: impl Fn(usize, u32) -> bool,
    is_free: impl Fn(usize, u32) -> bool,
) {
    let [_, height, width] = shape;
    let block = if per_slice { [1, height, width] } else { shape };
    let block_len = block.iter().product::<usize>();
    if block_len == 0 {
        return;
    }
    let mut queue = BucketQueue::new(block_len);
    for (b, labels) in labels.chunks_exact_mut(block_len).enumerate() {
        let base = b * block_len;
        flood_block(
            labels,
            block,
            &mut queue,
            |v| level(base + v),
            |v, l| is_seed(base + v, l),
            |v, l| is_free(base + v, l),
        );
    }
}

/// Floods one block of shape `[depth, height, width]`; the closures take indices within the
/// block.
fn flood_block(
    labels: &mut [u32],
    [depth, height, width]: [usize; 3],
    queue: &mut BucketQueue,
    level: impl Fn(usize) -> usize,
    is_seed: impl Fn(usize, u32) -> bool,
    is_free: impl Fn(usize, u32) -> bool,
) {
    queue.restart();
    for (v, &label) in labels.iter().enumerate() {
        if is_seed(v, label) {
            queue.push(v as u32, level(v));
        }
    }
    let plane = height * width;
    let (w32, h32) = (width as u32, height as u32);
    while let Some(v) = queue.pop() {
        // u32 division: cheaper than u64 on common x86 cores; the coordinates only serve
        // the border tests.
        let (x, rest) = ((v % w32) as usize, v / w32);
        let (y, z) = ((rest % h32) as usize, (rest / h32) as usize);
        let v = v as usize;
        let id = labels[v];
        let mut near = [0usize; 6];
        let mut count = 0;
        let mut add = |ok: bool, j: usize| {
            near[count] = j;
            count += ok as usize;
        };
        add(x > 0, v.wrapping_sub(1));
        add(x + 1 < width, v + 1);
        add(y > 0, v.wrapping_sub(width));
        add(y + 1 < height, v + width);
        add(z > 0, v.wrapping_sub(plane));
        add(z + 1 < depth, v + plane);
        for &j in &near[..count] {
            if is_free(j, labels[j]) {
                labels[j] = id;
                queue.push(j as u32, level(j));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of 11 voxels: two basins with the ridge maximum at index 5.
    const RIDGE: [f32; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 1.0, 0.4, 0.3, 0.2, 0.1, 0.0];

    #[test]
    fn two_basins_meet_at_the_ridge() {
        let mut seeds = [0u32; 11];
        seeds[0] = 1;
        seeds[10] = 2;
        let labels = watershed(&RIDGE, &seeds, None, [1, 1, 11], false);
        assert_eq!(&labels[..5], &[1; 5]);
        assert_eq!(&labels[6..], &[2; 5]);
        // The ridge voxel is reached by both fronts at the same level: the earlier seed wins.
        assert_eq!(labels[5], 1);
        // Deterministic, and the same per slice (one slice) as in 3-D.
        assert_eq!(watershed(&RIDGE, &seeds, None, [1, 1, 11], true), labels);
    }

    #[test]
    fn the_ridge_goes_to_the_basin_that_reaches_it_lower() {
        // The right basin's wall next to the ridge is lower: it floods the ridge first.
        let mut relief = RIDGE;
        relief[6] = 0.05;
        let mut seeds = [0u32; 11];
        seeds[0] = 1;
        seeds[10] = 2;
        let labels = watershed(&relief, &seeds, None, [1, 1, 11], false);
        assert_eq!(labels, [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    }

    #[test]
    fn a_plateau_is_split_evenly() {
        let relief = [0.5f32; 12];
        let mut seeds = [0u32; 12];
        seeds[0] = 7;
        seeds[11] = 3;
        let labels = watershed(&relief, &seeds, None, [1, 1, 12], false);
        assert_eq!(labels, [7, 7, 7, 7, 7, 7, 3, 3, 3, 3, 3, 3]);
    }

    #[test]
    fn mask_limits_the_flood_and_seeds_outside_it_are_ignored() {
        // 3 x 11: the ridge in every row; the mask drops the corners of the top row and one
        // voxel of the bottom row, which holds seed 9.
        let shape = [1, 3, 11];
        let relief: Vec<f32> = (0..3).flat_map(|_| RIDGE).collect();
        let mut mask = vec![1u8; 33];
        mask[0] = 0;
        mask[10] = 0;
        mask[22 + 3] = 0;
        let mut seeds = vec![0u32; 33];
        seeds[11] = 1; // middle row, left end
        seeds[11 + 9] = 2;
        seeds[22 + 3] = 9; // outside the mask
        let labels = watershed(&relief, &seeds, Some(&mask), shape, true);
        for i in 0..33 {
            if mask[i] == 0 {
                assert_eq!(labels[i], 0, "voxel {i} is outside the mask");
            } else {
                assert!(labels[i] == 1 || labels[i] == 2, "voxel {i} is unlabelled");
            }
        }
        assert!(!labels.contains(&9));
        // Each basin goes to its seed (the ridge column 5 may go either way).
        for i in (0..33).filter(|&i| mask[i] != 0) {
            match i % 11 {
                0..=4 => assert_eq!(labels[i], 1, "voxel {i}: {labels:?}"),
                6.. => assert_eq!(labels[i], 2, "voxel {i}: {labels:?}"),
                _ => {}
            }
        }
        assert_eq!(watershed(&relief, &seeds, Some(&mask), shape, true), labels);

        // A mask component that no seed reaches stays 0.
        let mut mask = vec![1u8; 11];
        mask[5] = 0;
        let mut seeds = [0u32; 11];
        seeds[1] = 4;
        let labels = watershed(&RIDGE, &seeds, Some(&mask), [1, 1, 11], false);
        assert_eq!(labels, [4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn the_largest_id_is_a_seed_like_any_other() {
        // u32::MAX is the flood's internal marker for "outside the mask": a seed with that
        // id takes the slower path, with the same result.
        let mut mask = [1u8; 11];
        mask[8] = 0;
        let mut seeds = [0u32; 11];
        seeds[0] = u32::MAX;
        seeds[10] = 2;
        seeds[8] = 3;
        let labels = watershed(&RIDGE, &seeds, Some(&mask), [1, 1, 11], false);
        let m = u32::MAX;
        assert_eq!(labels, [m, m, m, m, m, m, m, m, 0, 2, 2]);
        seeds[0] = 1;
        let labels = watershed(&RIDGE, &seeds, Some(&mask), [1, 1, 11], false);
        assert_eq!(labels, [1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 2]);
    }

    #[test]
    fn slices_flood_apart_per_slice_and_together_in_3d() {
        let shape = [2, 2, 2];
        let relief = [0.0f32; 8];
        let mut seeds = [0u32; 8];
        seeds[0] = 5;
        assert_eq!(watershed(&relief, &seeds, None, shape, false), [5; 8]);
        assert_eq!(watershed(&relief, &seeds, None, shape, true), [5, 5, 5, 5, 0, 0, 0, 0]);
    }

    #[test]
    fn nan_relief_floods_last() {
        // Seed 1 faces NaN voxels, seed 2 a finite slope: seed 2 climbs its slope and takes
        // the NaN voxel next to it before seed 1 gets past the first NaN voxel.
        let relief = [0.0, f32::NAN, f32::NAN, 0.2, 0.2, 0.0, 1.0];
        let seeds = [1, 0, 0, 0, 0, 2, 0];
        let labels = watershed(&relief, &seeds, None, [1, 1, 7], false);
        assert_eq!(labels, [1, 1, 2, 2, 2, 2, 2]);
    }
}
