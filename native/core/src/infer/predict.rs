//! The prediction pipeline.
//!
//! Memory: besides the input (4 bytes per voxel, normalised copy) and the label output (4 bytes
//! per voxel), windows are blended into an accumulator covering one chunk of slices (at most
//! CHUNK_FLOATS floats, plus one window depth on each side). Semantic models and 2D instance
//! models are post-processed chunk by chunk. A 3D instance model (its watershed needs the whole
//! volume), a stack resampled to the model's voxel size, or a request for the probability maps
//! keep the model's output channels for the whole stack (4 bytes per voxel and channel).
use super::blending::{gaussian_weights, Accumulator};
use super::resample::{check_resampling_ratio, checked_resampled_shape, resample_linear};
use super::tiling::{effective_window, window_origins};
use super::tta::Transform;
use crate::error::{Error, Result};
use crate::job::JobContext;
use crate::model::{load_weights, read_weights, Compute, UNet};
use crate::post::{argmax, segment_instances, threshold, InstanceParams, SectionLinker};
use crate::rng::Rng;
use crate::store::{ModelDir, ModelRecord, PostProcess, BEST_WEIGHTS, WEIGHTS};
use crate::train::{Event, Head};
use crate::runtime;
use crate::settings::{MAX_OVERLAP, MAX_PREDICT_BATCH};
use segtrain_volume::Volume;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tch::nn::{ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

/// Floats of blended output one chunk may hold (128 MB).
const CHUNK_FLOATS: usize = 32 << 20;

/// How to label a stack (dialog, macro, CLI).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PredictSettings {
    /// The stored model.
    #[serde(rename = "model", alias = "name")]
    pub name: String,
    #[serde(rename = "models_folder", alias = "models_dir")]
    pub models_dir: Option<PathBuf>,
    /// Overlap of neighbouring windows, as a share of the window (0.5 = half a window).
    pub overlap: f64,
    /// Average the predictions of flipped and transposed copies (8x (2D) or 16x (3D) slower).
    pub tta: bool,
    pub gpus: u32,
    pub cpus: u32,
    /// auto, fp32 or bf16 (see settings::Precision); auto resolves on the device.
    pub precision: String,
    /// Windows per forward pass.
    pub batch: usize,
    /// Also return the probability maps.
    pub probabilities: bool,
    /// Voxel size of the stack, x, y, z nm; None = its calibration, else the model's (no
    /// resampling). Given as x_nm, y_nm, z_nm (all three), or as voxel_nm by older callers.
    pub voxel_nm: Option<[f64; 3]>,
    pub x_nm: Option<f64>,
    pub y_nm: Option<f64>,
    pub z_nm: Option<f64>,
    /// The image's calibration as ImageJ keeps it ({unit, x, y, z}), used when no voxel size is given.
    pub calibration: Option<serde_json::Value>,
    /// "final" (model.safetensors) or "best" (best validation, best.safetensors).
    pub weights: String,
    /// Binary semantic models: foreground where the probability is at least this; None = the
    /// model's (model.json "postprocess").
    pub threshold: Option<f32>,
    /// Instance models: fields of the watershed's parameters to change (e.g. {"min_size": 100});
    /// the others keep the model's values.
    pub instance: Option<serde_json::Value>,
    /// The same parameters one by one, as a dialog or the CLI gives them.
    pub foreground_threshold: Option<serde_json::Value>,
    pub seed_foreground: Option<serde_json::Value>,
    pub seed_contour: Option<serde_json::Value>,
    pub seed_distance: Option<serde_json::Value>,
    pub min_seed_size: Option<serde_json::Value>,
    pub min_size: Option<serde_json::Value>,
    pub max_hole_size: Option<serde_json::Value>,
    pub link_sections: Option<serde_json::Value>,
    /// Slices blended per chunk; 0 = as many as CHUNK_FLOATS allows. The result does not depend
    /// on it (window positions are fixed for the whole stack); only memory and speed do.
    pub chunk_slices: usize,
}

impl Default for PredictSettings {
    fn default() -> Self {
        PredictSettings {
            name: String::new(),
            models_dir: None,
            overlap: 0.5,
            tta: false,
            gpus: 0,
            cpus: 2,
            precision: "auto".into(),
            batch: 4,
            probabilities: false,
            voxel_nm: None,
            x_nm: None,
            y_nm: None,
            z_nm: None,
            calibration: None,
            foreground_threshold: None,
            seed_foreground: None,
            seed_contour: None,
            seed_distance: None,
            min_seed_size: None,
            min_size: None,
            max_hole_size: None,
            link_sections: None,
            weights: "final".into(),
            threshold: None,
            instance: None,
            chunk_slices: 0,
        }
    }
}

