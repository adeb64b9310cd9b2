//! Training at a scale of its own, post-processing tuned on held-out labels, and sections
//! linked into 3D objects: trained here on generated stacks, then used by auto-label.
mod common;
use common::*;
use segtrain::data::demo_stacks;
use segtrain::infer::{predict, PredictSettings};
use segtrain::job::JobContext;
use segtrain::store::ModelDir;
use segtrain::train::{train, tune_model, Event, TuneSettings};
use segtrain_volume::Volume;

fn messages(ctx: &JobContext) -> Vec<String> {
    ctx.drain().into_iter().filter_map(|e| if let Event::Message { text } = e { Some(text) } else { None }).collect()
}

/// One Instance2D model trained at scale 2 with a validation block: the three tests share it.
#[test]
fn a_model_trained_at_scale_2_labels_tunes_and_links_at_full_size() {
    let models = temp_dir("scale-tuning");
    let extra = r#","window":[1,32,32],"samples_per_batch":4,"iteration_total":120,"iteration_save":120,"seed":3,"scale":2,"validation_fraction":0.2,"voxel_nm":[5,5,40]"#;
    let ctx = JobContext::default();
    train(&config_plan("Instance2D", &models, "s2", extra), demo_instances(4, 128, 4), &ctx).unwrap();
    let said = messages(&ctx);
    assert!(said.iter().any(|m| m == "scale: scale 2 as set; training at 10x10x40 nm, 64x64 px per slice"), "{said:?}");
    assert!(said.iter().any(|m| m.starts_with("post-processing tuned on the validation block: AP@0.5 ")), "{said:?}");

    // model.json: the scale, the model's voxel size, the size limits and the tuning.
    let record = ModelDir::open(&models, "s2").read_record().unwrap();
    let scale = record.training.scale.clone().unwrap();
    assert_eq!((scale.factor, scale.input_shape), ([1, 2, 2], [4, 128, 128]));
    assert_eq!(record.config.voxel_nm, [10.0, 10.0, 40.0]);
    assert_eq!(record.training.image_shape, [4, 128, 128], "resume compares the stacks as given");
    let tuning = record.tuning.clone().unwrap();
    assert_eq!(tuning.metric, "AP@0.5");
    assert!(tuning.after >= tuning.before, "{tuning:?}");

    // Auto-label at the stack's own 5 nm: resampled to 10 nm and back; labels at full size.
    let new = demo_stacks(3, 128, 112, 8);
    let image = Volume::new(new.image.clone(), new.shape).unwrap().with_voxel_nm(Some([5.0, 5.0, 40.0]));
    let settings = PredictSettings { name: "s2".into(), models_dir: Some(models.clone()), ..Default::default() };
    let ctx = JobContext::default();
    let result = predict(&settings, image.clone(), &ctx).unwrap();
    assert_eq!(result.labels.shape, [3, 128, 112]);
    assert!(messages(&ctx).iter().any(|m| m.contains("resampling from 5.00x5.00x40.00 nm to the model's 10.00x10.00x40.00 nm")));
    let iou = foreground_iou(&new.labels, &result.labels.data);
    assert!(iou > 0.5, "foreground IoU {iou:.3} at full size");
    // Without a calibration the stack is taken to be at the training stacks' 5 nm, as they
    // were given, not at the model's 10 nm: the same labels (it once ran at full size).
    let ctx = JobContext::default();
    let uncalibrated = predict(&settings, Volume::new(new.image.clone(), new.shape).unwrap(), &ctx).unwrap();
    assert!(messages(&ctx).iter().any(|m| m.contains("resampling from 5.00x5.00x40.00 nm to the model's 10.00x10.00x40.00 nm")));
    assert_eq!(uncalibrated.labels.data, result.labels.data);

    // Linking sections: the demo's objects run through the sections, so linked ids are fewer
    // and shared by consecutive sections.
    let linked = PredictSettings { instance: Some(serde_json::json!({"link_sections": 0.3, "min_size": 0})), ..settings.clone() };
    let unlinked = PredictSettings { instance: Some(serde_json::json!({"min_size": 0})), ..settings.clone() };
    let linked = predict(&linked, image.clone(), &JobContext::default()).unwrap().labels.data;
    let unlinked = predict(&unlinked, image.clone(), &JobContext::default()).unwrap().labels.data;
    let plane = 128 * 112;
    let ids = |labels: &[u32], z: usize| -> std::collections::BTreeSet<u32> { labels[z * plane..(z + 1) * plane].iter().copied().filter(|&l| l != 0).collect() };
    assert!(ids(&unlinked, 0).is_disjoint(&ids(&unlinked, 1)), "unlinked: each section its own ids");
    assert!(!ids(&linked, 0).is_disjoint(&ids(&linked, 1)), "linked: objects keep their id into the next section");
    assert!(linked.iter().max() < unlinked.iter().max());
    assert_eq!(linked.iter().map(|&l| l != 0).collect::<Vec<_>>(), unlinked.iter().map(|&l| l != 0).collect::<Vec<_>>(), "linking changes ids only");

    // Tuning on demand on a labelled stack the model never saw: stored in model.json.
    let truth = Volume::new(new.labels.clone(), new.shape).unwrap();
    let tune = TuneSettings { name: "s2".into(), models_dir: Some(models.clone()), weights: "final".into(), cpus: 2, ..Default::default() };
    let report = tune_model(&tune, image, truth, &JobContext::default()).unwrap();
    assert_eq!(report.on, "labelled stack (3x64x56 at the model's scale)");
    let stored = ModelDir::open(&models, "s2").read_record().unwrap();
    assert_eq!(stored.tuning, Some(report.clone()));
    assert!(report.after >= report.before);
    std::fs::remove_dir_all(&models).unwrap();
}

