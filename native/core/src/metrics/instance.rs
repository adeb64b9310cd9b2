//! Instance segmentation scores: object matching (average precision, precision, recall, F1)
//! and the region-agreement scores of connectomics (adapted Rand error, variation of
//! information), all from one sparse contingency table of the two label images.

use serde::{Deserialize, Serialize};

use super::overlap::{IdMap, Overlap};

/// IoU thresholds 0.50, 0.55, …, 0.95 as twentieths (k / 20), so that "IoU > threshold" is
/// decided exactly on integers: intersection / union > k / 20 ⟺ 20 · intersection > k · union.
/// Index 0 is the 0.5 threshold.
const TWENTIETHS: [u64; 10] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

/// Instance segmentation scores of a label image against its ground truth.
///
/// Label ids are u32 values with 0 meaning background (prediction) or unlabelled
/// (truth); every other id is one object. Ids need not be consecutive and need not agree
/// between truth and prediction.
///
/// **Object matching** (`ap50`, `map`, `precision`, `recall`, `f1` and the counts): a
/// predicted and a true object match when their intersection over union is *strictly* greater
/// than the threshold (IoU > 0.5 for everything but `map`). Background is not an object in
/// either image, but object sizes include all their voxels (a predicted object's voxels over
/// unlabelled truth enlarge its union). Because every threshold is ≥ 0.5, matches are
/// one-to-one without any assignment step: IoU(p, t) > 0.5 means |p ∩ t| > |p ∪ t| / 2
/// ≥ |t| / 2, so more than half of `t` lies in `p`, and two predicted objects (disjoint, being
/// different labels of one image) cannot both hold more than half of `t`; likewise for `p`.
/// The pairs above the threshold therefore form a matching, which is also the maximum one, so
/// the counts equal those of StarDist's or Cellpose's optimal matching at these thresholds.
/// Strict `>` (StarDist and Cellpose use `>=`) keeps this true at exactly 0.5, where with `>=`
/// two halves of one object would both "match" it.
/// TP = matched pairs, FP = unmatched predicted objects, FN = unmatched true objects, and
/// - `ap50` = TP / (TP + FP + FN) at 0.5 (the "average precision" of StarDist / Cellpose),
/// - `map` = mean of TP / (TP + FP + FN) over the thresholds 0.50, 0.55, …, 0.95,
/// - `precision` = TP / (TP + FP), `recall` = TP / (TP + FN), `f1` = 2 TP / (2 TP + FP + FN).
///
/// With no object in either image every ratio is 1.0 (nothing to find, nothing wrong);
/// otherwise a ratio whose denominator is 0 is 0.0 (no prediction: precision 0; no true
/// object: recall 0). No score is ever NaN.
///
/// **Per slice** (`per_slice` in [`instance_scores`], for 2D models): objects are matched
/// within each z slice, an id present in several slices counting as one object per slice, and
/// TP, FP and FN are summed over the slices before the ratios are taken. The adapted Rand
/// error and the VOI are always computed over the whole volume.
///
/// **Adapted Rand error and VOI** are computed on the voxels whose truth id is ≠ 0 (unlabelled
/// truth is ignored, as in CREMI and SNEMI3D), over the contingency table n_ij (voxels with
/// truth id i and prediction id j), n = Σ n_ij, a_i = Σ_j n_ij, b_j = Σ_i n_ij:
/// - `arand` = 1 − F with F the harmonic mean of the Rand precision P = Σ n_ij² / Σ b_j² and
///   recall R = Σ n_ij² / Σ a_i², i.e. F = 2 Σ n_ij² / (Σ a_i² + Σ b_j²). Predicted background
///   (id 0) inside labelled truth counts as singletons, one segment per voxel, as in the
///   SNEMI3D script and CREMI's `adapted_rand` (which adds each such voxel to Σ b_j² and
///   Σ n_ij²; CREMI's Python port, working on raw counts, adds them scaled by 1 / n, a scaling
///   slip of the port that is not reproduced). Leaving voxels unassigned is thus penalised as
///   maximal over-segmentation. 0 is perfect, 1 the worst.
/// - `voi_split` = H(pred | truth) and `voi_merge` = H(truth | pred), in bits, with predicted
///   background as one ordinary segment, as in CREMI's `voi` (which ignores truth 0 only).
///   Consequence: a prediction that misses a lone true object entirely has zero VOI (its
///   background is that object's one segment); the matching scores and `arand` catch it.
///
/// With no labelled truth voxel, `arand`, `voi_split` and `voi_merge` are 0.0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceScores {
    /// TP / (TP + FP + FN) at IoU > 0.5.
    pub ap50: f64,
    /// Mean of TP / (TP + FP + FN) over IoU > 0.50, 0.55, …, 0.95.
    pub map: f64,
    /// TP / (TP + FP) at IoU > 0.5.
    pub precision: f64,
    /// TP / (TP + FN) at IoU > 0.5.
    pub recall: f64,
    /// 2 TP / (2 TP + FP + FN) at IoU > 0.5.
    pub f1: f64,
    /// Matched pairs at IoU > 0.5.
    pub true_positives: u64,
    /// Predicted objects without a match at IoU > 0.5.
    pub false_positives: u64,
    /// True objects without a match at IoU > 0.5.
    pub false_negatives: u64,
    /// Adapted Rand error (0 = perfect), over labelled truth voxels.
    pub arand: f64,
    /// Over-segmentation H(pred | truth) in bits, over labelled truth voxels.
    pub voi_split: f64,
    /// Under-segmentation H(truth | pred) in bits, over labelled truth voxels.
    pub voi_merge: f64,
}

