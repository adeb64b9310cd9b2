//! Faults from outside while the CLI works: signals, a full disk, a second writer. Each must
//! leave a model that says what happened and can be resumed, never a half-written file.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

mod common;
use common::{demo_data, segtrain, temp_dir, text};

fn record(model: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(model.join("model.json")).unwrap()).unwrap()
}

/// Every file in the model folder, checkpoints included (no temporary may be left).
fn files(model: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(model)
        .unwrap()
        .chain(std::fs::read_dir(model.join("checkpoints")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `segtrain train` on the demo stacks in `d` with checkpoints every 5 of `iterations`.
fn train_args(d: &str, models: &str, name: &str, iterations: &str) -> Vec<String> {
    let words = [
        "train", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--config", "Semantic2D", "--name", name,
        "--models-dir", models, "--iterations", iterations, "--iteration-save", "5", "--window", "1,32,32", "--batch", "1",
        "--log-every", "1", "--validation", "0",
    ];
    words.iter().map(|w| w.to_string()).collect()
}

/// Starts a long training and sends `signal` once iteration 3 is reported; returns the exit code
/// and what the process wrote to stderr.
fn stop_training_with(signal: &str, d: &str, models: &str, name: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_segtrain"))
        .args(train_args(d, models, name, "100000"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    let mut sent = false;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if !sent && line.contains("iteration 3/100000") {
            let kill = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
            assert!(kill.success());
            sent = true;
        }
        stderr += &line;
        stderr.push('\n');
    }
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn sigterm_and_sigint_checkpoint_the_iteration_reached_and_exit_143_and_130() {
    let dir = temp_dir("signals");
    demo_data(&dir, "64");
    let (d, models) = (dir.to_str().unwrap(), dir.join("models"));
    let m = models.to_str().unwrap();
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let name = format!("stopped-{signal}");
        let (exit, stderr) = stop_training_with(signal, d, m, &name);
        assert_eq!(exit, Some(code), "{stderr}");
        assert!(stderr.contains(&format!("SIG{signal} received")) && stderr.contains("cancelled after"), "{stderr}");
        assert!(stderr.contains(&format!("stopped by SIG{signal}")), "{stderr}");
        let model = models.join(&name);
        let r = record(&model);
        assert_eq!(r["status"], "cancelled");
        let done = r["training"]["iterations_done"].as_u64().unwrap();
        assert!(done >= 3, "{r}");
        let checkpoint = format!("checkpoints/iter_{done:06}.safetensors");
        assert_eq!(r["training"]["last_checkpoint"], serde_json::json!(checkpoint), "the stop is a checkpoint");
        assert!(files(&model).iter().all(|f| !f.starts_with('.')), "no temporary file: {:?}", files(&model));
    }
    // The stopped model resumes from the iteration it reached.
    let out = segtrain(&["train", "--resume", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--name", "stopped-TERM", "--models-dir", m, "--iterations", "10"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("resuming at iteration"), "{}", text(&out.stderr));
    assert_eq!(record(&models.join("stopped-TERM"))["status"], "complete");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A full disk, made by a file-size limit (ulimit -f, with SIGXFSZ ignored so that writes fail
/// with an error instead of killing the process): works unprivileged, unlike mounting a tmpfs.
#[test]
fn a_full_disk_fails_the_training_with_a_message_and_leaves_no_temporary_file() {
    let dir = temp_dir("diskfull");
    demo_data(&dir, "64");
    let (d, models) = (dir.to_str().unwrap(), dir.join("models"));
    let args = train_args(d, models.to_str().unwrap(), "full", "10").join(" ");
    // 200 KiB: model.json fits, a checkpoint of the network does not.
    let script = format!("trap '' XFSZ; ulimit -f 200; exec {} {args}", env!("CARGO_BIN_EXE_segtrain"));
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the disk is full; free some space and resume the model"), "{stderr}");
    let model = models.join("full");
    let r = record(&model);
    assert_eq!(r["status"], "failed");
    assert!(r["training"]["error"].as_str().unwrap().contains("the disk is full"), "{r}");
    assert!(files(&model).iter().all(|f| !f.starts_with('.')), "a half-written file is removed: {:?}", files(&model));
    let listed = text(&segtrain(&["models", "--models-dir", models.to_str().unwrap()]).stdout);
    assert!(listed.starts_with("full\tSemantic2D, failed, "), "{listed}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_second_writer_of_a_model_is_refused_while_the_first_runs() {
    let dir = temp_dir("lock");
    demo_data(&dir, "64");
    let (d, models) = (dir.to_str().unwrap(), dir.join("models"));
    let m = models.to_str().unwrap();
    let mut first = Command::new(env!("CARGO_BIN_EXE_segtrain")).args(train_args(d, m, "busy", "100000")).stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(first.stderr.take().unwrap()).lines();
    while !lines.next().unwrap().unwrap().contains("iteration 1/") {}
    let mut overwrite = train_args(d, m, "busy", "10");
    overwrite.push("--overwrite".into());
    let resume = ["train", "--resume", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--name", "busy", "--models-dir", m];
    let tune = ["tune", "--name", "busy", "--image", &format!("{d}/image.tif"), "--labels", &format!("{d}/labels.tif"), "--models-dir", m];
    for (what, out) in [
        ("overwrite", segtrain(&overwrite.iter().map(String::as_str).collect::<Vec<_>>())),
        ("resume", segtrain(&resume)),
        ("tune", segtrain(&tune)),
        ("delete", segtrain(&["delete", "--name", "busy", "--models-dir", m])),
    ] {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains(&format!("model: 'busy' is being written by process {} (training)", first.id())), "{what}: {stderr}");
    }
    Command::new("kill").args(["-TERM", &first.id().to_string()]).status().unwrap();
    for _ in lines {}
    assert_eq!(first.wait().unwrap().code(), Some(143));
    assert_eq!(record(&models.join("busy"))["status"], "cancelled", "the first run was never disturbed");
    assert!(!models.join(".busy.lock").exists(), "the lock is gone with its owner");
    let out = segtrain(&["delete", "--name", "busy", "--models-dir", m]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_dir(&models).unwrap().count(), 0, "deleted, nothing left beside it");
    std::fs::remove_dir_all(&dir).unwrap();
}
