//! Linking the objects of consecutive sections into 3-D objects by overlap.
//!
//! A 2-D instance model labels serial sections one at a time, so one object cut by several
//! sections (a chloroplast, a mitochondrion) gets a different id in each. Linking gives it one
//! id through the stack, like Cellpose's `stitch_threshold`, but streaming (prediction hands
//! over slices in chunks) and with O(plane) memory whatever the ids are.

use std::collections::{HashMap, HashSet};

/// Voxel counts of one slice: per current id, per previous id, and per overlapping pair.
#[derive(Default)]
struct Overlaps {
    current: HashMap<u32, usize>,
    previous: HashMap<u32, usize>,
    pairs: HashMap<(u32, u32), usize>,
}

/// A candidate link from a current object to a previous one.
struct Candidate {
    current: u32,
    previous: u32,
    iou: f64,
}

/// Links the objects of consecutive sections of a stack into 3-D objects.
///
/// Each section comes from a 2-D model that numbers its objects on its own; an object of
/// section z takes the output id of the object of section z - 1 it overlaps best, so that an
/// object cut by several sections keeps one id through them.
///
/// Rules, chosen so that the output depends only on the stack (not on how it is chunked nor
/// on the input id values):
/// - Overlap is measured by IoU = overlap / (area_current + area_previous - overlap), in
///   voxels, between an object of the current section and one of the previous section.
/// - Matching is one-to-one, so ids stay unique within a section: pairs are taken greedily by
///   IoU descending (ties: smaller current input id, then smaller previous output id) when the
///   IoU (rounded to `f32`, the precision of `min_iou`) is at least `min_iou` and neither
///   object is taken yet. When an object splits in two,
///   the part with the better IoU keeps the id and the other gets a new one; when two merge,
///   the merged object takes the id of its better match and the other id ends. (Cellpose lets
///   every object take its best match, which can give two objects of a section one id.)
/// - Unmatched objects get new ids, `last_id() + 1, ...`, in order of first appearance in scan
///   order within their section; all objects of the first section are new, from
///   `first_id + 1`.
/// - Only consecutive sections are linked: an object missing from one section and back in
///   the next gets a new id.
///
/// Memory: the previous section's output ids (one `u32` per pixel) plus hash maps with at most
/// one entry per run of equal (current, previous) pairs; nothing is sized by the id values,
/// which may be any `u32`.
pub struct SectionLinker {
    min_iou: f32,
    plane: usize,
    /// Output ids of the previous section; all 0 before the first, so that nothing links.
    previous: Vec<u32>,
    last_id: u32,
}

impl SectionLinker {
    /// A linker for sections of `plane` = height * width pixels that links pairs with an IoU of
    /// at least `min_iou`, in (0, 1]; ids given start after `first_id` (0 normally; larger to
    /// continue the numbering of another stack).
    ///
    /// # Panics
    /// If `min_iou` is not in (0, 1] or `plane` is 0.
    pub fn new(min_iou: f32, plane: usize, first_id: u32) -> Self {
        assert!(min_iou > 0.0 && min_iou <= 1.0, "min_iou must be in (0, 1], got {min_iou}");
        assert!(plane > 0, "a section must have at least one pixel");
        SectionLinker { min_iou, plane, previous: vec![0; plane], last_id: first_id }
    }

    /// Links `slices`, one or more whole sections (row-major, following the sections linked so
    /// far), in place: the input ids, unique within each section (0 = background, any other
    /// `u32`, not necessarily consecutive), are rewritten to the linked output ids.
    ///
    /// # Panics
    /// If `slices.len()` is not a multiple of the plane, or the output ids run past `u32::MAX`.
    pub fn link(&mut self, slices: &mut [u32]) {
        assert!(
            slices.len().is_multiple_of(self.plane),
            "{} values are not whole sections of {} pixels",
            slices.len(),
            self.plane
        );
        for slice in slices.chunks_exact_mut(self.plane) {
            self.link_section(slice);
        }
    }

    /// The largest id given so far (`first_id` before any).
    pub fn last_id(&self) -> u32 {
        self.last_id
    }

