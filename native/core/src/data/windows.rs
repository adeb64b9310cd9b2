//! Random training windows: placed in the training region (on labelled objects for a share of
//! them), cropped with a random flip/transpose, augmented, and turned into targets. Image and
//! labels are cut and transformed together so they stay aligned. With sparse labels
//! (`ignore_label`) every window is placed around an annotated voxel: on an object for the
//! foreground share, else on any annotated voxel (background strokes included).
use super::augment::{augment, AugmentConfig, Sample};
use super::Dihedral;
use crate::rng::Rng;
use crate::train::Head;
use std::sync::Arc;
use tch::{Device, Kind, Tensor};

/// A box of the stack, z, y, x, `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub start: [usize; 3],
    pub end: [usize; 3],
}

impl Region {
    pub fn whole(shape: [usize; 3]) -> Self {
        Region { start: [0; 3], end: shape }
    }

    pub fn size(&self) -> [usize; 3] {
        [0, 1, 2].map(|d| self.end[d] - self.start[d])
    }
}

/// The training stack in memory: normalised image and labels, z, y, x.
pub struct StackData {
    pub image: Vec<f32>,
    pub labels: Vec<u32>,
    pub shape: [usize; 3],
}

/// A batch of windows, row-major (n, channels, z, y, x).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub image: Vec<f32>,
    pub target: Vec<f32>,
    /// n, z, y, x
    pub shape: [usize; 4],
    pub target_channels: usize,
}

impl Batch {
    /// Image (n, 1, [z,] y, x) and target (n, C, [z,] y, x) tensors; a 2D network takes the
    /// window's single section as its plane.
    pub fn to_tensors(&self, spatial_dims: usize, device: Device) -> (Tensor, Tensor) {
        let [n, z, y, x] = self.shape.map(|v| v as i64);
        let c = self.target_channels as i64;
        let shape = |channels: i64| -> Vec<i64> { if spatial_dims == 2 { vec![n, channels, y, x] } else { vec![n, channels, z, y, x] } };
        let make = |values: &[f32], channels: i64| Tensor::from_slice(values).view(shape(channels).as_slice()).to_kind(Kind::Float).to_device(device);
        (make(&self.image, 1), make(&self.target, c))
    }
}

/// How windows are drawn (from the config).
#[derive(Clone)]
pub struct SamplerSettings {
    pub window: [usize; 3],
    pub flips: bool,
    pub rotations: bool,
    pub foreground_share: f64,
    pub augment: AugmentConfig,
    pub dims: u8,
    /// Sparse labels: the label value of unannotated voxels.
    pub ignore_label: Option<u32>,
}

pub struct WindowSampler {
    data: Arc<StackData>,
    region: Region,
    settings: SamplerSettings,
    head: Head,
    /// Positions (z, y, x) of labelled-object voxels in the region, thinned to at most
    /// MAX_OBJECT_POSITIONS: windows meant to show objects are placed around one of them.
    objects: Vec<[u32; 3]>,
    /// Sparse labels: positions of annotated voxels (thinned likewise); the other windows are
    /// placed around one of them. Empty for dense labels (those windows go anywhere).
    annotated: Vec<[u32; 3]>,
}

const MAX_OBJECT_POSITIONS: usize = 1 << 20;

impl WindowSampler {
    /// The window must fit the region (validated before training starts).
    pub fn new(data: Arc<StackData>, region: Region, settings: SamplerSettings, head: Head) -> Self {
        let size = region.size();
        assert!((0..3).all(|d| settings.window[d] <= size[d]), "window {:?} larger than region {size:?}", settings.window);
        let ignore = settings.ignore_label;
        let objects = positions(&data, &region, |l| head.is_object(l) && Some(l) != ignore);
        let annotated = match ignore {
            Some(ignore) => positions(&data, &region, |l| l != ignore),
            None => Vec::new(),
        };
        WindowSampler { data, region, settings, head, objects, annotated }
    }

    pub fn sample_batch(&self, n: usize, rng: &mut Rng) -> Batch {
        let [wz, wy, wx] = self.settings.window;
        let per_window = wz * wy * wx;
        let channels = self.head.target_channels(self.settings.ignore_label.is_some());
        let mut batch = Batch {
            image: Vec::with_capacity(n * per_window),
            target: Vec::with_capacity(n * per_window * channels),
            shape: [n, wz, wy, wx],
            target_channels: channels,
        };
        for _ in 0..n {
            let mut sample = self.crop(rng);
            augment(&mut sample, &self.settings.augment, self.settings.dims, rng);
            batch.target.extend(self.head.targets(&sample.labels, sample.shape, self.settings.ignore_label));
            batch.image.extend(sample.image);
        }
        batch
    }

