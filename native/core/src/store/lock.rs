//! One writer per model: `.<name>.lock` beside the model folder, held with an exclusive
//! `flock` for as long as a training, resume or tuning writes the model. The file names the
//! owner (pid and what it does) for the message a second writer gets. The kernel releases the
//! lock when its process dies, so a lock left by a killed run is stale by construction: the
//! next writer takes it over without asking anyone to delete files.
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct ModelLock {
    path: PathBuf,
    file: File,
}

/// The lock file of model `name` (hidden: never listed as a model).
pub fn lock_path(models_dir: &Path, name: &str) -> PathBuf {
    models_dir.join(format!(".{name}.lock"))
}

impl ModelLock {
    /// Takes the lock of `name` for `purpose` ("training", "resuming", "tuning"), or says who
    /// holds it. Two jobs in one process (two trainings started in one Fiji) exclude each
    /// other too: flock belongs to the open file, not to the process.
    pub fn acquire(models_dir: &Path, name: &str, purpose: &str) -> Result<Self> {
        std::fs::create_dir_all(models_dir).map_err(|e| Error::io(models_dir, e))?;
        let path = lock_path(models_dir, name);
        // A holder that finishes removes the file; whoever opened it just before then holds a
        // lock on a file no longer in the folder. Retry until the locked file is the one there.
        for _ in 0..100 {
            let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(|e| Error::io(&path, e))?;
            match try_lock_patiently(&file) {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut owner = String::new();
                    let _ = file.read_to_string(&mut owner);
                    return Err(busy(name, owner.trim()));
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let owner = format!("{} {purpose}", std::process::id());
            file.set_len(0).and_then(|_| file.rewind()).and_then(|_| file.write_all(owner.as_bytes())).map_err(|e| Error::io(&path, e))?;
            return Ok(ModelLock { path, file });
        }
        Err(Error::io(&path, "the lock file keeps changing; is another program removing it?"))
    }
}

impl Drop for ModelLock {
    /// Removed while still held (so no one can be waiting on this file), then released.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Whether a writer holds `name`'s lock now (a model whose model.json says `training` while no
/// one holds it was stopped by a crash or kill -9: it can be resumed). Creates nothing.
pub fn is_held(models_dir: &Path, name: &str) -> bool {
    match File::open(lock_path(models_dir, name)) {
        Ok(file) => match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
                false
            }
            Err(_) => true,
        },
        Err(_) => false,
    }
}

/// An exclusive lock, retried for a moment: someone asking [`is_held`] holds it shared briefly.
fn try_lock_patiently(file: &File) -> std::result::Result<(), TryLockError> {
    for _ in 0..5 {
        match file.try_lock() {
            Err(TryLockError::WouldBlock) => std::thread::sleep(std::time::Duration::from_millis(20)),
            other => return other,
        }
    }
    file.try_lock()
}

fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

/// "'m' is being written by process 4242 (training); wait for it to finish or stop it".
fn busy(name: &str, owner: &str) -> Error {
    let mut words = owner.splitn(2, ' ');
    let who = match (words.next().filter(|p| !p.is_empty()), words.next()) {
        (Some(pid), Some(what)) if pid == std::process::id().to_string() => format!("this program ({what})"),
        (Some(pid), Some(what)) => format!("process {pid} ({what})"),
        _ => "another process".to_string(),
    };
    Error::setting(format!("model: '{name}' is being written by {who}; wait for it to finish or stop it first"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        crate::store::test_folder(&format!("lock-{name}"))
    }

    #[test]
    fn a_second_writer_is_refused_with_the_owner_and_the_lock_is_freed_on_drop() {
        let models = temp("busy");
        let lock = ModelLock::acquire(&models, "m", "training").unwrap();
        let err = ModelLock::acquire(&models, "m", "tuning").unwrap_err().to_string();
        assert!(err.contains("model: 'm' is being written by this program (training)"), "{err}");
        assert!(ModelLock::acquire(&models, "other", "training").is_ok(), "other models are not locked");
        assert!(is_held(&models, "m") && !is_held(&models, "other"));
        drop(lock);
        assert!(!lock_path(&models, "m").exists(), "the lock file is removed");
        assert!(!is_held(&models, "m"));
        assert!(ModelLock::acquire(&models, "m", "resuming").is_ok());
        std::fs::remove_dir_all(&models).unwrap();
    }

    #[test]
    fn a_lock_file_left_by_a_dead_process_is_taken_over() {
        let models = temp("stale");
        std::fs::write(lock_path(&models, "m"), "4194300 training").unwrap();
        assert!(!is_held(&models, "m"), "a lock file alone is not a lock");
        let _lock = ModelLock::acquire(&models, "m", "resuming").unwrap();
        let owner = std::fs::read_to_string(lock_path(&models, "m")).unwrap();
        assert_eq!(owner, format!("{} resuming", std::process::id()));
        std::fs::remove_dir_all(&models).unwrap();
    }
}
