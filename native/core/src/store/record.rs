//! model.json: everything needed to rebuild and use a model, and what its training did.
use crate::data::Normalization;
use crate::post::InstanceParams;
use crate::train::{Head, ValidationScores};
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
}
