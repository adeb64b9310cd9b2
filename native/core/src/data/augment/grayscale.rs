//! Grayscale: contrast (x [0.75, 1.25]), brightness (+ [-0.15, 0.15], in units of the stack's
//! standard deviation, which is 1 after normalisation) and gamma ([0.7, 1.4], drawn log-uniform
//! so brightening and darkening are equally likely, applied to the values rescaled to [0, 1] by
//! their min and max and mapped back to that range).
//!
//! Simulates staining, section thickness and detector settings that differ between sections
//! and between stacks, so the network relies on structure, not on absolute grey levels. A 2D
//! network sees sections independently, so each section gets its own draw (PyTorch Connectomics
//! "mix" mode); a 3D network gets one draw for the window, as a stack is imaged consistently.
//! All three steps are increasing, so the order of values (what is darker than what) is kept.
use super::Sample;
use crate::rng::Rng;

pub const CONTRAST: [f64; 2] = [0.75, 1.25];
pub const BRIGHTNESS: [f64; 2] = [-0.15, 0.15];
pub const GAMMA: [f64; 2] = [0.7, 1.4];

pub fn apply(sample: &mut Sample, dims: u8, rng: &mut Rng) {
    if dims == 2 {
        let plane = sample.shape[1] * sample.shape[2];
        for section in sample.image.chunks_mut(plane.max(1)) {
            adjust(section, rng);
        }
    } else {
        adjust(&mut sample.image, rng);
    }
}

/// One draw of contrast, brightness and gamma applied to `values`.
fn adjust(values: &mut [f32], rng: &mut Rng) {
    let contrast = (CONTRAST[0] + (CONTRAST[1] - CONTRAST[0]) * rng.uniform()) as f32;
    let brightness = (BRIGHTNESS[0] + (BRIGHTNESS[1] - BRIGHTNESS[0]) * rng.uniform()) as f32;
    let gamma = (GAMMA[0].ln() + (GAMMA[1].ln() - GAMMA[0].ln()) * rng.uniform()).exp() as f32;
    // Scaling about 0 (the stack mean after normalisation) keeps the data centred.
    let (mut low, mut high) = (f32::INFINITY, f32::NEG_INFINITY);
    for v in values.iter_mut() {
        *v = *v * contrast + brightness;
        low = low.min(*v);
        high = high.max(*v);
    }
    let range = high - low;
    if !(range > 0.0 && range.is_finite()) {
        return; // a flat section has no tones to bend
    }
    for v in values.iter_mut() {
        let t = ((*v - low) / range).clamp(0.0, 1.0);
        *v = low + range * t.powf(gamma);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn shape_kept_values_finite() {
        assert_shape_and_finite(|s, r| apply(s, 2, r));
        assert_shape_and_finite(|s, r| apply(s, 3, r));
    }

    #[test]
    fn deterministic() {
        assert_deterministic(|s, r| apply(s, 2, r));
        assert_deterministic(|s, r| apply(s, 3, r));
    }

    #[test]
    fn changes_only_the_image() {
        assert_image_only(|s, r| apply(s, 2, r));
        assert_image_only(|s, r| apply(s, 3, r));
    }

    #[test]
    fn keeps_the_order_of_values() {
        for dims in [2, 3] {
            for seed in 0..20 {
                let original = random_sample([3, 16, 16], seed);
                let mut sample = original.clone();
                apply(&mut sample, dims, &mut Rng::new(seed));
                // Within what shares a draw: a section in 2D, the window in 3D.
                let group = if dims == 2 { 256 } else { original.image.len() };
                for (before, after) in original.image.chunks(group).zip(sample.image.chunks(group)) {
                    let mut order: Vec<usize> = (0..before.len()).collect();
                    order.sort_by(|&a, &b| before[a].total_cmp(&before[b]));
                    assert!(order.windows(2).all(|p| after[p[0]] <= after[p[1]]), "dims {dims} seed {seed}");
                }
            }
        }
    }

    #[test]
    fn sections_get_their_own_draw_in_2d_and_one_draw_in_3d() {
        // Three identical sections: 2D makes them differ, 3D keeps them identical.
        let section = random_sample([1, 16, 16], 1);
        let mut sample = section.clone();
        sample.image = section.image.repeat(3);
        sample.labels = section.labels.repeat(3);
        sample.shape = [3, 16, 16];
        let mut two = sample.clone();
        apply(&mut two, 2, &mut Rng::new(4));
        assert_ne!(two.image[..256], two.image[256..512]);
        let mut three = sample.clone();
        apply(&mut three, 3, &mut Rng::new(4));
        assert_eq!(three.image[..256], three.image[256..512]);
    }
}
