//! Training: inputs check, heads (targets and losses), schedule, optimisers, validation,
//! checkpoints, the loop, its log and its events.
pub(crate) mod budget;
mod checkpoint;
mod events;
mod head;
mod inputs;
mod log;
mod loss;
mod memory;
mod optimizer;
mod parallel;
mod recipe;
mod scale;
mod schedule;
mod trainer;
mod tune;
mod validation;

pub use checkpoint::{latest as latest_checkpoint, CheckpointInfo};
pub use events::{format_duration, Event};
pub use head::Head;
pub use inputs::{size_mismatch, size_mismatch_of, validate_stacks, TrainingStacks};
pub use log::TrainingLog;
pub use loss::{balanced_weight, binary_loss, dice_loss, masked_balanced_weight, masked_binary_loss};
pub use optimizer::Optimizer;
pub use parallel::Replicas;
pub use scale::{ScaleChoice, INSTANCE_DIAMETER_PX, SEMANTIC_WIDTH_PX};
pub use schedule::Schedule;
pub use trainer::{check_resume, plan_resume, prepare_training, resume, train, train_prepared, PreparedTraining, TrainOutcome};
pub use tune::{tune_model, tune_post_process, TuneReport, TuneSettings};
pub use validation::{default_validation_every, split as validation_split, ValidationScores, MIN_VALIDATIONS};
