//! The training loop: fresh, fine-tuned or resumed.
use super::checkpoint::{self, CheckpointInfo};
use super::validation::{self, ValidationScores};
use super::scale::{self, ScaleChoice};
use super::{budget, tune};
use super::log::KeptRows;
use super::{validate_stacks, Event, Head, Optimizer, Replicas, Schedule, TrainingLog, TrainingStacks};
use crate::data::{batch_rng, BatchStream, Normalization, Region, SamplerSettings, StackData, WindowSampler};
use crate::error::{Error, Result};
use crate::job::{panic_message, JobContext};
use crate::model::{load_weights, named_weights, read_weights, Compute, UNet, UNetSpec};
use crate::rng::Rng;
use crate::runtime;
use crate::settings::{ResumeSettings, TrainPlan, TrainingConfig};
use std::collections::HashMap;
use crate::store::{save_tensors_atomic, ModelDir, ModelLock, ModelRecord, PostProcess, Status, TrainingSummary, BEST_WEIGHTS, SCHEMA_VERSION, WEIGHTS};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;
use tch::nn::{ModuleT, VarStore};
use tch::Device;

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
    pub seconds_per_iteration: f64,
    pub data_wait_share: f64,
    pub validation: Option<ValidationScores>,
    /// What the Log and the CLI say of it.
    pub line: String,
}

impl TrainOutcome {
    fn describe(&self) -> String {
        format!(
            "saved in {} (loss {:.4} -> {:.4} in {}, {:.3} s/iteration, {:.0}% waiting for data)",
            self.model_dir,
            self.first_loss,
            self.final_loss,
            super::events::format_duration(self.wall_s),
            self.seconds_per_iteration,
            100.0 * self.data_wait_share
        )
    }
}

/// A training checked and brought to its scale, ready to run ([`prepare_training`]).
pub struct PreparedTraining {
    plan: TrainPlan,
    stacks: TrainingStacks,
    choice: ScaleChoice,
    devices: Vec<Device>,
}

/// Everything that can be checked before training starts, done once (callers that start
/// training on a thread call it first, so that a person hears of a mistake at once): the
/// stacks, the scale (the stacks are resampled to it here), the device, the validation block,
/// and that the model name is free.
pub fn prepare_training(plan: &TrainPlan, stacks: TrainingStacks) -> Result<PreparedTraining> {
    validate_stacks(plan, &stacks)?;
    let choice = scale::choose(&plan.config, &stacks.labels)?;
    let (plan, stacks) = scale::apply(plan, stacks, &choice);
    let devices = check_at_scale(&plan, &stacks)?;
    Ok(PreparedTraining { plan, stacks, choice, devices })
}

/// The checks of [`prepare_training`] on the stacks at the training scale.
fn check_at_scale(plan: &TrainPlan, stacks: &TrainingStacks) -> Result<Vec<Device>> {
    validate_stacks(plan, stacks)?;
    let devices = runtime::choose_devices(plan.config.gpus)?;
    check_batch_split(plan, devices.len())?;
    validation::split(&stacks.labels.data, stacks.image.shape, &plan.config)?;
    let head = Head::for_training(&plan.config, &stacks.labels.data)?;
    if devices[0] == Device::Cpu {
        super::memory::check_fits(&budget::network_spec(&plan.config, &head), plan.config.window, plan.config.samples_per_batch)?;
    }
    ModelDir::ensure_name_free(&plan.models_dir, &plan.name, plan.overwrite)?;
    drop(ModelLock::acquire(&plan.models_dir, &plan.name, "training")?); // busy now: say so before starting
    if let Some(from) = &plan.fine_tune_from {
        let record = ModelDir::existing(&plan.models_dir, from, "fine_tune_from")?.read_record()?;
        if record.config.name != plan.config.name {
            return Err(Error::setting(format!("fine_tune_from: '{from}' is a {} model; fine-tuning needs the same config ({})", record.config.name, plan.config.name)));
        }
    }
    Ok(devices)
}

/// Data parallel training splits each batch evenly over the GPUs.
fn check_batch_split(plan: &TrainPlan, devices: usize) -> Result<()> {
    let n = plan.config.samples_per_batch as usize;
    if n % devices != 0 {
        return Err(Error::setting(format!("samples_per_batch: {n} windows cannot be split evenly over {devices} GPUs; use a multiple of {devices}")));
    }
    Ok(())
}

