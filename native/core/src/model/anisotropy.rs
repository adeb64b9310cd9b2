//! How a 3D network adapts to anisotropic voxels (serial-section EM: sections are often 4-10
//! times thicker than the in-plane pixels). An axis is halved at a level only while its spacing
//! is still below twice the finest spacing, so z waits until the in-plane axes have caught up;
//! and a kernel spans an axis (3 wide) only where that axis is not much coarser than the finest.
//! Isotropic voxels give the plain isotropic U-Net.
use super::unet::Level;

/// Per level: the stride that enters it and its kernel, axes z, y, x. Level 0 has stride 1.
/// `voxel_nm` is x, y, z (as people write it); `levels` is the number of U-Net levels.
pub fn anisotropic_levels(voxel_nm: [f64; 3], levels: usize) -> Vec<Level> {
    let mut spacing = [voxel_nm[2], voxel_nm[1], voxel_nm[0]]; // z, y, x
    let mut plan = Vec::with_capacity(levels);
    for level in 0..levels {
        let finest = spacing.iter().cloned().fold(f64::INFINITY, f64::min);
        let stride: Vec<i64> = if level == 0 {
            vec![1, 1, 1]
        } else {
            spacing.iter().map(|&s| if s < 2.0 * finest { 2 } else { 1 }).collect()
        };
        for (s, &st) in spacing.iter_mut().zip(&stride) {
            *s *= st as f64;
        }
        let finest = spacing.iter().cloned().fold(f64::INFINITY, f64::min);
        let kernel = spacing.iter().map(|&s| if s < 2.0 * finest { 3 } else { 1 }).collect();
        plan.push(Level { kernel, stride });
    }
    plan
}

/// Input/output convolution kernel: 5 wide on every axis the first level's kernel spans.
pub fn io_kernel(levels: &[Level]) -> Vec<i64> {
    levels[0].kernel.iter().map(|&k| if k > 1 { 5 } else { 1 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (z stride, z kernel) per level for a voxel size x, y, z.
    fn z_plan(voxel: [f64; 3]) -> Vec<(i64, i64)> {
        anisotropic_levels(voxel, 5).iter().map(|l| (l.stride[0], l.kernel[0])).collect()
    }

    #[test]
    fn voxel_size_table() {
        // 10x10x40 nm: z is not pooled at levels 1 and 2, then pooled with y and x.
        assert_eq!(z_plan([10.0, 10.0, 40.0]), vec![(1, 1), (1, 1), (1, 3), (2, 3), (2, 3)]);
        // Isotropic: every level halves every axis with 3x3x3 kernels.
        assert_eq!(z_plan([10.0, 10.0, 10.0]), vec![(1, 3), (2, 3), (2, 3), (2, 3), (2, 3)]);
        // vnc_sstem, 4.6x4.6x50 nm: z is spanned from level 3 (36.8 nm in-plane) and halved once,
        // at the deepest level.
        assert_eq!(z_plan([4.6, 4.6, 50.0]), vec![(1, 1), (1, 1), (1, 1), (1, 3), (2, 3)]);
        // 5x5x40 (the configs' default, 8 times coarser in z): z joins one level later than at 10x10x40.
        assert_eq!(z_plan([5.0, 5.0, 40.0]), vec![(1, 1), (1, 1), (1, 1), (1, 3), (2, 3)]);
        // y and x are always halved from level 1 on when they are the finest axes.
        assert!(anisotropic_levels([4.6, 4.6, 50.0], 5)[1..].iter().all(|l| l.stride[1..] == [2, 2]));
    }

    #[test]
    fn io_kernels_follow_the_first_level() {
        assert_eq!(io_kernel(&anisotropic_levels([10.0, 10.0, 40.0], 5)), vec![1, 5, 5]);
        assert_eq!(io_kernel(&anisotropic_levels([10.0, 10.0, 10.0], 5)), vec![5, 5, 5]);
    }
}
