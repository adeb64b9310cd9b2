//! Training data: intensity normalisation, targets from labels, random windows with
//! augmentation, and the project's own synthetic demo stacks.
pub mod augment;
mod dihedral;
mod normalize;
pub mod objects;
mod pipeline;
mod synthetic;
mod targets;
mod windows;

pub use dihedral::Dihedral;
pub use normalize::Normalization;
pub use synthetic::{demo_stacks, demo_stacks_checked, DemoStacks};
pub use pipeline::{batch_rng, BatchStream};
pub use targets::{class_indices, class_mapping, instance_contour, instance_distance};
pub use windows::{Batch, Region, SamplerSettings, StackData, WindowSampler};
