//! Cut blur: a random box (1/8 to 1/2 of the window per axis) is downsampled in-plane by an
//! integer factor 2 to 8 (area averaging) and upsampled back (nearest or bilinear, by a coin).
//!
//! Simulates regions imaged out of focus or at a lower resolution (astigmatism, charging, tiles
//! acquired with another pixel size), as in CutBlur (Yoo et al. 2020) and PyTorch Connectomics.
//! The network learns to segment detail-poor parts from their coarse content. Only in-plane,
//! since that is where EM resolution is lost; image only.
use super::region::{random_box, Region};
use super::Sample;
use crate::rng::Rng;

pub const FACTOR: [usize; 2] = [2, 8];

pub fn apply(sample: &mut Sample, rng: &mut Rng) {
    let region = random_box(sample.shape, rng);
    let factor = FACTOR[0] + rng.below(FACTOR[1] - FACTOR[0] + 1);
    let bilinear = rng.coin();
    downsample_upsample(sample, region, factor, bilinear);
}

/// Replaces each section's part inside `region` by its in-plane area average over
/// `factor` x `factor` cells, brought back to full size.
fn downsample_upsample(sample: &mut Sample, region: Region, factor: usize, bilinear: bool) {
    let [_, h, w] = sample.shape;
    let [z0, y0, x0] = region.start;
    let [depth, bh, bw] = region.size;
    // Low-resolution cells; the last row/column of cells may cover fewer pixels.
    let (ch, cw) = (bh.div_ceil(factor), bw.div_ceil(factor));
    let mut cells = vec![0f64; ch * cw];
    let mut counts = vec![0u32; ch * cw];
    for z in z0..z0 + depth {
        let section = &mut sample.image[z * h * w..(z + 1) * h * w];
        cells.fill(0.0);
        counts.fill(0);
        for y in 0..bh {
            let row = (y / factor) * cw;
            for (x, &v) in section[(y0 + y) * w + x0..(y0 + y) * w + x0 + bw].iter().enumerate() {
                cells[row + x / factor] += v as f64;
                counts[row + x / factor] += 1;
            }
        }
        cells.iter_mut().zip(&counts).for_each(|(c, &n)| *c /= n as f64);
        for y in 0..bh {
            let out = &mut section[(y0 + y) * w + x0..(y0 + y) * w + x0 + bw];
            if bilinear {
                // Cell centres sit at (i + 0.5) * factor - 0.5 pixels; clamp beyond the outer ones.
                let (cy0, cy1, ty) = taps(y, factor, ch);
                for (x, v) in out.iter_mut().enumerate() {
                    let (cx0, cx1, tx) = taps(x, factor, cw);
                    let top = cells[cy0 * cw + cx0] + tx * (cells[cy0 * cw + cx1] - cells[cy0 * cw + cx0]);
                    let bottom = cells[cy1 * cw + cx0] + tx * (cells[cy1 * cw + cx1] - cells[cy1 * cw + cx0]);
                    *v = (top + ty * (bottom - top)) as f32;
                }
            } else {
                let row = (y / factor) * cw;
                for (x, v) in out.iter_mut().enumerate() {
                    *v = cells[row + x / factor] as f32;
                }
            }
        }
    }
}

/// The two cells around pixel `i` and the weight of the second.
fn taps(i: usize, factor: usize, cells: usize) -> (usize, usize, f64) {
    let c = ((i as f64 + 0.5) / factor as f64 - 0.5).clamp(0.0, (cells - 1) as f64);
    let c0 = c.floor() as usize;
    (c0, (c0 + 1).min(cells - 1), c - c0 as f64)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    standard_augmentation_tests!(apply, image_only);

    #[test]
    fn only_the_box_changes_and_it_keeps_its_mean() {
        for seed in 0..20 {
            let original = random_sample([4, 64, 64], seed);
            let mut sample = original.clone();
            apply(&mut sample, &mut Rng::new(seed));
            let changed: Vec<usize> = (0..sample.image.len()).filter(|&i| sample.image[i] != original.image[i]).collect();
            let extent = |f: &dyn Fn(usize) -> usize| {
                let values = changed.iter().map(|&i| f(i));
                values.clone().max().unwrap() - values.min().unwrap() + 1
            };
            assert!(extent(&|i| i / 4096) <= 2 && extent(&|i| i / 64 % 64) <= 32 && extent(&|i| i % 64) <= 32, "seed {seed}");
            // Downsampling and upsampling keep the local mean: the total barely moves.
            let sum = |v: &[f32]| v.iter().map(|&x| x as f64).sum::<f64>();
            assert!((sum(&sample.image) - sum(&original.image)).abs() < 0.2 * changed.len() as f64, "seed {seed}");
        }
    }

    #[test]
    fn nearest_gives_cell_means_bilinear_interpolates_them() {
        // A ramp along x, the whole window as the box, factor 4: cell means 1.5, 5.5, 9.5, 13.5.
        let ramp = Sample { image: (0..256).map(|i| (i % 16) as f32).collect(), labels: vec![0; 256], shape: [1, 16, 16] };
        let whole = Region { start: [0, 0, 0], size: [1, 16, 16] };
        let mut nearest = ramp.clone();
        downsample_upsample(&mut nearest, whole, 4, false);
        assert!((0..256).all(|i| nearest.image[i] == (i % 16 / 4 * 4) as f32 + 1.5));
        let mut bilinear = ramp.clone();
        downsample_upsample(&mut bilinear, whole, 4, true);
        assert!((0..256).all(|i| (bilinear.image[i] - ((i % 16) as f32).clamp(1.5, 13.5)).abs() < 1e-5), "{:?}", &bilinear.image[..16]);
        // A box inside: the rest is untouched.
        let mut part = ramp.clone();
        downsample_upsample(&mut part, Region { start: [0, 2, 3], size: [1, 5, 6] }, 3, false);
        let inside = |i: usize| (2..7).contains(&(i / 16)) && (3..9).contains(&(i % 16));
        assert!((0..256).all(|i| inside(i) || part.image[i] == ramp.image[i]));
        assert_eq!(&part.image[2 * 16 + 3..2 * 16 + 9], &[4.0, 4.0, 4.0, 7.0, 7.0, 7.0]);
    }
}
