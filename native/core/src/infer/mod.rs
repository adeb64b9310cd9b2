//! Auto-label: a stored model applied to a new stack, window by window with overlap, Gaussian
//! blending and optional test-time augmentation, in chunks of slices, followed by the model's
//! post-processing (threshold, arg-max or watershed).
mod blending;
mod predict;
mod resample;
mod tiling;
mod tta;

pub use blending::{gaussian_weights, Accumulator};
pub use predict::{load_model, predict, Prediction, PredictSettings};
pub(crate) use predict::{probability_maps, stack_voxel_nm};
pub use resample::{check_resampling_ratio, checked_resampled_shape, resample_linear, resample_nearest, resampled_shape};
pub use tiling::{axis_origins, effective_window, window_origins};
pub use tta::Transform;
