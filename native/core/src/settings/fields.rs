//! The fields of each command (see `schema`): what a person can set, in dialog order, with the
//! defaults of the chosen config or model, the ranges the checks enforce, and the help texts.
use super::config::{load_config, Task};
use super::schema::{calibration_nm, CommandSchema, Field, Group, Kind};
use crate::error::Result;
use crate::infer::PredictSettings;
use crate::post::InstanceParams;
use crate::store::{models_dir_or_default, ModelDir, ModelRecord};
use crate::train::Head;
use serde_json::{json, Value};
use std::path::Path;

/// The config a new training starts from.
pub const DEFAULT_CONFIG: &str = "Semantic2D";
/// The largest values the checks accept (the fields say them too).
pub const MAX_GPUS: u64 = 64;
pub const MAX_ITERATIONS: u64 = 100_000_000;
pub const MAX_ITERATION_STEP: u64 = 100_000;
pub const MAX_SAMPLES_PER_BATCH: u64 = 4096;
pub const MAX_BASE_LR: f64 = 10.0;
pub const MAX_VALIDATION_FRACTION: f64 = 0.5;
pub const MAX_TIME_BUDGET_MINUTES: f64 = 10_080.0;
pub const MAX_OVERLAP: f64 = 0.9;
pub const MAX_PREDICT_BATCH: u64 = 1024;
/// Demo data sizes.
pub const MAX_DEMO_SLICES: u64 = 2000;
pub const MAX_DEMO_SIDE: u64 = 8192;
/// The weights a stored model offers.
pub const WEIGHTS_CHOICES: [&str; 2] = ["final", "best"];

/// A stored probability (f32) as the decimal a person typed, not 0.300000012.
fn probability(value: f32) -> Value {
    json!((value as f64 * 1e6).round() / 1e6)
}

fn cpus_field(default: Value) -> Field {
    Field::whole("cpus", Group::NetworkAndDevice, "(CPU threads)", "How many CPU threads to use (at most this machine's cores).", 1, crate::runtime::machine_cpus() as u64).default(default)
}

fn gpus_field(default: Value) -> Field {
    Field::whole("gpus", Group::NetworkAndDevice, "(0 = on the CPU)", "How many GPUs to use; 0 runs on the CPU.", 0, MAX_GPUS).default(default)
}

fn precision_field(default: Value) -> Field {
    Field::new("precision", Kind::Choice, Group::NetworkAndDevice, "(auto, fp32, bf16)", "bf16 computes the network in bfloat16 (weights, loss and optimiser stay 32-bit): faster on recent GPUs and on many CPUs with bf16 instructions (avx512_bf16, amx_bf16), far slower on other CPUs. auto uses bf16 only where it is fast (on a CPU it times both first); fp32 never. The Log says what auto chose; model.json records it.")
        .choices(&super::PRECISION_CHOICES)
        .default(default)
}

fn image_field(help: &'static str) -> Field {
    Field::new("image", Kind::Image, Group::Data, "", help).not_remembered()
}

fn labels_field(help: &'static str) -> Field {
    Field::new("labels", Kind::Labels, Group::Data, "", help).not_remembered()
}

fn models_folder_field(group: Group) -> Field {
    Field::new("models_folder", Kind::Folder, group, "(empty = the default)", "The folder that holds the models; empty means the default (~/.segtrain/models, or $SEGTRAIN_MODELS_DIR).")
        .default(json!(crate::store::default_models_dir().display().to_string()))
        .aliases(&["models_dir"])
}

fn model_field(help: &'static str) -> Field {
    Field::new("model", Kind::Model, Group::Data, "", help).aliases(&["name"])
}

fn weights_field(help: &'static str) -> Field {
    Field::new("weights", Kind::Choice, Group::Data, "", help).choices(&WEIGHTS_CHOICES).default(json!("final"))
}

