//! Settings: the training configs shipped in `configs/`, the person's settings (dialog, macro,
//! CLI) and their validation into one resolved plan. This is the only place that validates.
mod config;
mod fields;
mod lenient;
mod precision;
pub mod schema;
mod scale;
mod train;
mod validate;

pub use config::{config_json, config_names, load_config, OptimizerKind, ScheduleKind, Task, TrainingConfig};
pub use fields::*;
pub use precision::{bf16_is_fast, fp32_training_channels_last, Precision, PRECISION_CHOICES};
pub use scale::{Scale, MAX_SCALE};
pub use train::{parse_ignore_label, ResumeSettings, TrainPlan, TrainSettings};
pub use validate::{validate_model_name, MIN_WINDOW_YX};
