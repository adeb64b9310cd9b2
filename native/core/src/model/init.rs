//! Orthogonal initialisation from our own seeded generator. libtorch's generator is one per
//! process: two trainings running at once (two Fiji dialogs, parallel tests) would draw from it
//! in turn and neither would be reproducible. Ours belongs to the training.
use crate::rng::Rng;
use tch::{Kind, Tensor};

/// A weight of `shape` whose (out, in*k...) matrix has orthonormal rows or columns, as
/// `torch.nn.init.orthogonal_` makes it (QR of a Gaussian matrix, signs fixed by R's diagonal).
pub fn orthogonal(rng: &mut Rng, shape: &[i64]) -> Tensor {
    let rows = shape[0];
    let cols: i64 = shape[1..].iter().product();
    let gaussian: Vec<f32> = (0..rows * cols).map(|_| rng.normal() as f32).collect();
    let mut matrix = Tensor::from_slice(&gaussian).view([rows, cols]);
    if rows < cols {
        matrix = matrix.transpose(0, 1);
    }
    let (q, r) = Tensor::linalg_qr(&matrix.to_kind(Kind::Double), "reduced");
    let mut q = q * r.diagonal(0, 0, 1).sign();
    if rows < cols {
        q = q.transpose(0, 1);
    }
    q.to_kind(Kind::Float).contiguous().view(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_orthonormal_and_the_seed_decides() {
        let w = orthogonal(&mut Rng::new(1), &[8, 4, 3, 3]).view([8, -1]);
        let gram = w.matmul(&w.transpose(0, 1));
        assert!(gram.allclose(&Tensor::eye(8, (Kind::Float, tch::Device::Cpu)), 1e-5, 1e-5, false));
        let again = orthogonal(&mut Rng::new(1), &[8, 4, 3, 3]).view([8, -1]);
        assert!(w.equal(&again));
        // More rows than columns: the columns are orthonormal.
        let tall = orthogonal(&mut Rng::new(2), &[12, 3]);
        let gram = tall.transpose(0, 1).matmul(&tall);
        assert!(gram.allclose(&Tensor::eye(3, (Kind::Float, tch::Device::Cpu)), 1e-5, 1e-5, false));
    }
}
