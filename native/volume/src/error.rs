//! The one error type of this crate.
//!
//! Messages end up in front of microscopists (in Fiji dialogs and logs), so each
//! one is a single line that names the file and says what to do about it, in
//! ImageJ terms where that helps. Sizes are written width x height, as ImageJ does.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum VolumeError {
    /// The operating system failed a file operation (missing file, no permission, disk full...).
    Io { path: PathBuf, source: io::Error },
    /// The file is not a TIFF we can decode: another format, damaged or truncated.
    Tiff { path: PathBuf, message: String },
    /// A valid TIFF (or request) using something this crate does not handle,
    /// e.g. colour images, several channels, odd bit depths.
    Unsupported { path: PathBuf, message: String },
    /// Pages of one stack (or files of one folder) differ in size.
    ShapeMismatch {
        /// The file holding the odd page.
        path: PathBuf,
        /// 1-based page number inside `path`.
        page: usize,
        /// Size of that page, [width, height].
        found: [usize; 2],
        /// Size of the first page of the stack, [width, height].
        expected: [usize; 2],
        /// The file the first page came from, when it is another file (folder of slices);
        /// `None` when it is page 1 of `path` itself.
        first_file: Option<PathBuf>,
    },
    /// The file asks for more memory than this machine has available (refused before allocating).
    TooLarge { path: PathBuf, message: String },
    /// Nothing to read: an empty folder, a folder without TIFF files, or a TIFF without pages.
    Empty { path: PathBuf, folder: bool },
    /// A label image holds a value that is not a whole number in 0..=u32::MAX.
    InvalidLabel {
        path: PathBuf,
        /// 1-based page number inside `path`.
        page: usize,
        x: usize,
        y: usize,
        value: f64,
    },
    /// An in-memory volume is inconsistent (e.g. data length does not match its shape).
    /// This is a programming error rather than a problem with a file.
    InvalidVolume { message: String },
}

impl VolumeError {
    /// Shorthand used all over the crate for `map_err`.
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        VolumeError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn tiff(path: &Path, message: impl Into<String>) -> Self {
        VolumeError::Tiff {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub(crate) fn unsupported(path: &Path, message: impl Into<String>) -> Self {
        VolumeError::Unsupported {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// The file (or folder) the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            VolumeError::Io { path, .. }
            | VolumeError::Tiff { path, .. }
            | VolumeError::Unsupported { path, .. }
            | VolumeError::TooLarge { path, .. }
            | VolumeError::ShapeMismatch { path, .. }
            | VolumeError::Empty { path, .. }
            | VolumeError::InvalidLabel { path, .. } => Some(path),
            VolumeError::InvalidVolume { .. } => None,
        }
    }
}

impl fmt::Display for VolumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VolumeError::Io { path, source } => {
                let p = path.display();
                match source.kind() {
                    io::ErrorKind::NotFound => write!(f, "{p}: file or folder not found"),
                    io::ErrorKind::PermissionDenied => write!(
                        f,
                        "{p}: permission denied (is the file open in another program, or the folder read-only?)"
                    ),
                    _ => write!(f, "{p}: {source}"),
                }
            }
            VolumeError::Tiff { path, message }
            | VolumeError::Unsupported { path, message }
            | VolumeError::TooLarge { path, message } => {
                write!(f, "{}: {message}", path.display())
            }
            VolumeError::ShapeMismatch { path, page, found, expected, first_file } => {
                let p = path.display();
                let [w, h] = found;
                let [ew, eh] = expected;
                match first_file {
                    None => write!(
                        f,
                        "{p}: page {page} is {w}x{h} but page 1 is {ew}x{eh}; all pages of a stack must have the same size"
                    ),
                    Some(first) => {
                        // Folders usually hold one page per file: "page 1" would only be noise there.
                        let which = if *page == 1 { String::new() } else { format!(": page {page}") };
                        write!(
                            f,
                            "{p}{which} is {w}x{h} but {} is {ew}x{eh}; all images in a folder stack must have the same size",
                            first.display()
                        )
                    }
                }
            }
            VolumeError::Empty { path, folder: true } => write!(
                f,
                "{}: the folder contains no TIFF images (files ending in .tif or .tiff)",
                path.display()
            ),
            VolumeError::Empty { path, folder: false } => {
                write!(f, "{}: the TIFF file contains no images", path.display())
            }
            VolumeError::InvalidLabel { path, page, x, y, value } => write!(
                f,
                "{}: page {page} {}",
                path.display(),
                invalid_label_reason(*value, &format!("at x={x}, y={y}"))
            ),
            VolumeError::InvalidVolume { message } => write!(f, "{message}"),
        }
    }
}

/// Why a label value cannot be used, for a file's page or an open image's slice: "has the value
/// 0.5 {where}; labels must be whole numbers ...". Ids above 2^24 stored as floats get their own
/// reason: neighbouring ids have become one value there, so objects may have merged.
pub fn invalid_label_reason(value: f64, place: &str) -> String {
    if value.fract() == 0.0 && value > 16_777_216.0 && value <= u32::MAX as f64 {
        format!(
            "has the id {value} {place}, stored as a floating-point number: above 16777216 floats cannot tell \
             neighbouring ids apart, so objects may have merged. Save the labels as 32-bit integers (or renumber \
             them, e.g. MorphoLibJ's Remap Labels)"
        )
    } else {
        format!(
            "has the value {value} {place}; labels must be whole numbers from 0 to {} (0 = background). Was it \
             saved from a probability map, or scaled/rotated with interpolation?",
            u32::MAX
        )
    }
}

impl Error for VolumeError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            VolumeError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_mismatch_message_matches_the_house_style() {
        let e = VolumeError::ShapeMismatch {
            path: PathBuf::from("labels.tif"),
            page: 3,
            found: [512, 512],
            expected: [256, 256],
            first_file: None,
        };
        assert_eq!(
            e.to_string(),
            "labels.tif: page 3 is 512x512 but page 1 is 256x256; all pages of a stack must have the same size"
        );
        let e = VolumeError::ShapeMismatch {
            path: PathBuf::from("slices/10.tif"),
            page: 1,
            found: [512, 256],
            expected: [256, 256],
            first_file: Some(PathBuf::from("slices/1.tif")),
        };
        assert_eq!(
            e.to_string(),
            "slices/10.tif is 512x256 but slices/1.tif is 256x256; all images in a folder stack must have the same size"
        );
    }

    #[test]
    fn messages_are_one_line_and_name_the_file() {
        let errors = [
            VolumeError::io(Path::new("a.tif"), io::Error::from(io::ErrorKind::NotFound)),
            VolumeError::tiff(Path::new("b.tif"), "damaged"),
            VolumeError::unsupported(Path::new("c.tif"), "RGB"),
            VolumeError::Empty {
                path: PathBuf::from("d"),
                folder: true,
            },
            VolumeError::Empty {
                path: PathBuf::from("e.tif"),
                folder: false,
            },
            VolumeError::InvalidLabel {
                path: PathBuf::from("f.tif"),
                page: 1,
                x: 2,
                y: 3,
                value: 1.5,
            },
        ];
        for (e, name) in errors
            .iter()
            .zip(["a.tif", "b.tif", "c.tif", "d", "e.tif", "f.tif"])
        {
            let s = e.to_string();
            assert!(s.starts_with(name), "{s}");
            assert!(!s.contains('\n'), "{s}");
            assert_eq!(e.path(), Some(Path::new(name)));
        }
        assert!(errors[5].to_string().contains("1.5 at x=2, y=3"));
    }
}
