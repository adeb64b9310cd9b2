//! Training targets derived from label stacks.
//!
//! Volumes are row-major `[z, y, x]` (x fastest) with shape `[depth, height, width]`. The
//! instance targets (contour, distance) are computed slice by slice in 2-D, as in PyTorch
//! Connectomics: EM stacks are strongly anisotropic (z spacing several times the xy spacing)
//! and objects shift between sections, so a z neighbour with another id is not a boundary.
//!
//! Everything here is linear (or linear plus a sort of the distinct values) in the number of
//! voxels and allocates only per-slice scratch, never per voxel: stacks reach hundreds of
//! millions of voxels.

use std::collections::{HashMap, HashSet};


/// Label values below this use a dense lookup table in [`class_mapping`]/[`class_indices`]
/// (at most 64 Ki entries, 128 KiB as u16): semantic labels are small (0..4, 0/255), and a
/// table costs one load per voxel instead of a search.
const DENSE_LIMIT: u32 = 1 << 16;

/// The sorted distinct label values: the classes of a multi-class semantic config, class
/// index `i` standing for label value `mapping[i]` (vnc_sstem: `[0, 1, 2, 3, 4]`, isbi2012:
/// `[0, 255]`).
///
/// Sorted so that the mapping is deterministic and index 0 is background (0) whenever 0
/// occurs. O(n) with a presence table for small values; otherwise a hash set (visited once
/// per run of equal values, which label stacks are made of) and a sort of the distinct values.
pub fn class_mapping(labels: &[u32]) -> Vec<u32> {
    let Some(max) = labels.iter().copied().max() else {
        return Vec::new();
    };
    if max < DENSE_LIMIT {
        let mut seen = vec![false; max as usize + 1];
        for &l in labels {
            seen[l as usize] = true;
        }
        (0..=max).filter(|&v| seen[v as usize]).collect()
    } else {
        let mut distinct = HashSet::new();
        let mut last = None;
        for &l in labels {
            if last != Some(l) {
                distinct.insert(l);
                last = Some(l);
            }
        }
        let mut mapping: Vec<u32> = distinct.into_iter().collect();
        mapping.sort_unstable();
        mapping
    }
}

/// Each label replaced by its class index in `mapping` (as built by [`class_mapping`]);
/// `Err(value)` for the first label value (in voxel order) that the mapping lacks, so that a
/// stack with a class the model was not trained for is reported, not silently mislabelled.
///
/// Class indices are u8 (what the loss and the metrics consume), hence at most 256 classes.
/// A dense table when the largest mapped value is small, a binary search otherwise (cached
/// across runs of equal labels).
///
/// # Panics
/// If `mapping` has more than 256 entries or is not strictly increasing (binary search needs
/// it sorted; a duplicate would make the index ambiguous). Both are programming errors.
pub fn class_indices(labels: &[u32], mapping: &[u32]) -> Result<Vec<u8>, u32> {
    assert!(mapping.len() <= 256, "{} classes do not fit u8 class indices", mapping.len());
    assert!(mapping.windows(2).all(|w| w[0] < w[1]), "class mapping must be strictly increasing");
    let mut out = Vec::with_capacity(labels.len());
    match mapping.last() {
        None => {
            if let Some(&l) = labels.first() {
                return Err(l);
            }
        }
        Some(&max) if max < DENSE_LIMIT => {
            const ABSENT: u16 = u16::MAX;
            let mut table = vec![ABSENT; max as usize + 1];
            for (i, &v) in mapping.iter().enumerate() {
                table[v as usize] = i as u16;
            }
            for &l in labels {
                match table.get(l as usize) {
                    Some(&i) if i != ABSENT => out.push(i as u8),
                    _ => return Err(l),
                }
            }
        }
        Some(_) => {
            let mut cached: Option<(u32, u8)> = None;
            for &l in labels {
                let index = match cached {
                    Some((value, index)) if value == l => index,
                    _ => {
                        let index = mapping.binary_search(&l).map_err(|_| l)? as u8;
                        cached = Some((l, index));
                        index
                    }
                };
                out.push(index);
            }
        }
    }
    Ok(out)
}

/// Columns per strip in the y pass of [`instance_contour`]: the pass works on whole rows of
/// a strip at once (contiguous, vectorisable), and strips bound its scratch to
/// `height * STRIP` values whatever the slice width.
const STRIP: usize = 256;

/// Instance boundary target: 1 on the boundary band of every instance, else 0; per z slice.
///
/// A voxel `p` is contour iff its label is non-zero and some voxel `q` of the same slice with
/// `max(|qy - py|, |qx - px|) <= width` (chessboard distance: a `(2w+1) x (2w+1)` window) has
/// a different label. So where two objects touch both sides are contour, an object next to
/// background gets an inner band, background is never contour, and the image border is not a
/// boundary (the window is clipped to the slice). This is PyTorch Connectomics'
/// `seg_to_instance_bd` with `bd_width = width`, except that PyTC also marks the background
/// side of an object edge. Keeping the band inside the objects means "foreground and not
/// contour" still splits touching objects (both sides of a shared edge are marked) while the
/// band never claims background voxels.
///
/// The window contains `p` itself, so it holds a different label iff its maximum differs from
/// its minimum: two separable running max/min filters (van Herk/Gil-Werman, O(1) per voxel
/// whatever the width), x first per row, then y over strips of whole rows. Scratch: two
/// u32 planes plus strip buffers, reused for every slice.
///
/// # Panics
/// If `labels.len()` is not the product of `shape` or `width` is 0.
pub fn instance_contour(labels: &[u32], shape: [usize; 3], width: usize) -> Vec<u8> {
    contour_of(labels, shape, width, None)
}

