//! Sizes of what the labels mark, measured once on the training labels. The scale a model
//! trains at (`train::scale`) and the post-processing's size limits (`store::PostProcess`)
//! follow from them, so that neither depends on defaults that know nothing of the objects.
//!
//! Volumes are row-major `[z, y, x]` with `shape = [depth, height, width]`.
//!
//! Sparse labels: voxels of the ignore label are not annotated. They are no object and no class,
//! and an object that touches them may continue there, so its size is unknown and it is not
//! measured (only complete objects are); a class boundary is only where two annotated classes
//! meet.
use std::collections::{HashMap, HashSet};

/// Pixel count of every object's cross-section in every slice: the 4-connected regions of one
/// non-zero id within a slice. A 2D instance model sees objects only as these cross-sections,
/// and the in-plane size is what decides the in-plane scale of a 3D model too. Regions, not
/// ids: a binary mask (one id for every object) or an id used twice in a slice still measures
/// each object on its own. With `ignore`, unannotated voxels are no object, and objects touching
/// one (8-neighbourhood) are left out: their size is unknown.
pub fn section_areas(labels: &[u32], shape: [usize; 3], ignore: Option<u32>) -> Vec<u64> {
    let (height, width) = (shape[1], shape[2]);
    let plane = height * width;
    let mut areas = Vec::new();
    let mut seen = vec![false; plane];
    let mut stack = Vec::new();
    for slice in labels.chunks_exact(plane.max(1)) {
        seen.iter_mut().for_each(|s| *s = false);
        for start in 0..plane {
            let id = slice[start];
            if id == 0 || seen[start] || Some(id) == ignore {
                continue;
            }
            seen[start] = true;
            stack.push(start);
            let mut area = 0u64;
            let mut complete = true;
            while let Some(i) = stack.pop() {
                area += 1;
                let (y, x) = (i / width, i % width);
                if let Some(ignore) = ignore {
                    complete &= !touches(slice, height, width, y, x, ignore);
                }
                let neighbours = [(y > 0).then(|| i - width), (y + 1 < height).then(|| i + width), (x > 0).then(|| i - 1), (x + 1 < width).then(|| i + 1)];
                for j in neighbours.into_iter().flatten() {
                    if !seen[j] && slice[j] == id {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
            if complete {
                areas.push(area);
            }
        }
    }
    areas
}

/// Whether a pixel of `value` is among the 8 neighbours of (y, x) in the slice.
fn touches(slice: &[u32], height: usize, width: usize, y: usize, x: usize, value: u32) -> bool {
    (y.saturating_sub(1)..(y + 2).min(height)).any(|qy| (x.saturating_sub(1)..(x + 2).min(width)).any(|qx| slice[qy * width + qx] == value))
}

/// Voxel count of every object (all voxels of one id, in the whole stack). With `ignore`,
/// unannotated voxels are no object, and ids touching one (in-plane 8-neighbourhood, or the
/// voxel above or below) are left out.
pub fn object_volumes(labels: &[u32], shape: [usize; 3], ignore: Option<u32>) -> Vec<u64> {
    let mut counts = count_ids(labels);
    if let Some(ignore) = ignore {
        counts.remove(&ignore);
        let [depth, height, width] = shape;
        let plane = height * width;
        let mut incomplete = HashSet::new();
        for (i, &l) in labels.iter().enumerate() {
            if l == 0 || l == ignore || incomplete.contains(&l) {
                continue;
            }
            let (z, y, x) = (i / plane, i % plane / width, i % width);
            let slice = &labels[z * plane..(z + 1) * plane];
            let above_below = (z > 0 && labels[i - plane] == ignore) || (z + 1 < depth && labels[i + plane] == ignore);
            if above_below || touches(slice, height, width, y, x, ignore) {
                incomplete.insert(l);
            }
        }
        counts.retain(|id, _| !incomplete.contains(id));
    }
    counts.into_values().collect()
}

/// Voxels per non-zero id; looked up once per run of equal ids (objects are runs along x).
fn count_ids(labels: &[u32]) -> HashMap<u32, u64> {
    let mut counts = HashMap::new();
    let mut run = (0u32, 0u64);
    for &id in labels {
        if id == run.0 {
            run.1 += 1;
            continue;
        }
        if run.0 != 0 {
            *counts.entry(run.0).or_insert(0) += run.1;
        }
        run = (id, 1);
    }
    if run.0 != 0 {
        *counts.entry(run.0).or_insert(0) += run.1;
    }
    counts
}

/// The diameter of a disc of `area` pixels.
pub fn equivalent_diameter(area: f64) -> f64 {
    (4.0 * area / std::f64::consts::PI).sqrt()
}

/// The value below which a share `q` (0..=1) of `values` lie (nearest rank); None when empty.
pub fn quantile(values: &[u64], q: f64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Classes holding less than this share of the pixels are too rare to set the scale (a few
/// stray pixels of a class would otherwise force full resolution).
const MIN_CLASS_SHARE: f64 = 0.01;

/// The typical width in pixels of the thinnest class of a semantic label stack, and that class:
/// for each class, 4 x the mean in-plane distance of its pixels to the nearest pixel of
/// another class, minus 2 (a band w pixels wide has distances 1, 2, ..., w/2, ..., 2, 1, whose
/// mean is (w + 2) / 4). A disc of diameter d measures about 2d/3. The image border is not a
/// boundary; pixels of a slice that holds one class only are not counted.
///
/// Distances are the 3-4 chamfer approximation of the Euclidean distance (within 8 %), in two
/// passes per slice with one scratch slice of 4 bytes per pixel.
///
/// With `ignore` (sparse labels) unannotated pixels are no class and no boundary: a class
/// boundary is where two annotated classes meet, and a pixel counts only when such a boundary is
/// no farther than the nearest unannotated pixel (beyond that the structure's extent is
/// unknown). So partial annotations measure structures no wider than they are (a smaller width
/// keeps more resolution), and annotations that never meet another class measure nothing.
pub fn thinnest_structure(labels: &[u32], shape: [usize; 3], ignore: Option<u32>) -> Option<(u32, f64)> {
    let (height, width) = (shape[1], shape[2]);
    let plane = height * width;
    // class -> (pixels, pixels with a finite distance, sum of distances in chamfer units)
    let mut sums: HashMap<u32, (u64, u64, u64)> = HashMap::new();
    let mut distance = vec![0u32; plane];
    let mut to_unannotated = if ignore.is_some() { vec![0u32; plane] } else { Vec::new() };
    for slice in labels.chunks_exact(plane.max(1)) {
        chamfer_to_other_class(slice, height, width, ignore, &mut distance);
        if let Some(ignore) = ignore {
            let unannotated: Vec<u32> = slice.iter().map(|&l| (l == ignore) as u32).collect();
            chamfer_to_other_class(&unannotated, height, width, None, &mut to_unannotated);
        }
        for (i, (&class, &d)) in slice.iter().zip(&distance).enumerate() {
            if Some(class) == ignore {
                continue;
            }
            let entry = sums.entry(class).or_insert((0, 0, 0));
            entry.0 += 1;
            if d != u32::MAX && (ignore.is_none() || d <= to_unannotated[i]) {
                entry.1 += 1;
                entry.2 += d as u64;
            }
        }
    }
    let total: u64 = sums.values().map(|s| s.0).sum();
    sums.into_iter()
        .filter(|(_, (pixels, finite, _))| *finite > 0 && *pixels as f64 >= MIN_CLASS_SHARE * total as f64)
        .map(|(class, (_, finite, sum))| (class, 4.0 * (sum as f64 / 3.0 / finite as f64) - 2.0))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
}

/// Chamfer distance (3 per step, 4 per diagonal step) of each pixel to the nearest pixel of
/// another class, counting a pixel next to another class (4-neighbourhood) as 3 (one step);
/// u32::MAX where no other class is in the slice. `ignore` pixels are no class: neither a pixel
/// of another class nor one next to it (the distance passes through them).
fn chamfer_to_other_class(slice: &[u32], height: usize, width: usize, ignore: Option<u32>, d: &mut [u32]) {
    const FAR: u32 = u32::MAX;
    let at = |y: usize, x: usize| y * width + x;
    let ignored = |v: u32| Some(v) == ignore;
    for y in 0..height {
        for x in 0..width {
            let c = slice[at(y, x)];
            let other = |v: u32| v != c && !ignored(v);
            let edge = !ignored(c)
                && ((y > 0 && other(slice[at(y - 1, x)]))
                    || (y + 1 < height && other(slice[at(y + 1, x)]))
                    || (x > 0 && other(slice[at(y, x - 1)]))
                    || (x + 1 < width && other(slice[at(y, x + 1)])));
            d[at(y, x)] = if edge { 3 } else { FAR };
        }
    }
    let relax = |d: &mut [u32], i: usize, j: usize, step: u32| {
        if d[j] != FAR && d[j] + step < d[i] {
            d[i] = d[j] + step;
        }
    };
    for y in 0..height {
        for x in 0..width {
            let i = at(y, x);
            if x > 0 { relax(d, i, i - 1, 3) }
            if y > 0 {
                relax(d, i, at(y - 1, x), 3);
                if x > 0 { relax(d, i, at(y - 1, x - 1), 4) }
                if x + 1 < width { relax(d, i, at(y - 1, x + 1), 4) }
            }
        }
    }
    for y in (0..height).rev() {
        for x in (0..width).rev() {
            let i = at(y, x);
            if x + 1 < width { relax(d, i, i + 1, 3) }
            if y + 1 < height {
                relax(d, i, at(y + 1, x), 3);
                if x + 1 < width { relax(d, i, at(y + 1, x + 1), 4) }
                if x > 0 { relax(d, i, at(y + 1, x - 1), 4) }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Discs of `radius` with ids 1, 2, ... on a grid of `spacing` pixels in every slice.
    pub(crate) fn disc_grid(shape: [usize; 3], radius: f64, spacing: usize) -> Vec<u32> {
        let [depth, height, width] = shape;
        let mut labels = vec![0u32; depth * height * width];
        let per_row = width / spacing;
        for z in 0..depth {
            for y in 0..height {
                for x in 0..width {
                    let (cy, cx) = (y / spacing, x / spacing);
                    let (dy, dx) = ((y % spacing) as f64 - spacing as f64 / 2.0, (x % spacing) as f64 - spacing as f64 / 2.0);
                    if dy * dy + dx * dx <= radius * radius && cx < per_row {
                        labels[(z * height + y) * width + x] = (cy * per_row + cx + 1) as u32;
                    }
                }
            }
        }
        labels
    }

    #[test]
    fn section_areas_count_each_object_in_each_slice() {
        // Object 7: 3 px in slice 0, and in slice 1 two separate pixels; object 9: 1 px.
        let labels = [7, 7, 0, 7, /**/ 7, 9, 0, 7];
        let mut areas = section_areas(&labels, [2, 2, 2], None);
        areas.sort();
        assert_eq!(areas, vec![1, 1, 1, 3]);
        // A binary mask of two separate squares measures two objects.
        let mask = [1, 1, 0, 1, 1, 1, 1, 0, 1, 1];
        assert_eq!(section_areas(&mask, [1, 2, 5], None), vec![4, 4]);
        let mut volumes = object_volumes(&labels, [2, 2, 2], None);
        volumes.sort();
        assert_eq!(volumes, vec![1, 5]);
    }

    #[test]
    fn discs_of_known_size_have_their_diameter() {
        let labels = disc_grid([2, 240, 240], 20.0, 60);
        let areas = section_areas(&labels, [2, 240, 240], None);
        assert_eq!(areas.len(), 2 * 16);
        let median = quantile(&areas, 0.5).unwrap() as f64;
        assert!((equivalent_diameter(median) - 40.0).abs() < 1.0, "{}", equivalent_diameter(median));
    }

    #[test]
    fn quantiles_by_nearest_rank() {
        let values = [5u64, 1, 4, 2, 3];
        assert_eq!(quantile(&values, 0.5), Some(3));
        assert_eq!(quantile(&values, 0.1), Some(1));
        assert_eq!(quantile(&values, 1.0), Some(5));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn the_thinnest_class_and_its_width() {
        // Stripes: class 1 is 4 px wide, class 2 is 20 px wide, alternating along x (the thin
        // stripes all inside the image: the border is not a boundary).
        let (height, width) = (32, 240);
        let labels: Vec<u32> = (0..height * width).map(|i| if (i % width + 10) % 24 < 4 { 1 } else { 2 }).collect();
        let (class, w) = thinnest_structure(&labels, [1, height, width], None).unwrap();
        assert_eq!(class, 1);
        assert!((w - 4.0).abs() < 0.01, "{w}");
        // Only the wide class: its width.
        let wide: Vec<u32> = labels.iter().map(|&c| if c == 1 { 2 } else { c }).collect();
        assert_eq!(thinnest_structure(&wide, [1, height, width], None), None, "one class: no boundary");
    }

    #[test]
    fn sparse_labels_measure_complete_objects_and_annotated_boundaries_only() {
        const IGNORE: u32 = 65535;
        // Two 4-px objects; object 7 touches the unannotated pixel (diagonally): not measured.
        #[rustfmt::skip]
        let labels = [
            3, 3, 0, 0, 0,
            3, 3, 0, 0, 7,
            0, 0, 0, 7, 7,
            0, 0, 0, 0, 7,
            0, 0, 0, IGNORE, 0,
        ];
        assert_eq!(section_areas(&labels, [1, 5, 5], Some(IGNORE)), vec![4]);
        let mut with_ignore_as_object = section_areas(&labels, [1, 5, 5], None);
        with_ignore_as_object.sort();
        assert_eq!(with_ignore_as_object, vec![1, 4, 4], "the dense reading counts the unannotated pixel as an object");
        // 3D: object 7 complete in its slice, but the voxel below its pixel (1, 4) unannotated.
        let mut labels3 = labels.to_vec();
        labels3[4 * 5 + 3] = 0;
        labels3.extend([0; 25]);
        let mut volumes = object_volumes(&labels3, [2, 5, 5], Some(IGNORE));
        volumes.sort();
        assert_eq!(volumes, vec![4, 4]);
        labels3[25 + 5 + 4] = IGNORE;
        assert_eq!(object_volumes(&labels3, [2, 5, 5], Some(IGNORE)), vec![4]);

        // Semantic: class 1 annotated as a 4-px stripe between class 2 stripes (a real
        // boundary), inside a slice otherwise unannotated, plus a lone 10-px-wide patch of class
        // 3 that meets no other class: the width is the stripe's.
        let (height, width) = (40, 60);
        let mut labels = vec![IGNORE; height * width];
        for y in 5..35 {
            for x in 10..30 {
                labels[y * width + x] = if (18..22).contains(&x) { 1 } else { 2 };
            }
            for x in 40..50 {
                labels[y * width + x] = 3;
            }
        }
        let (class, w) = thinnest_structure(&labels, [1, height, width], Some(IGNORE)).unwrap();
        assert_eq!(class, 1);
        assert!((w - 4.0).abs() < 0.5, "{w}");
        // Without the stripe no two annotated classes meet: nothing to measure (scale 1); read
        // densely, the unannotated pixels would be a class and class 3 a 10-px band.
        let lone: Vec<u32> = labels.iter().map(|&l| if l == 1 { 2 } else { l }).collect();
        assert_eq!(thinnest_structure(&lone, [1, height, width], Some(IGNORE)), None);
        let (class, w) = thinnest_structure(&lone, [1, height, width], None).unwrap();
        assert!(class == 3 && (w - 10.0).abs() < 2.0, "{class} {w}"); // a 10 x 30 patch, about a 10-px band
    }

    #[test]
    fn rare_classes_do_not_set_the_width() {
        // Two halves (each 64 px wide) and a single stray pixel of class 3.
        let (height, width) = (64, 128);
        let mut labels: Vec<u32> = (0..height * width).map(|i| if i % width < 64 { 1 } else { 2 }).collect();
        labels[10 * width + 10] = 3;
        let (class, w) = thinnest_structure(&labels, [1, height, width], None).unwrap();
        assert!(class == 1 || class == 2);
        assert!(w > 40.0, "{w}");
    }
}
