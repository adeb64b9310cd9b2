//! The project's own demo data: a stack that looks like serial-section EM of a tissue with
//! organelles. Objects are ellipsoids with a dark membrane and a textured interior; small dark
//! unlabelled vesicles in the cytoplasm make sure "dark" alone does not mean "object".
//! Everything follows from the seed.
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Demo stacks of shape (depth, height, width): image values 0..=255, labels 0 = background
/// and 1..=n one id per object (ids persist across sections), and classes for multi-class
/// semantic training: 0 cytoplasm, 1 organelle interior, 2 organelle membrane, 3 vesicle.
pub struct DemoStacks {
    pub shape: [usize; 3],
    pub image: Vec<f32>,
    pub labels: Vec<u32>,
    pub classes: Vec<u32>,
}

struct Ellipsoid {
    centre: [f64; 3],
    radii: [f64; 3],
    /// In-plane rotation.
    cos: f64,
    sin: f64,
}

impl Ellipsoid {
    /// Normalised distance from the centre: below 1 inside.
    fn distance(&self, z: f64, y: f64, x: f64) -> f64 {
        let (dz, dy, dx) = (z - self.centre[0], y - self.centre[1], x - self.centre[2]);
        let (u, v) = (self.cos * dy + self.sin * dx, -self.sin * dy + self.cos * dx);
        ((dz / self.radii[0]).powi(2) + (u / self.radii[1]).powi(2) + (v / self.radii[2]).powi(2)).sqrt()
    }
}

/// The demo data's settings (the "demo_data" schema: dialog, macro and CLI).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    pub slices: i64,
    pub height: i64,
    pub width: i64,
    pub seed: i64,
}

impl DemoSettings {
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::setting(format!("demo data settings are not valid JSON: {e}")))
    }

    pub fn stacks(&self) -> Result<DemoStacks> {
        demo_stacks_checked(self.slices, self.height, self.width, self.seed)
    }
}

/// `demo_stacks` for sizes given by a person: refuses sizes that make no sense or no memory.
pub fn demo_stacks_checked(depth: i64, height: i64, width: i64, seed: i64) -> Result<DemoStacks> {
    let mut problems = Vec::new();
    use crate::settings::{MAX_DEMO_SIDE, MAX_DEMO_SLICES, MIN_WINDOW_YX};
    let min_side = MIN_WINDOW_YX as i64;
    for (field, value, min, max) in [("slices", depth, 1, MAX_DEMO_SLICES as i64), ("height", height, min_side, MAX_DEMO_SIDE as i64), ("width", width, min_side, MAX_DEMO_SIDE as i64)] {
        if value < min || value > max {
            problems.push(format!("{field}: must be from {min} to {max} (got {value})"));
        }
    }
    if seed < 0 {
        problems.push(format!("seed: must be 0 or more (got {seed})"));
    }
    if !problems.is_empty() {
        return Err(Error::InvalidSettings(problems));
    }
    Ok(demo_stacks(depth as usize, height as usize, width as usize, seed as u64))
}

pub fn demo_stacks(depth: usize, height: usize, width: usize, seed: u64) -> DemoStacks {
    let mut rng = Rng::new(seed);
    let n = depth * height * width;
    let mut labels = vec![0u32; n];
    let mut rim = vec![false; n];
    let scale = (height.min(width) as f64 / 256.0).clamp(0.35, 2.0);
    let objects = ((height * width) as f64 / (2200.0 * scale * scale)).ceil() as usize;
    for id in 1..=objects as u32 {
        let r = (9.0 + 16.0 * rng.uniform()) * scale;
        let shape = Ellipsoid {
            centre: [rng.uniform() * depth as f64, rng.uniform() * height as f64, rng.uniform() * width as f64],
            radii: [1.5 + 3.0 * rng.uniform(), r, r * (0.55 + 0.45 * rng.uniform())],
            cos: 0.0,
            sin: 0.0,
        };
        let angle = rng.uniform() * std::f64::consts::PI;
        let e = Ellipsoid { cos: angle.cos(), sin: angle.sin(), ..shape };
        paint(&e, id, [depth, height, width], &mut labels, &mut rim);
    }
    let mut image = vec![0f32; n];
    let mut classes: Vec<u32> = labels.iter().zip(&rim).map(|(&l, &r)| if r { 2 } else { (l != 0) as u32 }).collect();
    let plane = height * width;
    for z in 0..depth {
        let cytoplasm = smooth_noise(height, width, &mut rng);
        let matrix = smooth_noise(height, width, &mut rng);
        for i in 0..plane {
            let v = z * plane + i;
            image[v] = if rim[v] {
                48.0
            } else if labels[v] != 0 {
                100.0 + 28.0 * matrix[i]
            } else {
                165.0 + 22.0 * cytoplasm[i]
            };
        }
        let range = z * plane..(z + 1) * plane;
        add_vesicles(&mut image[range.clone()], &mut classes[range.clone()], &labels[range], height, width, &mut rng);
    }
    for v in image.iter_mut() {
        *v = (*v + 9.0 * rng.normal() as f32).round().clamp(0.0, 255.0);
    }
    DemoStacks { shape: [depth, height, width], image, labels, classes }
}

