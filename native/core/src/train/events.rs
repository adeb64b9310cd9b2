//! Progress events of a job: polled by Java, printed by the CLI.
//!
//! Each event is a JSON object whose `kind` is the variant's name in lower case, with the
//! variant's fields beside it, e.g. `{"kind":"checkpoint","iteration":20,"path":"..."}`. A
//! reader must accept kinds and keys it does not know (a newer library may add them).
//!
//! A training job sends `started`, then (resumed runs only) one `history`, then `iteration`
//! every log_every iterations, `validation` when the validation block is scored, `checkpoint`,
//! `message`, and at the end `finished`, `cancelled` or `error`.
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Event {
    /// `validation_every`: the interval this run scores the validation block at (also at the
    /// last iteration); null when the model has no validation block.
    Started { device: String, iterations: u64, model_dir: String, validation_every: Option<u64> },
    /// A resumed run's past, sent once right after `started`: the curve up to the checkpoint it
    /// resumes from (`resumed_from`), as training_log.csv keeps it. The training points are what
    /// `iteration` events showed: at every multiple of log_every, and at the checkpoint itself,
    /// the mean loss of the log_every iterations up to it (`iteration[i]`, `loss[i]`). The
    /// validation points are the log's validation rows (`validation_iteration[i]` with
    /// `validation_loss[i]`, `validation_iou[i]`, `validation_dice[i]`). All arrays are empty
    /// when the run starts over (stopped before its first checkpoint).
    History {
        resumed_from: u64,
        iteration: Vec<u64>,
        loss: Vec<f64>,
        validation_iteration: Vec<u64>,
        validation_loss: Vec<f64>,
        validation_iou: Vec<f64>,
        validation_dice: Vec<f64>,
    },
    Iteration { iteration: u64, total: u64, loss: f64, lr: f64, elapsed_s: f64, eta_s: f64 },
    /// `contour`: IoU and Dice are the contour channel's (densely labelled instance data).
    Validation { iteration: u64, loss: f64, iou: f64, dice: f64, best: bool, #[serde(default, skip_serializing_if = "std::ops::Not::not")] contour: bool },
    Checkpoint { iteration: u64, path: String },
    Message { text: String },
    Finished { model_dir: String, iterations: u64 },
    /// Auto-label progress.
    Predicting { windows_done: usize, windows_total: usize },
    /// Stopped by the user; the model folder keeps its checkpoints (and can be resumed).
    Cancelled { iterations: u64, last_checkpoint: Option<String> },
    /// The training failed; model.json says the same.
    Error { message: String },
}

impl Event {
    /// The event as the JSON object a front end reads: its fields, and `line`, its text for a
    /// log window (so that Fiji and the CLI say the same words).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("events serialise");
        value["line"] = serde_json::Value::String(self.to_line());
        value
    }

    /// One line for a log window or a terminal.
    pub fn to_line(&self) -> String {
        match self {
            Event::Started { device, iterations, model_dir, validation_every } => {
                let validation = validation_every.map_or(String::new(), |every| format!(", validation every {every}"));
                format!("training {iterations} iterations on {device} into {model_dir}{validation}")
            }
            Event::History { resumed_from, iteration, validation_iteration, .. } => {
                let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
                format!("curve history up to iteration {resumed_from}: {}, {}", count(iteration.len(), "training point"), count(validation_iteration.len(), "validation"))
            }
            Event::Iteration { iteration, total, loss, lr, eta_s, .. } => {
                // Small rates in scientific notation: 5e-6 at 5 decimals would read 0.00001.
                let lr = if *lr != 0.0 && lr.abs() < 1e-3 { format!("{lr:.2e}") } else { format!("{lr:.5}") };
                format!("iteration {iteration}/{total}  loss {loss:.4}  lr {lr}  ETA {}", format_duration(*eta_s))
            }
            Event::Validation { iteration, loss, iou, dice, best, contour } => {
                let mark = if *best { "  (best so far)" } else { "" };
                let of = if *contour { "contour " } else { "" };
                format!("validation at iteration {iteration}: loss {loss:.4}  {of}IoU {iou:.3}  {of}Dice {dice:.3}{mark}")
            }
            Event::Checkpoint { iteration, path } => format!("checkpoint at iteration {iteration}: {path}"),
            Event::Message { text } => text.clone(),
            Event::Finished { model_dir, iterations } => format!("finished {iterations} iterations: {model_dir}"),
            Event::Cancelled { iterations, last_checkpoint } => match last_checkpoint {
                Some(path) => format!("cancelled after {iterations} iterations; last checkpoint {path} (resume to continue)"),
                None => format!("cancelled after {iterations} iterations, before the first checkpoint"),
            },
            Event::Error { message } => format!("error: {message}"),
            Event::Predicting { windows_done, windows_total } => format!("labelling: window {windows_done}/{windows_total}"),
        }
    }
}

pub fn format_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 { format!("{}h{:02}m", s / 3600, s % 3600 / 60) } else { format!("{}m{:02}s", s / 60, s % 60) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_their_kind() {
        let e = Event::Checkpoint { iteration: 20, path: "x".into() };
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"kind":"checkpoint","iteration":20,"path":"x"}"#);
        assert_eq!(format_duration(3725.0), "1h02m");
        assert_eq!(format_duration(61.4), "1m01s");
        assert_eq!(e.to_json()["line"], "checkpoint at iteration 20: x");
        let it = Event::Iteration { iteration: 120, total: 300, loss: 0.41234, lr: 5e-6, elapsed_s: 1.0, eta_s: 41.2 };
        assert_eq!(it.to_line(), "iteration 120/300  loss 0.4123  lr 5.00e-6  ETA 0m41s");
    }

    #[test]
    fn history_serialises_as_arrays() {
        let e = Event::History {
            resumed_from: 20,
            iteration: vec![10, 20],
            loss: vec![0.5, 0.25],
            validation_iteration: vec![20],
            validation_loss: vec![0.75],
            validation_iou: vec![0.5],
            validation_dice: vec![0.625],
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"history","resumed_from":20,"iteration":[10,20],"loss":[0.5,0.25],"validation_iteration":[20],"validation_loss":[0.75],"validation_iou":[0.5],"validation_dice":[0.625]}"#
        );
        assert_eq!(e.to_line(), "curve history up to iteration 20: 2 training points, 1 validation");
    }
}
