//! Progress events of a job: polled by Java, printed by the CLI.
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Event {
    Started { device: String, iterations: u64, model_dir: String },
    Iteration { iteration: u64, total: u64, loss: f64, lr: f64, elapsed_s: f64, eta_s: f64 },
    Validation { iteration: u64, loss: f64, iou: f64, dice: f64, best: bool },
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
    /// One line for a log window or a terminal.
    pub fn to_line(&self) -> String {
        match self {
            Event::Started { device, iterations, model_dir } => {
                format!("training {iterations} iterations on {device} into {model_dir}")
            }
            Event::Iteration { iteration, total, loss, lr, eta_s, .. } => {
                format!("iteration {iteration}/{total}  loss {loss:.4}  lr {lr:.5}  ETA {}", format_duration(*eta_s))
            }
            Event::Validation { iteration, loss, iou, dice, best } => {
                let mark = if *best { "  (best so far)" } else { "" };
                format!("validation at iteration {iteration}: loss {loss:.4}  IoU {iou:.3}  Dice {dice:.3}{mark}")
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
    }
}
