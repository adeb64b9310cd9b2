//! model.json: everything needed to rebuild and use a model, and what its training did.
use crate::data::{objects, Normalization};
use crate::post::InstanceParams;
use crate::train::{Head, ScaleChoice, TuneReport, ValidationScores};
use crate::model::UNetSpec;
use crate::settings::TrainingConfig;
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 2;

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
    pub fn from_training_labels(head: &Head, labels: &[u32], shape: [usize; 3], per_slice: bool) -> Self {
        let mut post = PostProcess::default();
        if let Head::Instance { .. } = head {
            let sizes = if per_slice { objects::section_areas(labels, shape) } else { objects::object_volumes(labels) };
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
