//! The U-Net itself. Level 0 works at full resolution; every deeper level first downsamples with
//! a strided convolution, and the decoder upsamples (bi-/trilinear) and adds the skip of the
//! same level, as PyTorch Connectomics' `unet_2d` / `unet_3d` do.
use super::compute::Compute;
use super::layers::{Conv, ConvNormAct, ResidualSe};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::{Kind, Tensor};

/// One encoder level: its kernel and the stride of the convolution that enters it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    pub kernel: Vec<i64>,
    pub stride: Vec<i64>,
}

/// The shape of a U-Net, stored in model.json so that auto-label rebuilds the same network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UNetSpec {
    pub in_channels: i64,
    pub out_channels: i64,
    pub filters: Vec<i64>,
    /// Kernel of the input and output convolutions (5 wide in-plane).
    pub io_kernel: Vec<i64>,
    pub levels: Vec<Level>,
}

impl UNetSpec {
    /// The 2D network: 3x3 kernels, every level below the first halves y and x.
    pub fn two_d(filters: &[i64], in_channels: i64, out_channels: i64) -> Self {
        let levels = (0..filters.len())
            .map(|i| Level { kernel: vec![3, 3], stride: if i == 0 { vec![1, 1] } else { vec![2, 2] } })
            .collect();
        UNetSpec { in_channels, out_channels, filters: filters.to_vec(), io_kernel: vec![5, 5], levels }
    }

    /// The 3D network for voxels of `voxel_nm` (x, y, z): strides and kernels from the anisotropy
    /// plan (see anisotropy.rs).
    pub fn three_d(filters: &[i64], voxel_nm: [f64; 3], in_channels: i64, out_channels: i64) -> Self {
        let levels = super::anisotropy::anisotropic_levels(voxel_nm, filters.len());
        let io_kernel = super::anisotropy::io_kernel(&levels);
        UNetSpec { in_channels, out_channels, filters: filters.to_vec(), io_kernel, levels }
    }

    pub fn spatial_dims(&self) -> usize {
        self.io_kernel.len()
    }

    /// Total downsampling per spatial dimension (product of the strides).
    pub fn downsampling(&self) -> Vec<i64> {
        (0..self.spatial_dims()).map(|d| self.levels.iter().map(|l| l.stride[d]).product()).collect()
    }
}

#[derive(Debug)]
struct EncoderLevel {
    enter: ConvNormAct,
    block: ResidualSe,
}

#[derive(Debug)]
struct DecoderLevel {
    reduce: ConvNormAct,
    block: ResidualSe,
}

#[derive(Debug)]
pub struct UNet {
    spec: UNetSpec,
    conv_in: ConvNormAct,
    encoder: Vec<EncoderLevel>,
    /// decoder[i] brings level i+1's features to level i.
    decoder: Vec<DecoderLevel>,
    conv_out: Conv,
    compute: Compute,
}

impl UNet {
    /// A network with fresh weights drawn from `rng` (the training's seed decides them).
    pub fn new(p: &nn::Path, spec: &UNetSpec, rng: &mut Rng) -> Self {
        let f = &spec.filters;
        let unit = vec![1; spec.spatial_dims()];
        let conv_in = ConvNormAct::new(&(p / "conv_in"), rng, spec.in_channels, f[0], &spec.io_kernel, &unit, true);
        let encoder = spec
            .levels
            .iter()
            .enumerate()
            .map(|(i, level)| {
                let q = p / "encoder" / i;
                let previous = f[i.saturating_sub(1)];
                EncoderLevel {
                    enter: ConvNormAct::new(&(&q / "enter"), rng, previous, f[i], &level.kernel, &level.stride, true),
                    block: ResidualSe::new(&(&q / "block"), rng, f[i], &level.kernel),
                }
            })
            .collect();
        let decoder = (1..f.len())
            .map(|j| {
                let q = p / "decoder" / (j - 1);
                let kernel = &spec.levels[j].kernel;
                DecoderLevel {
                    reduce: ConvNormAct::new(&(&q / "reduce"), rng, f[j], f[j - 1], kernel, &unit, true),
                    block: ResidualSe::new(&(&q / "block"), rng, f[j - 1], kernel),
                }
            })
            .collect();
        let conv_out = Conv::new(p / "conv_out", rng, f[0], spec.out_channels, &spec.io_kernel, &unit, true);
        UNet { spec: spec.clone(), conv_in, encoder, decoder, conv_out, compute: Compute::default() }
    }

    pub fn spec(&self) -> &UNetSpec {
        &self.spec
    }

    /// Layout and precision of the forward passes from now on (the weights stay fp32).
    pub fn set_compute(&mut self, compute: Compute) {
        self.compute = compute;
    }

    pub fn compute(&self) -> Compute {
        self.compute
    }
}

/// Upsamples `x` to the spatial size of `skip` and adds it (align_corners, as PyTorch
/// Connectomics does with strided-convolution downsampling).
fn upsample_add(x: &Tensor, skip: &Tensor) -> Tensor {
    let size = skip.size();
    let up = match size.len() {
        4 => x.upsample_bilinear2d(&size[2..], true, None, None),
        _ => x.upsample_trilinear3d(&size[2..], true, None, None, None),
    };
    up + skip
}