/// `auto` on stacks whose objects are ~90 px across picks scale 2 and says why.
#[test]
fn auto_scale_follows_the_objects() {
    let models = temp_dir("scale-auto");
    // Discs of radius 45 in a 2 x 240 x 240 stack (a grid of 120 px).
    let shape = [2usize, 240, 240];
    let mut labels = vec![0u32; shape.iter().product()];
    let mut image = vec![0f32; labels.len()];
    for i in 0..labels.len() {
        let (y, x) = (i / 240 % 240, i % 240);
        let (dy, dx) = ((y % 120) as f64 - 60.0, (x % 120) as f64 - 60.0);
        if dy * dy + dx * dx <= 45.0 * 45.0 {
            labels[i] = (1 + y / 120 * 2 + x / 120) as u32;
            image[i] = 1.0;
        }
    }
    let stacks = segtrain::train::TrainingStacks { image: Volume::new(image, shape).unwrap(), labels: Volume::new(labels, shape).unwrap() };
    let extra = r#","window":[1,48,48],"samples_per_batch":1,"iteration_total":2,"iteration_save":2"#;
    let ctx = JobContext::default();
    train(&config_plan("Instance2D", &models, "auto", extra), stacks, &ctx).unwrap();
    let said = messages(&ctx);
    assert!(said.iter().any(|m| m.starts_with("scale: median object 90 px across -> scale 2")), "{said:?}");
    let record = ModelDir::open(&models, "auto").read_record().unwrap();
    assert_eq!(record.training.scale.unwrap().factor, [1, 2, 2]);
    std::fs::remove_dir_all(&models).unwrap();
}

