//! Auto-label end to end: a model trained here labels stacks; tiling, blending, chunks,
//! resampling, test-time augmentation and post-processing on real network outputs.
mod common;
use common::*;
use segtrain::data::demo_stacks;
use segtrain::infer::{predict, PredictSettings};
use segtrain::job::JobContext;
use segtrain::train::{train, Event};
use segtrain_volume::Volume;
use std::path::Path;

fn trained(models: &Path, config: &str, name: &str, extra: &str, stacks: segtrain::train::TrainingStacks) {
    train(&config_plan(config, models, name, extra), stacks, &JobContext::default()).unwrap();
}

fn settings(models: &Path, name: &str) -> PredictSettings {
    PredictSettings { name: name.into(), models_dir: Some(models.to_path_buf()), ..Default::default() }
}

#[test]
fn a_semantic_model_labels_a_new_stack_in_chunks_and_with_tta() {
    let models = temp_dir("predict-semantic");
    let extra = r#","window":[1,64,64],"samples_per_batch":2,"iteration_total":80,"iteration_save":80,"seed":1"#;
    trained(&models, "Semantic2D", "m", extra, demo(3, 96, 1));
    // A stack the model never saw, of another size.
    let new = demo_stacks(3, 120, 100, 9);
    let image = Volume::new(new.image.clone(), new.shape).unwrap().with_voxel_nm(Some([5.0, 5.0, 40.0]));
    let result = predict(&settings(&models, "m"), image.clone(), &JobContext::default()).unwrap();
    assert_eq!(result.labels.shape, [3, 120, 100]);
    assert_eq!(result.labels.voxel_nm, Some([5.0, 5.0, 40.0]), "calibration kept");
    assert!(result.labels.data.iter().all(|&v| v <= 1));
    let iou = foreground_iou(&new.labels, &result.labels.data);
    assert!(iou > 0.6, "foreground IoU {iou:.3} after 80 iterations");
    // One slice per chunk gives exactly the same labels.
    let chunked = predict(&PredictSettings { chunk_slices: 1, ..settings(&models, "m") }, image.clone(), &JobContext::default()).unwrap();
    assert_eq!(chunked.labels.data, result.labels.data);
    // Test-time augmentation: same shape, nearly the same answer.
    let tta = predict(&PredictSettings { tta: true, ..settings(&models, "m") }, image, &JobContext::default()).unwrap();
    let agree = tta.labels.data.iter().zip(&result.labels.data).filter(|(a, b)| a == b).count() as f64 / tta.labels.data.len() as f64;
    assert!(agree > 0.9, "TTA agrees with the plain prediction on {agree:.3} of the voxels");
    std::fs::remove_dir_all(&models).unwrap();
}

/// Windows overlap by half and are blended with Gaussian weights: the tiled probability map is
/// as close to one whole-image pass along the window borders as inside the windows. Without
/// overlap, borders differ markedly more: the test can see seams.
#[test]
fn blended_windows_leave_no_seams() {
    let models = temp_dir("predict-seams");
    // Scale 1: the seams are measured where windows meet at the stack's own size.
    let extra = r#","window":[1,48,48],"samples_per_batch":2,"iteration_total":40,"iteration_save":40,"seed":2,"scale":1"#;
    trained(&models, "Semantic2D", "m", extra, demo(2, 96, 2));
    let new = demo_stacks(1, 144, 144, 5);
    let image = Volume::new(new.image, new.shape).unwrap();
    // The same weights with a window as large as the image: one pass over the whole image.
    copy_with_window(&models, "m", "whole", [1, 144, 144]);
    let probability = |name: &str, window_overlap: f64| {
        let s = PredictSettings { overlap: window_overlap, probabilities: true, ..settings(&models, name) };
        predict(&s, image.clone(), &JobContext::default()).unwrap().probabilities.unwrap().remove(0).data
    };
    let reference = probability("whole", 0.5);
    // Mean |difference| on the columns where windows of the no-overlap tiling meet (x = 47/48,
    // 95/96) and elsewhere.
    let seam_ratio = |p: &[f32]| {
        let (mut seam, mut seam_n, mut rest, mut rest_n) = (0.0, 0, 0.0, 0);
        for y in 0..144 {
            for x in 0..144 {
                let d = (p[y * 144 + x] - reference[y * 144 + x]).abs() as f64;
                if [47, 48, 95, 96].contains(&x) {
                    seam += d;
                    seam_n += 1;
                } else {
                    rest += d;
                    rest_n += 1;
                }
            }
        }
        (seam / seam_n as f64) / (rest / rest_n as f64).max(1e-9)
    };
    let (blended, hard) = (seam_ratio(&probability("m", 0.5)), seam_ratio(&probability("m", 0.0)));
    assert!(blended < 1.5, "blended tiling differs {blended:.2}x more at window borders");
    assert!(hard > blended, "without overlap the borders stand out more ({hard:.2} vs {blended:.2})");
    std::fs::remove_dir_all(&models).unwrap();
}

