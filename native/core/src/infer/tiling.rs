//! Where the sliding windows go. Along each axis windows start every `stride` voxels and the last
//! one is flush with the end, so every voxel is covered; a window larger than the stack along an
//! axis shrinks to the stack (the network takes any size).
/// Window origins along one axis of length `n` for windows of `window` voxels overlapping by
/// `overlap` (a share of the window, 0 to <1).
pub fn axis_origins(n: usize, window: usize, overlap: f64) -> Vec<usize> {
    let window = window.min(n).max(1);
    let stride = ((window as f64 * (1.0 - overlap)).round() as usize).clamp(1, window);
    let mut origins: Vec<usize> = (0..=n - window).step_by(stride).collect();
    if *origins.last().unwrap() != n - window {
        origins.push(n - window);
    }
    origins
}

/// The window actually used for a stack: the model's window, cut to the stack.
pub fn effective_window(shape: [usize; 3], window: [usize; 3]) -> [usize; 3] {
    [0, 1, 2].map(|d| window[d].min(shape[d]).max(1))
}

/// All window origins (z, y, x) of a stack, z slowest.
pub fn window_origins(shape: [usize; 3], window: [usize; 3], overlap: f64) -> Vec<[usize; 3]> {
    let w = effective_window(shape, window);
    let (zs, ys, xs) = (axis_origins(shape[0], w[0], overlap), axis_origins(shape[1], w[1], overlap), axis_origins(shape[2], w[2], overlap));
    let mut out = Vec::with_capacity(zs.len() * ys.len() * xs.len());
    for &z in &zs {
        for &y in &ys {
            for &x in &xs {
                out.push([z, y, x]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_cover_every_voxel_even_when_the_size_does_not_divide() {
        assert_eq!(axis_origins(10, 4, 0.5), vec![0, 2, 4, 6]);
        assert_eq!(axis_origins(11, 4, 0.5), vec![0, 2, 4, 6, 7]);
        assert_eq!(axis_origins(4, 8, 0.5), vec![0], "a window larger than the stack shrinks");
        assert_eq!(axis_origins(100, 64, 0.0), vec![0, 36]);
        for (n, w, o) in [(37, 16, 0.5), (128, 128, 0.5), (5, 3, 0.25), (1000, 96, 0.3)] {
            let mut covered = vec![0; n];
            for s in axis_origins(n, w, o) {
                let w = w.min(n);
                assert!(s + w <= n);
                covered[s..s + w].iter_mut().for_each(|c| *c += 1);
            }
            assert!(covered.iter().all(|&c| c > 0), "{n} {w} {o}");
        }
    }
}