/// Trains a new model as `plan` says (from random weights, or from `fine_tune_from`'s).
/// On cancel or failure, model.json says so and the checkpoints written so far stay.
/// The stacks are first brought to the training scale (`scale`: as set, or measured).
pub fn train(plan: &TrainPlan, stacks: TrainingStacks, ctx: &JobContext) -> Result<TrainOutcome> {
    train_prepared(prepare_training(plan, stacks)?, ctx)
}

/// Runs a training [`prepare_training`] has checked.
pub fn train_prepared(prepared: PreparedTraining, ctx: &JobContext) -> Result<TrainOutcome> {
    let PreparedTraining { plan, stacks, choice, devices } = prepared;
    runtime::set_cpu_threads(plan.config.cpus);
    let _lock = ModelLock::acquire(&plan.models_dir, &plan.name, "training")?;
    ModelDir::ensure_name_free(&plan.models_dir, &plan.name, plan.overwrite)?; // another run may have taken the name since
    let dir = ModelDir::create(&plan.models_dir, &plan.name, plan.overwrite)?;
    let run = match Run::prepare(&plan, stacks, devices, dir.clone(), Resume::Fresh(choice)) {
        Ok(run) => run,
        Err(e) => {
            // Nothing trained (e.g. unreadable fine-tune weights): no empty folder may block the name.
            dir.discard();
            return Err(e);
        }
    };
    let outcome = run.execute(ctx);
    runtime::release_memory();
    outcome
}

/// The plan of a stored model for resuming it: the stored recipe, `iteration_total` raised (or
/// lowered down to the iterations done), the run settings (gpus, cpus) of this run, and the
/// original settings, if given again, checked against the stored ones.
pub fn plan_resume(settings: &ResumeSettings) -> Result<(TrainPlan, ModelRecord)> {
    let name = &settings.name;
    crate::settings::validate_model_name(name).map_err(|m| Error::setting(format!("model: {m}")))?;
    let models_dir = crate::store::models_dir_or_default(settings.models_dir.as_deref());
    let record = ModelDir::existing(&models_dir, name, "model")?.read_record()?;
    if let Some(recipe) = &settings.recipe {
        super::recipe::check_same_recipe(&record, recipe)?;
    }
    let mut config = record.config.clone();
    settings.apply_run_settings(&mut config)?;
    if let Some(total) = settings.iteration_total()? {
        if total < record.training.iterations_done || total % config.iteration_save != 0 {
            return Err(Error::setting(format!(
                "iteration_total: to resume '{name}', give at least {} iterations and a multiple of its iteration_save {}",
                record.training.iterations_done, config.iteration_save
            )));
        }
        if let Ok(builtin) = crate::settings::load_config(&config.name) {
            config.validation_every = super::validation::resumed_validation_every(config.validation_every, builtin.validation_every, config.iteration_total, total);
        }
        config.iteration_total = total;
    }
    let plan = TrainPlan { name: name.to_string(), models_dir, overwrite: false, config, fine_tune_from: None };
    Ok((plan, record))
}

/// Everything that can be checked before resuming (callers that resume on a thread call it
/// first): the stored model and its newest checkpoint, the stacks (the same shape as those it
/// was trained on), the device, and that there is something left to train. Returns the plan, the
/// record, the devices and the checkpoint's iteration.
pub fn check_resume(settings: &ResumeSettings, stacks: &TrainingStacks) -> Result<(TrainPlan, ModelRecord, Vec<Device>, u64)> {
    let (_, lock) = lock_for_resume(settings)?; // busy now: say so before starting
    let checked = check_resume_locked(settings, stacks);
    drop(lock);
    checked
}

/// The models folder and the lock of the model `settings` resumes (its name is checked first:
/// the lock file is named after it).
fn lock_for_resume(settings: &ResumeSettings) -> Result<(std::path::PathBuf, ModelLock)> {
    crate::settings::validate_model_name(&settings.name).map_err(|m| Error::setting(format!("model: {m}")))?;
    let models_dir = crate::store::models_dir_or_default(settings.models_dir.as_deref());
    let lock = ModelLock::acquire(&models_dir, &settings.name, "resuming")?;
    Ok((models_dir, lock))
}