impl PredictSettings {
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::setting(format!("auto-label settings are not valid JSON: {e}")))
    }

    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        if let Err(m) = crate::settings::validate_model_name(&self.name) {
            problems.push(format!("model: {m}"));
        }
        if !(0.0..=MAX_OVERLAP).contains(&self.overlap) {
            problems.push(format!("overlap: must be from 0 to {MAX_OVERLAP} of a window (got {})", self.overlap));
        }
        if self.batch == 0 || self.batch as u64 > MAX_PREDICT_BATCH {
            problems.push(format!("batch: must be from 1 to {MAX_PREDICT_BATCH} windows (got {})", self.batch));
        }
        problems.extend(crate::runtime::cpus_problem(self.cpus));
        if let Err(m) = crate::settings::Precision::parse(&self.precision) {
            problems.push(m);
        }
        if self.weights != "final" && self.weights != "best" {
            problems.push(format!("weights: 'final' or 'best' (got '{}')", self.weights));
        }
        if let Some(t) = self.threshold.filter(|t| !(0.0..=1.0).contains(t)) {
            problems.push(format!("threshold: must be from 0 to 1 (got {t})"));
        }
        if let Some(v) = self.voxel_nm {
            if v.iter().any(|s| !s.is_finite() || *s <= 0.0) {
                problems.push(format!("voxel_nm: three sizes above 0 (got {v:?})"));
            }
        }
        if let Err(p) = self.given_voxel_nm() {
            problems.extend(p);
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidSettings(problems)) }
    }

    /// x_nm, y_nm, z_nm when given (all three, or the older voxel_nm's), else voxel_nm; None
    /// when neither (the image's calibration, else the model's voxel size).
    pub fn given_voxel_nm(&self) -> std::result::Result<Option<[f64; 3]>, Vec<String>> {
        Ok(crate::settings::schema::voxel_from_axes([self.x_nm, self.y_nm, self.z_nm], self.voxel_nm)?.or(self.voxel_nm))
    }

    /// The watershed changes: `instance` and the parameters given one by one.
    fn watershed_changes(&self) -> Option<serde_json::Value> {
        let flat = [
            ("foreground_threshold", &self.foreground_threshold),
            ("seed_foreground", &self.seed_foreground),
            ("seed_contour", &self.seed_contour),
            ("seed_distance", &self.seed_distance),
            ("min_seed_size", &self.min_seed_size),
            ("min_size", &self.min_size),
            ("max_hole_size", &self.max_hole_size),
            ("link_sections", &self.link_sections),
        ];
        if flat.iter().all(|(_, v)| v.is_none()) {
            return self.instance.clone();
        }
        let mut changes = match &self.instance {
            Some(serde_json::Value::Object(m)) => m.clone(),
            _ => serde_json::Map::new(),
        };
        for (key, value) in flat {
            if let Some(v) = value {
                changes.insert(key.to_string(), v.clone());
            }
        }
        Some(serde_json::Value::Object(changes))
    }
}


/// A labelled stack.
#[derive(Debug)]
pub struct Prediction {
    /// Label image at the input's size and calibration: classes (semantic) or object ids.
    pub labels: Volume<u32>,
    /// Probability maps, channel after channel, each of the input's size (on request).
    pub probabilities: Option<Vec<Volume<f32>>>,
    /// Names of the probability channels.
    pub outputs: Vec<String>,
    /// The model's record.
    pub record: ModelRecord,
}

/// Labels `image` with the stored model `settings.name`.
pub fn predict(settings: &PredictSettings, image: Volume<f32>, ctx: &JobContext) -> Result<Prediction> {
    let prediction = predict_kept_memory(settings, image, ctx);
    runtime::release_memory(); // what malloc kept for the windows (runtime::tune_allocator)
    prediction
}

