//! Listing a folder of slices ("image sequence") in the order a person expects.
//!
//! Microscopes and scripts often number files without zero padding
//! (slice_2.tif, slice_10.tif), so names are compared number-aware:
//! 2.tif comes before 10.tif, as in ImageJ's File > Import > Image Sequence.

use std::cmp::Ordering;
use std::fs;
use std::iter::Peekable;
use std::path::{Path, PathBuf};
use std::str::Chars;

use crate::error::VolumeError;

/// The `.tif`/`.tiff` files (any letter case) directly inside `dir`, in natural order.
/// Hidden files are skipped: macOS leaves "._name.tif" metadata files next to real
/// images on shared drives, and our own writer's temporary files start with a dot.
pub(crate) fn list_tiffs(dir: &Path) -> Result<Vec<PathBuf>, VolumeError> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| VolumeError::io(dir, e))? {
        let entry = entry.map_err(|e| VolumeError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !has_tiff_extension(&name) {
            continue;
        }
        let path = entry.path();
        // `is_file` follows symbolic links and skips folders that happen to be named x.tif.
        if path.is_file() {
            files.push((name, path));
        }
    }
    files.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    Ok(files.into_iter().map(|(_, path)| path).collect())
}

fn has_tiff_extension(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".tif") || lower.ends_with(".tiff")
}

/// Compares names with runs of digits taken as numbers and letters case-insensitively.
/// Names equal under those rules (e.g. "1.tif" and "01.tif") fall back to plain
/// string order so that the order is total and repeatable.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut ai, mut bi) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, nb) = (take_digits(&mut ai), take_digits(&mut bi));
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                // Without leading zeros, a longer run is a bigger number.
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.to_lowercase().cmp(y.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                ai.next();
                bi.next();
            }
        }
    }
}

fn take_digits(it: &mut Peekable<Chars<'_>>) -> String {
    let mut s = String::new();
    while let Some(&c) = it.peek() {
        if !c.is_ascii_digit() {
            break;
        }
        s.push(c);
        it.next();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::TempDir;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn numbers_sort_by_value() {
        assert_eq!(
            sorted(&["10.tif", "2.tif", "1.tif"]),
            ["1.tif", "2.tif", "10.tif"]
        );
        assert_eq!(
            sorted(&[
                "slice_100.tif",
                "slice_20.tif",
                "slice_3.tif",
                "Slice_4.tif"
            ]),
            [
                "slice_3.tif",
                "Slice_4.tif",
                "slice_20.tif",
                "slice_100.tif"
            ]
        );
        assert_eq!(
            sorted(&["img010.tif", "img009.tif", "img1.tif"]),
            ["img1.tif", "img009.tif", "img010.tif"]
        );
        assert_eq!(
            sorted(&["b.tif", "A.tif", "a1.tif"]),
            ["A.tif", "a1.tif", "b.tif"]
        );
        // Same number, different padding: still a total, repeatable order.
        assert_eq!(sorted(&["1.tif", "01.tif"]), ["01.tif", "1.tif"]);
        // Digits longer than any integer type.
        assert_eq!(
            sorted(&[
                "99999999999999999999999.tif",
                "100000000000000000000000.tif"
            ]),
            [
                "99999999999999999999999.tif",
                "100000000000000000000000.tif"
            ]
        );
    }

    #[test]
    fn lists_only_visible_tiff_files() {
        let dir = TempDir::new("folder-list");
        for name in [
            "10.tif",
            "2.TIF",
            "1.tiff",
            "._1.tif",
            ".hidden.tif",
            "notes.txt",
            "3.png",
        ] {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        fs::create_dir(dir.path().join("4.tif")).unwrap();
        let names: Vec<String> = list_tiffs(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["1.tiff", "2.TIF", "10.tif"]);
    }
}