    fn link_section(&mut self, slice: &mut [u32]) {
        let overlaps = count_overlaps(slice, &self.previous);
        let mut ids = self.match_pairs(&overlaps);
        self.relabel(slice, &mut ids);
        self.previous.copy_from_slice(slice);
    }

    /// Greedy one-to-one matching: current input id -> previous output id.
    fn match_pairs(&self, overlaps: &Overlaps) -> HashMap<u32, u32> {
        let mut candidates: Vec<Candidate> = overlaps
            .pairs
            .iter()
            .map(|(&(current, previous), &overlap)| {
                let union = overlaps.current[&current] + overlaps.previous[&previous] - overlap;
                // Integer counts below 2^53 are exact in f64 and division rounds correctly, so
                // equal ratios compare equal and the tie-break below applies.
                Candidate { current, previous, iou: overlap as f64 / union as f64 }
            })
            // Compared at the threshold's precision, so that 0.3 takes an IoU of exactly 3/10
            // (0.3 in f32 is above 3/10 in f64).
            .filter(|c| c.iou as f32 >= self.min_iou)
            .collect();
        candidates.sort_unstable_by(|a, b| {
            b.iou.total_cmp(&a.iou).then(a.current.cmp(&b.current)).then(a.previous.cmp(&b.previous))
        });
        let mut ids = HashMap::new();
        let mut taken = HashSet::new();
        for c in candidates {
            if !ids.contains_key(&c.current) && taken.insert(c.previous) {
                ids.insert(c.current, c.previous);
            }
        }
        ids
    }

    /// Rewrites the input ids of `slice` to output ids: matched ones from `ids`, the others new
    /// in order of first appearance.
    fn relabel(&mut self, slice: &mut [u32], ids: &mut HashMap<u32, u32>) {
        let last_id = &mut self.last_id;
        // Objects are runs of pixels along rows: look up once per run, not once per pixel.
        for run in slice.chunk_by_mut(|a, b| a == b).filter(|run| run[0] != 0) {
            let id = *ids.entry(run[0]).or_insert_with(|| {
                *last_id = last_id.checked_add(1).expect("SectionLinker ran out of u32 ids");
                *last_id
            });
            run.fill(id);
        }
    }
}