/// [`check_resume`] for a caller that holds the model's lock.
fn check_resume_locked(settings: &ResumeSettings, stacks: &TrainingStacks) -> Result<(TrainPlan, ModelRecord, Vec<Device>, u64)> {
    let (plan, record) = plan_resume(settings)?;
    let name = &plan.name;
    validate_stacks(&plan, stacks)?;
    if stacks.image.shape != record.training.image_shape {
        return Err(Error::InvalidInput(format!(
            "'{name}' was trained on a stack of shape {:?} (z, y, x); resuming needs the same stacks, got {:?}",
            record.training.image_shape, stacks.image.shape
        )));
    }
    let devices = runtime::choose_devices(plan.config.gpus)?;
    check_batch_split(&plan, devices.len())?;
    // No checkpoint: stopped before the first one; it starts over from its seed (a fine-tuned
    // model's starting weights belong to another model, which may have changed since).
    let iteration = match checkpoint::latest(&ModelDir::open(&plan.models_dir, name)) {
        Some(iteration) => iteration,
        None if record.training.fine_tuned_from.is_none() => 0,
        None => {
            return Err(Error::InvalidInput(format!(
                "'{name}' stopped before its first checkpoint; fine-tune it again (with overwrite) to start over"
            )))
        }
    };
    // A run stopped after its last checkpoint but before it completed (killed while saving the
    // final weights or tuning, or a full disk then) is finished by a resume that trains nothing.
    if iteration >= plan.config.iteration_total && record.status == Status::Complete {
        return Err(Error::setting(format!(
            "iteration_total: '{name}' has done its {} iterations; give a higher total (a multiple of its iteration_save {}) to train on",
            plan.config.iteration_total, plan.config.iteration_save
        )));
    }
    Ok((plan, record, devices, iteration))
}

/// Continues a stored model from its newest checkpoint, on the same stacks it was trained on.
/// With a fixed seed the loss curve continues exactly as the uninterrupted run would have.
pub fn resume(settings: &ResumeSettings, stacks: TrainingStacks, ctx: &JobContext) -> Result<TrainOutcome> {
    let (models_dir, _lock) = lock_for_resume(settings)?;
    let (plan, record, devices, iteration) = check_resume_locked(settings, &stacks)?;
    runtime::set_cpu_threads(plan.config.cpus);
    // The scale it started at (models stored before scales existed trained at scale 1).
    let choice = record.training.scale.clone().unwrap_or(ScaleChoice {
        factor: [1, 1, 1],
        reason: String::new(),
        input_voxel_nm: plan.config.voxel_nm,
        input_shape: record.training.image_shape,
    });
    let (plan, stacks) = scale::apply(&plan, stacks, &choice);
    let dir = ModelDir::open(&models_dir, &settings.name);
    // Half-written files of a killed run (we hold the lock: no one else is writing them).
    crate::store::remove_stale_temporaries(&dir.path);
    crate::store::remove_stale_temporaries(&dir.path.join(crate::store::CHECKPOINTS));
    let run = Run::prepare(&plan, stacks, devices, dir, Resume::From(iteration, record))?;
    let outcome = run.execute(ctx);
    runtime::release_memory();
    outcome
}

/// How a training session starts.
enum Resume {
    /// New weights (random or fine-tuned) at this scale.
    Fresh(ScaleChoice),
    /// From the checkpoint of this iteration of the stored model.
    From(u64, ModelRecord),
}

/// Everything one training session holds.
struct Run {
    /// The plan's config; a time budget sets its iteration total when the run starts.
    config: TrainingConfig,
    device: Device,
    /// Copies of the network on the other GPUs (data parallel), if any.
    replicas: Option<Replicas>,
    dir: ModelDir,
    data: Arc<StackData>,
    train_region: Region,
    validation_region: Option<Region>,
    head: Head,
    vs: VarStore,
    net: UNet,
    optimizer: Optimizer,
    schedule: Schedule,
    log: TrainingLog,
    record: ModelRecord,
    started: Instant,
    /// Training time before this session (resumed runs).
    elapsed_before: f64,
    first_iteration: u64,
    losses: Vec<f64>,
    /// A resumed run's `history` event (the curve up to its checkpoint), sent after `started`.
    history: Option<Event>,
    data_wait_s: f64,
    /// What precision runs and why (the Log's line at the start).
    precision_reason: String,
}