impl ModuleT for UNet {
    /// x: (batch, in_channels, [z,] y, x) -> logits (batch, out_channels, [z,] y, x), same size.
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let mut h = self.compute.after_input_layer(self.conv_in.forward_t(&self.compute.input(x), train));
        let mut skips = Vec::with_capacity(self.encoder.len());
        for level in &self.encoder {
            h = level.block.forward_t(&level.enter.forward_t(&h, train), train);
            skips.push(h.shallow_clone());
        }
        skips.pop(); // the deepest level has no skip: it is `h`
        for (level, skip) in self.decoder.iter().zip(skips.iter()).rev() {
            h = level.reduce.forward_t(&h, train);
            h = level.block.forward_t(&upsample_add(&h, skip), train);
        }
        let logits = self.conv_out.forward(&h);
        if self.compute == Compute::default() {
            logits
        } else {
            logits.to_kind(Kind::Float).contiguous()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    fn output_shape(spec: &UNetSpec, input: &[i64]) -> Vec<i64> {
        let vs = nn::VarStore::new(Device::Cpu);
        let net = UNet::new(&vs.root(), spec, &mut Rng::new(0));
        let x = Tensor::randn(input, (Kind::Float, Device::Cpu));
        tch::no_grad(|| net.forward_t(&x, false)).size()
    }

    #[test]
    fn output_matches_input_size_even_for_odd_windows() {
        let spec = UNetSpec::two_d(&[4, 6, 8, 10, 12], 1, 2);
        for (h, w) in [(16, 16), (33, 47), (17, 64), (65, 31)] {
            assert_eq!(output_shape(&spec, &[2, 1, h, w]), vec![2, 2, h, w], "{h}x{w}");
        }
    }

    #[test]
    fn the_3d_network_keeps_any_window_size() {
        let spec = UNetSpec::three_d(&[4, 6, 8, 10, 12], [10.0, 10.0, 40.0], 1, 3);
        assert_eq!(spec.downsampling(), vec![4, 16, 16]);
        for (z, h, w) in [(8, 32, 32), (5, 33, 47), (4, 16, 20)] {
            assert_eq!(output_shape(&spec, &[1, 1, z, h, w]), vec![1, 3, z, h, w], "{z}x{h}x{w}");
        }
        let iso = UNetSpec::three_d(&[4, 6, 8, 10, 12], [10.0, 10.0, 10.0], 1, 1);
        assert_eq!(iso.downsampling(), vec![16, 16, 16]);
        assert_eq!(output_shape(&iso, &[1, 1, 16, 16, 16]), vec![1, 1, 16, 16, 16]);
    }

    #[test]
    fn the_2d_network_has_the_connectomics_shape() {
        let spec = UNetSpec::two_d(&[28, 36, 48, 64, 80], 1, 1);
        assert_eq!(spec.downsampling(), vec![16, 16]);
        let vs = nn::VarStore::new(Device::Cpu);
        let _net = UNet::new(&vs.root(), &spec, &mut Rng::new(0));
        let vars = vs.variables();
        assert_eq!(vars["conv_in.conv.weight"].size(), vec![28, 1, 5, 5]);
        assert_eq!(vars["encoder.4.enter.conv.weight"].size(), vec![80, 64, 3, 3]);
        assert_eq!(vars["decoder.0.reduce.conv.weight"].size(), vec![28, 36, 3, 3]);
        assert_eq!(vars["encoder.2.block.se.reduce.weight"].size(), vec![12, 48]);
        assert_eq!(vars["conv_out.weight"].size(), vec![1, 28, 5, 5]);
        assert!(vars.contains_key("encoder.1.block.second.bn.running_var"));
    }

    /// Runs the network level by level (as forward_t does) and says where a layer handed on
    /// another layout or precision than it was given.
    fn layers_that_convert(net: &UNet, x: &Tensor) -> Vec<String> {
        let mut found = Vec::new();
        let mut check = |what: &str, t: &Tensor| {
            if crate::model::is_channels_last(t) != net.compute.channels_last || t.kind() != net.compute.kind() {
                found.push(format!("{what}: {:?} {:?}", t.kind(), t.stride()));
            }
        };
        let mut h = net.compute.after_input_layer(net.conv_in.forward_t(&net.compute.input(x), true));
        check("conv_in", &h);
        let mut skips = Vec::new();
        for (i, level) in net.encoder.iter().enumerate() {
            let entered = level.enter.forward_t(&h, true);
            check(&format!("encoder {i} enter"), &entered);
            h = level.block.forward_t(&entered, true);
            check(&format!("encoder {i} block"), &h);
            skips.push(h.shallow_clone());
        }
        skips.pop();
        for (i, (level, skip)) in net.decoder.iter().zip(skips.iter()).enumerate().rev() {
            h = level.reduce.forward_t(&h, true);
            check(&format!("decoder {i} reduce"), &h);
            let added = upsample_add(&h, skip);
            check(&format!("decoder {i} upsample_add"), &added);
            h = level.block.forward_t(&added, true);
            check(&format!("decoder {i} block"), &h);
        }
        found
    }

    #[test]
    fn channels_last_and_bf16_hold_through_every_layer() {
        for (channels_last, bf16) in [(true, false), (true, true), (false, true)] {
            let compute = Compute { channels_last, bf16 };
            let vs = nn::VarStore::new(Device::Cpu);
            let mut net = UNet::new(&vs.root(), &UNetSpec::two_d(&[4, 6, 8, 10, 12], 1, 2), &mut Rng::new(0));
            net.set_compute(compute);
            let found = layers_that_convert(&net, &Tensor::randn([2, 1, 32, 48], (Kind::Float, Device::Cpu)));
            assert!(found.is_empty(), "2D {compute:?}: {found:?}");
        }
        // 3D: libtorch 2.13's CPU convolutions answer channels_last_3d input in NCDHW, so 3D
        // networks compute in the default layout (see Compute::for_network); bf16 holds.
        let compute = Compute { channels_last: false, bf16: true };
        let vs = nn::VarStore::new(Device::Cpu);
        let mut net = UNet::new(&vs.root(), &UNetSpec::three_d(&[4, 6, 8, 10, 12], [10.0, 10.0, 40.0], 1, 3), &mut Rng::new(0));
        net.set_compute(compute);
        let found = layers_that_convert(&net, &Tensor::randn([1, 1, 8, 32, 32], (Kind::Float, Device::Cpu)));
        assert!(found.is_empty(), "3D {compute:?}: {found:?}");
    }

    /// The same weights in every layout and precision: channels-last computes the same numbers
    /// (up to summation order), bf16 within its rounding, and in training the gradients reach
    /// every fp32 weight.
    #[test]
    fn channels_last_and_bf16_outputs_are_close_to_fp32() {
        for spec in [UNetSpec::two_d(&[4, 6, 8, 10, 12], 1, 2), UNetSpec::three_d(&[4, 6, 8, 10, 12], [10.0, 10.0, 40.0], 1, 2)] {
            let input: Vec<i64> = if spec.spatial_dims() == 2 { vec![2, 1, 32, 48] } else { vec![1, 1, 8, 32, 32] };
            let x = Tensor::randn(input.as_slice(), (Kind::Float, Device::Cpu));
            let vs = nn::VarStore::new(Device::Cpu);
            let mut net = UNet::new(&vs.root(), &spec, &mut Rng::new(2));
            let output = |net: &UNet, train: bool| {
                let y = net.forward_t(&x, train);
                assert_eq!((y.kind(), y.size()), (Kind::Float, vec![input[0], 2].into_iter().chain(input[2..].iter().copied()).collect()));
                assert!(y.is_contiguous());
                y
            };
            // 3D computes in the default layout only (Compute::for_network).
            let layouts = if spec.spatial_dims() == 2 { vec![false, true] } else { vec![false] };
            let computes = layouts.iter().flat_map(|&cl| [(Compute { channels_last: cl, bf16: false }, 1e-4), (Compute { channels_last: cl, bf16: true }, 0.1)]);
            for (compute, tolerance) in computes {
                // (Each training pass below moves batch norm's running statistics.)
                let reference = tch::no_grad(|| output(&net, false));
                let scale = f64::try_from(reference.abs().max()).unwrap();
                net.set_compute(compute);
                let y = tch::no_grad(|| output(&net, false));
                let worst = f64::try_from((&y - &reference).abs().max()).unwrap();
                let mean = f64::try_from((&y - &reference).abs().mean(Kind::Float)).unwrap();
                // bf16 keeps 8 bits of mantissa through some 25 layers of an untrained network.
                assert!(worst <= tolerance * scale && mean <= tolerance / 5.0 * scale, "{compute:?}: differs by up to {worst}, {mean} on average (outputs up to {scale})");
                // Training: a loss in fp32 whose gradient reaches every fp32 weight.
                vs.variables().into_values().for_each(|mut v| v.zero_grad());
                output(&net, true).square().mean(Kind::Float).backward();
                for (name, v) in vs.variables() {
                    if v.requires_grad() {
                        assert_eq!((v.kind(), v.grad().kind()), (Kind::Float, Kind::Float), "{name}");
                        assert!(f64::try_from(v.grad().abs().sum(Kind::Float)).unwrap() > 0.0, "{compute:?}: no gradient for {name}");
                    }
                }
                net.set_compute(Compute::default());
            }
        }
    }

    #[test]
    fn weights_start_orthogonal() {
        let vs = nn::VarStore::new(Device::Cpu);
        let _net = UNet::new(&vs.root(), &UNetSpec::two_d(&[8, 8, 8, 8, 8], 1, 1), &mut Rng::new(0));
        let w = vs.variables()["encoder.1.enter.conv.weight"].view([8, -1]);
        let gram = w.matmul(&w.transpose(0, 1));
        let identity = Tensor::eye(8, (Kind::Float, Device::Cpu));
        assert!(gram.allclose(&identity, 1e-4, 1e-4, false));
    }
}
