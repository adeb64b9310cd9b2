//! What the network's output channels mean for each kind of config, and how targets, losses
//! and predicted classes follow from that:
//! - Binary (semantic, two label values): one channel, foreground = label != background value;
//! - Classes (semantic, more label values): one channel per class, softmax;
//! - Instance: foreground and contour channels (and a normalised distance map), sigmoids.
//!
//! Sparse labels (`ignore_label`): the targets are followed by as many mask channels (1 where the
//! target is known), and every loss term counts the known voxels only, so an unannotated voxel
//! gives no gradient whatever its target.
use super::loss::{binary_loss, dice_loss, masked_binary_loss};
use crate::data::{class_indices, class_mapping, instance_contour, instance_contour_sparse, instance_distance, instance_distance_sparse};
use crate::error::{Error, Result};
use crate::settings::{Task, TrainingConfig};
use serde::{Deserialize, Serialize};
use tch::{Kind, Reduction, Tensor};

/// More classes than this is almost surely an instance label stack given to a semantic config.
pub const MAX_CLASSES: usize = 64;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Head {
    /// Two label values: `foreground` is learned, and auto-label writes these two values back.
    Binary {
        background: u32,
        #[serde(default = "one")]
        foreground: u32,
    },
    /// `classes[i]` is the label value of class i; `weights[i]` its cross-entropy weight.
    Classes { classes: Vec<u32>, weights: Vec<f64> },
    Instance { contour_width: usize, distance: bool },
}

impl Head {
    /// The head for training `config` on `labels` (the whole label stack). The ignore label, if
    /// set, is not a class.
    pub fn for_training(config: &TrainingConfig, labels: &[u32]) -> Result<Head> {
        if config.task == Task::Instance {
            return Ok(Head::Instance { contour_width: config.contour_width, distance: config.instance_distance });
        }
        let mut classes = class_mapping(labels);
        classes.retain(|&c| Some(c) != config.ignore_label);
        match classes.len() {
            0 | 1 => Err(Error::InvalidInput(match config.ignore_label {
                Some(ignore) => format!("the labelled pixels hold a single value ({classes:?}; {ignore} is the ignore_label, unannotated): a semantic config needs at least two classes, e.g. strokes of background and of the structure"),
                None => format!("the label stack holds a single value ({:?}): a semantic config needs at least two classes", classes),
            })),
            2 => Ok(Head::Binary { background: classes[0], foreground: classes[1] }),
            n if n > MAX_CLASSES => Err(Error::InvalidInput(format!(
                "the label stack holds {n} different values; a semantic config learns at most {MAX_CLASSES} classes. Are these instance ids? Then use Instance2D or Instance3D"
            ))),
            _ => {
                let weights = class_weights(labels, &classes, config.ignore_label);
                Ok(Head::Classes { classes, weights })
            }
        }
    }

    pub fn output_channels(&self) -> i64 {
        match self {
            Head::Binary { .. } => 1,
            Head::Classes { classes, .. } => classes.len() as i64,
            Head::Instance { distance, .. } => 2 + *distance as i64,
        }
    }

    /// Names of the output channels, stored in model.json.
    pub fn output_names(&self) -> Vec<String> {
        match self {
            Head::Binary { .. } => vec!["foreground".into()],
            Head::Classes { classes, .. } => classes.iter().map(|c| format!("class {c}")).collect(),
            Head::Instance { distance, .. } => {
                let mut names = vec!["foreground".to_string(), "contour".to_string()];
                if *distance {
                    names.push("distance".into());
                }
                names
            }
        }
    }

    /// The label values a semantic model writes back, background first (the values of its
    /// training labels, e.g. [0, 255] for an ImageJ mask); None for instance models (ids).
    pub fn label_values(&self) -> Option<Vec<u32>> {
        match self {
            Head::Binary { background, foreground } => Some(vec![*background, *foreground]),
            Head::Classes { classes, .. } => Some(classes.clone()),
            Head::Instance { .. } => None,
        }
    }

    /// Target channels per window (class indices take one channel); twice as many with sparse
    /// labels: the targets, then one mask per target (1 = known).
    pub fn target_channels(&self, sparse: bool) -> usize {
        let targets = match self {
            Head::Classes { .. } => 1,
            other => other.output_channels() as usize,
        };
        if sparse { 2 * targets } else { targets }
    }