impl Run {
    fn prepare(plan: &TrainPlan, stacks: TrainingStacks, devices: Vec<Device>, dir: ModelDir, resume: Resume) -> Result<Self> {
        let config = &plan.config;
        let device = devices[0];
        let (normalization, head) = match &resume {
            // A resumed run keeps the intensity scale and classes it started with.
            Resume::From(_, record) => (record.normalization, record.head.clone()),
            Resume::Fresh(_) => (Normalization::from_values(&stacks.image.data), Head::for_training(config, &stacks.labels.data)?),
        };
        let shape = stacks.image.shape;
        let mut image = stacks.image.data;
        normalization.apply(&mut image);
        let data = Arc::new(StackData { image, labels: stacks.labels.data, shape });
        let (train_region, validation_region) = validation::split(&data.labels, shape, config)?;
        // The seed fixes the initial weights; batches are drawn from (seed, iteration).
        let vs = VarStore::new(device);
        let spec = budget::network_spec(config, &head);
        let mut net = UNet::new(&vs.root(), &spec, &mut Rng::new(config.seed));
        // The seed's weights are drawn in fp32 whatever the precision: bf16 only changes the compute.
        let (precision, mut precision_reason) = config.precision.resolve(device);
        let compute = Compute::for_network(&spec, precision, crate::settings::fp32_training_channels_last(device));
        if compute.channels_last {
            precision_reason.push_str("; channels-last layout");
        }
        net.set_compute(compute);
        let mut optimizer = Optimizer::new(&vs, config);
        let (first_iteration, elapsed_before, log, losses, record, history) = match resume {
            // Stopped before its first checkpoint: the same seed gives the same initial weights,
            // so starting over is the exact continuation.
            Resume::From(0, mut record) => {
                record.status = Status::Training;
                record.config = config.clone();
                record.training.resumed_from = Some(0);
                (record.training.best_score, record.training.best_iteration) = (None, None);
                let history = KeptRows::default().history(0, config.log_every);
                (0, 0.0, TrainingLog::create(&dir.log_csv())?, Vec::new(), record, Some(history))
            }
            Resume::From(iteration, mut record) => {
                let (weights, state, info) = checkpoint::load(&dir, iteration)?;
                load_weights(&vs, &weights, &format!("checkpoint {iteration}"))?;
                optimizer.load_state(&state, info.optimizer_steps)?;
                let (log, kept) = TrainingLog::resume(&dir.log_csv(), iteration)?;
                let history = kept.history(iteration, config.log_every);
                record.status = Status::Training;
                record.config = config.clone();
                record.training.resumed_from = Some(iteration);
                record.training.best_score = info.best_score;
                record.training.best_iteration = info.best_iteration;
                (iteration, info.elapsed_s, log, kept.losses, record, Some(history))
            }
            Resume::Fresh(choice) => {
                let mut fine_tuned_from = None;
                if let Some(from) = &plan.fine_tune_from {
                    let source = ModelDir::open(&plan.models_dir, from);
                    let source_record = source.read_record()?;
                    if source_record.network != spec {
                        return Err(Error::setting(format!("fine_tune_from: '{from}' has another network shape or other outputs ({:?}) than this training needs ({:?})", source_record.outputs, head.output_names())));
                    }
                    load_weights(&vs, &read_weights(&source.weights())?, &format!("model '{from}'"))?;
                    fine_tuned_from = Some(from.clone());
                }
                let mut record = new_record(plan, spec.clone(), normalization, &head, &devices, choice.input_shape, validation_region, fine_tuned_from);
                record.postprocess = PostProcess::from_training_labels(&head, &data.labels, shape, config.dims == 2, config.ignore_label);
                record.training.scale = Some(choice);
                (0, 0.0, TrainingLog::create(&dir.log_csv())?, Vec::new(), record, None)
            }
        };
        let mut record = record;
        record.training.precision = Some(precision.name().to_string());
        dir.write_record(&record)?;
        let replicas = if devices.len() > 1 { Some(Replicas::new(&vs, &spec, &devices[1..], compute)?) } else { None };
        Ok(Run {
            config: plan.config.clone(),
            device,
            replicas,
            dir,
            data,
            train_region,
            validation_region,
            head,
            vs,
            net,
            optimizer,
            schedule: Schedule::new(config),
            log,
            record,
            started: Instant::now(),
            elapsed_before,
            first_iteration,
            losses,
            history,
            data_wait_s: 0.0,
            precision_reason,
        })
    }

