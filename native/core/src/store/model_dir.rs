//! One model's folder and the list of models.
use super::{write_atomic, ModelRecord, PostProcess, Status};
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

pub const MODEL_JSON: &str = "model.json";
pub const WEIGHTS: &str = "model.safetensors";
/// Weights of the best validation score so far.
pub const BEST_WEIGHTS: &str = "best.safetensors";
pub const LOG_CSV: &str = "training_log.csv";
pub const CHECKPOINTS: &str = "checkpoints";

/// The models folder a person named, or the default when they named none (or an empty one).
pub fn models_dir_or_default(dir: Option<&Path>) -> PathBuf {
    dir.filter(|d| !d.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(default_models_dir)
}

/// $SEGTRAIN_MODELS_DIR, else ~/.segtrain/models.
pub fn default_models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SEGTRAIN_MODELS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".segtrain").join("models")
}

#[derive(Clone, Debug)]
pub struct ModelDir {
    /// Where the files are written.
    pub path: PathBuf,
    /// For an overwrite: the model this one replaces once it is complete (see [`ModelDir::commit`]).
    /// Until then the new model grows in a hidden folder beside it and the old one stays intact.
    replaces: Option<PathBuf>,
}

impl ModelDir {
    /// Creates the folder of a new training of `name`. A new name is trained in place
    /// (`<models_dir>/<name>/`, resumable after a crash). An existing model may only be replaced
    /// with `overwrite`, and then not at once: the new one is built in `.<name>.new-<pid>/` and
    /// [`commit`](Self::commit) swaps it in at the end, so a run that fails leaves the old model
    /// as it was (and a fine-tune from the model being overwritten can still read it).
    pub fn create(models_dir: &Path, name: &str, overwrite: bool) -> Result<Self> {
        Self::ensure_name_free(models_dir, name, overwrite)?;
        remove_stale_staging(models_dir, name);
        let final_path = models_dir.join(name);
        if is_empty_leftover(&final_path) {
            std::fs::remove_dir_all(&final_path).map_err(|e| Error::io(&final_path, e))?;
        }
        let (path, replaces) = if final_path.exists() {
            (models_dir.join(staging_name(name, "new")), Some(final_path))
        } else {
            (final_path, None)
        };
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
        std::fs::create_dir_all(path.join(CHECKPOINTS)).map_err(|e| Error::io(&path, e))?;
        Ok(ModelDir { path, replaces })
    }

    /// The folder the model has under its name (for messages and results).
    pub fn final_path(&self) -> &Path {
        self.replaces.as_deref().unwrap_or(&self.path)
    }

    /// An overwrite's new model takes the old one's place: the old is moved aside, the new
    /// renamed into place, then the old removed. Nothing to do for a model trained in place.
    pub fn commit(&mut self) -> Result<()> {
        let Some(target) = self.replaces.take() else { return Ok(()) };
        let aside = target.with_file_name(staging_name(&file_name(&target), "old"));
        std::fs::rename(&target, &aside).map_err(|e| Error::io(&target, e))?;
        if let Err(e) = std::fs::rename(&self.path, &target) {
            let _ = std::fs::rename(&aside, &target); // put the old model back
            return Err(Error::io(&target, e));
        }
        let _ = std::fs::remove_dir_all(&aside);
        self.path = target;
        Ok(())
    }