/// The three voxel sizes: from the image's calibration when it is a length, else the config's.
fn voxel_fields(config: [f64; 3], calibration: Option<[f64; 3]>, group: Group) -> [Field; 3] {
    let v = calibration.unwrap_or(config);
    let help = "Voxel size in nanometres (filled from the image's calibration when it is in nm or µm). 3D configs use it to decide where the network pools along z; Auto Label resamples new stacks to it.";
    [
        Field::number("x_nm", group, "(pixel width)", help, f64::MIN_POSITIVE, 1e9).unit("nm").default(json!(v[0])).not_remembered(),
        Field::number("y_nm", group, "(pixel height)", help, f64::MIN_POSITIVE, 1e9).unit("nm").default(json!(v[1])).not_remembered(),
        Field::number("z_nm", group, "(section thickness)", help, f64::MIN_POSITIVE, 1e9).unit("nm").default(json!(v[2])).not_remembered(),
    ]
}

pub(super) fn train(context: &Value) -> Result<CommandSchema> {
    let name = context.get("config").and_then(Value::as_str).unwrap_or(DEFAULT_CONFIG);
    let c = load_config(name)?;
    let calibration = context.get("calibration").and_then(calibration_nm);
    let window = c.window.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",");
    let scale = match serde_json::to_value(c.scale).expect("scale serialises") {
        Value::Number(n) => n.to_string(),
        other => other.as_str().unwrap_or("auto").to_string(),
    };
    let [x, y, z] = voxel_fields(c.voxel_nm, calibration, Group::Data);
    let configs = super::config_names();
    Ok(CommandSchema {
        command: "train",
        title: "Train Model",
        intro: "Trains a segmentation U-Net on an image stack and a label stack of the same size. The model, its checkpoints, a training log and the training curve are written to models folder/model name.",
        footer: "Press Esc to stop training: the iteration reached is saved as a checkpoint, and Resume Training goes on from it.",
        takes_calibration: true,
        fields: vec![
            image_field("The raw stack (8, 16 or 32-bit grayscale, not RGB)."),
            labels_field("Its labels, the same size: 0 = background; semantic configs: one value per class; instance configs: one id per object."),
            Field::new("config", Kind::Choice, Group::Data, "(task and network)", "The task and network, e.g. Semantic2D (classes, slice by slice) or Instance3D (objects in 3D); choosing one fills the other fields with its defaults.")
                .choices(&configs)
                .default(json!(c.name)),
            x,
            y,
            z,
            Field::new("ignore_label", Kind::Text, Group::Data, "(unannotated pixels, empty = none)", "Sparse labels: the label value of pixels nobody annotated (e.g. 65535, as Labels from ROIs writes). They give no loss and no validation score, and training windows are placed on annotated pixels. Empty: every pixel is labelled (0 = background).")
                .optional()
                .not_remembered(),
            Field::new("scale", Kind::Text, Group::Data, "(auto, or 1, 2, 4 ...)", "auto measures the labels (the median object's diameter, or the width of thin structures) and trains on the stacks shrunk by the whole factor that keeps objects at least 40 px across (thin ones 24 px): a window then holds several objects with their surroundings, and each iteration costs less. Or a factor: 1 = as they are, 2 = half the width and height. The Log says which scale was chosen and why; Auto Label resamples new stacks to it and returns labels at their own size.")
                .default(json!(scale)),
            gpus_field(json!(c.gpus)),
            cpus_field(json!(c.cpus)),
            precision_field(json!(c.precision.name())),
            Field::new("window_size", Kind::Text, Group::NetworkAndDevice, "(z,y,x pixels)", "The training window as z,y,x pixels of the stacks at the training scale; z must be 1 for 2D configs. Larger windows see more context and cost more memory and time per iteration.")
                .default(json!(window))
                .aliases(&["window"]),
            Field::whole("samples_per_batch", Group::NetworkAndDevice, "(windows per iteration)", "Windows per iteration; more needs more memory.", 1, MAX_SAMPLES_PER_BATCH)
                .default(json!(c.samples_per_batch))
                .aliases(&["batch"]),
            Field::number("base_lr", Group::Schedule, "(peak learning rate)", "The learning rate the schedule starts from after its warm-up (its peak).", f64::MIN_POSITIVE, MAX_BASE_LR)
                .default(json!(c.base_lr))
                .aliases(&["lr"]),
            Field::whole("iteration_total", Group::Schedule, "(iterations to train)", "How many iterations to train.", 1, MAX_ITERATIONS)
                .default(json!(c.iteration_total))
                .aliases(&["iterations"]),
            Field::number("time_budget_minutes", Group::Schedule, "(0 = off)", "0 trains iteration total iterations; more trains for about that many minutes: a few iterations are timed first, and the total, checkpoint and validation intervals are fitted to the budget (the Log and model.json say the total, so the run can be repeated exactly).", 0.0, MAX_TIME_BUDGET_MINUTES)
                .default(json!(c.time_budget_minutes))
                .unit("min"),
            Field::whole("iteration_save", Group::Schedule, "(checkpoint every)", "Write a checkpoint every this many iterations; it must divide iteration total.", 1, MAX_ITERATIONS).default(json!(c.iteration_save)),
            Field::whole("iteration_step", Group::Schedule, "(update every)", "Gradient accumulation: the weights are updated once every this many iterations, so the effective batch is samples per batch times this.", 1, MAX_ITERATION_STEP)
                .default(json!(c.iteration_step)),
            Field::number("validation_fraction", Group::Schedule, "(share held out)", "Share of the stack held out as one block at an edge (slices, or rows or columns of a short stack; one that holds every class) and scored during training (loss, IoU, Dice); the best weights are kept as best.safetensors, and the post-processing is tuned on it at the end. 0 turns validation off.", 0.0, MAX_VALIDATION_FRACTION)
                .default(json!(c.validation_fraction))
                .aliases(&["validation"]),
            Field::whole("validation_every", Group::Schedule, "(empty = at least 10 times)", "Score the validation block every this many iterations (and at the end). Empty: the config's interval, or a shorter one so that any run is scored at least ten times.", 1, MAX_ITERATIONS)
                .optional()
                .unit("iterations"),
            Field::whole("seed", Group::Schedule, "(repeatable runs)", "Makes the sampling and the initial weights repeatable: the same seed, settings and stacks train the same model on the CPU.", 0, u32::MAX as u64).default(json!(c.seed)),
            Field::whole("log_every", Group::Schedule, "(progress every)", "A progress line every this many iterations.", 1, MAX_ITERATIONS).default(json!(c.log_every)).cli_only(),
            Field::new("model_name", Kind::Text, Group::Output, "(folder name)", "The model's name: a plain folder name (letters, digits, - _ .). The model is stored under it and Auto Label offers it.")
                .default(json!("my-model"))
                .aliases(&["name"]),
            models_folder_field(Group::Output),
            Field::new("fine_tune_from", Kind::Text, Group::Output, "(stored model, empty = none)", "The name of a stored model of the same config whose weights training starts from (new data, same task); empty = random initial weights.").optional().not_remembered(),
            Field::new("overwrite", Kind::Boolean, Group::Output, "(replace a model of this name)", "Replace an existing model of the same name (only once the new one is complete).").default(json!(false)).not_remembered(),
        ],
    })
}

