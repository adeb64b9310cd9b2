//! Evaluation of a segmentation against ground truth (two label stacks of the same size).
use crate::data::{class_indices, class_mapping};
use crate::error::{Error, Result};
use crate::metrics::{instance_scores, Confusion, InstanceScores};
use segtrain_volume::Volume;
use serde::{Deserialize, Serialize};

/// The ways to compare (see `evaluate`).
pub const KINDS: [&str; 3] = ["semantic", "instance", "foreground"];

/// How to compare (the "evaluate" schema's settings).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateSettings {
    pub kind: String,
    #[serde(default)]
    pub per_slice: bool,
    /// Sparse ground truth: the value of its unannotated pixels (a number or text; none when
    /// absent or empty), which are then left out of every score.
    #[serde(default)]
    pub ignore_label: Option<serde_json::Value>,
}

impl EvaluateSettings {
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::setting(format!("evaluate settings are not valid JSON: {e}")))
    }

    /// Scores `prediction` against `truth` as these settings say.
    pub fn run(&self, truth: &Volume<u32>, prediction: &Volume<u32>) -> Result<EvaluationReport> {
        let ignore = match &self.ignore_label {
            Some(value) => crate::settings::parse_ignore_label(value).map_err(Error::setting)?,
            None => None,
        };
        match ignore {
            None => evaluate(truth, prediction, &self.kind, self.per_slice),
            Some(ignore) => {
                same_size(truth, prediction)?;
                let (truth, prediction) = annotated_only(truth, prediction, ignore, &self.kind)?;
                evaluate(&truth, &prediction, &self.kind, self.per_slice)
            }
        }
    }
}

/// The stacks without the pixels whose truth is `ignore` (nobody annotated them, so no
/// prediction there is right or wrong). Class scores drop those pixels; instance scores need the
/// stacks' shape (slices, neighbours), so there the pixels become background in both, and a
/// predicted object that lies wholly in unannotated parts is no false positive.
fn annotated_only(truth: &Volume<u32>, prediction: &Volume<u32>, ignore: u32, kind: &str) -> Result<(Volume<u32>, Volume<u32>)> {
    let annotated = truth.data.iter().filter(|&&t| t != ignore).count();
    if annotated == 0 {
        return Err(Error::InvalidInput(format!("ignore_label: every pixel of the ground truth is {ignore} (unannotated); nothing is left to score")));
    }
    if kind == "instance" {
        let keep = |v: &Volume<u32>| -> Volume<u32> {
            let data = v.data.iter().zip(&truth.data).map(|(&l, &t)| if t == ignore { 0 } else { l }).collect();
            Volume { data, shape: v.shape, voxel_nm: v.voxel_nm }
        };
        return Ok((keep(truth), keep(prediction)));
    }
    let pairs = truth.data.iter().zip(&prediction.data).filter(|(&t, _)| t != ignore);
    let (t, p): (Vec<u32>, Vec<u32>) = pairs.map(|(&t, &p)| (t, p)).unzip();
    Ok((Volume::new(t, [1, 1, annotated])?, Volume::new(p, [1, 1, annotated])?))
}

/// Both stacks must be the same size; the message says how they differ.
fn same_size(truth: &Volume<u32>, prediction: &Volume<u32>) -> Result<()> {
    if truth.shape == prediction.shape {
        return Ok(());
    }
    Err(crate::train::size_mismatch_of("ground truth and segmentation", ("truth", truth.shape), ("segmentation", prediction.shape)))
}

/// Semantic evaluation counts at most this many distinct label values.
const MAX_CLASSES: usize = 256;

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EvaluationReport {
    Semantic {
        /// Label value of each class; `iou[i]` and `dice[i]` belong to `classes[i]` (null when
        /// the class is in neither stack).
        classes: Vec<u32>,
        iou: Vec<Option<f64>>,
        dice: Vec<Option<f64>>,
        pixel_accuracy: f64,
        mean_iou: f64,
    },
    Instance(InstanceScores),
}

impl EvaluationReport {
    /// The report in one line for the Log: "(semantic, 2 classes): mean IoU 0.912, pixel accuracy 0.957".
    pub fn line(&self) -> String {
        match self {
            EvaluationReport::Semantic { classes, pixel_accuracy, mean_iou, .. } => {
                format!("(semantic, {} classes): mean IoU {mean_iou:.3}, pixel accuracy {pixel_accuracy:.3}", classes.len())
            }
            EvaluationReport::Instance(s) => format!(
                "(instance): AP50 {:.3}, mAP {:.3}, precision {:.3}, recall {:.3}, F1 {:.3}, ARAND {:.3}, VOI split {:.3} merge {:.3}",
                s.ap50, s.map, s.precision, s.recall, s.f1, s.arand, s.voi_split, s.voi_merge
            ),
        }
    }

    /// The report's JSON with its `line`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = serde_json::to_value(self).expect("reports serialise");
        json["line"] = serde_json::Value::String(self.line());
        json
    }
}

