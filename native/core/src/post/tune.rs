//! Post-processing tuned on labelled data the model did not train on (its validation block):
//! the network's probabilities are computed once, then the thresholds and size limits are
//! searched for the values that score best, the idea of StarDist's `optimize_thresholds`.
//! Instance models maximise AP@0.5 (ties broken by foreground IoU), or for densely labelled
//! truth (neuropil, where objects tile the volume) minimise the adapted Rand error; binary
//! semantic models maximise the foreground IoU. Defaults cannot know how confident a particular network is or how large its
//! objects are; a few hundred cheap post-processing runs on held-out labels can.
//!
//! The search is coordinate ascent over a grid per parameter, starting from the current
//! values, for a few rounds: the parameters interact only mildly (seeds, mask, sizes), and a
//! full grid over seven parameters would cost thousands of watershed runs.
use super::edge::EdgeObjects;
use super::{segment_instances, threshold, InstanceParams};
use crate::metrics::{binary_scores, instance_scores};
use serde::{Deserialize, Serialize};

/// Rounds of coordinate ascent (a third one changed nothing on the chloroplast block).
const ROUNDS: usize = 2;
const PROBABILITIES: [f32; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/// Size limits are searched as multiples of the starting value.
const SIZE_FACTORS: [f64; 7] = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// Labelled truth covering at least this share of the voxels is dense: objects tile the volume
/// (neurons in neuropil), so the question is where one ends and the next begins, and AP@0.5
/// counts fragments at the block's edges as much as whole objects. Then the adapted Rand error,
/// the score such data is judged by, is tuned. (flyem_medulla: AP tuning chose seeds that merged
/// neighbours, BENCHMARKS.md.)
pub const DENSE_SHARE: f64 = 0.75;

/// What an instance tuning optimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceMetric {
    /// AP at IoU 0.5 (separate objects on background).
    Ap50,
    /// 1 - adapted Rand error (dense labels).
    AdaptedRand,
}

impl InstanceMetric {
    /// AdaptedRand for dense truth (see DENSE_SHARE), else Ap50.
    pub fn for_truth(truth: &[u32]) -> InstanceMetric {
        let labelled = truth.iter().filter(|&&t| t != 0).count();
        if labelled as f64 >= DENSE_SHARE * truth.len().max(1) as f64 { InstanceMetric::AdaptedRand } else { InstanceMetric::Ap50 }
    }

    /// How reports name it.
    pub fn name(self) -> &'static str {
        match self {
            InstanceMetric::Ap50 => "AP@0.5",
            InstanceMetric::AdaptedRand => "adapted Rand error",
        }
    }

    /// The reported value of a tuning score (the error itself for the adapted Rand error).
    pub fn reported(self, score: f64) -> f64 {
        match self {
            InstanceMetric::Ap50 => score,
            InstanceMetric::AdaptedRand => 1.0 - score,
        }
    }
}

/// A score to maximise: the primary one, then a tie-break.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TuneScore {
    /// AP@0.5 or 1 - adapted Rand error (instance, see InstanceMetric) or foreground IoU (binary semantic).
    pub score: f64,
    /// Foreground IoU (instance); equal to `score` for binary semantic models.
    pub foreground_iou: f64,
}

impl TuneScore {
    fn beats(&self, other: &TuneScore) -> bool {
        const EPS: f64 = 1e-9;
        self.score > other.score + EPS || (self.score > other.score - EPS && self.foreground_iou > other.foreground_iou + EPS)
    }
}

/// What a tuning found.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuned<P> {
    pub params: P,
    pub before: TuneScore,
    pub after: TuneScore,
    /// Post-processing runs tried.
    pub evaluations: usize,
    /// AP@0.5 tuning: truth objects cut by the block's y/x edges, left out of the score (see
    /// `EdgeObjects`), and truth objects in all; None when none was left out.
    pub cut_objects: Option<(usize, usize)>,
}

