//! The image and label stacks a training starts from, and the checks they must pass before any
//! model folder is created.
use crate::error::{Error, Result};
use crate::settings::TrainPlan;
use segtrain_volume::Volume;

pub struct TrainingStacks {
    pub image: Volume<f32>,
    pub labels: Volume<u32>,
}

fn describe(shape: [usize; 3]) -> String {
    format!("{} slice(s) of {}x{} (width x height)", shape[0], shape[2], shape[1])
}

/// The message for image and label stacks of different sizes (z, y, x shapes).
pub fn size_mismatch(image: [usize; 3], labels: [usize; 3]) -> Error {
    size_mismatch_of("image and label", ("image", image), ("labels", labels))
}

/// The same message for any two stacks that must match, e.g. ("ground truth and segmentation",
/// ("truth", a), ("segmentation", b)).
pub fn size_mismatch_of(stacks: &str, (first, a): (&str, [usize; 3]), (second, b): (&str, [usize; 3])) -> Error {
    Error::InvalidInput(format!(
        "the {stacks} stacks differ in size: {first} {}, {second} {}; they must match pixel for pixel",
        describe(a),
        describe(b)
    ))
}

pub fn validate_stacks(plan: &TrainPlan, stacks: &TrainingStacks) -> Result<()> {
    let (image, labels) = (stacks.image.shape, stacks.labels.shape);
    if image.contains(&0) {
        return Err(Error::InvalidInput(format!("the image stack is empty ({})", describe(image))));
    }
    if image != labels {
        return Err(size_mismatch(image, labels));
    }
    let window = plan.config.window;
    let axes = ["z (slices)", "y (height)", "x (width)"];
    let too_big: Vec<String> = (0..3)
        .filter(|&d| window[d] > image[d])
        .map(|d| format!("{} is {} but the stack has {}", axes[d], window[d], image[d]))
        .collect();
    if !too_big.is_empty() {
        return Err(Error::setting(format!(
            "window: larger than the stack: {}; allowed: z 1 to {}, y {} to {}, x {} to {}",
            too_big.join(", "),
            image[0],
            crate::settings::MIN_WINDOW_YX,
            image[1],
            crate::settings::MIN_WINDOW_YX,
            image[2]
        )));
    }
    crate::data::check_finite(&stacks.image.data, stacks.image.shape, "image stack")?;
    if stacks.labels.data.iter().all(|&l| l == 0) {
        return Err(Error::InvalidInput("the label stack has no labelled pixels (all 0): nothing to learn".into()));
    }
    Ok(())
}