    /// A window with a random symmetry, around a labelled voxel with probability
    /// foreground_share, else anywhere in the region.
    fn crop(&self, rng: &mut Rng) -> Sample {
        let [_, sy, sx] = self.data.shape;
        let [wz, wy, wx] = self.settings.window;
        let size = self.region.size();
        let mut sym = Dihedral::random(rng, self.settings.flips, self.settings.rotations);
        let flip_z = self.settings.flips && self.settings.dims == 3 && rng.coin();
        let (mut hy, mut hx) = sym.source_size(wy, wx);
        if hy > size[1] || hx > size[2] {
            // A non-square window may not fit the region transposed: keep it upright.
            sym.transpose = false;
            (hy, hx) = (wy, wx);
        }
        let around_object = !self.objects.is_empty() && rng.uniform() < self.settings.foreground_share;
        let around = if around_object {
            Some(&self.objects)
        } else {
            (!self.annotated.is_empty()).then_some(&self.annotated)
        };
        let (z0, y0, x0) = if let Some(around) = around {
            // Any origin whose window holds the chosen voxel, kept inside the region.
            let p = around[rng.below(around.len())];
            let place = |axis: usize, extent: usize, rng: &mut Rng| {
                let (start, end, at) = (self.region.start[axis], self.region.end[axis], p[axis] as usize);
                let lowest = at.saturating_sub(extent - 1).max(start);
                let highest = at.min(end - extent);
                lowest + rng.below(highest.saturating_sub(lowest) + 1)
            };
            (place(0, wz, rng), place(1, hy, rng), place(2, hx, rng))
        } else {
            (
                self.region.start[0] + rng.below(size[0] - wz + 1),
                self.region.start[1] + rng.below(size[1] - hy + 1),
                self.region.start[2] + rng.below(size[2] - hx + 1),
            )
        };
        let n = wz * wy * wx;
        let (mut image, mut labels) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for z in 0..wz {
            let source_z = if flip_z { wz - 1 - z } else { z };
            let plane = (z0 + source_z) * sy * sx;
            for y in 0..wy {
                for x in 0..wx {
                    let (ry, rx) = sym.source(y, x, wy, wx);
                    let src = plane + (y0 + ry) * sx + x0 + rx;
                    image.push(self.data.image[src]);
                    labels.push(self.data.labels[src]);
                }
            }
        }
        Sample { image, labels, shape: [wz, wy, wx] }
    }
}

