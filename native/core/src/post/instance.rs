//! Instances from the instance heads' predictions (foreground, contour, optional distance):
//! seeds where the network is sure to be inside an object and away from any boundary, a
//! watershed from those seeds over the foreground, then removal of small objects.
//!
//! Thresholding foreground alone merges touching cells (their shared membrane is often
//! predicted foreground); the contour channel marks exactly those touching lines, so "high
//! foreground and low contour" gives one seed per cell, and the watershed hands the contour
//! band back to the cells on either side. This is PyTorch Connectomics' `bc_watershed` /
//! `bcd_watershed` decoding.

use serde::{Deserialize, Serialize};

use super::components::label_where;
use super::holes::fill_holes;
use super::labels::{relabel_consecutive, remove_small};
use super::shape;
use super::watershed::flood;

/// Weight of the distance term in the relief when a distance map is given (see
/// [`segment_instances`]): half the contour's, so that a predicted boundary still dominates
/// and the distance only places the cut where the contour channel is flat or faint.
const DISTANCE_WEIGHT: f32 = 0.5;

/// Thresholds of the instance decoding. All probabilities are the network's outputs in 0..1
/// (distance: normalised per object, 1 at its centre, as the training target).
///
/// Missing fields take their defaults when deserialised, so stored settings survive new
/// fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceParams {
    /// Voxels with foreground at least this are flooded (the mask of the watershed).
    pub foreground_threshold: f32,
    /// Seeds need a foreground at least this: well inside an object...
    pub seed_foreground: f32,
    /// ... and a contour at most this: away from every boundary, so one seed per object.
    pub seed_contour: f32,
    /// With a distance channel, seeds also need a distance at least this: the inner part of
    /// an object, which separates cells that touch along a faint contour.
    pub seed_distance: f32,
    /// Seed components with fewer voxels are dropped as noise (otherwise each would grow
    /// into a spurious object or split a real one).
    pub min_seed_size: usize,
    /// Final objects with fewer voxels are removed (set to 0).
    pub min_size: usize,
    /// Holes of the mask (background enclosed by foreground, see `fill_holes`) with at most
    /// this many voxels are flooded too: the inside of an organelle that the network took for
    /// background (starch grains of a chloroplast). 0 = none.
    pub max_hole_size: usize,
    /// 2D models on serial sections: objects of consecutive sections whose IoU is at least
    /// this get one id (see `SectionLinker`); 0 = off, every section numbered on its own.
    pub link_sections: f32,
}

impl Default for InstanceParams {
    fn default() -> Self {
        InstanceParams {
            foreground_threshold: 0.5,
            seed_foreground: 0.8,
            seed_contour: 0.3,
            seed_distance: 0.5,
            min_seed_size: 8,
            min_size: 32,
            max_hole_size: 0,
            link_sections: 0.0,
        }
    }
}

/// The size limits follow the training objects: objects smaller than a quarter of the smallest
/// common one (the 10th percentile) are noise, and so are seeds under a tenth of it (a seed is
/// the confident core of an object, a third of it or more). The fixed defaults (8 and 32
/// voxels) over-split objects of thousands of pixels into fragments.
const MIN_SIZE_SHARE: f64 = 0.25;
const MIN_SEED_SHARE: f64 = 0.1;

impl InstanceParams {
    /// The defaults with `min_size` and `min_seed_size` from the sizes (voxels) of the
    /// training objects; the plain defaults when there are none.
    pub fn for_object_sizes(sizes: &[u64]) -> Self {
        let mut params = InstanceParams::default();
        if let Some(small) = crate::data::objects::quantile(sizes, 0.1) {
            let share = |s: f64| ((small as f64 * s).round() as usize).max(1);
            params.min_size = share(MIN_SIZE_SHARE);
            params.min_seed_size = share(MIN_SEED_SHARE);
        }
        params
    }
}

