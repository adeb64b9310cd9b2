//! Training at the scale of the objects. A network sees a fixed window and has a fixed field of
//! view; objects much larger than that (a 100-pixel chloroplast in a 128-pixel window) are
//! learnt slowly and from too little context, while downsampling by 2 shows four times the
//! tissue per window at a quarter of the cost. `auto` measures the labels and picks the largest
//! whole downsampling in y and x (and z when the voxels are about isotropic in a 3D config)
//! that keeps what must be seen large enough:
//! - instance labels: the median object, as the diameter of a disc of its cross-section's area,
//!   stays at least INSTANCE_DIAMETER_PX across;
//! - semantic labels: the thinnest class (membranes, say) stays at least SEMANTIC_WIDTH_PX wide,
//!   and the factor is at most SEMANTIC_MAX_AUTO.
//!
//! The model then trains on resampled stacks (linear for the image, nearest for the labels, on
//! auto-label's own grid) and stores the voxel size it saw; auto-label resamples any stack to
//! that size and the labels back to the stack's own size.
use super::TrainingStacks;
use crate::data::objects::{equivalent_diameter, quantile, section_areas, thinnest_structure};
use crate::error::{Error, Result};
use crate::infer::{resample_linear, resample_nearest, resampled_shape};
use crate::settings::{Scale, Task, TrainPlan, TrainingConfig, MAX_SCALE};
use segtrain_volume::Volume;
use serde::{Deserialize, Serialize};

/// Objects at least this many pixels across after downsampling. From the chloroplast runs
/// (BENCHMARKS.md): ~90-pixel objects learnt faster at half size (~45 px: two or three objects
/// with their neighbours in a 128 window) than at full size; a third of the size (~30 px) is
/// not measured yet, so 40 keeps them at half.
pub const INSTANCE_DIAMETER_PX: f64 = 40.0;
/// Thin structures at least this many pixels wide after downsampling. vnc_sstem's membranes
/// (7 px at 4.6 nm) at scale 2 (3.5 px): held-out mitochondria IoU 0.577 against 0.276 at full
/// size after the same 1000 iterations, and the membranes themselves 0.648 against 0.567
/// (BENCHMARKS.md). (The earlier 24 came from a plate2d run that auto-label had labelled at the
/// wrong scale.)
pub const SEMANTIC_WIDTH_PX: f64 = 3.0;
/// `auto` downsamples semantic labels by at most this: 2 is the only factor measured so far on
/// semantic data (a set `scale` may go further).
pub const SEMANTIC_MAX_AUTO: usize = 2;

/// The scale a training ran at, and why (model.json `training.scale`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleChoice {
    /// Downsampling in z, y, x (1 = as given).
    pub factor: [usize; 3],
    /// What was measured and what followed, e.g. "median object 97 px across -> scale 2".
    pub reason: String,
    /// Voxel size of the stacks as given, x, y, z nm (the model's is `config.voxel_nm`).
    pub input_voxel_nm: [f64; 3],
    /// Size of the stacks as given, z, y, x.
    pub input_shape: [usize; 3],
}

impl ScaleChoice {
    pub fn is_identity(&self) -> bool {
        self.factor == [1, 1, 1]
    }

    /// The voxel size the model sees: the given one times the factor (x, y, z).
    pub fn model_voxel_nm(&self) -> [f64; 3] {
        let v = self.input_voxel_nm;
        [v[0] * self.factor[2] as f64, v[1] * self.factor[1] as f64, v[2] * self.factor[0] as f64]
    }

    /// The stacks' size at the training scale, z, y, x (as auto-label computes it).
    pub fn scaled_shape(&self) -> [usize; 3] {
        resampled_shape(self.input_shape, self.input_voxel_nm, self.model_voxel_nm())
    }
}

