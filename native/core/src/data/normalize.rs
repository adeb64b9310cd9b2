//! Intensity normalisation: zero mean and unit variance, with the statistics of the training
//! stack. They are stored in model.json so auto-label treats new stacks the same way.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Normalization {
    pub mean: f32,
    pub std: f32,
}

impl Normalization {
    /// Mean and standard deviation of `values` (computed in f64: stacks have billions of voxels).
    pub fn from_values(values: &[f32]) -> Self {
        let n = values.len().max(1) as f64;
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        // A constant stack would divide by zero; it still trains (to nothing useful) with std 1.
        let std = if var.sqrt() > 1e-6 { var.sqrt() } else { 1.0 };
        Normalization { mean: mean as f32, std: std as f32 }
    }

    pub fn apply(&self, values: &mut [f32]) {
        let inv = 1.0 / self.std;
        values.iter_mut().for_each(|v| *v = (*v - self.mean) * inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_values_have_zero_mean_and_unit_variance() {
        let mut values: Vec<f32> = (0..1000).map(|i| (i % 17) as f32 * 3.0 + 20.0).collect();
        let norm = Normalization::from_values(&values);
        norm.apply(&mut values);
        let again = Normalization::from_values(&values);
        assert!(again.mean.abs() < 1e-4 && (again.std - 1.0).abs() < 1e-4, "{again:?}");
    }

    #[test]
    fn a_constant_stack_keeps_std_one() {
        assert_eq!(Normalization::from_values(&[5.0; 10]), Normalization { mean: 5.0, std: 1.0 });
    }
}