    /// Classes the metrics count: the classes, or background/foreground.
    pub fn metric_classes(&self) -> usize {
        match self {
            Head::Classes { classes, .. } => classes.len(),
            _ => 2,
        }
    }

    /// Is this label an object (not background)? Used to place windows on labelled objects.
    pub fn is_object(&self, label: u32) -> bool {
        match self {
            Head::Binary { background, .. } => label != *background,
            Head::Classes { classes, .. } => label != classes[0],
            Head::Instance { .. } => label != 0,
        }
    }

    /// Targets of one window, channel after channel (each z, y, x). With `ignore` (sparse labels)
    /// the targets are followed by their masks (see [`Head::target_channels`]); the target of an
    /// unannotated voxel is 0 and its mask 0.
    pub fn targets(&self, labels: &[u32], shape: [usize; 3], ignore: Option<u32>) -> Vec<f32> {
        let Some(ignore) = ignore else { return self.dense_targets(labels, shape) };
        let annotated = || labels.iter().map(|&l| (l != ignore) as u8 as f32);
        match self {
            Head::Binary { background, .. } => {
                let mut out: Vec<f32> = labels.iter().map(|&l| (l != *background && l != ignore) as u8 as f32).collect();
                out.extend(annotated());
                out
            }
            Head::Classes { classes, .. } => {
                // Unannotated voxels get class 0 (any class would do: their mask is 0).
                let index = |l: u32| if l == ignore { Some(0) } else { classes.binary_search(&l).ok() };
                let mut out: Vec<f32> = labels.iter().map(|&l| index(l).expect("labels in the class mapping") as f32).collect();
                out.extend(annotated());
                out
            }
            Head::Instance { contour_width, distance } => {
                let mut out: Vec<f32> = labels.iter().map(|&l| (l != 0 && l != ignore) as u8 as f32).collect();
                let (contour, contour_known) = instance_contour_sparse(labels, shape, *contour_width, ignore);
                out.extend(contour.into_iter().map(f32::from));
                let distance = distance.then(|| instance_distance_sparse(labels, shape, ignore));
                if let Some((values, _)) = &distance {
                    out.extend(values.iter().enumerate().map(|(i, &d)| if labels[i] == ignore { 0.0 } else { d }));
                }
                out.extend(annotated());
                out.extend(contour_known.into_iter().map(f32::from));
                if let Some((_, known)) = distance {
                    out.extend(known.into_iter().map(f32::from));
                }
                out
            }
        }
    }

    /// Targets of fully labelled windows.
    fn dense_targets(&self, labels: &[u32], shape: [usize; 3]) -> Vec<f32> {
        match self {
            Head::Binary { background, .. } => labels.iter().map(|&l| (l != *background) as u8 as f32).collect(),
            Head::Classes { classes, .. } => {
                // Labels were checked against the mapping when the head was made.
                class_indices(labels, classes).expect("labels in the class mapping").into_iter().map(f32::from).collect()
            }
            Head::Instance { contour_width, distance } => {
                let mut out: Vec<f32> = labels.iter().map(|&l| (l != 0) as u8 as f32).collect();
                out.extend(instance_contour(labels, shape, *contour_width).into_iter().map(f32::from));
                if *distance {
                    out.extend(instance_distance(labels, shape));
                }
                out
            }
        }
    }

    /// The loss of `logits` (n, C, ...) against `target` (n, target_channels, ...). With sparse
    /// labels (`config.ignore_label`) the target holds the masks too, and only known voxels count.
    pub fn loss(&self, logits: &Tensor, target: &Tensor, config: &TrainingConfig) -> Tensor {
        if config.ignore_label.is_some() {
            return self.masked_loss(logits, target, config);
        }
        let (ce, dice) = (config.cross_entropy_weight, config.dice_weight);
        match self {
            Head::Binary { .. } => binary_loss(logits, target, ce, dice),
            Head::Classes { weights, .. } => {
                let index = target.squeeze_dim(1).to_kind(Kind::Int64);
                let w = Tensor::from_slice(weights).to_kind(Kind::Float).to_device(logits.device());
                let cross_entropy = logits.cross_entropy_loss(&index, Some(&w), Reduction::Mean, -100, 0.0);
                let one_hot = index.one_hot(logits.size()[1]).movedim(&[-1], &[1]).to_kind(Kind::Float);
                cross_entropy * ce + dice_loss(&logits.softmax(1, Kind::Float), &one_hot) * dice
            }
            Head::Instance { distance, .. } => {
                let mut total = binary_loss(&logits.narrow(1, 0, 1), &target.narrow(1, 0, 1), ce, dice)
                    + binary_loss(&logits.narrow(1, 1, 1), &target.narrow(1, 1, 1), ce, dice);
                if *distance {
                    // A soft target in [0, 1]: plain BCE pulls the sigmoid to it.
                    total += logits.narrow(1, 2, 1).binary_cross_entropy_with_logits(&target.narrow(1, 2, 1), None::<&Tensor>, None::<&Tensor>, Reduction::Mean) * ce;
                }
                total
            }
        }
    }

