//! The reliability suite: bad inputs and damaged models through the real `segtrain` binary. Every
//! case must end with its own clear message and exit code (1: the work was refused, 2: the
//! command line is wrong), never an abort, and must leave the models folder exactly as it was.
//! Faults from outside (signals, a full disk, a second writer) are in faults.rs.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tiff::encoder::{colortype, TiffEncoder};

mod common;
use common::{demo_data, segtrain, temp_dir, text, write_lying_tiff};

/// (size, modification time) of every file under `dir`, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            }
            let key = entry.path().strip_prefix(dir).unwrap().display().to_string();
            files.insert(key, (meta.len(), meta.modified().unwrap()));
        }
    }
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A copy of model `good` whose model.json is changed by `edit`.
fn edited_model(models: &Path, name: &str, edit: impl Fn(&mut serde_json::Value)) {
    copy_dir(&models.join("good"), &models.join(name));
    let path = models.join(name).join("model.json");
    let mut record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut record);
    std::fs::write(&path, serde_json::to_string_pretty(&record).unwrap()).unwrap();
}

/// Two 32-bit float pages holding `values` (the demo stacks have two slices).
fn write_f32(path: &Path, w: u32, h: u32, values: &[f32]) {
    let mut tiff = TiffEncoder::new(std::fs::File::create(path).unwrap()).unwrap();
    for _ in 0..2 {
        tiff.write_image::<colortype::Gray32Float>(w, h, values).unwrap();
    }
}