/// Scores `prediction` against `truth`, two label volumes of `shape` = [z, y, x] (x fastest),
/// matching objects in 3D or, with `per_slice`, within each z slice (see [`InstanceScores`]
/// for every definition and convention).
///
/// One pass over the voxels builds a hash map of overlapping (truth id, prediction id) pairs
/// (no id × id matrix), from which all scores follow; memory grows with the number of
/// overlapping pairs, not with the ids' values or the volume.
///
/// # Panics
/// If `truth` or `prediction` does not hold `z · y · x` voxels.
pub fn instance_scores(truth: &[u32], prediction: &[u32], shape: [usize; 3], per_slice: bool) -> InstanceScores {
    let voxels: usize = shape.iter().product();
    assert_eq!(truth.len(), voxels, "truth holds {} voxels, shape {shape:?} {voxels}", truth.len());
    assert_eq!(prediction.len(), voxels, "prediction holds {} voxels, shape {shape:?} {voxels}", prediction.len());
    let (table, counts) = if per_slice && voxels > 0 {
        let plane = shape[1] * shape[2];
        let (mut table, mut counts) = (Overlap::new(), Matches::default());
        for (t, p) in truth.chunks_exact(plane).zip(prediction.chunks_exact(plane)) {
            let slice = Overlap::of(t, p);
            counts.add(&Matches::of(&slice));
            table.merge(&slice);
        }
        (table, counts)
    } else {
        let table = Overlap::of(truth, prediction);
        let counts = Matches::of(&table);
        (table, counts)
    };
    let (arand, voi_split, voi_merge) = region_scores(&table);
    counts.scores(arand, voi_split, voi_merge)
}

/// Object counts: matched pairs per threshold, predicted and true objects.
#[derive(Clone, Copy, Debug, Default)]
struct Matches {
    /// Pairs with IoU > TWENTIETHS[k] / 20.
    matched: [u64; 10],
    predicted: u64,
    truth: u64,
}

impl Matches {
    /// Counts of one table (one volume, or one slice).
    fn of(table: &Overlap) -> Self {
        let (truth_sizes, predicted_sizes) = (table.truth_sizes(), table.prediction_sizes());
        let mut matched = [0u64; 10];
        for (t, p, both) in table.pairs().filter(|&(t, p, _)| t != 0 && p != 0) {
            let union = truth_sizes[&t] + predicted_sizes[&p] - both;
            // Thresholds increase, so the pair passes a prefix of them.
            for (k, &twentieths) in TWENTIETHS.iter().enumerate() {
                if 20 * both as u128 > twentieths as u128 * union as u128 {
                    matched[k] += 1;
                } else {
                    break;
                }
            }
        }
        Matches { matched, predicted: predicted_sizes.len() as u64, truth: truth_sizes.len() as u64 }
    }

    fn add(&mut self, other: &Matches) {
        for (a, b) in self.matched.iter_mut().zip(other.matched) {
            *a += b;
        }
        self.predicted += other.predicted;
        self.truth += other.truth;
    }