    fn execute(mut self, ctx: &JobContext) -> Result<TrainOutcome> {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.iterate(ctx)))
            .unwrap_or_else(|payload| Err(Error::Torch(panic_message(&*payload))));
        self.conclude(outcome, ctx)
    }

    fn elapsed(&self) -> f64 {
        self.elapsed_before + self.started.elapsed().as_secs_f64()
    }

    fn iterate(&mut self, ctx: &JobContext) -> Result<()> {
        let settings = SamplerSettings {
            window: self.config.window,
            flips: self.config.augment_flip,
            rotations: self.config.augment_rotate90,
            foreground_share: self.config.foreground_share,
            augment: self.config.augment.clone(),
            dims: self.config.dims,
            ignore_label: self.config.ignore_label,
        };
        let sampler = Arc::new(WindowSampler::new(self.data.clone(), self.train_region, settings, self.head.clone()));
        if self.first_iteration == 0 && self.config.time_budget_minutes > 0.0 {
            self.fit_time_budget(&sampler, ctx)?;
        }
        let config = self.config.clone();
        let c = &config;
        ctx.emit(Event::Started {
            device: self.record.training.device.clone(),
            iterations: c.iteration_total,
            model_dir: self.dir.final_path().display().to_string(),
            validation_every: self.validation_region.map(|_| c.validation_every),
        });
        if let Some(history) = self.history.take() {
            ctx.emit(history);
        }
        if let Some(choice) = &self.record.training.scale {
            ctx.emit(Event::Message { text: scale_message(choice, c.voxel_nm) });
        }
        if c.precision != crate::settings::Precision::Fp32 {
            ctx.emit(Event::Message { text: self.precision_reason.clone() });
        }
        if let Some(text) = super::inputs::annotated_share_message(c.ignore_label, &self.data.labels) {
            ctx.emit(Event::Message { text });
        }
        if self.first_iteration > 0 {
            ctx.emit(Event::Message { text: format!("resuming at iteration {} of {}", self.first_iteration, c.iteration_total) });
        } else if self.record.training.resumed_from == Some(0) {
            ctx.emit(Event::Message { text: "no checkpoint yet: starting over from the seed".into() });
        }
        let mut stream = BatchStream::start(sampler, c.samples_per_batch as usize, c.seed, self.first_iteration, c.iteration_total, c.cpus as usize);
        let accumulate = c.iteration_step as u64;
        let spatial = self.net.spec().spatial_dims();
        let result = (|| {
            for it in self.first_iteration..c.iteration_total {
                // Esc or a signal: the work done so far becomes a checkpoint, so nothing is lost.
                // Only between optimiser steps: gradients accumulated over part of an Iteration
                // Step cannot be checkpointed, so such a group is finished first.
                if ctx.is_cancelled() && it % accumulate == 0 {
                    if it > self.first_iteration && it % c.iteration_save != 0 {
                        self.data_wait_s = stream.waited().as_secs_f64();
                        self.save_checkpoint(it, ctx)?;
                    }
                    return Err(Error::Cancelled);
                }
                let (x, t) = stream.next_batch().to_tensors(spatial, self.device);
                let loss_value = match &mut self.replicas {
                    None => backward_iteration(&self.net, &self.head, c, &x, &t, accumulate, true)?,
                    Some(replicas) => replicas.backward((&self.vs, &self.net), &self.head, c, &x, &t, accumulate, true)?,
                };
                if !loss_value.is_finite() {
                    return Err(Error::Torch(format!("the loss became {loss_value} at iteration {}: training diverged; lower base_lr (now {})", it + 1, c.base_lr)));
                }
                let lr = self.schedule.lr(it);
                let done = it + 1;
                if done % accumulate == 0 || done == c.iteration_total {
                    self.optimizer.step(lr);
                    self.optimizer.zero_grad();
                    if let Some(replicas) = &mut self.replicas {
                        replicas.sync_from(&self.vs)?;
                    }
                }
                self.losses.push(loss_value);
                let validation = if self.validation_region.is_some() && (done % c.validation_every == 0 || done == c.iteration_total) {
                    Some(self.validate(done, ctx)?)
                } else {
                    None
                };
                self.log.append(done, loss_value, lr, self.elapsed(), validation.as_ref())?;
                if done % c.log_every == 0 || done == c.iteration_total {
                    self.log.flush()?;
                    let session = (done - self.first_iteration) as f64;
                    let eta = self.started.elapsed().as_secs_f64() / session * (c.iteration_total - done) as f64;
                    let loss = recent_mean(&self.losses, c.log_every);
                    ctx.emit(Event::Iteration { iteration: done, total: c.iteration_total, loss, lr, elapsed_s: self.elapsed(), eta_s: eta });
                }
                if done % c.iteration_save == 0 {
                    self.data_wait_s = stream.waited().as_secs_f64();
                    self.save_checkpoint(done, ctx)?;
                }
            }
            Ok(())
        })();
        self.data_wait_s = stream.waited().as_secs_f64();
        result
    }

    /// Time budget: times a few real iterations (the run's first batches on the real network,
    /// whose weights, batch-norm statistics and optimiser state are put back afterwards, so the
    /// run itself is unchanged) and one validation, then fits the iteration total, checkpoint and
    /// validation intervals to the budget; model.json records them.
    fn fit_time_budget(&mut self, sampler: &WindowSampler, ctx: &JobContext) -> Result<()> {
        let saved: HashMap<String, tch::Tensor> = named_weights(&self.vs).into_iter().map(|(n, t)| (n, t.copy())).collect();
        let saved_state: HashMap<String, tch::Tensor> = self.optimizer.state().into_iter().map(|(n, t)| (n, t.copy())).collect();
        let steps = self.optimizer.steps;
        let c = self.config.clone();
        let spatial = self.net.spec().spatial_dims();
        let mut compute_s = 0.0;
        for i in 0..budget::PROBE_ITERATIONS {
            // Windows are prepared in the background during training: only the compute is timed.
            let (x, t) = sampler.sample_batch(c.samples_per_batch as usize, &mut batch_rng(c.seed, i)).to_tensors(spatial, self.device);
            let started = Instant::now();
            backward_iteration(&self.net, &self.head, &c, &x, &t, 1, true)?;
            self.optimizer.step(self.schedule.lr(i));
            self.optimizer.zero_grad();
            if i >= budget::UNTIMED_ITERATIONS {
                compute_s += started.elapsed().as_secs_f64();
            }
        }
        let seconds = compute_s / (budget::PROBE_ITERATIONS - budget::UNTIMED_ITERATIONS) as f64;
        let validation_s = match self.validation_region {
            Some(region) => {
                let started = Instant::now();
                validation::evaluate(&self.net, &self.head, &c, &self.data, &region, self.device, 0)?;
                started.elapsed().as_secs_f64()
            }
            None => 0.0,
        };
        load_weights(&self.vs, &saved, "the weights before timing")?;
        self.optimizer.load_state(&saved_state, steps)?;
        self.optimizer.zero_grad();
        let (total, every) = budget::iterations_for(c.time_budget_minutes * 60.0, seconds, validation_s);
        (self.config.iteration_total, self.config.iteration_save, self.config.validation_every) = (total, every, every);
        self.schedule = Schedule::new(&self.config);
        self.record.config = self.config.clone();
        self.dir.write_record(&self.record)?;
        ctx.emit(Event::Message {
            text: format!(
                "time budget {} min: {seconds:.3} s per iteration and {validation_s:.1} s per validation measured -> {total} iterations (checkpoint and validation every {every})",
                c.time_budget_minutes
            ),
        });
        Ok(())
    }

    fn validate(&mut self, iteration: u64, ctx: &JobContext) -> Result<ValidationScores> {
        let region = self.validation_region.expect("validation block");
        let scores = validation::evaluate(&self.net, &self.head, &self.config, &self.data, &region, self.device, iteration)?;
        let t = &mut self.record.training;
        let best = t.best_score.is_none_or(|b| scores.iou > b);
        if best {
            save_tensors_atomic(&self.dir.path.join(BEST_WEIGHTS), &named_weights(&self.vs))?;
            t.best_score = Some(scores.iou);
            t.best_iteration = Some(iteration);
        }
        t.last_validation = Some(scores.clone());
        ctx.emit(Event::Validation { iteration, loss: scores.loss, iou: scores.iou, dice: scores.dice, best, contour: scores.contour });
        Ok(scores)
    }

    fn save_checkpoint(&mut self, iteration: u64, ctx: &JobContext) -> Result<()> {
        let info = CheckpointInfo {
            iteration,
            optimizer_steps: self.optimizer.steps,
            elapsed_s: self.elapsed(),
            best_score: self.record.training.best_score,
            best_iteration: self.record.training.best_iteration,
        };
        let path = checkpoint::save(&self.dir, named_weights(&self.vs), &self.optimizer, &info)?;
        self.log.flush()?;
        let relative = path.strip_prefix(&self.dir.path).unwrap_or(&path).display().to_string();
        self.record.training.last_checkpoint = Some(relative);
        self.update_summary();
        self.dir.write_record(&self.record)?;
        ctx.emit(Event::Checkpoint { iteration, path: path.display().to_string() });
        Ok(())
    }

    fn update_summary(&mut self) {
        let every = self.config.log_every;
        let session_iterations = (self.losses.len() as u64).saturating_sub(self.first_iteration).max(1) as f64;
        let session_s = self.started.elapsed().as_secs_f64();
        let t = &mut self.record.training;
        t.iterations_done = self.losses.len() as u64;
        t.first_loss = (!self.losses.is_empty()).then(|| first_mean(&self.losses, every));
        t.last_loss = (!self.losses.is_empty()).then(|| recent_mean(&self.losses, every));
        t.wall_s = self.elapsed_before + session_s;
        t.seconds_per_iteration = Some(session_s / session_iterations);
        t.data_wait_share = Some(self.data_wait_s / session_s.max(1e-9));
    }

    /// Tunes the post-processing of the final weights on the validation block (when there is
    /// one). A failure here costs only the tuning: the trained model matters more.
    fn tune_post_processing(&mut self, ctx: &JobContext) {
        let Some(block) = self.validation_region else { return };
        let c = &self.config;
        let d = &self.data;
        let tuned = tune::tune_on_block(&self.net, &self.head, c, &d.image, &d.labels, d.shape, &block, &self.record.postprocess, self.device, ctx);
        match tuned {
            Ok(Some((post, report))) => {
                ctx.emit(Event::Message { text: report.to_line() });
                self.record.postprocess = post;
                self.record.tuning = Some(report);
            }
            Ok(None) => {}
            Err(e) => ctx.emit(Event::Message { text: format!("post-processing not tuned: {e}") }),
        }
    }

    /// Writes the final weights (or the reason there are none) and says how it ended.
    fn conclude(mut self, outcome: Result<()>, ctx: &JobContext) -> Result<TrainOutcome> {
        let _ = self.log.flush();
        self.update_summary();
        if let Err(err) = outcome {
            let t = &mut self.record.training;
            if matches!(err, Error::Cancelled) {
                self.record.status = Status::Cancelled;
                ctx.emit(Event::Cancelled { iterations: t.iterations_done, last_checkpoint: t.last_checkpoint.clone() });
            } else {
                self.record.status = Status::Failed;
                ctx.emit(Event::Error { message: err.to_string() });
            }
            t.error = Some(err.to_string());
            if self.dir.is_overwrite() && !matches!(err, Error::Cancelled) {
                self.dir.discard(); // a failed overwrite leaves the old model as it was
                return Err(err);
            }
            let _ = self.dir.write_record(&self.record); // the original error matters more
            let _ = self.dir.commit(); // Esc on an overwrite keeps the new, resumable model
            return Err(err);
        }
        save_tensors_atomic(&self.dir.weights(), &named_weights(&self.vs))?;
        self.tune_post_processing(ctx);
        self.record.status = Status::Complete;
        self.record.training.error = None;
        self.record.weights = Some(WEIGHTS.to_string());
        self.dir.write_record(&self.record)?;
        self.dir.commit()?;
        let t = &self.record.training;
        ctx.emit(Event::Finished { model_dir: self.dir.path.display().to_string(), iterations: t.iterations_done });
        let mut outcome = TrainOutcome {
            model_dir: self.dir.final_path().display().to_string(),
            iterations: t.iterations_done,
            first_loss: t.first_loss.unwrap_or(f64::NAN),
            final_loss: t.last_loss.unwrap_or(f64::NAN),
            wall_s: t.wall_s,
            device: t.device.clone(),
            seconds_per_iteration: t.seconds_per_iteration.unwrap_or(0.0),
            data_wait_share: t.data_wait_share.unwrap_or(0.0),
            validation: t.last_validation.clone(),
            line: String::new(),
        };
        outcome.line = outcome.describe();
        Ok(outcome)
    }
}

