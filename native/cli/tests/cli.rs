//! The `segtrain` binary end to end: real TIFF files in, a model folder out, one-line errors.

mod common;
use common::{demo_data, segtrain, temp_dir, text, write_lying_tiff};

#[test]
fn train_from_tiff_files_writes_a_model_and_reports_json() {
    let dir = temp_dir("train");
    demo_data(&dir, "64");
    let models = dir.join("models");
    let d = dir.to_str().unwrap();
    let out = segtrain(&[
        "train", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--config", "Semantic2D",
        "--name", "cli", "--models-dir", models.to_str().unwrap(), "--iterations", "4", "--iteration-save", "2",
        "--window", "1,32,32", "--batch", "1", "--log-every", "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    assert_eq!(result["iterations"], 4);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("iteration 2/4") && stderr.contains("checkpoint at iteration 4"), "{stderr}");
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(models.join("cli/model.json")).unwrap()).unwrap();
    // The demo TIFFs carry ImageJ calibration 5x5x40 nm: used when --voxel-nm is not given.
    assert_eq!(record["config"]["voxel_nm"], serde_json::json!([5.0, 5.0, 40.0]));
    assert!(models.join("cli/checkpoints/iter_000002.safetensors").is_file());
    let listed = segtrain(&["models", "--models-dir", models.to_str().unwrap()]);
    let listed = text(&listed.stdout);
    assert!(listed.starts_with("cli\tSemantic2D, complete, 4 iterations, best validation IoU "), "{listed}");
    assert!(listed.contains(", saved 20") && listed.contains(" UTC\t"), "the list says when the model was saved: {listed}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_exit_non_zero_with_one_line_that_says_why() {
    let dir = temp_dir("errors");
    demo_data(&dir.join("a"), "64");
    demo_data(&dir.join("b"), "48");
    let d = dir.to_str().unwrap();
    let out = segtrain(&[
        "train", "--image", &format!("{d}/a/image.tif"), "--labels", &format!("{d}/b/labels.tif"), "--config", "Semantic2D",
        "--model_name", "x", "--models_folder", d, "--window_size", "1,32,32",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("segtrain: error: the image and label stacks differ in size"), "{stderr}");

    let out = segtrain(&["train", "--image", "/nonexistent.tif", "--labels", "/nonexistent.tif", "--config", "Semantic2D", "--name", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent.tif"), "{}", text(&out.stderr));

    let out = segtrain(&["train", "--image", &format!("{d}/a/image.tif"), "--labels", &format!("{d}/a/labels.tif"), "--config", "Semantic2D", "--model_name", "x", "--iteration_total", "100", "--iteration_save", "7"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("iteration_save: 7 does not divide iteration_total 100"), "{}", text(&out.stderr));

    let out = segtrain(&["train", "--image", &format!("{d}/a/image.tif"), "--labels", &format!("{d}/a/labels.tif"), "--config", "Semantic2D", "--name", "x", "--ignore-label", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("ignore_label: the label value of unannotated pixels, a whole number from 1 to 16777216"), "{}", text(&out.stderr));

    let out = segtrain(&["train", "--imgae", "x"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    assert!(text(&out.stderr).contains("unknown flag --imgae"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn predict_writes_a_calibrated_label_stack_and_evaluate_reports_json() {
    let dir = temp_dir("predict");
    demo_data(&dir, "64");
    let d = dir.to_str().unwrap();
    let models = dir.join("models");
    let m = models.to_str().unwrap();
    let train = segtrain(&[
        "train", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--config", "Semantic2D",
        "--name", "p", "--models-dir", m, "--iterations", "30", "--iteration-save", "30", "--window", "1,32,32", "--batch", "2",
        "--validation", "0",
    ]);
    assert!(train.status.success(), "{}", text(&train.stderr));
    let out = segtrain(&["predict", "--name", "p", "--models-dir", m, "--image", &format!("{d}/image.tif"), "--out", &format!("{d}/pred.tif"), "--probabilities", &format!("{d}/prob.tif")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["files"].as_array().unwrap().len(), 2);
    let eval = segtrain(&["evaluate", "--prediction", &format!("{d}/pred.tif"), "--truth", &format!("{d}/labels.tif"), "--kind", "semantic", "--json"]);
    assert!(eval.status.success(), "{}", text(&eval.stderr));
    let report: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(report["kind"], "semantic");
    let iou = report["iou"][1].as_f64().unwrap();
    assert!(iou > 0.3 && iou <= 1.0, "foreground IoU {iou}");
    let eval = segtrain(&["evaluate", "--prediction", &format!("{d}/instances.tif"), "--truth", &format!("{d}/instances.tif"), "--kind", "instance", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!((report["ap50"].as_f64(), report["arand"].as_f64()), (Some(1.0), Some(0.0)));
    // crop keeps calibration and cuts the asked block
    let crop = segtrain(&["crop", "--in", &format!("{d}/instances.tif"), "--out", &format!("{d}/crop.tif"), "--labels", "--y", "10:40", "--x", ":20"]);
    assert!(crop.status.success(), "{}", text(&crop.stderr));
    let cropped = segtrain_volume::read_stack_labels(&dir.join("crop.tif")).unwrap();
    assert_eq!(cropped.shape, [2, 30, 20]);
    assert!(cropped.voxel_nm.is_some());
    // resample to twice the voxel size: half the pixels, the new calibration, ids kept as ids
    let full = segtrain_volume::read_stack_labels(&dir.join("instances.tif")).unwrap();
    let [vx, vy, vz] = full.voxel_nm.unwrap();
    let coarse = format!("{},{},{}", 2.0 * vx, 2.0 * vy, vz);
    let out = segtrain(&["resample", "--in", &format!("{d}/instances.tif"), "--out", &format!("{d}/half.tif"), "--labels", "--voxel-nm", &coarse]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let half = segtrain_volume::read_stack_labels(&dir.join("half.tif")).unwrap();
    assert_eq!(half.shape, [2, 32, 32]);
    assert_eq!(half.voxel_nm, Some([2.0 * vx, 2.0 * vy, vz]));
    assert!(half.data.iter().all(|id| full.data.contains(id)), "nearest neighbour invents no ids");
    let out = segtrain(&["resample", "--in", &format!("{d}/image.tif"), "--out", &format!("{d}/half.tif"), "--voxel-nm", "0,1,1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--voxel-nm needs three sizes above 0"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn predict_flags_change_the_watershed_of_an_instance_model() {
    let dir = temp_dir("watershed");
    demo_data(&dir, "48");
    let d = dir.to_str().unwrap();
    let m = format!("{d}/models");
    let train = segtrain(&[
        "train", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/instances.tif"), "--config", "Instance2D",
        "--name", "i", "--models-dir", &m, "--iterations", "10", "--iteration-save", "10", "--window", "1,32,32", "--batch", "2",
        "--validation", "0",
    ]);
    assert!(train.status.success(), "{}", text(&train.stderr));
    let (image, pred) = (format!("{d}/image.tif"), format!("{d}/pred.tif"));
    let predict = |extra: &[&str]| {
        let mut args = vec!["predict", "--name", "i", "--models-dir", &m, "--image", &image, "--out", &pred];
        args.extend_from_slice(extra);
        segtrain(&args)
    };
    // Every voxel is a seed and flooded at thresholds 0 / 1: objects exist ...
    let out = predict(&["--foreground-threshold", "0", "--seed-foreground", "0", "--seed-contour", "1", "--min-seed-size", "1", "--min-size", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let labels = segtrain_volume::read_stack_labels(&dir.join("pred.tif")).unwrap();
    assert!(labels.data.iter().any(|&l| l != 0), "thresholds of 0 give objects");
    // ... and none survive a smallest size larger than the stack.
    let out = predict(&["--foreground-threshold", "0", "--seed-foreground", "0", "--seed-contour", "1", "--min-size", "1000000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let labels = segtrain_volume::read_stack_labels(&dir.join("pred.tif")).unwrap();
    assert!(labels.data.iter().all(|&l| l == 0), "every object is under the smallest size");
    // A size must be a whole number: the message names the parameter.
    let out = predict(&["--min-seed-size", "2.5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("min_seed_size"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--scale 2` trains at half size (model.json says so), `tune` stores tuned post-processing,
/// `--link-sections` is a predict flag, and a bad scale or weights value is named.
#[test]
fn scale_tune_and_link_sections_from_the_command_line() {
    let dir = temp_dir("scale-tune");
    let out = segtrain(&["demo-data", "--out", dir.to_str().unwrap(), "--slices", "2", "--height", "128", "--width", "128"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let d = dir.to_str().unwrap();
    let models = dir.join("models");
    let m = models.to_str().unwrap();
    let (image, instances) = (format!("{d}/image.tif"), format!("{d}/instances.tif"));
    let out = segtrain(&[
        "train", "--image", &image, "--labels", &instances, "--config", "Instance2D", "--name", "half", "--models-dir", m,
        "--iterations", "4", "--iteration-save", "4", "--window", "1,32,32", "--batch", "1", "--validation", "0", "--scale", "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("scale: scale 2 as set; training at 10x10x40 nm, 64x64 px per slice"), "{}", text(&out.stderr));
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(models.join("half/model.json")).unwrap()).unwrap();
    assert_eq!(record["training"]["scale"]["factor"], serde_json::json!([1, 2, 2]));
    assert!(record["tuning"].is_null(), "no validation block, no tuning");

    let out = segtrain(&["tune", "--name", "half", "--models-dir", m, "--image", &image, "--labels", &instances]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report as JSON");
    assert_eq!(report["metric"], "AP@0.5");
    assert!(text(&out.stderr).contains("post-processing tuned on the labelled stack (2x64x64 at the model's scale)"), "{}", text(&out.stderr));
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(models.join("half/model.json")).unwrap()).unwrap();
    assert_eq!(record["tuning"], report);

    let pred = format!("{d}/pred.tif");
    let out = segtrain(&["predict", "--name", "half", "--models-dir", m, "--image", &image, "--out", &pred, "--link-sections", "0.3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = segtrain(&["train", "--image", &image, "--labels", &instances, "--config", "Instance2D", "--name", "bad", "--models-dir", m, "--scale", "half"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("scale: 'auto' or a whole number from 1 to 8 (got \"half\")"), "{}", text(&out.stderr));
    let out = segtrain(&["tune", "--name", "half", "--models-dir", m, "--image", &image, "--labels", &instances, "--weights", "last"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("weights: 'final' or 'best' (got 'last')"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_sizes_are_refused_with_a_message_never_an_abort() {
    let dir = temp_dir("hostile");
    demo_data(&dir, "48");
    let d = dir.to_str().unwrap();
    let lie = dir.join("lie.tif");
    write_lying_tiff(&lie);
    let lie = lie.to_str().unwrap();
    let image = format!("{d}/image.tif");
    for args in [
        vec!["train", "--image", lie, "--labels", lie, "--config", "Semantic2D", "--name", "x", "--models-dir", d],
        vec!["evaluate", "--prediction", lie, "--truth", lie, "--kind", "semantic"],
        vec!["crop", "--in", lie, "--out", "/dev/null", "--z", "0:1"],
    ] {
        let out = segtrain(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("page 1 says it is 1000000x1000000 pixels (1000.0 GB), but the file (210 bytes) cannot hold that"), "{args:?}: {stderr}");
    }
    let out = segtrain(&["resample", "--in", &image, "--out", &format!("{d}/r.tif"), "--voxel-nm", "0.001,0.001,0.001"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("voxel_nm: the 2x48x64 (z, y, x) stack") && stderr.contains("is the voxel size right?"), "{stderr}");
    assert!(!dir.join("r.tif").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn overwriting_keeps_the_old_model_until_the_new_one_is_complete() {
    let dir = temp_dir("overwrite");
    demo_data(&dir, "48");
    let d = dir.to_str().unwrap();
    let m = format!("{d}/models");
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train", "--image", &*format!("{d}/image.tif"), "--labels", &*format!("{d}/labels.tif"), "--config", "Semantic2D",
            "--models-dir", &m, "--iterations", "4", "--iteration-save", "4", "--window", "1,32,32", "--batch", "2", "--validation", "0",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        args.extend(extra.iter().map(|s| s.to_string()));
        segtrain(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = train(&["--name", "x"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json = |name: &str| std::fs::read_to_string(format!("{m}/{name}/model.json")).unwrap();
    let before = json("x");

    // Fine-tuning a model from itself while overwriting it: it is read before it is replaced.
    let out = train(&["--name", "x", "--overwrite", "--fine-tune-from", "x", "--seed", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("{m}/x")), "{}", text(&out.stderr));
    let after = json("x");
    assert_ne!(before, after, "x was replaced");

    // An overwrite that fails (unreadable fine-tune weights) leaves x as it was and no folder behind.
    let out = train(&["--name", "y"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(format!("{m}/y/model.safetensors"), b"not weights").unwrap();
    let out = train(&["--name", "x", "--overwrite", "--fine-tune-from", "y"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(json("x"), after, "a failed overwrite changed the old model");
    // A new name whose fine-tune fails leaves no empty folder blocking the name.
    let out = train(&["--name", "z", "--fine-tune-from", "y"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut left: Vec<String> = std::fs::read_dir(&m).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["x", "y"], "only the two models, no staging folder, no 'z'");

    // Auto-label refuses NaN pixels as training does, naming the first, and writes nothing.
    let mut image = segtrain_volume::read_stack_f32(&dir.join("image.tif")).unwrap();
    image.data[5] = f32::NAN;
    segtrain_volume::write_stack(&dir.join("nan.tif"), &image).unwrap();
    let out = segtrain(&["predict", "--name", "x", "--models-dir", &m, "--image", &format!("{d}/nan.tif"), "--out", &format!("{d}/nan-labels.tif")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the stack to label contains 1 NaN or infinite value(s), the first at slice 1, row 0, column 5"), "{}", text(&out.stderr));
    assert!(!dir.join("nan-labels.tif").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The training command line plus --resume continues the model; run settings may change, a
/// recipe value may not (the message names it), and a lowered total cannot undo done work.
#[test]
fn resume_takes_the_original_command_line_and_names_a_changed_recipe_value() {
    let dir = temp_dir("resume-line");
    demo_data(&dir, "64");
    let (d, models) = (dir.to_str().unwrap(), dir.join("models"));
    let m = models.to_str().unwrap();
    let image = format!("{d}/image.tif");
    let labels = format!("{d}/labels.tif");
    let original = [
        "train", "--image", &image, "--labels", &labels, "--config", "Semantic2D", "--name", "r", "--models-dir", m,
        "--iterations", "4", "--iteration-save", "2", "--window", "1,32,32", "--batch", "1", "--lr", "0.01", "--cpus", "2",
    ];
    let out = segtrain(&original);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The same line, a higher total, another CPU count: continues.
    let mut line: Vec<&str> = original.to_vec();
    line[12] = "6"; // --iterations 6
    line[22] = "1"; // --cpus 1
    line.push("--resume");
    let out = segtrain(&line);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("resuming at iteration 4 of 6"), "{}", text(&out.stderr));
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(models.join("r/model.json")).unwrap()).unwrap();
    assert_eq!((record["training"]["iterations_done"].as_u64(), record["config"]["cpus"].as_u64()), (Some(6), Some(1)));
    // Precision is a run setting too: this run computes in bf16, and model.json says so.
    let mut bf16 = line.clone();
    bf16[12] = "8";
    bf16.extend(["--precision", "bf16"]);
    let out = segtrain(&bf16);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("precision bf16 as set"), "{}", text(&out.stderr));
    let record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(models.join("r/model.json")).unwrap()).unwrap();
    assert_eq!((record["training"]["iterations_done"].as_u64(), record["training"]["precision"].as_str()), (Some(8), Some("bf16")));
    // A changed recipe value is named, with what was stored.
    line[12] = "10";
    line[20] = "0.02"; // --lr
    let out = segtrain(&line);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("'r' was trained with other settings (base_lr: 0.01 (given 0.02))"), "{stderr}");
    // ignore_label is recipe too: the model trained without one.
    line[20] = "0.01";
    line.extend(["--ignore-label", "255"]);
    let out = segtrain(&line);
    assert!(text(&out.stderr).contains("'r' was trained with other settings (ignore_label: none (given 255))"), "{}", text(&out.stderr));
    let out = segtrain(&["train", "--resume", "--image", &image, "--labels", &labels, "--name", "r", "--models-dir", m, "--iterations", "2"]);
    assert!(text(&out.stderr).contains("give at least 8 iterations"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