    /// Removes what this run created when it cannot be used: the whole folder of a new model
    /// that never trained, or an overwrite's staging folder (the old model stays).
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }

    /// True when this run replaces an existing model (built beside it until committed).
    pub fn is_overwrite(&self) -> bool {
        self.replaces.is_some()
    }

    /// Ok when a new model may be written under `name`: nothing is there, or a SegTrain model
    /// is there and `overwrite` allows replacing it. Never allows deleting a foreign folder.
    pub fn ensure_name_free(models_dir: &Path, name: &str, overwrite: bool) -> Result<()> {
        let path = models_dir.join(name);
        if !path.exists() || is_empty_leftover(&path) {
            return Ok(());
        }
        if !overwrite {
            return Err(Error::setting(format!(
                "model_name: a model called '{name}' already exists in {}; choose another name or allow overwriting",
                models_dir.display()
            )));
        }
        if !path.join(MODEL_JSON).exists() {
            return Err(Error::setting(format!("model_name: {} exists but is not a SegTrain model; not overwriting it", path.display())));
        }
        Ok(())
    }

    pub fn open(models_dir: &Path, name: &str) -> Self {
        ModelDir { path: models_dir.join(name), replaces: None }
    }

    /// The folder of a stored model (one with a model.json), or the message naming `field` (the
    /// setting that named the model: `name`, `fine_tune_from`) and the folder looked in.
    pub fn existing(models_dir: &Path, name: &str, field: &str) -> Result<Self> {
        let dir = ModelDir::open(models_dir, name);
        if !dir.path.join(MODEL_JSON).is_file() {
            return Err(Error::setting(format!("{field}: no model called '{name}' in {}", models_dir.display())));
        }
        Ok(dir)
    }

    pub fn weights(&self) -> PathBuf {
        self.path.join(WEIGHTS)
    }

    pub fn log_csv(&self) -> PathBuf {
        self.path.join(LOG_CSV)
    }

    /// `checkpoints/iter_000020.safetensors`: zero-padded so that names sort by iteration.
    pub fn checkpoint(&self, iteration: u64) -> PathBuf {
        self.path.join(CHECKPOINTS).join(format!("iter_{iteration:06}.safetensors"))
    }

    pub fn write_record(&self, record: &ModelRecord) -> Result<()> {
        let text = serde_json::to_string_pretty(record).expect("model records serialise");
        write_atomic(&self.path.join(MODEL_JSON), text.as_bytes())
    }

    pub fn read_record(&self) -> Result<ModelRecord> {
        let path = self.path.join(MODEL_JSON);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let record: ModelRecord = serde_json::from_str(&text).map_err(|e| Error::io(&path, format!("not a readable model.json: {e}")))?;
        match record.problems() {
            problems if problems.is_empty() => Ok(record),
            problems => Err(Error::io(&path, format!("not a usable model.json: {}", problems.join("; ")))),
        }
    }
}

/// Deletes model `name` (usable or broken) under its lock, so that a model being trained, resumed
/// or tuned is never pulled away from under its writer. The folder is first renamed to a hidden
/// name, so the model disappears at once and whole even if removing the files is interrupted
/// (leftovers are removed with the next training of that name).
pub fn delete_model(models_dir: &Path, name: &str) -> Result<PathBuf> {
    crate::settings::validate_model_name(name).map_err(|m| Error::setting(format!("model: {m}")))?;
    let path = ModelDir::existing(models_dir, name, "model")?.path;
    let _lock = super::ModelLock::acquire(models_dir, name, "deleting")?;
    let aside = models_dir.join(staging_name(name, "old"));
    std::fs::rename(&path, &aside).map_err(|e| Error::io(&path, e))?;
    std::fs::remove_dir_all(&aside).map_err(|e| Error::io(&aside, e))?;
    Ok(path)
}

