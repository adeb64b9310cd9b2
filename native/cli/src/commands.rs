//! The sub-commands. Each turns flags into the core's types and calls the core.
use crate::args::Args;
use crate::flags::Flags;
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
        "help" | "--help" | "-h" => match rest.first() {
            Some(command) => help_command(command),
            None => Err(usage("help".into())),
        },
        other => Err(usage(format!("unknown command '{other}'"))),
    }
}

/// Train settings that belong to this run rather than the model's recipe: with --resume they set
/// this run (the total may be raised); every other setting given with --resume must repeat the
/// stored value.
const RUN_SETTINGS: [&str; 6] = ["model_name", "models_folder", "iteration_total", "gpus", "cpus", "precision"];

fn train_command(words: &[String]) -> Result<(), Failure> {
    let f = Flags::read("train", words, &[], &["resume"]).map_err(usage)?;
    let image = read_stack_f32(Path::new(f.required_file("image").map_err(usage)?))?;
    let labels = read_stack_labels(Path::new(f.required_file("labels").map_err(usage)?))?;
    let context = job_context(|event| eprintln!("segtrain: {}", event.to_line()));
    let name = f.required_text("model_name").map_err(usage)?;
    let stacks = TrainingStacks { image, labels };
    let outcome = if f.switch("resume") {
        let run: serde_json::Map<String, serde_json::Value> =
            f.settings.iter().filter(|(k, _)| RUN_SETTINGS.contains(&k.as_str())).map(|(k, v)| (k.replace("model_name", "model"), v.clone())).collect();
        let mut settings: ResumeSettings = serde_json::from_value(serde_json::Value::Object(run)).map_err(|e| Failure::Error(e.to_string()))?;
        // The original command line may be given again: its recipe settings are checked.
        if f.settings.keys().any(|k| !RUN_SETTINGS.contains(&k.as_str())) {
            let config = serde_json::json!(f.settings.get("config").and_then(|c| c.as_str()).unwrap_or_default());
            settings.recipe = Some(f.parse(serde_json::Map::from_iter([("config".to_string(), config)])).map_err(Failure::Error)?);
        }
        resume(&settings, stacks, &context)?
    } else {
        f.required_text("config").map_err(usage)?;
        let mut settings: TrainSettings = f.parse(serde_json::Map::new()).map_err(Failure::Error)?;
        // Without a voxel size, the image's own calibration is used when it has one.
        if let Some([x, y, z]) = stacks.image.voxel_nm {
            settings.calibration = Some(serde_json::json!({"unit": "nm", "x": x, "y": y, "z": z}));
        }
        train(&settings.resolve()?, stacks, &context)?
    };
    eprintln!("segtrain: model '{name}' {}", outcome.line);
    println!("{}", serde_json::to_string(&outcome).expect("outcome serialises"));
    Ok(())
}

/// The settings of one command, as its dialog explains them.
fn help_command(command: &str) -> Result<(), Failure> {
    let schema_name = if command == "predict" { "auto_label" } else { command };
    let schema = segtrain::settings::schema::command_schema(schema_name, &serde_json::json!({})).map_err(|e| usage(e.to_string()))?;
    println!("segtrain {command}: {}\n", schema.intro);
    for f in schema.fields.iter().filter(|f| f.native) {
        let default = match &f.default {
            serde_json::Value::Null => String::new(),
            v => format!(" (default {})", v.to_string().trim_matches('"')),
        };
        println!("  --{} {}{default}\n      {}", f.key, f.label, f.help);
        if !f.aliases.is_empty() {
            println!("      older name: {}", f.aliases.iter().map(|a| format!("--{a}")).collect::<Vec<_>>().join(", "));
        }
    }
    Ok(())
}

fn models_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &[]).map_err(usage)?;
    a.only(&["models_folder", "models-dir"]).map_err(usage)?;
    let dir = a.get("models_folder").or(a.get("models-dir")).map(PathBuf::from).unwrap_or_else(segtrain::store::default_models_dir);
    let models = segtrain::store::list_models(&dir)?;
    if models.is_empty() {
        eprintln!("segtrain: no models in {}", dir.display());
    }
    for m in models {
        println!("{}\t{}\t{}", m.name, m.line, m.path);
    }
    Ok(())
}