/// Instance labels (ids 1..=n, 0 = background) from per-voxel `foreground` and `contour`
/// probabilities and an optional normalised `distance`, all row-major `[z, y, x]` of `shape`.
///
/// 1. Seeds: connected components of voxels with `foreground >= seed_foreground`,
///    `contour <= seed_contour` and, with a distance map, `distance >= seed_distance`;
///    components under `min_seed_size` voxels are dropped.
/// 2. Watershed of the seeds over the mask `foreground >= foreground_threshold` (with its
///    holes of at most `max_hole_size` voxels filled), on the
///    relief `contour`, or `contour + (1 - distance) / 2` with a distance map: boundaries are
///    ridges, and the distance adds a slope down to each object's centre, so fronts meet at
///    the narrowest neck where the contour is ambiguous. (Not `1 - foreground`: foreground
///    is flat across a membrane between two touching cells.) Mask voxels that no seed
///    reaches (an object without a seed) stay background.
/// 3. Objects under `min_size` voxels are removed; ids are renumbered 1..=n in order of
///    first appearance in scan order.
///
/// `per_slice`: every step works on each z slice alone (4-connectivity); ids are unique in
/// the stack, but objects are not linked across z (a cell cut by 10 sections has 10 ids), and
/// `min_seed_size` / `min_size` / `max_hole_size` count voxels of one slice. Otherwise everything is 3-D
/// (6-connectivity).
///
/// Memory beyond the inputs and the output: the union-find table of the seeds and the
/// watershed queue (at most 4 bytes per voxel each, per slice for the queue in per-slice
/// mode); the masks and the relief are computed on the fly, except with `max_hole_size`: then
/// the mask (1 byte per voxel) and, while holes are found, the labels of its background (4).
/// NaN inputs are never seeds nor mask (but may lie in a filled hole).
///
/// # Panics
/// If an input's length does not match `shape`.
pub fn segment_instances(
    foreground: &[f32],
    contour: &[f32],
    distance: Option<&[f32]>,
    shape: [usize; 3],
    per_slice: bool,
    params: &InstanceParams,
) -> Vec<u32> {
    shape::voxels(foreground.len(), shape, "foreground");
    shape::voxels(contour.len(), shape, "contour");
    let p = params;
    let seed = |i: usize| foreground[i] >= p.seed_foreground && contour[i] <= p.seed_contour;
    let above = |i: usize| foreground[i] >= p.foreground_threshold;
    // Filled holes need the mask as bytes; without them it is tested on the fly.
    let filled = (p.max_hole_size > 0).then(|| {
        let mut mask: Vec<u8> = (0..foreground.len()).map(|i| above(i) as u8).collect();
        fill_holes(&mut mask, shape, per_slice, p.max_hole_size);
        mask
    });
    let in_mask = |i: usize| match &filled {
        Some(mask) => mask[i] != 0,
        None => above(i),
    };
    let mut labels = match distance {
        Some(distance) => {
            shape::voxels(distance.len(), shape, "distance");
            let (mut seeds, _) = label_where(shape, per_slice, |i| seed(i) && distance[i] >= p.seed_distance);
            remove_small(&mut seeds, p.min_seed_size);
            let relief = |i: usize| contour[i] + DISTANCE_WEIGHT * (1.0 - distance[i]);
            flood(&mut seeds, shape, per_slice, relief, in_mask);
            seeds
        }
        None => {
            let (mut seeds, _) = label_where(shape, per_slice, seed);
            remove_small(&mut seeds, p.min_seed_size);
            flood(&mut seeds, shape, per_slice, |i| contour[i], in_mask);
            seeds
        }
    };
    remove_small(&mut labels, p.min_size);
    relabel_consecutive(&mut labels);
    labels
}

#[cfg(test)]
mod tests {
    use super::super::components::connected_components;
    use super::super::fixtures::{best_iou, Scene};
    use super::*;

    /// Radius 12, centres 22 px apart: the discs overlap by 2 px.
    fn two_discs(depth: usize) -> Scene {
        Scene::balls([depth, 48, 68], &[[0.0, 24.0, 23.0], [0.0, 24.0, 45.0]], 12.0, 2, true)
    }