/// The scale for `plan` on these labels: the requested factor, or the measured one for `auto`,
/// lowered where the downsampled stack would no longer hold a training window and the
/// validation block.
pub fn choose(config: &TrainingConfig, labels: &Volume<u32>) -> Result<ScaleChoice> {
    let shape = labels.shape;
    let (wanted, measured) = match config.scale {
        Scale::Factor(n) => (n as usize, format!("scale {n} as set")),
        Scale::Auto => measure(config.task, &labels.data, shape, config.ignore_label),
    };
    let isotropic = config.dims == 3 && config.voxel_nm[2] <= 1.5 * config.voxel_nm[0].max(config.voxel_nm[1]);
    let factor_of = |s: usize| [if isotropic { s } else { 1 }, s, s];
    let fits = |s: usize| {
        let f = factor_of(s);
        // z must hold the window; y and x also the validation block (conservatively: it may be
        // taken in z instead).
        (0..3).all(|d| {
            let scaled = (shape[d] as f64 / f[d] as f64).round();
            let kept = if d == 0 { 1.0 } else { 1.0 - config.validation_fraction };
            scaled * kept >= config.window[d] as f64
        })
    };
    let mut s = wanted;
    while s > 1 && !fits(s) {
        s -= 1;
    }
    if s < wanted && config.scale != Scale::Auto {
        return Err(Error::setting(format!(
            "scale: {wanted} leaves the stack ({}x{}x{}, z,y,x) too small for the window {}x{}x{} and the validation block; use scale {s} or a smaller window",
            shape[0], shape[1], shape[2], config.window[0], config.window[1], config.window[2]
        )));
    }
    let reason = if s < wanted { format!("{measured}, lowered to {s} so the window still fits") } else { measured };
    Ok(ScaleChoice { factor: factor_of(s), reason, input_voxel_nm: config.voxel_nm, input_shape: shape })
}

/// The factor `auto` picks from the labels alone, and the sentence that says why. Sparse labels
/// (`ignore`): measured on what is annotated (complete objects; boundaries between annotated
/// classes, see `data::objects`), scale 1 when nothing can be measured.
fn measure(task: Task, labels: &[u32], shape: [usize; 3], ignore: Option<u32>) -> (usize, String) {
    let pick = |size: f64, target: f64| ((size / target).floor() as usize).clamp(1, MAX_SCALE as usize);
    let (none, of_sparse) = match ignore {
        Some(_) => (" (sparse labels: only complete annotated objects and boundaries between annotated classes count)", " of the annotated"),
        None => ("", ""),
    };
    match task {
        Task::Instance => match quantile(&section_areas(labels, shape, ignore), 0.5) {
            Some(area) => {
                let d = equivalent_diameter(area as f64);
                let s = pick(d, INSTANCE_DIAMETER_PX);
                (s, format!("median object {d:.0} px across -> scale {s} (objects of ~{:.0} px; at least {INSTANCE_DIAMETER_PX:.0} wanted)", d / s as f64))
            }
            None => (1, format!("no objects to measure -> scale 1{none}")),
        },
        Task::Semantic => match thinnest_structure(labels, shape, ignore) {
            Some((class, w)) => {
                let s = pick(w, SEMANTIC_WIDTH_PX).min(SEMANTIC_MAX_AUTO);
                (s, format!("thinnest structure{of_sparse} (label {class}) {w:.0} px wide -> scale {s} (at least {SEMANTIC_WIDTH_PX:.0} px wanted, {SEMANTIC_MAX_AUTO} at most)"))
            }
            None => (1, format!("one class only, nothing to measure -> scale 1{none}")),
        },
    }
}

/// The plan and stacks at the chosen scale: stacks resampled (the image linearly, the labels by
/// nearest neighbour) and the config's voxel size the model's. Scale 1 returns them as they are.
pub fn apply(plan: &TrainPlan, stacks: TrainingStacks, choice: &ScaleChoice) -> (TrainPlan, TrainingStacks) {
    let mut plan = plan.clone();
    plan.config.voxel_nm = choice.model_voxel_nm();
    if choice.is_identity() {
        return (plan, stacks);
    }
    (plan, resample_stacks(&stacks, choice))
}

