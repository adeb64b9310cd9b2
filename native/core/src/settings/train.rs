//! The person's training settings, as the dialog, a macro or the CLI give them, and the
//! resolved plan that training runs from.
use super::config::{load_config, TrainingConfig};
use super::scale::Scale;
use super::fields::*;
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
    #[serde(rename = "model_name", alias = "name")]
    pub name: String,
    #[serde(rename = "models_folder", alias = "models_dir")]
    pub models_dir: Option<PathBuf>,
    /// The voxel size, one setting per axis; a missing one comes from `calibration`, else the config.
    pub x_nm: Option<f64>,
    pub y_nm: Option<f64>,
    pub z_nm: Option<f64>,
    /// The three at once, as older settings gave them.
    pub voxel_nm: Option<Vec<f64>>,
    /// The image's calibration as ImageJ keeps it ({unit, x, y, z}): where the voxel size comes
    /// from when the person gave none (not a setting: a fact of the image).
    pub calibration: Option<serde_json::Value>,
    pub gpus: Option<f64>,
    pub cpus: Option<f64>,
    /// auto, fp32 or bf16.
    pub precision: Option<String>,
    pub base_lr: Option<f64>,
    pub iteration_step: Option<f64>,
    pub iteration_save: Option<f64>,
    pub iteration_total: Option<f64>,
    /// Minutes to train for instead of an iteration count (0 = off).
    pub time_budget_minutes: Option<f64>,
    pub samples_per_batch: Option<f64>,
    /// z,y,x as a list or as text "z,y,x".
    #[serde(rename = "window_size", alias = "window")]
    pub window: Option<serde_json::Value>,
    /// "auto" or a whole downsampling factor (number or text).
    pub scale: Option<serde_json::Value>,
    pub seed: Option<f64>,
    pub log_every: Option<f64>,
    /// Share of the stack held out for validation (0 = none).
    pub validation_fraction: Option<f64>,
    /// Validation every this many iterations: a number, or text from a dialog ("" = automatic).
    pub validation_every: Option<serde_json::Value>,
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
    #[serde(rename = "model", alias = "name")]
    pub name: String,
    /// None: the default models folder.
    #[serde(default, rename = "models_folder", alias = "models_dir")]
    pub models_dir: Option<PathBuf>,
    /// None: the stored Iteration Total; may be raised to train on (or lowered, down to the
    /// iterations already done). A number, or text from a dialog ("" = as stored).
    #[serde(default)]
    pub iteration_total: Option<serde_json::Value>,
    /// Run settings: they belong to this run, not to the model, so a model trained on one
    /// machine resumes on another. None (or ""): as in the previous run.
    #[serde(default)]
    pub gpus: Option<serde_json::Value>,
    #[serde(default)]
    pub cpus: Option<serde_json::Value>,
    /// auto, fp32 or bf16 for this run; None, "" or "as before": the stored one. A run setting
    /// like gpus and cpus: the weights are fp32 whatever the precision of the forward passes.
    #[serde(default)]
    pub precision: Option<String>,
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
        ResumeSettings { name: name.to_string(), models_dir: None, iteration_total: None, gpus: None, cpus: None, precision: None, recipe: None }
    }

    /// The run settings checked and applied to the stored config.
    pub fn apply_run_settings(&self, config: &mut TrainingConfig) -> Result<()> {
        let mut check = Checker::default();
        let gpus = check.number("gpus", self.gpus.as_ref());
        check.integer_into("gpus", gpus, 0, MAX_GPUS, &mut config.gpus);
        let cpus = check.number("cpus", self.cpus.as_ref());
        check.cpus_into(cpus, &mut config.cpus);
        match self.precision.as_deref().map(str::trim) {
            None | Some("") | Some(super::precision::AS_BEFORE) => {}
            Some(text) => match super::Precision::parse(text) {
                Ok(p) => config.precision = p,
                Err(m) => check.problem(format!("{m}, or '{}' for the stored one", super::precision::AS_BEFORE)),
            },
        }
        check.finish()
    }

    /// The iteration total given, if any: a whole number of iterations.
    pub fn iteration_total(&self) -> Result<Option<u64>> {
        let mut check = Checker::default();
        let mut total = None;
        // 0, like empty, keeps the stored total (older macros say iteration_total=0).
        if let Some(v) = check.number("iteration_total", self.iteration_total.as_ref()).filter(|v| *v != 0.0) {
            let mut t = 0u64;
            check.integer_into("iteration_total", Some(v), 1, MAX_ITERATIONS, &mut t);
            total = Some(t);
        }
        check.finish()?;
        Ok(total)
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

    /// The voxel size the person gave: x_nm, y_nm, z_nm (or the older voxel_nm), each missing
    /// one from the image's calibration; None when none was given and the image has none.
    fn voxel_nm(&self, check: &mut Checker) -> Option<[f64; 3]> {
        let calibration = self.calibration.as_ref().and_then(super::schema::calibration_nm);
        let mut voxel = calibration;
        if let Some(v) = &self.voxel_nm {
            voxel = Some(check.positive_triple("voxel_nm", v)?);
        }
        match super::schema::voxel_from_axes([self.x_nm, self.y_nm, self.z_nm], voxel) {
            Ok(given) => given.or(voxel),
            Err(problems) => {
                problems.into_iter().for_each(|p| check.problem(p));
                None
            }
        }
    }

    /// Checks every field (all problems are reported together) and fills in the defaults.
    pub fn resolve(&self) -> Result<TrainPlan> {
        let mut config = load_config(&self.config)?;
        let mut check = Checker::default();
        check.model_name("model_name", &self.name);
        if let Some(from) = &self.fine_tune_from {
            check.model_name("fine_tune_from", from);
        }
        if let Some(v) = self.voxel_nm(&mut check) {
            config.voxel_nm = v;
        }
        let c = &mut config;
        check.integer_into("gpus", self.gpus, 0, MAX_GPUS, &mut c.gpus);
        check.cpus_into(self.cpus, &mut c.cpus);
        if let Some(p) = &self.precision {
            match super::Precision::parse(p) {
                Ok(p) => c.precision = p,
                Err(message) => check.problem(message),
            }
        }
        check.integer_into("iteration_step", self.iteration_step, 1, MAX_ITERATION_STEP, &mut c.iteration_step);
        check.integer_into("iteration_total", self.iteration_total, 1, MAX_ITERATIONS, &mut c.iteration_total);
        check.integer_into("iteration_save", self.iteration_save, 1, MAX_ITERATIONS, &mut c.iteration_save);
        check.integer_into("samples_per_batch", self.samples_per_batch, 1, MAX_SAMPLES_PER_BATCH, &mut c.samples_per_batch);
        check.integer_into("seed", self.seed, 0, u32::MAX as u64, &mut c.seed);
        check.integer_into("log_every", self.log_every, 1, MAX_ITERATIONS, &mut c.log_every);
        // Not given (or empty in a dialog): the config's, or one that scores at least ten times.
        match check.number("validation_every", self.validation_every.as_ref()) {
            Some(every) => check.integer_into("validation_every", Some(every), 1, MAX_ITERATIONS, &mut c.validation_every),
            None => c.validation_every = crate::train::default_validation_every(c.validation_every, c.iteration_total),
        }
        if let Some(lr) = self.base_lr {
            if lr.is_finite() && lr > 0.0 && lr <= MAX_BASE_LR {
                c.base_lr = lr;
            } else {
                check.problem(format!("base_lr: must be a number above 0 and at most {MAX_BASE_LR} (got {lr}); typical: 0.01 to 0.05 with SGD, 0.0005 to 0.002 with AdamW ({} uses {})", c.name, c.optimizer.label()));
            }
        }
        if let Some(w) = &self.window {
            match super::lenient::numbers("window_size", w) {
                Ok(w) => {
                    if let Some(w) = check.window("window_size", &w, c.dims) {
                        c.window = w;
                    }
                }
                Err(message) => check.problem(message),
            }
        }
        if let Some(scale) = &self.scale {
            match Scale::parse(scale) {
                Ok(scale) => c.scale = scale,
                Err(message) => check.problem(message),
            }
        }
        if let Some(v) = self.validation_fraction {
            if v.is_finite() && (0.0..=MAX_VALIDATION_FRACTION).contains(&v) {
                c.validation_fraction = v;
            } else {
                check.problem(format!("validation_fraction: must be from 0 (no validation) to {MAX_VALIDATION_FRACTION} (got {v}); 0.1 is typical"));
            }
        }
        if let Some(m) = self.time_budget_minutes {
            if m.is_finite() && (0.0..=MAX_TIME_BUDGET_MINUTES).contains(&m) {
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
    fn precision_is_a_setting_with_three_values() {
        assert_eq!(settings("").unwrap().config.precision, crate::settings::Precision::Auto);
        assert_eq!(settings(r#","precision":"bf16""#).unwrap().config.precision, crate::settings::Precision::Bf16);
        assert_eq!(settings(r#","precision":"FP32""#).unwrap().config.precision, crate::settings::Precision::Fp32);
        let err = settings(r#","precision":"half""#).unwrap_err().to_string();
        assert!(err.contains("precision: must be auto, fp32 or bf16 (got 'half')"), "{err}");
        // The dialog, the macro key and the CLI flag come from the schema: one name.
        let schema = crate::settings::schema::command_schema("train", &serde_json::json!({})).unwrap();
        let field = schema.field("precision").unwrap();
        assert_eq!(field.choices, vec!["auto", "fp32", "bf16"]);
        assert_eq!(field.default, serde_json::json!("auto"));
        let label = crate::settings::schema::command_schema("auto_label", &serde_json::json!({})).unwrap();
        assert_eq!(label.field("precision").unwrap().default, serde_json::json!("auto"));
    }

    #[test]
    fn defaults_come_from_the_config_and_values_override_them() {
        let plan = settings(r#","base_lr":0.005,"window_size":"1,64,96","x_nm":4.6,"y_nm":4.6,"z_nm":50"#).unwrap();
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
        let err = message(r#","window_size":[3,64,64]"#);
        assert!(err.contains("window_size: z must be 1 for a 2D config"), "{err}");
        assert!(message(r#","window":[1,64]"#).contains("window_size: needs three numbers z,y,x"), "the older key");
        assert!(message(r#","window_size":"1,8,64""#).contains("window_size: y and x must be at least 16"));
        assert!(message(r#","window_size":"1,x,64""#).contains("window_size: \"1,x,64\" is not a list of numbers"));
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
    fn voxel_sizes_come_per_axis_from_the_calibration_or_the_config() {
        let calibrated = r#","calibration":{"unit":"micron","x":0.004,"y":0.004,"z":0.05}"#;
        let v = settings(calibrated).unwrap().config.voxel_nm;
        assert!((v[0] - 4.0).abs() < 1e-9 && (v[2] - 50.0).abs() < 1e-9, "{v:?}");
        let v = settings(&format!(r#"{calibrated},"z_nm":30"#)).unwrap().config.voxel_nm;
        assert!((v[0] - 4.0).abs() < 1e-9 && v[2] == 30.0, "one axis given, the others from the calibration: {v:?}");
        assert_eq!(settings("").unwrap().config.voxel_nm, [5.0, 5.0, 40.0], "Semantic2D's default");
        assert!(message(r#","z_nm":30"#).contains("x_nm: missing"));
        assert!(message(r#","x_nm":-1,"y_nm":1,"z_nm":1"#).contains("x_nm: must be a size in nm above 0 (got -1)"));
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

    /// Precision belongs to the run (the weights are fp32 either way): a resume may change it;
    /// "as before" (the Resume dialog's default), "" or no value keep the stored one.
    #[test]
    fn a_resume_sets_its_own_precision_or_keeps_the_stored_one() {
        let stored = crate::settings::load_config("Semantic2D").unwrap();
        let resumed = |json: &str| {
            let mut config = crate::settings::TrainingConfig { precision: crate::settings::Precision::Bf16, ..stored.clone() };
            ResumeSettings::from_json(&format!(r#"{{"model":"m"{json}}}"#)).unwrap().apply_run_settings(&mut config).map(|_| config.precision)
        };
        use crate::settings::Precision::{Bf16, Fp32};
        assert_eq!(resumed("").unwrap(), Bf16);
        assert_eq!(resumed(r#","precision":"as before""#).unwrap(), Bf16);
        assert_eq!(resumed(r#","precision":"""#).unwrap(), Bf16);
        assert_eq!(resumed(r#","precision":"fp32""#).unwrap(), Fp32);
        let err = resumed(r#","precision":"fp16""#).unwrap_err().to_string();
        assert!(err.contains("precision: must be auto, fp32 or bf16 (got 'fp16'), or 'as before' for the stored one"), "{err}");
        let schema = crate::settings::schema::command_schema("resume", &serde_json::json!({})).unwrap();
        let field = schema.field("precision").unwrap();
        assert_eq!(field.default, serde_json::json!("as before"));
        assert_eq!(field.choices, ["as before", "auto", "fp32", "bf16"]);
    }

    #[test]
    fn a_resume_total_may_be_empty_or_0_for_the_stored_one() {
        let total = |json: &str| ResumeSettings::from_json(&format!(r#"{{"model":"m","iteration_total":{json}}}"#)).unwrap().iteration_total();
        assert_eq!(total(r#""""#).unwrap(), None);
        assert_eq!(total("0").unwrap(), None, "older macros: iteration_total=0");
        assert_eq!(total(r#""8""#).unwrap(), Some(8));
        assert_eq!(total("40").unwrap(), Some(40));
        assert!(total(r#""many""#).unwrap_err().to_string().contains("iteration_total: 'many' is not a number"));
        assert!(total("2.5").unwrap_err().to_string().contains("iteration_total: must be a whole number"));
    }

    #[test]
    fn model_names_must_be_plain_folder_names() {
        for bad in ["", "../up", "a/b", ".hidden", "with space"] {
            let text = format!(r#"{{"config":"Semantic2D","model_name":"{bad}"}}"#);
            let err = TrainSettings::from_json(&text).unwrap().resolve().unwrap_err().to_string();
            assert!(err.contains("model_name:"), "{bad}: {err}");
        }
    }
}
