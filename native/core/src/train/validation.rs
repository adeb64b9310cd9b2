//! Validation: a block of the stack is held out from training (a block, not scattered pixels,
//! so neighbouring pixels of training windows do not leak into it) and scored every
//! validation_every iterations: loss, and IoU/Dice per class.
use super::Head;
use crate::data::{Region, StackData};
use crate::error::{Error, Result};
use crate::metrics::{Confusion, SemanticScores};
use crate::model::UNet;
use crate::settings::{Task, TrainingConfig};
use std::collections::BTreeSet;
use serde::{Deserialize, Serialize};
use tch::nn::ModuleT;
use tch::{Device, Kind, Tensor};

/// Validations a run shows at least (when the interval is not given and the run is long enough).
pub const MIN_VALIDATIONS: u64 = 10;

/// The validation interval when the person gave none: the config's, or for a run too short for
/// MIN_VALIDATIONS of those, one that gives at least that many (every iteration in a run of
/// fewer iterations), so that any run's curve has its validation points. A time budget fits the
/// interval to the run afterwards; model.json stores the value used, which a resume keeps.
pub fn default_validation_every(config_every: u64, iteration_total: u64) -> u64 {
    config_every.min((iteration_total / MIN_VALIDATIONS).max(1))
}

/// The interval of a resumed run whose total changes from `old_total` to `new_total`: an interval
/// that was chosen for the old total (it equals that choice) is chosen again for the new one, so
/// that a run stretched from 300 to 10,000 iterations is not scored 333 times; one the person
/// gave otherwise is kept. (One typed equal to the automatic choice is treated as automatic.)
pub fn resumed_validation_every(stored: u64, config_every: u64, old_total: u64, new_total: u64) -> u64 {
    if stored == default_validation_every(config_every, old_total) {
        default_validation_every(config_every, new_total)
    } else {
        stored
    }
}

/// At most this many windows are scored per validation, spread evenly over the block, so a large
/// block does not stall training.
const MAX_WINDOWS: usize = 64;

/// The training region and, if a share is held out, the validation block: a slab at one end
/// of the stack, the last slices when the stack has enough of them, else rows or columns (2D
/// configs and thin stacks), whichever gives the thicker slab. The block may be thinner than a training window (the network takes any size;
/// validation windows are cut to the block), but at least one slice or MIN_WINDOW_YX rows; the
/// training region must still hold a whole window.
///
/// Of the possible slabs (preferred axis: end, then start; in-plane also the columns), the
/// first that holds every class of the labels is taken (instance labels: background and
/// objects), else the one holding the most: a block of background only would score IoU 0
/// whatever the network does and pick the "best" checkpoint at random (found on plate2d,
/// whose last rows are the microscope's caption bar). Unannotated voxels (`ignore_label`) are
/// no class: with sparse labels the block is the first that holds annotations of every class.
pub fn split(labels: &[u32], shape: [usize; 3], config: &TrainingConfig) -> Result<(Region, Option<Region>)> {
    let fraction = config.validation_fraction;
    let whole = Region::whole(shape);
    if fraction <= 0.0 {
        return Ok((whole, None));
    }
    let window = config.window;
    let held = |axis: usize| {
        let thinnest = if axis == 0 { 1 } else { crate::settings::MIN_WINDOW_YX };
        let held = ((fraction * shape[axis] as f64).round() as usize).max(thinnest);
        (shape[axis] >= held + window[axis]).then_some(held)
    };
    let prefer_z = config.dims == 3 || shape[0] >= 10;
    // In-plane, the thicker slab first (across the longer axis): on 7 chloroplast sections of
    // 600 x 1647 pixels a slab of rows was 60 pixels thick, and objects of 41 pixels were nearly
    // all cut by its edges, so the tuning on it favoured tiny seeds that split whole objects
    // (held-out AP@0.5 0.14, BENCHMARKS.md); a slab of columns is 165 pixels thick.
    let in_plane = if held(2).unwrap_or(0) > held(1).unwrap_or(0) { [2, 1] } else { [1, 2] };
    let axes: &[usize] = if prefer_z && held(0).is_some() { &[0] } else { &in_plane };
    let mut slabs = Vec::new();
    for &axis in axes {
        let Some(held) = held(axis) else { continue };
        for at_end in [true, false] {
            let (mut train, mut validation) = (whole, whole);
            if at_end {
                train.end[axis] = shape[axis] - held;
                validation.start[axis] = shape[axis] - held;
            } else {
                validation.end[axis] = held;
                train.start[axis] = held;
            }
            slabs.push((train, validation));
        }
    }
    if slabs.is_empty() {
        return Err(Error::setting(format!(
            "validation_fraction: the stack ({} slices of {}x{}) is too small to hold out a validation block and still train on a whole window ({},{},{}); use a smaller window or validation_fraction 0",
            shape[0], shape[2], shape[1], window[0], window[1], window[2]
        )));
    }
    let instance = config.task == Task::Instance;
    let ignore = config.ignore_label;
    let all = classes_in(labels, shape, &whole, instance, ignore).len();
    let mut best = (0, 0);
    for (i, (_, validation)) in slabs.iter().enumerate() {
        let held = classes_in(labels, shape, validation, instance, ignore).len();
        if held > best.1 {
            best = (i, held);
        }
        if held == all {
            break;
        }
    }
    let (train, validation) = slabs[best.0];
    Ok((train, Some(validation)))
}

