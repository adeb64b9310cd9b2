//! Training data: intensity normalisation, targets from labels, random windows with
//! augmentation, and the project's own synthetic demo stacks.
mod dihedral;
mod normalize;
mod synthetic;
mod targets;
mod windows;

pub use dihedral::Dihedral;
pub use normalize::Normalization;
pub use synthetic::{demo_stacks, demo_stacks_checked, DemoStacks};
pub use targets::binary_foreground;
pub use windows::{Batch, WindowSampler};