fn predict_kept_memory(settings: &PredictSettings, image: Volume<f32>, ctx: &JobContext) -> Result<Prediction> {
    settings.check()?;
    if image.data.is_empty() {
        return Err(Error::InvalidInput("the stack to label is empty".into()));
    }
    crate::data::check_finite(&image.data, image.shape, "stack to label")?;
    let device = runtime::choose_devices(settings.gpus)?[0];
    runtime::set_cpu_threads(settings.cpus);
    let (_dir, record, _vs, mut net) = load_model(settings.models_dir.as_deref(), &settings.name, &settings.weights, device)?;

    let input_shape = image.shape;
    let calibration = image.voxel_nm;
    let mut values = image.data;
    record.normalization.apply(&mut values);
    // Resample to the model's voxel size when the stack's differs by more than 1%.
    let model_nm = record.config.voxel_nm;
    let calibration = calibration.or_else(|| settings.calibration.as_ref().and_then(crate::settings::schema::calibration_nm));
    let given = settings.given_voxel_nm().map_err(Error::InvalidSettings)?;
    let stack_nm = stack_voxel_nm(&record, given, calibration);
    // Working memory per voxel: the image, every output channel, blending weights, labels.
    let bytes_per_voxel = 4 * (record.head.output_channels() as u64 + 3);
    check_resampling_ratio(stack_nm, model_nm)?;
    let work_shape = checked_resampled_shape(input_shape, stack_nm, model_nm, bytes_per_voxel)?;
    let resampled = work_shape != input_shape;
    if resampled {
        ctx.emit(Event::Message {
            text: format!(
                "resampling from {:.2}x{:.2}x{:.2} nm to the model's {:.2}x{:.2}x{:.2} nm: {:?} -> {:?} (z, y, x)",
                stack_nm[0], stack_nm[1], stack_nm[2], model_nm[0], model_nm[1], model_nm[2], input_shape, work_shape
            ),
        });
        values = resample_linear(&values, 1, input_shape, work_shape);
    }
    // The model's size limits count voxels at its own size; post-processing runs at the stack's.
    let size_ratio = if !resampled {
        1.0
    } else if record.config.dims == 2 {
        (model_nm[0] * model_nm[1]) / (stack_nm[0] * stack_nm[1])
    } else {
        model_nm.iter().product::<f64>() / stack_nm.iter().product::<f64>()
    };
    let post = post_process_params(&record, settings, size_ratio)?;
    // Said once every setting has been checked, so that a refused run prints only its error.
    let (precision, why) = crate::settings::Precision::parse(&settings.precision).map_err(|m| Error::InvalidSettings(vec![m]))?.resolve(device);
    net.set_compute(Compute::for_network(net.spec(), precision, true));
    if settings.precision.trim() != "fp32" {
        ctx.emit(Event::Message { text: why });
    }
    let head = &record.head;
    let per_slice = record.config.dims == 2;
    let keep_maps = resampled || settings.probabilities || (matches!(head, Head::Instance { .. }) && !per_slice);
    let mut run = Predictor { net: &net, head, settings, device, spatial: record.network.spatial_dims(), window: effective_window(work_shape, record.config.window), progress: true };
    let channels = head.output_channels() as usize;
    let mut labels: Vec<u32> = Vec::with_capacity(if keep_maps { 0 } else { values.len() });
    let mut maps: Vec<f32> = Vec::new();
    let mut ids = InstanceIds::new(&post.instance, per_slice, work_shape);
    let mut depths = Vec::new();
    run.each_chunk(&values, work_shape, ctx, |chunk, depth| {
        if keep_maps {
            maps.extend_from_slice(chunk); // channel-major per chunk; reordered below
            depths.push(depth);
        } else {
            let plane = work_shape[1] * work_shape[2];
            labels.extend(post_process(head, chunk, [depth, work_shape[1], work_shape[2]], per_slice, &post, &mut ids));
            debug_assert_eq!(chunk.len(), channels * depth * plane);
        }
    })?;
    let (labels, probabilities) = if keep_maps {
        let mut maps = channel_major(&maps, channels, work_shape, &depths);
        if resampled {
            maps = resample_linear(&maps, channels, work_shape, input_shape);
        }
        let mut ids = InstanceIds::new(&post.instance, per_slice, input_shape);
        let labels = post_process(head, &maps, input_shape, per_slice, &post, &mut ids);
        let n: usize = input_shape.iter().product();
        let probabilities = settings.probabilities.then(|| {
            (0..channels).map(|c| Volume { data: maps[c * n..(c + 1) * n].to_vec(), shape: input_shape, voxel_nm: calibration }).collect()
        });
        (labels, probabilities)
    } else {
        (labels, None)
    };
    Ok(Prediction {
        labels: Volume { data: labels, shape: input_shape, voxel_nm: calibration },
        probabilities,
        outputs: head.output_names(),
        record,
    })
}

