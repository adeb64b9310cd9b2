//! One model's folder and the list of models.
use super::{write_atomic, ModelRecord, PostProcess};
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
    pub path: PathBuf,
}

impl ModelDir {
    /// Creates `<models_dir>/<name>/` for a new training. An existing model of that name is
    /// an error unless `overwrite`, in which case it is removed first.
    /// Creates `<models_dir>/<name>/` for a new training. An existing model of that name is
    /// an error unless `overwrite`, in which case it is removed first.
    pub fn create(models_dir: &Path, name: &str, overwrite: bool) -> Result<Self> {
        Self::ensure_name_free(models_dir, name, overwrite)?;
        let path = models_dir.join(name);
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
        std::fs::create_dir_all(path.join(CHECKPOINTS)).map_err(|e| Error::io(&path, e))?;
        Ok(ModelDir { path })
    }

    /// Ok when a new model may be written under `name`: nothing is there, or a SegTrain model
    /// is there and `overwrite` allows replacing it. Never allows deleting a foreign folder.
    pub fn ensure_name_free(models_dir: &Path, name: &str, overwrite: bool) -> Result<()> {
        let path = models_dir.join(name);
        if !path.exists() {
            return Ok(());
        }
        if !overwrite {
            return Err(Error::setting(format!(
                "name: a model called '{name}' already exists in {}; choose another name or allow overwriting",
                models_dir.display()
            )));
        }
        if !path.join(MODEL_JSON).exists() {
            return Err(Error::setting(format!("name: {} exists but is not a SegTrain model; not overwriting it", path.display())));
        }
        Ok(())
    }

    pub fn open(models_dir: &Path, name: &str) -> Self {
        ModelDir { path: models_dir.join(name) }
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
        serde_json::from_str(&text).map_err(|e| Error::io(&path, format!("not a readable model.json: {e}")))
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
}

/// The models in `models_dir`, by name. Folders without a readable model.json are skipped.
pub fn list_models(models_dir: &Path) -> Result<Vec<ModelSummary>> {
    if !models_dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(models_dir).map_err(|e| Error::io(models_dir, e))?;
    let mut models: Vec<ModelSummary> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let record = ModelDir::open(models_dir, &name).read_record().ok()?;
            Some(ModelSummary {
                name,
                config: record.config.name,
                status: serde_json::to_value(record.status).ok()?.as_str()?.to_string(),
                iterations: record.training.iterations_done,
                path: entry.path().display().to_string(),
                postprocess: record.postprocess,
            })
        })
        .collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(models)
}
