//! The sub-commands. Each turns flags into the core's types and calls the core.
use crate::args::Args;
use segtrain::job::JobContext;
use segtrain::settings::{ResumeSettings, TrainSettings};
use segtrain::infer::{predict, PredictSettings};
use segtrain::train::{resume, train, tune_model, Event, TrainingStacks, TuneSettings};
use crate::label_io::{write_labels, write_probabilities};
use crate::outputs::check_output;
use segtrain_volume::{read_stack_f32, read_stack_labels, write_stack, Volume};
use std::path::{Path, PathBuf};

pub enum Failure {
    /// The command line itself is wrong: show the usage.
    Usage(String),
    /// The work failed: one line.
    Error(String),
}

impl From<segtrain::Error> for Failure {
    fn from(e: segtrain::Error) -> Self {
        Failure::Error(e.to_string())
    }
}

impl From<segtrain_volume::VolumeError> for Failure {
    fn from(e: segtrain_volume::VolumeError) -> Self {
        Failure::Error(e.to_string())
    }
}

/// The context of a job that prints its events; SIGINT/SIGTERM/SIGHUP cancel it like Esc.
fn job_context(listener: impl Fn(&Event) + Send + Sync + 'static) -> JobContext {
    let context = JobContext::with_listener(listener);
    let cancel = context.clone();
    crate::signals::cancel_on_signal(move |signal| {
        eprintln!("segtrain: {signal} received: stopping (a second one stops at once)");
        cancel.cancel();
    });
    context
}

fn usage(message: String) -> Failure {
    Failure::Usage(message)
}

pub fn run(words: &[String]) -> Result<(), Failure> {
    let (command, rest) = words.split_first().ok_or_else(|| usage("no command given".into()))?;
    match command.as_str() {
        "train" => train_command(rest),
        "models" => models_command(rest),
        "delete" => delete_command(rest),
        "demo-data" => demo_data_command(rest),
        "predict" => predict_command(rest),
        "tune" => tune_command(rest),
        "evaluate" => evaluate_command(rest),
        "crop" => crop_command(rest),
        "resample" => resample_command(rest),
        "configs" => {
            println!("{}", segtrain::settings::config_names().join("\n"));
            Ok(())
        }
        "version" | "--version" => {
            println!("segtrain {}", segtrain::version());
            let info = segtrain::runtime::runtime_info();
            println!("libtorch folder: {}", info["libtorch_folder"].as_str().unwrap_or("unknown"));
            println!("libtorch flavour: {}", info["flavour"].as_str().unwrap_or("unknown"));
            match info["cuda_note"].as_str() {
                Some(why) => println!("CUDA devices: none ({why})"),
                None => println!("CUDA devices: {}", info["cuda_devices"]),
            }
            Ok(())
        }
        "help" | "--help" | "-h" => Err(usage("help".into())),
        other => Err(usage(format!("unknown command '{other}'"))),
    }
}

const TRAIN_FLAGS: [&str; 22] = [
    "image", "labels", "config", "name", "models-dir", "voxel-nm", "gpus", "cpus", "lr", "iteration-step", "iteration-save",
    "iterations", "time-budget-minutes", "batch", "window", "scale", "seed", "log-every", "validation", "validation-every", "fine-tune-from",
    "ignore-label",
];

/// Flags that are not part of the recipe: with --resume they set this run (the total may be
/// raised); every other training flag given with --resume must repeat the stored value.
const RUN_FLAGS: [&str; 7] = ["image", "labels", "name", "models-dir", "iterations", "gpus", "cpus"];

