//! Elastic: a smooth random in-plane displacement field (Simard et al. 2003, as in PyTorch
//! Connectomics): uniform noise in [-1, 1] per pixel and axis, Gaussian-smoothed with sigma in
//! [6, 10] px and scaled by alpha in [60, 180].
//!
//! Simulates the non-rigid deformation of tissue during fixation, embedding and cutting (and its
//! natural variability in shape), so the network learns shapes rather than exact outlines. The
//! same field serves every section of the window, since the deformation of neighbouring thin
//! sections is nearly the same and a per-section field would look like misalignment instead.
//! The displacement's RMS is about 0.16 * alpha / sigma px: 1 to 5 px, peaks a few times that,
//! enough to change outlines visibly while the smooth field stays far from folding the tissue.
use super::resample::{gaussian_smooth, warp_in_plane};
use super::Sample;
use crate::rng::Rng;

pub const ALPHA: [f64; 2] = [60.0, 180.0];
pub const SIGMA: [f64; 2] = [6.0, 10.0];

pub fn apply(sample: &mut Sample, rng: &mut Rng) {
    let alpha = ALPHA[0] + (ALPHA[1] - ALPHA[0]) * rng.uniform();
    let sigma = SIGMA[0] + (SIGMA[1] - SIGMA[0]) * rng.uniform();
    let [_, h, w] = sample.shape;
    let mut scratch = vec![0f32; h * w];
    let mut field = || {
        let mut field: Vec<f32> = (0..h * w).map(|_| (2.0 * rng.uniform() - 1.0) as f32).collect();
        gaussian_smooth(&mut field, h, w, sigma, &mut scratch);
        field.iter_mut().for_each(|d| *d *= alpha as f32);
        field
    };
    let (dy, dx) = (field(), field());
    warp_in_plane(sample, |y, x| (y as f64 + dy[y * w + x] as f64, x as f64 + dx[y * w + x] as f64));
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    standard_augmentation_tests!(apply);

    #[test]
    fn image_and_labels_stay_aligned() {
        for shape in [[1, 64, 64], [4, 48, 56]] {
            for seed in 0..10 {
                let original = block_sample(shape, 16);
                let mut sample = original.clone();
                apply(&mut sample, &mut Rng::new(seed));
                assert_ne!(sample.labels, original.labels, "the field moves block borders");
                let checked = assert_aligned(&sample, 2);
                assert!(checked > sample.image.len() / 4, "{checked}");
            }
        }
    }

    #[test]
    fn every_section_gets_the_same_field() {
        // Sections that are equal before stay equal after.
        let mut sample = random_sample([1, 40, 40], 4);
        let plane = sample.image.clone();
        sample.image = [plane.as_slice(), plane.as_slice(), plane.as_slice()].concat();
        sample.labels = sample.labels.repeat(3);
        sample.shape = [3, 40, 40];
        apply(&mut sample, &mut Rng::new(2));
        let n = 40 * 40;
        assert_ne!(&sample.image[..n], plane.as_slice());
        assert_eq!(&sample.image[..n], &sample.image[n..2 * n]);
        assert_eq!(&sample.labels[n..2 * n], &sample.labels[2 * n..]);
    }
}