/// The files and models every case works on.
fn fixture() -> (PathBuf, PathBuf) {
    let dir = temp_dir("reliability");
    let data = dir.join("data");
    demo_data(&data, "64");
    demo_data(&dir.join("small"), "48");
    let models = dir.join("models");
    let d = data.to_str().unwrap();
    let out = segtrain(&[
        "train", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--config", "Semantic2D", "--name", "good",
        "--models-dir", models.to_str().unwrap(), "--iterations", "2", "--iteration-save", "2", "--window", "1,32,32", "--batch", "1",
        "--validation", "0", "--lr", "0.01", "--scale", "1", // the messages below name its 5 nm voxels
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    edited_model(&models, "newer", |r| r["schema_version"] = 99.into());
    edited_model(&models, "edited-task", |r| r["config"]["task"] = "instance".into());
    edited_model(&models, "huge-window", |r| r["config"]["window_size"] = serde_json::json!([1, 1000000, 1000000]));
    edited_model(&models, "huge-network", |r| r["network"]["filters"][0] = 100000.into());
    edited_model(&models, "zero-std", |r| r["normalization"]["std"] = 0.into());
    edited_model(&models, "no-weights", |_| {});
    std::fs::remove_file(models.join("no-weights/model.safetensors")).unwrap();
    edited_model(&models, "garbage-weights", |_| {});
    std::fs::write(models.join("garbage-weights/model.safetensors"), b"\xff\xff\xff\xff\xff\xff\xff\x7fnot safetensors").unwrap();
    edited_model(&models, "not-json", |_| {});
    std::fs::write(models.join("not-json/model.json"), "{\"schema_version\": 2,").unwrap();
    edited_model(&models, "empty-json", |_| {});
    std::fs::write(models.join("empty-json/model.json"), "").unwrap();
    std::fs::create_dir_all(models.join("foreign")).unwrap();
    std::fs::write(models.join("foreign/notes.txt"), "not a model").unwrap();

    let bad = dir.join("bad");
    std::fs::create_dir_all(bad.join("no-tiffs")).unwrap();
    std::fs::create_dir_all(bad.join("folder.json")).unwrap();
    std::fs::write(bad.join("garbage.json"), "window = 3").unwrap();
    std::fs::write(bad.join("no-tiffs/readme.txt"), "nothing").unwrap();
    write_lying_tiff(&bad.join("lying.tif"));
    let image = std::fs::read(data.join("image.tif")).unwrap();
    std::fs::write(bad.join("truncated.tif"), &image[..image.len() / 2]).unwrap();
    std::fs::write(bad.join("empty.tif"), b"").unwrap();
    std::fs::write(bad.join("text.tif"), b"this is not an image\n").unwrap();
    let n = 64 * 64;
    let ramp: Vec<f32> = (0..n).map(|i| (i % 64) as f32).collect();
    let with = |i: usize, v: f32| {
        let mut values = ramp.clone();
        values[i] = v;
        values
    };
    write_f32(&bad.join("nan.tif"), 64, 64, &with(100, f32::NAN));
    write_f32(&bad.join("inf.tif"), 64, 64, &with(7, f32::INFINITY));
    write_f32(&bad.join("constant.tif"), 64, 64, &vec![3.0; n]);
    write_f32(&bad.join("probabilities.tif"), 64, 64, &(0..n).map(|i| (i % 3) as f32 * 0.5).collect::<Vec<_>>());
    write_f32(&bad.join("big-ids.tif"), 64, 64, &(0..n).map(|i| if i < 10 { 16_777_218.0 } else { 0.0 }).collect::<Vec<_>>());
    write_f32(&bad.join("negative.tif"), 64, 64, &with(3, -2.0).iter().map(|v| v.min(1.0)).collect::<Vec<_>>());
    write_f32(&bad.join("zeros.tif"), 64, 64, &vec![0.0; n]);
    let mut tiff = TiffEncoder::new(std::fs::File::create(bad.join("rgb.tif")).unwrap()).unwrap();
    for _ in 0..2 {
        tiff.write_image::<colortype::RGB8>(64, 64, &vec![90u8; n * 3]).unwrap();
    }
    (dir, models)
}

struct Case {
    name: &'static str,
    code: i32,
    message: &'static str,
    args: Vec<String>,
}

/// `args` with {d} (demo data), {s} (smaller demo data), {b} (bad files), {m} (models) and
/// {o} (an output folder) filled in.
fn case(name: &'static str, code: i32, message: &'static str, args: &str, dir: &Path) -> Case {
    let fill = |w: &str| {
        w.replace("{d}", &dir.join("data").display().to_string())
            .replace("{s}", &dir.join("small").display().to_string())
            .replace("{b}", &dir.join("bad").display().to_string())
            .replace("{m}", &dir.join("models").display().to_string())
            .replace("{o}", &dir.join("out").display().to_string())
    };
    Case { name, code, message, args: args.split_whitespace().map(fill).collect() }
}

const TRAIN: &str = "train --image {d}/image.tif --labels {d}/labels.tif --config Semantic2D --models_folder {m} --iteration_total 2 --iteration_save 2 --samples_per_batch 1";
const PREDICT: &str = "predict --image {d}/image.tif --models_folder {m} --out {o}/labels.tif";

fn cases(dir: &Path) -> Vec<Case> {
    // The base training command with `rest` added; a flag in `rest` replaces the base's.
    let t = |rest: &str| {
        let given: Vec<&str> = rest.split_whitespace().filter(|w| w.starts_with("--")).collect();
        let base = format!("{TRAIN} --window_size 1,32,32");
        let words: Vec<&str> = base.split_whitespace().collect();
        let mut kept = vec![words[0].to_string()];
        for pair in words[1..].chunks(2).filter(|pair| !given.contains(&pair[0])) {
            kept.push(pair.join(" "));
        }
        format!("{} {rest}", kept.join(" "))
    };
    let p = |rest: &str| format!("{PREDICT} {rest}");
    let train_on = |image: &str, labels: &str| format!("train --image {image} --labels {labels} --config Semantic2D --model_name new --models_folder {{m}} --iteration_total 2 --iteration_save 2 --window_size 1,32,32");
    let resume = |rest: &str| format!("train --resume --image {{d}}/image.tif --labels {{d}}/labels.tif --models_folder {{m}} {rest}");
    let c = |name, code, message, args: &str| case(name, code, message, args, dir);
    vec![
        // The command line itself (exit 2, with the usage).
        c("no command", 2, "no command given", ""),
        c("unknown command", 2, "unknown command 'trian'", "trian"),
        c("misspelt flag", 2, "unknown flag --imgae", &t("--model_name x --imgae y")),
        c("flag without value", 2, "--model_name needs a value", &t("--model_name")),
        c("word without flag", 2, "unexpected argument 'x'", &t("--model_name n x")),
        c("flag given twice", 2, "--model_name is given twice", &t("--model_name a --model_name b")),
        c("a key and its older name", 2, "--window_size is given twice", &t("--model_name a --window 1,32,32")),
        c("number flag not a number", 2, "--base_lr: 'fast' is not a number", &t("--model_name n --base_lr fast")),
        c("window not numbers", 1, "window_size: \"1,a,3\" is not a list of numbers a,b,c", &t("--model_name n --window_size 1,a,3")),
        c("predict without --out", 2, "--out is required", "predict --model good --image {d}/image.tif --models_folder {m}"),
        c("evaluate without --kind", 2, "--kind is required", "evaluate --segmentation {d}/labels.tif --truth {d}/labels.tif"),
        c("crop range not a range", 2, "--z: '5' is not a range a:b", "crop --in {d}/image.tif --out {o}/c.tif --z 5"),
        c("resample two sizes", 2, "--voxel-nm needs three sizes above 0", "resample --in {d}/image.tif --out {o}/r.tif --voxel-nm 1,2"),
        // Training settings (exit 1, nothing written).
        c("unknown config", 1, "config:", &t("--model_name n --config Semantic4D")),
        c("config file that is a folder", 1, "folder.json is not a config file", &t("--model_name n --config {b}/folder.json")),
        c("config file that is not JSON", 1, "config: {b}/garbage.json is not a complete training config", &t("--model_name n --config {b}/garbage.json")),
        c("name escaping the folder", 1, "model_name: '../escape' is not a usable model name", &t("--model_name ../escape")),
        c("hidden name", 1, "model_name: '.hidden' is not a usable model name", &t("--model_name .hidden")),
        c("negative learning rate", 1, "base_lr: must be a number above 0", &t("--model_name n --base_lr -1")),
        c("huge learning rate", 1, "base_lr: must be a number above 0 and at most 10", &t("--model_name n --base_lr 100")),
        c("NaN learning rate", 2, "--base_lr: 'NaN' is not a number", &t("--model_name n --base_lr NaN")),
        c("zero iterations", 1, "iteration_total: must be a whole number from 1", &t("--model_name n --iteration_total 0")),
        c("save not dividing total", 1, "iteration_save: 7 does not divide iteration_total 100", &t("--model_name n --iteration_total 100 --iteration_save 7")),
        c("zero batch", 1, "samples_per_batch: must be a whole number from 1 to 4096 (got 0)", &t("--model_name n --samples_per_batch 0")),
        c("fractional batch", 1, "samples_per_batch: must be a whole number from 1 to 4096 (got 2.5)", &t("--model_name n --samples_per_batch 2.5")),
        c("window below the network's downsampling", 1, "window_size: y and x must be at least 16", &t("--model_name n --window_size 1,8,8")),
        c("3D window for a 2D config", 1, "window_size: z must be 1 for a 2D config", &t("--model_name n --window_size 3,32,32")),
        c("window of two numbers", 1, "window_size: needs three numbers z,y,x", &t("--model_name n --window_size 1,32")),
        c("window larger than the stack", 1, "window_size: larger than the stack: y (height) is 128 but the stack has 64", &t("--model_name n --window_size 1,128,128")),
        c("negative gpus", 1, "gpus: must be a whole number from 0 to 64 (got -1)", &t("--model_name n --gpus -1")),
        c("gpus on a machine without", 1, "gpus:", &t("--model_name n --gpus 1")),
        c("zero cpus", 1, "cpus: must be a whole number from 1 to", &t("--model_name n --cpus 0")),
        c("more cpus than the machine", 1, "the cores of this machine (got 100000)", &t("--model_name n --cpus 100000")),
        c("zero voxel size", 1, "x_nm: must be a size in nm above 0 (got 0)", &t("--model_name n --x_nm 0 --y_nm 1 --z_nm 1")),
        c("NaN voxel size", 2, "--x_nm: 'NaN' is not a number", &t("--model_name n --x_nm NaN --y_nm 1 --z_nm 1")),
        c("scale not a factor", 1, "scale: 'auto' or a whole number from 1 to 8", &t("--model_name n --scale half")),
        c("scale too large", 1, "scale: 'auto' or a whole number from 1 to 8", &t("--model_name n --scale 100")),
        c("validation share too large", 1, "validation_fraction: must be from 0 (no validation) to 0.5 (got 0.9)", &t("--model_name n --validation_fraction 0.9")),
        c("negative time budget", 1, "time_budget_minutes: must be from 0", &t("--model_name n --time_budget_minutes -1")),
        c("negative seed", 1, "seed: must be a whole number from 0", &t("--model_name n --seed -1")),
        c("fine-tune from a missing model", 1, "fine_tune_from: no model called 'ghost'", &t("--model_name n --fine_tune_from ghost")),
        c("name taken", 1, "model_name: a model called 'good' already exists", &t("--model_name good")),
        c("overwriting a folder that is not a model", 1, "is not a SegTrain model; not overwriting it", &t("--model_name foreign --overwrite")),
        c("fine-tune from a newer model", 1, "schema_version 99 is not one this SegTrain reads", &t("--model_name n --fine_tune_from newer")),
        // Input stacks.
        c("missing image", 1, "/nonexistent.tif: file or folder not found", &train_on("/nonexistent.tif", "{d}/labels.tif")),
        c("header declaring a terapixel", 1, "lying.tif", &train_on("{b}/lying.tif", "{d}/labels.tif")),
        c("truncated TIFF", 1, "truncated.tif", &train_on("{b}/truncated.tif", "{d}/labels.tif")),
        c("empty file", 1, "empty.tif", &train_on("{b}/empty.tif", "{d}/labels.tif")),
        c("text file named .tif", 1, "text.tif", &train_on("{b}/text.tif", "{d}/labels.tif")),
        c("folder without TIFFs", 1, "the folder contains no TIFF images", &train_on("{b}/no-tiffs", "{d}/labels.tif")),
        c("image and labels of different sizes", 1, "the image and label stacks differ in size", &train_on("{d}/image.tif", "{s}/labels.tif")),
        c("labels all background", 1, "the label stack has no labelled pixels (all 0)", &train_on("{d}/image.tif", "{b}/zeros.tif")),
        c("probability map as labels", 1, "has the value 0.5 at x=1, y=0; labels must be whole numbers", &train_on("{d}/image.tif", "{b}/probabilities.tif")),
        c("float ids above 2^24", 1, "stored as a floating-point number: above 16777216", &train_on("{d}/image.tif", "{b}/big-ids.tif")),
        c("negative labels", 1, "has the value -2", &train_on("{d}/image.tif", "{b}/negative.tif")),
        c("NaN pixels", 1, "contains 2 NaN or infinite value(s), the first at slice 1, row 1, column 36", &train_on("{b}/nan.tif", "{d}/labels.tif")),
        c("infinite pixels", 1, "contains 2 NaN or infinite value(s), the first at slice 1, row 0, column 7", &train_on("{b}/inf.tif", "{d}/labels.tif")),
        c("constant image", 1, "the image stack is constant (every voxel is 3)", &train_on("{b}/constant.tif", "{d}/labels.tif")),
        c("RGB image", 1, "RGB colour image; convert to 8-bit grayscale first", &train_on("{b}/rgb.tif", "{d}/labels.tif")),
        c("RGB labels", 1, "RGB colour image; labels must hold one number per pixel", &train_on("{d}/image.tif", "{b}/rgb.tif")),
        // Auto-label.
        c("predict with a missing model", 1, "model: no model called 'ghost'", &p("--model ghost")),
        c("predict with a name escaping the folder", 1, "model:", &p("--model ../good")),
        c("output is the input", 1, "--out: {d}/image.tif is also the input (--image)", "predict --model good --image {d}/image.tif --models_folder {m} --out {d}/image.tif"),
        c("output in a missing folder", 1, "--out: the folder {o}/missing does not exist", "predict --model good --image {d}/image.tif --models_folder {m} --out {o}/missing/l.tif"),
        c("output is a folder", 1, "is a folder; give a file name", "predict --model good --image {d}/image.tif --models_folder {m} --out {o}"),
        c("probabilities onto the input", 1, "--probabilities: {d}/image.tif is also the input (--image)", &p("--model good --probabilities {d}/image.tif")),
        c("probabilities onto the labels output", 1, "--probabilities: {o}/labels.tif is also the input (--out)", &p("--model good --probabilities {o}/labels.tif")),
        c("predict on NaN pixels", 1, "contains 2 NaN or infinite value(s)", "predict --model good --image {b}/nan.tif --models_folder {m} --out {o}/l.tif"),
        c("predict at a voxel size in the wrong unit", 1, "x_nm: the stack's x voxel size 1000 nm is 200.000 times the model's 5 nm", &p("--model good --x_nm 1000 --y_nm 1000 --z_nm 1000")),
        c("overlap of 1 or more", 1, "overlap:", &p("--model good --overlap 1.5")),
        c("zero batch in predict", 1, "batch:", &p("--model good --batch 0")),
        c("unknown weights", 1, "weights: 'final' or 'best'", &p("--model good --weights latest")),
        c("threshold above 1", 1, "threshold:", &p("--model good --threshold 2")),
        c("model from a newer SegTrain", 1, "schema_version 99 is not one this SegTrain reads (1 to 2)", &p("--model newer")),
        c("model.json edited to another task", 1, "config Semantic2D is a instance config but the model's outputs are", &p("--model edited-task")),
        c("model.json declaring a huge window", 1, "window [1, 1000000, 1000000] is not a usable window", &p("--model huge-window")),
        c("model.json declaring a huge network", 1, "1 to 1024 filters", &p("--model huge-network")),
        c("model.json with zero spread", 1, "normalization must be a finite mean and a std above 0", &p("--model zero-std")),
        c("model without weights", 1, "model 'no-weights' has no final weights", &p("--model no-weights")),
        c("damaged weights", 1, "model.safetensors", &p("--model garbage-weights")),
        c("model.json cut short", 1, "not a readable model.json", &p("--model not-json")),
        c("empty model.json", 1, "not a readable model.json", &p("--model empty-json")),
        c("folder that is not a model", 1, "no model called 'foreign'", &p("--model foreign")),
        // Resume and tune.
        c("resume a missing model", 1, "model: no model called 'ghost'", &resume("--model_name ghost")),
        c("resume with another learning rate", 1, "'good' was trained with other settings (base_lr: 0.01 (given 0.5))", &resume("--model_name good --base_lr 0.5 --iteration_total 4")),
        c("resume with another config", 1, "'good' was trained with other settings (config: Semantic2D (given Instance2D))", &resume("--model_name good --config Instance2D --iteration_total 4")),
        c("resume on other stacks", 1, "resuming needs the same stacks", "train --resume --image {s}/image.tif --labels {s}/labels.tif --models_folder {m} --model_name good --iteration_total 4"),
        c("resume with nothing left", 1, "iteration_total: 'good' has done its 2 iterations", &resume("--model_name good")),
        c("resume below what is done", 1, "give at least 2 iterations", &resume("--model_name good --iteration_total 1")),
        c("resume a newer model", 1, "schema_version 99", &resume("--model_name newer --iteration_total 4")),
        c("tune on labels of another size", 1, "differ in size", "tune --model good --image {d}/image.tif --labels {s}/labels.tif --models_folder {m}"),
        c("tune with unknown weights", 1, "weights: 'final' or 'best' (got 'last')", "tune --model good --image {d}/image.tif --labels {d}/labels.tif --models_folder {m} --weights last"),
        c("delete a missing model", 1, "model: no model called 'ghost'", "delete --model ghost --models_folder {m}"),
        c("delete a folder that is not a model", 1, "model: no model called 'foreign'", "delete --model foreign --models_folder {m}"),
        c("delete with a name escaping the folder", 1, "model: '../good' is not a usable model name", "delete --model ../good --models_folder {m}"),
        // Evaluate, crop, resample, demo data.
        c("unknown evaluation kind", 1, "kind", "evaluate --segmentation {d}/labels.tif --truth {d}/labels.tif --kind magic"),
        c("evaluate stacks of different sizes", 1, "differ in size", "evaluate --segmentation {d}/labels.tif --truth {s}/labels.tif --kind semantic"),
        c("resample to an absurd size", 1, "", "resample --in {d}/image.tif --out {o}/r.tif --voxel-nm 0.001,0.001,0.001"),
        c("resample onto its input", 1, "--out: {d}/image.tif is also the input (--in)", "resample --in {d}/image.tif --out {d}/image.tif --voxel-nm 10,10,40"),
        c("crop onto its input", 1, "is also the input (--in)", "crop --in {d}/image.tif --out {d}/image.tif --z 0:1"),
        c("crop range reversed", 1, "--z: 5:3 is not inside 0:2", "crop --in {d}/image.tif --out {o}/c.tif --z 5:3"),
        c("crop outside the stack", 1, "--y: 0:1000 is not inside 0:64", "crop --in {d}/image.tif --out {o}/c.tif --y 0:1000"),
        c("demo data of no slices", 1, "slices", "demo-data --out {o}/demo --slices 0"),
        c("demo data of absurd size", 1, "", "demo-data --out {o}/demo --height 1000000 --width 1000000"),
    ]
}

#[test]
fn every_bad_input_gets_its_own_message_and_leaves_the_models_folder_as_it_was() {
    let (dir, models) = fixture();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let cases = cases(&dir);
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let before = snapshot(&models);
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let out = segtrain(&args);
        let stderr = text(&out.stderr);
        let message = case.message.replace("{d}", &dir.join("data").display().to_string()).replace("{o}", &dir.join("out").display().to_string()).replace("{b}", &dir.join("bad").display().to_string());
        let mut wrong = Vec::new();
        if out.status.code() != Some(case.code) {
            wrong.push(format!("exit {:?}, expected {}", out.status.code(), case.code));
        }
        if !stderr.contains(&message) {
            wrong.push(format!("message lacks '{message}'"));
        }
        let first = stderr.lines().next().unwrap_or_default();
        if case.code == 1 && (stderr.lines().count() != 1 || !first.starts_with("segtrain: error: ")) {
            wrong.push("not one 'segtrain: error:' line".into());
        }
        if snapshot(&models) != before {
            wrong.push("the models folder changed".into());
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n    stderr: {first}", case.name, wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    let listed = text(&segtrain(&["models", "--models-dir", models.to_str().unwrap()]).stdout);
    for broken in ["newer", "edited-task", "huge-window", "huge-network", "zero-std", "not-json", "empty-json"] {
        assert!(listed.contains(&format!("{broken}\tcannot be used: ")), "{broken} is listed as broken with its reason:\n{listed}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
