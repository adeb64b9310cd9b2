//! Data parallel training over several devices (#GPU > 1): one replica of the network per
//! device, each iteration's batch split between them, gradients added onto the first replica
//! (the one the optimiser updates) and its weights copied back to the others after each update.
//! As in PyTorch's DataParallel, batch-norm statistics are those of the first replica.
//! Replicas are driven from one thread: CUDA launches are asynchronous, so devices still
//! compute at the same time.
use super::Head;
use crate::error::{Error, Result};
use crate::model::{named_weights, Compute, UNet, UNetSpec};
use crate::rng::Rng;
use crate::settings::TrainingConfig;
use tch::nn::{ModuleT, VarStore};
use tch::{Device, Tensor};

pub struct Replicas {
    copies: Vec<(VarStore, UNet, Device)>,
}

impl Replicas {
    /// Replicas of `primary` on `devices` (the primary's own device excluded).
    pub fn new(primary: &VarStore, spec: &UNetSpec, devices: &[Device], compute: Compute) -> Result<Self> {
        let mut copies = Vec::with_capacity(devices.len());
        for &device in devices {
            let vs = VarStore::new(device);
            let mut net = UNet::new(&vs.root(), spec, &mut Rng::new(0));
            net.set_compute(compute);
            copies.push((vs, net, device));
        }
        let mut replicas = Replicas { copies };
        replicas.sync_from(primary)?;
        Ok(replicas)
    }

    pub fn count(&self) -> usize {
        self.copies.len() + 1
    }

    /// Forward and backward of one iteration's batch split over the primary and the replicas;
    /// afterwards the primary holds the gradient of the whole batch's mean loss (scaled by
    /// 1/accumulate for Iteration Step). Returns the batch's mean loss.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(&mut self, primary: (&VarStore, &UNet), head: &Head, config: &TrainingConfig, x: &Tensor, t: &Tensor, accumulate: u64, train: bool) -> Result<f64> {
        let parts = self.count() as i64;
        let n = x.size()[0];
        if n % parts != 0 {
            return Err(Error::setting(format!("samples_per_batch: {n} windows cannot be split evenly over {parts} GPUs; use a multiple of {parts}")));
        }
        let shard = n / parts;
        let scale = (accumulate * parts as u64) as f64;
        let mut losses = Vec::with_capacity(parts as usize);
        let (primary_vs, primary_net) = primary;
        let primary_device = primary_vs.device();
        for (i, net, device) in std::iter::once((0, primary_net, primary_device)).chain(self.copies.iter().enumerate().map(|(i, (_, net, d))| (i + 1, net, *d))) {
            let xs = x.narrow(0, i as i64 * shard, shard).to_device(device);
            let ts = t.narrow(0, i as i64 * shard, shard).to_device(device);
            let loss = head.loss(&net.forward_t(&xs, train), &ts, config);
            (&loss / scale).backward();
            losses.push(loss);
        }
        // Add the replicas' gradients onto the primary's, then clear them.
        let primary_vars = primary_vs.variables();
        for (vs, _, _) in &self.copies {
            for (name, mut var) in vs.variables() {
                let grad = var.grad();
                if !grad.defined() {
                    continue;
                }
                let mut target = primary_vars[&name].grad();
                let _ = tch::no_grad(|| target.f_add_(&grad.to_device(primary_device)))?;
                var.zero_grad();
            }
        }
        let mut sum = 0.0;
        for loss in losses {
            sum += f64::try_from(&loss)?;
        }
        Ok(sum / parts as f64)
    }

    /// Copies every weight and statistic of the primary to the replicas (after each update).
    pub fn sync_from(&mut self, primary: &VarStore) -> Result<()> {
        let source = named_weights(primary);
        for (vs, _, device) in &mut self.copies {
            let mut vars = vs.variables();
            for (name, value) in &source {
                let var = vars.get_mut(name).expect("replicas have the primary's variables");
                tch::no_grad(|| var.f_copy_(&value.to_device(*device)))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;
    use tch::Kind;

    /// Two replicas (both on the CPU here; on a GPU machine, two devices) give the primary
    /// the gradient that one network computes on the whole batch (batch norm in evaluation
    /// mode, whose output does not depend on how the batch is split).
    #[test]
    fn replicas_add_up_to_the_whole_batch_gradient_and_stay_in_sync() {
        let config = load_config("Semantic2D").unwrap();
        let head = Head::Binary { background: 0, foreground: 1 };
        let spec = UNetSpec::two_d(&[4, 6, 8, 10, 12], 1, 1);
        let x = Tensor::randn([4, 1, 32, 32], (Kind::Float, Device::Cpu));
        let t = x.gt(0.2).to_kind(Kind::Float);
        let grads = |vs: &VarStore| -> Vec<Tensor> { named_weights(vs).into_iter().filter(|(_, v)| v.requires_grad()).map(|(_, v)| v.grad().copy()).collect() };

        let single_vs = VarStore::new(Device::Cpu);
        let single = UNet::new(&single_vs.root(), &spec, &mut Rng::new(3));
        let loss = head.loss(&single.forward_t(&x, false), &t, &config);
        loss.backward();
        let expected = grads(&single_vs);

        let vs = VarStore::new(Device::Cpu);
        let net = UNet::new(&vs.root(), &spec, &mut Rng::new(3));
        let mut replicas = Replicas::new(&vs, &spec, &[Device::Cpu], Compute::default()).unwrap();
        let parallel_loss = replicas.backward((&vs, &net), &head, &config, &x, &t, 1, false).unwrap();
        assert!((parallel_loss - f64::try_from(&loss).unwrap()).abs() < 1e-5);
        for (a, b) in expected.iter().zip(grads(&vs)) {
            assert!(a.allclose(&b, 1e-4, 1e-6, false));
        }
        // After an update of the primary, sync makes the replica equal to it again.
        tch::no_grad(|| named_weights(&vs).into_iter().for_each(|(_, mut v)| { let _ = v.g_add_scalar_(0.5); }));
        replicas.sync_from(&vs).unwrap();
        let copy = named_weights(&replicas.copies[0].0);
        for ((_, a), (_, b)) in named_weights(&vs).iter().zip(&copy) {
            assert!(a.equal(b));
        }
        let err = replicas.backward((&vs, &net), &head, &config, &x.narrow(0, 0, 3), &t.narrow(0, 0, 3), 1, false).unwrap_err();
        assert!(err.to_string().contains("samples_per_batch: 3 windows cannot be split evenly over 2 GPUs"), "{err}");
    }
}
