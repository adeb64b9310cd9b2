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
            "window_size: larger than the stack: {}; allowed: z 1 to {}, y {} to {}, x {} to {}",
            too_big.join(", "),
            image[0],
            crate::settings::MIN_WINDOW_YX,
            image[1],
            crate::settings::MIN_WINDOW_YX,
            image[2]
        )));
    }
    crate::data::check_finite(&stacks.image.data, stacks.image.shape, "image stack")?;
    check_not_constant(&stacks.image.data)?;
    match plan.config.ignore_label {
        None if stacks.labels.data.iter().all(|&l| l == 0) => {
            return Err(Error::InvalidInput("the label stack has no labelled pixels (all 0): nothing to learn".into()));
        }
        Some(ignore) if stacks.labels.data.iter().all(|&l| l == 0 || l == ignore) => {
            return Err(Error::InvalidInput(format!(
                "the label stack has no annotated structure: every pixel is background (0) or unannotated (the ignore_label {ignore}); annotate some pixels of each class"
            )));
        }
        _ => {}
    }
    Ok(())
}

/// "sparse labels: 2.1 % of the voxels are annotated (ignore_label 65535 marks the rest); ..."
/// for a training with an ignore label, None without one.
pub fn annotated_share_message(ignore: Option<u32>, labels: &[u32]) -> Option<String> {
    let ignore = ignore?;
    let annotated = labels.iter().filter(|&&l| l != ignore).count();
    let share = 100.0 * annotated as f64 / labels.len().max(1) as f64;
    Some(format!(
        "sparse labels: {share:.2} % of the voxels are annotated ({annotated} of {}; ignore_label {ignore} marks the rest, which gives no loss, score or target)",
        labels.len()
    ))
}

/// A blank (or almost blank) image has nothing to learn from; without this check training
/// would divide by a zero spread and report "diverged", which sends people to the learning rate.
fn check_not_constant(values: &[f32]) -> Result<()> {
    let (min, max) = values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if min == max {
        return Err(Error::InvalidInput(format!(
            "the image stack is constant (every voxel is {min}): there is nothing to learn from; check that the right image was chosen"
        )));
    }
    // An almost constant image is almost all its minimum (a black frame) or its maximum.
    let (at_min, at_max) = values.iter().fold((0usize, 0usize), |(lo, hi), &v| (lo + (v == min) as usize, hi + (v == max) as usize));
    let (value, count) = if at_min > at_max { (min, at_min) } else { (max, at_max) };
    let share = count as f64 / values.len() as f64;
    if share > 0.9999 {
        return Err(Error::InvalidInput(format!(
            "the image stack is almost constant ({} of {} voxels are {value}): there is nothing to learn from; check that the right image was chosen",
            count,
            values.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_and_almost_constant_images_have_their_own_message() {
        let mut values = vec![7.0f32; 100_000];
        assert!(check_not_constant(&values).unwrap_err().to_string().contains("the image stack is constant (every voxel is 7)"));
        values[5] = 8.0;
        assert!(check_not_constant(&values).unwrap_err().to_string().contains("almost constant (99999 of 100000 voxels are 7)"));
        values.iter_mut().step_by(100).for_each(|v| *v = 9.0);
        assert!(check_not_constant(&values).is_ok(), "1 % of the voxels differ: an image");
    }
}
