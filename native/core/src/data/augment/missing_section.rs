//! Missing section (3D only): one or two inner sections of the window are replaced by the
//! window's mean.
//!
//! Simulates sections lost or ruined during cutting, collection or imaging, which serial-section
//! stacks often contain. The labels keep the true structures, so a 3D network learns to carry
//! objects across a blank section from its neighbours. Inner sections only, so there always is
//! context on both sides; image only. 2D networks see sections one at a time, where a blank
//! input teaches nothing, so nothing happens for them (nor for windows under 3 sections).
use super::region::mean_std;
use super::Sample;
use crate::rng::Rng;

pub fn apply(sample: &mut Sample, dims: u8, rng: &mut Rng) {
    let [depth, h, w] = sample.shape;
    if dims != 3 || depth < 3 {
        return;
    }
    let inner = depth - 2;
    let first = 1 + rng.below(inner);
    let mut missing = vec![first];
    if inner > 1 && rng.coin() {
        // A second, different inner section: skip over the first.
        let other = 1 + rng.below(inner - 1);
        missing.push(if other >= first { other + 1 } else { other });
    }
    let fill = mean_std(&sample.image).0 as f32;
    let plane = h * w;
    for z in missing {
        sample.image[z * plane..(z + 1) * plane].fill(fill);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    standard_augmentation_tests!(|s, r| apply(s, 3, r));

    #[test]
    fn changes_only_the_image() {
        for seed in 0..10 {
            let original = random_sample([5, 16, 16], seed);
            let mut sample = original.clone();
            apply(&mut sample, 3, &mut Rng::new(seed));
            assert_eq!(sample.labels, original.labels);
            assert_ne!(sample.image, original.image);
        }
    }

    #[test]
    fn blanks_one_or_two_inner_sections() {
        let mut counts = [0usize; 3];
        for seed in 0..40 {
            let original = random_sample([6, 8, 8], seed);
            let mut sample = original.clone();
            apply(&mut sample, 3, &mut Rng::new(seed));
            let fill = mean_std(&original.image).0 as f32;
            let blank: Vec<usize> =
                (0..6).filter(|&z| sample.image[z * 64..(z + 1) * 64] != original.image[z * 64..(z + 1) * 64]).collect();
            assert!(blank.iter().all(|&z| z != 0 && z != 5), "{blank:?}");
            assert!(blank.iter().all(|&z| sample.image[z * 64..(z + 1) * 64].iter().all(|&v| v == fill)));
            counts[blank.len()] += 1;
        }
        assert!(counts[0] == 0 && counts[1] > 5 && counts[2] > 5, "{counts:?}");
        // Three sections: only the middle one can go.
        let mut sample = random_sample([3, 8, 8], 1);
        apply(&mut sample, 3, &mut Rng::new(1));
        assert!(sample.image[64..128].windows(2).all(|p| p[0] == p[1]));
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
