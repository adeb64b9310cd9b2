//! The optimisers, written here rather than using tch's wrappers because their state (momentum
//! and moment buffers) must go into checkpoints for an exact resume, and tch does not expose it.
//! Weight decay applies to convolution and linear weights only, never to norms and biases.
use crate::error::Result;
use crate::settings::{OptimizerKind, TrainingConfig};
use tch::{nn::VarStore, Tensor};

/// One trainable parameter and its optimiser buffers.
struct Param {
    name: String,
    value: Tensor,
    /// SGD: momentum buffer; AdamW: first moment.
    first: Tensor,
    /// AdamW: second moment (unused by SGD).
    second: Tensor,
    decays: bool,
}

pub struct Optimizer {
    kind: OptimizerKind,
    params: Vec<Param>,
    momentum: f64,
    weight_decay: f64,
    /// Updates done so far (AdamW's bias correction needs it; checkpoints store it).
    pub steps: u64,
}

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;

impl Optimizer {
    pub fn new(vs: &VarStore, config: &TrainingConfig) -> Self {
        let mut named: Vec<(String, Tensor)> = vs.variables().into_iter().filter(|(_, t)| t.requires_grad()).collect();
        named.sort_by(|a, b| a.0.cmp(&b.0)); // a stable order, whatever the hash map did
        let params = named
            .into_iter()
            .map(|(name, value)| Param {
                first: value.zeros_like(),
                second: value.zeros_like(),
                decays: value.dim() > 1, // weights of convs and linears; biases and norms are 1-D
                name,
                value,
            })
            .collect();
        Optimizer { kind: config.optimizer, params, momentum: config.momentum, weight_decay: config.weight_decay, steps: 0 }
    }

    /// One update with the gradients accumulated since the last `zero_grad`.
    pub fn step(&mut self, lr: f64) {
        self.steps += 1;
        let t = self.steps as i32;
        tch::no_grad(|| {
            for p in &mut self.params {
                let grad = p.value.grad();
                if !grad.defined() {
                    continue;
                }
                match self.kind {
                    OptimizerKind::Sgd => {
                        // PyTorch SGD: g += wd * w; buf = m * buf + g; w -= lr * buf
                        let grad = if p.decays { grad + &p.value * self.weight_decay } else { grad };
                        let _ = p.first.g_mul_scalar_(self.momentum).g_add_(&grad);
                        let _ = p.value.g_sub_(&(&p.first * lr));
                    }
                    OptimizerKind::Adamw => {
                        // PyTorch AdamW: w -= lr * wd * w; then the Adam update with bias correction.
                        if p.decays {
                            let _ = p.value.g_mul_scalar_(1.0 - lr * self.weight_decay);
                        }
                        let _ = p.first.g_mul_scalar_(BETA1).g_add_(&(&grad * (1.0 - BETA1)));
                        let _ = p.second.g_mul_scalar_(BETA2).g_add_(&(grad.square() * (1.0 - BETA2)));
                        let m_hat = &p.first / (1.0 - BETA1.powi(t));
                        let v_hat = &p.second / (1.0 - BETA2.powi(t));
                        let _ = p.value.g_sub_(&(m_hat / (v_hat.sqrt() + EPS) * lr));
                    }
                }
            }
        });
    }

    pub fn zero_grad(&mut self) {
        for p in &mut self.params {
            p.value.zero_grad();
        }
    }

    /// Buffers under "optimizer.first.<name>" / "optimizer.second.<name>", for checkpoints.
    pub fn state(&self) -> Vec<(String, Tensor)> {
        self.params
            .iter()
            .flat_map(|p| {
                [(format!("optimizer.first.{}", p.name), p.first.shallow_clone()), (format!("optimizer.second.{}", p.name), p.second.shallow_clone())]
            })
            .collect()
    }

    /// Restores the buffers saved by `state` (missing keys leave zeros: a fresh optimiser).
    pub fn load_state(&mut self, state: &std::collections::HashMap<String, Tensor>, steps: u64) -> Result<()> {
        self.steps = steps;
        for p in &mut self.params {
            for (which, buffer) in [("first", &mut p.first), ("second", &mut p.second)] {
                if let Some(saved) = state.get(&format!("optimizer.{which}.{}", p.name)) {
                    tch::no_grad(|| buffer.f_copy_(saved))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;
    use tch::{nn, Device, Kind};

    /// Two updates of w (2 values, decays) and b (1 value, no decay), gradient 1 everywhere.
    fn two_steps(kind: OptimizerKind) -> (f64, f64) {
        let vs = VarStore::new(Device::Cpu);
        let w = vs.root().var("w", &[1, 2], nn::Init::Const(1.0));
        let b = vs.root().var("b", &[1], nn::Init::Const(1.0));
        let mut config = load_config("Semantic2D").unwrap();
        (config.optimizer, config.momentum, config.weight_decay) = (kind, 0.9, 0.1);
        let mut opt = Optimizer::new(&vs, &config);
        for _ in 0..2 {
            opt.zero_grad();
            (w.sum(Kind::Float) + b.sum(Kind::Float)).backward();
            opt.step(0.5);
        }
        let w0 = Vec::<f32>::try_from(w.flatten(0, -1)).unwrap()[0] as f64;
        (w0, f64::try_from(&b).unwrap())
    }

    #[test]
    fn sgd_follows_the_pytorch_formula() {
        // w: g1 = 1 + 0.1*1 = 1.1, buf = 1.1, w = 1 - 0.55 = 0.45;
        //    g2 = 1 + 0.045 = 1.045, buf = 0.99 + 1.045 = 2.035, w = 0.45 - 1.0175 = -0.5675
        // b (no decay): buf 1 then 1.9; b = 1 - 0.5 - 0.95 = -0.45
        let (w, b) = two_steps(OptimizerKind::Sgd);
        assert!((w + 0.5675).abs() < 1e-6, "{w}");
        assert!((b + 0.45).abs() < 1e-6, "{b}");
    }

    #[test]
    fn adamw_follows_the_pytorch_formula() {
        // With a constant gradient g, Adam's bias-corrected update is lr * g/|g| = lr per step
        // (up to eps). w: decay then step: w1 = 1*(1-0.05) - 0.5 = 0.45, w2 = 0.45*0.95 - 0.5 = -0.0725
        // b (no decay): 1 - 0.5 - 0.5 = 0
        let (w, b) = two_steps(OptimizerKind::Adamw);
        assert!((w + 0.0725).abs() < 1e-5, "{w}");
        assert!(b.abs() < 1e-5, "{b}");
    }
}
