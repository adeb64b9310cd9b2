//! Cut noise: a random box (1/8 to 1/2 of the window per axis) gets additive Gaussian noise with
//! a standard deviation of 0.05 to 0.2 times the window's.
//!
//! Simulates shot and detector noise that varies across a stack (short dwell times, lower beam
//! current in some tiles), as in PyTorch Connectomics' CutNoise; a box rather than the whole
//! window so the network also sees noisy and clean tissue side by side. Relative to the window's
//! spread so it is gentle on flat windows (the stack's, 1 after normalisation, if the window is
//! perfectly flat). Image only.
use super::region::{mean_std, random_box};
use super::Sample;
use crate::rng::Rng;

pub const SCALE: [f64; 2] = [0.05, 0.2];

pub fn apply(sample: &mut Sample, rng: &mut Rng) {
    let [_, h, w] = sample.shape;
    let region = random_box(sample.shape, rng);
    let std = match mean_std(&sample.image).1 {
        s if s > 1e-6 => s,
        _ => 1.0,
    };
    let sigma = std * (SCALE[0] + (SCALE[1] - SCALE[0]) * rng.uniform());
    let [z0, y0, x0] = region.start;
    let [depth, bh, bw] = region.size;
    for z in z0..z0 + depth {
        for y in y0..y0 + bh {
            let start = (z * h + y) * w + x0;
            for v in &mut sample.image[start..start + bw] {
                *v += (sigma * rng.normal()) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    standard_augmentation_tests!(apply, image_only);

    #[test]
    fn noise_is_in_a_box_and_scaled_to_the_window() {
        for seed in 0..20 {
            let mut original = random_sample([4, 64, 64], seed);
            original.image.iter_mut().for_each(|v| *v *= 3.0); // window std 3
            let mut sample = original.clone();
            apply(&mut sample, &mut Rng::new(seed));
            let noise: Vec<f64> = sample.image.iter().zip(&original.image).map(|(a, b)| (a - b) as f64).filter(|d| *d != 0.0).collect();
            assert!(!noise.is_empty() && noise.len() <= 2 * 32 * 32, "seed {seed}");
            let rms = (noise.iter().map(|d| d * d).sum::<f64>() / noise.len() as f64).sqrt();
            if noise.len() > 200 {
                assert!(rms > 0.8 * 0.05 * 3.0 && rms < 1.2 * 0.2 * 3.0, "seed {seed}: {rms}");
            }
        }
    }
}