/// A copy of model `from` named `to` whose window is `window` (same weights).
fn copy_with_window(models: &Path, from: &str, to: &str, window: [usize; 3]) {
    let mut record: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(models.join(from).join("model.json")).unwrap()).unwrap();
    record["config"]["window_size"] = serde_json::json!(window);
    std::fs::create_dir_all(models.join(to)).unwrap();
    std::fs::write(models.join(to).join("model.json"), record.to_string()).unwrap();
    std::fs::copy(models.join(from).join("model.safetensors"), models.join(to).join("model.safetensors")).unwrap();
}

#[test]
fn a_stack_of_another_voxel_size_is_resampled_and_labelled_at_its_own_size() {
    let models = temp_dir("predict-resample");
    let extra = r#","window":[1,48,48],"samples_per_batch":1,"iteration_total":4,"iteration_save":4,"voxel_nm":[5,5,40]"#;
    trained(&models, "Semantic2D", "m", extra, demo(1, 64, 1));
    let new = demo_stacks(2, 80, 70, 3);
    let image = Volume::new(new.image, new.shape).unwrap().with_voxel_nm(Some([4.0, 4.0, 40.0]));
    let base = JobContext::default();
    let result = predict(&settings(&models, "m"), image, &base).unwrap();
    assert_eq!(result.labels.shape, [2, 80, 70]);
    let said = base.drain().iter().any(|e| matches!(e, Event::Message { text } if text.contains("resampling from 4.00x4.00x40.00 nm")));
    assert!(said, "the log says the stack was resampled");
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn instance_models_give_consecutive_object_ids() {
    let models = temp_dir("predict-instance");
    let extra = r#","window":[1,64,64],"samples_per_batch":2,"iteration_total":60,"iteration_save":60,"seed":3"#;
    trained(&models, "Instance2D", "i2", extra, demo_instances(3, 96, 4));
    let new = demo_stacks(2, 96, 96, 8);
    let result = predict(&settings(&models, "i2"), Volume::new(new.image, new.shape).unwrap(), &JobContext::default()).unwrap();
    let max = result.labels.data.iter().copied().max().unwrap();
    assert!(max > 0, "objects found");
    let mut present = vec![false; max as usize + 1];
    result.labels.data.iter().for_each(|&v| present[v as usize] = true);
    assert!(present[1..].iter().all(|&p| p), "ids 1..={max} all used");
    // The model's watershed parameters can be overridden field by field.
    let image = Volume::new(demo_stacks(2, 96, 96, 8).image, [2, 96, 96]).unwrap();
    let huge = PredictSettings { instance: Some(serde_json::json!({"min_size": 1_000_000})), ..settings(&models, "i2") };
    assert_eq!(predict(&huge, image.clone(), &JobContext::default()).unwrap().labels.data.iter().max(), Some(&0), "every object is smaller");
    let typo = PredictSettings { instance: Some(serde_json::json!({"min_sise": 5})), ..settings(&models, "i2") };
    let err = predict(&typo, image.clone(), &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("instance: unknown parameter 'min_sise'"), "{err}");
    for (change, message) in [
        (serde_json::json!({"min_size": 2.5}), "min_size: a whole number of voxels, 0 or more (got 2.5)"),
        (serde_json::json!({"seed_contour": 1.5}), "seed_contour: a probability from 0 to 1 (got 1.5)"),
    ] {
        let bad = PredictSettings { instance: Some(change), ..settings(&models, "i2") };
        let err = predict(&bad, image.clone(), &JobContext::default()).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }
    let extra3 = r#","window":[4,48,48],"samples_per_batch":1,"iteration_total":4,"iteration_save":4"#;
    trained(&models, "Instance3D", "i3", extra3, demo_instances(6, 64, 4));
    let new = demo_stacks(5, 56, 60, 2);
    let result = predict(&settings(&models, "i3"), Volume::new(new.image, new.shape).unwrap(), &JobContext::default()).unwrap();
    assert_eq!(result.labels.shape, [5, 56, 60]);
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn unknown_models_and_bad_settings_are_named() {
    let models = temp_dir("predict-errors");
    let image = Volume::new(vec![0.0; 64], [1, 8, 8]).unwrap();
    let err = predict(&settings(&models, "nope"), image.clone(), &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("no model called 'nope'"), "{err}");
    let err = predict(&PredictSettings { overlap: 1.5, ..settings(&models, "nope") }, image, &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("overlap: must be from 0 to 0.9"), "{err}");
    std::fs::remove_dir_all(&models).unwrap();
}
