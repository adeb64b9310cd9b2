//! Short trainings on the real EM data in ../shared/data; each test skips (passes with a note)
//! when that folder is absent.
mod common;
use common::*;
use segtrain::job::JobContext;
use segtrain::train::{train, TrainingStacks};
use segtrain_volume::{read_stack_f32, read_stack_labels};

/// plate2d: one SEM image of 943 rows x 544 columns, holes labelled 1. 60 iterations of two 128x128 windows; the
/// loss must fall below 70% of its start (it typically reaches ~40%); a net that learns nothing
/// stays near 100%.
#[test]
fn semantic2d_on_plate2d_lowers_the_loss() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let image = read_stack_f32(&data.join("plate2d/image.tif")).unwrap();
    let labels = read_stack_labels(&data.join("plate2d/labels.tif")).unwrap();
    assert_eq!(image.shape, [1, 943, 544]); // 943 rows of 544 pixels
    let models = temp_dir("plate2d");
    let plan = plan(&models, "plate", r#","window":[1,128,128],"samples_per_batch":2,"iteration_total":60,"iteration_save":60,"seed":1"#);
    train(&plan, TrainingStacks { image, labels }, &JobContext::default()).unwrap();
    let losses: Vec<f64> = log_rows(&models.join("plate")).iter().map(|r| r.1).collect();
    let (first, last) = (mean(&losses[..15]), mean(&losses[45..]));
    assert!(last < 0.7 * first, "plate2d loss fell only from {first:.3} to {last:.3}");
    std::fs::remove_dir_all(&models).unwrap();
}

/// Trains `config` briefly on real stacks and returns (first 10 iterations' mean loss, last 10's).
fn short_training(config: &str, name: &str, stacks: TrainingStacks, extra: &str) -> (f64, f64) {
    let models = temp_dir(name);
    let plan = config_plan(config, &models, name, extra);
    train(&plan, stacks, &JobContext::default()).unwrap();
    let losses: Vec<f64> = log_rows(&models.join(name)).iter().map(|r| r.1).collect();
    std::fs::remove_dir_all(&models).unwrap();
    (mean(&losses[..10]), mean(&losses[losses.len() - 10..]))
}

/// vnc_sstem: 5 classes, 4.6 x 4.6 x 50 nm read from the TIFF calibration (the anisotropic 3D
/// network pools z only at its deepest level). 60 iterations must bring the loss below 85% of
/// its start (measured: about 50%); the five-class loss falls more slowly than a binary one.
#[test]
fn semantic3d_on_vnc_sstem_lowers_the_loss() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let image = read_stack_f32(&data.join("vnc_sstem/images.tif")).unwrap();
    let labels = read_stack_labels(&data.join("vnc_sstem/labels.tif")).unwrap();
    let voxel = image.voxel_nm.expect("calibration in the TIFF");
    assert!((voxel[2] - 50.0).abs() < 1e-6 && (voxel[0] - 4.6).abs() < 1e-6, "{voxel:?}");
    let extra = format!(
        r#","voxel_nm":[{},{},{}],"window":[4,96,96],"samples_per_batch":1,"iteration_total":60,"iteration_save":60,"base_lr":0.005,"seed":1"#,
        voxel[0], voxel[1], voxel[2]
    );
    let (first, last) = short_training("Semantic3D", "vnc", TrainingStacks { image, labels }, &extra);
    assert!(last < 0.85 * first, "vnc_sstem loss fell only from {first:.3} to {last:.3}");
}

/// gala_fibsem: neuron ids with 0 on the boundaries, isotropic FIB-SEM.
#[test]
fn instance3d_on_gala_fibsem_lowers_the_loss() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let image = read_stack_f32(&data.join("gala_fibsem/train_images.tif")).unwrap();
    let labels = read_stack_labels(&data.join("gala_fibsem/train_labels.tif")).unwrap();
    let extra = r#","voxel_nm":[10,10,10],"window":[16,64,64],"samples_per_batch":1,"iteration_total":40,"iteration_save":40,"seed":1"#;
    let (first, last) = short_training("Instance3D", "gala", TrainingStacks { image, labels }, extra);
    assert!(last < 0.85 * first, "gala_fibsem loss fell only from {first:.3} to {last:.3}");
}

/// chloroplast: a folder of 7 palette LZW sections, touching instances.
#[test]
fn instance2d_on_chloroplast_lowers_the_loss() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let image = read_stack_f32(&data.join("chloroplast/images")).unwrap();
    let labels = read_stack_labels(&data.join("chloroplast/labels")).unwrap();
    assert_eq!(image.shape, [7, 1600, 3293]);
    let extra = r#","window":[1,128,128],"samples_per_batch":2,"iteration_total":40,"iteration_save":40,"seed":1"#;
    let (first, last) = short_training("Instance2D", "chloro", TrainingStacks { image, labels }, extra);
    assert!(last < 0.8 * first, "chloroplast loss fell only from {first:.3} to {last:.3}");
}