/// Instance decoding tuned against `truth` (ids, 0 = background) from the maps of one stack of
/// `shape`: foreground, contour and optionally distance, each row-major.
#[allow(clippy::too_many_arguments)]
pub fn tune_instance(
    foreground: &[f32],
    contour: &[f32],
    distance: Option<&[f32]>,
    truth: &[u32],
    shape: [usize; 3],
    per_slice: bool,
    start: &InstanceParams,
    metric: InstanceMetric,
) -> Tuned<InstanceParams> {
    let truth_mask: Vec<u8> = truth.iter().map(|&t| (t != 0) as u8).collect();
    // Dense truth tiles the block: every object there reaches an edge, and the Rand error
    // weighs slivers by their few voxels anyway.
    let edge = match metric {
        InstanceMetric::Ap50 => EdgeObjects::find(truth, shape, per_slice),
        InstanceMetric::AdaptedRand => None,
    };
    let mut evaluations = 0;
    let mut score = |p: &InstanceParams| {
        evaluations += 1;
        let labels = segment_instances(foreground, contour, distance, shape, per_slice, p);
        let mask: Vec<u8> = labels.iter().map(|&l| (l != 0) as u8).collect();
        let iou = binary_scores(&truth_mask, &mask).iou[1].unwrap_or(0.0);
        let scores = match &edge {
            Some(edge) => instance_scores(&edge.truth_inside, &edge.prediction_inside(truth, &labels, shape), shape, per_slice),
            None => instance_scores(truth, &labels, shape, per_slice),
        };
        let score = match metric {
            InstanceMetric::Ap50 => scores.ap50,
            InstanceMetric::AdaptedRand => 1.0 - scores.arand,
        };
        TuneScore { score, foreground_iou: iou }
    };
    let before = score(start);
    let (mut best, mut best_score) = (start.clone(), before);
    let grids = instance_grids(distance.is_some());
    for _ in 0..ROUNDS {
        let mut changed = false;
        // One parameter at a time, each grid built around the best values so far.
        for grid in &grids {
            for candidate in grid(&best) {
                if candidate == best {
                    continue;
                }
                let s = score(&candidate);
                if s.beats(&best_score) {
                    (best, best_score, changed) = (candidate, s, true);
                }
            }
        }
        if !changed {
            break;
        }
    }
    let cut_objects = edge.map(|e| (e.cut_count(), e.objects));
    Tuned { params: best, before, after: best_score, evaluations, cut_objects }
}

/// The candidates for one parameter around the current values.
type Grid = fn(&InstanceParams) -> Vec<InstanceParams>;

/// `p` with one parameter set to each of `values` in turn.
fn varied<T: Copy>(p: &InstanceParams, values: impl IntoIterator<Item = T>, set: fn(&mut InstanceParams, T)) -> Vec<InstanceParams> {
    values.into_iter().map(|v| {
        let mut q = p.clone();
        set(&mut q, v);
        q
    }).collect()
}

/// Size limits as multiples of the current value.
fn sizes(v: usize) -> Vec<usize> {
    SIZE_FACTORS.iter().map(|f| (v.max(1) as f64 * f).round() as usize).collect()
}

/// Hole sizes around the current one; from none (0), around four times `min_size` (the size of
/// the smallest common object, see `InstanceParams::for_object_sizes`): up to 32 times it.
fn hole_sizes(p: &InstanceParams) -> Vec<usize> {
    sizes(if p.max_hole_size > 0 { p.max_hole_size } else { 4 * p.min_size })
}

/// The grids searched, in order; seed_distance only for models with a distance channel.
fn instance_grids(distance: bool) -> Vec<Grid> {
    let mut grids: Vec<Grid> = vec![
        |p| varied(p, PROBABILITIES, |q, v| q.foreground_threshold = v),
        |p| varied(p, hole_sizes(p), |q, v| q.max_hole_size = v),
        |p| varied(p, PROBABILITIES, |q, v| q.seed_foreground = v),
        |p| varied(p, PROBABILITIES, |q, v| q.seed_contour = v),
        |p| varied(p, sizes(p.min_seed_size), |q, v| q.min_seed_size = v),
        |p| varied(p, sizes(p.min_size), |q, v| q.min_size = v),
    ];
    if distance {
        grids.insert(4, |p| varied(p, PROBABILITIES, |q, v| q.seed_distance = v));
    }
    grids
}

