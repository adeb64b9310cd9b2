//! How the network computes: memory layout (channels-last) and precision (bf16 with fp32 master
//! weights). The layers follow their input: `UNet::forward_t` converts the input once, every
//! convolution casts its fp32 weight to the input's precision and layout, and the logits come
//! back as fp32 in the default layout (the loss and everything after the network stay fp32).
use tch::{Kind, Tensor};

/// Layout and precision of one network's forward passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compute {
    /// Activations and weights channels-last (NHWC, NDHWC for 3D): oneDNN's fast layout.
    pub channels_last: bool,
    /// Convolutions, normalisation inputs and activations in bfloat16 (autocast-like: weights,
    /// loss and optimiser stay fp32).
    pub bf16: bool,
}

impl Default for Compute {
    /// fp32, NCHW: what every network computed before these options existed.
    fn default() -> Self {
        Compute { channels_last: false, bf16: false }
    }
}

impl Compute {
    /// What a network of `spec` computes with at `precision` (resolved: fp32 or bf16).
    /// Channels-last only for 2D networks (libtorch 2.13's CPU 3D convolutions answer
    /// channels_last_3d in NCDHW, so 3D would only pay for conversions); in fp32 only where
    /// `fp32_channels_last`: always for inference, for training where
    /// `settings::fp32_training_channels_last` says so (on a 2-core EPYC with AVX2, channels-last
    /// made a forward pass 1.19x faster but a training iteration 0.92x as fast; on an AVX-512 Xeon
    /// training gained 1.13-1.24x). bf16 2D always computes channels-last (oneDNN's bf16 fast path).
    pub fn for_network(spec: &super::UNetSpec, precision: crate::settings::Precision, fp32_channels_last: bool) -> Self {
        let bf16 = precision.is_bf16();
        let two_d = spec.spatial_dims() == 2;
        Compute { channels_last: two_d && (bf16 || fp32_channels_last), bf16 }
    }

    pub fn kind(&self) -> Kind {
        if self.bf16 {
            Kind::BFloat16
        } else {
            Kind::Float
        }
    }

    /// The network's input in this layout and precision.
    pub fn input(&self, x: &Tensor) -> Tensor {
        let x = if x.kind() == self.kind() { x.shallow_clone() } else { x.to_kind(self.kind()) };
        if self.channels_last {
            to_channels_last(&x)
        } else {
            x
        }
    }

    /// The first layer's output in this layout: its single-channel input cannot tell libtorch
    /// which layout is wanted, so its output comes back NCHW and is converted here, once.
    pub fn after_input_layer(&self, h: Tensor) -> Tensor {
        if self.channels_last && !is_channels_last(&h) {
            to_channels_last(&h)
        } else {
            h
        }
    }
}

/// The same values with channels innermost in memory (sizes unchanged: N, C, [D,] H, W), as
/// PyTorch's `memory_format=torch.channels_last(_3d)` (tch has no memory-format argument).
pub fn to_channels_last(t: &Tensor) -> Tensor {
    match t.dim() {
        4 => t.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]),
        5 => t.permute([0, 2, 3, 4, 1]).contiguous().permute([0, 4, 1, 2, 3]),
        _ => t.shallow_clone(),
    }
}

/// True when `t` (N, C, [D,] H, W) is laid out channels-last: its strides are those of a dense
/// NHWC / NDHWC tensor (dimensions of size 1 do not count). A single channel is never counted:
/// both layouts are the same there, and libtorch treats it as the default one.
pub fn is_channels_last(t: &Tensor) -> bool {
    let size = t.size();
    if size.len() < 4 || size[1] == 1 {
        return false;
    }
    let stride = t.stride();
    let mut order: Vec<usize> = (2..size.len()).rev().collect(); // innermost after C: W, H, [D]
    order.insert(0, 1); // C innermost
    order.push(0);
    let mut expected = 1;
    for d in order {
        if size[d] > 1 && stride[d] != expected {
            return false;
        }
        expected *= size[d];
    }
    true
}

/// A weight in `x`'s precision and, for a channels-last `x`, layout. Differentiable: the
/// gradient of the copy flows back to the fp32 weight.
pub fn like(weight: &Tensor, x: &Tensor) -> Tensor {
    let w = if weight.kind() == x.kind() { weight.shallow_clone() } else { weight.to_kind(x.kind()) };
    if weight.dim() >= 4 && is_channels_last(x) {
        to_channels_last(&w)
    } else {
        w
    }
}

