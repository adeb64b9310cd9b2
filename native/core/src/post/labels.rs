//! Bookkeeping on label volumes: dropping small objects and renumbering ids.
//!
//! Both count or map per id with a dense table indexed by id when ids are at most the
//! number of voxels (always the case for ids made here: at most 4 bytes per voxel, one
//! load per voxel), and with a hash map looked up once per run of equal ids otherwise (any
//! `u32` ids, e.g. a label image from elsewhere).

use std::collections::HashMap;

/// Whether a dense table of `max + 1` entries is affordable for `len` voxels.
fn dense(max: u32, len: usize) -> bool {
    (max as usize) <= len.max(1 << 16)
}

/// Renumbers the non-zero ids to 1..=n in order of first appearance in scan order (0 stays
/// 0) and returns n. Gaps left by removed objects disappear, and the numbering depends only
/// on where objects are, not on how they were found.
pub fn relabel_consecutive(labels: &mut [u32]) -> u32 {
    let max = labels.iter().copied().max().unwrap_or(0);
    let mut count = 0u32;
    if max == 0 {
        return 0;
    }
    if dense(max, labels.len()) {
        let mut map = vec![0u32; max as usize + 1];
        for label in labels.iter_mut().filter(|l| **l != 0) {
            let new = &mut map[*label as usize];
            if *new == 0 {
                count += 1;
                *new = count;
            }
            *label = *new;
        }
    } else {
        let mut map = HashMap::new();
        let mut last = (0u32, 0u32); // (old, new) of the previous non-zero voxel
        for label in labels.iter_mut().filter(|l| **l != 0) {
            if *label != last.0 {
                let new = *map.entry(*label).or_insert_with(|| {
                    count += 1;
                    count
                });
                last = (*label, new);
            }
            *label = last.1;
        }
    }
    count
}

/// Sets to 0 every object (all voxels of one id, connected or not) with fewer than
/// `min_size` voxels. Ids are left as they are (see [`relabel_consecutive`]).
pub fn remove_small(labels: &mut [u32], min_size: usize) {
    if min_size <= 1 {
        return; // every id present has at least one voxel
    }
    let max = labels.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return;
    }
    if dense(max, labels.len()) {
        // u32 counts saturate, far above any sensible minimum size.
        let mut sizes = vec![0u32; max as usize + 1];
        for &label in labels.iter() {
            sizes[label as usize] = sizes[label as usize].saturating_add(1);
        }
        for label in labels.iter_mut() {
            if (sizes[*label as usize] as usize) < min_size {
                *label = 0;
            }
        }
    } else {
        let mut sizes: HashMap<u32, usize> = HashMap::new();
        for run in labels.chunk_by(|a, b| a == b) {
            *sizes.entry(run[0]).or_default() += run.len();
        }
        for run in labels.chunk_by_mut(|a, b| a == b) {
            if sizes[&run[0]] < min_size {
                run.fill(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relabel_follows_first_appearance() {
        let mut labels = vec![0, 7, 7, 3, 0, 9, 3, 7, 0];
        assert_eq!(relabel_consecutive(&mut labels), 3);
        assert_eq!(labels, vec![0, 1, 1, 2, 0, 3, 2, 1, 0]);
        let mut empty: Vec<u32> = vec![0; 4];
        assert_eq!(relabel_consecutive(&mut empty), 0);
        assert_eq!(relabel_consecutive(&mut []), 0);
    }

    #[test]
    fn relabel_handles_huge_ids() {
        let mut labels = vec![u32::MAX, u32::MAX, 0, 5, 1 << 30, u32::MAX];
        assert_eq!(relabel_consecutive(&mut labels), 3);
        assert_eq!(labels, vec![1, 1, 0, 2, 3, 1]);
    }

    #[test]
    fn remove_small_counts_all_voxels_of_an_id() {
        // id 2 has 3 voxels in two pieces; id 4 has 2; id 6 has 1.
        let base = vec![2, 2, 0, 4, 4, 6, 0, 2];
        let mut labels = base.clone();
        remove_small(&mut labels, 3);
        assert_eq!(labels, vec![2, 2, 0, 0, 0, 0, 0, 2]);
        let mut labels = base.clone();
        remove_small(&mut labels, 0);
        assert_eq!(labels, base);

        // The same through the hash map path.
        let huge: Vec<u32> = base.iter().map(|&l| if l == 0 { 0 } else { l << 28 }).collect();
        let mut labels = huge.clone();
        remove_small(&mut labels, 2);
        let expected: Vec<u32> = huge.iter().map(|&l| if l == 6 << 28 { 0 } else { l }).collect();
        assert_eq!(labels, expected);
    }
}
