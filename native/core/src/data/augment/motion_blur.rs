//! Motion blur: a few random sections (one up to about a third of the window) are blurred with a
//! 1-D box kernel of odd length 5 to 11 px along y or along x (drawn per section).
//!
//! Simulates stage drift or vibration and charging during a scan, which smear a section along one
//! direction. Image only: the structures have not moved. Borders repeat the edge pixel.
use super::Sample;
use crate::rng::Rng;

pub const LENGTH: [usize; 2] = [5, 11];

pub fn apply(sample: &mut Sample, rng: &mut Rng) {
    let [depth, h, w] = sample.shape;
    let plane = h * w;
    let count = 1 + rng.below(depth.div_ceil(3));
    // `count` distinct sections: the first `count` of a partial Fisher-Yates shuffle.
    let mut order: Vec<usize> = (0..depth).collect();
    let mut line = vec![0f32; h.max(w)];
    for i in 0..count {
        order.swap(i, i + rng.below(depth - i));
        let z = order[i];
        let length = LENGTH[0] + 2 * rng.below((LENGTH[1] - LENGTH[0]) / 2 + 1);
        let section = &mut sample.image[z * plane..(z + 1) * plane];
        if rng.coin() {
            for y in 0..h {
                box_blur(section, y * w, 1, w, length / 2, &mut line);
            }
        } else {
            for x in 0..w {
                box_blur(section, x, w, h, length / 2, &mut line);
            }
        }
    }
}

/// Box blur of radius `radius` along the line `data[start + i * stride]`, i < n, with a running
/// sum (cost independent of the kernel length); `line` holds a copy of the input line.
fn box_blur(data: &mut [f32], start: usize, stride: usize, n: usize, radius: usize, line: &mut [f32]) {
    for (i, v) in line[..n].iter_mut().enumerate() {
        *v = data[start + i * stride];
    }
    let at = |i: isize| line[i.clamp(0, n as isize - 1) as usize] as f64;
    let r = radius as isize;
    let mut sum: f64 = (-r..=r).map(at).sum();
    let scale = 1.0 / (2 * radius + 1) as f64;
    for i in 0..n as isize {
        data[start + i as usize * stride] = (sum * scale) as f32;
        sum += at(i + r + 1) - at(i - r);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    standard_augmentation_tests!(apply, image_only);

    #[test]
    fn box_blur_averages_along_the_line_and_repeats_edges() {
        let mut data = [0.0, 0.0, 3.0, 0.0, 0.0, 6.0];
        let mut line = [0.0; 6];
        box_blur(&mut data, 0, 1, 6, 1, &mut line);
        assert_eq!(data, [0.0, 1.0, 1.0, 1.0, 2.0, 4.0]);
        // A column of a 2 x 3 array: stride 3.
        let mut data = [3.0, 9.0, 9.0, 0.0, 9.0, 9.0];
        box_blur(&mut data, 0, 3, 2, 1, &mut line);
        assert_eq!(data, [2.0, 9.0, 9.0, 1.0, 9.0, 9.0]);
    }

    #[test]
    fn blurs_a_few_sections_along_one_axis() {
        for seed in 0..20 {
            let original = random_sample([9, 32, 32], seed);
            let mut sample = original.clone();
            apply(&mut sample, &mut Rng::new(seed));
            let blurred = (0..9).filter(|&z| sample.image[z * 1024..(z + 1) * 1024] != original.image[z * 1024..(z + 1) * 1024]);
            let count = blurred.count();
            assert!((1..=3).contains(&count), "seed {seed}: {count}");
            // Averaging lowers the variance of noise.
            let var = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32;
            assert!(var(&sample.image) < var(&original.image));
        }
    }
}
