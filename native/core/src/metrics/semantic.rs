//! Per-class overlap scores from a confusion matrix.

use serde::Serialize;

use super::Confusion;

/// Semantic segmentation scores, per class index and overall.
///
/// Per class `c`, with TP = voxels of class `c` predicted `c`, FP = other classes predicted
/// `c`, FN = class `c` predicted otherwise:
/// - `iou[c]` = TP / (TP + FP + FN) (Jaccard),
/// - `dice[c]` = 2 TP / (2 TP + FP + FN) (F1),
///
/// both `None` when TP + FP + FN = 0: a class absent from both truth and prediction has no
/// defined overlap, and counting it as 1 (or 0) would inflate (or deflate) the mean by how
/// many classes a stack happens to lack. `None` serialises as JSON `null`.
///
/// All values are finite so the scores always serialise (JSON has no NaN): with no voxels at
/// all, `pixel_accuracy` is 0.0, and with no class defined, `mean_iou` is 0.0 — check
/// [`Confusion::total`] to tell "nothing measured" from "all wrong".
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SemanticScores {
    /// Intersection over union per class index; `None` for a class in neither.
    pub iou: Vec<Option<f64>>,
    /// Dice coefficient per class index; `None` for a class in neither.
    pub dice: Vec<Option<f64>>,
    /// Correctly classified voxels / all voxels (0.0 for none).
    pub pixel_accuracy: f64,
    /// Mean of the defined `iou` values (0.0 when none is defined).
    pub mean_iou: f64,
}

impl Confusion {
    /// IoU, Dice, pixel accuracy and mean IoU from the counts (see [`SemanticScores`]).
    pub fn scores(&self) -> SemanticScores {
        let c = self.classes();
        let counts = self.counts();
        let mut predicted = vec![0u64; c]; // column sums
        let mut truth = vec![0u64; c]; // row sums
        for t in 0..c {
            for p in 0..c {
                let n = counts[t * c + p];
                truth[t] += n;
                predicted[p] += n;
            }
        }
        let (mut iou, mut dice) = (Vec::with_capacity(c), Vec::with_capacity(c));
        let mut trace = 0u64;
        for k in 0..c {
            let tp = counts[k * c + k];
            trace += tp;
            let (fp, fn_) = (predicted[k] - tp, truth[k] - tp);
            let wrong = (fp + fn_) as f64;
            let tp = tp as f64;
            if tp + wrong == 0.0 {
                iou.push(None);
                dice.push(None);
            } else {
                iou.push(Some(tp / (tp + wrong)));
                dice.push(Some(2.0 * tp / (2.0 * tp + wrong)));
            }
        }
        let total = self.total();
        let pixel_accuracy = if total == 0 { 0.0 } else { trace as f64 / total as f64 };
        let defined: Vec<f64> = iou.iter().flatten().copied().collect();
        let mean_iou = if defined.is_empty() { 0.0 } else { defined.iter().sum::<f64>() / defined.len() as f64 };
        SemanticScores { iou, dice, pixel_accuracy, mean_iou }
    }
}