/// Deletes a stored model (refused while another process writes it).
fn delete_command(words: &[String]) -> Result<(), Failure> {
    let a = Args::parse(words, &[]).map_err(usage)?;
    a.only(&["model", "name", "models_folder", "models-dir"]).map_err(usage)?;
    let dir = segtrain::store::models_dir_or_default(a.get("models_folder").or(a.get("models-dir")).map(Path::new));
    let name = a.get("model").or(a.get("name")).ok_or_else(|| usage("--model is required".into()))?;
    let path = segtrain::store::delete_model(&dir, name)?;
    eprintln!("segtrain: deleted {}", path.display());
    Ok(())
}

fn demo_data_command(words: &[String]) -> Result<(), Failure> {
    let f = Flags::read("demo_data", words, &["out"], &[]).map_err(usage)?;
    let out = PathBuf::from(f.required_file("out").map_err(usage)?);
    let mut sizes = serde_json::Map::new();
    for field in &f.schema.fields {
        if !f.settings.contains_key(field.key) {
            sizes.insert(field.key.to_string(), field.default.clone());
        }
    }
    let demo = f.parse::<segtrain::data::DemoSettings>(sizes).map_err(Failure::Error)?.stacks()?;
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

fn predict_command(words: &[String]) -> Result<(), Failure> {
    let f = Flags::read("auto_label", words, &["out", "probabilities"], &[]).map_err(usage)?;
    let out = PathBuf::from(f.required_file("out").map_err(usage)?);
    let image_path = Path::new(f.required_file("image").map_err(usage)?);
    check_output("out", &out, &[("image", image_path)])?;
    if let Some(p) = f.file("probabilities") {
        check_output("probabilities", Path::new(p), &[("image", image_path), ("out", out.as_path())])?;
    }
    f.required_text("model").map_err(usage)?;
    let image = read_stack_f32(image_path)?;
    let wants_maps = serde_json::Map::from_iter([("probabilities".to_string(), serde_json::json!(f.file("probabilities").is_some()))]);
    let settings: PredictSettings = f.parse(wants_maps).map_err(Failure::Error)?;
    let context = job_context(|event| match event {
        Event::Predicting { windows_done, windows_total } if windows_done % 50 != 0 && windows_done != windows_total => {}
        other => eprintln!("segtrain: {}", other.to_line()),
    });
    let started = std::time::Instant::now();
    let prediction = predict(&settings, image, &context)?;
    write_labels(&out, &prediction.labels)?;
    let mut written = vec![out.display().to_string()];
    if let (Some(maps), Some(path)) = (&prediction.probabilities, f.file("probabilities")) {
        written.extend(write_probabilities(Path::new(path), maps, &prediction.outputs)?.iter().map(|p| p.display().to_string()));
    }
    let objects = prediction.labels.data.iter().copied().max().unwrap_or(0);
    eprintln!("segtrain: labelled with '{}' in {:.1} s: {}", settings.name, started.elapsed().as_secs_f64(), written.join(", "));
    println!("{}", serde_json::json!({"files": written, "max_label": objects, "seconds": started.elapsed().as_secs_f64()}));
    Ok(())
}

fn evaluate_command(words: &[String]) -> Result<(), Failure> {
    let f = Flags::read("evaluate", words, &[], &["json"]).map_err(usage)?;
    let prediction = read_stack_labels(Path::new(f.required_file("segmentation").map_err(usage)?))?;
    let truth = read_stack_labels(Path::new(f.required_file("truth").map_err(usage)?))?;
    f.required_text("kind").map_err(usage)?;
    let settings: segtrain::evaluate::EvaluateSettings = f.parse(Default::default()).map_err(usage)?;
    let report = settings.run(&truth, &prediction)?.to_json();
    if f.switch("json") {
        println!("{report}");
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
    let f = Flags::read("tune", words, &[], &[]).map_err(usage)?;
    f.required_text("model").map_err(usage)?;
    let image = read_stack_f32(Path::new(f.required_file("image").map_err(usage)?))?;
    let labels = read_stack_labels(Path::new(f.required_file("labels").map_err(usage)?))?;
    let settings: TuneSettings = f.parse(serde_json::Map::new()).map_err(Failure::Error)?;
    settings.check()?;
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