/// How many times faster a bf16 3x3 convolution with 64 channels (batch 2 of 96 x 96,
/// channels-last, the bulk of the U-Net's work) runs than the same one in fp32 channels-last
/// (fp32's fastest layout) on this CPU, with the threads set now; best of five calls each after
/// a warm-up, about 0.1 s in all. None when libtorch refuses a step.
///
/// The CPU flags alone cannot tell: an Intel Xeon with avx512_bf16 but no AMX reached 170 GFLOP/s
/// in bf16 and 235 in fp32 (a bf16 training iteration 1.15x slower), an EPYC Zen 4 with the same
/// flag ran bf16 twice as fast (BENCHMARKS.md, "Speed harness").
pub fn cpu_bf16_speedup() -> Option<f64> {
    let best_seconds = |kind: Kind| -> Option<f64> {
        let options = (kind, tch::Device::Cpu);
        let x = to_channels_last(&Tensor::f_randn([2, 64, 96, 96], options).ok()?);
        let w = to_channels_last(&Tensor::f_randn([64, 64, 3, 3], options).ok()?);
        let conv = || x.f_conv2d(&w, None::<Tensor>, [1, 1], [1, 1], [1, 1], 1).map(|_| ());
        let mut best = f64::INFINITY;
        for call in 0..7 {
            let start = std::time::Instant::now();
            tch::no_grad(conv).ok()?;
            if call >= 2 {
                best = best.min(start.elapsed().as_secs_f64());
            }
        }
        Some(best)
    };
    let fp32 = best_seconds(Kind::Float)?;
    let bf16 = best_seconds(Kind::BFloat16)?;
    (bf16 > 0.0).then(|| fp32 / bf16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn the_bf16_speedup_is_measured() {
        let speedup = cpu_bf16_speedup().expect("libtorch runs both convolutions");
        // Emulated bf16 (no bf16 instructions) is about 10x slower, native up to about 2x faster.
        assert!(speedup.is_finite() && speedup > 0.01 && speedup < 20.0, "{speedup}");
    }

    #[test]
    fn channels_last_is_told_apart_from_the_default_layout() {
        let x = Tensor::randn([2, 3, 5, 7], (Kind::Float, Device::Cpu));
        assert!(!is_channels_last(&x));
        let cl = to_channels_last(&x);
        assert!(is_channels_last(&cl));
        assert_eq!(cl.size(), x.size());
        assert!(cl.equal(&x));
        assert_eq!(cl.stride(), vec![105, 1, 21, 3]);
        let x3 = Tensor::randn([1, 4, 3, 5, 6], (Kind::Float, Device::Cpu));
        assert!(!is_channels_last(&x3));
        assert!(is_channels_last(&to_channels_last(&x3)));
        // One channel: the same memory either way, and libtorch computes on it as NCHW.
        let one = Tensor::randn([2, 1, 4, 4], (Kind::Float, Device::Cpu));
        assert!(!is_channels_last(&to_channels_last(&one)));
    }

    #[test]
    fn channels_last_for_2d_bf16_and_where_fp32_gains() {
        use crate::settings::Precision::{Bf16, Fp32};
        let (two, three) = (super::super::UNetSpec::two_d(&[4, 8], 1, 1), super::super::UNetSpec::three_d(&[4, 8], [5.0, 5.0, 40.0], 1, 1));
        assert_eq!(Compute::for_network(&two, Fp32, false), Compute::default());
        assert_eq!(Compute::for_network(&two, Fp32, true), Compute { channels_last: true, bf16: false });
        assert_eq!(Compute::for_network(&two, Bf16, false), Compute { channels_last: true, bf16: true });
        assert_eq!(Compute::for_network(&three, Fp32, true), Compute::default());
        assert_eq!(Compute::for_network(&three, Bf16, true), Compute { channels_last: false, bf16: true });
    }

    #[test]
    fn a_weight_follows_its_input_and_its_gradient_reaches_the_fp32_weight() {
        let w = Tensor::randn([4, 3, 3, 3], (Kind::Float, Device::Cpu)).set_requires_grad(true);
        let x = to_channels_last(&Tensor::randn([1, 3, 8, 8], (Kind::Float, Device::Cpu))).to_kind(Kind::BFloat16);
        let wx = like(&w, &x);
        assert_eq!(wx.kind(), Kind::BFloat16);
        assert!(is_channels_last(&wx));
        wx.to_kind(Kind::Float).sum(Kind::Float).backward();
        assert_eq!(w.grad().kind(), Kind::Float);
        assert!(w.grad().equal(&w.ones_like()));
    }
}