/// The probability maps (channel-major over the whole stack) of `net` on a normalised `image`
/// of `shape`, tiled and blended as auto-label does (overlap 0.5, no TTA): what the
/// post-processing tuner scores.
pub(crate) fn probability_maps(net: &UNet, head: &Head, model_window: [usize; 3], image: &[f32], shape: [usize; 3], device: Device, ctx: &JobContext) -> Result<Vec<f32>> {
    let settings = PredictSettings::default();
    let window = effective_window(shape, model_window);
    // No progress events: a training's tuning is not a labelling job.
    let mut run = Predictor { net, head, settings: &settings, device, spatial: net.spec().spatial_dims(), window, progress: false };
    let (mut chunks, mut depths) = (Vec::new(), Vec::new());
    run.each_chunk(image, shape, ctx, |chunk, depth| {
        chunks.extend_from_slice(chunk);
        depths.push(depth);
    })?;
    Ok(channel_major(&chunks, head.output_channels() as usize, shape, &depths))
}

/// The voxel size of a stack to label or tune with `record`'s model: the one given, else the
/// stack's calibration, else the one the training stacks were given (so an uncalibrated stack
/// is resampled by the scale the model trained at, like the uncalibrated training stacks). For
/// a 2D model z is the model's: it labels each section, whatever their spacing.
pub(crate) fn stack_voxel_nm(record: &ModelRecord, given: Option<[f64; 3]>, calibration: Option<[f64; 3]>) -> [f64; 3] {
    let model_nm = record.config.voxel_nm;
    let mut stack_nm = given.or(calibration).unwrap_or_else(|| record.input_voxel_nm());
    if record.config.dims == 2 {
        stack_nm[2] = model_nm[2];
    }
    stack_nm
}

/// A stored model's folder, record and network with its `weights` ("final" or "best") loaded
/// on `device` (the VarStore owns the weights and must live as long as the network is used).
/// `models_dir`: None or empty = the default folder.
pub fn load_model(models_dir: Option<&std::path::Path>, name: &str, weights: &str, device: Device) -> Result<(ModelDir, ModelRecord, VarStore, UNet)> {
    let models_dir = crate::store::models_dir_or_default(models_dir);
    let dir = ModelDir::existing(&models_dir, name, "model")?;
    let record = dir.read_record()?;
    let file = if weights == "best" { dir.path.join(BEST_WEIGHTS) } else { dir.path.join(WEIGHTS) };
    if !file.is_file() {
        return Err(Error::InvalidInput(format!(
            "model '{name}' has no {weights} weights yet (status: {:?}); finish or resume its training, or use its checkpoints",
            record.status
        )));
    }
    let vs = VarStore::new(device);
    let net = UNet::new(&vs.root(), &record.network, &mut Rng::new(0));
    load_weights(&vs, &read_weights(&file)?, &format!("model '{name}'"))?;
    Ok((dir, record, vs, net))
}

/// Chunks arrive channel-major per chunk ([c][z in chunk][y][x], chunk depths in `depths`); the
/// whole stack is wanted channel-major over all slices.
fn channel_major(chunks: &[f32], channels: usize, shape: [usize; 3], depths: &[usize]) -> Vec<f32> {
    let plane = shape[1] * shape[2];
    let n = shape[0] * plane;
    let mut out = vec![0f32; channels * n];
    let (mut offset, mut z) = (0, 0);
    for &depth in depths {
        for c in 0..channels {
            let src = &chunks[offset + c * depth * plane..offset + (c + 1) * depth * plane];
            out[c * n + z * plane..c * n + (z + depth) * plane].copy_from_slice(src);
        }
        offset += channels * depth * plane;
        z += depth;
    }
    out
}

