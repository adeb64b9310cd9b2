//! The confusion matrix every semantic score is derived from.

use serde::Serialize;

/// Voxel counts by (true class, predicted class) for `classes` classes, row-major:
/// `counts[truth * classes + prediction]`.
///
/// Counts, not running scores, are what is accumulated: IoU and Dice are not averages over
/// windows (a window without a class would otherwise count as a perfect or a failed one), and
/// counts add exactly across windows, stacks and threads. u64, as a stack can exceed 2³² voxels
/// summed over epochs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confusion {
    classes: usize,
    counts: Vec<u64>,
}

impl Confusion {
    /// All-zero counts for `classes` classes (class indices `0..classes`).
    ///
    /// # Panics
    /// If `classes` is 0 or above 256 (class indices are u8).
    pub fn new(classes: usize) -> Self {
        assert!((1..=256).contains(&classes), "{classes} classes: expected 1..=256");
        Confusion { classes, counts: vec![0; classes * classes] }
    }

    /// A matrix from stored counts, `counts[truth * classes + prediction]`.
    ///
    /// # Panics
    /// If `classes` is not in 1..=256 or `counts` does not hold `classes²` values.
    pub fn from_counts(classes: usize, counts: Vec<u64>) -> Self {
        assert!((1..=256).contains(&classes), "{classes} classes: expected 1..=256");
        assert_eq!(counts.len(), classes * classes, "counts for {classes} classes");
        Confusion { classes, counts }
    }

    /// Counts every voxel of `truth` against the same voxel of `prediction` (class indices).
    ///
    /// # Panics
    /// If the slices differ in length or hold a class index `>= classes`: both mean the caller
    /// paired the wrong arrays, which no score should paper over.
    pub fn add(&mut self, truth: &[u8], prediction: &[u8]) {
        assert_eq!(truth.len(), prediction.len(), "truth and prediction differ in length");
        let c = self.classes;
        if c == 2 {
            // The binary case (by far the most common) without the index arithmetic: a
            // branch-free count of the three cells with the fourth by subtraction.
            let (mut true_fg, mut pred_fg, mut both) = (0u64, 0u64, 0u64);
            let mut max = 0u8;
            for (&t, &p) in truth.iter().zip(prediction) {
                max |= t | p;
                true_fg += t as u64;
                pred_fg += p as u64;
                both += (t & p) as u64;
            }
            assert!(max <= 1, "class index above 1 for 2 classes");
            let n = truth.len() as u64;
            self.counts[0] += (n - true_fg) + both - pred_fg; // never negative on the way
            self.counts[1] += pred_fg - both;
            self.counts[2] += true_fg - both;
            self.counts[3] += both;
            return;
        }
        for (&t, &p) in truth.iter().zip(prediction) {
            let (t, p) = (t as usize, p as usize);
            assert!(t < c && p < c, "class index {} for {c} classes", t.max(p));
            self.counts[t * c + p] += 1;
        }
    }

    /// Adds another matrix's counts (e.g. from another stack or thread): merging equals adding
    /// both sets of voxels to one matrix.
    ///
    /// # Panics
    /// If the class counts differ.
    pub fn merge(&mut self, other: &Confusion) {
        assert_eq!(self.classes, other.classes, "merging confusion matrices of different classes");
        for (a, &b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Voxels of true class `truth` predicted as `prediction`.
    pub fn count(&self, truth: usize, prediction: usize) -> u64 {
        assert!(truth < self.classes && prediction < self.classes, "class out of range");
        self.counts[truth * self.classes + prediction]
    }

    /// All counts, `[truth * classes + prediction]`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Voxels counted so far.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::Confusion;

    #[test]
    fn counts_truth_by_prediction() {
        let mut m = Confusion::new(3);
        m.add(&[0, 1, 2, 2, 1], &[0, 2, 2, 1, 1]);
        assert_eq!(m.counts(), &[1, 0, 0, /**/ 0, 1, 1, /**/ 0, 1, 1]);
        assert_eq!(m.count(1, 2), 1);
        assert_eq!(m.total(), 5);
    }

    #[test]
    fn binary_fast_path_matches_the_general_count() {
        let truth = [0, 0, 1, 1, 1, 0, 1];
        let prediction = [0, 1, 1, 0, 1, 0, 1];
        let mut m = Confusion::new(2);
        m.add(&truth, &prediction);
        // TN: voxels 0, 5; FP: 1; FN: 3; TP: 2, 4, 6.
        assert_eq!(m.counts(), &[2, 1, 1, 3]);
    }

    #[test]
    #[should_panic(expected = "class index")]
    fn rejects_out_of_range_classes() {
        Confusion::new(3).add(&[0, 3], &[0, 0]);
    }

    #[test]
    #[should_panic(expected = "class index above 1")]
    fn rejects_out_of_range_binary_classes() {
        Confusion::new(2).add(&[0, 1], &[0, 2]);
    }

    #[test]
    #[should_panic(expected = "length")]
    fn rejects_mismatched_lengths() {
        Confusion::new(2).add(&[0, 1], &[0]);
    }
}
