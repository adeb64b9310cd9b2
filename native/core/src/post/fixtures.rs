//! Synthetic predictions for the tests: touching balls (discs per slice, or spheres) with
//! ideal foreground, contour and distance maps, built by brute force so that the targets do
//! not depend on the code under test (nor on the training targets in `data`).

/// Ideal network outputs for a few touching balls of one radius.
pub(super) struct Scene {
    pub shape: [usize; 3],
    /// Each voxel inside some ball labelled with the nearest centre's index + 1, else 0.
    pub truth: Vec<u32>,
    pub foreground: Vec<f32>,
    /// 1 where a voxel of `truth` has a different label within a chessboard window of the
    /// band width (in-plane or 3-D): both sides of a touching line, the inner rim elsewhere.
    pub contour: Vec<f32>,
    /// Per slice: Euclidean distance to the nearest pixel with another label, divided by its
    /// maximum over the object in that slice; 0 on background.
    pub distance: Vec<f32>,
    centres: Vec<[f32; 3]>,
    radius: f32,
    planar: bool,
}

impl Scene {
    /// Balls at `centres` (`[z, y, x]`); `planar`: discs in every slice (z ignored, a column
    /// of discs), else spheres.
    pub fn balls(shape: [usize; 3], centres: &[[f32; 3]], radius: f32, band: usize, planar: bool) -> Scene {
        let [depth, height, width] = shape;
        let n = depth * height * width;
        let mut scene = Scene {
            shape,
            truth: vec![0; n],
            foreground: vec![0.0; n],
            contour: vec![0.0; n],
            distance: vec![0.0; n],
            centres: centres.to_vec(),
            radius,
            planar,
        };
        for i in 0..n {
            let nearest = (0..centres.len())
                .map(|k| (scene.distance_to(k, i), k))
                .filter(|&(d, _)| d <= radius)
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, k)) = nearest {
                scene.truth[i] = k as u32 + 1;
                scene.foreground[i] = 1.0;
            }
        }
        let reach = |c: usize, len: usize| c.saturating_sub(band)..(c + band + 1).min(len);
        for i in 0..n {
            let (z, y, x) = (i / (height * width), i / width % height, i % width);
            let zs = if planar { z..z + 1 } else { reach(z, depth) };
            let own = scene.truth[i];
            let differs = zs
                .flat_map(|z| reach(y, height).map(move |y| (z, y)))
                .flat_map(|(z, y)| reach(x, width).map(move |x| (z * height + y) * width + x))
                .any(|j| scene.truth[j] != own);
            scene.contour[i] = (own != 0 && differs) as u8 as f32;
        }
        scene.fill_distance();
        scene
    }

    /// Voxels inside ball `k` (the whole ball, its overlap with a neighbour included).
    pub fn ball_mask(&self, k: usize) -> Vec<bool> {
        (0..self.truth.len()).map(|i| self.distance_to(k, i) <= self.radius).collect()
    }

    fn distance_to(&self, k: usize, i: usize) -> f32 {
        let [_, height, width] = self.shape;
        let c = self.centres[k];
        let (z, y, x) = ((i / (height * width)) as f32, (i / width % height) as f32, (i % width) as f32);
        let dz = if self.planar { 0.0 } else { z - c[0] };
        (dz * dz + (y - c[1]).powi(2) + (x - c[2]).powi(2)).sqrt()
    }

    fn fill_distance(&mut self) {
        let [_, height, width] = self.shape;
        let plane = height * width;
        for (truth, distance) in self.truth.chunks(plane).zip(self.distance.chunks_mut(plane)) {
            for i in 0..plane {
                if truth[i] == 0 {
                    continue;
                }
                let (y, x) = ((i / width) as f32, (i % width) as f32);
                distance[i] = (0..plane)
                    .filter(|&j| truth[j] != truth[i])
                    .map(|j| ((j / width) as f32 - y).hypot((j % width) as f32 - x))
                    .fold(f32::INFINITY, f32::min);
            }
            for id in 1..=self.centres.len() as u32 {
                let max = (0..plane).filter(|&i| truth[i] == id).map(|i| distance[i]).fold(0.0, f32::max);
                for i in (0..plane).filter(|&i| truth[i] == id) {
                    distance[i] /= max;
                }
            }
        }
    }
}

/// IoU of `mask` with the label that overlaps it most (0.0 if none does).
pub(super) fn best_iou(labels: &[u32], mask: &[bool]) -> f64 {
    let mut overlap = std::collections::HashMap::new();
    for (&l, &m) in labels.iter().zip(mask) {
        if l != 0 && m {
            *overlap.entry(l).or_insert(0usize) += 1;
        }
    }
    let Some((&best, &inter)) = overlap.iter().max_by_key(|&(&l, &c)| (c, std::cmp::Reverse(l))) else {
        return 0.0;
    };
    let size = labels.iter().filter(|&&l| l == best).count();
    let truth = mask.iter().filter(|&&m| m).count();
    inter as f64 / (size + truth - inter) as f64
}
