//! The residual-SE U-Net of PyTorch Connectomics, for 2D and 3D windows.
mod anisotropy;
mod compute;
mod init;
mod layers;
mod unet;
mod weights;

pub use anisotropy::anisotropic_levels;
pub use compute::{cpu_bf16_speedup, is_channels_last, to_channels_last, Compute};
pub use unet::{Level, UNet, UNetSpec};
pub use weights::{load_weights, named_weights, read_weights};
