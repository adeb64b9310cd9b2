//! The models folder: one sub-folder per model name, written so that a crash or a cancel never
//! leaves a half-written file, and an existing model is never replaced unless asked.
mod atomic;
mod lock;
mod model_dir;
mod record;

pub use atomic::{remove_stale_temporaries, save_tensors_atomic, write_atomic};
pub use lock::{is_held as is_being_written, ModelLock};
pub use model_dir::{default_models_dir, delete_model, list_models, models_dir_or_default, ModelDir, ModelSummary, BEST_WEIGHTS, CHECKPOINTS, WEIGHTS};
pub use record::{ModelRecord, PostProcess, Status, TrainingSummary, SCHEMA_VERSION};

/// Whether process `pid` has ended, so that what it left half-written may be removed (never this
/// process's own: another of its jobs may be writing).
fn process_is_gone(pid: u32) -> bool {
    pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A fresh, empty folder for one unit test of the store.
#[cfg(test)]
pub(crate) fn test_folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("segtrain-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