pub(super) fn resume() -> CommandSchema {
    CommandSchema {
        command: "resume",
        title: "Resume Training",
        intro: "Continues a model from its newest checkpoint: after Esc, a crash, or to train longer. The model keeps its own settings (model.json); the weights, optimiser, learning-rate schedule, validation best and log go on from the checkpoint.",
        footer: "The model's training curve window (reused when open) starts with its past points up to the checkpoint. Press Esc to stop again.",
        takes_calibration: false,
        fields: vec![
            image_field("The stack the model was trained on."),
            labels_field("Its labels (the same size)."),
            model_field("The stored model to continue."),
            models_folder_field(Group::Data),
            Field::whole("iteration_total", Group::Schedule, "(empty = as stored)", "Empty (or 0) keeps the stored total; a higher one (a multiple of the model's iteration save) trains longer, and the schedule stretches to it.", 1, MAX_ITERATIONS)
                .optional()
                .not_remembered()
                .aliases(&["iterations"]),
            Field { optional: true, label: "(empty = as before)", ..gpus_field(Value::Null) },
            Field { optional: true, label: "(empty = as before)", ..cpus_field(Value::Null) },
            Field { label: "(as before, auto, fp32, bf16)", ..precision_field(json!(super::precision::AS_BEFORE)) }
                .choices(&[&[super::precision::AS_BEFORE][..], &super::PRECISION_CHOICES[..]].concat())
                .not_remembered(),
        ],
    }
}