/// The label values in a region (instance labels: 0 and 1 for any object), `ignore` left out.
fn classes_in(labels: &[u32], shape: [usize; 3], region: &Region, instance: bool, ignore: Option<u32>) -> BTreeSet<u32> {
    let [_, sy, sx] = shape;
    let mut classes = BTreeSet::new();
    let mut last = None;
    for z in region.start[0]..region.end[0] {
        for y in region.start[1]..region.end[1] {
            let row = (z * sy + y) * sx;
            for &value in &labels[row + region.start[2]..row + region.end[2]] {
                if Some(value) == ignore {
                    continue;
                }
                let class = if instance { value.min(1) } else { value };
                if last != Some(class) {
                    classes.insert(class);
                    last = Some(class);
                }
            }
        }
    }
    classes
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ValidationScores {
    pub iteration: u64,
    pub loss: f64,
    /// Foreground IoU (binary and instance heads), mean IoU over the classes, or for densely
    /// labelled instance data the contour IoU (`contour`).
    pub iou: f64,
    pub dice: f64,
    pub scores: SemanticScores,
    /// The scores are the contour channel's: the validation block is densely labelled (objects
    /// tile it, as neurons do neuropil), where the foreground IoU is 1 from the first iteration
    /// and says nothing; where objects meet is what such a network must learn.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contour: bool,
}

/// Window origins along one axis: from start, one window apart, the last flush with the end.
fn origins(start: usize, end: usize, window: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (start..=end - window).step_by(window).collect();
    if *out.last().unwrap() != end - window {
        out.push(end - window);
    }
    out
}

/// Scores the network (in evaluation mode) on the validation block. With sparse labels only
/// annotated voxels are scored (and give loss), and windows without any are skipped.
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
    let ignore = config.ignore_label;
    if let Some(ignore) = ignore {
        let annotated: Vec<[usize; 3]> = windows.iter().copied().filter(|&origin| holds_annotation(data, origin, w, ignore)).collect();
        if !annotated.is_empty() {
            windows = annotated;
        }
    }
    let keep = windows.len().min(MAX_WINDOWS);
    let windows: Vec<[usize; 3]> = (0..keep).map(|i| windows[i * windows.len() / keep]).collect();
    let mut confusion = Confusion::new(head.metric_classes());
    // Instance heads on dense labels: the contour channel is scored too (see ValidationScores).
    let score_contours = matches!(head, Head::Instance { .. }) && ignore.is_none();
    let mut contours = Confusion::new(2);
    let (mut labelled, mut voxels) = (0usize, 0usize);
    let (mut loss_sum, mut batches) = (0.0, 0);
    let spatial = net.spec().spatial_dims();
    for chunk in windows.chunks(config.samples_per_batch.max(1) as usize) {
        let (image, target) = crop_windows(data, chunk, w, head, ignore);
        let batch = crate::data::Batch { image, target, shape: [chunk.len(), w[0], w[1], w[2]], target_channels: head.target_channels(ignore.is_some()) };
        let (x, t) = batch.to_tensors(spatial, device);
        let (loss, predicted, truth, annotated, contour) = tch::no_grad(|| {
            let logits = net.forward_t(&x, false);
            let contour = score_contours.then(|| (logits.narrow(1, 1, 1).gt(0.0), t.narrow(1, 1, 1).gt(0.5)));
            (head.loss(&logits, &t, config), head.predicted_classes(&logits), head.true_classes(&t), head.annotated(&t, ignore.is_some()), contour)
        });
        loss_sum += f64::try_from(&loss)?;
        batches += 1;
        let to_vec = |t: Tensor| Vec::<u8>::try_from(t.to_kind(Kind::Uint8).to_device(Device::Cpu).flatten(0, -1));
        let (truth, predicted) = (to_vec(truth)?, to_vec(predicted)?);
        if let Some((predicted_contour, true_contour)) = contour {
            contours.add(&to_vec(true_contour)?, &to_vec(predicted_contour)?);
            labelled += truth.iter().filter(|&&c| c != 0).count();
            voxels += truth.len();
        }
        match annotated {
            None => confusion.add(&truth, &predicted),
            Some(annotated) => {
                let annotated = to_vec(annotated)?;
                let keep = |values: &[u8]| -> Vec<u8> { values.iter().zip(&annotated).filter(|(_, &a)| a == 1).map(|(&v, _)| v).collect() };
                confusion.add(&keep(&truth), &keep(&predicted));
            }
        }
    }
    let dense = score_contours && labelled as f64 >= crate::post::DENSE_SHARE * voxels.max(1) as f64;
    let scores = if dense { contours.scores() } else { confusion.scores() };
    let (iou, dice) = match head {
        Head::Classes { .. } => (scores.mean_iou, mean_defined(&scores.dice)),
        _ => (scores.iou[1].unwrap_or(0.0), scores.dice[1].unwrap_or(0.0)),
    };
    Ok(ValidationScores { iteration, loss: loss_sum / batches.max(1) as f64, iou, dice, scores, contour: dense })
}