/// Densely labelled objects (16-px tiles that cover the stack, as neurons tile neuropil): the
/// validation scores the contour channel (the foreground is everything) and the end-of-training
/// tuning lowers the adapted Rand error instead of raising AP@0.5.
#[test]
fn dense_labels_validate_the_contours_and_tune_the_adapted_rand_error() {
    let models = temp_dir("dense");
    let shape = [2usize, 64, 64];
    let n: usize = shape.iter().product();
    let (mut labels, mut image) = (vec![0u32; n], vec![0f32; n]);
    for i in 0..n {
        let (y, x) = (i / 64 % 64, i % 64);
        labels[i] = (1 + (y / 16) * 4 + x / 16) as u32;
        image[i] = if y % 16 == 0 || x % 16 == 0 { 0.1 } else { 0.8 }; // dark membranes between tiles
    }
    let stacks = segtrain::train::TrainingStacks { image: Volume::new(image, shape).unwrap(), labels: Volume::new(labels, shape).unwrap() };
    let extra = r#","window":[1,32,32],"samples_per_batch":2,"iteration_total":6,"iteration_save":6,"validation_every":3,"validation_fraction":0.25,"seed":2,"scale":1"#;
    let ctx = JobContext::default();
    train(&config_plan("Instance2D", &models, "dense", extra), stacks, &ctx).unwrap();
    let lines: Vec<String> = ctx.drain().iter().map(|e| e.to_line()).collect();
    let validations: Vec<&String> = lines.iter().filter(|l| l.starts_with("validation at iteration")).collect();
    assert_eq!(validations.len(), 2, "{lines:?}");
    assert!(validations.iter().all(|l| l.contains("contour IoU")), "{validations:?}");
    let record = ModelDir::open(&models, "dense").read_record().unwrap();
    assert!(record.training.last_validation.as_ref().unwrap().contour);
    let tuning = record.tuning.unwrap();
    assert_eq!(tuning.metric, "adapted Rand error");
    assert!(tuning.after <= tuning.before, "{tuning:?}");
    std::fs::remove_dir_all(&models).unwrap();
}

/// A time budget fits the iteration total (and the checkpoint and validation intervals) and
/// model.json records it; the timing leaves the run as it would be without it: a run given the
/// recorded total from the start has the same loss curve.
#[test]
fn a_time_budget_fits_the_total_and_leaves_the_run_unchanged() {
    let models = temp_dir("budget");
    let extra = r#","window":[1,32,32],"samples_per_batch":2,"seed":7,"validation_fraction":0.2,"time_budget_minutes":0.1"#;
    let ctx = JobContext::default();
    train(&config_plan("Semantic2D", &models, "budget", extra), demo(2, 64, 7), &ctx).unwrap();
    let said = messages(&ctx);
    assert!(said.iter().any(|m| m.starts_with("time budget 0.1 min: ")), "{said:?}");
    let record = ModelDir::open(&models, "budget").read_record().unwrap();
    let c = &record.config;
    assert_eq!(c.iteration_total, record.training.iterations_done);
    assert_eq!((c.iteration_total, c.validation_every), (10 * c.iteration_save, c.iteration_save));
    assert!(said.iter().any(|m| m.contains(&format!("-> {} iterations", c.iteration_total))), "{said:?}");

    let again = format!(
        r#","window":[1,32,32],"samples_per_batch":2,"seed":7,"validation_fraction":0.2,"iteration_total":{},"iteration_save":{},"validation_every":{}"#,
        c.iteration_total, c.iteration_save, c.validation_every
    );
    train(&config_plan("Semantic2D", &models, "again", &again), demo(2, 64, 7), &JobContext::default()).unwrap();
    let losses = |name: &str| log_rows(&models.join(name)).into_iter().map(|r| r.1).collect::<Vec<f64>>();
    assert_eq!(losses("budget"), losses("again"));
    std::fs::remove_dir_all(&models).unwrap();
}

/// Resuming a model trained at scale 2 takes the stacks as they were given and brings them to
/// the stored scale again.
#[test]
fn a_scaled_model_resumes_at_its_scale() {
    let models = temp_dir("scale-resume");
    let extra = r#","window":[1,32,32],"samples_per_batch":1,"iteration_total":4,"iteration_save":2,"seed":2,"scale":2"#;
    train(&config_plan("Semantic2D", &models, "r", extra), demo(1, 96, 2), &JobContext::default()).unwrap();
    segtrain::train::resume(&resume_settings(&models, "r", Some(6)), demo(1, 96, 2), &JobContext::default()).unwrap();
    let record = ModelDir::open(&models, "r").read_record().unwrap();
    assert_eq!(record.training.iterations_done, 6);
    assert_eq!(record.training.scale.unwrap().factor, [1, 2, 2]);
    assert_eq!(record.config.voxel_nm, [10.0, 10.0, 40.0], "not scaled twice");
    // Other stacks than the ones given at the start are refused, as for any model.
    let err = segtrain::train::resume(&resume_settings(&models, "r", Some(8)), demo(1, 64, 2), &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("was trained on a stack of shape [1, 96, 96]"), "{err}");
    std::fs::remove_dir_all(&models).unwrap();
}