fn train_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &["overwrite", "resume"]).map_err(usage)?;
    a.only(&TRAIN_FLAGS).map_err(usage)?;
    let image = read_stack_f32(Path::new(a.required("image").map_err(usage)?))?;
    let labels = read_stack_labels(Path::new(a.required("labels").map_err(usage)?))?;
    let context = job_context(|event| eprintln!("segtrain: {}", event.to_line()));
    let name = a.required("name").map_err(usage)?.to_string();
    let stacks = TrainingStacks { image, labels };
    let outcome = if a.switch("resume") {
        let mut settings = ResumeSettings::of(&name);
        settings.models_dir = a.get("models-dir").map(PathBuf::from);
        settings.iteration_total = a.number("iterations").map_err(usage)?.map(|v| v as u64);
        settings.gpus = a.number("gpus").map_err(usage)?;
        settings.cpus = a.number("cpus").map_err(usage)?;
        // The original command line may be given again: its recipe flags are checked.
        if TRAIN_FLAGS.iter().any(|f| !RUN_FLAGS.contains(f) && a.get(f).is_some()) {
            let mut recipe = train_settings_given(&a, name.clone())?;
            recipe.config = a.get("config").unwrap_or_default().to_string();
            settings.recipe = Some(recipe);
        }
        resume(&settings, stacks, &context)?
    } else {
        let mut settings = train_settings_given(&a, name.clone())?;
        settings.config = a.required("config").map_err(usage)?.to_string();
        // Without --voxel-nm, the image's own calibration is used when it has one.
        settings.voxel_nm = settings.voxel_nm.or_else(|| stacks.image.voxel_nm.map(|v| v.to_vec()));
        train(&settings.resolve()?, stacks, &context)?
    };
    eprintln!(
        "segtrain: model '{name}' saved in {} (loss {:.4} -> {:.4}, {:.1} s, {:.3} s/iteration, {:.0}% waiting for data)",
        outcome.model_dir,
        outcome.first_loss,
        outcome.final_loss,
        outcome.wall_s,
        outcome.seconds_per_iteration,
        100.0 * outcome.data_wait_share
    );
    println!("{}", serde_json::to_string(&outcome).expect("outcome serialises"));
    Ok(())
}

/// The training flags as given (config left empty: the caller decides what a missing one means).
fn train_settings_given(a: &Args, name: String) -> Result<TrainSettings, Failure> {
    Ok(TrainSettings {
        config: String::new(),
        name,
        models_dir: a.get("models-dir").map(PathBuf::from),
        voxel_nm: a.numbers("voxel-nm").map_err(usage)?,
        gpus: a.number("gpus").map_err(usage)?,
        cpus: a.number("cpus").map_err(usage)?,
        base_lr: a.number("lr").map_err(usage)?,
        iteration_step: a.number("iteration-step").map_err(usage)?,
        iteration_save: a.number("iteration-save").map_err(usage)?,
        iteration_total: a.number("iterations").map_err(usage)?,
        time_budget_minutes: a.number("time-budget-minutes").map_err(usage)?,
        samples_per_batch: a.number("batch").map_err(usage)?,
        window: a.numbers("window").map_err(usage)?,
        // "auto" or a factor: the core reads both from text and names the setting if wrong.
        scale: a.get("scale").map(|v| serde_json::Value::String(v.to_string())),
        seed: a.number("seed").map_err(usage)?,
        log_every: a.number("log-every").map_err(usage)?,
        validation_fraction: a.number("validation").map_err(usage)?,
        validation_every: a.number("validation-every").map_err(usage)?,
        fine_tune_from: a.get("fine-tune-from").map(String::from),
        overwrite: a.switch("overwrite"),
        // A number or "none": the core reads both from text and names the setting if wrong.
        ignore_label: a.get("ignore-label").map(|v| serde_json::Value::String(v.to_string())),
    })
}

fn models_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &[]).map_err(usage)?;
    a.only(&["models-dir"]).map_err(usage)?;
    let dir = a.get("models-dir").map(PathBuf::from).unwrap_or_else(segtrain::store::default_models_dir);
    let models = segtrain::store::list_models(&dir)?;
    if models.is_empty() {
        eprintln!("segtrain: no models in {}", dir.display());
    }
    for m in models {
        match m.problem {
            Some(problem) => println!("{}\t?\tbroken\t{problem}", m.name),
            None => println!("{}\t{}\t{}\t{} iterations\t{}", m.name, m.config, m.status, m.iterations, m.path),
        }
    }
    Ok(())
}