/// [`instance_contour`] for sparse labels, where `ignore` marks unannotated voxels, and where
/// that target is known (1) or not (0).
///
/// An unannotated voxel is neither the object's own label nor another one: a voxel is contour
/// iff it belongs to an object and its window holds an *annotated* voxel of another label
/// (background included), computed exactly with the running maximum taken over the window with
/// unannotated voxels read as 0 and the minimum with them read as `u32::MAX`. So an object is
/// never given a contour where it meets unannotated voxels. Whether it is *not* contour there is
/// unknown as well (the object may end just beyond): an object voxel whose window holds an
/// unannotated voxel and no other label is masked out. Background voxels are never contour
/// (known 0), unannotated voxels are unknown.
pub fn instance_contour_sparse(labels: &[u32], shape: [usize; 3], width: usize, ignore: u32) -> (Vec<u8>, Vec<u8>) {
    let contour = contour_of(labels, shape, width, Some(ignore));
    // Annotated voxels within `width` of an unannotated one: the contour of the annotated mask.
    let annotated: Vec<u32> = labels.iter().map(|&l| (l != ignore) as u32).collect();
    let near_unannotated = contour_of(&annotated, shape, width, None);
    let known = labels
        .iter()
        .zip(&contour)
        .zip(&near_unannotated)
        .map(|((&l, &c), &near)| (l != ignore && (l == 0 || c == 1 || near == 0)) as u8)
        .collect();
    (contour, known)
}

/// [`instance_distance`] for sparse labels, and where it is known: on background and on every
/// object (per slice and id) that no unannotated voxel touches (8-neighbourhood). An object that
/// meets unannotated voxels may continue there, so neither its distances nor its maximum are
/// known: all of its voxels are masked out. For a complete object the nearest voxel of another
/// label is an annotated one, so its distances are exact.
pub fn instance_distance_sparse(labels: &[u32], shape: [usize; 3], ignore: u32) -> (Vec<f32>, Vec<u8>) {
    let distance = instance_distance(labels, shape);
    let [_, height, width] = shape;
    let plane = height * width;
    let mut known = vec![0u8; labels.len()];
    if plane == 0 {
        return (distance, known);
    }
    let mut incomplete = HashSet::new();
    for (slice, known) in labels.chunks_exact(plane).zip(known.chunks_exact_mut(plane)) {
        incomplete.clear();
        for y in 0..height {
            for x in 0..width {
                let l = slice[y * width + x];
                if l == 0 || l == ignore || incomplete.contains(&l) {
                    continue;
                }
                let touches = (y.saturating_sub(1)..(y + 2).min(height))
                    .any(|qy| (x.saturating_sub(1)..(x + 2).min(width)).any(|qx| slice[qy * width + qx] == ignore));
                if touches {
                    incomplete.insert(l);
                }
            }
        }
        for (k, &l) in known.iter_mut().zip(slice) {
            *k = (l != ignore && (l == 0 || !incomplete.contains(&l))) as u8;
        }
    }
    (distance, known)
}

