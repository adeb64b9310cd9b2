//! Training augmentations that simulate the artefacts of serial-section EM (deformed tissue,
//! misaligned, missing or folded sections, blur, changing contrast, noise), so a network trained
//! on a few clean stacks copes with the flaws of the stacks it is applied to.
//!
//! Each augmentation lives in its own file with a `pub fn apply`. [`augment`] applies them in a
//! fixed order, each when its probability draw succeeds. Flips, transposes and 90-degree
//! rotations are not here: they happen while cropping (`data/dihedral.rs`).
//!
//! Randomness: [`augment`] takes exactly one draw from the caller's generator and derives one
//! sub-stream per augmentation from it, in a fixed order. So the same seed redraws the same
//! augmentations (a resumed training sees what the uninterrupted one would have seen), and
//! switching one augmentation on or off changes neither the windows the caller draws next nor
//! the parameters of the other augmentations.
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

mod cut_blur;
mod cut_noise;
mod elastic;
mod grayscale;
mod misalignment;
mod missing_parts;
mod missing_section;
mod motion_blur;
mod region;
mod resample;
mod rescale;
#[cfg(test)]
mod testing;

/// One training window before its targets are made. Labels are transformed with the image
/// (nearest neighbour for geometric transforms) so targets made afterwards stay aligned.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub image: Vec<f32>,
    pub labels: Vec<u32>,
    /// z, y, x; x fastest.
    pub shape: [usize; 3],
}

/// Probability (0 = off, 1 = always) that each augmentation is applied to a window.
/// Used flattened into the training config, hence no `deny_unknown_fields` here.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AugmentConfig {
    /// Zoom in/out about the window centre by a factor in [0.8, 1.2] (in-plane), reflect at borders.
    pub augment_rescale: f64,
    /// Smooth random in-plane displacement field, the same for all sections of the window.
    pub augment_elastic: f64,
    /// Contrast, brightness and gamma; per section for 2D networks, per window for 3D ones.
    pub augment_grayscale: f64,
    /// A thin band through one section replaced by the section mean (folds, cracks).
    pub augment_missing_parts: f64,
    /// 3D only: one or two inner sections replaced by the window mean.
    pub augment_missing_section: f64,
    /// 3D only: sections shifted in-plane from a random z on, or a single section shifted.
    pub augment_misalignment: f64,
    /// A few sections blurred along y or x with a box kernel.
    pub augment_motion_blur: f64,
    /// A random box downsampled and upsampled back (loss of resolution).
    pub augment_cut_blur: f64,
    /// A random box gets Gaussian noise.
    pub augment_cut_noise: f64,
}

/// The augmentations in the order they are applied: geometry first (the tissue and how it was
/// cut and aligned), then section defects, then imaging (blur, intensity), noise last so it is
/// neither blurred nor rescaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Rescale,
    Elastic,
    Misalignment,
    MissingSection,
    MissingParts,
    MotionBlur,
    CutBlur,
    Grayscale,
    CutNoise,
}

const ORDER: [Kind; 9] = [
    Kind::Rescale,
    Kind::Elastic,
    Kind::Misalignment,
    Kind::MissingSection,
    Kind::MissingParts,
    Kind::MotionBlur,
    Kind::CutBlur,
    Kind::Grayscale,
    Kind::CutNoise,
];

impl Kind {
    fn probability(self, config: &AugmentConfig) -> f64 {
        match self {
            Kind::Rescale => config.augment_rescale,
            Kind::Elastic => config.augment_elastic,
            Kind::Misalignment => config.augment_misalignment,
            Kind::MissingSection => config.augment_missing_section,
            Kind::MissingParts => config.augment_missing_parts,
            Kind::MotionBlur => config.augment_motion_blur,
            Kind::CutBlur => config.augment_cut_blur,
            Kind::Grayscale => config.augment_grayscale,
            Kind::CutNoise => config.augment_cut_noise,
        }
    }

    fn apply(self, sample: &mut Sample, dims: u8, rng: &mut Rng) {
        match self {
            Kind::Rescale => rescale::apply(sample, rng),
            Kind::Elastic => elastic::apply(sample, rng),
            Kind::Misalignment => misalignment::apply(sample, dims, rng),
            Kind::MissingSection => missing_section::apply(sample, dims, rng),
            Kind::MissingParts => missing_parts::apply(sample, rng),
            Kind::MotionBlur => motion_blur::apply(sample, rng),
            Kind::CutBlur => cut_blur::apply(sample, rng),
            Kind::Grayscale => grayscale::apply(sample, dims, rng),
            Kind::CutNoise => cut_noise::apply(sample, rng),
        }
    }
}

/// Applies, in a fixed order, each augmentation whose probability draw succeeds. `dims` is 2 or 3
/// (the network's dimensionality); 3D-only augmentations do nothing when dims == 2 or shape[0] < 3.
pub fn augment(sample: &mut Sample, config: &AugmentConfig, dims: u8, rng: &mut Rng) {
    apply_reporting(sample, config, dims, rng);
}

