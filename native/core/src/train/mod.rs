//! Training: inputs check, loss, schedule, optimiser, the loop, its log and its events.
mod events;
mod inputs;
mod log;
mod loss;
mod optimizer;
mod schedule;
mod trainer;

pub use events::{format_duration, Event};
pub use inputs::{size_mismatch, validate_stacks, TrainingStacks};
pub use log::TrainingLog;
pub use loss::{balanced_weight, binary_loss, dice_loss};
pub use optimizer::Sgd;
pub use schedule::Schedule;
pub use trainer::{check_training, train, TrainOutcome};