/// The model's post-processing, its size limits times `size_ratio` (voxels of the stack per
/// voxel of the model), with the settings' changes applied (a person's sizes count the
/// stack's voxels as they are).
fn post_process_params(record: &ModelRecord, settings: &PredictSettings, size_ratio: f64) -> Result<PostProcess> {
    let mut post = record.postprocess.clone().with_sizes_scaled(size_ratio);
    if let Some(t) = settings.threshold {
        post.threshold = t;
    }
    if let Some(changes) = &settings.watershed_changes() {
        let mut merged = serde_json::to_value(&post.instance).expect("parameters serialise");
        let (Some(target), Some(changes)) = (merged.as_object_mut(), changes.as_object()) else {
            return Err(Error::setting("instance: must be an object of watershed parameters, e.g. {\"min_size\": 100}"));
        };
        for (key, value) in changes {
            if !target.contains_key(key) {
                return Err(Error::setting(format!("instance: unknown parameter '{key}'; known: {}", target.keys().cloned().collect::<Vec<_>>().join(", "))));
            }
            // Sizes count voxels; the other parameters are probabilities (as the network's outputs).
            let (fits, wanted) = if key.ends_with("size") {
                (value.as_u64().is_some(), "a whole number of voxels, 0 or more")
            } else {
                (value.as_f64().is_some_and(|v| (0.0..=1.0).contains(&v)), "a probability from 0 to 1")
            };
            if !fits {
                return Err(Error::setting(format!("{key}: {wanted} (got {value})")));
            }
            target.insert(key.clone(), value.clone());
        }
        post.instance = serde_json::from_value::<InstanceParams>(merged).map_err(|e| Error::setting(format!("instance: {e}")))?;
    }
    Ok(post)
}

/// How instance ids continue from one chunk of slices to the next.
enum InstanceIds {
    /// Each chunk's ids follow the largest id so far.
    Offset(u32),
    /// 2D models with `link_sections`: objects of consecutive sections are linked by overlap.
    Linked(SectionLinker),
}

impl InstanceIds {
    fn new(params: &InstanceParams, per_slice: bool, shape: [usize; 3]) -> Self {
        if per_slice && params.link_sections > 0.0 {
            InstanceIds::Linked(SectionLinker::new(params.link_sections.min(1.0), shape[1] * shape[2], 0))
        } else {
            InstanceIds::Offset(0)
        }
    }

    /// Gives the ids of one chunk (unique within each of its slices) their final values.
    fn assign(&mut self, ids: &mut [u32]) {
        match self {
            InstanceIds::Linked(linker) => linker.link(ids),
            InstanceIds::Offset(next_id) => {
                let offset = *next_id;
                let mut max = offset;
                for id in ids.iter_mut().filter(|id| **id != 0) {
                    *id += offset;
                    max = max.max(*id);
                }
                *next_id = max;
            }
        }
    }
}

/// Labels from blended outputs (channel-major) of `shape`.
fn post_process(head: &Head, maps: &[f32], shape: [usize; 3], per_slice: bool, post: &PostProcess, next_ids: &mut InstanceIds) -> Vec<u32> {
    let n: usize = shape.iter().product();
    match head {
        // The two label values the model was trained on, e.g. 0/255 for an ImageJ mask.
        Head::Binary { background, foreground } => {
            threshold(&maps[..n], post.threshold).into_iter().map(|f| if f == 1 { *foreground } else { *background }).collect()
        }
        Head::Classes { classes, .. } => argmax(maps, classes.len(), n).into_iter().map(|c| classes[c as usize]).collect(),
        Head::Instance { distance, .. } => {
            let distance_map = distance.then(|| &maps[2 * n..3 * n]);
            let mut ids = segment_instances(&maps[..n], &maps[n..2 * n], distance_map, shape, per_slice, &post.instance);
            next_ids.assign(&mut ids);
            ids
        }
    }
}

struct Predictor<'a> {
    net: &'a UNet,
    head: &'a Head,
    settings: &'a PredictSettings,
    device: Device,
    spatial: usize,
    window: [usize; 3],
    /// Emit `Predicting` events.
    progress: bool,
}

