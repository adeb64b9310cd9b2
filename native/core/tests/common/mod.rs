//! Helpers shared by the integration tests.
#![allow(dead_code)]
use segtrain::data::demo_stacks;
use segtrain::settings::{TrainPlan, TrainSettings};
use segtrain::train::TrainingStacks;
use segtrain_volume::Volume;
use std::path::PathBuf;

/// A fresh, empty folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segtrain-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Generated stacks with binary labels (0 background, 1 object): semantic configs.
pub fn demo(depth: usize, size: usize, seed: u64) -> TrainingStacks {
    let mut stacks = demo_instances(depth, size, seed);
    stacks.labels.data.iter_mut().for_each(|l| *l = (*l != 0) as u32);
    stacks
}

/// Generated stacks with four classes (cytoplasm, organelle, membrane, vesicle).
pub fn demo_classes(depth: usize, size: usize, seed: u64) -> TrainingStacks {
    let d = demo_stacks(depth, size, size, seed);
    TrainingStacks { image: Volume::new(d.image, d.shape).unwrap(), labels: Volume::new(d.classes, d.shape).unwrap() }
}

/// Generated stacks with one id per object: instance configs.
pub fn demo_instances(depth: usize, size: usize, seed: u64) -> TrainingStacks {
    let d = demo_stacks(depth, size, size, seed);
    TrainingStacks { image: Volume::new(d.image, d.shape).unwrap(), labels: Volume::new(d.labels, d.shape).unwrap() }
}

/// A Semantic2D plan from JSON settings, models written under `models`; no validation block
/// unless `extra` asks for one (the test stacks are small).
pub fn plan(models: &std::path::Path, name: &str, extra: &str) -> TrainPlan {
    config_plan("Semantic2D", models, name, extra)
}

pub fn config_plan(config: &str, models: &std::path::Path, name: &str, extra: &str) -> TrainPlan {
    let validation = if extra.contains("validation_fraction") { "" } else { r#","validation_fraction":0"# };
    let text = format!(r#"{{"config":"{config}","name":"{name}","models_dir":"{}","cpus":2{validation}{extra}}}"#, models.display());
    TrainSettings::from_json(&text).unwrap().resolve().unwrap()
}

/// Resuming `name` in `models`, with its total changed when given.
pub fn resume_settings(models: &std::path::Path, name: &str, iteration_total: Option<u64>) -> segtrain::settings::ResumeSettings {
    let mut settings = segtrain::settings::ResumeSettings::of(name);
    settings.models_dir = Some(models.to_path_buf());
    settings.iteration_total = iteration_total.map(serde_json::Value::from);
    settings
}

/// `../shared/data` beside the repository (CI puts a copy there), if present.
pub fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}

/// (iteration, loss) rows of training_log.csv.
pub fn log_rows(model_dir: &std::path::Path) -> Vec<(u64, f64)> {
    let text = std::fs::read_to_string(model_dir.join("training_log.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("iteration,loss,lr,elapsed_s,val_loss,val_iou,val_dice"));
    lines
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().parse().unwrap(), f.next().unwrap().parse().unwrap())
        })
        .collect()
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// IoU of the non-zero voxels of two label volumes.
pub fn foreground_iou(truth: &[u32], labels: &[u32]) -> f64 {
    let (mut both, mut either) = (0, 0);
    for (&t, &p) in truth.iter().zip(labels) {
        both += (t != 0 && p != 0) as u64;
        either += (t != 0 || p != 0) as u64;
    }
    both as f64 / either.max(1) as f64
}
