//! Test-time augmentation: the network also sees flipped and transposed copies of each batch,
//! and the predictions, transformed back, are averaged. Each transform is its own inverse
//! except the transpose with flips, whose inverse is applied in reverse order.
use tch::Tensor;

/// One in-plane symmetry (and a z flip for 3D), on tensors (n, c, [z,] y, x).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transform {
    pub flip_z: bool,
    pub flip_y: bool,
    pub flip_x: bool,
    pub transpose: bool,
}

impl Transform {
    /// The 8 in-plane symmetries (only those keeping the shape when y != x), and for 3D the
    /// same with z flipped: 16.
    pub fn all(spatial_dims: usize, square: bool) -> Vec<Transform> {
        let mut out = Vec::new();
        for bits in 0..16u8 {
            let t = Transform { flip_y: bits & 1 != 0, flip_x: bits & 2 != 0, transpose: bits & 4 != 0, flip_z: bits & 8 != 0 };
            if (t.transpose && !square) || (t.flip_z && spatial_dims == 2) {
                continue;
            }
            out.push(t);
        }
        out
    }

    fn axes(x: &Tensor) -> (i64, i64, i64) {
        let d = x.dim() as i64;
        (d - 3, d - 2, d - 1) // z (3D only), y, x
    }

    pub fn apply(&self, x: &Tensor) -> Tensor {
        let (z, y, xa) = Self::axes(x);
        let mut dims = Vec::new();
        if self.flip_z && x.dim() == 5 {
            dims.push(z);
        }
        if self.flip_y {
            dims.push(y);
        }
        if self.flip_x {
            dims.push(xa);
        }
        let flipped = if dims.is_empty() { x.shallow_clone() } else { x.flip(&dims) };
        if self.transpose { flipped.transpose(y, xa) } else { flipped }
    }

    pub fn invert(&self, x: &Tensor) -> Tensor {
        let (_, y, xa) = Self::axes(x);
        let untransposed = if self.transpose { x.transpose(y, xa) } else { x.shallow_clone() };
        Transform { transpose: false, ..*self }.apply(&untransposed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn every_inverse_is_exact() {
        for (shape, dims, square) in [(vec![2, 3, 8, 8], 2, true), (vec![1, 2, 4, 6, 6], 3, true), (vec![1, 1, 5, 7], 2, false)] {
            let x = Tensor::randn(shape.as_slice(), (Kind::Float, Device::Cpu));
            let all = Transform::all(dims, square);
            assert_eq!(all.len(), match (dims, square) { (2, true) => 8, (3, true) => 16, _ => 4 });
            for t in all {
                assert!(t.invert(&t.apply(&x)).equal(&x), "{t:?}");
            }
        }
    }

    #[test]
    fn transforms_really_move_pixels() {
        let x = Tensor::arange(16, (Kind::Float, Device::Cpu)).view([1, 1, 4, 4]);
        let t = Transform { flip_z: false, flip_y: false, flip_x: true, transpose: true };
        assert!(!t.apply(&x).equal(&x));
    }
}