fn mean_defined(values: &[Option<f64>]) -> f64 {
    let defined: Vec<f64> = values.iter().flatten().cloned().collect();
    defined.iter().sum::<f64>() / defined.len().max(1) as f64
}

/// Whether the window at `origin` holds an annotated voxel.
fn holds_annotation(data: &StackData, [z0, y0, x0]: [usize; 3], w: [usize; 3], ignore: u32) -> bool {
    let [_, sy, sx] = data.shape;
    (z0..z0 + w[0]).any(|z| (y0..y0 + w[1]).any(|y| {
        let row = (z * sy + y) * sx + x0;
        data.labels[row..row + w[2]].iter().any(|&l| l != ignore)
    }))
}

/// Image windows (concatenated) and their targets, without augmentation.
fn crop_windows(data: &StackData, origins: &[[usize; 3]], w: [usize; 3], head: &Head, ignore: Option<u32>) -> (Vec<f32>, Vec<f32>) {
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
        target.extend(head.targets(&labels, w, ignore));
    }
    (image, target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;

    #[test]
    fn the_default_interval_gives_at_least_ten_validations() {
        // Long runs keep the config's interval; shorter ones get ten validations or more.
        assert_eq!(default_validation_every(500, 10_000), 500);
        assert_eq!(default_validation_every(500, 5000), 500);
        assert_eq!(default_validation_every(500, 4999), 499);
        assert_eq!(default_validation_every(500, 300), 30);
        assert_eq!(default_validation_every(500, 40), 4);
        assert_eq!(default_validation_every(500, 25), 2);
        assert_eq!(default_validation_every(500, 5), 1, "every iteration below ten");
        assert_eq!(resumed_validation_every(30, 500, 300, 10_000), 500, "an automatic interval follows the new total");
        assert_eq!(resumed_validation_every(30, 500, 300, 600), 60);
        assert_eq!(resumed_validation_every(500, 500, 10_000, 20_000), 500);
        assert_eq!(resumed_validation_every(25, 500, 300, 10_000), 25, "a person's own interval stays");
        for total in 1..3000 {
            let every = default_validation_every(500, total);
            let points = total / every + u64::from(total % every != 0); // and the last iteration
            assert!(points >= total.min(MIN_VALIDATIONS) && every <= 500, "{total}: every {every}, {points} points");
        }
    }

    #[test]
    fn settings_use_the_default_interval_only_when_none_is_given() {
        let resolve = |extra: &str| {
            let text = format!(r#"{{"config":"Semantic2D","name":"m","models_dir":"/tmp/x"{extra}}}"#);
            crate::settings::TrainSettings::from_json(&text).unwrap().resolve().unwrap().config.validation_every
        };
        let config_every = load_config("Semantic2D").unwrap().validation_every;
        assert_eq!(resolve(""), default_validation_every(config_every, load_config("Semantic2D").unwrap().iteration_total));
        assert_eq!(resolve(r#","iteration_total":40,"iteration_save":20"#), 4);
        assert_eq!(resolve(r#","iteration_total":40,"iteration_save":20,"validation_every":25"#), 25, "a given interval is kept");
    }

    fn config(window: [usize; 3], fraction: f64) -> TrainingConfig {
        let mut c = load_config("Semantic2D").unwrap();
        (c.window, c.validation_fraction) = (window, fraction);
        c
    }

    /// Labels of `shape` with one object (value 1) in every slice at rows 40..50, columns 40..50.
    fn labels_with_object(shape: [usize; 3]) -> Vec<u32> {
        let [sz, sy, sx] = shape;
        let mut labels = vec![0; sz * sy * sx];
        for z in 0..sz {
            for y in 40..50 {
                for x in 40..50 {
                    labels[(z * sy + y) * sx + x] = 1;
                }
            }
        }
        labels
    }

    fn split_of(shape: [usize; 3], window: [usize; 3], fraction: f64) -> Result<(Region, Option<Region>)> {
        split(&labels_with_object(shape), shape, &config(window, fraction))
    }

    #[test]
    fn the_block_is_the_last_slices_or_the_thickest_slab_of_rows_or_columns() {
        let (train, val) = split_of([20, 100, 100], [1, 64, 64], 0.1).unwrap();
        assert_eq!((train.end, val.unwrap().start), ([18, 100, 100], [18, 0, 0]));
        // Few slices: rows, 10% of them. No slab holds the object (rows and columns 40..50),
        // so the first candidate, the last rows, is taken.
        let (train, val) = split_of([3, 200, 100], [1, 64, 64], 0.1).unwrap();
        assert_eq!((train.end, val.unwrap().start), ([3, 180, 100], [0, 180, 0]));
        // ... but at least 16 rows.
        let (train, _) = split_of([3, 96, 96], [1, 64, 64], 0.1).unwrap();
        assert_eq!(train.end, [3, 80, 96]);
        let err = split_of([3, 70, 70], [1, 64, 64], 0.1).unwrap_err().to_string();
        assert!(err.contains("validation_fraction: the stack (3 slices of 70x70) is too small"), "{err}");
        assert!(split_of([3, 100, 100], [1, 64, 64], 0.0).unwrap().1.is_none());
        // Wide sections: columns, a slab thicker than one of rows (60 against 20 pixels); the
        // first columns, which hold the object.
        let (train, val) = split_of([3, 200, 600], [1, 64, 64], 0.1).unwrap();
        assert_eq!((train.start, val.unwrap().end), ([0, 0, 60], [3, 200, 60]));
    }

    #[test]
    fn the_block_holds_every_class_when_some_slab_does() {
        // 3 slices of 100x400: slabs of 40 rows, or of 16 columns (10% of 100, at least 16).
        // The object (rows 100..110, columns 5..10) is only in the first columns.
        let shape = [3, 400, 100];
        let mut labels = vec![0; 3 * 400 * 100];
        for z in 0..3 {
            for y in 100..110 {
                for x in 5..10 {
                    labels[(z * 400 + y) * 100 + x] = 1;
                }
            }
        }
        let (train, val) = split(&labels, shape, &config([1, 64, 64], 0.1)).unwrap();
        let val = val.unwrap();
        assert_eq!((val.start, val.end), ([0, 0, 0], [3, 400, 16]), "the first 16 columns hold the object");
        assert_eq!((train.start, train.end), ([0, 0, 16], [3, 400, 100]));
        // An object in the first rows: the first row slab is taken.
        let mut labels = vec![0; 3 * 400 * 100];
        labels[(400 + 3) * 100 + 50] = 1;
        let (train, val) = split(&labels, shape, &config([1, 64, 64], 0.1)).unwrap();
        assert_eq!((val.unwrap().end, train.start), ([3, 40, 100], [0, 40, 0]));
        // Instance ids count as one class: an object of id 7 in the last rows is enough there.
        let mut c = config([1, 64, 64], 0.1);
        c.task = Task::Instance;
        let mut labels = vec![0; 3 * 400 * 100];
        labels[(400 + 390) * 100 + 50] = 7;
        labels[(400 + 10) * 100 + 50] = 3;
        let (_, val) = split(&labels, shape, &c).unwrap();
        assert_eq!(val.unwrap().start, [0, 360, 0]);
    }

    #[test]
    fn unannotated_voxels_are_no_class_when_the_block_is_chosen() {
        // Unannotated (65535) everywhere but a background and an object patch in the first
        // rows: the last rows hold only unannotated voxels, so the first rows are taken.
        let shape = [3, 400, 100];
        let mut labels = vec![65535; 3 * 400 * 100];
        labels[(400 + 3) * 100 + 50] = 1;
        labels[(400 + 4) * 100 + 50] = 0;
        let mut c = config([1, 64, 64], 0.1);
        c.ignore_label = Some(65535);
        let (_, val) = split(&labels, shape, &c).unwrap();
        assert_eq!(val.unwrap().end, [3, 40, 100]);
    }

    #[test]
    fn window_origins_cover_the_block_exactly() {
        assert_eq!(origins(10, 30, 8), vec![10, 18, 22]);
        assert_eq!(origins(0, 8, 8), vec![0]);
    }
}
