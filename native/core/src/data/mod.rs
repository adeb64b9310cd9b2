//! Training data: intensity normalisation, targets from labels, random windows with
//! augmentation, and the project's own synthetic demo stacks.
pub mod augment;
mod dihedral;
mod normalize;
pub mod objects;
mod open_image;
mod pipeline;
mod synthetic;
mod targets;
mod windows;

pub use dihedral::Dihedral;
pub use normalize::Normalization;
pub use open_image::{check_open_image, labels_from_floats, OpenImage};
pub use synthetic::{demo_stacks, demo_stacks_checked, DemoSettings, DemoStacks};
pub use pipeline::{batch_rng, BatchStream};
pub use targets::{class_indices, class_mapping, instance_contour, instance_contour_sparse, instance_distance, instance_distance_sparse};
pub use windows::{Batch, Region, SamplerSettings, StackData, WindowSampler};

/// Refuses NaN and infinite pixels, naming the first one (z, y, x): one NaN would spread through
/// every window that holds it (a blank window in a labelling, a diverged training).
pub fn check_finite(values: &[f32], shape: [usize; 3], stack: &str) -> crate::error::Result<()> {
    let Some(at) = values.iter().position(|v| !v.is_finite()) else { return Ok(()) };
    let plane = shape[1] * shape[2];
    let (z, y, x) = (at / plane.max(1), at % plane.max(1) / shape[2].max(1), at % shape[2].max(1));
    let count = values.iter().filter(|v| !v.is_finite()).count();
    Err(crate::error::Error::InvalidInput(format!(
        "the {stack} contains {count} NaN or infinite value(s), the first at slice {}, row {y}, column {x}; \
         replace them (in Fiji: Process > Math > Remove NaNs...) before using it",
        z + 1
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn nan_and_infinite_pixels_are_refused_with_where_the_first_is() {
        let mut values = vec![0.5f32; 2 * 3 * 4];
        assert!(super::check_finite(&values, [2, 3, 4], "image stack").is_ok());
        values[12 + 4 + 3] = f32::NAN; // slice 2, row 1, column 3
        values[23] = f32::INFINITY;
        let err = super::check_finite(&values, [2, 3, 4], "stack to label").unwrap_err().to_string();
        assert!(err.contains("the stack to label contains 2 NaN or infinite value(s), the first at slice 2, row 1, column 3"), "{err}");
    }
}
