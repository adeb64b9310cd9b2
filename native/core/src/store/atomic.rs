//! Atomic writes: write next to the target under a temporary name, then rename over it.
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use tch::Tensor;

/// A temporary name in the same folder (rename is only atomic within one file system).
/// The extension is kept: libtorch chooses the file format from it.
fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{}.{name}", std::process::id()))
}

/// Removes temporaries (`.<pid>.<name>`) that a killed process left in `dir`: they are never
/// read (a checkpoint counts only once its .json exists), but they would fill the disk.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name.strip_prefix('.').and_then(|rest| rest.split_once('.')).and_then(|(pid, _)| pid.parse::<u32>().ok());
        if pid.is_some_and(super::process_is_gone) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary_sibling(path);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_error(path, &e.to_string())
    })
}

/// A write failure; a full disk (or a file-size limit) says what to do about it.
fn write_error(path: &Path, message: &str) -> Error {
    let full = ["No space left", "File too large", "Disk quota exceeded"].iter().any(|m| message.contains(m));
    if full {
        Error::io(path, format!("{message}: the disk is full; free some space and resume the model (its checkpoints are kept)"))
    } else {
        Error::io(path, message)
    }
}

/// Named tensors as one safetensors file.
pub fn save_tensors_atomic(path: &Path, tensors: &[(String, Tensor)]) -> Result<()> {
    let tmp = temporary_sibling(path);
    let written = Tensor::write_safetensors(tensors, &tmp)
        .map_err(|e| crate::error::short_torch_message(&e.to_string()))
        .and_then(|_| {
            // On disk before the rename, so that a power cut cannot leave an empty checkpoint.
            std::fs::File::open(&tmp).and_then(|f| f.sync_all()).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| e.to_string())
        });
    written.map_err(|message| {
        let _ = std::fs::remove_file(&tmp); // a half-written file must not fill the disk further
        write_error(path, &message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("segtrain-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // A dead process's temporary goes, a live one's (ours) stays.
        let dead = dir.join(format!(".{}.iter_000005.safetensors", u32::MAX - 1));
        let live = temporary_sibling(&dir.join("b.json"));
        std::fs::write(&dead, b"half").unwrap();
        std::fs::write(&live, b"writing").unwrap();
        remove_stale_temporaries(&dir);
        assert!(!dead.exists() && live.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