/// [`instance_contour`], with `ignore` voxels (if any) counted as no label at all: neither equal
/// to an object's label nor different from it, and never contour themselves.
fn contour_of(labels: &[u32], shape: [usize; 3], width: usize, ignore: Option<u32>) -> Vec<u8> {
    let [depth, height, row_len] = shape;
    assert_eq!(labels.len(), depth * height * row_len, "labels do not match shape {shape:?}");
    assert!(width >= 1, "contour width must be at least 1");
    let plane = height * row_len;
    let mut out = vec![0u8; labels.len()];
    if plane == 0 {
        return out;
    }
    let strip = STRIP.min(row_len);
    let scratch_len = row_len.max(height * strip);
    let (mut pre, mut suf) = (vec![0u32; scratch_len], vec![0u32; scratch_len]);
    let (mut row_max, mut row_min) = (vec![0u32; plane], vec![0u32; plane]);
    let (mut win_max, mut win_min) = (vec![0u32; height * strip], vec![0u32; height * strip]);
    // With unannotated voxels: the slice with them as 0 (for the maximum) and as u32::MAX (for the
    // minimum), so that they change neither.
    let (mut for_max, mut for_min) = if ignore.is_some() { (vec![0u32; plane], vec![0u32; plane]) } else { (Vec::new(), Vec::new()) };
    // Background (0) is never contour, nor is an unannotated voxel.
    let not_contour = ignore.unwrap_or(0);
    for (slice, out) in labels.chunks_exact(plane).zip(out.chunks_exact_mut(plane)) {
        let (slice_max, slice_min): (&[u32], &[u32]) = match ignore {
            None => (slice, slice),
            Some(ignore) => {
                for ((&l, a), b) in slice.iter().zip(for_max.iter_mut()).zip(for_min.iter_mut()) {
                    (*a, *b) = if l == ignore { (0, u32::MAX) } else { (l, l) };
                }
                (&for_max, &for_min)
            }
        };
        // x pass: every row on its own.
        for y in 0..height {
            let rows = y * row_len..(y + 1) * row_len;
            running_extreme_line(&slice_max[rows.clone()], width, u32::max, &mut pre, &mut suf, &mut row_max[rows.clone()]);
            running_extreme_line(&slice_min[rows.clone()], width, u32::min, &mut pre, &mut suf, &mut row_min[rows]);
        }
        // y pass, a strip of columns at a time, then the comparison for that strip.
        for x0 in (0..row_len).step_by(strip) {
            let inner = strip.min(row_len - x0);
            let n = height * inner;
            running_extreme(
                &row_max[x0..],
                row_len,
                inner,
                height,
                width,
                u32::max,
                &mut pre,
                &mut suf,
                &mut win_max[..n],
            );
            running_extreme(
                &row_min[x0..],
                row_len,
                inner,
                height,
                width,
                u32::min,
                &mut pre,
                &mut suf,
                &mut win_min[..n],
            );
            for y in 0..height {
                let at = y * row_len + x0;
                let labels = &slice[at..][..inner];
                let (hi, lo) = (&win_max[y * inner..][..inner], &win_min[y * inner..][..inner]);
                for (((o, &l), &h), &m) in out[at..][..inner].iter_mut().zip(labels).zip(hi).zip(lo) {
                    *o = ((l != 0) & (l != not_contour) & (h != m)) as u8; // `&`, not `&&`: branch-free, vectorises
                }
            }
        }
    }
    out
}

/// Running extreme (max or min, by `op`) over a window of `radius` elements either side,
/// clipped to the line, for `inner` parallel lines at once: element `i` of the lines is
/// `src[i * stride..][..inner]`, `n` elements; `dst` gets `n * inner` values, compactly.
///
/// van Herk/Gil-Werman: with blocks of `k = 2r + 1` elements, `pre` holds the extreme from the
/// block start to `i`, `suf` from `i` to the block end; a full window `[i - r, i + r]` spans at
/// most two blocks, so it is `op(suf[i - r], pre[i + r])` — three `op`s per element for any
/// radius. Windows clipped at the left start at block 0's start (`pre` alone); windows clipped
/// at the right are `suf` alone when they lie in the last block, else the two-block rule.
#[allow(clippy::too_many_arguments)]
fn running_extreme<F: Fn(u32, u32) -> u32 + Copy>(
    src: &[u32],
    stride: usize,
    inner: usize,
    n: usize,
    radius: usize,
    op: F,
    pre: &mut [u32],
    suf: &mut [u32],
    dst: &mut [u32],
) {
    if n == 0 || inner == 0 {
        return;
    }
    let r = radius.min(n); // a window wider than the line is the whole line.
    let k = 2 * r + 1;
    let elem = |i: usize| &src[i * stride..][..inner];
    let combine = |out: &mut [u32], a: &[u32], b: &[u32]| {
        for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
            *o = op(a, b);
        }
    };
    let (pre, suf, dst) = (&mut pre[..n * inner], &mut suf[..n * inner], &mut dst[..n * inner]);
    for start in (0..n).step_by(k) {
        let end = (start + k).min(n);
        pre[start * inner..][..inner].copy_from_slice(elem(start));
        for i in start + 1..end {
            let (done, rest) = pre.split_at_mut(i * inner);
            combine(&mut rest[..inner], &done[(i - 1) * inner..], elem(i));
        }
        suf[(end - 1) * inner..][..inner].copy_from_slice(elem(end - 1));
        for i in (start..end - 1).rev() {
            let (head, done) = suf.split_at_mut((i + 1) * inner);
            combine(&mut head[i * inner..], elem(i), &done[..inner]);
        }
    }
    let last_block = (n - 1) / k;
    for i in 0..n {
        let out = &mut dst[i * inner..][..inner];
        if i < r {
            // Clipped at the left: [0, min(i + r, n - 1)], within block 0 as i + r < k.
            out.copy_from_slice(&pre[(i + r).min(n - 1) * inner..][..inner]);
        } else if i + r < n {
            combine(out, &suf[(i - r) * inner..][..inner], &pre[(i + r) * inner..][..inner]);
        } else if (i - r) / k == last_block {
            out.copy_from_slice(&suf[(i - r) * inner..][..inner]);
        } else {
            combine(out, &suf[(i - r) * inner..][..inner], &pre[(n - 1) * inner..][..inner]);
        }
    }
}

