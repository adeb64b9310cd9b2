//! The residual-SE U-Net of PyTorch Connectomics, for 2D and 3D windows.
mod init;
mod layers;
mod unet;

pub use unet::{UNet, UNetSpec};