/// [`augment`], returning which augmentations (in [`ORDER`]) were drawn to apply.
fn apply_reporting(sample: &mut Sample, config: &AugmentConfig, dims: u8, rng: &mut Rng) -> [bool; 9] {
    let voxels: usize = sample.shape.iter().product();
    assert_eq!(sample.image.len(), voxels, "image does not match shape {:?}", sample.shape);
    assert_eq!(sample.labels.len(), voxels, "labels do not match shape {:?}", sample.shape);
    // One draw from the caller whatever the config; every augmentation then always takes its
    // decision and its own sub-stream, so nothing downstream depends on what was applied.
    let mut stream = rng.fork();
    let mut applied = [false; 9];
    for (kind, applied) in ORDER.iter().zip(applied.iter_mut()) {
        let draw = stream.uniform();
        let mut own = stream.fork();
        if draw < kind.probability(config) && voxels > 0 {
            kind.apply(sample, dims, &mut own);
            *applied = true;
        }
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::testing::random_sample;
    use super::*;

    fn all(p: f64) -> AugmentConfig {
        AugmentConfig {
            augment_rescale: p,
            augment_elastic: p,
            augment_grayscale: p,
            augment_missing_parts: p,
            augment_missing_section: p,
            augment_misalignment: p,
            augment_motion_blur: p,
            augment_cut_blur: p,
            augment_cut_noise: p,
        }
    }

    #[test]
    fn default_config_leaves_the_sample_unchanged() {
        assert_eq!(AugmentConfig::default(), all(0.0));
        for (shape, dims) in [([1, 32, 32], 2), ([6, 24, 32], 3)] {
            let original = random_sample(shape, 1);
            let mut sample = original.clone();
            augment(&mut sample, &AugmentConfig::default(), dims, &mut Rng::new(5));
            assert_eq!(sample, original);
        }
    }

    #[test]
    fn all_on_changes_the_sample_and_applies_everything() {
        for (shape, dims) in [([1, 32, 32], 2u8), ([6, 24, 32], 3)] {
            let original = random_sample(shape, 1);
            let mut sample = original.clone();
            let applied = apply_reporting(&mut sample, &all(1.0), dims, &mut Rng::new(5));
            assert!(applied.iter().all(|&a| a));
            assert_eq!(sample.shape, original.shape);
            assert_ne!(sample.image, original.image);
            assert!(sample.image.iter().all(|v| v.is_finite()));
        }
    }

    #[test]
    fn labels_are_resampled_nearest_so_the_unannotated_value_survives() {
        // Half of every window unannotated (65535): after every augmentation the labels hold
        // only values they held before (no blend of 65535 and a class), and the unannotated
        // share stays about the same.
        for (shape, dims) in [([1, 32, 32], 2u8), ([6, 24, 32], 3)] {
            for seed in 0..10 {
                let mut sample = random_sample(shape, seed);
                let n = sample.labels.len();
                let w = shape[2];
                sample.labels.iter_mut().enumerate().filter(|(i, _)| i % w < w / 2).for_each(|(_, l)| *l = 65535);
                let before: std::collections::BTreeSet<u32> = sample.labels.iter().copied().collect();
                augment(&mut sample, &all(1.0), dims, &mut Rng::new(seed));
                let after: std::collections::BTreeSet<u32> = sample.labels.iter().copied().collect();
                assert!(after.is_subset(&before), "{after:?} not within {before:?}");
                let share = sample.labels.iter().filter(|&&l| l == 65535).count() as f64 / n as f64;
                assert!((0.2..0.8).contains(&share), "{share}");
            }
        }
    }

    #[test]
    fn same_seed_same_augmentations_other_seed_others() {
        let original = random_sample([6, 24, 32], 1);
        let run = |seed| {
            let mut sample = original.clone();
            augment(&mut sample, &all(0.5), 3, &mut Rng::new(seed));
            sample
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn takes_one_draw_from_the_caller_whatever_the_config() {
        let original = random_sample([6, 24, 32], 1);
        let after = |config: &AugmentConfig| {
            let mut rng = Rng::new(9);
            augment(&mut original.clone(), config, 3, &mut rng);
            rng
        };
        assert_eq!(after(&all(0.0)), after(&all(1.0)));
        assert_eq!(after(&all(0.0)), after(&all(0.5)));
    }

    #[test]
    fn probability_is_honoured() {
        let mut rng = Rng::new(11);
        let mut counts = [0usize; 9];
        for _ in 0..200 {
            // A tiny 3D window keeps this fast; every augmentation can apply to it.
            let mut sample = random_sample([3, 16, 16], 2);
            let applied = apply_reporting(&mut sample, &all(0.5), 3, &mut rng);
            for (count, applied) in counts.iter_mut().zip(applied) {
                *count += applied as usize;
            }
        }
        assert!(counts.iter().all(|&n| (60..=140).contains(&n)), "{counts:?}");
        // Off and always are exact.
        let mut sample = random_sample([3, 16, 16], 2);
        let mut half = all(1.0);
        half.augment_elastic = 0.0;
        let applied = apply_reporting(&mut sample, &half, 3, &mut rng);
        assert_eq!(applied.iter().filter(|&&a| a).count(), 8);
        assert!(!applied[ORDER.iter().position(|&k| k == Kind::Elastic).unwrap()]);
    }

    #[test]
    fn probabilities_serialise_by_field_name() {
        let config = AugmentConfig { augment_cut_noise: 0.25, ..AugmentConfig::default() };
        let text = serde_json::to_string(&config).unwrap();
        assert!(text.contains("\"augment_cut_noise\":0.25"), "{text}");
        assert_eq!(serde_json::from_str::<AugmentConfig>(&text).unwrap(), config);
    }
}
