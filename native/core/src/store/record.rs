//! model.json: everything needed to rebuild and use a model, and what its training did.
use crate::data::{objects, Normalization};
use crate::post::InstanceParams;
use crate::train::{Head, ScaleChoice, TuneReport, ValidationScores};
use crate::model::UNetSpec;
use crate::settings::TrainingConfig;
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 2;

/// The largest number of voxels in one window a model may declare (512 x 512 x 512): a
/// model.json edited or damaged to declare more is refused before anything is allocated.
const MAX_WINDOW_VOXELS: usize = 1 << 27;

/// Networks are built before their weights are read: a bound on their size keeps a hostile
/// model.json (1024 filters of 7x7x7 at every level) from asking for gigabytes. The shipped
/// configs stay below 5 million; 200 million (800 MB of weights) is far above any of them.
const MAX_NETWORK_WEIGHTS: u64 = 200_000_000;

/// An upper bound of the weights of `spec`: per level, at most eight convolutions of the level's
/// width with its kernel (two residual blocks in and out, the decoder's merge), plus the rest.
fn network_weights_bound(spec: &UNetSpec) -> u64 {
    let per_level: u64 = spec.filters.iter().zip(&spec.levels).map(|(&f, l)| 8 * (f as u64).pow(2) * l.kernel.iter().map(|&k| k as u64).product::<u64>()).sum();
    let io: u64 = spec.io_kernel.iter().map(|&k| k as u64).product::<u64>() * spec.filters.first().copied().unwrap_or(1) as u64 * 4;
    per_level + io
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Training is running (or the process died: the last checkpoint is still usable).
    Training,
    Complete,
    Cancelled,
    Failed,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainingSummary {
    pub device: String,
    /// The training stack, z, y, x.
    pub image_shape: [usize; 3],
    pub iterations_done: u64,
    pub first_loss: Option<f64>,
    pub last_loss: Option<f64>,
    pub wall_s: f64,
    /// Last checkpoint written (relative to the model folder).
    pub last_checkpoint: Option<String>,
    pub error: Option<String>,
    /// Mean wall time of one iteration in this session.
    pub seconds_per_iteration: Option<f64>,
    /// Share of the training time the trainer waited for data.
    pub data_wait_share: Option<f64>,
    /// The held-out validation block, z, y, x start and end.
    pub validation_block: Option<[[usize; 3]; 2]>,
    pub last_validation: Option<ValidationScores>,
    /// Best validation score (IoU) so far, its iteration; its weights are in best.safetensors.
    pub best_score: Option<f64>,
    pub best_iteration: Option<u64>,
    /// Set when this session continued from a checkpoint.
    pub resumed_from: Option<u64>,
    /// Set when training started from another model's weights.
    pub fine_tuned_from: Option<String>,
    /// The scale the stacks were trained at and why (absent: stored before scales existed,
    /// trained at the stacks' own size).
    #[serde(default)]
    pub scale: Option<ScaleChoice>,
    /// The precision this session computed in (fp32 or bf16: the `precision` setting resolved
    /// on the device). Absent: stored before it existed (fp32).
    #[serde(default)]
    pub precision: Option<String>,
}

/// How auto-label turns this model's outputs into labels (auto-label may override any field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostProcess {
    /// Binary semantic models: foreground where the probability is at least this.
    pub threshold: f32,
    /// Instance models: the watershed's seeds, mask and object sizes.
    pub instance: InstanceParams,
}

impl Default for PostProcess {
    fn default() -> Self {
        PostProcess { threshold: 0.5, instance: InstanceParams::default() }
    }
}

impl PostProcess {
    /// The starting values for a new model: instance size limits from the training objects (per
    /// slice for 2D models, whole objects in 3D), in voxels of the training scale.
    pub fn from_training_labels(head: &Head, labels: &[u32], shape: [usize; 3], per_slice: bool, ignore: Option<u32>) -> Self {
        let mut post = PostProcess::default();
        if let Head::Instance { .. } = head {
            // Sparse labels: only complete objects (none touching an unannotated voxel) count.
            let sizes = if per_slice { objects::section_areas(labels, shape, ignore) } else { objects::object_volumes(labels, shape, ignore) };
            post.instance = InstanceParams::for_object_sizes(&sizes);
        }
        post
    }

