//! Connected components of a binary volume, per slice (4-connectivity in y/x) or in 3-D
//! (6-connectivity), the same neighbourhoods as the watershed so that a seed component is
//! exactly what one flood front grows from.
//!
//! Two raster passes with a union-find over provisional labels (O(n α(n)), no queue, no
//! recursion): memory beyond the output is one `u32` per provisional label, at most one per
//! two voxels (a checkerboard) and usually a few per object.

use super::shape;

/// Labels the connected components of the non-zero voxels of `mask`: ids 1..=count in order
/// of first appearance in scan order (z, then y, then x), 0 elsewhere; returns the labels
/// and the count.
///
/// `per_slice`: each z slice on its own (4-connectivity, y/x neighbours only); ids still run
/// on across slices, so they are unique in the stack, but a cell cut by several sections gets
/// one id per section. Otherwise 3-D 6-connectivity.
///
/// # Panics
/// If `mask.len()` is not the product of `shape` (see [`shape::voxels`]).
pub fn connected_components(mask: &[u8], shape: [usize; 3], per_slice: bool) -> (Vec<u32>, u32) {
    shape::voxels(mask.len(), shape, "mask");
    label_where(shape, per_slice, |i| mask[i] != 0)
}

/// [`connected_components`] of the voxels where `inside(index)` holds: callers with a derived
/// mask (seeds are "foreground high and contour low") test it on the fly instead of
/// materialising a byte per voxel. The caller has checked the shape.
pub(super) fn label_where(shape: [usize; 3], per_slice: bool, inside: impl Fn(usize) -> bool) -> (Vec<u32>, u32) {
    let [depth, height, width] = shape;
    let plane = height * width;
    let mut labels = vec![0u32; depth * plane];
    // parent[l] of provisional label l; 0 is "no label" and maps to itself. Invariant:
    // parent[l] <= l (unions hang the larger root under the smaller one), which the
    // resolution below relies on.
    let mut parent: Vec<u32> = vec![0];
    let mut i = 0;
    for z in 0..depth {
        for y in 0..height {
            for x in 0..width {
                if inside(i) {
                    // Earlier neighbours only: they are already labelled (0 when outside).
                    let mut label = if x > 0 { labels[i - 1] } else { 0 };
                    if y > 0 {
                        label = merge(&mut parent, label, labels[i - width]);
                    }
                    if z > 0 && !per_slice {
                        label = merge(&mut parent, label, labels[i - plane]);
                    }
                    if label == 0 {
                        label = parent.len() as u32;
                        parent.push(label);
                    }
                    labels[i] = label;
                }
                i += 1;
            }
        }
    }
    // Final ids by increasing root. A component's root is its smallest provisional label,
    // the one created at its first voxel in scan order, so ids follow first appearance.
    // parent[l] < l for a non-root, whose entry is therefore already final.
    let mut count = 0u32;
    for l in 1..parent.len() {
        let p = parent[l] as usize;
        parent[l] = if p == l {
            count += 1;
            count
        } else {
            parent[p]
        };
    }
    for label in &mut labels {
        *label = parent[*label as usize];
    }
    (labels, count)
}

/// Joins the classes of provisional labels `a` and `b` (either may be 0: none) and returns a
/// label of the joined class.
fn merge(parent: &mut [u32], a: u32, b: u32) -> u32 {
    if b == 0 || a == b {
        return a;
    }
    if a == 0 {
        return b;
    }
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra <= rb {
        parent[rb as usize] = ra;
        ra
    } else {
        parent[ra as usize] = rb;
        rb
    }
}

/// Root of `a`, halving the path on the way (each visited node jumps to its grandparent),
/// which keeps the trees flat without a second pass.
fn find(parent: &mut [u32], mut a: u32) -> u32 {
    loop {
        let p = parent[a as usize];
        if p == a {
            return a;
        }
        let g = parent[p as usize];
        parent[a as usize] = g;
        a = g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(rows: &[&str]) -> Vec<u8> {
        rows.iter().flat_map(|r| r.bytes().map(|b| (b == b'#') as u8)).collect()
    }

    #[test]
    fn diagonal_pixels_are_separate_and_ids_follow_scan_order() {
        let mask = parse(&["#..#", ".#..", "...#"]);
        let (labels, count) = connected_components(&mask, [1, 3, 4], true);
        assert_eq!(count, 4);
        assert_eq!(labels, vec![1, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 4]);
    }

    #[test]
    fn shapes_that_need_unions_are_one_component() {
        // A U and a W: branches are labelled apart and joined at the bottom row, which
        // exercises the union and the resolution of chains.
        let mask = parse(&["#.#.#.#", "#.#.#.#", "#######", ".......", "#.#.#..", "###.#.#", "..#####"]);
        let (labels, count) = connected_components(&mask, [1, 7, 7], false);
        assert_eq!(count, 2);
        for (&m, &l) in mask.iter().zip(&labels) {
            assert_eq!(m != 0, l != 0);
        }
        assert!(labels[..21].iter().all(|&l| l == 0 || l == 1));
        assert!(labels[28..].iter().all(|&l| l == 0 || l == 2));
    }

    #[test]
    fn slices_join_in_3d_but_not_per_slice() {
        // Two slices, each a single column pixel at the same place plus one off-axis pixel.
        let mask = parse(&["#..", "..#", "#..", "..."]); // shape [2, 2, 3]
        let (labels, count) = connected_components(&mask, [2, 2, 3], false);
        assert_eq!(count, 2);
        assert_eq!(labels, vec![1, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0]);
        let (labels, count) = connected_components(&mask, [2, 2, 3], true);
        assert_eq!(count, 3);
        assert_eq!(labels, vec![1, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(connected_components(&[], [0, 4, 4], false), (vec![], 0));
        assert_eq!(connected_components(&[0; 6], [1, 2, 3], true), (vec![0; 6], 0));
    }
}