/// Forward and backward pass of one iteration; returns its loss. Iteration Step is gradient
/// accumulation: each iteration's gradient is scaled by 1/accumulate and added to the others
/// until the optimiser steps, so `accumulate` iterations give the gradient of their mean loss.
fn backward_iteration(net: &UNet, head: &Head, config: &crate::settings::TrainingConfig, x: &tch::Tensor, t: &tch::Tensor, accumulate: u64, train: bool) -> Result<f64> {
    let loss = head.loss(&net.forward_t(x, train), t, config);
    let value = f64::try_from(&loss)?;
    (loss / accumulate as f64).backward();
    Ok(value)
}

#[allow(clippy::too_many_arguments)]
fn new_record(
    plan: &TrainPlan,
    network: UNetSpec,
    normalization: Normalization,
    head: &Head,
    devices: &[Device],
    shape: [usize; 3],
    validation: Option<Region>,
    fine_tuned_from: Option<String>,
) -> ModelRecord {
    ModelRecord {
        schema_version: SCHEMA_VERSION,
        name: plan.name.clone(),
        status: Status::Training,
        config: plan.config.clone(),
        network,
        normalization,
        head: head.clone(),
        outputs: head.output_names(),
        weights: None,
        training: TrainingSummary {
            device: runtime::device_name(devices),
            image_shape: shape,
            iterations_done: 0,
            first_loss: None,
            last_loss: None,
            wall_s: 0.0,
            last_checkpoint: None,
            error: None,
            seconds_per_iteration: None,
            data_wait_share: None,
            validation_block: validation.map(|r| [r.start, r.end]),
            last_validation: None,
            best_score: None,
            best_iteration: None,
            resumed_from: None,
            fine_tuned_from,
            scale: None,
            precision: None,
        },
        postprocess: Default::default(),
        tuning: None,
    }
}