/// Deletes a stored model (refused while another process writes it).
fn delete_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &[]).map_err(usage)?;
    a.only(&["name", "models-dir"]).map_err(usage)?;
    let dir = segtrain::store::models_dir_or_default(a.get("models-dir").map(Path::new));
    let path = segtrain::store::delete_model(&dir, a.required("name").map_err(usage)?)?;
    eprintln!("segtrain: deleted {}", path.display());
    Ok(())
}

fn demo_data_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &[]).map_err(usage)?;
    a.only(&["out", "slices", "height", "width", "seed"]).map_err(usage)?;
    let out = PathBuf::from(a.required("out").map_err(usage)?);
    let number = |name: &str, default: f64| a.number(name).map(|v| v.unwrap_or(default) as i64).map_err(usage);
    let demo = segtrain::data::demo_stacks_checked(number("slices", 6.0)?, number("height", 256.0)?, number("width", 256.0)?, number("seed", 1.0)?)?;
    std::fs::create_dir_all(&out).map_err(|e| Failure::Error(format!("{}: {e}", out.display())))?;
    let voxel = Some([5.0, 5.0, 40.0]);
    let image = Volume::new(demo.image.iter().map(|&v| v as u8).collect::<Vec<u8>>(), demo.shape)?.with_voxel_nm(voxel);
    // labels.tif: 0/1 for the semantic configs; instances.tif: one id per object for the instance ones.
    let labels = Volume::new(demo.labels.iter().map(|&l| (l != 0) as u8).collect::<Vec<u8>>(), demo.shape)?.with_voxel_nm(voxel);
    let instances = Volume::new(demo.labels.iter().map(|&l| l.min(u16::MAX as u32) as u16).collect::<Vec<u16>>(), demo.shape)?.with_voxel_nm(voxel);
    write_stack(&out.join("image.tif"), &image)?;
    write_stack(&out.join("labels.tif"), &labels)?;
    write_stack(&out.join("instances.tif"), &instances)?;
    println!("{}", out.display());
    Ok(())
}

/// predict's flags besides WATERSHED_FLAGS.
const PREDICT_FLAGS: [&str; 12] =
    ["name", "image", "out", "models-dir", "probabilities", "overlap", "gpus", "cpus", "batch", "voxel-nm", "weights", "threshold"];

/// Flags that change one of an instance model's watershed parameters (named as in model.json).
const WATERSHED_FLAGS: [&str; 7] =
    ["foreground-threshold", "seed-foreground", "seed-contour", "seed-distance", "min-seed-size", "min-size", "link-sections"];

fn predict_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &["tta"]).map_err(usage)?;
    a.only(&[&PREDICT_FLAGS[..], &WATERSHED_FLAGS[..]].concat()).map_err(usage)?;
    let out = PathBuf::from(a.required("out").map_err(usage)?);
    let image_path = Path::new(a.required("image").map_err(usage)?);
    check_output("out", &out, &[("image", image_path)])?;
    if let Some(p) = a.get("probabilities") {
        check_output("probabilities", Path::new(p), &[("image", image_path), ("out", out.as_path())])?;
    }
    let image = read_stack_f32(image_path)?;
    let mut settings = PredictSettings { name: a.required("name").map_err(usage)?.to_string(), ..Default::default() };
    settings.models_dir = a.get("models-dir").map(PathBuf::from);
    settings.tta = a.switch("tta");
    settings.probabilities = a.get("probabilities").is_some();
    if let Some(v) = a.number("overlap").map_err(usage)? {
        settings.overlap = v;
    }
    if let Some(v) = a.number("gpus").map_err(usage)? {
        settings.gpus = v as u32;
    }
    if let Some(v) = a.number("cpus").map_err(usage)? {
        settings.cpus = v as u32;
    }
    if let Some(v) = a.number("batch").map_err(usage)? {
        settings.batch = v as usize;
    }
    settings.threshold = a.number("threshold").map_err(usage)?.map(|v| v as f32);
    let mut watershed = serde_json::Map::new();
    for flag in WATERSHED_FLAGS {
        if let Some(v) = a.number(flag).map_err(usage)? {
            // Sizes are whole voxel counts: 100 is sent as an integer, 99.5 as given (and refused).
            let value = if v.fract() == 0.0 && v >= 0.0 { serde_json::json!(v as u64) } else { serde_json::json!(v) };
            watershed.insert(flag.replace('-', "_"), value);
        }
    }
    if !watershed.is_empty() {
        settings.instance = Some(serde_json::Value::Object(watershed));
    }
    if let Some(w) = a.get("weights") {
        settings.weights = w.to_string();
    }
    if let Some(v) = voxel_flag(&a, "voxel-nm")? {
        settings.voxel_nm = Some(v);
    }
    let context = job_context(|event| match event {
        Event::Predicting { windows_done, windows_total } if windows_done % 50 != 0 && windows_done != windows_total => {}
        other => eprintln!("segtrain: {}", other.to_line()),
    });
    let started = std::time::Instant::now();
    let prediction = predict(&settings, image, &context)?;
    write_labels(&out, &prediction.labels)?;
    let mut written = vec![out.display().to_string()];
    if let (Some(maps), Some(path)) = (&prediction.probabilities, a.get("probabilities")) {
        written.extend(write_probabilities(Path::new(path), maps, &prediction.outputs)?.iter().map(|p| p.display().to_string()));
    }
    let objects = prediction.labels.data.iter().copied().max().unwrap_or(0);
    eprintln!("segtrain: labelled with '{}' in {:.1} s: {}", settings.name, started.elapsed().as_secs_f64(), written.join(", "));
    println!("{}", serde_json::json!({"files": written, "max_label": objects, "seconds": started.elapsed().as_secs_f64()}));
    Ok(())
}

