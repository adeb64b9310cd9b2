//! Tuning a model's post-processing on labelled data it did not train on: at the end of
//! training on its validation block, and on demand (`segtrain tune`) on any labelled stack.
//! The probabilities are computed once; `post::tune_*` searches the thresholds and sizes.
use super::{Event, Head};
use crate::data::Region;
use crate::error::{Error, Result};
use crate::infer::{checked_resampled_shape, load_model, probability_maps, resample_linear, resample_nearest, stack_voxel_nm};
use crate::job::JobContext;
use crate::model::UNet;
use crate::post::{tune_instance, tune_threshold, InstanceMetric, InstanceParams, TuneScore};
use crate::settings::TrainingConfig;
use crate::store::PostProcess;
use segtrain_volume::Volume;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Instant;
use tch::Device;

/// What model.json records of the last tuning (`tuning`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TuneReport {
    /// What it was tuned on: "validation block" or the labelled stack's shape.
    pub on: String,
    /// "AP@0.5" or "adapted Rand error" (instance; lower is better) or "foreground IoU" (binary semantic).
    pub metric: String,
    pub before: f64,
    pub after: f64,
    pub foreground_iou_before: f64,
    pub foreground_iou_after: f64,
    /// The values that changed, e.g. "seed_contour 0.3 -> 0.2".
    pub changes: Vec<String>,
    /// Post-processing runs tried.
    pub evaluations: usize,
    pub seconds: f64,
    /// AP@0.5: the truth objects cut by the block's y/x edges, left out of the score, and the
    /// objects in all (see post::EdgeObjects). Absent when none was cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_objects: Option<(usize, usize)>,
}

impl TuneReport {
    /// "post-processing tuned on the validation block: AP@0.5 0.149 -> 0.412 (seed_contour 0.3 -> 0.2), 84 runs in 6.1 s"
    pub fn to_line(&self) -> String {
        let changes = if self.changes.is_empty() { "nothing changed".to_string() } else { self.changes.join(", ") };
        let without = self.cut_objects.map_or(String::new(), |(cut, all)| format!(" without the {cut} of {all} objects its edges cut"));
        format!(
            "post-processing tuned on the {}: {} {:.3} -> {:.3}{without} ({changes}), {} runs in {:.1} s",
            self.on, self.metric, self.before, self.after, self.evaluations, self.seconds
        )
    }
}

/// `post` tuned for `head` on channel-major `maps` and `truth` labels of `shape`; None for
/// heads with nothing to tune (several classes: argmax has no parameter).
///
/// Sparse labels (`ignore`, when the truth holds that value): a binary model's threshold is
/// scored on the annotated voxels only (thresholding is per voxel, so that is exact); an
/// instance model is not tuned (an error says why): AP counts whole objects, and objects cut by
/// unannotated voxels would be scored as wrong where the network may be right.
#[allow(clippy::too_many_arguments)]
pub fn tune_post_process(head: &Head, maps: &[f32], truth: &[u32], shape: [usize; 3], per_slice: bool, post: &PostProcess, on: &str, ignore: Option<u32>) -> Result<Option<(PostProcess, TuneReport)>> {
    let started = Instant::now();
    let n: usize = shape.iter().product();
    let mut tuned = post.clone();
    let unannotated = ignore.map_or(0, |ignore| truth.iter().filter(|&&l| l == ignore).count());
    let mut on = on.to_string();
    let mut cut_objects = None;
    let (metric, before, after, evaluations, changes): (&str, TuneScore, TuneScore, usize, Vec<String>) = match head {
        Head::Classes { .. } => return Ok(None),
        Head::Binary { .. } => {
            let (probability, truth): (Vec<f32>, Vec<u8>) = maps[..n]
                .iter()
                .zip(truth)
                .filter(|(_, &l)| unannotated == 0 || Some(l) != ignore)
                .map(|(&p, &l)| (p, head.is_object(l) as u8))
                .unzip();
            if unannotated > 0 {
                on += &format!(" (its {} annotated voxels only)", truth.len());
            }
            let t = tune_threshold(&probability, &truth, post.threshold);
            tuned.threshold = t.params;
            let changes = changed("threshold", post.threshold as f64, t.params as f64);
            ("foreground IoU", t.before, t.after, t.evaluations, changes.into_iter().collect())
        }
        Head::Instance { .. } if unannotated > 0 => return Err(not_on_sparse_labels(&on, unannotated, n, ignore.unwrap_or_default())),
        Head::Instance { distance, .. } => {
            let distance_map = distance.then(|| &maps[2 * n..3 * n]);
            let instance_metric = InstanceMetric::for_truth(truth);
            let t = tune_instance(&maps[..n], &maps[n..2 * n], distance_map, truth, shape, per_slice, &post.instance, instance_metric);
            let changes = instance_changes(&post.instance, &t.params);
            tuned.instance = t.params;
            cut_objects = t.cut_objects;
            let reported = |s: TuneScore| TuneScore { score: instance_metric.reported(s.score), ..s };
            (instance_metric.name(), reported(t.before), reported(t.after), t.evaluations, changes)
        }
    };
    let report = TuneReport {
        on,
        metric: metric.to_string(),
        before: before.score,
        after: after.score,
        foreground_iou_before: before.foreground_iou,
        foreground_iou_after: after.foreground_iou,
        changes,
        evaluations,
        seconds: started.elapsed().as_secs_f64(),
        cut_objects,
    };
    Ok(Some((tuned, report)))
}

