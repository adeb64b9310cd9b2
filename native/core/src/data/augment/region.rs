//! Small shared pieces: random boxes inside the window, and mean / standard deviation of values.
use crate::rng::Rng;

/// A box inside the window: start and size per axis (z, y, x).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub start: [usize; 3],
    pub size: [usize; 3],
}

/// A random box whose size per axis is 1/8 to 1/2 of the window's (at least 1 voxel), placed
/// uniformly inside it: large enough to matter, small enough to leave clean context around.
pub fn random_box(shape: [usize; 3], rng: &mut Rng) -> Region {
    let mut region = Region { start: [0; 3], size: [0; 3] };
    for ((&n, start), size) in shape.iter().zip(&mut region.start).zip(&mut region.size) {
        let low = (n / 8).max(1).min(n);
        let high = (n / 2).max(low);
        *size = low + rng.below(high - low + 1);
        *start = rng.below(n - *size + 1);
    }
    region
}

/// Mean and (population) standard deviation, accumulated in f64.
pub fn mean_std(values: &[f32]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_fit_and_have_the_right_size() {
        let mut rng = Rng::new(1);
        for _ in 0..500 {
            let shape = [1 + rng.below(10), 1 + rng.below(300), 1 + rng.below(300)];
            let region = random_box(shape, &mut rng);
            for axis in 0..3 {
                let n = shape[axis];
                assert!(region.start[axis] + region.size[axis] <= n, "{shape:?} {region:?}");
                assert!(region.size[axis] >= (n / 8).max(1) && region.size[axis] <= (n / 2).max(1), "{shape:?} {region:?}");
            }
        }
    }

    #[test]
    fn mean_and_std() {
        assert_eq!(mean_std(&[1.0, 3.0, 1.0, 3.0]), (2.0, 1.0));
        assert_eq!(mean_std(&[]), (0.0, 0.0));
    }
}
