//! Shape checks shared by the post-processing entry points.
//!
//! Every function here takes flat row-major `[z, y, x]` slices plus a `[depth, height, width]`
//! shape; a mismatch is a programming error and panics at the entry point, before any work,
//! rather than as an out-of-bounds index deep inside a flood.

/// The number of voxels of `shape`, checked against `len`.
///
/// Voxel indices and object ids are `u32` throughout (half the memory of `usize` in the flood
/// queue and the union-find table, and ids are `u32` in Fiji label images), so a volume must
/// have fewer than `u32::MAX` voxels: 4 G voxels, well above the hundreds of millions of an
/// EM stack.
///
/// # Panics
/// If `len` is not the product of `shape`, or the volume has `u32::MAX` voxels or more.
pub(super) fn voxels(len: usize, shape: [usize; 3], what: &str) -> usize {
    let n = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    assert_eq!(Some(len), n, "{what} has {len} values, shape {shape:?} needs {n:?}");
    assert!(len < u32::MAX as usize, "{what}: {len} voxels do not fit u32 indices");
    len
}
