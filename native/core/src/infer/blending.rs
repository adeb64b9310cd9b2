//! Gaussian blending of overlapping windows: each window's prediction is weighted by a Gaussian
//! centred on the window (sigma = 1/8 of its size per axis), so a voxel's value comes mostly
//! from windows that saw it near their centre, where the network has most context. Border voxels
//! still get a small weight, so a voxel covered only by a window edge keeps its prediction.
/// Smallest weight relative to the centre, so that no covered voxel is weighted zero.
const MIN_WEIGHT: f32 = 1e-3;

/// Weights of a window of `size` (z, y, x), row-major, peak 1.
pub fn gaussian_weights(size: [usize; 3]) -> Vec<f32> {
    let axis = |n: usize| -> Vec<f32> {
        let sigma = (n as f32 / 8.0).max(1e-3);
        let centre = (n as f32 - 1.0) / 2.0;
        (0..n).map(|i| (-0.5 * ((i as f32 - centre) / sigma).powi(2)).exp()).collect()
    };
    let (wz, wy, wx) = (axis(size[0]), axis(size[1]), axis(size[2]));
    let mut out = Vec::with_capacity(size.iter().product());
    for z in &wz {
        for y in &wy {
            for x in &wx {
                out.push((z * y * x).max(MIN_WEIGHT));
            }
        }
    }
    out
}

/// Weighted sums of window predictions over a block of slices, for `channels` channels.
pub struct Accumulator {
    /// Slices z0..z0+depth of a stack of in-plane size (height, width).
    pub z0: usize,
    pub depth: usize,
    pub height: usize,
    pub width: usize,
    pub channels: usize,
    /// channel-major: [c][z][y][x]
    sums: Vec<f32>,
    weights: Vec<f32>,
}

impl Accumulator {
    pub fn new(z0: usize, depth: usize, height: usize, width: usize, channels: usize) -> Self {
        let n = depth * height * width;
        Accumulator { z0, depth, height, width, channels, sums: vec![0.0; n * channels], weights: vec![0.0; n] }
    }

    /// Adds a window's prediction (channel-major, [c][z][y][x] of `size`) at stack origin `at`;
    /// the parts outside this block are ignored.
    pub fn add(&mut self, prediction: &[f32], at: [usize; 3], size: [usize; 3], weight: &[f32]) {
        let plane = size[1] * size[2];
        let window_voxels = size[0] * plane;
        let n = self.depth * self.height * self.width;
        for z in 0..size[0] {
            let Some(local_z) = (at[0] + z).checked_sub(self.z0).filter(|&lz| lz < self.depth) else { continue };
            for y in 0..size[1] {
                let row = (local_z * self.height + at[1] + y) * self.width + at[2];
                let src = z * plane + y * size[2];
                for x in 0..size[2] {
                    let w = weight[src + x];
                    self.weights[row + x] += w;
                    for c in 0..self.channels {
                        self.sums[c * n + row + x] += w * prediction[c * window_voxels + src + x];
                    }
                }
            }
        }
    }

    /// The blended values of slices z0+from..z0+to, channel-major ([c][z][y][x]).
    pub fn blended(&self, from: usize, to: usize) -> Vec<f32> {
        let plane = self.height * self.width;
        let n = self.depth * plane;
        let mut out = Vec::with_capacity((to - from) * plane * self.channels);
        for c in 0..self.channels {
            for i in from * plane..to * plane {
                let w = self.weights[i];
                out.push(if w > 0.0 { self.sums[c * n + i] / w } else { 0.0 });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::tiling::window_origins;

    #[test]
    fn weights_peak_in_the_centre_and_never_vanish() {
        let w = gaussian_weights([1, 9, 9]);
        assert_eq!(w[4 * 9 + 4], 1.0);
        assert!(w[0] >= MIN_WEIGHT && w[0] <= w[9 + 1] && w[9 + 1] < w[2 * 9 + 2]);
    }

    #[test]
    fn blending_a_constant_prediction_gives_that_constant_everywhere() {
        let shape = [5, 37, 23];
        let window = [3, 16, 16];
        let mut acc = Accumulator::new(0, shape[0], shape[1], shape[2], 2);
        for at in window_origins(shape, window, 0.5) {
            let n: usize = window.iter().product();
            let prediction: Vec<f32> = [vec![0.25; n], vec![7.0; n]].concat();
            acc.add(&prediction, at, window, &gaussian_weights(window));
        }
        let out = acc.blended(0, shape[0]);
        let n: usize = shape.iter().product();
        assert!(out[..n].iter().all(|&v| (v - 0.25).abs() < 1e-5));
        assert!(out[n..].iter().all(|&v| (v - 7.0).abs() < 1e-4));
    }

    #[test]
    fn every_voxel_gets_the_right_total_weight() {
        // Sum of the weights of the windows covering a voxel, computed independently.
        let shape = [1, 30, 19];
        let window = [1, 12, 12];
        let mut acc = Accumulator::new(0, 1, 30, 19, 1);
        let origins = window_origins(shape, window, 0.5);
        let weights = gaussian_weights(window);
        for &at in &origins {
            acc.add(&vec![1.0; 144], at, window, &weights);
        }
        for y in 0..30 {
            for x in 0..19 {
                let expected: f32 = origins
                    .iter()
                    .filter(|o| y >= o[1] && y < o[1] + 12 && x >= o[2] && x < o[2] + 12)
                    .map(|o| weights[(y - o[1]) * 12 + (x - o[2])])
                    .sum();
                assert!((acc.weights[y * 19 + x] - expected).abs() < 1e-5);
                assert!(expected > 0.0);
            }
        }
    }
}