/// `kind` is "semantic" (class values compared voxel by voxel), "foreground" (the same on
/// label > 0, e.g. for instance stacks) or "instance" (objects matched by overlap; `per_slice`
/// matches the objects of each section separately, as for 2D models).
pub fn evaluate(truth: &Volume<u32>, prediction: &Volume<u32>, kind: &str, per_slice: bool) -> Result<EvaluationReport> {
    same_size(truth, prediction)?;
    match kind {
        "foreground" => {
            let binary = |v: &Volume<u32>| Volume { data: v.data.iter().map(|&l| (l != 0) as u32).collect(), shape: v.shape, voxel_nm: v.voxel_nm };
            evaluate(&binary(truth), &binary(prediction), "semantic", per_slice)
        }
        "semantic" => {
            let mut values: Vec<u32> = truth.data.iter().chain(&prediction.data).copied().collect::<std::collections::BTreeSet<u32>>().into_iter().collect();
            if values.len() > MAX_CLASSES {
                return Err(Error::setting(format!("kind: the stacks hold {} different values, too many classes for a semantic evaluation; are these instance ids? Use kind instance", values.len())));
            }
            values = class_mapping(&values);
            let t = class_indices(&truth.data, &values).expect("values come from both stacks");
            let p = class_indices(&prediction.data, &values).expect("values come from both stacks");
            let mut confusion = Confusion::new(values.len());
            confusion.add(&t, &p);
            let s = confusion.scores();
            Ok(EvaluationReport::Semantic { classes: values, iou: s.iou, dice: s.dice, pixel_accuracy: s.pixel_accuracy, mean_iou: s.mean_iou })
        }
        "instance" => Ok(EvaluationReport::Instance(instance_scores(&truth.data, &prediction.data, truth.shape, per_slice))),
        other => Err(Error::setting(format!("kind: '{other}' is not an evaluation kind; use semantic, foreground or instance"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume(data: Vec<u32>) -> Volume<u32> {
        let n = data.len();
        Volume::new(data, [1, 1, n]).unwrap()
    }

    #[test]
    fn semantic_scores_per_label_value() {
        // truth 0 0 255 255, prediction 0 255 255 255: class 0: TP 1, FN 1 -> IoU 1/2;
        // class 255: TP 2, FP 1 -> IoU 2/3, Dice 4/5.
        let r = evaluate(&volume(vec![0, 0, 255, 255]), &volume(vec![0, 255, 255, 255]), "semantic", false).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["kind"], "semantic");
        assert_eq!(json["classes"], serde_json::json!([0, 255]));
        assert!((json["iou"][0].as_f64().unwrap() - 0.5).abs() < 1e-12);
        assert!((json["iou"][1].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((json["dice"][1].as_f64().unwrap() - 0.8).abs() < 1e-12);
    }

    fn settings(kind: &str, ignore: serde_json::Value) -> EvaluateSettings {
        EvaluateSettings { kind: kind.into(), per_slice: false, ignore_label: Some(ignore) }
    }

    #[test]
    fn unannotated_pixels_are_left_out_of_every_score() {
        // truth 1 1 9 9 0 0 with 9 = unannotated; the prediction is right where annotated and
        // says anything elsewhere.
        let truth = volume(vec![1, 1, 9, 9, 0, 0]);
        let prediction = volume(vec![1, 1, 0, 1, 0, 0]);
        let semantic = settings("semantic", serde_json::json!("9")).run(&truth, &prediction).unwrap().to_json();
        assert_eq!(semantic["classes"], serde_json::json!([0, 1]), "the ignore value is no class");
        assert_eq!(semantic["line"], "(semantic, 2 classes): mean IoU 1.000, pixel accuracy 1.000");
        assert_eq!(semantic["pixel_accuracy"], 1.0);
        let all = serde_json::to_value(settings("semantic", serde_json::json!(null)).run(&truth, &prediction).unwrap()).unwrap();
        assert!(all["pixel_accuracy"].as_f64().unwrap() < 1.0, "without ignore_label the 9s count: {all}");
        let foreground = serde_json::to_value(settings("foreground", serde_json::json!(9)).run(&truth, &prediction).unwrap()).unwrap();
        assert_eq!(foreground["mean_iou"], 1.0);
        // instance: an extra object wholly in unannotated pixels is no false positive.
        let instance = serde_json::to_value(settings("instance", serde_json::json!(9)).run(&volume(vec![1, 1, 9, 9, 0, 0]), &volume(vec![4, 4, 7, 7, 0, 0])).unwrap()).unwrap();
        assert_eq!(instance["false_positives"], 0, "{instance}");
        assert_eq!(instance["ap50"], 1.0);
        let only = settings("semantic", serde_json::json!(9)).run(&volume(vec![9, 9]), &volume(vec![0, 1])).unwrap_err().to_string();
        assert!(only.contains("ignore_label: every pixel of the ground truth is 9"), "{only}");
        let zero = settings("semantic", serde_json::json!(0)).run(&truth, &prediction).unwrap_err().to_string();
        assert!(zero.contains("ignore_label"), "{zero}");
    }

    #[test]
    fn instance_reports_carry_every_score_and_sizes_must_match() {
        let r = evaluate(&volume(vec![1, 1, 2, 2]), &volume(vec![5, 5, 7, 7]), "instance", false).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        for key in ["ap50", "map", "precision", "recall", "f1", "arand", "voi_split", "voi_merge"] {
            assert!(json[key].is_number(), "{key}");
        }
        assert_eq!(json["ap50"], 1.0);
        let err = evaluate(&volume(vec![1, 1]), &volume(vec![1, 1, 1]), "instance", false).unwrap_err().to_string();
        assert!(err.contains("differ in size"), "{err}");
        assert!(evaluate(&volume(vec![1]), &volume(vec![1]), "panoptic", false).unwrap_err().to_string().contains("kind: 'panoptic'"));
        // foreground: ids 1 and 2 against 5 and 0 -> foreground IoU 1/2
        let r = serde_json::to_value(evaluate(&volume(vec![0, 1, 2]), &volume(vec![0, 5, 0]), "foreground", false).unwrap()).unwrap();
        assert_eq!(r["classes"], serde_json::json!([0, 1]));
        assert!((r["iou"][1].as_f64().unwrap() - 0.5).abs() < 1e-12);
    }
}