/// What the chosen model is, for which post-processing fields apply.
struct ModelFacts {
    binary: bool,
    instance: bool,
    distance: bool,
    two_d: bool,
}

fn model_facts(record: Option<&ModelRecord>) -> ModelFacts {
    match record {
        // No model chosen (or unreadable): every field applies; the core checks them later.
        None => ModelFacts { binary: true, instance: true, distance: true, two_d: true },
        Some(r) => ModelFacts {
            binary: matches!(r.head, Head::Binary { .. }),
            instance: r.config.task == Task::Instance,
            distance: matches!(r.head, Head::Instance { distance: true, .. }),
            two_d: r.config.dims == 2,
        },
    }
}

fn chosen_model(context: &Value) -> Option<ModelRecord> {
    let name = context.get("model").and_then(Value::as_str)?;
    let folder = context.get("models_folder").and_then(Value::as_str).filter(|f| !f.trim().is_empty());
    let dir = models_dir_or_default(folder.map(Path::new));
    crate::settings::validate_model_name(name).ok()?;
    ModelDir::open(&dir, name).read_record().ok()
}

pub(super) fn auto_label(context: &Value) -> Result<CommandSchema> {
    let record = chosen_model(context);
    let facts = model_facts(record.as_ref());
    let post = record.as_ref().map(|r| r.postprocess.clone()).unwrap_or_default();
    let p: InstanceParams = post.instance;
    let run = PredictSettings::default();
    let [x, y, z] = voxel_fields(record.as_ref().map_or([1.0; 3], |r| r.input_voxel_nm()), context.get("calibration").and_then(calibration_nm), Group::Data);
    // Facts of one model: they start at its stored (tuned) values, not at the last ones typed.
    let instance = |f: Field, applies: bool| f.applies_if(applies).not_remembered();
    Ok(CommandSchema {
        command: "auto_label",
        title: "Auto Label",
        intro: "Labels an open image with a stored model and shows the label image (image title-labels): the training label values for semantic models, object ids for instance models.",
        footer: "Press Esc to stop.",
        takes_calibration: true,
        fields: vec![
            image_field("The stack to label (8, 16 or 32-bit grayscale). Its calibration, when in nm or µm, gives the voxel size; the stack is resampled when it differs from the model's, and the labels come back at the stack's own size."),
            model_field("A stored model (Train Model) in the models folder; typing another folder refreshes the list."),
            models_folder_field(Group::Data),
            weights_field("final (the end of training) or best (the best validation score)."),
            Field { dialog: false, ..x },
            Field { dialog: false, ..y },
            Field { dialog: false, ..z },
            Field::number("overlap", Group::NetworkAndDevice, "(share of a window)", "How much neighbouring windows overlap, as a share of a window.", 0.0, MAX_OVERLAP).default(json!(run.overlap)),
            Field::new("tta", Kind::Boolean, Group::NetworkAndDevice, "(test-time augmentation)", "Average the predictions of flipped and transposed copies: steadier labels, 8 times slower in 2D, 16 in 3D.").default(json!(run.tta)),
            gpus_field(json!(run.gpus)),
            cpus_field(json!(run.cpus)),
            precision_field(json!(run.precision)),
            Field::whole("batch", Group::NetworkAndDevice, "(windows per pass)", "Windows per forward pass; more needs more memory.", 1, MAX_PREDICT_BATCH).default(json!(run.batch)),
            instance(Field::number("threshold", Group::PostProcessing, "(binary models)", "Binary semantic models: foreground where the probability is at least this.", 0.0, 1.0).default(probability(post.threshold)), facts.binary),
            instance(Field::number("foreground_threshold", Group::PostProcessing, "(instance models)", "Voxels whose foreground probability is at least this belong to objects.", 0.0, 1.0).default(probability(p.foreground_threshold)), facts.instance),
            instance(Field::number("seed_foreground", Group::PostProcessing, "(instance models)", "Seeds (one per object) need a foreground probability at least this; lower it when objects are missed.", 0.0, 1.0).default(probability(p.seed_foreground)), facts.instance),
            instance(Field::number("seed_contour", Group::PostProcessing, "(instance models)", "Seeds need a contour probability at most this: lower it when touching objects are merged, raise it when objects are missed.", 0.0, 1.0).default(probability(p.seed_contour)), facts.instance),
            instance(Field::number("seed_distance", Group::PostProcessing, "(models with a distance map)", "Models with a distance channel: seeds need a distance at least this (the inner part of an object).", 0.0, 1.0).default(probability(p.seed_distance)), facts.instance && facts.distance),
            instance(Field::whole("min_seed_size", Group::PostProcessing, "(voxels)", "Seeds smaller than this many voxels are dropped; raise it when objects are split.", 0, u32::MAX as u64).default(json!(p.min_seed_size)), facts.instance),
            instance(Field::whole("min_size", Group::PostProcessing, "(voxels)", "Objects smaller than this many voxels are removed.", 0, u32::MAX as u64).default(json!(p.min_size)), facts.instance),
            instance(Field::whole("max_hole_size", Group::PostProcessing, "(voxels, 0 = none)", "Background enclosed by an object (per section for 2D models) with at most this many voxels joins the object: the inside of an organelle the network took for background, e.g. a chloroplast's starch grains. 0 = holes stay.", 0, u32::MAX as u64).default(json!(p.max_hole_size)), facts.instance),
            instance(Field::number("link_sections", Group::PostProcessing, "(min IoU, 0 = off)", "2D instance models on serial sections: an object takes the id of the object it overlaps in the section before when their IoU is at least this, so an object cut by several sections keeps one id; 0 = each section numbered on its own.", 0.0, 1.0).default(probability(p.link_sections)), facts.instance && facts.two_d),
            Field::new("probabilities", Kind::Boolean, Group::Output, "(show the maps)", "Also show the probability map of every output channel (32-bit), named by channel.").default(json!(false)),
            Field::new("rois", Kind::Choice, Group::Output, "(2D objects as ROIs)", "Also put the objects of every slice (instance models; one ROI per class and slice for semantic models) into the ROI Manager or onto the label image's overlay, each named by its id and slice.")
                .choices(&["none", "roi_manager", "overlay"])
                .default(json!("none"))
                .dialog_only(),
        ],
    })
}

