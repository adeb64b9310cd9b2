//! The person's training settings, as the dialog, a macro or the CLI give them, and the
//! resolved plan that training runs from.
use super::config::{load_config, TrainingConfig};
use super::scale::Scale;
use super::validate::Checker;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Settings as received. Every value but `config` and `name` is optional and falls back to
/// the config's default. Numbers are read as f64 on purpose: serde's own messages for a
/// negative or fractional integer do not name the field, ours do.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSettings {
    pub config: String,
    pub name: String,
    pub models_dir: Option<PathBuf>,
    pub voxel_nm: Option<Vec<f64>>,
    pub gpus: Option<f64>,
    pub cpus: Option<f64>,
    pub base_lr: Option<f64>,
    pub iteration_step: Option<f64>,
    pub iteration_save: Option<f64>,
    pub iteration_total: Option<f64>,
    /// Minutes to train for instead of an iteration count (0 = off).
    pub time_budget_minutes: Option<f64>,
    pub samples_per_batch: Option<f64>,
    pub window: Option<Vec<f64>>,
    /// "auto" or a whole downsampling factor (number or text).
    pub scale: Option<serde_json::Value>,
    pub seed: Option<f64>,
    pub log_every: Option<f64>,
    /// Share of the stack held out for validation (0 = none).
    pub validation_fraction: Option<f64>,
    /// Validation every this many iterations.
    pub validation_every: Option<f64>,
    /// Start from the weights of this stored model (same config) instead of random ones.
    pub fine_tune_from: Option<String>,
    #[serde(default)]
    pub overwrite: bool,
    /// The label value that means "not annotated" (sparse labels): a whole number 1 to 2^24, as a
    /// number or as text; "" or "none" = every voxel is labelled.
    #[serde(default)]
    pub ignore_label: Option<serde_json::Value>,
}

/// Everything a training run needs, validated.
/// Resuming a stored model (Fiji's Resume Training): everything else comes from its model.json.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeSettings {
    pub name: String,
    /// None: the default models folder.
    #[serde(default)]
    pub models_dir: Option<PathBuf>,
    /// None: the stored Iteration Total; may be raised to train on (or lowered, down to the
    /// iterations already done).
    #[serde(default)]
    pub iteration_total: Option<u64>,
    /// Run settings: they belong to this run, not to the model, so a model trained on one
    /// machine resumes on another. None: as in the previous run.
    #[serde(default)]
    pub gpus: Option<f64>,
    #[serde(default)]
    pub cpus: Option<f64>,
    /// The original training settings given again (the CLI's training command line plus
    /// --resume): every recipe value they set must be the stored one.
    #[serde(default)]
    pub recipe: Option<TrainSettings>,
}

