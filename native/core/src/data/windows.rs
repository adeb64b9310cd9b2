//! Random training windows: a uniformly placed crop of the stack with a random in-plane
//! symmetry, image and target cut together so they stay aligned.
use super::Dihedral;
use crate::rng::Rng;
use tch::{Device, Kind, Tensor};

/// A batch of windows, row-major (n, z, y, x); target values 0 or 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub image: Vec<f32>,
    pub target: Vec<f32>,
    pub shape: [usize; 4],
}

impl Batch {
    /// (n, 1, y, x) tensors for a 2D network, (n, 1, z, y, x) for a 3D one.
    pub fn to_tensors(&self, spatial_dims: usize, device: Device) -> (Tensor, Tensor) {
        let [n, z, y, x] = self.shape.map(|v| v as i64);
        let shape: Vec<i64> = if spatial_dims == 2 { vec![n * z, 1, y, x] } else { vec![n, 1, z, y, x] };
        let make = |values: &[f32]| Tensor::from_slice(values).view(shape.as_slice()).to_kind(Kind::Float).to_device(device);
        (make(&self.image), make(&self.target))
    }
}

pub struct WindowSampler {
    image: Vec<f32>,
    target: Vec<u8>,
    /// Stack shape z, y, x.
    shape: [usize; 3],
    window: [usize; 3],
    flips: bool,
    rotations: bool,
}

impl WindowSampler {
    /// The window must fit the stack (validated with the settings, before training starts).
    pub fn new(image: Vec<f32>, target: Vec<u8>, shape: [usize; 3], window: [usize; 3], flips: bool, rotations: bool) -> Self {
        assert_eq!(image.len(), shape.iter().product::<usize>());
        assert_eq!(target.len(), image.len());
        assert!((0..3).all(|d| window[d] <= shape[d]), "window {window:?} larger than stack {shape:?}");
        WindowSampler { image, target, shape, window, flips, rotations }
    }

    pub fn sample_batch(&self, n: usize, rng: &mut Rng) -> Batch {
        let [wz, wy, wx] = self.window;
        let per_window = wz * wy * wx;
        let mut batch = Batch { image: vec![0.0; n * per_window], target: vec![0.0; n * per_window], shape: [n, wz, wy, wx] };
        for i in 0..n {
            let range = i * per_window..(i + 1) * per_window;
            self.sample_into(rng, &mut batch.image[range.clone()], &mut batch.target[range]);
        }
        batch
    }

    fn sample_into(&self, rng: &mut Rng, image: &mut [f32], target: &mut [f32]) {
        let [sz, sy, sx] = self.shape;
        let [wz, wy, wx] = self.window;
        let mut sym = Dihedral::random(rng, self.flips, self.rotations);
        let (mut hy, mut hx) = sym.source_size(wy, wx);
        if hy > sy || hx > sx {
            // A non-square window may not fit the stack transposed: keep it upright.
            sym.transpose = false;
            (hy, hx) = (wy, wx);
        }
        let (z0, y0, x0) = (rng.below(sz - wz + 1), rng.below(sy - hy + 1), rng.below(sx - hx + 1));
        let mut out = 0;
        for z in 0..wz {
            let plane = (z0 + z) * sy * sx;
            for y in 0..wy {
                for x in 0..wx {
                    let (ry, rx) = sym.source(y, x, wy, wx);
                    let src = plane + (y0 + ry) * sx + x0 + rx;
                    image[out] = self.image[src];
                    target[out] = self.target[src] as f32;
                    out += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_and_target_stay_aligned_under_every_augmentation() {
        // target = 1 exactly where the image value is odd: any misalignment breaks the rule.
        let shape = [3, 20, 30];
        let image: Vec<f32> = (0..1800).map(|i| ((i * 7919) % 1000) as f32).collect();
        let target: Vec<u8> = image.iter().map(|&v| (v as u32 % 2) as u8).collect();
        let sampler = WindowSampler::new(image.clone(), target.clone(), shape, [1, 12, 17], true, true);
        let mut rng = Rng::new(5);
        for _ in 0..50 {
            let batch = sampler.sample_batch(2, &mut rng);
            assert_eq!(batch.shape, [2, 1, 12, 17]);
            for (v, t) in batch.image.iter().zip(&batch.target) {
                assert_eq!((*v as u32 % 2) as f32, *t);
            }
        }
    }

    #[test]
    fn windows_are_real_crops_and_the_same_seed_gives_the_same_batch() {
        let shape = [1, 8, 8];
        let image: Vec<f32> = (0..64).map(|i| i as f32).collect();
        let target = vec![0u8; 64];
        let sampler = WindowSampler::new(image.clone(), target.clone(), shape, [1, 4, 4], false, false);
        let a = sampler.sample_batch(3, &mut Rng::new(9));
        assert_eq!(a, sampler.sample_batch(3, &mut Rng::new(9)));
        // Without augmentation a window is a contiguous crop: rows step by 8, columns by 1.
        let w = &a.image[..16];
        assert_eq!(w[1] - w[0], 1.0);
        assert_eq!(w[4] - w[0], 8.0);
    }

    #[test]
    fn a_window_as_large_as_the_stack_fits() {
        let image = vec![1.0; 2 * 16 * 24];
        let target = vec![1u8; image.len()];
        let sampler = WindowSampler::new(image.clone(), target.clone(), [2, 16, 24], [2, 16, 24], true, true);
        let batch = sampler.sample_batch(1, &mut Rng::new(1));
        assert!(batch.target.iter().all(|&t| t == 1.0));
    }
}
