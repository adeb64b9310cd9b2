//! The priority queue of the watershed: a monotone bucket queue over quantised relief levels,
//! first-in-first-out within a level.
//!
//! A binary heap costs O(log n) per voxel and needs an insertion counter to break ties in
//! arrival order; with the relief quantised to [`LEVELS`] levels, a bucket per level gives
//! O(1) push and pop and FIFO order for free. Buckets are intrusive linked lists threaded
//! through one `u32` per voxel, so the queue never reallocates and costs 4 bytes per voxel
//! of the flooded block (a slice, or the whole volume in 3-D) whatever the front sizes.

/// Relief levels: 16 bits, far finer than what separates a membrane from a cell interior in
/// a network probability (plateaus that quantisation creates are split evenly by FIFO order).
pub(super) const LEVELS: usize = 1 << 16;

/// "No item": the end of a bucket's list.
const NIL: u32 = u32::MAX;

/// Maps relief values to levels `0..LEVELS`, linearly between the smallest and the largest
/// finite value of the flooded voxels, so that the full 16 bits are spent on the range that
/// occurs.
#[derive(Clone, Copy, Debug)]
pub(super) struct Levels {
    lo: f32,
    hi: f32,
    scale: f64,
}

impl Levels {
    /// The quantisation for relief values from `lo` to `hi`, the smallest and the largest
    /// finite relief of the voxels that may be flooded (`lo > hi`: there are none).
    pub(super) fn between(lo: f32, hi: f32) -> Self {
        // f64: `hi - lo` may overflow f32 for extreme (but finite) reliefs.
        let scale = if hi > lo { (LEVELS - 1) as f64 / (hi as f64 - lo as f64) } else { 0.0 };
        Levels { lo, hi, scale }
    }

    /// The level of `relief`: 0 at (or below) the minimum, the top level at (or above) the
    /// maximum. NaN goes to the top: an undefined relief is flooded last, never first.
    #[inline]
    pub(super) fn of(&self, relief: f32) -> usize {
        if relief <= self.lo {
            0
        } else if relief >= self.hi || relief.is_nan() {
            LEVELS - 1
        } else {
            (((relief - self.lo) as f64 * self.scale) as usize).min(LEVELS - 1)
        }
    }
}

/// FIFO buckets of item indices (`0..capacity`), popped lowest level first.
///
/// Monotone: a push below the level being popped goes to that level instead (the
/// priority-flood rule: a pit reached from a higher pass fills at the pass's level), so the
/// current level only rises and a whole flood costs O(items + LEVELS). An item must not be
/// queued twice at the same time (its list link is a single slot); the watershed queues
/// each voxel at most once.
pub(super) struct BucketQueue {
    head: Vec<u32>,
    tail: Vec<u32>,
    next: Vec<u32>,
    current: usize,
}

impl BucketQueue {
    /// An empty queue for items `0..capacity`.
    pub(super) fn new(capacity: usize) -> Self {
        BucketQueue { head: vec![NIL; LEVELS], tail: vec![NIL; LEVELS], next: vec![NIL; capacity], current: 0 }
    }

    /// Starts again from level 0; the queue must have been drained (every bucket empty).
    pub(super) fn restart(&mut self) {
        debug_assert!(self.head.iter().all(|&h| h == NIL), "restart of a non-empty queue");
        self.current = 0;
    }

    /// Appends `item` to the bucket of `level`, or of the current level if that is higher.
    #[inline]
    pub(super) fn push(&mut self, item: u32, level: usize) {
        let level = level.max(self.current);
        self.next[item as usize] = NIL;
        match self.head[level] {
            NIL => self.head[level] = item,
            _ => self.next[self.tail[level] as usize] = item,
        }
        self.tail[level] = item;
    }

    /// Removes the oldest item of the lowest non-empty level.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<u32> {
        while let Some(&item) = self.head.get(self.current) {
            if item != NIL {
                self.head[self.current] = self.next[item as usize];
                return Some(item);
            }
            self.current += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_level_then_arrival_and_clamps_late_low_pushes() {
        let mut q = BucketQueue::new(8);
        q.push(0, 5);
        q.push(1, 2);
        q.push(2, 5);
        q.push(3, 2);
        assert_eq!(q.pop(), Some(1));
        q.push(4, 0); // below the current level 2: queued at 2, behind item 3
        assert_eq!(q.pop(), Some(3));
        assert_eq!(q.pop(), Some(4));
        assert_eq!(q.pop(), Some(0));
        q.push(5, 5); // same level as the one being popped: after item 2
        assert_eq!(q.pop(), Some(2));
        assert_eq!(q.pop(), Some(5));
        assert_eq!(q.pop(), None);
        q.restart();
        q.push(6, 1);
        assert_eq!(q.pop(), Some(6));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn levels_span_the_range_and_send_nan_to_the_top() {
        let levels = Levels::between(-1.0, 3.0);
        assert_eq!(levels.of(-1.0), 0);
        assert_eq!(levels.of(-7.0), 0);
        assert_eq!(levels.of(3.0), LEVELS - 1);
        assert_eq!(levels.of(f32::INFINITY), LEVELS - 1);
        assert_eq!(levels.of(f32::NAN), LEVELS - 1);
        assert_eq!(levels.of(1.0), (LEVELS - 1) / 2);
        assert!(levels.of(0.5) < levels.of(0.5001));
        let flat = Levels::between(2.0, 2.0);
        assert_eq!(flat.of(2.0), 0);
        assert_eq!(flat.of(f32::NAN), LEVELS - 1);
    }
}
