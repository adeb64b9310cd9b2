//! Binary segmentation loss: class-balanced weighted BCE-with-logits plus soft Dice, as
//! PyTorch Connectomics trains its foreground targets.
use tch::{Kind, Reduction, Tensor};

/// The foreground share of a sample is clipped to [5%, 95%] before weighting, so a nearly
/// empty window does not get a weight of thousands.
const MIN_SHARE: f64 = 0.05;
const DICE_SMOOTH: f64 = 1.0;

/// Per-voxel weights: the rarer class of each sample gets weight max(f,1-f)/min(f,1-f), the
/// commoner one 1 (f = the sample's foreground share, clipped).
pub fn balanced_weight(target: &Tensor) -> Tensor {
    let dims: Vec<i64> = (1..target.dim() as i64).collect();
    let share = target.mean_dim(dims.as_slice(), true, Kind::Float);
    weight_from_share(&share, target)
}

/// The weights of [`balanced_weight`] for each sample's foreground `share` (clipped here).
fn weight_from_share(share: &Tensor, target: &Tensor) -> Tensor {
    let share = share.clamp(MIN_SHARE, 1.0 - MIN_SHARE);
    let other = share.ones_like() - &share;
    let factor = share.maximum(&other) / share.minimum(&other);
    let extra = factor - 1.0;
    // foreground rarer: 1 + extra * target; background rarer: 1 + extra * (1 - target)
    let fg_rare = share.lt(0.5).to_kind(Kind::Float);
    let rare_mask = &fg_rare * target + (fg_rare.ones_like() - &fg_rare) * (target.ones_like() - target);
    rare_mask * extra + 1.0
}

/// [`balanced_weight`] from the known voxels (`mask` 1) only: the foreground share is that of
/// the annotated voxels (0 for a sample with none, whose voxels all have mask 0 anyway).
pub fn masked_balanced_weight(target: &Tensor, mask: &Tensor) -> Tensor {
    let dims: Vec<i64> = (1..target.dim() as i64).collect();
    let d = dims.as_slice();
    let known = mask.sum_dim_intlist(d, true, Kind::Float).clamp_min(1.0);
    let share = (target * mask).sum_dim_intlist(d, true, Kind::Float) / known;
    weight_from_share(&share, target)
}

/// 1 - (2 sum(p t) + s) / (sum(p^2) + sum(t^2) + s), averaged over the samples.
pub fn dice_loss(probability: &Tensor, target: &Tensor) -> Tensor {
    let dims: Vec<i64> = (1..target.dim() as i64).collect();
    let d = dims.as_slice();
    let overlap = (probability * target).sum_dim_intlist(d, false, Kind::Float);
    let denominator = probability.square().sum_dim_intlist(d, false, Kind::Float) + target.square().sum_dim_intlist(d, false, Kind::Float);
    let ratio = (overlap * 2.0 + DICE_SMOOTH) / (denominator + DICE_SMOOTH);
    (-ratio + 1.0).mean(Kind::Float)
}

/// bce_weight x weighted BCE + dice_weight x Dice, for one-channel logits.
pub fn binary_loss(logits: &Tensor, target: &Tensor, bce_weight: f64, dice_weight: f64) -> Tensor {
    let weight = balanced_weight(target);
    let bce = logits.binary_cross_entropy_with_logits(target, Some(&weight), None::<&Tensor>, Reduction::Mean);
    bce * bce_weight + dice_loss(&logits.sigmoid(), target) * dice_weight
}

/// [`binary_loss`] on the voxels where `mask` is 1: the weighted BCE summed over them and divided
/// by their number, Dice of prediction and target both multiplied by the mask. A masked voxel
/// contributes nothing to the value and exactly zero to the gradient.
pub fn masked_binary_loss(logits: &Tensor, target: &Tensor, mask: &Tensor, bce_weight: f64, dice_weight: f64) -> Tensor {
    let weight = masked_balanced_weight(target, mask) * mask;
    let bce = logits.binary_cross_entropy_with_logits(target, Some(&weight), None::<&Tensor>, Reduction::Sum) / mask.sum(Kind::Float).clamp_min(1.0);
    bce * bce_weight + dice_loss(&(logits.sigmoid() * mask), &(target * mask)) * dice_weight
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: &Tensor) -> Vec<f32> {
        Vec::<f32>::try_from(t.flatten(0, -1)).unwrap()
    }

    #[test]
    fn rare_foreground_gets_the_ratio_as_weight() {
        // sample 0: 1 of 5 foreground (20% -> weight 4 on fg); sample 1: 4 of 5 (bg rare -> 4 on bg)
        let t = Tensor::from_slice(&[1f32, 0., 0., 0., 0., 1., 1., 1., 1., 0.]).view([2, 5]);
        let expected = [4f32, 1., 1., 1., 1., 1., 1., 1., 1., 4.];
        let got = values(&balanced_weight(&t));
        assert!(got.iter().zip(expected).all(|(g, e)| (g - e).abs() < 1e-5), "{got:?}");
    }

    #[test]
    fn empty_and_full_samples_are_clipped_and_harmless() {
        let t = Tensor::from_slice(&[0f32; 4]).view([1, 4]);
        assert_eq!(values(&balanced_weight(&t)), vec![1.; 4]);
        let t = Tensor::from_slice(&[1f32; 4]).view([1, 4]);
        assert_eq!(values(&balanced_weight(&t)), vec![1.; 4]);
    }

    #[test]
    fn dice_is_zero_for_a_perfect_prediction_and_known_for_a_half_one() {
        let t = Tensor::from_slice(&[1f32, 1., 0., 0.]).view([1, 4]);
        assert!(f64::try_from(dice_loss(&t, &t)).unwrap().abs() < 1e-6);
        let p = Tensor::from_slice(&[1f32, 0., 0., 0.]).view([1, 4]);
        // 1 - (2*1 + 1) / (1 + 2 + 1) = 0.25
        assert!((f64::try_from(dice_loss(&p, &t)).unwrap() - 0.25).abs() < 1e-6);
    }

    #[test]
    fn binary_loss_matches_its_parts_computed_by_hand() {
        // logits 0 everywhere: p = 0.5, bce per voxel = ln 2; weights 1/2 fg 1 of 2 -> all 1.
        let logits = Tensor::zeros([1, 2], (Kind::Float, tch::Device::Cpu));
        let t = Tensor::from_slice(&[1f32, 0.]).view([1, 2]);
        let dice = 1.0 - (2.0 * 0.5 + 1.0) / (0.5 + 1.0 + 1.0);
        let expected = 2f64.ln() + 0.5 * dice;
        let got = f64::try_from(binary_loss(&logits, &t, 1.0, 0.5)).unwrap();
        assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
    }
}
