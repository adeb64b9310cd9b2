//! What the network's output channels mean for each kind of config, and how targets, losses
//! and predicted classes follow from that:
//! - Binary (semantic, two label values): one channel, foreground = label != background value;
//! - Classes (semantic, more label values): one channel per class, softmax;
//! - Instance: foreground and contour channels (and a normalised distance map), sigmoids.
use super::loss::{binary_loss, dice_loss};
use crate::data::{class_indices, class_mapping, instance_contour, instance_distance};
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
    /// The head for training `config` on `labels` (the whole label stack).
    pub fn for_training(config: &TrainingConfig, labels: &[u32]) -> Result<Head> {
        if config.task == Task::Instance {
            return Ok(Head::Instance { contour_width: config.contour_width, distance: config.instance_distance });
        }
        let classes = class_mapping(labels);
        match classes.len() {
            0 | 1 => Err(Error::InvalidInput(format!("the label stack holds a single value ({:?}): a semantic config needs at least two classes", classes))),
            2 => Ok(Head::Binary { background: classes[0], foreground: classes[1] }),
            n if n > MAX_CLASSES => Err(Error::InvalidInput(format!(
                "the label stack holds {n} different values; a semantic config learns at most {MAX_CLASSES} classes. Are these instance ids? Then use Instance2D or Instance3D"
            ))),
            _ => {
                let weights = class_weights(labels, &classes);
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

    /// Target channels per window (class indices take one channel).
    pub fn target_channels(&self) -> usize {
        match self {
            Head::Classes { .. } => 1,
            other => other.output_channels() as usize,
        }
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

    /// Targets of one window, channel after channel (each z, y, x).
    pub fn targets(&self, labels: &[u32], shape: [usize; 3]) -> Vec<f32> {
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

    /// The loss of `logits` (n, C, ...) against `target` (n, target_channels, ...).
    pub fn loss(&self, logits: &Tensor, target: &Tensor, config: &TrainingConfig) -> Tensor {
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
/// [0.1, 10] so that a class of a few voxels does not dominate.
fn class_weights(labels: &[u32], classes: &[u32]) -> Vec<f64> {
    let indices = class_indices(labels, classes).expect("mapping made from these labels");
    let mut counts = vec![0u64; classes.len()];
    indices.iter().for_each(|&i| counts[i as usize] += 1);
    let total = labels.len().max(1) as f64;
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
        let t = head.targets(&[1, 1, 2, 2], [1, 1, 4]);
        assert_eq!(t.len(), 12);
        assert_eq!(&t[..4], &[1.0; 4]);
        assert_eq!(&t[4..8], &[0.0, 1.0, 1.0, 0.0], "both sides of the touching edge are contour");
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