    fn scores(&self, arand: f64, voi_split: f64, voi_merge: f64) -> InstanceScores {
        // 1.0 for a zero denominator when there is no object at all, else 0.0 (see
        // InstanceScores).
        let nothing = self.predicted == 0 && self.truth == 0;
        let ratio = |num: u64, den: u64| match den {
            0 if nothing => 1.0,
            0 => 0.0,
            _ => num as f64 / den as f64,
        };
        // TP + FP + FN = predicted + truth − TP.
        let ap = |tp: u64| ratio(tp, self.predicted + self.truth - tp);
        let tp = self.matched[0];
        InstanceScores {
            ap50: ap(tp),
            map: self.matched.iter().map(|&m| ap(m)).sum::<f64>() / self.matched.len() as f64,
            precision: ratio(tp, self.predicted),
            recall: ratio(tp, self.truth),
            f1: ratio(2 * tp, self.predicted + self.truth),
            true_positives: tp,
            false_positives: self.predicted - tp,
            false_negatives: self.truth - tp,
            arand,
            voi_split,
            voi_merge,
        }
    }
}

/// (adapted Rand error, H(pred | truth), H(truth | pred)) over the labelled truth voxels of the
/// table, with the conventions of [`InstanceScores`].
fn region_scores(table: &Overlap) -> (f64, f64, f64) {
    // Sizes within labelled truth: a_i per truth id, b_j per prediction id (0 included, for
    // the VOI).
    let (mut a, mut b): (IdMap<u32, u64>, IdMap<u32, u64>) = Default::default();
    let mut n = 0u64;
    for (t, p, v) in table.pairs().filter(|&(t, _, _)| t != 0) {
        *a.entry(t).or_insert(0) += v;
        *b.entry(p).or_insert(0) += v;
        n += v;
    }
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let square = |v: u64| v as u128 * v as u128;
    // Rand: predicted background voxels are singletons, each adding 1² to Σ b_j² and Σ n_ij².
    let singletons = b.get(&0).copied().unwrap_or(0) as u128;
    let sum_a2: u128 = a.values().map(|&v| square(v)).sum();
    let sum_b2: u128 = b.iter().filter(|&(&p, _)| p != 0).map(|(_, &v)| square(v)).sum::<u128>() + singletons;
    // VOI: H(P | T) = Σ_ij (n_ij / n) log2(a_i / n_ij) and H(T | P) = Σ_ij (n_ij / n)
    // log2(b_j / n_ij): a sum of non-negative terms, each exactly 0 where a segment lies in one
    // segment of the other image (no cancellation of large entropies, so exact zeros).
    let (mut sum_ab2, mut split, mut merge) = (singletons, 0.0f64, 0.0f64);
    for (t, p, v) in table.pairs().filter(|&(t, _, _)| t != 0) {
        if p != 0 {
            sum_ab2 += square(v);
        }
        let v_f = v as f64;
        split += v_f * (a[&t] as f64 / v_f).log2();
        merge += v_f * (b[&p] as f64 / v_f).log2();
    }
    // F = 2 P R / (P + R) = 2 Σ n_ij² / (Σ a_i² + Σ b_j²); Σ n_ij² ≥ 1 here, so no 0 / 0.
    let f = 2.0 * sum_ab2 as f64 / (sum_a2 + sum_b2) as f64;
    ((1.0 - f).max(0.0), split / n as f64, merge / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < EPS
    }

    fn floats(s: &InstanceScores) -> [f64; 8] {
        [s.ap50, s.map, s.precision, s.recall, s.f1, s.arand, s.voi_split, s.voi_merge]
    }

    /// Every float finite (no NaN or infinity) and in range, and a JSON round trip (floats to
    /// within serde_json's default parsing, which is not always the last bit).
    fn check_finite(s: &InstanceScores) {
        let values = floats(s);
        assert!(values.iter().all(|v| v.is_finite() && *v >= 0.0), "{s:?}");
        assert!(values[..6].iter().all(|&v| v <= 1.0), "{s:?}");
        let back: InstanceScores = serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap();
        assert_eq!(
            (back.true_positives, back.false_positives, back.false_negatives),
            (s.true_positives, s.false_positives, s.false_negatives)
        );
        assert!(floats(&back).iter().zip(values).all(|(a, b)| (a - b).abs() <= 1e-15 * b.max(1.0)), "{s:?}");
    }

    fn scores(truth: &[u32], prediction: &[u32], shape: [usize; 3], per_slice: bool) -> InstanceScores {
        let s = instance_scores(truth, prediction, shape, per_slice);
        check_finite(&s);
        s
    }

    /// (ap50, map, precision, recall, f1, tp, fp, fn)
    fn matching(s: &InstanceScores) -> (f64, f64, f64, f64, f64, u64, u64, u64) {
        (s.ap50, s.map, s.precision, s.recall, s.f1, s.true_positives, s.false_positives, s.false_negatives)
    }

    #[test]
    fn identical_segmentations_with_permuted_ids_are_perfect() {
        // truth       prediction
        // 1 1 2 2     7 7 5 5
        // 1 1 2 2     7 7 5 5
        // 3 3 0 0     9 9 0 0
        // 3 3 0 0     9 9 0 0
        // Each pair has IoU 4/4 = 1 > every threshold: TP 3, FP 0, FN 0.
        // Rand: Σ n² = Σ a² = Σ b² = 3·16 = 48 -> F = 96/96 = 1, arand 0.
        // VOI: every n_ij = a_i = b_j -> all log2(1) = 0.
        let truth = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 0, 0, 3, 3, 0, 0];
        let prediction = [7, 7, 5, 5, 7, 7, 5, 5, 9, 9, 0, 0, 9, 9, 0, 0];
        for per_slice in [false, true] {
            let s = scores(&truth, &prediction, [1, 4, 4], per_slice);
            assert_eq!(matching(&s), (1.0, 1.0, 1.0, 1.0, 1.0, 3, 0, 0));
            assert_eq!((s.arand, s.voi_split, s.voi_merge), (0.0, 0.0, 0.0));
        }
    }

    #[test]
    fn a_split_object() {
        // truth [1 1 1 1], prediction [1 1 2 2].
        // VOI: n = 4, n_11 = n_12 = 2, a_1 = 4, b_1 = b_2 = 2.
        //   H(P|T) = 2 · (2/4) log2(4/2) = 1 bit; H(T|P) = 2 · (2/4) log2(2/2) = 0.
        // Rand (p_ij = n_ij / n): Σ p² = 2 · (1/2)² = 1/2, Σ a² = 1, Σ b² = 2 · (1/2)² = 1/2
        //   -> P = 1, R = 1/2, F = 2 · 1/2 / (3/2) = 2/3, arand = 1/3.
        // Matching: each half has IoU 2/4 = 0.5 exactly, not > 0.5: TP 0, FP 2, FN 1 -> all 0.
        // (With >= both halves would "match" the one object: the reason for strict >.)
        let s = scores(&[1, 1, 1, 1], &[1, 1, 2, 2], [1, 1, 4], false);
        assert!(close(s.voi_split, 1.0) && s.voi_merge == 0.0);
        assert!(close(s.arand, 1.0 / 3.0));
        assert_eq!(matching(&s), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 2, 1));
    }

    #[test]
    fn iou_of_exactly_one_half_is_not_a_match() {
        // truth [1 1 0 0], prediction [1 1 1 1]: IoU = 2 / 4 = 0.5 -> TP 0, FP 1, FN 1.
        // truth [1 1 1 0], prediction [1 1 1 1]: IoU = 3 / 4 > 0.5 -> TP 1 (up to 0.70:
        //   0.75 > t for t = 0.50..0.70, 5 thresholds -> map = 5/10).
        let s = scores(&[1, 1, 0, 0], &[1, 1, 1, 1], [1, 1, 4], false);
        assert_eq!(matching(&s), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 1, 1));
        let s = scores(&[1, 1, 1, 0], &[1, 1, 1, 1], [1, 1, 4], false);
        assert_eq!(matching(&s), (1.0, 0.5, 1.0, 1.0, 1.0, 1, 0, 0));
        // The labelled truth is one segment predicted as one: no Rand or VOI error, although
        // the predicted object spills into unlabelled truth.
        assert_eq!((s.arand, s.voi_split, s.voi_merge), (0.0, 0.0, 0.0));
    }

    #[test]
    fn two_merged_objects() {
        // truth [1 1 2 2], prediction [5 5 5 5].
        // VOI: n_15 = n_25 = 2, a = 2, 2, b_5 = 4.
        //   H(P|T) = 2 · (2/4) log2(2/2) = 0; H(T|P) = 2 · (2/4) log2(4/2) = 1 bit.
        // Rand in counts: Σ n² = 8, Σ a² = 8, Σ b² = 16 -> F = 16 / 24 = 2/3, arand = 1/3.
        // Matching: IoU 2/4 with either true object, not > 0.5: TP 0, FP 1, FN 2.
        let s = scores(&[1, 1, 2, 2], &[5, 5, 5, 5], [1, 1, 4], false);
        assert!(s.voi_split == 0.0 && close(s.voi_merge, 1.0));
        assert!(close(s.arand, 1.0 / 3.0));
        assert_eq!(matching(&s), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 1, 2));
    }

    #[test]
    fn two_matches_a_false_positive_and_a_miss() {
        // x:     0-4        5-9        10-14      15-19
        // truth  1 1 1 1 1  2 2 2 2 2  3 3 3 3 3  0 0 0 0 0
        // pred   1 1 1 1 0  2 2 2 2 0  0 0 0 0 0  4 4 4 4 4
        // Objects 1 and 2: IoU 4/5 = 0.8 -> matches at 0.50..0.75 (6 thresholds; 0.8 > 0.8
        // fails). Truth 3 is missed, prediction 4 lies on unlabelled truth.
        // At 0.50..0.75: TP 2, FP 1, FN 1 -> 2/4 = 0.5; at 0.80..0.95: TP 0, FP 3, FN 3 -> 0.
        // ap50 = 0.5, map = 6 · 0.5 / 10 = 0.3, precision = recall = f1 = 2/3.
        let truth = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0];
        let prediction = [1, 1, 1, 1, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4];
        let s = scores(&truth, &prediction, [1, 1, 20], false);
        let (ap50, map, precision, recall, f1, tp, fp, fn_) = matching(&s);
        assert_eq!((tp, fp, fn_), (2, 1, 1));
        assert!(close(ap50, 0.5) && close(map, 0.3));
        assert!(close(precision, 2.0 / 3.0) && close(recall, 2.0 / 3.0) && close(f1, 2.0 / 3.0));
        // Rand over the 15 labelled voxels: n_11 = n_22 = 4, predicted background n_10 = n_20
        // = 1, n_30 = 5 -> 7 singletons. Σ a² = 3 · 25 = 75, Σ b² = 16 + 16 + 7 = 39,
        // Σ n² = 16 + 16 + 7 = 39 -> F = 78 / 114 = 13/19, arand = 6/19.
        assert!(close(s.arand, 6.0 / 19.0));
        // VOI (prediction 0 one segment, b_0 = 7): n = 15,
        // H(P|T) = [4 log2(5/4) + 1 log2(5/1)] · 2 / 15 (truth 3 is one segment: 0),
        // H(T|P) = [1 log2(7/1) + 1 log2(7/1) + 5 log2(7/5)] / 15 (segments 1, 2: 0).
        let split = 2.0 * (4.0 * 1.25f64.log2() + 5f64.log2()) / 15.0;
        let merge = (2.0 * 7f64.log2() + 5.0 * 1.4f64.log2()) / 15.0;
        assert!(close(s.voi_split, split) && close(s.voi_merge, merge));
    }

    #[test]
    fn per_slice_counts_an_object_once_per_slice() {
        // shape [2, 1, 4]; a true object through both slices, predicted with a new id in each
        // (as a 2D model does):
        //   z = 0: truth 1 1 1 1, prediction 2 2 2 2
        //   z = 1: truth 1 1 1 1, prediction 3 3 3 3
        // 3D: truth 1 has 8 voxels, predictions 2 and 3 have IoU 4/8 = 0.5 each, not > 0.5:
        //   TP 0, FP 2, FN 1 -> all ratios 0.
        // Per slice: each slice has one true and one predicted object with IoU 1:
        //   TP 1 + 1 = 2, FP 0, FN 0 -> all ratios 1.
        // Rand and VOI are volume-wide in both modes: a split in two halves -> H(P|T) = 1 bit,
        // H(T|P) = 0, arand = 1/3 (as in a_split_object).
        let truth = [1; 8];
        let prediction = [2, 2, 2, 2, 3, 3, 3, 3];
        let volume = scores(&truth, &prediction, [2, 1, 4], false);
        assert_eq!(matching(&volume), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 2, 1));
        let slices = scores(&truth, &prediction, [2, 1, 4], true);
        assert_eq!(matching(&slices), (1.0, 1.0, 1.0, 1.0, 1.0, 2, 0, 0));
        for s in [&volume, &slices] {
            assert!(close(s.voi_split, 1.0) && s.voi_merge == 0.0 && close(s.arand, 1.0 / 3.0));
        }

        // The same id in both slices but only covering slice 0:
        //   z = 0: truth 1 1 1 1, prediction 1 1 1 1
        //   z = 1: truth 1 1 1 1, prediction 0 0 0 0
        // 3D: IoU 4/8 -> TP 0, FP 1, FN 1. Per slice: slice 0 TP 1; slice 1 FN 1 (truth 1
        // counts again there) -> TP 1, FP 0, FN 1: ap50 1/2, precision 1, recall 1/2, f1 2/3.
        let prediction = [1, 1, 1, 1, 0, 0, 0, 0];
        let volume = scores(&truth, &prediction, [2, 1, 4], false);
        assert_eq!(matching(&volume), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 1, 1));
        let slices = scores(&truth, &prediction, [2, 1, 4], true);
        let (ap50, map, precision, recall, f1, tp, fp, fn_) = matching(&slices);
        assert_eq!((tp, fp, fn_, precision), (1, 0, 1, 1.0));
        assert!(close(ap50, 0.5) && close(map, 0.5) && close(recall, 0.5) && close(f1, 2.0 / 3.0));
        assert_eq!(volume.arand, slices.arand);
        assert_eq!((volume.voi_split, volume.voi_merge), (slices.voi_split, slices.voi_merge));
    }

    #[test]
    fn empty_images() {
        let zeros = [0u32; 4];
        for per_slice in [false, true] {
            // Nothing in either: nothing to find, nothing wrong.
            let s = scores(&zeros, &zeros, [1, 2, 2], per_slice);
            assert_eq!(matching(&s), (1.0, 1.0, 1.0, 1.0, 1.0, 0, 0, 0));
            assert_eq!((s.arand, s.voi_split, s.voi_merge), (0.0, 0.0, 0.0));

            // A true object, no prediction: TP 0, FP 0, FN 1; precision 0 (not 0/0).
            // Rand over the 2 labelled voxels: both predicted background -> 2 singletons;
            // Σ a² = 4, Σ b² = 2, Σ n² = 2 -> F = 4/6, arand = 1/3.
            // VOI: predicted background is one segment equal to the object -> 0 and 0.
            let s = scores(&[1, 1, 0, 0], &zeros, [1, 2, 2], per_slice);
            assert_eq!(matching(&s), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 1));
            assert!(close(s.arand, 1.0 / 3.0));
            assert_eq!((s.voi_split, s.voi_merge), (0.0, 0.0));

            // A predicted object, nothing labelled: TP 0, FP 1, FN 0; recall 0 (not 0/0).
            // No labelled voxel: arand = VOI = 0.
            let s = scores(&zeros, &[1, 1, 0, 0], [1, 2, 2], per_slice);
            assert_eq!(matching(&s), (0.0, 0.0, 0.0, 0.0, 0.0, 0, 1, 0));
            assert_eq!((s.arand, s.voi_split, s.voi_merge), (0.0, 0.0, 0.0));
        }
        // No voxels at all.
        let s = scores(&[], &[], [0, 3, 3], true);
        assert_eq!(matching(&s), (1.0, 1.0, 1.0, 1.0, 1.0, 0, 0, 0));
    }

    #[test]
    #[should_panic(expected = "shape")]
    fn a_wrong_shape_panics() {
        instance_scores(&[0; 8], &[0; 8], [1, 3, 3], false);
    }

    #[test]
    fn a_million_pixels_with_a_thousand_objects_in_well_under_a_second() {
        // 1024 × 1024 tiled with 32 × 32 squares (1024 objects); the prediction is the same
        // tiling moved by 3 pixels in x and y, with other ids. Inner squares overlap their
        // truth by 29 × 29: IoU = 841 / (2 · 1024 − 841) = 0.697 (matches at 0.50..0.65);
        // the squares cut at the image border overlap more, so every object matches at 0.5.
        let n = 1024usize;
        let tile = |y: usize, x: usize| (y / 32 * 32 + x / 32 + 1) as u32;
        let truth: Vec<u32> = (0..n * n).map(|i| tile(i / n, i % n)).collect();
        let prediction: Vec<u32> = (0..n * n)
            .map(|i| {
                let (y, x) = (i / n + 3, i % n + 3);
                if y < n && x < n { tile(y, x) + 5000 } else { 0 }
            })
            .collect();
        let start = std::time::Instant::now();
        let s = instance_scores(&truth, &prediction, [1, n, n], false);
        let elapsed = start.elapsed();
        check_finite(&s);
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (1024, 0, 0));
        assert!(s.arand > 0.0 && s.voi_split > 0.0 && s.voi_merge > 0.0);
        let limit = if cfg!(debug_assertions) { 5.0 } else { 0.5 };
        assert!(elapsed.as_secs_f64() < limit, "{elapsed:?}");
    }
}
