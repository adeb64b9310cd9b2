//! Resampling between the voxel size of a stack and that of a model, so a model trained at
//! 5 nm labels a 4 nm stack at the scale it learned. Separable linear interpolation for
//! intensities and probabilities (align-corners: the first and last voxels map onto each other).
/// The size of a stack of `shape` with voxels `from_nm` once resampled to `to_nm` (both x, y, z).
pub fn resampled_shape(shape: [usize; 3], from_nm: [f64; 3], to_nm: [f64; 3]) -> [usize; 3] {
    let factor = [from_nm[2] / to_nm[2], from_nm[1] / to_nm[1], from_nm[0] / to_nm[0]]; // z, y, x
    [0, 1, 2].map(|d| ((shape[d] as f64 * factor[d]).round() as usize).max(1))
}

/// `resampled_shape`, refused when the resampled stack, at `bytes_per_voxel` of working memory
/// per voxel, cannot fit in this machine's memory: a wrong voxel size (1000 nm for 1) would
/// otherwise ask for terabytes and end the process, and Fiji with it.
pub fn checked_resampled_shape(
    shape: [usize; 3],
    from_nm: [f64; 3],
    to_nm: [f64; 3],
    bytes_per_voxel: u64,
) -> crate::error::Result<[usize; 3]> {
    let factor = [from_nm[2] / to_nm[2], from_nm[1] / to_nm[1], from_nm[0] / to_nm[0]];
    let voxels: f64 = (0..3).map(|d| (shape[d] as f64 * factor[d]).round().max(1.0)).product();
    let bytes = voxels * bytes_per_voxel as f64;
    let what = format!(
        "voxel_nm: the {}x{}x{} (z, y, x) stack at {}x{}x{} nm resampled to {}x{}x{} nm ({:.3e} voxels)",
        shape[0], shape[1], shape[2], from_nm[0], from_nm[1], from_nm[2], to_nm[0], to_nm[1], to_nm[2], voxels
    );
    let fits = if bytes.is_finite() && bytes < u128::MAX as f64 { segtrain_volume::memory::check_fits(bytes as u128, &what) } else { Err(format!("{what} is too large")) };
    fits.map_err(|m| crate::error::Error::setting(format!("{m}; is the voxel size right?")))?;
    Ok(resampled_shape(shape, from_nm, to_nm))
}

/// The most a stack is resampled to meet a model's voxel size (per axis, up or down): models
/// train at scales 1 to 8, so a larger ratio is almost always a unit mistake (µm typed as nm).
pub const MAX_RESAMPLING: f64 = 16.0;

/// Refuses a voxel size that would resample the stack more than [`MAX_RESAMPLING`]-fold, before
/// hours are spent labelling a stack blown up 200 times.
pub fn check_resampling_ratio(stack_nm: [f64; 3], model_nm: [f64; 3]) -> crate::error::Result<()> {
    for (axis, (s, m)) in ["x", "y", "z"].iter().zip(stack_nm.iter().zip(&model_nm)) {
        let ratio = s / m;
        if !(1.0 / MAX_RESAMPLING..=MAX_RESAMPLING).contains(&ratio) {
            return Err(crate::error::Error::setting(format!(
                "{axis}_nm: the stack's {axis} voxel size {s} nm is {ratio:.3} times the model's {m} nm; SegTrain resamples at most {MAX_RESAMPLING}-fold. \
                 Is it in nanometres? Give the stack's voxel size in nm"
            )));
        }
    }
    Ok(())
}

/// Linear resampling of `channels` channel-major volumes of `shape` to `target`.
pub fn resample_linear(values: &[f32], channels: usize, shape: [usize; 3], target: [usize; 3]) -> Vec<f32> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(channels * target.iter().product::<usize>());
    for c in 0..channels {
        let mut v = values[c * n..(c + 1) * n].to_vec();
        let mut s = shape;
        for axis in [2, 1, 0] {
            if s[axis] != target[axis] {
                v = resample_axis(&v, s, axis, target[axis]);
                s[axis] = target[axis];
            }
        }
        out.extend(v);
    }
    out
}