fn evaluate_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &["json", "per-slice"]).map_err(usage)?;
    a.only(&["prediction", "truth", "kind"]).map_err(usage)?;
    let prediction = read_stack_labels(Path::new(a.required("prediction").map_err(usage)?))?;
    let truth = read_stack_labels(Path::new(a.required("truth").map_err(usage)?))?;
    let kind = a.required("kind").map_err(usage)?;
    let report = segtrain::evaluate::evaluate(&truth, &prediction, kind, a.switch("per-slice"))?;
    if a.switch("json") {
        println!("{}", serde_json::to_string(&report).expect("reports serialise"));
    } else {
        println!("{}", serde_json::to_string_pretty(&report).expect("reports serialise"));
    }
    Ok(())
}

/// "a:b" as a half-open range (either side may be left out), checked against the axis length.
fn range(a: &Args, flag: &str, n: usize) -> Result<std::ops::Range<usize>, Failure> {
    let Some(text) = a.get(flag) else { return Ok(0..n) };
    let (lo, hi) = text.split_once(':').ok_or_else(|| usage(format!("--{flag}: '{text}' is not a range a:b")))?;
    let parse = |s: &str, default: usize| if s.trim().is_empty() { Ok(default) } else { s.trim().parse::<usize>().map_err(|_| usage(format!("--{flag}: '{text}' is not a range a:b"))) };
    let (lo, hi) = (parse(lo, 0)?, parse(hi, n)?);
    if lo >= hi || hi > n {
        return Err(Failure::Error(format!("--{flag}: {lo}:{hi} is not inside 0:{n}")));
    }
    Ok(lo..hi)
}

/// Cuts a block out of a stack (for held-out evaluation data), keeping its calibration.
fn crop_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &["labels"]).map_err(usage)?;
    a.only(&["in", "out", "z", "y", "x"]).map_err(usage)?;
    let input = Path::new(a.required("in").map_err(usage)?);
    let out = PathBuf::from(a.required("out").map_err(usage)?);
    check_output("out", &out, &[("in", input)])?;
    // --labels keeps integer ids (8/16/32-bit as needed); images are written as 32-bit float.
    if a.switch("labels") {
        let v = read_stack_labels(input)?;
        write_labels(&out, &crop(&v, &a)?)?;
    } else {
        let v = read_stack_f32(input)?;
        write_stack(&out, &crop(&v, &a)?)?;
    }
    println!("{}", out.display());
    Ok(())
}