/// A model folder a run created and was killed in before writing anything: no model.json and
/// nothing but an empty checkpoints folder. It must not block its name.
fn is_empty_leftover(path: &Path) -> bool {
    if path.join(MODEL_JSON).exists() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return false };
    entries.filter_map(|e| e.ok()).all(|e| {
        e.file_name() == CHECKPOINTS && std::fs::read_dir(e.path()).map(|mut d| d.next().is_none()).unwrap_or(false)
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `.<name>.<kind>-<pid>`: a model folder this process builds (`new`, an overwrite) or removes
/// (`old`), hidden from the models list; [`remove_stale_staging`] finds them by these names.
fn staging_name(name: &str, kind: &str) -> String {
    format!(".{name}.{kind}-{}", std::process::id())
}

/// Removes the [`staging_name`] folders of `name` left by runs that were killed (their process
/// is gone), so they neither fill the disk nor confuse anyone.
fn remove_stale_staging(models_dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(models_dir) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = ["new", "old"]
            .iter()
            .find_map(|kind| file.strip_prefix(&format!(".{name}.{kind}-")))
            .and_then(|pid| pid.parse::<u32>().ok());
        if pid.is_some_and(super::process_is_gone) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// What the models list shows of a model.
#[derive(Clone, Debug, Serialize)]
pub struct ModelSummary {
    pub name: String,
    pub config: String,
    pub status: String,
    pub iterations: u64,
    pub path: String,
    /// The stored post-processing, so that a dialog can start from the model's own values.
    pub postprocess: PostProcess,
    /// Best validation IoU and its iteration (none without validation).
    pub best_score: Option<f64>,
    pub best_iteration: Option<u64>,
    /// When model.json was last written (seconds since 1970, UTC).
    pub modified: Option<u64>,
    /// What a model list shows beside the name: config, status, iterations, best score, date.
    pub line: String,
    /// Why the model cannot be used (status `broken`): a damaged or newer model.json.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Every model in `models_dir`, by name: the usable ones, and folders with a model.json that
/// cannot be used as status `broken` with the `problem`, so that nothing disappears silently. A
/// model whose model.json says `training` while no process writes it is `interrupted`.
pub fn list_models(models_dir: &Path) -> Result<Vec<ModelSummary>> {
    if !models_dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(models_dir).map_err(|e| Error::io(models_dir, e))?;
    let mut models: Vec<ModelSummary> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Hidden: an overwrite's new model while it trains, a lock, a leftover.
            if name.starts_with('.') || !entry.path().join(MODEL_JSON).exists() {
                return None;
            }
            let path = entry.path().display().to_string();
            let modified = modified_seconds(&entry.path().join(MODEL_JSON));
            Some(match ModelDir::open(models_dir, &name).read_record() {
                Ok(record) => {
                    let mut status = serde_json::to_value(record.status).ok()?.as_str()?.to_string();
                    if record.status == Status::Training && !super::lock::is_held(models_dir, &name) {
                        status = "interrupted".into(); // its process died; resuming continues it
                    }
                    let t = &record.training;
                    ModelSummary {
                        name,
                        config: record.config.name,
                        status,
                        iterations: t.iterations_done,
                        path,
                        postprocess: record.postprocess,
                        best_score: t.best_score,
                        best_iteration: t.best_iteration,
                        modified,
                        line: String::new(),
                        problem: None,
                    }
                }
                Err(e) => ModelSummary {
                    name,
                    config: "?".into(),
                    status: "broken".into(),
                    iterations: 0,
                    path,
                    postprocess: PostProcess::default(),
                    best_score: None,
                    best_iteration: None,
                    modified,
                    line: String::new(),
                    problem: Some(e.to_string()),
                },
            })
        })
        .collect();
    for model in &mut models {
        model.line = model.describe();
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(models)
}

impl ModelSummary {
    /// "Semantic2D, complete, 300 iterations, best validation IoU 0.812 (iteration 250), saved
    /// 2026-12-01 14:05 UTC"; a broken model says why.
    fn describe(&self) -> String {
        let date = self.modified.map(|s| format!(", saved {}", utc_minutes(s))).unwrap_or_default();
        if let Some(problem) = &self.problem {
            return format!("cannot be used: {problem}{date}");
        }
        let best = match (self.best_score, self.best_iteration) {
            (Some(score), Some(at)) => format!(", best validation IoU {score:.3} (iteration {at})"),
            (Some(score), None) => format!(", best validation IoU {score:.3}"),
            _ => String::new(),
        };
        format!("{}, {}, {} iterations{best}{date}", self.config, self.status, self.iterations)
    }
}

fn modified_seconds(path: &Path) -> Option<u64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs())
}

/// "2026-12-01 14:05 UTC" (the civil date of a day count: Howard Hinnant's days_from_civil, inverted).
fn utc_minutes(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let minute_of_day = seconds % 86_400 / 60;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", minute_of_day / 60, minute_of_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        crate::store::test_folder(&format!("store-{name}"))
    }

    fn fake_model(dir: &Path, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(MODEL_JSON), text).unwrap();
    }

    #[test]
    fn dates_are_civil_dates_in_utc() {
        assert_eq!(utc_minutes(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minutes(951_782_400 + 3_600 + 120), "2000-02-29 01:02 UTC"); // a leap day
        assert_eq!(utc_minutes(1_796_083_200), "2026-12-01 00:00 UTC");
    }

    #[test]
    fn an_overwrite_grows_beside_the_old_model_and_replaces_it_only_on_commit() {
        let models = temp("commit");
        fake_model(&models.join("m"), "old");
        let mut dir = ModelDir::create(&models, "m", true).unwrap();
        assert!(dir.is_overwrite());
        assert_ne!(dir.path, models.join("m"));
        assert_eq!(dir.final_path(), models.join("m"));
        std::fs::write(dir.path.join(MODEL_JSON), "new").unwrap();
        assert_eq!(std::fs::read_to_string(models.join("m").join(MODEL_JSON)).unwrap(), "old", "old intact until commit");
        dir.commit().unwrap();
        assert_eq!(dir.path, models.join("m"));
        assert_eq!(std::fs::read_to_string(models.join("m").join(MODEL_JSON)).unwrap(), "new");
        let left: Vec<_> = std::fs::read_dir(&models).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("m")], "no staging or old folder left");
        std::fs::remove_dir_all(&models).unwrap();
    }

    #[test]
    fn a_discarded_overwrite_leaves_the_old_model_as_it_was() {
        let models = temp("discard");
        fake_model(&models.join("m"), "old");
        let dir = ModelDir::create(&models, "m", true).unwrap();
        std::fs::write(dir.path.join(MODEL_JSON), "half").unwrap();
        dir.discard();
        assert_eq!(std::fs::read_to_string(models.join("m").join(MODEL_JSON)).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&models).unwrap().count(), 1);
        // A new name trains in place; discarding it frees the name.
        let fresh = ModelDir::create(&models, "n", false).unwrap();
        assert_eq!(fresh.path, models.join("n"));
        fresh.discard();
        assert!(!models.join("n").exists());
        std::fs::remove_dir_all(&models).unwrap();
    }

    #[test]
    fn a_folder_left_by_a_run_killed_before_its_first_write_does_not_block_the_name() {
        let models = temp("empty-leftover");
        std::fs::create_dir_all(models.join("m").join(CHECKPOINTS)).unwrap();
        let dir = ModelDir::create(&models, "m", false).unwrap();
        assert_eq!(dir.path, models.join("m"));
        std::fs::create_dir_all(models.join("other")).unwrap();
        std::fs::write(models.join("other/notes.txt"), "mine").unwrap();
        assert!(ModelDir::create(&models, "other", false).is_err(), "a folder with anything in it is not ours to remove");
        std::fs::remove_dir_all(&models).unwrap();
    }

    #[test]
    fn delete_removes_a_model_but_not_one_being_written_nor_a_foreign_folder() {
        let models = temp("delete");
        fake_model(&models.join("m"), "{}");
        fake_model(&models.join("busy"), "{}");
        std::fs::create_dir_all(models.join("foreign")).unwrap();
        let lock = super::super::ModelLock::acquire(&models, "busy", "training").unwrap();
        assert!(delete_model(&models, "busy").unwrap_err().to_string().contains("is being written by this program (training)"));
        drop(lock);
        assert!(delete_model(&models, "foreign").unwrap_err().to_string().contains("no model called 'foreign'"));
        assert!(delete_model(&models, "../m").is_err());
        delete_model(&models, "m").unwrap();
        let left: Vec<_> = std::fs::read_dir(&models).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(left.len(), 2, "busy and foreign stay, nothing hidden is left: {left:?}");
        std::fs::remove_dir_all(&models).unwrap();
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed_and_never_listed() {
        let models = temp("stale");
        fake_model(&models.join("m"), "{}");
        let dead = u32::MAX - 1; // no such process
        fake_model(&models.join(format!(".m.new-{dead}")), "{}");
        assert!(list_models(&models).unwrap().iter().all(|m| !m.name.starts_with('.')));
        assert_eq!(list_models(&models).unwrap()[0].status, "broken", "'{{}}' is no model.json: listed with why");
        assert!(list_models(&models).unwrap()[0].problem.as_deref().unwrap().contains("not a readable model.json"));
        assert!(list_models(&models).unwrap()[0].line.starts_with("cannot be used: "), "a list says why");
        let dir = ModelDir::create(&models, "m", true).unwrap();
        assert!(!models.join(format!(".m.new-{dead}")).exists(), "a dead run's staging folder is removed");
        dir.discard();
        std::fs::remove_dir_all(&models).unwrap();
    }
}