/// [`running_extreme`] for a single contiguous line (the x pass): the same algorithm on
/// scalars, as slicing one-element rows would cost more than the `op`s themselves.
fn running_extreme_line<F: Fn(u32, u32) -> u32 + Copy>(
    src: &[u32],
    radius: usize,
    op: F,
    pre: &mut [u32],
    suf: &mut [u32],
    dst: &mut [u32],
) {
    let n = src.len();
    if n == 0 {
        return;
    }
    let r = radius.min(n);
    let k = 2 * r + 1;
    let (pre, suf, dst) = (&mut pre[..n], &mut suf[..n], &mut dst[..n]);
    for start in (0..n).step_by(k) {
        let end = (start + k).min(n);
        let mut acc = src[start];
        pre[start] = acc;
        for i in start + 1..end {
            acc = op(acc, src[i]);
            pre[i] = acc;
        }
        let mut acc = src[end - 1];
        suf[end - 1] = acc;
        for i in (start..end - 1).rev() {
            acc = op(acc, src[i]);
            suf[i] = acc;
        }
    }
    let left = r.min(n);
    for i in 0..left {
        dst[i] = pre[(i + r).min(n - 1)];
    }
    if n > 2 * r {
        for ((d, &s), &p) in dst[r..n - r].iter_mut().zip(&suf[..n - 2 * r]).zip(&pre[2 * r..]) {
            *d = op(s, p);
        }
    }
    let last_block = (n - 1) / k;
    let right = left.max(n.saturating_sub(r));
    for (i, d) in dst.iter_mut().enumerate().skip(right) {
        let a = i - r;
        *d = if a / k == last_block { suf[a] } else { op(suf[a], pre[n - 1]) };
    }
}

/// Marks a voxel with no differently labelled voxel in its slice (its instance fills the
/// whole slice) in the squared-distance passes of [`instance_distance`].
const NO_BOUNDARY: u32 = u32::MAX;

/// Normalised instance distance target, per z slice: 0 on background; on a voxel `p` of
/// instance `l` (non-zero), `d(p) / max d` over the voxels of `l` in that slice, where `d(p)`
/// is the exact Euclidean distance (in pixels, centre to centre) from `p` to the nearest voxel
/// of the same slice whose label is not `l` (another instance or background).
///
/// So every instance rises from `1 / max d` on its edge (d = 1 next to a differing pixel) to
/// exactly 1.0 at its most central pixel(s), and touching instances are each normalised on
/// their own. The image border is not a boundary (voxels outside the slice do not count),
/// and an instance that fills its whole slice (no differing voxel) is 1.0 everywhere. The
/// maximum is per id and slice, so two disconnected pieces with the same id share one scale.
/// This is scipy's `distance_transform_edt(labels == l)` divided by its maximum, per id, as in
/// PyTorch Connectomics' 2-D `edt_instance` without erosion.
///
/// Exact in O(voxels) with no per-instance pass, by the separable (Felzenszwalb-Huttenlocher)
/// transform made label-aware:
/// 1. Column pass: for `(y, x')`, `c(y, x')` = distance along column `x'` to the nearest row
///    whose label differs from `label(y, x')`, i.e. to just outside the run of equal labels
///    containing `y` (∞ if the run spans the column).
/// 2. Row pass: for `p = (y, x)` with label `l`, `d²(p) = min over columns x'` of
///    `(x - x')² + e(x')²`, `e(x')` being the distance along column `x'` from row `y` to its
///    nearest non-`l` voxel: 0 where `label(y, x') ≠ l`, else `c(y, x')` (the run of `l`
///    holding `(y, x')` ends there). Columns beyond the nearest non-`l` voxel of row `y` are
///    dominated by that voxel, so only the row run of `l` holding `p` and the voxel just
///    outside it on either side matter: a 1-D lower envelope of parabolas per run, linear in
///    the run's length.
///
/// # Panics
/// If `labels.len()` is not the product of `shape`.
pub fn instance_distance(labels: &[u32], shape: [usize; 3]) -> Vec<f32> {
    let [depth, height, row_len] = shape;
    assert_eq!(labels.len(), depth * height * row_len, "labels do not match shape {shape:?}");
    let plane = height * row_len;
    let mut out = vec![0f32; labels.len()];
    if plane == 0 {
        return out;
    }
    let mut column = vec![0u32; plane];
    let mut below = vec![0u32; row_len];
    let mut envelope = Envelope::with_capacity(row_len + 2);
    let mut max_by_id: HashMap<u32, f32> = HashMap::new();
    for (slice, out) in labels.chunks_exact(plane).zip(out.chunks_exact_mut(plane)) {
        column_run_distances(slice, height, row_len, &mut column, &mut below);
        for y in 0..height {
            let at = y * row_len;
            row_distances(&slice[at..][..row_len], &column[at..][..row_len], &mut envelope, &mut out[at..][..row_len]);
        }
        normalize_per_instance(slice, out, &mut max_by_id);
    }
    out
}