/// The voxels of the region whose label is `wanted`, every k-th so that at most
/// MAX_OBJECT_POSITIONS are kept.
fn positions(data: &StackData, region: &Region, wanted: impl Fn(u32) -> bool) -> Vec<[u32; 3]> {
    let [_, sy, sx] = data.shape;
    let in_region = |f: &mut dyn FnMut(usize, usize, usize, u32)| {
        for z in region.start[0]..region.end[0] {
            for y in region.start[1]..region.end[1] {
                let row = (z * sy + y) * sx;
                for x in region.start[2]..region.end[2] {
                    f(z, y, x, data.labels[row + x]);
                }
            }
        }
    };
    let mut count = 0usize;
    in_region(&mut |_, _, _, l| count += wanted(l) as usize);
    let step = count.div_ceil(MAX_OBJECT_POSITIONS).max(1);
    let mut positions = Vec::with_capacity(count / step + 1);
    let mut seen = 0usize;
    in_region(&mut |z, y, x, l| {
        if wanted(l) {
            if seen % step == 0 {
                positions.push([z as u32, y as u32, x as u32]);
            }
            seen += 1;
        }
    });
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(window: [usize; 3], flips: bool, share: f64) -> SamplerSettings {
        SamplerSettings { window, flips, rotations: flips, foreground_share: share, augment: AugmentConfig::default(), dims: 2, ignore_label: None }
    }

    fn data(shape: [usize; 3], image: Vec<f32>, labels: Vec<u32>) -> Arc<StackData> {
        Arc::new(StackData { image, labels, shape })
    }

    #[test]
    fn image_and_target_stay_aligned_under_every_symmetry() {
        // label = 1 exactly where the image value is odd: any misalignment breaks the rule.
        let shape = [3, 20, 30];
        let image: Vec<f32> = (0..1800).map(|i| ((i * 7919) % 1000) as f32).collect();
        let labels: Vec<u32> = image.iter().map(|&v| v as u32 % 2).collect();
        let sampler = WindowSampler::new(data(shape, image, labels), Region::whole(shape), settings([1, 12, 17], true, 0.0), Head::Binary { background: 0, foreground: 1 });
        let mut rng = Rng::new(5);
        for _ in 0..50 {
            let batch = sampler.sample_batch(2, &mut rng);
            assert_eq!(batch.shape, [2, 1, 12, 17]);
            for (v, t) in batch.image.iter().zip(&batch.target) {
                assert_eq!((*v as u32 % 2) as f32, *t);
            }
        }
    }

    #[test]
    fn windows_are_real_crops_inside_the_region_and_the_seed_decides() {
        let shape = [1, 8, 8];
        let image: Vec<f32> = (0..64).map(|i| i as f32).collect();
        let region = Region { start: [0, 0, 0], end: [1, 5, 8] };
        let sampler = WindowSampler::new(data(shape, image, vec![0; 64]), region, settings([1, 4, 4], false, 0.0), Head::Binary { background: 0, foreground: 1 });
        let a = sampler.sample_batch(20, &mut Rng::new(9));
        assert_eq!(a, sampler.sample_batch(20, &mut Rng::new(9)));
        for w in a.image.chunks(16) {
            assert_eq!((w[1] - w[0], w[4] - w[0]), (1.0, 8.0), "a contiguous crop");
            assert!(w[15] < 40.0, "rows 5.. are outside the region");
        }
    }

    #[test]
    fn with_sparse_labels_every_window_holds_annotated_voxels() {
        // A 300 x 300 slice, unannotated (65535) but for two small patches: background (0) at
        // the top left and an object (1) at the bottom right.
        let shape = [1, 300, 300];
        let mut labels = vec![65535u32; 90000];
        for (y0, x0, value) in [(10, 10, 0), (280, 270, 1)] {
            for y in y0..y0 + 6 {
                for x in x0..x0 + 6 {
                    labels[y * 300 + x] = value;
                }
            }
        }
        let mut s = settings([1, 32, 32], true, 0.5);
        s.ignore_label = Some(65535);
        let sampler = WindowSampler::new(data(shape, vec![0.0; 90000], labels), Region::whole(shape), s, Head::Binary { background: 0, foreground: 1 });
        let batch = sampler.sample_batch(200, &mut Rng::new(3));
        assert_eq!(batch.target_channels, 2, "target and mask");
        let n = 32 * 32;
        let (mut on_object, mut on_background) = (0, 0);
        for window in batch.target.chunks(2 * n) {
            let (target, mask) = window.split_at(n);
            assert!(mask.contains(&1.0), "a window without annotated voxels");
            assert!(target.iter().zip(mask).all(|(&t, &m)| m == 1.0 || t == 0.0), "unannotated targets are 0");
            if target.contains(&1.0) {
                on_object += 1;
            } else {
                on_background += 1;
            }
        }
        // Half on the object; the others around any annotated voxel (mostly the background patch).
        assert!((70..=170).contains(&on_object) && on_background > 30, "{on_object} {on_background}");
    }

    #[test]
    fn foreground_share_puts_windows_on_sparse_objects() {
        // One small object in a large empty slice.
        let shape = [1, 200, 200];
        let mut labels = vec![0u32; 40000];
        for y in 100..104 {
            for x in 50..54 {
                labels[y * 200 + x] = 1;
            }
        }
        let count = |share: f64| {
            let sampler = WindowSampler::new(data(shape, vec![0.0; 40000], labels.clone()), Region::whole(shape), settings([1, 32, 32], true, share), Head::Binary { background: 0, foreground: 1 });
            let batch = sampler.sample_batch(100, &mut Rng::new(1));
            batch.target.chunks(32 * 32).filter(|w| w.iter().any(|&t| t > 0.0)).count()
        };
        assert!(count(0.0) < 20, "uniform placement rarely hits it");
        assert_eq!(count(1.0), 100, "foreground-aware placement always does");
        let half = count(0.5);
        assert!((35..=70).contains(&half), "{half}");
    }
}