    /// The same with every size limit converted to voxels `ratio` times as small (auto-label
    /// post-processes at the stack's own size: a model at 10 nm labelling a 5 nm stack counts
    /// 4 times as many pixels per object in 2D).
    pub fn with_sizes_scaled(mut self, ratio: f64) -> Self {
        let scale = |v: usize| (v as f64 * ratio).round() as usize;
        self.instance.min_size = scale(self.instance.min_size);
        self.instance.min_seed_size = scale(self.instance.min_seed_size);
        self.instance.max_hole_size = scale(self.instance.max_hole_size);
        self
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelRecord {
    pub schema_version: u32,
    pub name: String,
    pub status: Status,
    /// The fully resolved config (the person's settings included).
    pub config: TrainingConfig,
    pub network: UNetSpec,
    pub normalization: Normalization,
    /// What the output channels mean and how targets were made (class values for semantic heads).
    pub head: Head,
    /// Names of the output channels, e.g. ["foreground"].
    pub outputs: Vec<String>,
    /// Final weights (relative to the model folder); absent until training ends.
    pub weights: Option<String>,
    pub training: TrainingSummary,
    #[serde(default)]
    pub postprocess: PostProcess,
    /// How `postprocess` was last tuned on labelled data, and the score before and after.
    #[serde(default)]
    pub tuning: Option<TuneReport>,
}

impl ModelRecord {
    /// The voxel size the training stacks were given (their calibration, or the one typed),
    /// before any `scale`: a stack to label that has no calibration is taken to have it, as the
    /// training stacks were. (The model's own, `config.voxel_nm`, is that times the scale: a
    /// stack assumed to be at it would be labelled at the wrong scale.)
    pub fn input_voxel_nm(&self) -> [f64; 3] {
        self.training.scale.as_ref().map_or(self.config.voxel_nm, |s| s.input_voxel_nm)
    }

    /// Whether this record describes a model SegTrain can rebuild and use: every problem, in
    /// words (a model.json written by a newer SegTrain, edited by hand or damaged). The sizes
    /// are bounded so that no hostile file makes the network or a window absurdly large.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.schema_version == 0 || self.schema_version > SCHEMA_VERSION {
            problems.push(format!(
                "schema_version {} is not one this SegTrain reads (1 to {SCHEMA_VERSION}); a newer SegTrain wrote it: update SegTrain",
                self.schema_version
            ));
        }
        let c = &self.config;
        let n = &self.network;
        if c.dims != 2 && c.dims != 3 {
            problems.push(format!("config.dims must be 2 or 3 (got {})", c.dims));
        } else if n.spatial_dims() != c.dims as usize {
            problems.push(format!("the network is {}D but config {} is {}D", n.spatial_dims(), c.name, c.dims));
        }
        let instance_head = matches!(self.head, Head::Instance { .. });
        if instance_head != (c.task == crate::settings::Task::Instance) {
            problems.push(format!("config {} is a {} config but the model's outputs are {:?}", c.name, format!("{:?}", c.task).to_lowercase(), self.outputs));
        }
        if n.in_channels != 1 || n.out_channels != self.head.output_channels() || self.outputs.len() as i64 != n.out_channels {
            problems.push(format!(
                "the network has {} input and {} output channels, its head needs 1 and {} ({} output names stored)",
                n.in_channels,
                n.out_channels,
                self.head.output_channels(),
                self.outputs.len()
            ));
        }
        let sane_level = |l: &crate::model::Level| {
            l.kernel.len() == n.spatial_dims() && l.stride.len() == n.spatial_dims() && l.kernel.iter().all(|k| (1..=7).contains(k)) && l.stride.iter().all(|s| (1..=4).contains(s))
        };
        let sane = (1..=8).contains(&n.filters.len())
            && n.levels.len() == n.filters.len()
            && n.filters.iter().all(|f| (1..=1024).contains(f))
            && n.io_kernel.iter().all(|k| (1..=7).contains(k))
            && n.levels.iter().all(sane_level);
        if !sane {
            problems.push("the network's filters, kernels or strides are outside what SegTrain builds (1 to 8 levels, 1 to 1024 filters, kernels 1 to 7, strides 1 to 4)".into());
        } else if network_weights_bound(n) > MAX_NETWORK_WEIGHTS {
            problems.push(format!(
                "the network would have up to {:.0} million weights; SegTrain's networks have at most {} million",
                network_weights_bound(n) as f64 / 1e6,
                MAX_NETWORK_WEIGHTS / 1_000_000
            ));
        }
        let w = c.window;
        if w.contains(&0) || w.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).is_none_or(|v| v > MAX_WINDOW_VOXELS) || (c.dims == 2 && w[0] != 1) {
            problems.push(format!("window {w:?} is not a usable window for a {}D model", c.dims));
        }
        if c.voxel_nm.iter().any(|v| !v.is_finite() || *v <= 0.0) {
            problems.push(format!("config.voxel_nm must be three sizes above 0 (got {:?})", c.voxel_nm));
        }
        let norm = &self.normalization;
        if !norm.mean.is_finite() || !norm.std.is_finite() || norm.std <= 0.0 {
            problems.push(format!("normalization must be a finite mean and a std above 0 (got {} and {})", norm.mean, norm.std));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete record of each built-in config, as training writes it.
    fn records() -> Vec<ModelRecord> {
        crate::settings::config_names()
            .into_iter()
            .map(|name| {
                let config = crate::settings::load_config(name).unwrap();
                let head = if config.task == crate::settings::Task::Instance {
                    Head::Instance { contour_width: 1, distance: false }
                } else {
                    Head::Binary { background: 0, foreground: 1 }
                };
                let text = serde_json::json!({
                    "schema_version": SCHEMA_VERSION, "name": "m", "status": "complete",
                    "network": crate::train::budget::network_spec(&config, &head), "config": config,
                    "normalization": {"mean": 0.5, "std": 0.2}, "head": head, "outputs": head.output_names(),
                    "weights": "model.safetensors",
                    "training": {"device": "cpu", "image_shape": [1, 64, 64], "iterations_done": 1, "first_loss": null,
                        "last_loss": null, "wall_s": 1.0, "last_checkpoint": null, "error": null, "seconds_per_iteration": null,
                        "data_wait_share": null, "validation_block": null, "last_validation": null, "best_score": null,
                        "best_iteration": null, "resumed_from": null, "fine_tuned_from": null}
                });
                serde_json::from_value(text).unwrap()
            })
            .collect()
    }

    #[test]
    fn records_as_training_writes_them_have_no_problems() {
        for record in records() {
            assert_eq!(record.problems(), Vec::<String>::new(), "{}", record.config.name);
        }
    }

    #[test]
    fn newer_edited_or_absurd_records_are_named() {
        let mut r = records().remove(0);
        r.schema_version = 99;
        r.config.task = if r.config.task == crate::settings::Task::Instance { crate::settings::Task::Semantic } else { crate::settings::Task::Instance };
        r.config.window = [1, 1 << 20, 1 << 20];
        r.network.filters[0] = 1 << 20;
        r.normalization.std = 0.0;
        let problems = r.problems().join("; ");
        for expected in ["schema_version 99", "config but the model's outputs are", "window [1, 1048576, 1048576]", "1 to 1024 filters", "normalization must be"] {
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
        // Within every per-field bound, and still too big as a whole.
        let mut r = records().remove(0);
        r.network.filters = vec![1024; r.network.filters.len()];
        let problems = r.problems().join("; ");
        assert!(problems.contains("million weights; SegTrain's networks have at most 200 million"), "{problems}");
    }
}