/// Why an instance model is not tuned on labels with unannotated voxels.
fn not_on_sparse_labels(on: &str, unannotated: usize, total: usize, ignore: u32) -> Error {
    Error::InvalidInput(format!(
        "instance post-processing is not tuned on the {on}: {unannotated} of its {total} voxels are unannotated (ignore_label {ignore}), and AP@0.5 needs every object annotated whole; the size limits from the training objects are kept (tune later on a fully labelled stack: Tune Post-processing...)"
    ))
}

fn changed(key: &str, from: f64, to: f64) -> Option<String> {
    ((from - to).abs() > 1e-6).then(|| format!("{key} {} -> {}", round(from), round(to)))
}

/// Values printed as typed (0.3, not 0.30000001192092896; 9.2, not 9.200000000000001).
pub(super) fn round(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

fn instance_changes(a: &InstanceParams, b: &InstanceParams) -> Vec<String> {
    [
        changed("foreground_threshold", a.foreground_threshold as f64, b.foreground_threshold as f64),
        changed("seed_foreground", a.seed_foreground as f64, b.seed_foreground as f64),
        changed("seed_contour", a.seed_contour as f64, b.seed_contour as f64),
        changed("seed_distance", a.seed_distance as f64, b.seed_distance as f64),
        changed("min_seed_size", a.min_seed_size as f64, b.min_seed_size as f64),
        changed("min_size", a.min_size as f64, b.min_size as f64),
        changed("max_hole_size", a.max_hole_size as f64, b.max_hole_size as f64),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A block of a row-major volume of `shape`.
pub fn crop<T: Copy>(values: &[T], shape: [usize; 3], region: &Region) -> Vec<T> {
    let mut out = Vec::with_capacity(region.size().iter().product());
    for z in region.start[0]..region.end[0] {
        for y in region.start[1]..region.end[1] {
            let row = (z * shape[1] + y) * shape[2];
            out.extend_from_slice(&values[row + region.start[2]..row + region.end[2]]);
        }
    }
    out
}

/// Tunes on the validation block at the end of training: `image` (normalised) and `labels` are
/// the training stacks at the training scale.
#[allow(clippy::too_many_arguments)]
pub fn tune_on_block(net: &UNet, head: &Head, config: &TrainingConfig, image: &[f32], labels: &[u32], shape: [usize; 3], block: &Region, post: &PostProcess, device: Device, ctx: &JobContext) -> Result<Option<(PostProcess, TuneReport)>> {
    if matches!(head, Head::Classes { .. }) {
        return Ok(None);
    }
    let truth = crop(labels, shape, block);
    let ignore = config.ignore_label;
    if let (Head::Instance { .. }, Some(ignore)) = (head, ignore) {
        // Refused before the probabilities are computed.
        let unannotated = truth.iter().filter(|&&l| l == ignore).count();
        if unannotated > 0 {
            return Err(not_on_sparse_labels("validation block", unannotated, truth.len(), ignore));
        }
    }
    let size = block.size();
    let maps = probability_maps(net, head, config.window, &crop(image, shape, block), size, device, ctx)?;
    tune_post_process(head, &maps, &truth, size, config.dims == 2, post, "validation block", ignore)
}

/// `segtrain tune` and Fiji's Tune Post-processing: which model, and how to run it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TuneSettings {
    #[serde(rename = "model", alias = "name")]
    pub name: String,
    #[serde(rename = "models_folder", alias = "models_dir")]
    pub models_dir: Option<PathBuf>,
    /// "final" or "best".
    pub weights: String,
    /// Voxel size of the stacks (x, y, z nm); None = their calibration, else the model's.
    pub voxel_nm: Option<[f64; 3]>,
    /// The same one axis at a time, as the CLI and macros give it (see `voxel_from_axes`).
    pub x_nm: Option<f64>,
    pub y_nm: Option<f64>,
    pub z_nm: Option<f64>,
    /// The image's calibration as ImageJ keeps it ({unit, x, y, z}), used when voxel_nm is not given.
    #[serde(default)]
    pub calibration: Option<serde_json::Value>,
    pub cpus: u32,
}

impl Default for TuneSettings {
    fn default() -> Self {
        TuneSettings { name: String::new(), models_dir: None, weights: "final".into(), voxel_nm: None, x_nm: None, y_nm: None, z_nm: None, calibration: None, cpus: 2 }
    }
}

impl TuneSettings {
    pub fn from_json(text: &str) -> Result<Self> {
        let settings: TuneSettings = serde_json::from_str(text).map_err(|e| Error::setting(format!("tune settings are not valid JSON: {e}")))?;
        settings.check()?;
        Ok(settings)
    }

    /// Every problem at once, each naming its field.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        if let Err(m) = crate::settings::validate_model_name(&self.name) {
            problems.push(format!("model: {m}"));
        }
        if self.weights != "final" && self.weights != "best" {
            problems.push(format!("weights: 'final' or 'best' (got '{}')", self.weights));
        }
        problems.extend(crate::runtime::cpus_problem(self.cpus));
        if let Some(v) = self.voxel_nm.filter(|v| v.iter().any(|s| !s.is_finite() || *s <= 0.0)) {
            problems.push(format!("voxel_nm: three sizes above 0 (got {v:?})"));
        }
        if let Err(p) = crate::settings::schema::voxel_from_axes([self.x_nm, self.y_nm, self.z_nm], self.voxel_nm) {
            problems.extend(p);
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidSettings(problems)) }
    }
}

