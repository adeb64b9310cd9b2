//! Building blocks of the U-Net, written once for 2D and 3D: the number of spatial dimensions
//! follows from the kernel shape. Parameter names (`conv.weight`, `bn.running_mean`, ...) are
//! the checkpoint keys: keep them stable.
use super::init::orthogonal;
use crate::rng::Rng;
use tch::nn::{self, Init, ModuleT};
use tch::{Kind, Tensor};

// PyTorch Connectomics initialises every convolution and linear weight orthogonally.

/// A convolution with "same" replicate padding (PyTorch Connectomics pads by replication, so
/// window borders do not see a dark frame of zeros).
#[derive(Debug)]
pub struct Conv {
    weight: Tensor,
    bias: Option<Tensor>,
    stride: Vec<i64>,
    /// Padding for `Tensor::pad`, last dimension first, both sides.
    pad: Vec<i64>,
}

impl Conv {
    pub fn new(p: nn::Path, rng: &mut Rng, c_in: i64, c_out: i64, kernel: &[i64], stride: &[i64], bias: bool) -> Self {
        let mut shape = vec![c_out, c_in];
        shape.extend_from_slice(kernel);
        let weight = p.var_copy("weight", &orthogonal(rng, &shape));
        let bias = bias.then(|| p.var("bias", &[c_out], Init::Const(0.0)));
        let pad = kernel.iter().rev().flat_map(|k| [k / 2, k / 2]).collect();
        Conv { weight, bias, stride: stride.to_vec(), pad }
    }

    /// Runs in `x`'s precision and memory layout: in a bf16 forward the fp32 weight is cast to
    /// bf16 here (a differentiable cast, so its gradient reaches the fp32 master weight), and a
    /// channels-last input gets a channels-last weight (oneDNN's fast path, no reorder per call).
    pub fn forward(&self, x: &Tensor) -> Tensor {
        self.convolve(x, &self.weight, self.bias.as_ref())
    }

    /// This convolution followed by `bn` with its running statistics (inference), computed as
    /// one convolution: the normalisation's scale folded into the weight, its shift into the
    /// bias. The same values (to float rounding) with one pass over the activations fewer.
    pub fn forward_folding(&self, x: &Tensor, bn: &nn::BatchNorm) -> Tensor {
        let scale = (&bn.running_var + BN_EPS).rsqrt();
        let scale = match &bn.ws { Some(gamma) => gamma * scale, None => scale };
        let mut per_output = vec![-1i64];
        per_output.resize(self.weight.dim(), 1);
        let weight = &self.weight * scale.view(per_output.as_slice());
        let bias = match &self.bias { Some(b) => b - &bn.running_mean, None => -&bn.running_mean } * &scale;
        let bias = match &bn.bs { Some(beta) => bias + beta, None => bias };
        self.convolve(x, &weight, Some(&bias))
    }

    fn convolve(&self, x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Tensor {
        let padded = if self.pad.iter().any(|&p| p > 0) { x.pad(&self.pad, "replicate", None) } else { x.shallow_clone() };
        let n = self.stride.len();
        let weight = super::compute::like(weight, x);
        let bias = bias.map(|b| if b.kind() == x.kind() { b.shallow_clone() } else { b.to_kind(x.kind()) });
        padded.convolution(&weight, bias.as_ref(), &self.stride, &vec![0; n], &vec![1; n], false, &vec![0; n], 1)
    }
}

/// Batch norm's epsilon (PyTorch's default), named because inference folds it into weights.
const BN_EPS: f64 = 1e-5;

fn batch_norm(p: nn::Path, dims: usize, channels: i64) -> nn::BatchNorm {
    // PyTorch's defaults: scale 1, shift 0 (tch's default scale is uniform random).
    let config = nn::BatchNormConfig { ws_init: Init::Const(1.0), eps: BN_EPS, ..Default::default() };
    if dims == 2 { nn::batch_norm2d(p, channels, config) } else { nn::batch_norm3d(p, channels, config) }
}

/// Convolution, batch norm and (optionally) ELU: the unit PyTorch Connectomics stacks everywhere.
#[derive(Debug)]
pub struct ConvNormAct {
    conv: Conv,
    bn: nn::BatchNorm,
    activate: bool,
}

impl ConvNormAct {
    pub fn new(p: &nn::Path, rng: &mut Rng, c_in: i64, c_out: i64, kernel: &[i64], stride: &[i64], activate: bool) -> Self {
        ConvNormAct {
            conv: Conv::new(p / "conv", rng, c_in, c_out, kernel, stride, false),
            bn: batch_norm(p / "bn", kernel.len(), c_out),
            activate,
        }
    }

