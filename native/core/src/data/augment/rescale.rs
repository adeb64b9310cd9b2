//! Rescale: zoom in or out about the window centre by a factor in [0.8, 1.2], in-plane only.
//!
//! Simulates stacks imaged at a slightly different pixel size (another microscope, magnification
//! or binning) and natural variation in the size of cells and organelles, so the network does
//! not tie a structure to one size in pixels. Only in-plane because EM section thickness is a
//! separate, much coarser resolution. Image bilinear, labels nearest; borders mirrored when
//! zooming out.
use super::resample::warp_in_plane;
use super::Sample;
use crate::rng::Rng;

pub const MIN_FACTOR: f64 = 0.8;
pub const MAX_FACTOR: f64 = 1.2;

pub fn apply(sample: &mut Sample, rng: &mut Rng) {
    let factor = MIN_FACTOR + (MAX_FACTOR - MIN_FACTOR) * rng.uniform();
    let [_, h, w] = sample.shape;
    let (cy, cx) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
    // factor > 1 zooms in: the output spans a smaller source region around the centre.
    warp_in_plane(sample, |y, x| (cy + (y as f64 - cy) / factor, cx + (x as f64 - cx) / factor));
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
                let mut sample = block_sample(shape, 8);
                apply(&mut sample, &mut Rng::new(seed));
                let checked = assert_aligned(&sample, 1);
                assert!(checked > sample.image.len() / 2, "{checked}");
            }
        }
    }

    #[test]
    fn zooms_about_the_centre() {
        // A single bright centre pixel on an odd window stays at the centre.
        let mut sample = Sample { image: vec![0.0; 81], labels: vec![0; 81], shape: [1, 9, 9] };
        sample.image[40] = 1.0;
        sample.labels[40] = 7;
        apply(&mut sample, &mut Rng::new(1));
        assert_eq!(sample.image[40], 1.0);
        assert_eq!(sample.labels[40], 7);
        assert_eq!(sample.labels.iter().filter(|&&l| l == 7).count(), 1);
    }
}
