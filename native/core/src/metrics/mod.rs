//! Segmentation metrics, computed on the host from class-index slices (no tensors), so that
//! validation scores of any stack size are exact counts rather than batch averages.
//!
//! A [`Confusion`] matrix is accumulated window by window or stack by stack (and merged across
//! threads); [`SemanticScores`] (per-class IoU and Dice, pixel accuracy, mean IoU) are derived
//! from it once at the end.
mod confusion;
mod semantic;
mod instance;
mod overlap;

pub use confusion::Confusion;
pub use semantic::{binary_scores, SemanticScores};
pub use instance::{instance_scores, InstanceScores};
