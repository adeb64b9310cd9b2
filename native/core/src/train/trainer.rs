//! The training loop.
use super::{binary_loss, validate_stacks, Event, Schedule, Sgd, TrainingLog, TrainingStacks};
use crate::data::{binary_foreground, Normalization, WindowSampler};
use crate::error::{Error, Result};
use crate::job::{panic_message, JobContext};
use crate::model::{UNet, UNetSpec};
use crate::rng::Rng;
use crate::runtime;
use crate::settings::TrainPlan;
use crate::store::{save_tensors_atomic, ModelDir, ModelRecord, Status, TrainingSummary, SCHEMA_VERSION};
use serde::Serialize;
use std::time::Instant;
use tch::nn::{ModuleT, VarStore};
use tch::Tensor;

/// What a finished training returns (JSON for Java, printed by the CLI).
#[derive(Clone, Debug, Serialize)]
pub struct TrainOutcome {
    pub model_dir: String,
    pub iterations: u64,
    /// Mean loss of the first `log_every` iterations.
    pub first_loss: f64,
    /// Mean loss of the last `log_every` iterations.
    pub final_loss: f64,
    pub wall_s: f64,
    pub device: String,
}

/// Trains a model as `plan` says, writing it into its folder under the models folder.
/// Stacks are checked before anything is written. On cancel or failure, model.json says so and
/// the checkpoints written so far stay.
pub fn train(plan: &TrainPlan, stacks: TrainingStacks, ctx: &JobContext) -> Result<TrainOutcome> {
    let device = check_training(plan, &stacks)?;
    runtime::set_cpu_threads(plan.config.cpus);
    let dir = ModelDir::create(&plan.models_dir, &plan.name, plan.overwrite)?;
    let mut run = Run::prepare(plan, stacks, device, dir)?;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run.iterate(ctx)))
        .unwrap_or_else(|payload| Err(Error::Torch(panic_message(&*payload))));
    run.conclude(outcome, ctx)
}

/// Everything that can be checked before training starts (callers that start training on a
/// thread call it first, so that a person hears of a mistake at once): the stacks, the device,
/// and that the model name is free. Returns the device to train on.
pub fn check_training(plan: &TrainPlan, stacks: &TrainingStacks) -> Result<tch::Device> {
    validate_stacks(plan, stacks)?;
    let device = runtime::choose_device(plan.config.gpus)?;
    ModelDir::ensure_name_free(&plan.models_dir, &plan.name, plan.overwrite)?;
    Ok(device)
}

/// Everything one training run holds.
struct Run<'p> {
    plan: &'p TrainPlan,
    device: tch::Device,
    dir: ModelDir,
    sampler: WindowSampler,
    vs: VarStore,
    net: UNet,
    optimizer: Sgd,
    schedule: Schedule,
    rng: Rng,
    log: TrainingLog,
    record: ModelRecord,
    started: Instant,
    losses: Vec<f64>,
}

impl<'p> Run<'p> {
    fn prepare(plan: &'p TrainPlan, stacks: TrainingStacks, device: tch::Device, dir: ModelDir) -> Result<Self> {
        let config = &plan.config;
        let normalization = Normalization::from_values(&stacks.image.data);
        let mut image = stacks.image.data;
        normalization.apply(&mut image);
        let target = binary_foreground(&stacks.labels.data);
        // The seed fixes the initial weights and then the data order, both from our generator.
        let mut rng = Rng::new(config.seed);
        let vs = VarStore::new(device);
        let spec = UNetSpec::two_d(&config.filters, 1, 1);
        let net = UNet::new(&vs.root(), &spec, &mut rng);
        let optimizer = Sgd::new(&vs, config.momentum, config.weight_decay);
        let record = ModelRecord {
            schema_version: SCHEMA_VERSION,
            name: plan.name.clone(),
            status: Status::Training,
            config: config.clone(),
            network: spec,
            normalization,
            outputs: vec!["foreground".into()],
            weights: None,
            training: TrainingSummary {
                device: runtime::device_name(device),
                image_shape: stacks.image.shape,
                iterations_done: 0,
                first_loss: None,
                last_loss: None,
                wall_s: 0.0,
                last_checkpoint: None,
                error: None,
            },
        };
        dir.write_record(&record)?;
        Ok(Run {
            plan,
            device,
            log: TrainingLog::create(&dir.log_csv())?,
            dir,
            sampler: WindowSampler::new(image, target, stacks.image.shape, config.window, config.augment_flip, config.augment_rotate90),
            vs,
            net,
            optimizer,
            schedule: Schedule::new(config),
            rng,
            record,
            started: Instant::now(),
            losses: Vec::with_capacity(config.iteration_total.min(1 << 24) as usize),
        })
    }