/// Areas of the objects of `current` (input ids) and `previous` (output ids), and the overlap
/// of every pair of objects that overlap, in one walk over the pixels.
fn count_overlaps(current: &[u32], previous: &[u32]) -> Overlaps {
    let mut overlaps = Overlaps::default();
    let mut add = |pair: (u32, u32), len: usize| {
        if pair.0 != 0 {
            *overlaps.current.entry(pair.0).or_default() += len;
        }
        if pair.1 != 0 {
            *overlaps.previous.entry(pair.1).or_default() += len;
        }
        if pair.0 != 0 && pair.1 != 0 {
            *overlaps.pairs.entry(pair).or_default() += len;
        }
    };
    // Count runs of equal pairs, so that the maps are touched once per run, not per pixel.
    let mut pairs = current.iter().copied().zip(previous.iter().copied());
    if let Some(mut run) = pairs.next() {
        let mut len = 1;
        for pair in pairs {
            if pair == run {
                len += 1;
            } else {
                add(run, len);
                (run, len) = (pair, 1);
            }
        }
        add(run, len);
    }
    overlaps
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEIGHT: usize = 16;
    const WIDTH: usize = 20;
    const PLANE: usize = HEIGHT * WIDTH;

    /// Paints `id` into the pixels of `slice` (HEIGHT x WIDTH) where `inside(y, x)` holds.
    fn paint(slice: &mut [u32], id: u32, inside: impl Fn(usize, usize) -> bool) {
        for (i, value) in slice.iter_mut().enumerate() {
            if inside(i / WIDTH, i % WIDTH) {
                *value = id;
            }
        }
    }

    /// Rows `ys` and columns `xs`.
    fn rect(slice: &mut [u32], id: u32, ys: std::ops::Range<usize>, xs: std::ops::Range<usize>) {
        paint(slice, id, |y, x| ys.contains(&y) && xs.contains(&x));
    }

    fn disc(slice: &mut [u32], id: u32, centre: (f32, f32), radius: f32) {
        paint(slice, id, |y, x| (y as f32 - centre.0).hypot(x as f32 - centre.1) <= radius);
    }

    /// The ids in `slice` in order of first appearance, 0 excluded.
    fn ids(slice: &[u32]) -> Vec<u32> {
        let mut seen = Vec::new();
        for &id in slice.iter().filter(|&&id| id != 0) {
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        seen
    }

    /// The output id at pixel (y, x) of section z of `stack`.
    fn at(stack: &[u32], z: usize, y: usize, x: usize) -> u32 {
        stack[z * PLANE + y * WIDTH + x]
    }

    fn linked(stack: &[u32], min_iou: f32) -> Vec<u32> {
        let mut out = stack.to_vec();
        SectionLinker::new(min_iou, PLANE, 0).link(&mut out);
        out
    }

    /// A disc of radius 5 moving one pixel right per section, with another input id in each.
    fn moving_disc() -> Vec<u32> {
        let mut stack = vec![0; 4 * PLANE];
        for (z, slice) in stack.chunks_mut(PLANE).enumerate() {
            disc(slice, 7 + z as u32, (8.0, 7.0 + z as f32), 5.0);
        }
        stack
    }

    fn iou(a: &[u32], b: &[u32]) -> f32 {
        let both = a.iter().zip(b).filter(|&(&a, &b)| a != 0 && b != 0).count();
        let either = a.iter().zip(b).filter(|&(&a, &b)| a != 0 || b != 0).count();
        both as f32 / either as f32
    }

    #[test]
    fn moving_disc_keeps_one_id_above_min_iou() {
        let stack = moving_disc();
        let actual = iou(&stack[..PLANE], &stack[PLANE..2 * PLANE]);
        assert!(actual > 0.5 && actual < 0.95, "shift IoU {actual}");

        // At exactly its IoU it still links (the bound is inclusive).
        let out = linked(&stack, actual);
        for slice in out.chunks(PLANE) {
            assert_eq!(ids(slice), vec![1]);
        }
        let out = linked(&stack, actual + 0.01);
        let per_section: Vec<Vec<u32>> = out.chunks(PLANE).map(ids).collect();
        assert_eq!(per_section, vec![vec![1], vec![2], vec![3], vec![4]]);
    }

    #[test]
    fn touching_objects_keep_their_own_ids() {
        // Two touching rectangles whose border shifts a little; input ids swap between
        // sections so that copying the input would fail.
        let inputs = [(1, 2), (2, 1), (9, 5)];
        let mut stack = vec![0; 3 * PLANE];
        for (z, slice) in stack.chunks_mut(PLANE).enumerate() {
            let border = 9 + z;
            rect(slice, inputs[z].0, 3..12, 2..border);
            rect(slice, inputs[z].1, 3..12, border..17);
        }
        let out = linked(&stack, 0.3);
        for z in 0..3 {
            assert_eq!((at(&out, z, 5, 3), at(&out, z, 5, 16)), (1, 2), "section {z}");
        }
    }

    #[test]
    fn split_keeps_id_on_the_bigger_part() {
        let mut stack = vec![0; 2 * PLANE];
        rect(&mut stack[..PLANE], 4, 3..12, 2..18);
        // The smaller part comes first in scan order and has the smaller input id, so neither
        // order would give the id to the bigger part by accident.
        rect(&mut stack[PLANE..], 3, 3..12, 2..6);
        rect(&mut stack[PLANE..], 8, 3..12, 6..18);
        let mut linker = SectionLinker::new(0.3, PLANE, 0);
        linker.link(&mut stack);
        assert_eq!(at(&stack, 1, 5, 10), 1, "bigger part");
        assert_eq!(at(&stack, 1, 5, 3), 2, "smaller part");
        assert_eq!(linker.last_id(), 2);
    }

    #[test]
    fn merge_takes_the_better_match_and_ends_the_other() {
        let mut stack = vec![0; 3 * PLANE];
        rect(&mut stack[..PLANE], 1, 3..12, 2..6); // output 1, first in scan order
        rect(&mut stack[..PLANE], 2, 3..12, 6..18); // output 2, the better match
        rect(&mut stack[PLANE..2 * PLANE], 5, 3..12, 2..18);
        // The left object is back beside the merged one: it must not get id 1 again.
        rect(&mut stack[2 * PLANE..], 6, 3..12, 2..5);
        rect(&mut stack[2 * PLANE..], 7, 3..12, 5..18);
        let mut linker = SectionLinker::new(0.3, PLANE, 0);
        linker.link(&mut stack);
        assert_eq!(ids(&stack[PLANE..2 * PLANE]), vec![2]);
        assert_eq!((at(&stack, 2, 5, 3), at(&stack, 2, 5, 10)), (3, 2));
        assert_eq!(linker.last_id(), 3);
    }

    #[test]
    fn chunked_linking_equals_one_call() {
        // Six sections with links, a split, a merge, a gap and a new object.
        let mut stack = vec![0; 6 * PLANE];
        for (z, slice) in stack.chunks_mut(PLANE).enumerate() {
            let z32 = z as u32;
            disc(slice, 100 - z32, (5.0, 5.0 + z as f32 / 2.0), 3.5);
            match z {
                0 | 3 => rect(slice, 40 + z32, 9..15, 2..18),
                1 | 2 => {
                    rect(slice, 3, 9..15, 2..7);
                    rect(slice, 60 + z32, 9..15, 7..18);
                }
                _ => {}
            }
            if z >= 4 {
                rect(slice, 1000, 1..4, 14..19);
            }
        }
        let whole = linked(&stack, 0.25);

        let mut chunked = stack.clone();
        let mut linker = SectionLinker::new(0.25, PLANE, 0);
        let (first, rest) = chunked.split_at_mut(PLANE);
        let (second, third) = rest.split_at_mut(2 * PLANE);
        for chunk in [first, second, third] {
            linker.link(chunk);
        }
        assert_eq!(chunked, whole);
        // Not vacuous: some objects were linked (14 objects in the sections, 4 ids).
        assert_eq!(ids(&whole[..PLANE]), vec![1, 2]);
        assert_eq!(linker.last_id(), 4);
        assert_eq!(at(&whole, 5, 5, 7), 1, "the disc is linked through the stack");
    }

    #[test]
    fn huge_input_ids_give_small_consecutive_ids() {
        let mut stack = vec![0; 2 * PLANE];
        for (slice, ids) in stack.chunks_mut(PLANE).zip([[3_000_000_000, u32::MAX], [4_000_000_000, 1]]) {
            rect(slice, ids[0], 1..6, 1..8);
            rect(slice, ids[1], 8..14, 1..8);
        }
        rect(&mut stack[PLANE..], 3_000_000_000, 2..5, 12..18); // new in section 1
        let mut linker = SectionLinker::new(0.5, PLANE, 10);
        assert_eq!(linker.last_id(), 10);
        linker.link(&mut stack);
        assert_eq!(ids(&stack[..PLANE]), vec![11, 12]);
        assert_eq!(ids(&stack[PLANE..]), vec![11, 13, 12]);
        assert_eq!(linker.last_id(), 13);
    }

    #[test]
    fn object_missing_for_a_section_gets_a_new_id() {
        let mut stack = vec![0; 3 * PLANE];
        rect(&mut stack[..PLANE], 1, 3..10, 3..10);
        rect(&mut stack[2 * PLANE..], 1, 3..10, 3..10);
        let out = linked(&stack, 0.5);
        assert_eq!(ids(&out[..PLANE]), vec![1]);
        assert_eq!(ids(&out[PLANE..2 * PLANE]), Vec::<u32>::new());
        assert_eq!(ids(&out[2 * PLANE..]), vec![2]);
    }

    #[test]
    #[should_panic(expected = "not whole sections")]
    fn partial_section_panics() {
        SectionLinker::new(0.5, PLANE, 0).link(&mut vec![0; PLANE + 1]);
    }
}