    fn ids(labels: &[u32]) -> Vec<u32> {
        let mut ids: Vec<u32> = labels.iter().copied().filter(|&l| l != 0).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    #[test]
    fn touching_discs_are_separated() {
        let scene = two_discs(1);
        let params = InstanceParams::default();
        let fg_mask: Vec<u8> = scene.foreground.iter().map(|&f| (f >= 0.5) as u8).collect();
        let (_, merged) = connected_components(&fg_mask, scene.shape, true);
        assert_eq!(merged, 1, "the discs touch: foreground alone is one object");

        for distance in [Some(&scene.distance[..]), None] {
            let labels = segment_instances(&scene.foreground, &scene.contour, distance, scene.shape, true, &params);
            assert_eq!(ids(&labels), vec![1, 2], "with distance: {}", distance.is_some());
            for ball in 0..2 {
                let iou = best_iou(&labels, &scene.ball_mask(ball));
                assert!(iou > 0.9, "disc {ball}: IoU {iou} (with distance: {})", distance.is_some());
            }
            // Every foreground pixel is claimed by one of the two.
            assert!(labels.iter().zip(&fg_mask).all(|(&l, &f)| (l != 0) == (f != 0)));
        }
    }

    #[test]
    fn touching_spheres_are_separated_in_3d() {
        let scene = Scene::balls([24, 24, 44], &[[12.0, 12.0, 13.0], [12.0, 12.0, 29.0]], 9.0, 1, false);
        let params = InstanceParams::default();
        let labels = segment_instances(&scene.foreground, &scene.contour, None, scene.shape, false, &params);
        assert_eq!(ids(&labels), vec![1, 2]);
        for ball in 0..2 {
            let iou = best_iou(&labels, &scene.ball_mask(ball));
            assert!(iou > 0.9, "sphere {ball}: IoU {iou}");
        }
    }

    #[test]
    fn per_slice_ids_are_unique_across_the_stack() {
        let scene = two_discs(3);
        let params = InstanceParams::default();
        let labels =
            segment_instances(&scene.foreground, &scene.contour, Some(&scene.distance), scene.shape, true, &params);
        let plane = scene.shape[1] * scene.shape[2];
        let per_slice: Vec<Vec<u32>> = labels.chunks(plane).map(ids).collect();
        assert_eq!(per_slice, vec![vec![1, 2], vec![3, 4], vec![5, 6]]);
        // In 3-D the same stack is two columns.
        let labels =
            segment_instances(&scene.foreground, &scene.contour, Some(&scene.distance), scene.shape, false, &params);
        assert_eq!(ids(&labels), vec![1, 2]);
    }

    #[test]
    fn small_objects_are_removed_and_ids_stay_consecutive() {
        // A 4x4 blob (16 px, clear seed) before a disc of radius 8 (~200 px) in scan order.
        let mut scene = Scene::balls([1, 32, 40], &[[0.0, 18.0, 24.0]], 8.0, 2, true);
        for y in 2..6 {
            for x in 2..6 {
                scene.foreground[y * 40 + x] = 1.0;
            }
        }
        let params = InstanceParams { min_seed_size: 1, min_size: 20, ..InstanceParams::default() };
        let labels = segment_instances(&scene.foreground, &scene.contour, None, scene.shape, true, &params);
        assert_eq!(ids(&labels), vec![1]);
        assert_eq!(labels[3 * 40 + 3], 0);
        assert!(best_iou(&labels, &scene.ball_mask(0)) > 0.9);
        // Kept when the minimum is lower: then it comes first in scan order.
        let params = InstanceParams { min_size: 10, ..params };
        let labels = segment_instances(&scene.foreground, &scene.contour, None, scene.shape, true, &params);
        assert_eq!(ids(&labels), vec![1, 2]);
        assert_eq!(labels[3 * 40 + 3], 1);
    }

    #[test]
    fn holes_up_to_max_hole_size_are_flooded_by_the_object_around_them() {
        // A disc of radius 12 whose core (radius 4, ~50 px) the network calls background,
        // with a contour drawn around it: a ring. Its seed is the ring.
        let scene = Scene::balls([1, 32, 32], &[[0.0, 16.0, 16.0]], 12.0, 2, true);
        let (mut foreground, mut contour) = (scene.foreground.clone(), scene.contour.clone());
        for i in 0..foreground.len() {
            let (dy, dx) = ((i / 32) as f32 - 16.0, (i % 32) as f32 - 16.0);
            let r = (dy * dy + dx * dx).sqrt();
            if r <= 4.0 {
                foreground[i] = 0.0;
            } else if r <= 6.0 {
                contour[i] = 1.0;
            }
        }
        let disc = scene.ball_mask(0);
        let ring = InstanceParams { min_seed_size: 1, min_size: 1, ..InstanceParams::default() };
        let labels = segment_instances(&foreground, &contour, None, scene.shape, true, &ring);
        assert_eq!(ids(&labels), vec![1]);
        let with_hole = best_iou(&labels, &disc);
        assert!(with_hole < 0.93, "the core is missing: IoU {with_hole}");
        let filled = InstanceParams { max_hole_size: 60, ..ring.clone() };
        let labels = segment_instances(&foreground, &contour, None, scene.shape, true, &filled);
        assert_eq!(ids(&labels), vec![1]);
        let whole = best_iou(&labels, &disc);
        assert!(whole > with_hole + 0.05 && whole > 0.95, "{with_hole} -> {whole}");
        // A hole larger than the limit stays.
        let small = InstanceParams { max_hole_size: 20, ..ring };
        let labels = segment_instances(&foreground, &contour, None, scene.shape, true, &small);
        assert_eq!(best_iou(&labels, &disc), with_hole);
    }

    #[test]
    fn small_seeds_are_dropped() {
        let scene = two_discs(1);
        let huge = InstanceParams { min_seed_size: 10_000, ..InstanceParams::default() };
        let labels = segment_instances(&scene.foreground, &scene.contour, None, scene.shape, true, &huge);
        assert!(labels.iter().all(|&l| l == 0));
    }

    #[test]
    fn size_limits_follow_the_training_objects() {
        // 100 objects of 1000..=1990 voxels: the 10th percentile is 1090.
        let sizes: Vec<u64> = (0..100).map(|i| 1000 + 10 * i).collect();
        let params = InstanceParams::for_object_sizes(&sizes);
        assert_eq!((params.min_size, params.min_seed_size), (273, 109));
        assert_eq!(params.seed_contour, InstanceParams::default().seed_contour);
        // Tiny objects never give a limit of 0; no objects: the defaults.
        assert_eq!(InstanceParams::for_object_sizes(&[2, 2, 3]).min_seed_size, 1);
        assert_eq!(InstanceParams::for_object_sizes(&[]), InstanceParams::default());
    }

    #[test]
    fn params_default_and_round_trip() {
        let params: InstanceParams = serde_json::from_str(r#"{"min_size": 100}"#).unwrap();
        assert_eq!(params, InstanceParams { min_size: 100, ..InstanceParams::default() });
        let json = serde_json::to_string(&params).unwrap();
        assert_eq!(serde_json::from_str::<InstanceParams>(&json).unwrap(), params);
    }

    #[test]
    fn a_megapixel_slice_is_fast() {
        // 1024 x 1024 of touching discs on a 32-px grid (radius 17: neighbours overlap).
        let (height, width, cell) = (1024usize, 1024usize, 32usize);
        let (mut foreground, mut contour) = (vec![0f32; height * width], vec![0f32; height * width]);
        for y in 0..height {
            for x in 0..width {
                let (dy, dx) = ((y % cell) as f32 - 15.5, (x % cell) as f32 - 15.5);
                let r = (dy * dy + dx * dx).sqrt();
                let edge = dy.abs().max(dx.abs()); // cell border: where neighbours touch
                foreground[y * width + x] = (r <= 17.0) as u8 as f32;
                contour[y * width + x] = (r > 17.0 - 2.0 || edge > 15.5 - 2.0) as u8 as f32;
            }
        }
        let params = InstanceParams::default();
        let start = std::time::Instant::now();
        let labels = segment_instances(&foreground, &contour, None, [1, height, width], true, &params);
        let elapsed = start.elapsed();
        assert_eq!(ids(&labels).len(), (height / cell) * (width / cell));
        let limit = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
        assert!(elapsed.as_secs_f64() < limit, "1024x1024 instances took {elapsed:?}");
    }
}
