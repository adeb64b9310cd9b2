//! SegTrain's core: everything except the JNI bridge and the command line.
//!
//! Settings are validated once (`settings`), data is prepared (`data`), a residual-SE U-Net
//! (`model`) is trained (`train`) on a job thread (`job`) and stored by name (`store`).
pub mod data;
pub mod error;
pub mod evaluate;
pub mod infer;
pub mod job;
pub mod metrics;
pub mod model;
pub mod post;
pub mod rng;
pub mod runtime;
pub mod settings;
pub mod store;
pub mod train;

pub use error::{Error, Result};

/// "0.1.0 (libtorch 2.13.0)"
pub fn version() -> String {
    format!("{} (libtorch {})", env!("CARGO_PKG_VERSION"), torch_version())
}

/// The libtorch release this build needs: `version=` of native/libtorch.properties, the file the
/// build, the installers and the plugin read too.
pub fn torch_version() -> &'static str {
    include_str!("../../libtorch.properties")
        .lines()
        .find_map(|line| line.strip_prefix("version="))
        .map(str::trim)
        .unwrap_or("unknown")
}