impl ResumeSettings {
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::setting(format!("resume settings are not valid JSON: {e}")))
    }

    /// Only `name` is needed; everything else keeps the stored model's values.
    pub fn of(name: &str) -> Self {
        ResumeSettings { name: name.to_string(), models_dir: None, iteration_total: None, gpus: None, cpus: None, recipe: None }
    }

    /// The run settings checked and applied to the stored config.
    pub fn apply_run_settings(&self, config: &mut TrainingConfig) -> Result<()> {
        let mut check = Checker::default();
        check.integer_into("gpus", self.gpus, 0, 64, &mut config.gpus);
        check.cpus_into(self.cpus, &mut config.cpus);
        check.finish()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainPlan {
    pub name: String,
    pub models_dir: PathBuf,
    pub overwrite: bool,
    /// The config with the person's values filled in: what model.json stores.
    pub config: TrainingConfig,
    pub fine_tune_from: Option<String>,
}


impl TrainSettings {
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::setting(format!("settings are not valid JSON: {e}")))
    }

    /// Checks every field (all problems are reported together) and fills in the defaults.
    pub fn resolve(&self) -> Result<TrainPlan> {
        let mut config = load_config(&self.config)?;
        let mut check = Checker::default();
        check.model_name("name", &self.name);
        if let Some(from) = &self.fine_tune_from {
            check.model_name("fine_tune_from", from);
        }
        if let Some(v) = &self.voxel_nm {
            if let Some(v) = check.positive_triple("voxel_nm", v) {
                config.voxel_nm = v;
            }
        }
        let c = &mut config;
        check.integer_into("gpus", self.gpus, 0, 64, &mut c.gpus);
        check.cpus_into(self.cpus, &mut c.cpus);
        check.integer_into("iteration_step", self.iteration_step, 1, 100_000, &mut c.iteration_step);
        check.integer_into("iteration_total", self.iteration_total, 1, 100_000_000, &mut c.iteration_total);
        check.integer_into("iteration_save", self.iteration_save, 1, 100_000_000, &mut c.iteration_save);
        check.integer_into("samples_per_batch", self.samples_per_batch, 1, 4096, &mut c.samples_per_batch);
        check.integer_into("seed", self.seed, 0, u32::MAX as u64, &mut c.seed);
        check.integer_into("log_every", self.log_every, 1, 100_000_000, &mut c.log_every);
        check.integer_into("validation_every", self.validation_every, 1, 100_000_000, &mut c.validation_every);
        if let Some(lr) = self.base_lr {
            if lr.is_finite() && lr > 0.0 && lr <= 10.0 {
                c.base_lr = lr;
            } else {
                check.problem(format!("base_lr: must be a number above 0 and at most 10 (got {lr}); typical: 0.01 to 0.05 with SGD, 0.0005 to 0.002 with AdamW ({} uses {})", c.name, c.optimizer.label()));
            }
        }
        if let Some(w) = &self.window {
            if let Some(w) = check.window("window", w, c.dims) {
                c.window = w;
            }
        }
        if let Some(scale) = &self.scale {
            match Scale::parse(scale) {
                Ok(scale) => c.scale = scale,
                Err(message) => check.problem(message),
            }
        }
        if let Some(v) = self.validation_fraction {
            if v.is_finite() && (0.0..=0.5).contains(&v) {
                c.validation_fraction = v;
            } else {
                check.problem(format!("validation_fraction: must be from 0 (no validation) to 0.5 (got {v}); 0.1 is typical"));
            }
        }
        if let Some(m) = self.time_budget_minutes {
            if m.is_finite() && (0.0..=10_080.0).contains(&m) {
                c.time_budget_minutes = m;
            } else {
                check.problem(format!("time_budget_minutes: must be from 0 (off: train iteration_total iterations) to 10080 (a week) (got {m})"));
            }
        }
        if let Some(value) = &self.ignore_label {
            match parse_ignore_label(value) {
                Ok(ignore) => c.ignore_label = ignore,
                Err(message) => check.problem(message),
            }
        }
        // With a time budget the total and the checkpoint interval are fitted to it.
        if c.time_budget_minutes == 0.0 {
            check.divides("iteration_save", c.iteration_save, "iteration_total", c.iteration_total);
        }
        check.finish()?;
        let models_dir = crate::store::models_dir_or_default(self.models_dir.as_deref());
        Ok(TrainPlan { name: self.name.clone(), models_dir, overwrite: self.overwrite, config, fine_tune_from: self.fine_tune_from.clone() })
    }
}

/// The largest ignore label: label images are 8, 16 or 32-bit, and a 32-bit (float) image holds
/// every whole number up to 2^24 exactly.
pub const MAX_IGNORE_LABEL: u32 = 1 << 24;

