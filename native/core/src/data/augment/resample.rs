//! Shared geometry for the in-plane warps: sampling the window at non-integer source positions
//! (bilinear for the image, nearest neighbour for the labels, so labels stay label ids), mirror
//! reflection at the borders (the window's own content continues, no black margins that the
//! network could learn), and Gaussian smoothing of a displacement field.
use super::Sample;

/// Mirror a continuous coordinate into [0, n-1] (reflection about 0 and n-1, as scipy's
/// "mirror" mode), for any distance outside.
#[inline]
pub fn reflect(c: f64, n: usize) -> f64 {
    let last = n.saturating_sub(1) as f64;
    if (0.0..=last).contains(&c) {
        return c;
    }
    if n <= 1 {
        return 0.0;
    }
    let period = 2.0 * last;
    let c = c.abs() % period;
    if c > last {
        period - c
    } else {
        c
    }
}

/// Mirror an integer index into 0..n (same reflection as [`reflect`]).
#[inline]
pub fn reflect_index(i: isize, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let period = 2 * (n as isize - 1);
    let i = i.rem_euclid(period);
    (if i >= n as isize { period - i } else { i }) as usize
}

/// Resamples every section of the window through the same in-plane map: output (y, x) takes the
/// image bilinearly, and the label of the nearest pixel, at source `(sy, sx) = source(y, x)`,
/// reflected into the window. The map is evaluated once per pixel into a table of taps, which
/// every section then walks contiguously.
pub fn warp_in_plane(sample: &mut Sample, source: impl Fn(usize, usize) -> (f64, f64)) {
    let [_, h, w] = sample.shape;
    let plane = h * w;
    assert!(plane <= u32::MAX as usize, "section of {h} x {w} pixels too large");
    let mut taps = Vec::with_capacity(plane);
    for y in 0..h {
        for x in 0..w {
            let (sy, sx) = source(y, x);
            let (sy, sx) = (reflect(sy, h), reflect(sx, w));
            let (y0, x0) = (sy.floor() as usize, sx.floor() as usize);
            let (step_y, step_x) = (if y0 + 1 < h { w } else { 0 }, usize::from(x0 + 1 < w));
            let (ty, tx) = ((sy - y0 as f64) as f32, (sx - x0 as f64) as f32);
            // The nearest of the four bilinear taps: a label never comes from outside them.
            let near = y0 * w + x0 + if ty < 0.5 { 0 } else { step_y } + if tx < 0.5 { 0 } else { step_x };
            let corner = y0 * w + x0;
            taps.push(Tap { corner: corner as u32, step_y: step_y as u32, step_x: step_x as u32, ty, tx, near: near as u32 });
        }
    }
    let mut image = vec![0f32; sample.image.len()];
    let mut labels = vec![0u32; sample.labels.len()];
    let sections = sample.image.chunks(plane).zip(sample.labels.chunks(plane));
    for ((src, src_labels), (dst, dst_labels)) in sections.zip(image.chunks_mut(plane).zip(labels.chunks_mut(plane))) {
        for ((tap, out), label) in taps.iter().zip(dst).zip(dst_labels) {
            let (corner, step_y, step_x) = (tap.corner as usize, tap.step_y as usize, tap.step_x as usize);
            let (a, b) = (src[corner], src[corner + step_x]);
            let (c, d) = (src[corner + step_y], src[corner + step_y + step_x]);
            let top = a + tap.tx * (b - a);
            let bottom = c + tap.tx * (d - c);
            *out = top + tap.ty * (bottom - top);
            *label = src_labels[tap.near as usize];
        }
    }
    sample.image = image;
    sample.labels = labels;
}

/// Where one output pixel reads: the top-left source pixel, the offsets to the next row and
/// column (0 at the last one), the bilinear weights, and the nearest pixel for the label.
/// 32-bit indices (a section is far below 4 G pixels) keep the table small for the cache.
struct Tap {
    corner: u32,
    step_y: u32,
    step_x: u32,
    ty: f32,
    tx: f32,
    near: u32,
}

/// Gaussian smoothing of an (h, w) field in place, separable, kernel cut at 3 sigma, mirrored
/// borders. `scratch` must hold h * w values.
pub fn gaussian_smooth(field: &mut [f32], h: usize, w: usize, sigma: f64, scratch: &mut [f32]) {
    let radius = (3.0 * sigma).ceil().max(1.0) as isize;
    let mut kernel: Vec<f32> = (-radius..=radius).map(|k| (-(k * k) as f64 / (2.0 * sigma * sigma)).exp() as f32).collect();
    let total: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= total);
    // Along x into scratch (through a mirrored, padded copy of the row so the inner loop has no
    // border tests), then along y back into the field.
    let mut padded = vec![0f32; w + 2 * radius as usize];
    for y in 0..h {
        let row = &field[y * w..(y + 1) * w];
        for (i, p) in padded.iter_mut().enumerate() {
            *p = row[reflect_index(i as isize - radius, w)];
        }
        // Tap by tap over the whole row: a vectorisable multiply-add.
        let out = &mut scratch[y * w..(y + 1) * w];
        out.fill(0.0);
        for (k, weight) in kernel.iter().enumerate() {
            for (o, p) in out.iter_mut().zip(&padded[k..k + w]) {
                *o += weight * p;
            }
        }
    }
    for y in 0..h {
        let out = &mut field[y * w..(y + 1) * w];
        out.fill(0.0);
        for (k, weight) in (-radius..=radius).zip(&kernel) {
            let src = reflect_index(y as isize + k, h) * w;
            for (o, s) in out.iter_mut().zip(&scratch[src..src + w]) {
                *o += weight * s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflection_mirrors_about_the_edges() {
        assert_eq!(reflect(-1.5, 5), 1.5);
        assert_eq!(reflect(5.0, 5), 3.0);
        assert_eq!(reflect(9.0, 5), 1.0);
        assert_eq!(reflect(2.25, 5), 2.25);
        assert_eq!(reflect(7.0, 1), 0.0);
        assert_eq!((-3..8).map(|i| reflect_index(i, 4)).collect::<Vec<_>>(), vec![3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1]);
    }

    #[test]
    fn identity_warp_changes_nothing_and_a_shift_moves_both() {
        let mut sample = Sample { image: (0..24).map(|v| v as f32).collect(), labels: (0..24).collect(), shape: [2, 3, 4] };
        let original = sample.clone();
        warp_in_plane(&mut sample, |y, x| (y as f64, x as f64));
        assert_eq!(sample, original);
        warp_in_plane(&mut sample, |y, x| (y as f64, x as f64 + 1.0));
        // Row 0 of section 0 was 0 1 2 3: shifted left with the last column mirrored.
        assert_eq!(&sample.image[..4], &[1.0, 2.0, 3.0, 2.0]);
        assert_eq!(&sample.labels[12..16], &[13, 14, 15, 14]);
    }

    #[test]
    fn smoothing_keeps_constants_and_lowers_noise() {
        let (h, w) = (20, 30);
        let mut scratch = vec![0.0; h * w];
        let mut flat = vec![2.0f32; h * w];
        gaussian_smooth(&mut flat, h, w, 4.0, &mut scratch);
        assert!(flat.iter().all(|v| (v - 2.0).abs() < 1e-4));
        let mut rng = crate::rng::Rng::new(1);
        let mut noise: Vec<f32> = (0..h * w).map(|_| rng.normal() as f32).collect();
        gaussian_smooth(&mut noise, h, w, 2.0, &mut scratch);
        let var = noise.iter().map(|v| v * v).sum::<f32>() / (h * w) as f32;
        assert!(var < 0.1, "{var}");
    }
}
