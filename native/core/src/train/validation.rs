//! Validation: a block of the stack is held out from training (a block, not scattered pixels,
//! so neighbouring pixels of training windows do not leak into it) and scored every
//! validation_every iterations: loss, and IoU/Dice per class.
use super::Head;
use crate::data::{Region, StackData};
use crate::error::{Error, Result};
use crate::metrics::{Confusion, SemanticScores};
use crate::model::UNet;
use crate::settings::TrainingConfig;
use serde::{Deserialize, Serialize};
use tch::nn::ModuleT;
use tch::{Device, Kind, Tensor};

/// At most this many windows are scored per validation, spread evenly over the block, so a large
/// block does not stall training.
const MAX_WINDOWS: usize = 64;

/// The training region and, if a share is held out, the validation block: the last slices when
/// the stack has enough of them, else the last rows. The block may be thinner than a training
/// window (the network takes any size; validation windows are cut to the block), but at least
/// one slice or MIN_WINDOW_YX rows; the training region must still hold a whole window.
pub fn split(shape: [usize; 3], config: &TrainingConfig) -> Result<(Region, Option<Region>)> {
    let fraction = config.validation_fraction;
    let whole = Region::whole(shape);
    if fraction <= 0.0 {
        return Ok((whole, None));
    }
    let window = config.window;
    let fits = |axis: usize| {
        let thinnest = if axis == 0 { 1 } else { crate::settings::MIN_WINDOW_YX };
        let held = ((fraction * shape[axis] as f64).round() as usize).max(thinnest);
        (shape[axis] >= held + window[axis]).then_some(held)
    };
    let prefer_z = config.dims == 3 || shape[0] >= 10;
    let choice = if prefer_z { fits(0).map(|h| (0, h)).or_else(|| fits(1).map(|h| (1, h))) } else { fits(1).map(|h| (1, h)) };
    let Some((axis, held)) = choice else {
        return Err(Error::setting(format!(
            "validation_fraction: the stack ({} slices of {}x{}) is too small to hold out a validation block and still train on a whole window ({},{},{}); use a smaller window or validation_fraction 0",
            shape[0], shape[2], shape[1], window[0], window[1], window[2]
        )));
    };
    let (mut train, mut validation) = (whole, whole);
    train.end[axis] = shape[axis] - held;
    validation.start[axis] = shape[axis] - held;
    Ok((train, Some(validation)))
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ValidationScores {
    pub iteration: u64,
    pub loss: f64,
    /// Foreground IoU (binary and instance heads) or mean IoU over the classes.
    pub iou: f64,
    pub dice: f64,
    pub scores: SemanticScores,
}

/// Window origins along one axis: from start, one window apart, the last flush with the end.
fn origins(start: usize, end: usize, window: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (start..=end - window).step_by(window).collect();
    if *out.last().unwrap() != end - window {
        out.push(end - window);
    }
    out
}

/// Scores the network (in evaluation mode) on the validation block.
pub fn evaluate(net: &UNet, head: &Head, config: &TrainingConfig, data: &StackData, region: &Region, device: Device, iteration: u64) -> Result<ValidationScores> {
    let size = region.size();
    let w: [usize; 3] = [0, 1, 2].map(|d| config.window[d].min(size[d]));
    let mut windows = Vec::new();
    for z in origins(region.start[0], region.end[0], w[0]) {
        for y in origins(region.start[1], region.end[1], w[1]) {
            for x in origins(region.start[2], region.end[2], w[2]) {
                windows.push([z, y, x]);
            }
        }
    }
    let keep = windows.len().min(MAX_WINDOWS);
    let windows: Vec<[usize; 3]> = (0..keep).map(|i| windows[i * windows.len() / keep]).collect();
    let mut confusion = Confusion::new(head.metric_classes());
    let (mut loss_sum, mut batches) = (0.0, 0);
    let spatial = net.spec().spatial_dims();
    for chunk in windows.chunks(config.samples_per_batch.max(1) as usize) {
        let (image, target) = crop_windows(data, chunk, w, head);
        let batch = crate::data::Batch { image, target, shape: [chunk.len(), w[0], w[1], w[2]], target_channels: head.target_channels() };
        let (x, t) = batch.to_tensors(spatial, device);
        let (loss, predicted, truth) = tch::no_grad(|| {
            let logits = net.forward_t(&x, false);
            (head.loss(&logits, &t, config), head.predicted_classes(&logits), head.true_classes(&t))
        });
        loss_sum += f64::try_from(&loss)?;
        batches += 1;
        let to_vec = |t: Tensor| Vec::<u8>::try_from(t.to_kind(Kind::Uint8).to_device(Device::Cpu).flatten(0, -1));
        confusion.add(&to_vec(truth)?, &to_vec(predicted)?);
    }
    let scores = confusion.scores();
    let (iou, dice) = match head {
        Head::Classes { .. } => (scores.mean_iou, mean_defined(&scores.dice)),
        _ => (scores.iou[1].unwrap_or(0.0), scores.dice[1].unwrap_or(0.0)),
    };
    Ok(ValidationScores { iteration, loss: loss_sum / batches.max(1) as f64, iou, dice, scores })
}

fn mean_defined(values: &[Option<f64>]) -> f64 {
    let defined: Vec<f64> = values.iter().flatten().cloned().collect();
    defined.iter().sum::<f64>() / defined.len().max(1) as f64
}

/// Image windows (concatenated) and their targets, without augmentation.
fn crop_windows(data: &StackData, origins: &[[usize; 3]], w: [usize; 3], head: &Head) -> (Vec<f32>, Vec<f32>) {
    let [_, sy, sx] = data.shape;
    let (mut image, mut target) = (Vec::new(), Vec::new());
    for &[z0, y0, x0] in origins {
        let mut labels = Vec::with_capacity(w[0] * w[1] * w[2]);
        for z in z0..z0 + w[0] {
            for y in y0..y0 + w[1] {
                let row = (z * sy + y) * sx + x0;
                image.extend_from_slice(&data.image[row..row + w[2]]);
                labels.extend_from_slice(&data.labels[row..row + w[2]]);
            }
        }
        target.extend(head.targets(&labels, w));
    }
    (image, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;

    fn config(window: [usize; 3], fraction: f64) -> TrainingConfig {
        let mut c = load_config("Semantic2D").unwrap();
        (c.window, c.validation_fraction) = (window, fraction);
        c
    }

    #[test]
    fn the_block_is_the_last_slices_or_the_last_rows() {
        let (train, val) = split([20, 100, 100], &config([1, 64, 64], 0.1)).unwrap();
        assert_eq!((train.end, val.unwrap().start), ([18, 100, 100], [18, 0, 0]));
        // Few slices: the last rows, 10% of them.
        let (train, val) = split([3, 200, 100], &config([1, 64, 64], 0.1)).unwrap();
        assert_eq!((train.end, val.unwrap().start), ([3, 180, 100], [0, 180, 0]));
        // ... but at least 16 rows.
        let (train, _) = split([3, 96, 96], &config([1, 64, 64], 0.1)).unwrap();
        assert_eq!(train.end, [3, 80, 96]);
        let err = split([3, 70, 100], &config([1, 64, 64], 0.1)).unwrap_err().to_string();
        assert!(err.contains("validation_fraction: the stack (3 slices of 100x70) is too small"), "{err}");
        assert!(split([3, 100, 100], &config([1, 64, 64], 0.0)).unwrap().1.is_none());
    }

    #[test]
    fn window_origins_cover_the_block_exactly() {
        assert_eq!(origins(10, 30, 8), vec![10, 18, 22]);
        assert_eq!(origins(0, 8, 8), vec![0]);
    }
}