/// "scale: median object 97 px across -> scale 2 (...); training at 10x10x40 nm, 800x1646 px per slice"
fn scale_message(choice: &ScaleChoice, model_nm: [f64; 3]) -> String {
    let s = choice.scaled_shape();
    let mut text = format!("scale: {}", choice.reason);
    if !choice.is_identity() {
        // Rounded for reading: 4.6 x 2 is 9.200000000000001 in floating point.
        let nm = super::tune::round;
        text += &format!("; training at {}x{}x{} nm, {}x{} px per slice", nm(model_nm[0]), nm(model_nm[1]), nm(model_nm[2]), s[2], s[1]);
    }
    text
}

fn recent_mean(losses: &[f64], n: u64) -> f64 {
    let tail = &losses[losses.len().saturating_sub(n as usize)..];
    tail.iter().sum::<f64>() / tail.len().max(1) as f64
}

fn first_mean(losses: &[f64], n: u64) -> f64 {
    let head = &losses[..losses.len().min(n as usize)];
    head.iter().sum::<f64>() / head.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;
    use tch::{Kind, Tensor};

    /// N accumulated iterations give the gradient of one iteration on the N-times batch. Batch
    /// norm is put in evaluation mode here: in training mode its statistics depend on the batch,
    /// which is the one way in which accumulation legitimately differs from a bigger batch.
    #[test]
    fn accumulated_gradients_equal_the_gradient_of_the_whole_batch() {
        let config = load_config("Semantic2D").unwrap();
        let head = Head::Binary { background: 0, foreground: 1 };
        let vs = VarStore::new(Device::Cpu);
        let net = UNet::new(&vs.root(), &UNetSpec::two_d(&[4, 6, 8, 10, 12], 1, 1), &mut Rng::new(1));
        let x = Tensor::randn([4, 1, 32, 32], (Kind::Float, Device::Cpu));
        let t = x.gt(0.3).to_kind(Kind::Float);
        let gradients = || -> Vec<Tensor> { named_weights(&vs).into_iter().filter(|(_, v)| v.requires_grad()).map(|(_, v)| v.grad().copy()).collect() };
        let zero = || named_weights(&vs).into_iter().for_each(|(_, mut v)| v.zero_grad());
        zero();
        backward_iteration(&net, &head, &config, &x, &t, 1, false).unwrap();
        let whole = gradients();
        zero();
        for half in 0..2 {
            backward_iteration(&net, &head, &config, &x.narrow(0, half * 2, 2), &t.narrow(0, half * 2, 2), 2, false).unwrap();
        }
        let accumulated = gradients();
        for (a, b) in whole.iter().zip(&accumulated) {
            assert!(a.allclose(b, 1e-4, 1e-6, false), "max difference {}", f64::try_from((a - b).abs().max()).unwrap());
        }
        assert!(whole.iter().any(|g| f64::try_from(g.abs().sum(Kind::Float)).unwrap() > 0.0));
    }
}
