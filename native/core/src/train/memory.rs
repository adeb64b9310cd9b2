//! A floor of the memory one training iteration needs on the CPU, checked before training starts:
//! a window or batch far too large for the machine must be a message, not a process (and a Fiji)
//! killed by the system's out-of-memory killer an hour later.
use crate::error::{Error, Result};
use crate::model::UNetSpec;

/// Tensors kept per level and voxel for the backward pass: the convolutions, batch norms and
/// activations of the encoder's and the decoder's residual blocks. A floor (the real count is
/// higher), so that only settings that cannot fit are refused.
const TENSORS_PER_LEVEL: u128 = 10;

/// Bytes of activations one iteration keeps at the least: 4 bytes for every channel of every
/// voxel of every level, TENSORS_PER_LEVEL times, for each window of the batch.
pub fn activation_bytes(spec: &UNetSpec, window: [usize; 3], batch: u32) -> u128 {
    let spatial = &window[3 - spec.spatial_dims()..];
    let mut stride = vec![1i64; spatial.len()];
    let mut total = 0u128;
    for (level, &filters) in spec.levels.iter().zip(&spec.filters) {
        for (s, l) in stride.iter_mut().zip(&level.stride) {
            *s *= l.max(&1);
        }
        let voxels: u128 = spatial.iter().zip(&stride).map(|(&w, &s)| (w as u128).div_ceil(s as u128)).product();
        total += voxels * filters as u128 * TENSORS_PER_LEVEL * 4;
    }
    total * batch as u128
}

/// Refuses a window and batch whose activations alone exceed the memory this machine has free.
pub fn check_fits(spec: &UNetSpec, window: [usize; 3], batch: u32) -> Result<()> {
    let bytes = activation_bytes(spec, window, batch);
    let what = format!("window_size: one training iteration with window {}x{}x{} and samples_per_batch {batch}", window[0], window[1], window[2]);
    segtrain_volume::memory::check_fits(bytes, &what).map_err(|m| Error::setting(format!("{m}; use a smaller window or samples_per_batch")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_grows_with_window_and_batch_and_refuses_the_absurd() {
        let spec = UNetSpec::two_d(&[16, 32, 64, 128, 160], 1, 1);
        let small = activation_bytes(&spec, [1, 256, 256], 2);
        assert_eq!(activation_bytes(&spec, [1, 256, 256], 4), 2 * small);
        assert!(activation_bytes(&spec, [1, 512, 512], 2) >= 4 * small);
        // 16 levels of 256x256 at 16 channels, 10 tensors, 4 bytes, 2 windows: the first level alone.
        assert!(small > 2 * 256 * 256 * 16 * 10 * 4);
        let err = check_fits(&spec, [1, 65536, 65536], 4096).unwrap_err().to_string();
        assert!(err.contains("window_size: one training iteration with window 1x65536x65536 and samples_per_batch 4096"), "{err}");
        assert!(check_fits(&spec, [1, 256, 256], 2).is_ok());
    }
}
