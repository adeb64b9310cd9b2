//! The sparse contingency table of two label images, which every instance score is derived
//! from.
//!
//! Instance ids are arbitrary u32 values (0 = background / unlabelled), so a dense
//! id × id matrix is out of the question for a stack with hundreds of thousands of objects.
//! Only the (truth id, prediction id) pairs that actually overlap are stored, in a hash map
//! built in one pass over the voxels; an object overlaps few others, so the table holds a few
//! entries per object whatever the stack size.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for the integer keys used here (u64 pair keys, u32 ids).
///
/// The standard SipHash is built to resist hash flooding, which is irrelevant for label ids,
/// and costs several times more per lookup. This applies the splitmix64 finaliser, which mixes
/// every input bit into the low bits (the bucket index) and the high bits (the control bytes).
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0 ^ b as u64);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.0 = mix(self.0 ^ x as u64);
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = mix(self.0 ^ x);
    }
}

/// A hash map keyed by ids or id pairs, with [`IdHasher`].
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

fn key(truth: u32, prediction: u32) -> u64 {
    (truth as u64) << 32 | prediction as u64
}

/// Voxel counts of every overlapping (truth id, prediction id) pair, id 0 included on either
/// side (so object sizes, which include voxels over the other image's background, follow from
/// the table); the (0, 0) pair, background in both, is not stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlap {
    pairs: IdMap<u64, u64>,
}

impl Overlap {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table of `truth` against `prediction`, voxel by voxel.
    pub fn of(truth: &[u32], prediction: &[u32]) -> Self {
        let mut table = Self::new();
        table.add(truth, prediction);
        table
    }

    /// Counts every voxel of `truth` against the same voxel of `prediction`.
    ///
    /// Runs of voxels with the same pair (the rule inside objects and background, which are
    /// contiguous along x) are counted first and added to the map once per run, so the hash
    /// map is touched about once per object boundary rather than once per voxel.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn add(&mut self, truth: &[u32], prediction: &[u32]) {
        assert_eq!(truth.len(), prediction.len(), "truth and prediction differ in length");
        let (mut current, mut run) = (0u64, 0u64);
        for (&t, &p) in truth.iter().zip(prediction) {
            let k = key(t, p);
            if k == current {
                run += 1;
            } else {
                self.count(current, run);
                current = k;
                run = 1;
            }
        }
        self.count(current, run);
    }

    fn count(&mut self, pair: u64, voxels: u64) {
        if pair != 0 && voxels != 0 {
            *self.pairs.entry(pair).or_insert(0) += voxels;
        }
    }

    /// Adds the counts of `other` (e.g. the table of another slice or window).
    pub fn merge(&mut self, other: &Overlap) {
        for (&pair, &voxels) in &other.pairs {
            self.count(pair, voxels);
        }
    }

    /// The stored pairs as (truth id, prediction id, voxels), in no particular order; every
    /// count is positive and (0, 0) is absent.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32, u64)> + '_ {
        self.pairs.iter().map(|(&k, &n)| ((k >> 32) as u32, k as u32, n))
    }

    /// Voxels of each true object (id ≠ 0), over any prediction.
    pub fn truth_sizes(&self) -> IdMap<u32, u64> {
        let mut sizes = IdMap::default();
        for (t, _, n) in self.pairs().filter(|&(t, _, _)| t != 0) {
            *sizes.entry(t).or_insert(0) += n;
        }
        sizes
    }

    /// Voxels of each predicted object (id ≠ 0), over any truth.
    pub fn prediction_sizes(&self) -> IdMap<u32, u64> {
        let mut sizes = IdMap::default();
        for (_, p, n) in self.pairs().filter(|&(_, p, _)| p != 0) {
            *sizes.entry(p).or_insert(0) += n;
        }
        sizes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sorted(o: &Overlap) -> BTreeMap<(u32, u32), u64> {
        o.pairs().map(|(t, p, n)| ((t, p), n)).collect()
    }

    /// Labels with runs, repeats and large ids, from a small LCG.
    fn labels(seed: u64, len: usize) -> Vec<u32> {
        let mut s = seed;
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let id = match (s >> 33) % 5 {
                0 => 0,
                1 => u32::MAX,
                v => v as u32 * 1000,
            };
            let run = 1 + (s >> 40) as usize % 4;
            out.extend(std::iter::repeat_n(id, run.min(len - out.len())));
        }
        out
    }

    #[test]
    fn run_counting_equals_voxel_by_voxel_counting() {
        let (t, p) = (labels(1, 5000), labels(2, 5000));
        let mut naive = BTreeMap::new();
        for (&a, &b) in t.iter().zip(&p) {
            if (a, b) != (0, 0) {
                *naive.entry((a, b)).or_insert(0u64) += 1;
            }
        }
        let o = Overlap::of(&t, &p);
        assert_eq!(sorted(&o), naive);
        let true_voxels = t.iter().filter(|&&v| v != 0).count() as u64;
        assert_eq!(o.truth_sizes().values().sum::<u64>(), true_voxels);
        assert_eq!(o.truth_sizes()[&u32::MAX], t.iter().filter(|&&v| v == u32::MAX).count() as u64);
        assert_eq!(o.prediction_sizes()[&2000], p.iter().filter(|&&v| v == 2000).count() as u64);
    }

    #[test]
    fn merging_equals_adding_both() {
        let (t, p) = (labels(3, 1000), labels(4, 1000));
        let whole = Overlap::of(&t, &p);
        // Split in the middle of a run: the run is counted in two parts that add up.
        let mut halves = Overlap::of(&t[..517], &p[..517]);
        halves.merge(&Overlap::of(&t[517..], &p[517..]));
        assert_eq!(sorted(&halves), sorted(&whole));
        assert!(Overlap::of(&[0, 0], &[0, 0]).pairs().next().is_none());
    }
}
