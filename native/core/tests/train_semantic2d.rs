//! Real, short Semantic2D trainings with libtorch on generated data.
mod common;
use common::*;
use segtrain::job::{Job, JobContext};
use segtrain::store::{ModelDir, Status};
use segtrain::train::{train, Event};

/// 80 iterations of batch 2 on the generated demo stack. The loss starts near 0.9 (balanced
/// BCE ~0.7 + half a Dice of ~0.45 for an untrained net) and falls to ~0.15-0.3 here. The test
/// asks for the mean of the last 20 iterations to be below half the mean of the first 20: a
/// network that does not learn (no gradient, wrong targets, lr ignored) stays near 1.0x, while
/// seed-to-seed spread is well inside the margin.
#[test]
fn seeded_training_on_generated_data_clearly_lowers_the_loss() {
    let models = temp_dir("falls");
    let plan = plan(&models, "falls", r#","window":[1,64,64],"samples_per_batch":2,"iteration_total":80,"iteration_save":40,"base_lr":0.02,"seed":3"#);
    let ctx = JobContext::default();
    let outcome = train(&plan, demo(3, 96, 11), &ctx).unwrap();
    let rows = log_rows(&models.join("falls"));
    assert_eq!(rows.len(), 80);
    assert_eq!(rows.last().unwrap().0, 80);
    let losses: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let (first, last) = (mean(&losses[..20]), mean(&losses[60..]));
    assert!(last < 0.5 * first, "loss fell only from {first:.3} to {last:.3}");
    assert_eq!(outcome.iterations, 80);

    // The stored model: final weights, checkpoints at every Iteration Save, a complete record.
    let dir = ModelDir::open(&models, "falls");
    let record = dir.read_record().unwrap();
    assert_eq!(record.status, Status::Complete);
    assert_eq!(record.config.name, "Semantic2D");
    assert_eq!(record.config.window, [1, 64, 64]);
    assert_eq!(record.training.iterations_done, 80);
    assert!(record.normalization.std > 1.0, "normalisation of the raw 0..255 stack is stored");
    assert!(dir.weights().is_file());
    for it in [40, 80] {
        assert!(dir.checkpoint(it).is_file(), "checkpoint {it}");
    }
    let names: Vec<String> = std::fs::read_dir(models.join("falls/checkpoints")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names.iter().filter(|n| n.ends_with(".safetensors")).count(), 2, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.ends_with(".json")).count(), 2, "{names:?}");
    // Events: started, progress every log_every (10), checkpoints, finished.
    let events = ctx.drain();
    assert!(matches!(events.first(), Some(Event::Started { iterations: 80, .. })));
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Iteration { .. })).count(), 8);
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Checkpoint { .. })).count(), 2);
    assert!(matches!(events.last(), Some(Event::Finished { iterations: 80, .. })));
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn the_same_seed_gives_the_same_loss_curve() {
    let models = temp_dir("seeded");
    let extra = r#","window":[1,32,32],"samples_per_batch":2,"iteration_total":6,"iteration_save":6,"seed":5"#;
    let curve = |name: &str| {
        train(&plan(&models, name, extra), demo(2, 48, 2), &JobContext::default()).unwrap();
        log_rows(&models.join(name))
    };
    assert_eq!(curve("a"), curve("b"));
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn gradient_accumulation_steps_the_optimiser_every_n_iterations() {
    // Same data, seed and batches: with iteration_step 1 the weights change after iteration 1,
    // with iteration_step 3 they do not change before iteration 4.
    let models = temp_dir("accumulate");
    let base = r#","window":[1,32,32],"samples_per_batch":2,"iteration_total":9,"iteration_save":9,"seed":1"#;
    train(&plan(&models, "every", base), demo(2, 48, 2), &JobContext::default()).unwrap();
    train(&plan(&models, "third", &format!("{base},\"iteration_step\":3")), demo(2, 48, 2), &JobContext::default()).unwrap();
    let (every, third) = (log_rows(&models.join("every")), log_rows(&models.join("third")));
    assert_eq!(every[0], third[0], "iteration 1: same weights, same batch");
    assert_ne!(every[1].1, third[1].1, "iteration 2: only 'every' has stepped");
    assert_ne!(every[8].1, third[8].1);
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn cancel_stops_the_job_and_marks_the_model_cancelled() {
    let models = temp_dir("cancel");
    let plan = plan(&models, "stopped", r#","window":[1,32,32],"samples_per_batch":1,"iteration_total":100000,"iteration_save":10"#);
    let mut job = Job::spawn("train", move |ctx| Ok(serde_json::to_value(train(&plan, demo(2, 48, 4), ctx)?).unwrap())).unwrap();
    while !std::fs::read_dir(models.join("stopped/checkpoints")).map(|d| d.count() > 0).unwrap_or(false) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    job.cancel();
    assert!(matches!(job.finish(), Err(segtrain::Error::Cancelled)));
    let record = ModelDir::open(&models, "stopped").read_record().unwrap();
    assert_eq!(record.status, Status::Cancelled);
    assert!(record.training.iterations_done < 100000);
    assert!(record.training.last_checkpoint.is_some(), "the last checkpoint is kept and named");
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn an_existing_model_is_never_replaced_unless_asked() {
    let models = temp_dir("exists");
    let extra = r#","window":[1,32,32],"samples_per_batch":1,"iteration_total":2,"iteration_save":2"#;
    train(&plan(&models, "m", extra), demo(1, 32, 1), &JobContext::default()).unwrap();
    let err = train(&plan(&models, "m", extra), demo(1, 32, 1), &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("a model called 'm' already exists"), "{err}");
    train(&plan(&models, "m", &format!("{extra},\"overwrite\":true")), demo(1, 32, 1), &JobContext::default()).unwrap();
    std::fs::remove_dir_all(&models).unwrap();
}

#[test]
fn stacks_of_different_sizes_or_without_labels_are_refused_before_anything_is_written() {
    let models = temp_dir("refused");
    let extra = r#","window":[1,32,32]"#;
    let mut stacks = demo(2, 48, 1);
    stacks.labels = segtrain_volume::Volume::new(vec![1u32; 2 * 40 * 48], [2, 40, 48]).unwrap();
    let err = train(&plan(&models, "bad", extra), stacks, &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("image 2 slice(s) of 48x48") && err.contains("labels 2 slice(s) of 48x40"), "{err}");
    let mut stacks = demo(2, 48, 1);
    stacks.labels.data.iter_mut().for_each(|l| *l = 0);
    let err = train(&plan(&models, "bad", extra), stacks, &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("no labelled pixels"), "{err}");
    let err = train(&plan(&models, "bad", r#","window":[1,64,64]"#), demo(2, 48, 1), &JobContext::default()).unwrap_err().to_string();
    assert!(err.contains("window_size: larger than the stack: y (height) is 64 but the stack has 48"), "{err}");
    assert!(!models.join("bad").exists());
    std::fs::remove_dir_all(&models).unwrap();
}

/// Killed after its last checkpoint but before the final weights were written (model.json still
/// says training): a resume trains nothing more and completes the model. Killed before its first
/// checkpoint: a resume starts over.
#[test]
fn a_run_killed_after_its_last_or_before_its_first_checkpoint_is_completed_by_a_resume() {
    let models = temp_dir("killed-at-end");
    let plan = plan(&models, "m", r#","window":[1,32,32],"samples_per_batch":1,"iteration_total":4,"iteration_save":2"#);
    train(&plan, demo(2, 48, 4), &JobContext::default()).unwrap();
    let dir = ModelDir::open(&models, "m");
    let mut record = dir.read_record().unwrap();
    record.status = Status::Training;
    record.weights = None;
    dir.write_record(&record).unwrap();
    std::fs::remove_file(dir.weights()).unwrap();
    segtrain::train::resume(&resume_settings(&models, "m", None), demo(2, 48, 4), &JobContext::default()).unwrap();
    let record = dir.read_record().unwrap();
    assert_eq!((record.status, record.training.iterations_done), (Status::Complete, 4));
    assert!(dir.weights().is_file(), "the final weights are written");
    assert_eq!(log_rows(&dir.path).len(), 4, "no iteration repeated");
    let again = segtrain::train::resume(&resume_settings(&models, "m", None), demo(2, 48, 4), &JobContext::default());
    assert!(again.unwrap_err().to_string().contains("has done its 4 iterations"), "a complete model has nothing left");

    // Killed before its first checkpoint: a resume starts over from the seed, exactly.
    let whole = log_rows(&dir.path);
    std::fs::remove_dir_all(dir.path.join("checkpoints")).unwrap();
    std::fs::create_dir_all(dir.path.join("checkpoints")).unwrap();
    let mut record = dir.read_record().unwrap();
    record.status = Status::Training;
    dir.write_record(&record).unwrap();
    segtrain::train::resume(&resume_settings(&models, "m", None), demo(2, 48, 4), &JobContext::default()).unwrap();
    assert_eq!(log_rows(&dir.path), whole, "starting over repeats the same run");
    assert_eq!(dir.read_record().unwrap().status, Status::Complete);
    std::fs::remove_dir_all(&models).unwrap();
}