/// Writes the object into free voxels only (objects may touch, never overlap) and marks its
/// outer band as membrane.
fn paint(e: &Ellipsoid, id: u32, shape: [usize; 3], labels: &mut [u32], rim: &mut [bool]) {
    let [depth, height, width] = shape;
    let reach = e.radii[1].max(e.radii[2]) + 1.0;
    let range = |c: f64, r: f64, n: usize| ((c - r).floor().max(0.0) as usize, ((c + r).ceil() as usize).min(n));
    let (z0, z1) = range(e.centre[0], e.radii[0], depth);
    let (y0, y1) = range(e.centre[1], reach, height);
    let (x0, x1) = range(e.centre[2], reach, width);
    let band = 2.2 / e.radii[1].min(e.radii[2]);
    for z in z0..z1 {
        for y in y0..y1 {
            for x in x0..x1 {
                let v = (z * height + y) * width + x;
                let d = e.distance(z as f64, y as f64, x as f64);
                if d <= 1.0 && labels[v] == 0 {
                    labels[v] = id;
                    rim[v] = d > 1.0 - band;
                }
            }
        }
    }
}

/// Texture: white noise blurred twice by a 5x5 box, rescaled to unit spread.
fn smooth_noise(height: usize, width: usize, rng: &mut Rng) -> Vec<f32> {
    let mut values: Vec<f32> = (0..height * width).map(|_| rng.normal() as f32).collect();
    for _ in 0..2 {
        values = box_blur(&values, height, width, 2);
    }
    let spread = (values.iter().map(|v| v * v).sum::<f32>() / values.len().max(1) as f32).sqrt().max(1e-6);
    values.iter().map(|v| v / spread).collect()
}

fn box_blur(values: &[f32], height: usize, width: usize, r: usize) -> Vec<f32> {
    let mut out = vec![0f32; values.len()];
    for y in 0..height {
        for x in 0..width {
            let (ya, yb) = (y.saturating_sub(r), (y + r + 1).min(height));
            let (xa, xb) = (x.saturating_sub(r), (x + r + 1).min(width));
            let mut sum = 0.0;
            for yy in ya..yb {
                sum += values[yy * width + xa..yy * width + xb].iter().sum::<f32>();
            }
            out[y * width + x] = sum / ((yb - ya) * (xb - xa)) as f32;
        }
    }
    out
}

/// Small dark discs in the background: not objects, but a class of their own.
fn add_vesicles(image: &mut [f32], classes: &mut [u32], labels: &[u32], height: usize, width: usize, rng: &mut Rng) {
    let count = height * width / 900;
    for _ in 0..count {
        let (cy, cx, r) = (rng.below(height) as i64, rng.below(width) as i64, 2 + rng.below(3) as i64);
        for y in (cy - r).max(0)..(cy + r + 1).min(height as i64) {
            for x in (cx - r).max(0)..(cx + r + 1).min(width as i64) {
                let i = y as usize * width + x as usize;
                if (y - cy).pow(2) + (x - cx).pow(2) <= r * r && labels[i] == 0 {
                    image[i] = 70.0;
                    classes[i] = 3;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_stacks_are_reproducible_and_plausible() {
        let a = demo_stacks(3, 96, 128, 4);
        let b = demo_stacks(3, 96, 128, 4);
        assert_eq!(a.image, b.image);
        assert_eq!(a.labels, b.labels);
        assert_ne!(a.image, demo_stacks(3, 96, 128, 5).image);
        let fg = a.labels.iter().filter(|&&l| l != 0).count() as f64 / a.labels.len() as f64;
        assert!(fg > 0.1 && fg < 0.6, "foreground share {fg}");
        assert!(a.image.iter().all(|&v| (0.0..=255.0).contains(&v)));
        // Objects are darker on average than the background.
        let mean = |want_fg: bool| {
            let vals: Vec<f32> = a.image.iter().zip(&a.labels).filter(|(_, &l)| (l != 0) == want_fg).map(|(v, _)| *v).collect();
            vals.iter().sum::<f32>() / vals.len() as f32
        };
        assert!(mean(true) + 30.0 < mean(false));
        for class in 0..4 {
            assert!(a.classes.contains(&class), "class {class} present");
        }
        assert!(a.classes.iter().zip(&a.labels).all(|(&c, &l)| (c == 1 || c == 2) == (l != 0)));
    }
}