/// Nearest-neighbour resampling of a label volume of `shape` to `target` (ids stay ids), on
/// the same grid as [`resample_linear`], so labels and images resampled alike stay aligned.
pub fn resample_nearest(labels: &[u32], shape: [usize; 3], target: [usize; 3]) -> Vec<u32> {
    let index = |axis: usize| -> Vec<usize> {
        (0..target[axis]).map(|i| source_position(i, shape[axis], target[axis]).round() as usize).collect()
    };
    let (zs, ys, xs) = (index(0), index(1), index(2));
    let mut out = Vec::with_capacity(target.iter().product());
    for &z in &zs {
        for &y in &ys {
            let row = (z * shape[1] + y) * shape[2];
            out.extend(xs.iter().map(|&x| labels[row + x]));
        }
    }
    out
}

/// Where output index i of an axis of `m` samples falls in an input axis of `n` samples.
fn source_position(i: usize, n: usize, m: usize) -> f64 {
    if m <= 1 || n <= 1 { 0.0 } else { i as f64 * (n - 1) as f64 / (m - 1) as f64 }
}

fn resample_axis(values: &[f32], shape: [usize; 3], axis: usize, m: usize) -> Vec<f32> {
    let n = shape[axis];
    let stride: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    let mut out = vec![0f32; outer * m * stride];
    for i in 0..m {
        let p = source_position(i, n, m);
        let (lo, t) = (p.floor() as usize, (p - p.floor()) as f32);
        let hi = (lo + 1).min(n - 1);
        for o in 0..outer {
            let (a, b) = ((o * n + lo) * stride, (o * n + hi) * stride);
            let dst = (o * m + i) * stride;
            for k in 0..stride {
                out[dst + k] = values[a + k] * (1.0 - t) + values[b + k] * t;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voxel_size_that_asks_for_terabytes_is_refused_by_name() {
        let err = checked_resampled_shape([30, 512, 512], [1000.0; 3], [5.0, 5.0, 40.0], 16).unwrap_err().to_string();
        assert!(err.contains("voxel_nm: the 30x512x512 (z, y, x) stack at 1000x1000x1000 nm resampled to 5x5x40 nm"), "{err}");
        assert!(err.contains("but only") && err.contains("is the voxel size right?"), "{err}");
        assert_eq!(checked_resampled_shape([2, 10, 10], [10.0, 10.0, 40.0], [5.0, 5.0, 40.0], 16).unwrap(), [2, 20, 20]);
        let err = check_resampling_ratio([1000.0; 3], [5.0, 5.0, 40.0]).unwrap_err().to_string();
        assert!(err.contains("x_nm: the stack's x voxel size 1000 nm is 200.000 times the model's 5 nm"), "{err}");
        assert!(check_resampling_ratio([40.0, 40.0, 40.0], [5.0, 5.0, 40.0]).is_ok(), "8-fold: a model trained at scale 8");
    }

    #[test]
    fn a_linear_ramp_stays_a_ramp_and_constants_stay_constant() {
        let ramp: Vec<f32> = (0..5).map(|i| i as f32).collect();
        assert_eq!(resample_linear(&ramp, 1, [1, 1, 5], [1, 1, 9]), vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]);
        let constant = vec![3.0f32; 2 * 6 * 7 * 8];
        let out = resample_linear(&constant, 2, [6, 7, 8], [3, 10, 5]);
        assert_eq!(out.len(), 2 * 150);
        assert!(out.iter().all(|&v| (v - 3.0).abs() < 1e-6));
    }

    #[test]
    fn nearest_keeps_ids_and_lands_on_the_linear_grid() {
        // 1 x 1 x 5 ids to 9 samples: align-corners positions 0, 0.5, 1, ... rounded half away.
        let ids = [1u32, 2, 3, 4, 5];
        assert_eq!(resample_nearest(&ids, [1, 1, 5], [1, 1, 9]), vec![1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Halving a 2 x 4 x 4 volume picks rows/columns 0 and 3, slices 0 and 1.
        let volume: Vec<u32> = (0..32).collect();
        assert_eq!(resample_nearest(&volume, [2, 4, 4], [2, 2, 2]), vec![0, 3, 12, 15, 16, 19, 28, 31]);
    }

    #[test]
    fn shapes_follow_the_voxel_sizes() {
        // 4 nm pixels to a 5 nm model: 100 px become 80.
        assert_eq!(resampled_shape([10, 100, 50], [4.0, 4.0, 40.0], [5.0, 5.0, 40.0]), [10, 80, 40]);
    }
}