/// `ignore_label` as given: a whole number from 1 to 2^24 (number or text), or none ("", "none",
/// null). Not 0: 0 is background in every config (instance labels: no object; the Labels from
/// ROIs command and the docs say so), so it cannot also mean "not annotated".
pub fn parse_ignore_label(value: &serde_json::Value) -> std::result::Result<Option<u32>, String> {
    let bad = || format!("ignore_label: the label value of unannotated pixels, a whole number from 1 to {MAX_IGNORE_LABEL} (65535 for a 16-bit label image, 255 for an 8-bit one), or empty for none (got {value}); not 0, which is background");
    let number = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::String(s) if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("none") => return Ok(None),
        serde_json::Value::String(s) => s.trim().parse::<f64>().map_err(|_| bad())?,
        serde_json::Value::Number(n) => n.as_f64().ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if number.fract() == 0.0 && (1.0..=MAX_IGNORE_LABEL as f64).contains(&number) {
        Ok(Some(number as u32))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &str) -> Result<TrainPlan> {
        let text = format!(r#"{{"config":"Semantic2D","name":"m1","models_dir":"/tmp/x"{extra}}}"#);
        TrainSettings::from_json(&text)?.resolve()
    }

    fn message(extra: &str) -> String {
        settings(extra).unwrap_err().to_string()
    }

    #[test]
    fn defaults_come_from_the_config_and_values_override_them() {
        let plan = settings(r#","base_lr":0.005,"window":[1,64,96],"voxel_nm":[4.6,4.6,50]"#).unwrap();
        assert_eq!(plan.config.base_lr, 0.005);
        assert_eq!(plan.config.window, [1, 64, 96]);
        assert_eq!(plan.config.voxel_nm, [4.6, 4.6, 50.0]);
        assert_eq!(plan.config.iteration_total, 10000, "default of Semantic2D.json");
    }

    #[test]
    fn every_bad_field_is_named_in_one_message() {
        let err = message(r#","iteration_save":7,"iteration_total":100,"base_lr":-1,"cpus":0"#);
        assert!(err.contains("iteration_save: 7 does not divide iteration_total 100"), "{err}");
        assert!(err.contains("base_lr"), "{err}");
        assert!(err.contains("cpus"), "{err}");
    }

    #[test]
    fn fractional_and_negative_integers_are_refused_by_name() {
        assert!(message(r#","samples_per_batch":2.5"#).contains("samples_per_batch: must be a whole number"));
        assert!(message(r#","gpus":-1"#).contains("gpus: must be a whole number from 0 to 64 (got -1)"));
    }

    #[test]
    fn two_d_configs_need_a_single_section_window() {
        let err = message(r#","window":[3,64,64]"#);
        assert!(err.contains("window: z must be 1 for a 2D config"), "{err}");
        assert!(message(r#","window":[1,64]"#).contains("window: needs three numbers z,y,x"));
        assert!(message(r#","window":[1,8,64]"#).contains("window: y and x must be at least 16"));
    }

    #[test]
    fn scale_is_auto_by_default_and_takes_a_factor() {
        assert_eq!(settings("").unwrap().config.scale, Scale::Auto);
        assert_eq!(settings(r#","scale":2"#).unwrap().config.scale, Scale::Factor(2));
        assert_eq!(settings(r#","scale":"3""#).unwrap().config.scale, Scale::Factor(3));
        assert!(message(r#","scale":"half""#).contains("scale: 'auto' or a whole number from 1 to 8"));
    }

    #[test]
    fn a_time_budget_replaces_the_divisibility_check_and_is_bounded() {
        let plan = settings(r#","time_budget_minutes":30,"iteration_save":7"#).unwrap();
        assert_eq!(plan.config.time_budget_minutes, 30.0);
        assert!(message(r#","time_budget_minutes":-1"#).contains("time_budget_minutes: must be from 0"));
        assert!(message(r#","iteration_save":7"#).contains("iteration_save: 7 does not divide"));
    }

    #[test]
    fn unknown_keys_are_refused_and_every_config_resolves() {
        assert!(message(r#","iterations":5"#).contains("unknown field `iterations`"));
        for config in crate::settings::config_names() {
            let text = format!(r#"{{"config":"{config}","name":"m1"}}"#);
            let plan = TrainSettings::from_json(&text).unwrap().resolve().unwrap();
            assert_eq!(plan.config.name, config);
        }
        assert!(message(r#","validation_fraction":0.9"#).contains("validation_fraction: must be from 0"));
    }

    #[test]
    fn ignore_label_is_none_by_default_and_a_whole_number_from_1_to_2_pow_24() {
        assert_eq!(settings("").unwrap().config.ignore_label, None);
        assert_eq!(settings(r#","ignore_label":65535"#).unwrap().config.ignore_label, Some(65535));
        assert_eq!(settings(r#","ignore_label":"255""#).unwrap().config.ignore_label, Some(255));
        assert_eq!(settings(r#","ignore_label":"""#).unwrap().config.ignore_label, None);
        assert_eq!(settings(r#","ignore_label":"none""#).unwrap().config.ignore_label, None);
        assert_eq!(settings(r#","ignore_label":null"#).unwrap().config.ignore_label, None);
        assert_eq!(settings(r#","ignore_label":16777216"#).unwrap().config.ignore_label, Some(1 << 24));
        for bad in ["0", "-1", "2.5", "16777217", "\"many\"", "true"] {
            let err = message(&format!(r#","ignore_label":{bad}"#));
            assert!(err.contains("ignore_label: the label value of unannotated pixels, a whole number from 1 to 16777216"), "{bad}: {err}");
        }
    }

    #[test]
    fn model_names_must_be_plain_folder_names() {
        for bad in ["", "../up", "a/b", ".hidden", "with space"] {
            let text = format!(r#"{{"config":"Semantic2D","name":"{bad}"}}"#);
            let err = TrainSettings::from_json(&text).unwrap().resolve().unwrap_err().to_string();
            assert!(err.contains("name:"), "{bad}: {err}");
        }
    }
}