/// Tunes a stored model's post-processing on a labelled stack it did not train on and stores the
/// result in its model.json. The stacks are resampled to the model's voxel size (the labels by
/// nearest neighbour), so the sizes found are in the model's voxels, as stored.
pub fn tune_model(settings: &TuneSettings, image: Volume<f32>, labels: Volume<u32>, ctx: &JobContext) -> Result<TuneReport> {
    settings.check()?;
    if image.shape != labels.shape {
        return Err(super::size_mismatch(image.shape, labels.shape));
    }
    crate::data::check_finite(&image.data, image.shape, "image stack")?;
    crate::runtime::set_cpu_threads(settings.cpus);
    let models_dir = crate::store::models_dir_or_default(settings.models_dir.as_deref());
    let _lock = crate::store::ModelLock::acquire(&models_dir, &settings.name, "tuning")?;
    let (dir, mut record, _vs, net) = load_model(Some(&models_dir), &settings.name, &settings.weights, Device::Cpu)?;
    if matches!(record.head, Head::Classes { .. }) {
        return Err(Error::setting(format!("model: '{}' labels several classes by argmax; it has no post-processing to tune", settings.name)));
    }
    let calibration = image.voxel_nm.or_else(|| settings.calibration.as_ref().and_then(crate::settings::schema::calibration_nm));
    let given = crate::settings::schema::voxel_from_axes([settings.x_nm, settings.y_nm, settings.z_nm], settings.voxel_nm).map_err(Error::InvalidSettings)?.or(settings.voxel_nm);
    let stack_nm = stack_voxel_nm(&record, given, calibration);
    crate::infer::check_resampling_ratio(stack_nm, record.config.voxel_nm)?;
    let shape = checked_resampled_shape(image.shape, stack_nm, record.config.voxel_nm, 4 * (record.head.output_channels() as u64 + 3))?;
    let mut values = image.data;
    record.normalization.apply(&mut values);
    let truth = if shape == image.shape {
        labels.data
    } else {
        values = resample_linear(&values, 1, image.shape, shape);
        resample_nearest(&labels.data, image.shape, shape)
    };
    let maps = probability_maps(&net, &record.head, record.config.window, &values, shape, Device::Cpu, ctx)?;
    let on = format!("labelled stack ({}x{}x{} at the model's scale)", shape[0], shape[1], shape[2]);
    let (post, report) = tune_post_process(&record.head, &maps, &truth, shape, record.config.dims == 2, &record.postprocess, &on, record.config.ignore_label)?
        .expect("classes were refused above");
    record.postprocess = post;
    record.tuning = Some(report.clone());
    dir.write_record(&record)?;
    ctx.emit(Event::Message { text: report.to_line() });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_labels_tune_a_threshold_on_annotated_voxels_and_no_instance_model() {
        // Annotated: foreground at 0.4, background at 0.1. Unannotated voxels at 0.9, which a
        // dense reading (as background) would push the threshold above.
        let binary = Head::Binary { background: 0, foreground: 1 };
        let truth: Vec<u32> = (0..100).map(|i| if i < 30 { 1 } else if i < 60 { 0 } else { 65535 }).collect();
        let maps: Vec<f32> = (0..100).map(|i| if i < 30 { 0.4 } else if i < 60 { 0.1 } else { 0.9 }).collect();
        let (post, report) = tune_post_process(&binary, &maps, &truth, [1, 10, 10], true, &PostProcess::default(), "validation block", Some(65535)).unwrap().unwrap();
        assert!(post.threshold > 0.1 && post.threshold <= 0.4, "{}", post.threshold);
        assert_eq!(report.after, 1.0);
        assert_eq!(report.on, "validation block (its 60 annotated voxels only)");
        let instance = Head::Instance { contour_width: 1, distance: false };
        let err = tune_post_process(&instance, &[0.0; 200], &truth, [1, 10, 10], true, &PostProcess::default(), "validation block", Some(65535)).unwrap_err().to_string();
        assert!(err.contains("instance post-processing is not tuned on the validation block: 40 of its 100 voxels are unannotated (ignore_label 65535)"), "{err}");
        // The same labels with no ignore_label: tuned (65535 is then an object id).
        assert!(tune_post_process(&instance, &[0.0; 200], &truth, [1, 10, 10], true, &PostProcess::default(), "validation block", None).unwrap().is_some());
    }

    #[test]
    fn tune_settings_name_every_bad_field() {
        let err = TuneSettings::from_json(r#"{"name":"../x","weights":"last","cpus":0}"#).unwrap_err().to_string();
        for field in ["model:", "weights: 'final' or 'best' (got 'last')", "cpus: must be a whole number from 1 to"] {
            assert!(err.contains(field), "{err}");
        }
        assert_eq!(TuneSettings::from_json(r#"{"name":"m"}"#).unwrap().weights, "final");
        assert!(TuneSettings::from_json(r#"{"name":"m","min_size":3}"#).unwrap_err().to_string().contains("unknown field"));
    }

    #[test]
    fn crop_takes_the_block() {
        let values: Vec<u32> = (0..2 * 3 * 4).collect();
        let block = Region { start: [1, 1, 2], end: [2, 3, 4] };
        assert_eq!(crop(&values, [2, 3, 4], &block), vec![18, 19, 22, 23]);
    }

    #[test]
    fn multi_class_heads_have_nothing_to_tune_and_binary_heads_tune_their_threshold() {
        let classes = Head::Classes { classes: vec![0, 1, 2], weights: vec![1.0; 3] };
        assert!(tune_post_process(&classes, &[0.0; 3], &[0], [1, 1, 1], true, &PostProcess::default(), "x", None).unwrap().is_none());
        let binary = Head::Binary { background: 0, foreground: 255 };
        let truth: Vec<u32> = (0..100).map(|i| if i < 50 { 255 } else { 0 }).collect();
        let maps: Vec<f32> = (0..100).map(|i| if i < 50 { 0.4 } else { 0.1 }).collect();
        let (post, report) = tune_post_process(&binary, &maps, &truth, [1, 10, 10], true, &PostProcess::default(), "validation block", None).unwrap().unwrap();
        assert!(post.threshold > 0.1 && post.threshold <= 0.4, "{}", post.threshold);
        assert_eq!((report.before, report.after), (0.0, 1.0));
        assert!(report.to_line().starts_with("post-processing tuned on the validation block: foreground IoU 0.000 -> 1.000 (threshold 0.5 -> "), "{}", report.to_line());
    }
}
