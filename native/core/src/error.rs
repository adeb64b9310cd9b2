//! One error type for the whole core. Each variant says who must act: the person (settings,
//! input stacks, names), the file system, or us (torch failures, bugs). The JNI bridge maps the
//! variants to Java exception classes, the CLI prints the message on one line.
use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// The settings are not acceptable; one message per problem, each naming its field.
    InvalidSettings(Vec<String>),
    /// The image or label stacks cannot be used as given (sizes, types, empty stacks).
    InvalidInput(String),
    /// A file or folder could not be read or written.
    Io { path: PathBuf, message: String },
    /// A TIFF stack could not be read or written.
    Volume(segtrain_volume::VolumeError),
    /// libtorch refused an operation (out of memory, device errors...).
    Torch(String),
    /// The job was cancelled by the user.
    Cancelled,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, err: impl fmt::Display) -> Self {
        Error::Io { path: path.into(), message: err.to_string() }
    }

    pub fn setting(message: impl Into<String>) -> Self {
        Error::InvalidSettings(vec![message.into()])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidSettings(problems) => write!(f, "invalid settings: {}", problems.join("; ")),
            Error::InvalidInput(message) => write!(f, "{message}"),
            Error::Io { path, message } => write!(f, "{}: {message}", path.display()),
            Error::Volume(err) => write!(f, "{err}"),
            Error::Torch(message) => write!(f, "libtorch error: {message}"),
            Error::Cancelled => write!(f, "cancelled by the user"),
        }
    }
}

impl std::error::Error for Error {}

impl From<segtrain_volume::VolumeError> for Error {
    fn from(err: segtrain_volume::VolumeError) -> Self {
        Error::Volume(err)
    }
}

impl From<tch::TchError> for Error {
    fn from(err: tch::TchError) -> Self {
        Error::Torch(short_torch_message(&err.to_string()))
    }
}

/// libtorch messages carry the whole C++ backtrace; a person needs the first lines only.
pub fn short_torch_message(message: &str) -> String {
    let cut = message.find("\nException raised from").unwrap_or(message.len());
    message[..cut].trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_messages_lose_their_backtrace() {
        let raw = "Torch(\"shape mismatch\nException raised from foo at bar.cpp:12\nframe #0 ...\")";
        assert_eq!(short_torch_message(raw), "Torch(\"shape mismatch");
    }

    #[test]
    fn settings_problems_are_joined_on_one_line() {
        let err = Error::InvalidSettings(vec!["a: bad".into(), "b: worse".into()]);
        assert_eq!(err.to_string(), "invalid settings: a: bad; b: worse");
    }
}