/// Step 1 of [`instance_distance`]: `column[y, x]` = distance along column x to the nearest
/// row with a label other than `label(y, x)`, [`NO_BOUNDARY`] if there is none. Row by row
/// (top-down then bottom-up) rather than column by column, to stay contiguous in memory.
fn column_run_distances(slice: &[u32], height: usize, row_len: usize, column: &mut [u32], below: &mut [u32]) {
    let inc = |d: u32| if d == NO_BOUNDARY { d } else { d + 1 };
    // Top-down: distance to the nearest differing row above.
    column[..row_len].fill(NO_BOUNDARY);
    for y in 1..height {
        let (done, rest) = column.split_at_mut(y * row_len);
        let (above, here) = (&done[(y - 1) * row_len..], &mut rest[..row_len]);
        let (labels_above, labels) = (&slice[(y - 1) * row_len..][..row_len], &slice[y * row_len..][..row_len]);
        for (((c, &a), &la), &l) in here.iter_mut().zip(above).zip(labels_above).zip(labels) {
            *c = if la != l { 1 } else { inc(a) };
        }
    }
    // Bottom-up: distance to the nearest differing row below, folded in with a min.
    below.fill(NO_BOUNDARY);
    for y in (0..height.saturating_sub(1)).rev() {
        let (labels, labels_below) = (&slice[y * row_len..][..row_len], &slice[(y + 1) * row_len..][..row_len]);
        for (((c, b), &l), &lb) in
            column[y * row_len..][..row_len].iter_mut().zip(below.iter_mut()).zip(labels).zip(labels_below)
        {
            *b = if l != lb { 1 } else { inc(*b) };
            *c = (*c).min(*b);
        }
    }
}

/// Lower envelope of parabolas `x ↦ (x - q)² + f(q)` over sites `q` (Felzenszwalb-Huttenlocher),
/// scratch reused across runs and slices.
struct Envelope {
    /// Site positions and values on the envelope, left to right.
    sites: Vec<(f64, f64)>,
    /// `bounds[j]`: where site `j` starts to be the lowest parabola (`bounds[0]` = -∞).
    bounds: Vec<f64>,
}

impl Envelope {
    fn with_capacity(n: usize) -> Self {
        Envelope { sites: Vec::with_capacity(n), bounds: Vec::with_capacity(n) }
    }

    fn clear(&mut self) {
        self.sites.clear();
        self.bounds.clear();
    }

    /// Adds a site right of all earlier ones.
    fn push(&mut self, q: f64, f: f64) {
        while let Some(&(v, fv)) = self.sites.last() {
            let s = ((f + q * q) - (fv + v * v)) / (2.0 * (q - v));
            if s <= *self.bounds.last().unwrap() {
                self.sites.pop();
                self.bounds.pop();
            } else {
                self.sites.push((q, f));
                self.bounds.push(s);
                return;
            }
        }
        self.sites.push((q, f));
        self.bounds.push(f64::NEG_INFINITY);
    }
}

/// Step 2 of [`instance_distance`] for one row: writes `d` (not yet normalised) on every
/// object voxel, `f32::INFINITY` where the instance has no differing voxel in the slice.
fn row_distances(labels: &[u32], column: &[u32], envelope: &mut Envelope, out: &mut [f32]) {
    let n = labels.len();
    let mut start = 0;
    while start < n {
        let l = labels[start];
        let mut end = start + 1;
        while end < n && labels[end] == l {
            end += 1;
        }
        if l == 0 {
            out[start..end].fill(0.0);
            start = end;
            continue;
        }
        // Sites: the differing voxel just outside the run (value 0) on either side, and every
        // run voxel whose column run ends inside the slice (value c²).
        envelope.clear();
        if start > 0 {
            envelope.push((start - 1) as f64, 0.0);
        }
        for (x, &c) in (start..end).zip(&column[start..end]) {
            if c != NO_BOUNDARY {
                envelope.push(x as f64, c as f64 * c as f64);
            }
        }
        if end < n {
            envelope.push(end as f64, 0.0);
        }
        if envelope.sites.is_empty() {
            out[start..end].fill(f32::INFINITY);
        } else {
            let mut j = 0;
            for (x, o) in (start..end).zip(&mut out[start..end]) {
                let xf = x as f64;
                while j + 1 < envelope.sites.len() && envelope.bounds[j + 1] < xf {
                    j += 1;
                }
                let (q, f) = envelope.sites[j];
                *o = ((xf - q) * (xf - q) + f).sqrt() as f32;
            }
        }
        start = end;
    }
}

/// Step 3 of [`instance_distance`]: divides each instance's distances by their maximum in the
/// slice. Ids are arbitrary u32, so the maxima live in a hash map, touched once per run of
/// equal labels rather than per voxel.
fn normalize_per_instance(slice: &[u32], out: &mut [f32], max_by_id: &mut HashMap<u32, f32>) {
    max_by_id.clear();
    let mut runs = Runs::new(slice);
    while let Some((l, range)) = runs.next() {
        if l != 0 {
            let run_max = out[range].iter().copied().fold(0f32, f32::max);
            let m = max_by_id.entry(l).or_insert(0.0);
            *m = m.max(run_max);
        }
    }
    let mut runs = Runs::new(slice);
    while let Some((l, range)) = runs.next() {
        if l != 0 {
            let m = max_by_id[&l];
            if m.is_infinite() {
                // The instance fills the slice: no boundary, all "centre".
                out[range].fill(1.0);
            } else {
                // A division, not a reciprocal product: correctly rounded, so 3/5 is 0.6f32.
                out[range].iter_mut().for_each(|v| *v /= m);
            }
        }
    }
}

/// Maximal runs of equal values in a slice, in order.
struct Runs<'a> {
    values: &'a [u32],
    at: usize,
}

impl<'a> Runs<'a> {
    fn new(values: &'a [u32]) -> Self {
        Runs { values, at: 0 }
    }

