//! Test helpers shared by the augmentations' tests.
use super::Sample;
use crate::rng::Rng;

/// A 2D window and a 3D one.
pub const SHAPES: [[usize; 3]; 2] = [[1, 32, 32], [6, 24, 40]];

/// Normal image values; labels in blocks of 4x4 so they are not all distinct.
pub fn random_sample(shape: [usize; 3], seed: u64) -> Sample {
    let mut rng = Rng::new(seed);
    let [d, h, w] = shape;
    let image = (0..d * h * w).map(|_| rng.normal() as f32).collect();
    let mut labels = Vec::with_capacity(d * h * w);
    for z in 0..d {
        for y in 0..h {
            for x in 0..w {
                labels.push(((z * 7 + y / 4 * 3 + x / 4) % 5) as u32);
            }
        }
    }
    Sample { image, labels, shape }
}

/// Piecewise-constant blocks of `block` pixels with distinct ids, the image equal to the id:
/// wherever image and labels stay aligned, `image == label`.
pub fn block_sample(shape: [usize; 3], block: usize) -> Sample {
    let [d, h, w] = shape;
    let (by, bx) = (h.div_ceil(block), w.div_ceil(block));
    let mut labels = Vec::with_capacity(d * h * w);
    for z in 0..d {
        for y in 0..h {
            for x in 0..w {
                labels.push(((z * by + y / block) * bx + x / block + 1) as u32);
            }
        }
    }
    let image = labels.iter().map(|&l| l as f32).collect();
    Sample { image, labels, shape }
}

/// Checks that, at every pixel whose (2r+1)x(2r+1) in-plane neighbourhood in the labels is
/// uniform, the image equals the label (bilinear blending is only allowed near label borders;
/// a strongly stretching warp needs a larger r). Returns how many pixels were checked.
pub fn assert_aligned(sample: &Sample, r: usize) -> usize {
    let [d, h, w] = sample.shape;
    let mut checked = 0;
    for z in 0..d {
        for y in r..h.saturating_sub(r) {
            for x in r..w.saturating_sub(r) {
                let at = |yy: usize, xx: usize| sample.labels[(z * h + yy) * w + xx];
                let label = at(y, x);
                if (y - r..=y + r).all(|yy| (x - r..=x + r).all(|xx| at(yy, xx) == label)) {
                    let value = sample.image[(z * h + y) * w + x];
                    assert!((value - label as f32).abs() < 1e-3, "z {z} y {y} x {x}: image {value} label {label}");
                    checked += 1;
                }
            }
        }
    }
    checked
}

/// Shape kept and values finite, for a 2D and a 3D window.
pub fn assert_shape_and_finite(apply: impl Fn(&mut Sample, &mut Rng)) {
    for (seed, shape) in SHAPES.into_iter().enumerate() {
        let mut sample = random_sample(shape, seed as u64);
        apply(&mut sample, &mut Rng::new(seed as u64 + 10));
        assert_eq!(sample.shape, shape);
        assert_eq!(sample.image.len(), shape.iter().product::<usize>());
        assert_eq!(sample.labels.len(), sample.image.len());
        assert!(sample.image.iter().all(|v| v.is_finite()), "{shape:?}");
    }
}

/// The same seed gives the same output, another seed a different one (3D window).
pub fn assert_deterministic(apply: impl Fn(&mut Sample, &mut Rng)) {
    let original = random_sample(SHAPES[1], 3);
    let run = |seed| {
        let mut sample = original.clone();
        apply(&mut sample, &mut Rng::new(seed));
        sample
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

/// Labels exactly unchanged and the image changed, for a 2D and a 3D window and a few seeds.
pub fn assert_image_only(apply: impl Fn(&mut Sample, &mut Rng)) {
    for shape in SHAPES {
        for seed in 0..5 {
            let original = random_sample(shape, seed);
            let mut sample = original.clone();
            apply(&mut sample, &mut Rng::new(seed + 100));
            assert_eq!(sample.labels, original.labels, "{shape:?} seed {seed}");
            assert_ne!(sample.image, original.image, "{shape:?} seed {seed}");
        }
    }
}

/// The tests every augmentation has, written once: shape kept and values finite, the same seed
/// giving the same result; with `image_only`, also that labels never change while the image does.
macro_rules! standard_augmentation_tests {
    ($apply:expr) => {
        #[test]
        fn shape_kept_values_finite() {
            $crate::data::augment::testing::assert_shape_and_finite($apply);
        }

        #[test]
        fn deterministic() {
            $crate::data::augment::testing::assert_deterministic($apply);
        }
    };
    ($apply:expr, image_only) => {
        standard_augmentation_tests!($apply);

        #[test]
        fn changes_only_the_image() {
            $crate::data::augment::testing::assert_image_only($apply);
        }
    };
}
pub(crate) use standard_augmentation_tests;
