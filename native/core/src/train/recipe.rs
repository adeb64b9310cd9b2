//! Resuming with the original training settings given again (the CLI's training command line
//! plus --resume): every recipe value they set must be the one the model was trained with,
//! because a resumed run continues the same optimisation. Run settings (gpus, cpus) and the
//! iteration total are not recipe; they are applied by the resume itself.
use crate::error::{Error, Result};
use crate::settings::TrainSettings;
use crate::store::ModelRecord;

/// Ok when `given` names no recipe value other than the stored one; else one message with every
/// difference, each as "key: stored here, given there".
pub fn check_same_recipe(record: &ModelRecord, given: &TrainSettings) -> Result<()> {
    let stored = &record.config;
    let mut given = given.clone();
    if given.config.is_empty() {
        given.config = stored.name.clone();
    }
    // Values are read and bounded exactly as for a new training (run settings are not compared,
    // and the total is the resume's to check).
    given.name = record.name.clone();
    given.gpus = None;
    given.cpus = None;
    given.precision = None;
    given.overwrite = false;
    if given.config != stored.name {
        return Err(differences(record, vec![format!("config: {} (given {})", stored.name, given.config)]));
    }
    // The divisibility check of a new training must see the values this run will use.
    let (save_given, every_given) = (given.iteration_save.is_some(), given.validation_every.is_some());
    given.iteration_save = given.iteration_save.or(Some(stored.iteration_save as f64));
    given.iteration_total = given.iteration_total.or(Some(stored.iteration_total as f64));
    let plan = given.resolve()?;
    let c = &plan.config;
    let mut diff = Vec::new();
    // The voxel size the person gave is that of the stacks; a model trained at scale 2 stores
    // the doubled size, and the stacks' own in its scale record.
    let stack_nm = record.training.scale.as_ref().map_or(stored.voxel_nm, |s| s.input_voxel_nm);
    let near = |a: [f64; 3], b: [f64; 3]| a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-9 * x.abs().max(1.0));
    if given.voxel_nm.is_some() && !near(stack_nm, c.voxel_nm) {
        diff.push(format!("voxel_nm: {stack_nm:?} (given {:?})", c.voxel_nm));
    }
    let mut compare = |key: &str, set: bool, stored: String, now: String| {
        if set && stored != now {
            diff.push(format!("{key}: {stored} (given {now})"));
        }
    };
    compare("base_lr", given.base_lr.is_some(), stored.base_lr.to_string(), c.base_lr.to_string());
    compare("iteration_step", given.iteration_step.is_some(), stored.iteration_step.to_string(), c.iteration_step.to_string());
    compare("samples_per_batch", given.samples_per_batch.is_some(), stored.samples_per_batch.to_string(), c.samples_per_batch.to_string());
    compare("window", given.window.is_some(), format!("{:?}", stored.window), format!("{:?}", c.window));
    compare("scale", given.scale.is_some(), stored.scale.to_string(), c.scale.to_string());
    compare("seed", given.seed.is_some(), stored.seed.to_string(), c.seed.to_string());
    compare("validation_fraction", given.validation_fraction.is_some(), stored.validation_fraction.to_string(), c.validation_fraction.to_string());
    compare("time_budget_minutes", given.time_budget_minutes.is_some(), stored.time_budget_minutes.to_string(), c.time_budget_minutes.to_string());
    compare("log_every", given.log_every.is_some(), stored.log_every.to_string(), c.log_every.to_string());
    // A time budget fitted these two to the measured speed: the values given were not used.
    let fitted = stored.time_budget_minutes > 0.0;
    compare("iteration_save", save_given && !fitted, stored.iteration_save.to_string(), c.iteration_save.to_string());
    compare("validation_every", every_given && !fitted, stored.validation_every.to_string(), c.validation_every.to_string());
    let label = |v: Option<u32>| v.map_or_else(|| "none".to_string(), |v| v.to_string());
    compare("ignore_label", given.ignore_label.is_some(), label(stored.ignore_label), label(c.ignore_label));
    let from = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    compare("fine_tune_from", given.fine_tune_from.is_some(), from(&record.training.fine_tuned_from), from(&given.fine_tune_from));
    if diff.is_empty() { Ok(()) } else { Err(differences(record, diff)) }
}

fn differences(record: &ModelRecord, diff: Vec<String>) -> Error {
    Error::setting(format!(
        "resume: '{}' was trained with other settings ({}); a resume continues the same training, so give its settings or leave them out. \
         To train with new ones, start a new model (fine_tune_from '{}' starts from its weights)",
        record.name,
        diff.join(", "),
        record.name
    ))
}