pub(super) fn tune() -> CommandSchema {
    let [x, y, z] = voxel_fields([1.0; 3], None, Group::Data);
    CommandSchema {
        command: "tune",
        title: "Tune Post-processing",
        intro: "Finds the post-processing values that score best on a labelled stack the model has not trained on, and stores them in the model (Auto Label starts from them; its fields still override them). The network runs once; then a few hundred settings are tried: binary semantic models the threshold, for the foreground IoU; instance models the watershed's thresholds, hole and size limits, for AP@0.5 (ties: foreground IoU; objects cut by the stack's edges left out), or where the labels cover at least 75 % of the stack (dense neuropil) for the adapted Rand error.",
        footer: "The Log shows the score before and after and what changed. Press Esc to stop (the model is then unchanged).",
        takes_calibration: true,
        fields: vec![
            image_field("A stack the model has not trained on, e.g. a few labelled sections of a new acquisition. Its calibration, when in nm or µm, gives the voxel size."),
            labels_field("Its labels (the same size)."),
            model_field("The stored model to tune."),
            models_folder_field(Group::Data),
            weights_field("The weights Auto Label will use: final or best."),
            Field { dialog: false, ..x },
            Field { dialog: false, ..y },
            Field { dialog: false, ..z },
            cpus_field(json!(2)),
        ],
    }
}

