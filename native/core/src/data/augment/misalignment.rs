//! Misalignment (3D only): either every section from a random z on is shifted in-plane by the
//! same random (dy, dx) (a registration jump between two sections), or one single inner section
//! is shifted (one badly registered section). Shifts are whole pixels up to about 8% of the
//! window per axis, never (0, 0); pixels shifted in from outside repeat the edge.
//!
//! Serial-section stacks are registered section to section and registration fails now and then;
//! this teaches a 3D network to follow objects across such jumps. Image and labels move together
//! (the shifted section shows the tissue where it is), and whole-pixel shifts keep labels exact.
//! 2D networks see one section at a time, so nothing happens for them (nor under 3 sections).
use super::Sample;
use crate::rng::Rng;

/// Largest shift per axis as a share of the window size.
pub const MAX_SHIFT: f64 = 0.08;

pub fn apply(sample: &mut Sample, dims: u8, rng: &mut Rng) {
    let [depth, h, w] = sample.shape;
    if dims != 3 || depth < 3 {
        return;
    }
    let sections = if rng.coin() {
        let z = 1 + rng.below(depth - 2);
        z..z + 1
    } else {
        1 + rng.below(depth - 1)..depth
    };
    let (limit_y, limit_x) = (max_shift(h), max_shift(w));
    let (dy, dx) = loop {
        let shift = (rng.below(2 * limit_y + 1) as isize - limit_y as isize, rng.below(2 * limit_x + 1) as isize - limit_x as isize);
        if shift != (0, 0) {
            break shift;
        }
    };
    let plane = h * w;
    let mut image = vec![0f32; plane];
    let mut labels = vec![0u32; plane];
    for z in sections {
        let range = z * plane..(z + 1) * plane;
        image.copy_from_slice(&sample.image[range.clone()]);
        labels.copy_from_slice(&sample.labels[range.clone()]);
        for y in 0..h {
            let sy = (y as isize - dy).clamp(0, h as isize - 1) as usize;
            for x in 0..w {
                let sx = (x as isize - dx).clamp(0, w as isize - 1) as usize;
                sample.image[z * plane + y * w + x] = image[sy * w + sx];
                sample.labels[z * plane + y * w + x] = labels[sy * w + sx];
            }
        }
    }
}

/// At least one pixel, so even small windows can misalign.
fn max_shift(n: usize) -> usize {
    ((n as f64 * MAX_SHIFT).round() as usize).max(1).min(n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    standard_augmentation_tests!(|s, r| apply(s, 3, r));

    #[test]
    fn image_and_labels_move_together() {
        for seed in 0..20 {
            let original = block_sample([6, 40, 48], 8);
            let mut sample = original.clone();
            apply(&mut sample, 3, &mut Rng::new(seed));
            assert_ne!(sample, original);
            // Whole-pixel shifts with edge replication: aligned everywhere, not just inside blocks.
            assert!(sample.image.iter().zip(&sample.labels).all(|(&v, &l)| v == l as f32), "seed {seed}");
            assert!(assert_aligned(&sample, 1) > 0);
            // The first section never moves; every section is a shifted copy of itself.
            assert_eq!(sample.image[..40 * 48], original.image[..40 * 48]);
        }
    }

    #[test]
    fn shifts_stay_within_eight_percent_and_are_shared() {
        // Labels = 100 y + x: the label at the centre of a shifted section reveals the shift.
        let (h, w) = (50, 100);
        let labels: Vec<u32> = (0..4 * h * w).map(|i| ((i % (h * w)) / w * 100 + i % w) as u32).collect();
        let centre = (h / 2) * w + w / 2;
        for seed in 0..30 {
            let image = labels.iter().map(|&l| l as f32).collect();
            let mut sample = Sample { image, labels: labels.clone(), shape: [4, h, w] };
            apply(&mut sample, 3, &mut Rng::new(seed));
            let shifts: Vec<(isize, isize)> = (0..4)
                .map(|z| {
                    // out(y, x) = in(y - dy, x - dx): the label drops by 100 dy + dx.
                    let drop = labels[centre] as isize - sample.labels[z * h * w + centre] as isize;
                    let dy = (drop as f64 / 100.0).round() as isize;
                    (dy, drop - 100 * dy)
                })
                .collect();
            let moved: Vec<&(isize, isize)> = shifts.iter().filter(|&&s| s != (0, 0)).collect();
            assert_eq!(shifts[0], (0, 0), "seed {seed}");
            assert!(!moved.is_empty() && moved.iter().all(|&&s| s == *moved[0]), "seed {seed}: {shifts:?}");
            let (dy, dx) = *moved[0];
            assert!(dy.abs() <= 4 && dx.abs() <= 8, "seed {seed}: {shifts:?}");
        }
    }

    #[test]
    fn nothing_for_2d_networks_or_thin_windows() {
        let original = random_sample([6, 16, 16], 1);
        let mut sample = original.clone();
        apply(&mut sample, 2, &mut Rng::new(1));
        assert_eq!(sample, original);
        let original = random_sample([2, 16, 16], 1);
        let mut sample = original.clone();
        apply(&mut sample, 3, &mut Rng::new(1));
        assert_eq!(sample, original);
    }
}