    fn iterate(&mut self, ctx: &JobContext) -> Result<()> {
        let c = &self.plan.config;
        ctx.emit(Event::Started {
            device: self.record.training.device.clone(),
            iterations: c.iteration_total,
            model_dir: self.dir.path.display().to_string(),
        });
        let accumulate = c.iteration_step as u64;
        for it in 0..c.iteration_total {
            ctx.check_cancelled()?;
            let batch = self.sampler.sample_batch(c.samples_per_batch as usize, &mut self.rng);
            let (x, t) = batch.to_tensors(2, self.device);
            let loss = binary_loss(&self.net.forward_t(&x, true), &t, c.bce_weight, c.dice_weight);
            let loss_value = f64::try_from(&loss)?;
            if !loss_value.is_finite() {
                return Err(Error::Torch(format!(
                    "the loss became {loss_value} at iteration {}: training diverged; lower base_lr (now {})",
                    it + 1,
                    c.base_lr
                )));
            }
            // Iteration Step = gradient accumulation: gradients of `accumulate` iterations are
            // summed (each scaled down) and the optimiser steps once.
            (loss / accumulate as f64).backward();
            let lr = self.schedule.lr(it);
            let done = it + 1;
            if done % accumulate == 0 || done == c.iteration_total {
                self.optimizer.step(lr);
                self.optimizer.zero_grad();
            }
            self.losses.push(loss_value);
            let elapsed = self.started.elapsed().as_secs_f64();
            self.log.append(done, loss_value, lr, elapsed)?;
            if done % c.log_every == 0 || done == c.iteration_total {
                self.log.flush()?;
                let eta = elapsed / done as f64 * (c.iteration_total - done) as f64;
                let loss = recent_mean(&self.losses, c.log_every);
                ctx.emit(Event::Iteration { iteration: done, total: c.iteration_total, loss, lr, elapsed_s: elapsed, eta_s: eta });
            }
            if done % c.iteration_save == 0 {
                self.save_checkpoint(done, ctx)?;
            }
        }
        Ok(())
    }

    fn named_weights(&self) -> Vec<(String, Tensor)> {
        let mut named: Vec<(String, Tensor)> = self.vs.variables().into_iter().collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        named
    }

    /// Weights (under "model.") and optimiser state in one file.
    fn save_checkpoint(&mut self, iteration: u64, ctx: &JobContext) -> Result<()> {
        let path = self.dir.checkpoint(iteration);
        let mut tensors: Vec<(String, Tensor)> = self.named_weights().into_iter().map(|(k, t)| (format!("model.{k}"), t)).collect();
        tensors.extend(self.optimizer.state());
        save_tensors_atomic(&path, &tensors)?;
        self.log.flush()?;
        let relative = path.strip_prefix(&self.dir.path).unwrap_or(&path).display().to_string();
        self.record.training.last_checkpoint = Some(relative);
        self.update_summary();
        self.dir.write_record(&self.record)?;
        ctx.emit(Event::Checkpoint { iteration, path: path.display().to_string() });
        Ok(())
    }

    fn update_summary(&mut self) {
        let every = self.plan.config.log_every;
        let t = &mut self.record.training;
        t.iterations_done = self.losses.len() as u64;
        t.first_loss = (!self.losses.is_empty()).then(|| first_mean(&self.losses, every));
        t.last_loss = (!self.losses.is_empty()).then(|| recent_mean(&self.losses, every));
        t.wall_s = self.started.elapsed().as_secs_f64();
    }

    /// Writes the final weights (or the reason there are none) and says how it ended.
    fn conclude(mut self, outcome: Result<()>, ctx: &JobContext) -> Result<TrainOutcome> {
        let _ = self.log.flush();
        self.update_summary();
        if let Err(err) = outcome {
            self.record.status = if matches!(err, Error::Cancelled) { Status::Cancelled } else { Status::Failed };
            self.record.training.error = Some(err.to_string());
            let _ = self.dir.write_record(&self.record); // the original error matters more
            return Err(err);
        }
        save_tensors_atomic(&self.dir.weights(), &self.named_weights())?;
        self.record.status = Status::Complete;
        self.record.weights = Some(crate::store::WEIGHTS.to_string());
        self.dir.write_record(&self.record)?;
        let t = &self.record.training;
        ctx.emit(Event::Finished { model_dir: self.dir.path.display().to_string(), iterations: t.iterations_done });
        Ok(TrainOutcome {
            model_dir: self.dir.path.display().to_string(),
            iterations: t.iterations_done,
            first_loss: t.first_loss.unwrap_or(f64::NAN),
            final_loss: t.last_loss.unwrap_or(f64::NAN),
            wall_s: t.wall_s,
            device: t.device.clone(),
        })
    }
}

fn recent_mean(losses: &[f64], n: u64) -> f64 {
    let tail = &losses[losses.len().saturating_sub(n as usize)..];
    tail.iter().sum::<f64>() / tail.len().max(1) as f64
}

fn first_mean(losses: &[f64], n: u64) -> f64 {
    let head = &losses[..losses.len().min(n as usize)];
    head.iter().sum::<f64>() / head.len().max(1) as f64
}