    /// [`Head::loss`] on the known voxels: each term is a mean over them (a sum over them divided
    /// by their number, so a window with few annotated voxels counts them as fully as a dense
    /// one), and Dice compares the prediction and the target where they are known. With a mask
    /// of ones this is the dense loss.
    fn masked_loss(&self, logits: &Tensor, target: &Tensor, config: &TrainingConfig) -> Tensor {
        let (ce, dice) = (config.cross_entropy_weight, config.dice_weight);
        let k = self.target_channels(false) as i64;
        assert_eq!(target.size()[1], 2 * k, "sparse targets carry one mask per target");
        let (t, m) = (target.narrow(1, 0, k), target.narrow(1, k, k));
        match self {
            Head::Binary { .. } => masked_binary_loss(logits, &t, &m, ce, dice),
            Head::Classes { weights, .. } => {
                let index = t.squeeze_dim(1).to_kind(Kind::Int64);
                let mask = m.squeeze_dim(1);
                let w = Tensor::from_slice(weights).to_kind(Kind::Float).to_device(logits.device());
                // Weighted mean of -log p(true class) over the known voxels, as torch's weighted
                // cross-entropy (sum of w * nll / sum of w), without its NaN for no known voxel.
                let nll = -logits.log_softmax(1, Kind::Float).gather(1, &index.unsqueeze(1), false).squeeze_dim(1);
                let voxel_weight = w.index_select(0, &index.flatten(0, -1)).view_as(&index) * &mask;
                let cross_entropy = (nll * &voxel_weight).sum(Kind::Float) / voxel_weight.sum(Kind::Float).clamp_min(1e-12);
                let one_hot = index.one_hot(logits.size()[1]).movedim([-1], [1]).to_kind(Kind::Float) * &m;
                cross_entropy * ce + dice_loss(&(logits.softmax(1, Kind::Float) * &m), &one_hot) * dice
            }
            Head::Instance { distance, .. } => {
                let channel = |x: &Tensor, i: i64| x.narrow(1, i, 1);
                let mut total = masked_binary_loss(&channel(logits, 0), &channel(&t, 0), &channel(&m, 0), ce, dice)
                    + masked_binary_loss(&channel(logits, 1), &channel(&t, 1), &channel(&m, 1), ce, dice);
                if *distance {
                    let known = channel(&m, 2);
                    let bce = channel(logits, 2).binary_cross_entropy_with_logits(&channel(&t, 2), Some(&known), None::<&Tensor>, Reduction::Sum);
                    total += bce / known.sum(Kind::Float).clamp_min(1.0) * ce;
                }
                total
            }
        }
    }

    /// Whether each voxel is annotated (n, ...), u8, from a target batch; None for dense labels.
    pub fn annotated(&self, target: &Tensor, sparse: bool) -> Option<Tensor> {
        sparse.then(|| target.narrow(1, self.target_channels(false) as i64, 1).squeeze_dim(1).to_kind(Kind::Uint8))
    }

    /// Predicted class per voxel (n, ...), u8: foreground for binary and instance heads.
    pub fn predicted_classes(&self, logits: &Tensor) -> Tensor {
        match self {
            Head::Classes { .. } => logits.argmax(1, false).to_kind(Kind::Uint8),
            _ => logits.narrow(1, 0, 1).squeeze_dim(1).gt(0.0).to_kind(Kind::Uint8),
        }
    }

    /// True class per voxel (n, ...), u8, from a target batch.
    pub fn true_classes(&self, target: &Tensor) -> Tensor {
        target.narrow(1, 0, 1).squeeze_dim(1).to_kind(Kind::Uint8)
    }
}

fn one() -> u32 {
    1
}