/// A voxel size flag: three numbers X,Y,Z (nm).
/// Tunes a stored model's post-processing on a labelled stack it did not train on (model.json
/// keeps the values; auto-label uses them).
fn tune_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &[]).map_err(usage)?;
    a.only(&["name", "image", "labels", "models-dir", "weights", "voxel-nm", "cpus"]).map_err(usage)?;
    let name = a.required("name").map_err(usage)?.to_string();
    let image = read_stack_f32(Path::new(a.required("image").map_err(usage)?))?;
    let labels = read_stack_labels(Path::new(a.required("labels").map_err(usage)?))?;
    let settings = TuneSettings {
        name,
        models_dir: a.get("models-dir").map(PathBuf::from),
        weights: a.get("weights").unwrap_or("final").to_string(),
        voxel_nm: voxel_flag(&a, "voxel-nm")?,
        cpus: a.number("cpus").map_err(usage)?.map_or(2, |v| v as u32),
    };
    let context = job_context(|event| match event {
        Event::Predicting { .. } => {}
        other => eprintln!("segtrain: {}", other.to_line()),
    });
    let report = tune_model(&settings, image, labels, &context)?;
    println!("{}", serde_json::to_string(&report).expect("report serialises"));
    Ok(())
}

fn voxel_flag(a: &Args, name: &str) -> Result<Option<[f64; 3]>, Failure> {
    match a.numbers(name).map_err(usage)?.as_deref() {
        None => Ok(None),
        Some(&[x, y, z]) if [x, y, z].iter().all(|v| v.is_finite() && *v > 0.0) => Ok(Some([x, y, z])),
        Some(_) => Err(usage(format!("--{name} needs three sizes above 0: X,Y,Z"))),
    }
}

/// Resamples a stack to another voxel size, as auto-label does (linear for images, nearest
/// neighbour for labels): e.g. to train a model at half the resolution of the stacks it will
/// label (auto-label brings them to the model's voxel size and back).
fn resample_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &["labels"]).map_err(usage)?;
    a.only(&["in", "out", "voxel-nm", "from-nm"]).map_err(usage)?;
    let input = Path::new(a.required("in").map_err(usage)?);
    let out = PathBuf::from(a.required("out").map_err(usage)?);
    check_output("out", &out, &[("in", input)])?;
    let to = voxel_flag(&a, "voxel-nm")?.ok_or_else(|| usage("--voxel-nm X,Y,Z is required".into()))?;
    let from = |calibration: Option<[f64; 3]>| -> Result<[f64; 3], Failure> {
        voxel_flag(&a, "from-nm")?.or(calibration).ok_or_else(|| {
            usage(format!("{} has no voxel size in its calibration: give it with --from-nm X,Y,Z", input.display()))
        })
    };
    if a.switch("labels") {
        let v = read_stack_labels(input)?;
        let target = segtrain::infer::checked_resampled_shape(v.shape, from(v.voxel_nm)?, to, 8)?;
        let data = segtrain::infer::resample_nearest(&v.data, v.shape, target);
        write_labels(&out, &Volume { data, shape: target, voxel_nm: Some(to) })?;
    } else {
        let v = read_stack_f32(input)?;
        let target = segtrain::infer::checked_resampled_shape(v.shape, from(v.voxel_nm)?, to, 8)?;
        let data = segtrain::infer::resample_linear(&v.data, 1, v.shape, target);
        write_stack(&out, &Volume { data, shape: target, voxel_nm: Some(to) })?;
    }
    println!("{}", out.display());
    Ok(())
}

fn crop<T: Copy>(v: &Volume<T>, a: &Args) -> Result<Volume<T>, Failure> {
    let [d, h, w] = v.shape;
    let (zr, yr, xr) = (range(a, "z", d)?, range(a, "y", h)?, range(a, "x", w)?);
    let mut data = Vec::with_capacity(zr.len() * yr.len() * xr.len());
    for z in zr.clone() {
        for y in yr.clone() {
            let row = (z * h + y) * w;
            data.extend_from_slice(&v.data[row + xr.start..row + xr.end]);
        }
    }
    Ok(Volume { data, shape: [zr.len(), yr.len(), xr.len()], voxel_nm: v.voxel_nm })
}
