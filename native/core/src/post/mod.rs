//! Post-processing of predictions into label images, on plain slices (no tensors): the
//! network's outputs are copied to the host once, and stacks of hundreds of millions of
//! voxels are processed in linear time with a few bytes per voxel of scratch at most.
//!
//! - Semantic: [`threshold`] one foreground probability, or [`argmax`] over class channels.
//! - Instance: [`segment_instances`] decodes foreground + contour (+ distance) predictions:
//!   seeds from confident interiors ([`connected_components`]), a seeded [`watershed`] over
//!   the foreground, then [`remove_small`] and [`relabel_consecutive`].
//!
//! Volumes are row-major `[z, y, x]` (x fastest) with `shape = [depth, height, width]`.
//! Everything works either per z slice (4-connectivity; EM stacks are anisotropic and
//! sections are segmented independently, objects are not linked across z) or in 3-D
//! (6-connectivity). Voxel counts must fit `u32` (ids are `u32`).
mod components;
mod edge;
mod holes;
mod instance;
mod labels;
mod link;
mod queue;
mod semantic;
mod shape;
mod tune;
mod watershed;

#[cfg(test)]
mod fixtures;

pub use components::connected_components;
pub use instance::{segment_instances, InstanceParams};
pub use labels::{relabel_consecutive, remove_small};
pub use link::SectionLinker;
pub use semantic::{argmax, threshold};
pub use tune::{tune_instance, tune_threshold, InstanceMetric, TuneScore, Tuned, DENSE_SHARE};
pub use watershed::watershed;