/// Inverse-frequency class weights, scaled to average 1 over the classes and clipped to
/// [0.1, 10] so that a class of a few voxels does not dominate. Unannotated voxels (`ignore`)
/// are not counted.
fn class_weights(labels: &[u32], classes: &[u32], ignore: Option<u32>) -> Vec<f64> {
    let mut all = classes.to_vec();
    if let Some(ignore) = ignore {
        all.push(ignore);
        all.sort_unstable();
        all.dedup();
    }
    let indices = class_indices(labels, &all).expect("mapping made from these labels");
    let mut all_counts = vec![0u64; all.len()];
    indices.iter().for_each(|&i| all_counts[i as usize] += 1);
    let counts: Vec<u64> = classes.iter().map(|c| all_counts[all.binary_search(c).expect("a class")]).collect();
    let total = counts.iter().sum::<u64>().max(1) as f64;
    let inverse: Vec<f64> = counts.iter().map(|&c| total / (c.max(1) as f64 * classes.len() as f64)).collect();
    let mean = inverse.iter().sum::<f64>() / inverse.len() as f64;
    inverse.iter().map(|w| (w / mean).clamp(0.1, 10.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;

    #[test]
    fn the_head_follows_the_config_and_the_label_values() {
        let semantic = load_config("Semantic2D").unwrap();
        assert_eq!(Head::for_training(&semantic, &[0, 255, 0]).unwrap(), Head::Binary { background: 0, foreground: 255 });
        let head = Head::for_training(&semantic, &[0, 1, 2, 3, 4, 0, 0, 0]).unwrap();
        assert_eq!(head.output_channels(), 5);
        let Head::Classes { weights, .. } = &head else { panic!("{head:?}") };
        assert!(weights[0] < weights[1], "the common class weighs less: {weights:?}");
        let ids: Vec<u32> = (0..100).collect();
        assert!(Head::for_training(&semantic, &ids).unwrap_err().to_string().contains("Instance2D or Instance3D"));
        let instance = load_config("Instance2D").unwrap();
        assert_eq!(Head::for_training(&instance, &ids).unwrap().output_names(), ["foreground", "contour", "distance"]);
    }

    #[test]
    fn label_values_are_the_training_values_background_first() {
        assert_eq!(Head::Binary { background: 0, foreground: 255 }.label_values(), Some(vec![0, 255]));
        assert_eq!(Head::Binary { background: 7, foreground: 3 }.label_values(), Some(vec![7, 3]));
        let classes = Head::Classes { classes: vec![0, 40, 200], weights: vec![1.0; 3] };
        assert_eq!(classes.label_values(), Some(vec![0, 40, 200]));
        assert_eq!(Head::Instance { contour_width: 1, distance: false }.label_values(), None);
    }

    #[test]
    fn instance_targets_stack_foreground_contour_and_distance() {
        // 1 x 1 x 4: objects 1 1 | 2 2 touching in the middle.
        let head = Head::Instance { contour_width: 1, distance: true };
        let t = head.targets(&[1, 1, 2, 2], [1, 1, 4], None);
        assert_eq!(t.len(), 12);
        assert_eq!(&t[..4], &[1.0; 4]);
        assert_eq!(&t[4..8], &[0.0, 1.0, 1.0, 0.0], "both sides of the touching edge are contour");
    }

    const IGNORE: u32 = 65535;

    /// A 2 x 12 x 16 label window: two touching instances (ids 1, 2) and a third (3) that runs
    /// into an unannotated band (rows 8..), background around; for semantic heads the ids are
    /// classes.
    fn sparse_window() -> (Vec<u32>, [usize; 3]) {
        let shape = [2, 12, 16];
        let mut labels = vec![0u32; 2 * 12 * 16];
        for z in 0..2 {
            for y in 0..12 {
                for x in 0..16 {
                    let l = if y >= 8 {
                        IGNORE
                    } else if (2..6).contains(&y) && (2..6).contains(&x) {
                        1
                    } else if (2..6).contains(&y) && (6..10).contains(&x) {
                        2
                    } else if (5..8).contains(&y) && (12..15).contains(&x) {
                        3
                    } else {
                        0
                    };
                    labels[(z * 12 + y) * 16 + x] = l;
                }
            }
        }
        (labels, shape)
    }

    fn sparse_config(task: Task) -> TrainingConfig {
        let mut config = load_config(if task == Task::Instance { "Instance2D" } else { "Semantic3D" }).unwrap();
        config.ignore_label = Some(IGNORE);
        config
    }

    fn sparse_heads() -> Vec<(Head, TrainingConfig)> {
        vec![
            (Head::Binary { background: 0, foreground: 1 }, sparse_config(Task::Semantic)),
            (Head::Classes { classes: vec![0, 1, 2, 3], weights: vec![0.5, 1.0, 2.0, 1.5] }, sparse_config(Task::Semantic)),
            (Head::Instance { contour_width: 1, distance: true }, sparse_config(Task::Instance)),
            (Head::Instance { contour_width: 2, distance: false }, sparse_config(Task::Instance)),
        ]
    }

    /// (n = 2, target channels + masks, z, y, x) targets of the sparse window, twice.
    fn sparse_batch(head: &Head) -> (Tensor, usize, [usize; 3]) {
        let (labels, shape) = sparse_window();
        let mut values = head.targets(&labels, shape, Some(IGNORE));
        values.extend(values.clone());
        let k = head.target_channels(true);
        let [z, y, x] = shape.map(|v| v as i64);
        (Tensor::from_slice(&values).view([2, k as i64, z, y, x]), k / 2, shape)
    }

    #[test]
    fn unannotated_voxels_give_no_loss_and_exactly_no_gradient() {
        for (head, config) in sparse_heads() {
            let (target, k, [z, y, x]) = sparse_batch(&head);
            let c = head.output_channels();
            let logits = (Tensor::randn([2, c, z as i64, y as i64, x as i64], (Kind::Float, tch::Device::Cpu)) * 3.0).set_requires_grad(true);
            let loss = head.loss(&logits, &target, &config);
            loss.backward();
            let grad = logits.grad();
            let mask = target.narrow(1, k as i64, k as i64);
            // Each output channel's gradient vanishes where its target is unknown (the class
            // channels all share the one mask).
            let unknown = (mask.ones_like() - &mask).expand([2, c, z as i64, y as i64, x as i64], false);
            let leaked = f64::try_from((&grad * &unknown).abs().sum(Kind::Float)).unwrap();
            assert_eq!(leaked, 0.0, "{head:?}: gradient on unannotated voxels");
            let used = f64::try_from((&grad * (unknown.ones_like() - &unknown)).abs().sum(Kind::Float)).unwrap();
            assert!(used > 0.0, "{head:?}: annotated voxels drive the loss");
            // Any other target where it is unknown: the same loss.
            let noise = Tensor::rand_like(&target.narrow(1, 0, k as i64));
            let scrambled = Tensor::cat(&[target.narrow(1, 0, k as i64) * &mask + noise.round() * (mask.ones_like() - &mask), mask.shallow_clone()], 1);
            let again = f64::try_from(head.loss(&logits.detach(), &scrambled, &config)).unwrap();
            let first = f64::try_from(&loss).unwrap();
            assert!(first.is_finite() && (again - first).abs() < 1e-9 * first.abs().max(1.0), "{head:?}: {first} vs {again}");
        }
    }

    #[test]
    fn with_every_voxel_annotated_the_masked_loss_is_the_dense_loss() {
        for (head, config) in sparse_heads() {
            let (labels, shape) = sparse_window();
            let labels: Vec<u32> = labels.iter().map(|&l| if l == IGNORE { 0 } else { l }).collect();
            let [z, y, x] = shape.map(|v| v as i64);
            let c = head.output_channels();
            let logits = Tensor::randn([1, c, z, y, x], (Kind::Float, tch::Device::Cpu));
            let view = |values: Vec<f32>, k: usize| Tensor::from_slice(&values).view([1, k as i64, z, y, x]);
            let sparse = view(head.targets(&labels, shape, Some(IGNORE)), head.target_channels(true));
            let dense = view(head.targets(&labels, shape, None), head.target_channels(false));
            let mut dense_config = config.clone();
            dense_config.ignore_label = None;
            let (a, b) = (head.loss(&logits, &sparse, &config), head.loss(&logits, &dense, &dense_config));
            let (a, b) = (f64::try_from(a).unwrap(), f64::try_from(b).unwrap());
            // Every mask is all ones (instance ones too: no object meets an unannotated voxel).
            assert_eq!(f64::try_from(sparse.narrow(1, head.target_channels(false) as i64, head.target_channels(false) as i64).min()).unwrap(), 1.0);
            assert!((a - b).abs() < 1e-5 * b.abs().max(1.0), "{head:?}: {a} vs {b}");
        }
    }

    #[test]
    fn sparse_targets_draw_no_contour_where_an_object_meets_unannotated_voxels() {
        let (labels, shape) = sparse_window();
        let head = Head::Instance { contour_width: 1, distance: true };
        let t = head.targets(&labels, shape, Some(IGNORE));
        let n = labels.len();
        let (fg, contour, distance) = (&t[..n], &t[n..2 * n], &t[2 * n..3 * n]);
        let (annotated, contour_known, distance_known) = (&t[3 * n..4 * n], &t[4 * n..5 * n], &t[5 * n..]);
        let at = |y: usize, x: usize| y * 16 + x;
        // Object 3 (rows 5..8, columns 12..15) meets the unannotated band at row 7: no contour
        // there and unknown; its upper edge meets background: contour, known.
        assert_eq!((contour[at(7, 13)], contour_known[at(7, 13)]), (0.0, 0.0));
        assert_eq!((contour[at(5, 13)], contour_known[at(5, 13)]), (1.0, 1.0));
        // Its distance is unknown everywhere; objects 1 and 2 are complete: known.
        assert!((5..8).all(|y| (12..15).all(|x| distance_known[at(y, x)] == 0.0)));
        assert_eq!((distance[at(3, 3)], distance_known[at(3, 3)]), (distance[at(3, 3)], 1.0));
        assert!(distance[at(3, 3)] > 0.0);
        // The touching edge of 1 and 2 is contour; unannotated voxels are no foreground, unknown.
        assert_eq!((contour[at(3, 5)], contour[at(3, 6)]), (1.0, 1.0));
        assert_eq!((fg[at(9, 3)], annotated[at(9, 3)], contour_known[at(9, 3)], distance_known[at(9, 3)]), (0.0, 0.0, 0.0, 0.0));
        // Background is known everywhere it is annotated, even next to the band.
        assert_eq!((contour_known[at(7, 0)], distance_known[at(7, 0)]), (1.0, 1.0));
        // Semantic heads: the ignore value is no class; its target is 0 and its mask 0.
        let classes = Head::Classes { classes: vec![0, 1, 2, 3], weights: vec![1.0; 4] };
        let t = classes.targets(&labels, shape, Some(IGNORE));
        assert_eq!((t[at(3, 7)], t[n + at(3, 7)]), (2.0, 1.0));
        assert_eq!((t[at(9, 7)], t[n + at(9, 7)]), (0.0, 0.0));
    }

    #[test]
    fn the_ignore_label_is_no_class() {
        let mut config = load_config("Semantic2D").unwrap();
        config.ignore_label = Some(IGNORE);
        assert_eq!(Head::for_training(&config, &[0, IGNORE, 1, IGNORE]).unwrap(), Head::Binary { background: 0, foreground: 1 });
        let head = Head::for_training(&config, &[0, 1, 2, IGNORE, IGNORE, IGNORE, IGNORE, 0, 0]).unwrap();
        let Head::Classes { classes, weights } = &head else { panic!("{head:?}") };
        assert_eq!(classes, &[0, 1, 2]);
        // Weights from the annotated voxels: 0 three times, 1 and 2 once each.
        assert!((weights[1] - weights[2]).abs() < 1e-12 && weights[0] < weights[1], "{weights:?}");
        let err = Head::for_training(&config, &[1, IGNORE, 1]).unwrap_err().to_string();
        assert!(err.contains("65535 is the ignore_label"), "{err}");
    }

    #[test]
    fn class_losses_are_small_for_right_and_large_for_wrong_logits() {
        let config = load_config("Semantic2D").unwrap();
        let head = Head::Classes { classes: vec![0, 1, 2], weights: vec![1.0; 3] };
        let target = Tensor::from_slice(&[0f32, 1., 2., 1.]).view([1, 1, 2, 2]);
        let right = Tensor::from_slice(&[9f32, -9., -9., -9., -9., 9., -9., 9., -9., -9., 9., -9.]).view([1, 3, 2, 2]);
        let good = f64::try_from(head.loss(&right, &target, &config)).unwrap();
        let bad = f64::try_from(head.loss(&(-&right), &target, &config)).unwrap();
        assert!(good < 0.05 && bad > 1.0, "{good} {bad}");
        let predicted = Vec::<u8>::try_from(head.predicted_classes(&right).flatten(0, -1)).unwrap();
        assert_eq!(predicted, vec![0, 1, 2, 1]);
    }
}
