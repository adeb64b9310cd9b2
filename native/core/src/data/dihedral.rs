//! The eight in-plane symmetries of a window (flips of y and x, and the y/x transpose, which
//! with the flips gives the 90-degree rotations). Expressed as a map from output to source
//! coordinates, so image and labels are cropped and transformed in one pass and stay aligned.
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dihedral {
    pub flip_y: bool,
    pub flip_x: bool,
    pub transpose: bool,
}

impl Dihedral {
    pub const IDENTITY: Dihedral = Dihedral { flip_y: false, flip_x: false, transpose: false };

    /// A random symmetry among those allowed by the config.
    pub fn random(rng: &mut Rng, flips: bool, rotations: bool) -> Self {
        Dihedral {
            flip_y: flips && rng.coin(),
            flip_x: flips && rng.coin(),
            transpose: rotations && rng.coin(),
        }
    }

    /// Size (h, w) of the source region that becomes an (out_h, out_w) window.
    pub fn source_size(&self, out_h: usize, out_w: usize) -> (usize, usize) {
        if self.transpose { (out_w, out_h) } else { (out_h, out_w) }
    }

    /// Source (y, x) inside the source region for output (y, x) of an (out_h, out_w) window.
    #[inline]
    pub fn source(&self, y: usize, x: usize, out_h: usize, out_w: usize) -> (usize, usize) {
        let y = if self.flip_y { out_h - 1 - y } else { y };
        let x = if self.flip_x { out_w - 1 - x } else { x };
        if self.transpose { (x, y) } else { (y, x) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(d: Dihedral, src: &[u8], h: usize, w: usize) -> Vec<u8> {
        let (_, sw) = d.source_size(h, w);
        let mut out = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let (sy, sx) = d.source(y, x, h, w);
                out.push(src[sy * sw + sx]);
            }
        }
        out
    }

    #[test]
    fn transpose_with_a_flip_is_a_quarter_turn() {
        // source 2x3:  1 2 3 / 4 5 6 ; output 3x2
        let src = [1, 2, 3, 4, 5, 6];
        let d = Dihedral { flip_y: false, flip_x: true, transpose: true };
        assert_eq!(d.source_size(3, 2), (2, 3));
        // rotated clockwise: 4 1 / 5 2 / 6 3
        assert_eq!(apply(d, &src, 3, 2), vec![4, 1, 5, 2, 6, 3]);
    }

    #[test]
    fn all_eight_symmetries_are_distinct_permutations() {
        let src: Vec<u8> = (0..16).collect();
        let mut seen = std::collections::HashSet::new();
        for bits in 0..8 {
            let d = Dihedral { flip_y: bits & 1 == 1, flip_x: bits & 2 == 2, transpose: bits & 4 == 4 };
            let out = apply(d, &src, 4, 4);
            let mut sorted = out.clone();
            sorted.sort();
            assert_eq!(sorted, src, "a permutation");
            seen.insert(out);
        }
        assert_eq!(seen.len(), 8);
    }
}