/// The foreground threshold of a binary model tuned against `truth` (non-zero = foreground).
pub fn tune_threshold(probability: &[f32], truth: &[u8], start: f32) -> Tuned<f32> {
    let mut evaluations = 0;
    let mut score = |t: f32| {
        evaluations += 1;
        let iou = binary_scores(truth, &threshold(probability, t)).iou[1].unwrap_or(0.0);
        TuneScore { score: iou, foreground_iou: iou }
    };
    let before = score(start);
    let (mut best, mut best_score) = (start, before);
    for t in (1..20).map(|k| k as f32 * 0.05) {
        let s = score(t);
        if s.beats(&best_score) {
            (best, best_score) = (t, s);
        }
    }
    Tuned { params: best, before, after: best_score, evaluations, cut_objects: None }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::Scene;
    use super::*;

    #[test]
    fn the_tuner_finds_the_seed_contour_that_separates_and_the_size_that_drops_noise() {
        // Two touching discs whose shared line the network marks only faintly (0.25): with the
        // default seed_contour 0.3 the seeds run across it and the discs merge.
        let mut scene = Scene::balls([1, 48, 68], &[[0.0, 24.0, 23.0], [0.0, 24.0, 45.0]], 12.0, 1, true);
        let width = 68;
        for i in 0..scene.truth.len() {
            let x = i % width;
            if scene.contour[i] > 0.0 && (33..=35).contains(&x) {
                scene.contour[i] = 0.25;
            }
        }
        // Three 4x4 blobs of confident foreground where the truth has nothing: noise of 16 px.
        for (y0, x0) in [(2, 2), (2, 60), (42, 30)] {
            for y in y0..y0 + 4 {
                for x in x0..x0 + 4 {
                    scene.foreground[y * width + x] = 1.0;
                }
            }
        }
        let start = InstanceParams { min_seed_size: 4, min_size: 8, ..InstanceParams::default() };
        let merged = segment_instances(&scene.foreground, &scene.contour, None, scene.shape, true, &start);
        assert_eq!(merged.iter().max(), Some(&4), "the discs merge and the blobs are objects");

        let tuned = tune_instance(&scene.foreground, &scene.contour, None, &scene.truth, scene.shape, true, &start, InstanceMetric::Ap50);
        assert!(tuned.before.score < 0.5, "{:?}", tuned.before);
        assert_eq!(tuned.after.score, 1.0, "{:?}", tuned);
        assert!(tuned.params.seed_contour < 0.25, "{:?}", tuned.params);
        // The 16-px blobs go when either limit passes them (a blob without a seed is not
        // flooded); the discs (~450 px, seeds ~100 px) must stay.
        let p = &tuned.params;
        assert!(p.min_seed_size > 16 || p.min_size > 16, "{p:?}");
        assert!(p.min_seed_size < 100 && p.min_size < 400, "{p:?}");
        assert!(tuned.evaluations < 200, "{}", tuned.evaluations);
    }

    #[test]
    fn the_tuner_fills_the_holes_the_network_leaves_and_scores_without_the_cut_object() {
        // Two discs (radius 12, ~450 px) whose cores (radius 5, ~80 px) the network calls
        // background inside a contour, and a third disc cut in half by the right edge.
        let width = 100;
        let mut scene = Scene::balls([1, 40, width], &[[0.0, 20.0, 22.0], [0.0, 20.0, 60.0], [0.0, 20.0, 99.0]], 12.0, 2, true);
        for i in 0..scene.truth.len() {
            let (y, x) = ((i / width) as f32, (i % width) as f32);
            for cx in [22.0, 60.0] {
                let r = ((y - 20.0).powi(2) + (x - cx).powi(2)).sqrt();
                if r <= 5.0 {
                    scene.foreground[i] = 0.0;
                } else if r <= 7.0 {
                    scene.contour[i] = 1.0;
                }
            }
        }
        let start = InstanceParams { min_seed_size: 4, min_size: 8, ..InstanceParams::default() };
        let tuned = tune_instance(&scene.foreground, &scene.contour, None, &scene.truth, scene.shape, true, &start, InstanceMetric::Ap50);
        assert_eq!(tuned.cut_objects, Some((1, 3)));
        assert_eq!(tuned.after.score, 1.0, "{tuned:?}");
        let p = &tuned.params;
        assert!((80..1000).contains(&p.max_hole_size), "the cores are ~80 px: {p:?}");
        assert!(tuned.after.foreground_iou > tuned.before.foreground_iou + 0.1, "{tuned:?}");
    }

    #[test]
    fn tuning_keeps_good_values_when_nothing_is_better() {
        let scene = Scene::balls([1, 48, 68], &[[0.0, 24.0, 23.0], [0.0, 24.0, 45.0]], 12.0, 2, true);
        let start = InstanceParams::default();
        let tuned = tune_instance(&scene.foreground, &scene.contour, Some(&scene.distance), &scene.truth, scene.shape, true, &start, InstanceMetric::Ap50);
        assert_eq!(tuned.before.score, 1.0);
        assert_eq!(tuned.params, start, "ties keep the starting values");
    }

    #[test]
    fn dense_truth_is_tuned_for_the_adapted_rand_error_and_separates_neighbours() {
        // Four 20-px stripes that tile the slice (dense, like neurons in neuropil); the network
        // marks every border clearly (0.9) but the one between stripes 2 and 3 only faintly.
        let (h, w) = (40, 80);
        let truth: Vec<u32> = (0..h * w).map(|i| (i % w / 20) as u32 + 1).collect();
        let contour: Vec<f32> = (0..h * w)
            .map(|i| match i % w {
                19 | 20 | 59 | 60 => 0.9,
                39 | 40 => 0.25,
                _ => 0.05,
            })
            .collect();
        let foreground = vec![0.95f32; h * w];
        assert_eq!(InstanceMetric::for_truth(&truth), InstanceMetric::AdaptedRand);
        let sparse: Vec<u32> = truth.iter().enumerate().map(|(i, &t)| if i % w < 40 { t } else { 0 }).collect();
        assert_eq!(InstanceMetric::for_truth(&sparse), InstanceMetric::Ap50, "half labelled is not dense");

        let start = InstanceParams { min_seed_size: 4, min_size: 8, ..InstanceParams::default() };
        let tuned = tune_instance(&foreground, &contour, None, &truth, [1, h, w], true, &start, InstanceMetric::AdaptedRand);
        let error = |s: &TuneScore| InstanceMetric::AdaptedRand.reported(s.score);
        assert!(error(&tuned.before) > 0.15, "stripes 2 and 3 merge at first: {:?}", tuned.before);
        assert!(error(&tuned.after) < 0.05, "{tuned:?}");
        assert!(tuned.params.seed_contour < 0.25, "{:?}", tuned.params);
    }

    #[test]
    fn the_threshold_between_background_and_foreground_confidence_is_found() {
        // Foreground at 0.7; a patch of background the network finds fairly likely, 0.55.
        let truth: Vec<u8> = (0..400).map(|i| (i % 20 < 8) as u8).collect();
        let probability: Vec<f32> = (0..400).map(|i| if i % 20 < 8 { 0.7 } else if i < 100 { 0.55 } else { 0.1 }).collect();
        let tuned = tune_threshold(&probability, &truth, 0.5);
        assert!(tuned.before.score < 0.9);
        assert_eq!(tuned.after.score, 1.0);
        assert!(tuned.params > 0.55 && tuned.params <= 0.7, "{}", tuned.params);
    }
}