pub(super) fn evaluate() -> CommandSchema {
    CommandSchema {
        command: "evaluate",
        title: "Evaluate",
        intro: "Scores a segmentation against ground truth; both are label images of the same size (8 or 16-bit, or 32-bit holding whole numbers). The scores go to the table \"SegTrain Evaluation\".",
        footer: "",
        takes_calibration: false,
        fields: vec![
            Field { key: "segmentation", aliases: &["prediction"], ..labels_field("The segmentation to score, e.g. the label image of Auto Label.") },
            Field { key: "truth", ..labels_field("The ground truth labels.") },
            Field::new("kind", Kind::Choice, Group::Data, "(how to compare)", "semantic compares class values voxel by voxel (IoU and Dice per class, pixel accuracy, mean IoU); instance matches objects by overlap (AP at IoU 0.5, mAP, precision, recall, F1, adapted Rand error, variation of information); foreground compares object versus background only.")
                .choices(&crate::evaluate::KINDS)
                .default(json!("semantic")),
            Field::new("per_slice", Kind::Boolean, Group::Data, "(2D objects)", "Instance only: match the objects of each slice separately (for the output of 2D models).").default(json!(false)),
            Field::new("ignore_label", Kind::Text, Group::Data, "(unannotated pixels, empty = none)", "Sparse ground truth: the value of its pixels nobody annotated (e.g. 65535, as Labels from ROIs writes). They are left out of every score. Empty: every pixel of the ground truth counts.")
                .optional()
                .not_remembered(),
        ],
    }
}

pub(super) fn demo_data() -> CommandSchema {
    // 384: every config's default window (Semantic2D's 256) fits beside its validation block, so
    // Create Demo Data then Train Model with the defaults works for each config.
    let side = |key, label, help| Field::whole(key, Group::Data, label, help, super::MIN_WINDOW_YX as u64, MAX_DEMO_SIDE).default(json!(384)).unit("pixels");
    CommandSchema {
        command: "demo_data",
        title: "Create Demo Data",
        intro: "Generates a small EM-like image stack (dark rounded organelles on a textured background) and its labels (0 = background, 1 = organelle), calibrated 5 x 5 x 40 nm, to try every command without data of your own.",
        footer: "The same seed always gives the same stacks.",
        takes_calibration: false,
        fields: vec![
            Field::whole("slices", Group::Data, "(sections)", "How many sections the stacks have.", 1, MAX_DEMO_SLICES).default(json!(4)),
            side("height", "(of each section)", "Height of each section."),
            side("width", "(of each section)", "Width of each section."),
            Field::whole("seed", Group::Data, "(which stacks)", "Which stacks to generate: the same seed, the same stacks.", 0, i64::MAX as u64).default(json!(1)),
        ],
    }
}

pub(super) fn labels_from_rois() -> CommandSchema {
    CommandSchema {
        command: "labels_from_rois",
        title: "Labels from ROIs",
        intro: "Makes a 16-bit label stack the size of the chosen image from the ROIs in the ROI Manager, for training on sparse annotations. Name each ROI after its class: 0 or 0: background, 1: hole, class 2 membrane (0 is background). A ROI fills its slice (position 0: every slice); lines are drawn with their width.",
        footer: "Train on the result with the same ignore_label in Train Model.",
        takes_calibration: false,
        fields: vec![
            image_field("The image the ROIs were drawn on (the label stack gets its size and calibration)."),
            Field::whole("ignore_label", Group::Data, "(unannotated pixels)", "The value of every pixel outside the ROIs, and of pixels where ROIs of different classes overlap: give the same value as ignore_label in Train Model.", 1, 65535).default(json!(65535)),
        ],
    }
}