    pub fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let y = if train { self.bn.forward_t(&self.conv.forward(x), true) } else { self.conv.forward_folding(x, &self.bn) };
        if self.activate { y.elu() } else { y }
    }
}

/// Squeeze-and-excitation: global average, a bottleneck of a quarter of the channels, and a
/// sigmoid gate per channel.
#[derive(Debug)]
struct SqueezeExcite {
    reduce: (Tensor, Tensor),
    expand: (Tensor, Tensor),
}

impl SqueezeExcite {
    fn new(p: &nn::Path, rng: &mut Rng, channels: i64) -> Self {
        let hidden = (channels / 4).max(1);
        let mut linear = |name: &str, c_in: i64, c_out: i64| {
            let q = p / name;
            (q.var_copy("weight", &orthogonal(rng, &[c_out, c_in])), q.var("bias", &[c_out], Init::Const(0.0)))
        };
        SqueezeExcite { reduce: linear("reduce", channels, hidden), expand: linear("expand", hidden, channels) }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let spatial: Vec<i64> = (2..x.dim() as i64).collect();
        // The bottleneck is tiny: it runs in fp32 whatever the precision of `x`.
        let squeezed = x.mean_dim(spatial.as_slice(), false, Some(Kind::Float));
        let hidden = squeezed.linear(&self.reduce.0, Some(&self.reduce.1)).elu();
        let gate = hidden.linear(&self.expand.0, Some(&self.expand.1)).sigmoid().to_kind(x.kind());
        let mut shape = gate.size();
        shape.resize(x.dim(), 1);
        x * gate.view(shape.as_slice())
    }
}

/// Residual block with squeeze-excitation (PyTorch Connectomics `residual_se`):
/// ELU(x + SE(BN(conv(ELU(BN(conv(x))))))).
#[derive(Debug)]
pub struct ResidualSe {
    first: ConvNormAct,
    second: ConvNormAct,
    se: SqueezeExcite,
}

impl ResidualSe {
    pub fn new(p: &nn::Path, rng: &mut Rng, channels: i64, kernel: &[i64]) -> Self {
        let unit = vec![1; kernel.len()];
        ResidualSe {
            first: ConvNormAct::new(&(p / "first"), rng, channels, channels, kernel, &unit, true),
            second: ConvNormAct::new(&(p / "second"), rng, channels, channels, kernel, &unit, false),
            se: SqueezeExcite::new(&(p / "se"), rng, channels),
        }
    }

    pub fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let y = self.second.forward_t(&self.first.forward_t(x, train), train);
        (self.se.forward(&y) + x).elu()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    /// Inference folds batch norm into the convolution: the result must be the same as the
    /// convolution followed by batch norm with its running statistics, in 2D and 3D, with and
    /// without the convolution's own bias.
    #[test]
    fn folded_batch_norm_equals_convolution_then_batch_norm() {
        tch::manual_seed(3);
        for (kernel, input) in [(vec![3i64, 3], vec![2i64, 5, 17, 19]), (vec![1, 3, 3], vec![2, 5, 4, 9, 11])] {
            for bias in [false, true] {
                let vs = nn::VarStore::new(Device::Cpu);
                let unit = vec![1; kernel.len()];
                let conv = Conv::new(vs.root() / "conv", &mut Rng::new(1), 5, 7, &kernel, &unit, bias);
                let mut bn = batch_norm(vs.root() / "bn", kernel.len(), 7);
                tch::no_grad(|| {
                    // Statistics and affine parameters far from the identity, as after training.
                    bn.running_mean.copy_(&(Tensor::randn([7], (Kind::Float, Device::Cpu)) * 3.0));
                    bn.running_var.copy_(&(Tensor::rand([7], (Kind::Float, Device::Cpu)) * 4.0 + 0.01));
                    bn.ws.as_ref().unwrap().shallow_clone().copy_(&Tensor::randn([7], (Kind::Float, Device::Cpu)));
                    bn.bs.as_ref().unwrap().shallow_clone().copy_(&Tensor::randn([7], (Kind::Float, Device::Cpu)));
                    if let Some(b) = &conv.bias {
                        b.shallow_clone().copy_(&Tensor::randn([7], (Kind::Float, Device::Cpu)));
                    }
                    let x = Tensor::randn(input.as_slice(), (Kind::Float, Device::Cpu));
                    let expected = bn.forward_t(&conv.forward(&x), false);
                    let folded = conv.forward_folding(&x, &bn);
                    let difference = (&expected - &folded).abs().max().double_value(&[]);
                    let size = expected.abs().max().double_value(&[]);
                    assert!(size > 1.0, "a meaningful comparison");
                    assert!(difference < 1e-4 * size, "kernel {kernel:?}, bias {bias}: {difference} of {size}");
                });
            }
        }
    }
}