    fn next(&mut self) -> Option<(u32, std::ops::Range<usize>)> {
        let start = self.at;
        let &v = self.values.get(start)?;
        let len = self.values[start..].iter().position(|&w| w != v).unwrap_or(self.values.len() - start);
        self.at = start + len;
        Some((v, start..self.at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny deterministic generator (xorshift) so the brute-force comparisons need no crate.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Blocky random labels (ids 0..ids, rectangles painted over each other), so that runs,
    /// touching instances, disconnected pieces of one id and slice-filling ids all occur.
    fn random_labels(rng: &mut XorShift, shape: [usize; 3], ids: u64) -> Vec<u32> {
        let [d, h, w] = shape;
        let mut labels = vec![0u32; d * h * w];
        for z in 0..d {
            for _ in 0..rng.below(8) {
                let (y0, x0) = (rng.below(h as u64) as usize, rng.below(w as u64) as usize);
                let (y1, x1) = (y0 + 1 + rng.below(h as u64) as usize, x0 + 1 + rng.below(w as u64) as usize);
                let id = rng.below(ids) as u32;
                for y in y0..y1.min(h) {
                    for x in x0..x1.min(w) {
                        labels[(z * h + y) * w + x] = id;
                    }
                }
            }
        }
        labels
    }

    fn brute_contour(labels: &[u32], [d, h, w]: [usize; 3], width: usize) -> Vec<u8> {
        let mut out = vec![0; labels.len()];
        for z in 0..d {
            for y in 0..h {
                for x in 0..w {
                    let l = labels[(z * h + y) * w + x];
                    let differs = (y.saturating_sub(width)..(y + width + 1).min(h)).any(|qy| {
                        (x.saturating_sub(width)..(x + width + 1).min(w)).any(|qx| labels[(z * h + qy) * w + qx] != l)
                    });
                    out[(z * h + y) * w + x] = (l != 0 && differs) as u8;
                }
            }
        }
        out
    }

    fn brute_distance(labels: &[u32], [d, h, w]: [usize; 3]) -> Vec<f32> {
        let mut raw = vec![0f64; labels.len()];
        for z in 0..d {
            let at = |y: usize, x: usize| (z * h + y) * w + x;
            for y in 0..h {
                for x in 0..w {
                    let l = labels[at(y, x)];
                    if l == 0 {
                        continue;
                    }
                    let mut best = f64::INFINITY;
                    for qy in 0..h {
                        for qx in 0..w {
                            if labels[at(qy, qx)] != l {
                                let (dy, dx) = (qy as f64 - y as f64, qx as f64 - x as f64);
                                best = best.min((dy * dy + dx * dx).sqrt());
                            }
                        }
                    }
                    raw[at(y, x)] = best;
                }
            }
        }
        let mut out = vec![0f32; labels.len()];
        for z in 0..d {
            let slice = z * h * w..(z + 1) * h * w;
            for i in slice.clone() {
                let l = labels[i];
                if l == 0 {
                    continue;
                }
                let m = slice.clone().filter(|&j| labels[j] == l).map(|j| raw[j]).fold(0.0, f64::max);
                out[i] = if m.is_infinite() { 1.0 } else { (raw[i] / m) as f32 };
            }
        }
        out
    }

    /// Renders a slice as rows of digits, for readable assertion failures.
    fn rows<T: Copy + Into<f64>>(values: &[T], w: usize) -> Vec<String> {
        values.chunks(w).map(|r| r.iter().map(|&v| format!("{}", v.into())).collect::<Vec<_>>().join("")).collect()
    }

    #[test]
    fn class_mapping_of_isbi_and_vnc_labels() {
        let isbi = [255, 0, 0, 255, 255];
        assert_eq!(class_mapping(&isbi), vec![0, 255]);
        assert_eq!(class_indices(&isbi, &[0, 255]), Ok(vec![1, 0, 0, 1, 1]));

        let vnc = [4, 0, 3, 1, 2, 2, 0, 4];
        assert_eq!(class_mapping(&vnc), vec![0, 1, 2, 3, 4]);
        assert_eq!(class_indices(&vnc, &class_mapping(&vnc)), Ok(vec![4, 0, 3, 1, 2, 2, 0, 4]));

        // Absent values leave no gap in the indices.
        assert_eq!(class_indices(&[7, 3, 7], &class_mapping(&[3, 7])), Ok(vec![1, 0, 1]));
        assert_eq!(class_mapping(&[]), Vec::<u32>::new());
    }

    #[test]
    fn class_indices_rejects_unknown_values() {
        assert_eq!(class_indices(&[0, 255, 128, 7], &[0, 255]), Err(128));
        assert_eq!(class_indices(&[0, 1, 5], &[0, 1, 2, 3, 4]), Err(5)); // beyond the table
        assert_eq!(class_indices(&[1], &[]), Err(1));
        assert_eq!(class_indices(&[], &[]), Ok(vec![]));
    }

    #[test]
    fn large_label_values_use_the_sparse_paths() {
        let labels = [100_000, 0, 100_000, 5_000_000, 5_000_000, 0];
        let mapping = class_mapping(&labels);
        assert_eq!(mapping, vec![0, 100_000, 5_000_000]);
        assert_eq!(class_indices(&labels, &mapping), Ok(vec![1, 0, 1, 2, 2, 0]));
        assert_eq!(class_indices(&[0, 100_001], &mapping), Err(100_001));
    }

    #[test]
    #[should_panic(expected = "strictly increasing")]
    fn class_indices_wants_a_sorted_mapping() {
        let _ = class_indices(&[0], &[255, 0]);
    }

    #[test]
    fn contour_of_two_touching_squares() {
        // Two 4x4 squares (ids 1 and 2) sharing the edge between x = 4 and x = 5, on
        // background, in a 6x10 slice.
        let w = 10;
        #[rustfmt::skip]
        let labels: Vec<u32> = [
            "0000000000",
            "0111122220",
            "0111122220",
            "0111122220",
            "0111122220",
            "0000000000",
        ].concat().bytes().map(|b| (b - b'0') as u32).collect();
        let contour = instance_contour(&labels, [1, 6, w], 1);
        #[rustfmt::skip]
        assert_eq!(rows(&contour, w), [
            "0000000000",
            "0111111110", // outer edges
            "0100110010", // both sides of the shared edge; not the interior
            "0100110010",
            "0111111110",
            "0000000000", // background is never contour
        ]);
        let wide = instance_contour(&labels, [1, 6, w], 2);
        #[rustfmt::skip]
        assert_eq!(rows(&wide, w), [
            "0000000000",
            "0111111110",
            "0111111110", // a 2-pixel band covers these 4-wide squares entirely
            "0111111110",
            "0111111110",
            "0000000000",
        ]);
        assert_eq!(wide, brute_contour(&labels, [1, 6, w], 2));
    }

    #[test]
    fn wider_contour_leaves_a_larger_object_s_core() {
        // An 8x8 square in a 10x10 slice: width 2 marks a 2-pixel ring, leaving a 4x4 core.
        let mut labels = vec![0u32; 100];
        for y in 1..9 {
            for x in 1..9 {
                labels[y * 10 + x] = 9;
            }
        }
        let contour = instance_contour(&labels, [1, 10, 10], 2);
        assert_eq!(contour.iter().filter(|&&c| c == 1).count(), 64 - 16);
        assert_eq!(contour[5 * 10 + 5], 0);
        assert_eq!(contour[2 * 10 + 2], 1);
        assert_eq!(contour[3 * 10 + 3], 0);
    }

    #[test]
    fn image_border_is_not_a_boundary() {
        // A slice filled by one instance has no contour at all.
        assert_eq!(instance_contour(&[3; 12], [1, 3, 4], 1), vec![0; 12]);
    }

    #[test]
    fn contour_is_per_slice() {
        // Slice 0 all id 1, slice 1 all id 2: they differ only across z, so nothing is contour.
        let mut labels = vec![1u32; 2 * 4 * 4];
        labels[16..].fill(2);
        assert_eq!(instance_contour(&labels, [2, 4, 4], 1), vec![0; 32]);
    }

    #[test]
    fn contour_matches_brute_force() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for case in 0..200 {
            let shape = [1 + case % 3, 1 + rng.below(20) as usize, 1 + rng.below(300) as usize];
            let labels = random_labels(&mut rng, shape, 5);
            for width in [1, 2, 3, 7, 40] {
                assert_eq!(
                    instance_contour(&labels, shape, width),
                    brute_contour(&labels, shape, width),
                    "shape {shape:?} width {width}"
                );
            }
        }
    }

    const IGNORE: u32 = 9;

    /// The sparse contour by its definition: an object voxel with an annotated voxel of another
    /// label in its window; known where annotated and (background, contour, or no unannotated
    /// voxel in the window).
    fn brute_sparse_contour(labels: &[u32], [d, h, w]: [usize; 3], width: usize) -> (Vec<u8>, Vec<u8>) {
        let (mut contour, mut known) = (vec![0; labels.len()], vec![0; labels.len()]);
        for z in 0..d {
            for y in 0..h {
                for x in 0..w {
                    let i = (z * h + y) * w + x;
                    let l = labels[i];
                    let window = || {
                        (y.saturating_sub(width)..(y + width + 1).min(h))
                            .flat_map(move |qy| (x.saturating_sub(width)..(x + width + 1).min(w)).map(move |qx| labels[(z * h + qy) * w + qx]))
                    };
                    let c = l != 0 && l != IGNORE && window().any(|q| q != IGNORE && q != l);
                    contour[i] = c as u8;
                    known[i] = (l != IGNORE && (l == 0 || c || !window().any(|q| q == IGNORE))) as u8;
                }
            }
        }
        (contour, known)
    }

    #[test]
    fn sparse_contour_matches_its_definition() {
        let mut rng = XorShift(0x5EED);
        for case in 0..200 {
            let shape = [1 + case % 2, 1 + rng.below(20) as usize, 1 + rng.below(40) as usize];
            // Ids 0..10: 9 is the ignore value, painted as rectangles like the rest.
            let labels = random_labels(&mut rng, shape, 10);
            for width in [1, 2, 5] {
                assert_eq!(instance_contour_sparse(&labels, shape, width, IGNORE), brute_sparse_contour(&labels, shape, width), "shape {shape:?} width {width}");
            }
        }
        // Without unannotated voxels it is the dense contour, known everywhere.
        let labels = random_labels(&mut rng, [2, 15, 30], 5);
        let (contour, known) = instance_contour_sparse(&labels, [2, 15, 30], 2, IGNORE);
        assert_eq!(contour, instance_contour(&labels, [2, 15, 30], 2));
        assert!(known.iter().all(|&k| k == 1));
    }

    #[test]
    fn sparse_distance_is_known_on_complete_objects_only() {
        // Object 1 enclosed by background; object 2 touching the unannotated column (diagonally).
        #[rustfmt::skip]
        let labels: Vec<u32> = [
            "000000009",
            "011100009",
            "011100009",
            "000002209",
            "000002290",
        ].concat().bytes().map(|b| (b - b'0') as u32).collect();
        let (distance, known) = instance_distance_sparse(&labels, [1, 5, 9], IGNORE);
        assert_eq!(distance, instance_distance(&labels, [1, 5, 9]), "complete objects: exact");
        #[rustfmt::skip]
        assert_eq!(rows(&known, 9), [
            "111111110",
            "111111110",
            "111111110",
            "111110010",
            "111110001",
        ]);
    }

    #[test]
    fn contour_of_a_large_slice_is_fast() {
        let mut rng = XorShift(7);
        let shape = [1, 1024, 1024];
        let labels = random_labels(&mut rng, shape, 1000);
        let started = std::time::Instant::now();
        let contour = instance_contour(&labels, shape, 2);
        let elapsed = started.elapsed();
        assert_eq!(contour.len(), 1024 * 1024);
        // Tens of milliseconds in release; generous for debug builds and busy machines.
        assert!(elapsed.as_secs_f64() < 1.0, "1024x1024 contour took {elapsed:?}");
    }

    #[test]
    fn distance_of_a_single_square() {
        // A 7x7 square in a 9x9 slice: d = 1 on its edge .. 4 at the centre.
        let mut labels = vec![0u32; 81];
        for y in 1..8 {
            for x in 1..8 {
                labels[y * 9 + x] = 5;
            }
        }
        let dist = instance_distance(&labels, [1, 9, 9]);
        assert_eq!(dist[4 * 9 + 4], 1.0);
        assert_eq!(dist.iter().copied().fold(0.0, f32::max), 1.0);
        // From the edge to the centre along the middle row: 1/4, 2/4, 3/4, 1.
        assert_eq!(&dist[4 * 9..4 * 9 + 5], &[0.0, 0.25, 0.5, 0.75, 1.0]);
        // Strictly increasing towards the centre along the diagonal too.
        assert!((1..4).all(|i| dist[i * 9 + i] < dist[(i + 1) * 9 + i + 1]));
        // Background stays 0.
        assert!(labels.iter().zip(&dist).all(|(&l, &d)| (l == 0) == (d == 0.0)));
    }

    #[test]
    fn touching_objects_each_reach_one() {
        // Ids 1 (3 wide) and 2 (5 wide) touching, filling a 5x8 slice: the image border does
        // not count, so each id's distance is to the shared edge only.
        let w = 8;
        let labels: Vec<u32> = (0..5 * w).map(|i| if i % w < 3 { 1 } else { 2 }).collect();
        let dist = instance_distance(&labels, [1, 5, w]);
        let row: Vec<f32> = dist[..w].to_vec();
        assert_eq!(row, [1.0, 2.0 / 3.0, 1.0 / 3.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert!(dist.chunks(w).all(|r| r == &row[..]));
    }

    #[test]
    fn distance_of_an_instance_filling_its_slice_is_one() {
        let mut labels = vec![4u32; 2 * 3 * 3];
        labels[9 + 4] = 0;
        let dist = instance_distance(&labels, [2, 3, 3]);
        assert_eq!(&dist[..9], &[1.0; 9]);
        assert_eq!(dist[9 + 4], 0.0);
        assert_eq!(dist[9], 1.0); // corner, sqrt(2) from the hole = the maximum
        assert_eq!(dist[9 + 1], 1.0 / 2f32.sqrt());
    }

    #[test]
    fn distance_matches_brute_force() {
        let mut rng = XorShift(0xDEAD_BEEF);
        for case in 0..300 {
            let shape = [1 + case % 2, 1 + rng.below(25) as usize, 1 + rng.below(25) as usize];
            let labels = random_labels(&mut rng, shape, 4);
            let fast = instance_distance(&labels, shape);
            let brute = brute_distance(&labels, shape);
            for (i, (a, b)) in fast.iter().zip(&brute).enumerate() {
                assert!((a - b).abs() < 1e-6, "shape {shape:?} voxel {i}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn distance_of_a_large_slice_is_fast() {
        let mut rng = XorShift(11);
        let shape = [1, 1024, 1024];
        let labels = random_labels(&mut rng, shape, 1000);
        let started = std::time::Instant::now();
        let dist = instance_distance(&labels, shape);
        let elapsed = started.elapsed();
        assert!(dist.iter().all(|&d| (0.0..=1.0).contains(&d)));
        assert!(elapsed.as_secs_f64() < 2.0, "1024x1024 distance took {elapsed:?}");
    }
}
