//! Objects cut by the edge of a block. A validation block is a slab of the stack; an object
//! it cuts shows only a sliver, which the network rightly calls foreground but which neither
//! looks nor scores like the object. Tuning AP@0.5 on such slivers rewards small seeds that
//! match slivers, and over-splits the whole objects auto-label later sees (chloroplast,
//! BENCHMARKS.md). So instance tuning scores the objects inside the block: truth objects
//! touching its y/x edges are left out, and so are the predicted objects that belong to them.
use std::collections::{HashMap, HashSet};

/// An object of one slice (per-slice scoring) or of the block: (slice or 0, id).
type Key = (usize, u32);

/// The truth objects touching the block's y/x edges (not its first and last slice: in 3-D
/// nearly every object of a thin block touches those).
pub(super) struct EdgeObjects {
    per_slice: bool,
    width: usize,
    height: usize,
    cut: HashSet<Key>,
    /// Truth objects in all.
    pub objects: usize,
    /// `truth` with the cut objects set to 0.
    pub truth_inside: Vec<u32>,
}

impl EdgeObjects {
    /// None when no object is cut, or when every one is (then there is nothing to score
    /// without them: the whole block is scored).
    pub(super) fn find(truth: &[u32], shape: [usize; 3], per_slice: bool) -> Option<EdgeObjects> {
        let [_, height, width] = shape;
        let mut all = HashSet::new();
        let mut cut = HashSet::new();
        for (i, &t) in truth.iter().enumerate() {
            if t != 0 {
                let key = key(i, t, shape, per_slice);
                all.insert(key);
                if on_edge(i, height, width) {
                    cut.insert(key);
                }
            }
        }
        if cut.is_empty() || cut.len() == all.len() {
            return None;
        }
        let truth_inside = truth.iter().enumerate().map(|(i, &t)| if cut.contains(&key(i, t, shape, per_slice)) { 0 } else { t }).collect();
        Some(EdgeObjects { per_slice, width, height, cut, objects: all.len(), truth_inside })
    }

    /// Truth objects left out.
    pub(super) fn cut_count(&self) -> usize {
        self.cut.len()
    }

    /// `prediction` without the objects that belong to a cut truth object: those whose
    /// largest overlap with a truth object is with a cut one, and those that overlap no truth
    /// object and touch the edge themselves (they may be of an object the labels cut off).
    pub(super) fn prediction_inside(&self, truth: &[u32], prediction: &[u32], shape: [usize; 3]) -> Vec<u32> {
        // Per predicted object: voxels shared with each truth object, and whether it touches the edge.
        let mut overlaps: HashMap<Key, HashMap<u32, usize>> = HashMap::new();
        let mut touching: HashSet<Key> = HashSet::new();
        for (i, (&p, &t)) in prediction.iter().zip(truth).enumerate() {
            if p != 0 {
                let key = key(i, p, shape, self.per_slice);
                *overlaps.entry(key).or_default().entry(t).or_default() += 1;
                if on_edge(i, self.height, self.width) {
                    touching.insert(key);
                }
            }
        }
        let dropped: HashSet<Key> = overlaps
            .into_iter()
            .filter(|(key, shared)| {
                let best = shared.iter().filter(|(&t, _)| t != 0).max_by_key(|(&t, &n)| (n, std::cmp::Reverse(t)));
                match best {
                    Some((&t, _)) => self.cut.contains(&(key.0, t)),
                    None => touching.contains(key),
                }
            })
            .map(|(key, _)| key)
            .collect();
        prediction.iter().enumerate().map(|(i, &p)| if p != 0 && dropped.contains(&key(i, p, shape, self.per_slice)) { 0 } else { p }).collect()
    }
}

fn key(i: usize, id: u32, shape: [usize; 3], per_slice: bool) -> Key {
    (if per_slice { i / (shape[1] * shape[2]) } else { 0 }, id)
}

fn on_edge(i: usize, height: usize, width: usize) -> bool {
    let (y, x) = (i / width % height, i % width);
    y == 0 || x == 0 || y + 1 == height || x + 1 == width
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One 6x10 slice: truth object 1 inside, 2 at the left edge, 3 at the right edge.
    fn truth() -> Vec<u32> {
        let mut t = vec![0u32; 60];
        for y in 2..4 {
            t[y * 10 + 4] = 1;
            t[y * 10 + 5] = 1;
            t[y * 10] = 2;
            t[y * 10 + 9] = 3;
        }
        t
    }

    #[test]
    fn cut_truth_objects_and_their_predictions_are_left_out() {
        let shape = [1, 6, 10];
        let truth = truth();
        let edge = EdgeObjects::find(&truth, shape, true).unwrap();
        assert_eq!((edge.cut_count(), edge.objects), (2, 3));
        assert_eq!(edge.truth_inside.iter().filter(|&&t| t != 0).count(), 4, "only object 1 stays");

        let mut prediction = vec![0u32; 60];
        for y in 2..4 {
            prediction[y * 10 + 4] = 7; // object 1, split in two: both pieces stay
            prediction[y * 10 + 5] = 8;
            prediction[y * 10 + 1] = 9; // beside object 2, not on it: inside, no truth
        }
        prediction[0] = 5; // a false object in the corner: touches the edge, no truth
        prediction[2 * 10 + 9] = 6; // on object 3
        prediction[2 * 10 + 8] = 6;
        prediction[3 * 10] = 4; // on object 2
        let inside = edge.prediction_inside(&truth, &prediction, shape);
        let mut kept: Vec<u32> = inside.iter().copied().filter(|&p| p != 0).collect();
        kept.sort_unstable();
        kept.dedup();
        assert_eq!(kept, vec![7, 8, 9]);
    }

    #[test]
    fn a_prediction_merging_an_inner_object_with_a_cut_one_counts_for_the_larger_overlap() {
        let shape = [1, 6, 10];
        let truth = truth();
        let edge = EdgeObjects::find(&truth, shape, true).unwrap();
        // Object 1 (4 px) and the right-edge object 3 (2 px) in one prediction: it belongs to 1
        // and stays, so the merge is scored.
        let prediction: Vec<u32> = truth.iter().map(|&t| (t == 1 || t == 3) as u32).collect();
        assert_eq!(edge.prediction_inside(&truth, &prediction, shape).iter().filter(|&&p| p != 0).count(), 6);
    }

    #[test]
    fn nothing_is_left_out_when_no_object_or_every_object_is_cut() {
        let shape = [1, 6, 10];
        let inner: Vec<u32> = truth().iter().map(|&t| (t == 1) as u32).collect();
        assert!(EdgeObjects::find(&inner, shape, true).is_none());
        let cut: Vec<u32> = truth().iter().map(|&t| if t == 1 { 0 } else { t }).collect();
        assert!(EdgeObjects::find(&cut, shape, true).is_none());
    }

    #[test]
    fn per_slice_an_object_is_cut_only_in_the_slices_where_it_touches_the_edge() {
        // Object 1 in two slices: at the edge in the first, inside in the second.
        let shape = [2, 6, 10];
        let mut truth = vec![0u32; 120];
        truth[10] = 1;
        truth[60 + 2 * 10 + 4] = 1;
        truth[60 + 4 * 10 + 4] = 2;
        let edge = EdgeObjects::find(&truth, shape, true).unwrap();
        assert_eq!((edge.cut_count(), edge.objects), (1, 3));
        // In 3-D it is one object, cut.
        let edge = EdgeObjects::find(&truth, shape, false).unwrap();
        assert_eq!((edge.cut_count(), edge.objects), (1, 2));
    }
}
