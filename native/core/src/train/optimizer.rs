//! SGD with momentum, written here rather than using tch's optimiser wrapper because its state
//! (the momentum buffers) must go into checkpoints for an exact resume, and tch does not expose
//! it. Weight decay applies to convolution and linear weights only, never to norms and biases.
use crate::error::Result;
use tch::{nn::VarStore, Tensor};

pub struct Sgd {
    /// (checkpoint key, parameter, momentum buffer, decays?)
    params: Vec<(String, Tensor, Tensor, bool)>,
    momentum: f64,
    weight_decay: f64,
}

impl Sgd {
    pub fn new(vs: &VarStore, momentum: f64, weight_decay: f64) -> Self {
        let mut named: Vec<(String, Tensor)> = vs.variables().into_iter().filter(|(_, t)| t.requires_grad()).collect();
        named.sort_by(|a, b| a.0.cmp(&b.0)); // a stable order, whatever the hash map did
        let params = named
            .into_iter()
            .map(|(name, t)| {
                let decays = t.dim() > 1; // weights of convs and linears; biases and norms are 1-D
                let buffer = t.zeros_like();
                (name, t, buffer, decays)
            })
            .collect();
        Sgd { params, momentum, weight_decay }
    }

    /// One update with the gradients accumulated since the last `zero_grad`.
    pub fn step(&mut self, lr: f64) {
        tch::no_grad(|| {
            for (_, p, buffer, decays) in &mut self.params {
                let grad = p.grad();
                if !grad.defined() {
                    continue;
                }
                let grad = if *decays { grad + &*p * self.weight_decay } else { grad };
                let _ = buffer.g_mul_scalar_(self.momentum).g_add_(&grad);
                let _ = p.g_sub_(&(&*buffer * lr));
            }
        });
    }

    pub fn zero_grad(&mut self) {
        for (_, p, _, _) in &mut self.params {
            p.zero_grad();
        }
    }

    /// Momentum buffers under "momentum.<parameter name>", for checkpoints.
    pub fn state(&self) -> Vec<(String, Tensor)> {
        self.params.iter().map(|(name, _, b, _)| (format!("momentum.{name}"), b.shallow_clone())).collect()
    }

    pub fn load_state(&mut self, state: &[(String, Tensor)]) -> Result<()> {
        for (name, _, buffer, _) in &mut self.params {
            let key = format!("momentum.{name}");
            if let Some((_, saved)) = state.iter().find(|(k, _)| *k == key) {
                tch::no_grad(|| buffer.f_copy_(saved))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{nn, Device, Kind};

    #[test]
    fn momentum_and_decay_follow_the_pytorch_formula() {
        let vs = VarStore::new(Device::Cpu);
        let w = vs.root().var("w", &[1, 2], nn::Init::Const(1.0));
        let b = vs.root().var("b", &[1], nn::Init::Const(1.0));
        let mut sgd = Sgd::new(&vs, 0.9, 0.1);
        for _ in 0..2 {
            sgd.zero_grad();
            (w.sum(Kind::Float) + b.sum(Kind::Float)).backward(); // grad 1 everywhere
            sgd.step(0.5);
        }
        // w: g1 = 1 + 0.1*1 = 1.1, buf = 1.1, w = 1 - 0.55 = 0.45;
        //    g2 = 1 + 0.045 = 1.045, buf = 0.99 + 1.045 = 2.035, w = 0.45 - 1.0175 = -0.5675
        // b (no decay): buf 1 then 1.9; b = 1 - 0.5 - 0.95 = -0.45
        let wv = Vec::<f32>::try_from(w.flatten(0, -1)).unwrap();
        assert!((wv[0] as f64 + 0.5675).abs() < 1e-6, "{wv:?}");
        assert!((f64::try_from(&b).unwrap() + 0.45).abs() < 1e-6);
    }
}