impl Predictor<'_> {
    /// Blends the windows chunk by chunk of slices and hands each chunk's outputs
    /// (channel-major, [c][z][y][x]) with its depth to `sink`, in order.
    fn each_chunk(&mut self, image: &[f32], shape: [usize; 3], ctx: &JobContext, mut sink: impl FnMut(&[f32], usize)) -> Result<()> {
        let w = self.window;
        let channels = self.head.output_channels() as usize;
        let plane = shape[1] * shape[2];
        let automatic = (CHUNK_FLOATS / (channels * plane).max(1)).max(w[0]);
        let chunk_depth = if self.settings.chunk_slices > 0 { self.settings.chunk_slices } else { automatic }.min(shape[0]);
        let origins = window_origins(shape, w, self.settings.overlap);
        let weights = gaussian_weights(w);
        let total = origins.len();
        let mut done = 0;
        let mut z0 = 0;
        while z0 < shape[0] {
            let z1 = (z0 + chunk_depth).min(shape[0]);
            // Every window touching slices z0..z1; the accumulator spans all of them.
            let touching: Vec<[usize; 3]> = origins.iter().copied().filter(|o| o[0] < z1 && o[0] + w[0] > z0).collect();
            let lo = touching.iter().map(|o| o[0]).min().unwrap_or(z0).min(z0);
            let hi = touching.iter().map(|o| o[0] + w[0]).max().unwrap_or(z1).max(z1);
            let mut acc = Accumulator::new(lo, hi - lo, shape[1], shape[2], channels);
            for batch in touching.chunks(self.settings.batch) {
                ctx.check_cancelled()?;
                let outputs = self.forward(image, shape, batch)?;
                let per_window = channels * w.iter().product::<usize>();
                for (i, &at) in batch.iter().enumerate() {
                    acc.add(&outputs[i * per_window..(i + 1) * per_window], at, w, &weights);
                }
                done += batch.len();
                if self.progress {
                    ctx.emit(Event::Predicting { windows_done: done.min(total), windows_total: total });
                }
            }
            sink(&acc.blended(z0 - lo, z1 - lo), z1 - z0);
            z0 = z1;
        }
        Ok(())
    }

    /// Probabilities of a batch of windows, window after window, each channel-major.
    fn forward(&self, image: &[f32], shape: [usize; 3], origins: &[[usize; 3]]) -> Result<Vec<f32>> {
        let w = self.window;
        let mut input = Vec::with_capacity(origins.len() * w.iter().product::<usize>());
        for &[z0, y0, x0] in origins {
            for z in z0..z0 + w[0] {
                for y in y0..y0 + w[1] {
                    let row = (z * shape[1] + y) * shape[2] + x0;
                    input.extend_from_slice(&image[row..row + w[2]]);
                }
            }
        }
        let n = origins.len() as i64;
        let dims: Vec<i64> = if self.spatial == 2 { vec![n, 1, w[1] as i64, w[2] as i64] } else { vec![n, 1, w[0] as i64, w[1] as i64, w[2] as i64] };
        let x = Tensor::from_slice(&input).view(dims.as_slice()).to_device(self.device);
        let transforms = if self.settings.tta { Transform::all(self.spatial, w[1] == w[2]) } else { vec![Transform { flip_z: false, flip_y: false, flip_x: false, transpose: false }] };
        let probabilities = tch::no_grad(|| -> Result<Tensor> {
            let mut sum: Option<Tensor> = None;
            for t in &transforms {
                let logits = self.net.forward_t(&t.apply(&x), false);
                let p = t.invert(&activate(self.head, &logits));
                sum = Some(match sum { Some(s) => s + p, None => p });
            }
            Ok(sum.expect("at least one transform") / transforms.len() as f64)
        })?;
        Ok(Vec::<f32>::try_from(probabilities.to_device(Device::Cpu).to_kind(Kind::Float).contiguous().flatten(0, -1))?)
    }
}

/// Logits to probabilities: softmax over classes, sigmoid per channel otherwise.
fn activate(head: &Head, logits: &Tensor) -> Tensor {
    match head {
        Head::Classes { .. } => logits.softmax(1, Kind::Float),
        _ => logits.sigmoid(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Semantic labels carry the values of the training labels (model.json's head), not the
    /// network's class indices: a person who trained with 0/255 gets 0/255 back.
    #[test]
    fn semantic_labels_are_the_training_label_values() {
        let post = PostProcess::default();
        let mut ids = InstanceIds::Offset(0);
        let binary = Head::Binary { background: 0, foreground: 255 };
        let labels = post_process(&binary, &[0.1, 0.9, 0.5, 0.49], [1, 1, 4], true, &post, &mut ids);
        assert_eq!(labels, vec![0, 255, 255, 0]);
        // Three classes valued 3, 50 and 200, channel-major over 3 voxels: argmax 2, 0, 1.
        let classes = Head::Classes { classes: vec![3, 50, 200], weights: vec![1.0; 3] };
        #[rustfmt::skip]
        let maps = [
            0.1, 0.8, 0.2,
            0.2, 0.1, 0.7,
            0.7, 0.1, 0.1,
        ];
        assert_eq!(post_process(&classes, &maps, [1, 1, 3], true, &post, &mut ids), vec![200, 3, 50]);
    }
}