/// Scores of a binary foreground model: class 0 background, class 1 foreground, any non-zero
/// value of `truth` or `prediction` counting as foreground (so 0/1 targets and 0/255 masks
/// both work).
///
/// # Panics
/// If the slices differ in length.
pub fn binary_scores(truth: &[u8], prediction: &[u8]) -> SemanticScores {
    assert_eq!(truth.len(), prediction.len(), "truth and prediction differ in length");
    let (mut true_fg, mut pred_fg, mut both) = (0u64, 0u64, 0u64);
    for (&t, &p) in truth.iter().zip(prediction) {
        let (t, p) = ((t != 0) as u64, (p != 0) as u64);
        true_fg += t;
        pred_fg += p;
        both += t & p;
    }
    let n = truth.len() as u64;
    let background = (n - true_fg) + both - pred_fg;
    Confusion::from_counts(2, vec![background, pred_fg - both, true_fg - both, both]).scores()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn two_classes_on_a_3x3_image() {
        // truth       prediction
        // 0 1 1       0 1 0
        // 0 1 1       1 1 1
        // 0 0 0       0 0 0
        // Class 1: TP = 3 (the middle column's two and (1,2)), FP = 1 ((1,0)), FN = 1 ((0,2)).
        //   IoU = 3 / 5 = 0.6, Dice = 6 / 8 = 0.75.
        // Class 0: TP = 4, FP = 1 ((0,2)), FN = 1 ((1,0)): IoU = 4 / 6, Dice = 8 / 10.
        // Pixel accuracy = 7 / 9; mean IoU = (2/3 + 3/5) / 2 = 19/30.
        let truth = [0, 1, 1, 0, 1, 1, 0, 0, 0];
        let prediction = [0, 1, 0, 1, 1, 1, 0, 0, 0];
        let mut m = Confusion::new(2);
        m.add(&truth, &prediction);
        let s = m.scores();
        assert!(close(s.iou[1], 0.6) && close(s.dice[1], 0.75));
        assert!(close(s.iou[0], 4.0 / 6.0) && close(s.dice[0], 0.8));
        assert!((s.pixel_accuracy - 7.0 / 9.0).abs() < 1e-12);
        assert!((s.mean_iou - 19.0 / 30.0).abs() < 1e-12);
        assert_eq!(binary_scores(&truth, &prediction), s);
        // 0/255 masks give the same scores.
        let scale = |v: &[u8]| v.iter().map(|&x| x * 255).collect::<Vec<u8>>();
        assert_eq!(binary_scores(&scale(&truth), &scale(&prediction)), s);
    }

    #[test]
    fn a_class_absent_from_both_has_no_score() {
        // 3 classes, class 2 in neither.
        // truth      0 0 1 1
        // prediction 0 1 1 1
        // Class 0: TP 1, FP 0, FN 1 -> IoU 1/2, Dice 2/3.
        // Class 1: TP 2, FP 1, FN 0 -> IoU 2/3, Dice 4/5.
        // Class 2: TP + FP + FN = 0 -> None. Mean IoU over classes 0, 1 = (1/2 + 2/3) / 2 = 7/12.
        let mut m = Confusion::new(3);
        m.add(&[0, 0, 1, 1], &[0, 1, 1, 1]);
        let s = m.scores();
        assert!(close(s.iou[0], 0.5) && close(s.dice[0], 2.0 / 3.0));
        assert!(close(s.iou[1], 2.0 / 3.0) && close(s.dice[1], 0.8));
        assert_eq!((s.iou[2], s.dice[2]), (None, None));
        assert!((s.mean_iou - 7.0 / 12.0).abs() < 1e-12);
        assert!((s.pixel_accuracy - 0.75).abs() < 1e-12);
    }

    #[test]
    fn an_all_background_prediction() {
        // truth 1 1 0 0 0, prediction all 0.
        // Foreground: TP 0, FP 0, FN 2 -> IoU 0, Dice 0 (defined: the class is in the truth).
        // Background: TP 3, FP 2, FN 0 -> IoU 3/5, Dice 6/8. Accuracy 3/5, mean IoU 3/10.
        let s = binary_scores(&[1, 1, 0, 0, 0], &[0; 5]);
        assert_eq!(s.iou[1], Some(0.0));
        assert_eq!(s.dice[1], Some(0.0));
        assert!(close(s.iou[0], 0.6) && close(s.dice[0], 0.75));
        assert!((s.pixel_accuracy - 0.6).abs() < 1e-12);
        assert!((s.mean_iou - 0.3).abs() < 1e-12);
    }

    #[test]
    fn an_identical_prediction_scores_one_on_present_classes() {
        // Classes 0, 1 and 3 present, 2 absent: 1.0 where present, None for class 2.
        let labels = [0, 1, 3, 3, 1, 0, 0];
        let mut m = Confusion::new(4);
        m.add(&labels, &labels);
        let s = m.scores();
        assert_eq!(s.iou, vec![Some(1.0), Some(1.0), None, Some(1.0)]);
        assert_eq!(s.dice, vec![Some(1.0), Some(1.0), None, Some(1.0)]);
        assert_eq!((s.pixel_accuracy, s.mean_iou), (1.0, 1.0));
    }

    #[test]
    fn merging_equals_adding_both() {
        let (t1, p1) = ([0u8, 1, 2, 2], [0u8, 2, 2, 1]);
        let (t2, p2) = ([1u8, 1, 0], [1u8, 0, 0]);
        let (mut a, mut b, mut both) = (Confusion::new(3), Confusion::new(3), Confusion::new(3));
        a.add(&t1, &p1);
        b.add(&t2, &p2);
        both.add(&t1, &p1);
        both.add(&t2, &p2);
        a.merge(&b);
        assert_eq!(a, both);
        assert_eq!(a.scores(), both.scores());
    }

    #[test]
    fn nothing_measured_serialises_without_nan() {
        let s = Confusion::new(2).scores();
        assert_eq!(s.iou, vec![None, None]);
        assert_eq!((s.pixel_accuracy, s.mean_iou), (0.0, 0.0));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"iou":[null,null],"dice":[null,null],"pixel_accuracy":0.0,"mean_iou":0.0}"#
        );
    }
}