/// Copies of both stacks at the training scale.
pub fn resample_stacks(stacks: &TrainingStacks, choice: &ScaleChoice) -> TrainingStacks {
    let (from, to) = (stacks.image.shape, choice.scaled_shape());
    let voxel_nm = Some(choice.model_voxel_nm());
    TrainingStacks {
        image: Volume { data: resample_linear(&stacks.image.data, 1, from, to), shape: to, voxel_nm },
        labels: Volume { data: resample_nearest(&stacks.labels.data, from, to), shape: to, voxel_nm },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::objects::tests::disc_grid;
    use crate::settings::load_config;

    fn labels(shape: [usize; 3], radius: f64, spacing: usize) -> Volume<u32> {
        Volume { data: disc_grid(shape, radius, spacing), shape, voxel_nm: None }
    }

    #[test]
    fn objects_of_known_size_give_the_expected_scale() {
        let config = load_config("Instance2D").unwrap(); // window 128, validation 0.1
        // Diameter 100 -> 2 (50 px), 40 -> 1, 170 -> 4 (42 px).
        for (radius, spacing, expected) in [(50.0, 120, 2), (20.0, 60, 1), (85.0, 200, 4)] {
            let choice = choose(&config, &labels([2, 800, 800], radius, spacing)).unwrap();
            assert_eq!(choice.factor, [1, expected, expected], "radius {radius}: {}", choice.reason);
            assert!(choice.reason.contains(&format!("-> scale {expected}")), "{}", choice.reason);
        }
    }

    #[test]
    fn the_reason_names_the_measured_size() {
        let config = load_config("Instance2D").unwrap();
        let choice = choose(&config, &labels([1, 600, 600], 48.5, 120)).unwrap();
        assert!(choice.reason.starts_with("median object 97 px across -> scale 2"), "{}", choice.reason);
        let model = choice.model_voxel_nm();
        assert_eq!(model, [10.0, 10.0, 40.0], "5 nm pixels at scale 2; z unchanged");
        assert_eq!(choice.scaled_shape(), [1, 300, 300]);
    }

    #[test]
    fn auto_is_lowered_until_the_window_fits_and_a_set_factor_that_cannot_fit_is_refused() {
        let mut config = load_config("Instance2D").unwrap();
        // 170-px objects want scale 4, but 400 / 4 = 100 rows cannot hold a 128 window.
        let big = labels([1, 400, 400], 85.0, 200);
        let choice = choose(&config, &big).unwrap();
        assert_eq!(choice.factor, [1, 2, 2], "{}", choice.reason);
        assert!(choice.reason.contains("lowered to 2"), "{}", choice.reason);
        config.scale = Scale::Factor(4);
        let err = choose(&config, &big).unwrap_err().to_string();
        assert!(err.contains("scale: 4 leaves the stack") && err.contains("use scale 2"), "{err}");
    }

    #[test]
    fn semantic_labels_follow_their_thinnest_class() {
        let mut config = load_config("Semantic2D").unwrap();
        config.window = [1, 64, 64];
        // Bands 80 px wide of classes 1 and 2 could go far below; auto stops at 2.
        let bands = |width: usize| -> Volume<u32> {
            let (h, w) = (256, 480);
            let data = (0..h * w).map(|i| if (i % w + width / 2) / width % 2 == 0 { 1 } else { 2 }).collect();
            Volume { data, shape: [1, h, w], voxel_nm: None }
        };
        let choice = choose(&config, &bands(80)).unwrap();
        assert_eq!(choice.factor, [1, 2, 2], "{}", choice.reason);
        assert!(choice.reason.starts_with("thinnest structure (label 1) 80 px wide -> scale 2"), "{}", choice.reason);
        // Bands 5 px wide (membranes) stay at full size: half would leave 2.5 px.
        let choice = choose(&config, &bands(5)).unwrap();
        assert_eq!(choice.factor, [1, 1, 1], "{}", choice.reason);
        assert!(choice.reason.starts_with("thinnest structure (label 1) 5 px wide -> scale 1"), "{}", choice.reason);
    }

    #[test]
    fn isotropic_3d_stacks_are_scaled_in_z_too() {
        let mut config = load_config("Instance3D").unwrap();
        config.window = [8, 32, 32];
        config.scale = Scale::Factor(2);
        config.voxel_nm = [10.0, 10.0, 10.0];
        let stack = labels([40, 100, 100], 10.0, 50);
        assert_eq!(choose(&config, &stack).unwrap().factor, [2, 2, 2]);
        config.voxel_nm = [5.0, 5.0, 40.0];
        assert_eq!(choose(&config, &stack).unwrap().factor, [1, 2, 2], "anisotropic: z stays");
    }

    #[test]
    fn applying_a_scale_resamples_both_stacks_and_sets_the_model_voxel_size() {
        let mut config = load_config("Instance2D").unwrap();
        config.scale = Scale::Factor(2);
        config.window = [1, 32, 32];
        let labels = labels([1, 120, 120], 20.0, 60);
        let image = Volume { data: labels.data.iter().map(|&l| l as f32).collect(), shape: labels.shape, voxel_nm: None };
        let plan = TrainPlan { name: "m".into(), models_dir: "/tmp".into(), overwrite: false, config, fine_tune_from: None };
        let choice = choose(&plan.config, &labels).unwrap();
        let (scaled_plan, stacks) = apply(&plan, TrainingStacks { image, labels }, &choice);
        assert_eq!(stacks.image.shape, [1, 60, 60]);
        assert_eq!(stacks.labels.shape, [1, 60, 60]);
        assert_eq!(scaled_plan.config.voxel_nm, [10.0, 10.0, 40.0]);
        // Nearest neighbour keeps ids; four discs remain.
        let mut ids = stacks.labels.data.clone();
        ids.sort();
        ids.dedup();
        assert_eq!(ids, vec![0, 1, 2, 3, 4]);
    }
}
