//! Output files are checked before any work starts: an hour of auto-label must not end in
//! "permission denied", and an output must never overwrite (or join) one of the inputs.
use crate::commands::Failure;
use std::path::{Path, PathBuf};

/// Fails with a message naming `flag` when `out` cannot be written, is a folder, or is one of
/// `inputs` (flag, path) or inside an input folder (a folder of slices would gain one).
pub fn check_output(flag: &str, out: &Path, inputs: &[(&str, &Path)]) -> Result<(), Failure> {
    let fail = |message: String| Err(Failure::Error(format!("--{flag}: {message}")));
    if out.is_dir() {
        return fail(format!("{} is a folder; give a file name, e.g. {}", out.display(), out.join("labels.tif").display()));
    }
    let parent = parent_of(out);
    let Some(target) = resolve_parent(out) else {
        return fail(format!("the folder {} does not exist", parent.display()));
    };
    let folder = target.parent().map(Path::to_path_buf).unwrap_or(parent);
    for (input_flag, input) in inputs {
        // An input that does not exist yet (another output of the same command) is compared
        // by where it would be.
        let Some(input) = input.canonicalize().ok().or_else(|| resolve_parent(input)) else { continue };
        if input == target {
            return fail(format!("{} is also the input (--{input_flag}); choose another file, the input would be overwritten", out.display()));
        }
        if input.is_dir() && input == folder {
            return fail(format!("{} is inside the input folder (--{input_flag}), whose slices it would join; write it elsewhere", out.display()));
        }
    }
    if out.exists() {
        // Opened for appending, not truncated: the old file stays as it is until the work is done.
        return match std::fs::OpenOptions::new().append(true).open(out) {
            Ok(_) => Ok(()),
            Err(e) => fail(format!("cannot write {}: {e}", out.display())),
        };
    }
    let probe = folder.join(format!(".segtrain-write-test-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => fail(format!("cannot write in {}: {e}", folder.display())),
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` with its folder resolved (links, `..`), when the folder exists.
fn resolve_parent(path: &Path) -> Option<PathBuf> {
    Some(parent_of(path).canonicalize().ok()?.join(path.file_name()?))
}
