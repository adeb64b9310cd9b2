//! Missing parts: a thin straight band (2 to 6 px wide, any angle, through a random point) across
//! one random section is replaced by that section's mean.
//!
//! Simulates folds and cracks in a section and knife marks: a line of missing or unusable tissue.
//! Labels are unchanged on purpose: the structures are still there, and the network should learn
//! to bridge the gap from the context (and from the neighbouring sections in 3D).
use super::region::mean_std;
use super::Sample;
use crate::rng::Rng;

pub const WIDTH: [usize; 2] = [2, 6];

pub fn apply(sample: &mut Sample, rng: &mut Rng) {
    let [depth, h, w] = sample.shape;
    let z = rng.below(depth);
    let width = WIDTH[0] + rng.below(WIDTH[1] - WIDTH[0] + 1);
    let (py, px) = (rng.below(h) as f64, rng.below(w) as f64);
    let angle = std::f64::consts::PI * rng.uniform();
    let section = &mut sample.image[z * h * w..(z + 1) * h * w];
    let fill = mean_std(section).0 as f32;
    // Distance of (y, x) to the line through (py, px) along (sin, cos): |(p - q) . normal|.
    let (normal_y, normal_x) = (angle.cos(), -angle.sin());
    let half = width as f64 / 2.0;
    for y in 0..h {
        let along_y = (y as f64 - py) * normal_y;
        for (x, v) in section[y * w..(y + 1) * w].iter_mut().enumerate() {
            if (along_y + (x as f64 - px) * normal_x).abs() < half {
                *v = fill;
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
    fn one_thin_band_in_one_section() {
        for seed in 0..20 {
            let original = random_sample([4, 64, 64], seed);
            let mut sample = original.clone();
            apply(&mut sample, &mut Rng::new(seed));
            let changed: Vec<usize> = (0..sample.image.len()).filter(|&i| sample.image[i] != original.image[i]).collect();
            let sections: std::collections::HashSet<usize> = changed.iter().map(|i| i / (64 * 64)).collect();
            assert_eq!(sections.len(), 1, "seed {seed}");
            // A band 2-6 px wide across at most the diagonal of the section (~91 px).
            assert!(!changed.is_empty() && changed.len() <= 7 * 91, "seed {seed}: {}", changed.len());
            let fill = sample.image[changed[0]];
            assert!(changed.iter().all(|&i| sample.image[i] == fill));
        }
    }
}
