//! training_log.csv: one row per iteration, so the whole loss curve can be plotted afterwards;
//! validation columns are filled on the rows where validation ran.
use super::{Event, ValidationScores};
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub struct TrainingLog {
    path: PathBuf,
    out: BufWriter<File>,
}

impl TrainingLog {
    pub const HEADER: &'static str = "iteration,loss,lr,elapsed_s,val_loss,val_iou,val_dice";

    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut log = TrainingLog { path: path.to_path_buf(), out: BufWriter::new(file) };
        log.write_line(Self::HEADER)?;
        Ok(log)
    }

    /// Continues a log after a resume from `iteration`: rows after it (written after the last
    /// checkpoint, before the stop) are dropped; the rest is never truncated in place. Returns the
    /// log and the rows kept.
    pub fn resume(path: &Path, iteration: u64) -> Result<(Self, KeptRows)> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut kept = vec![Self::HEADER.to_string()];
        let mut rows = KeptRows::default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let number = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
            let row: Option<(u64, f64)> = (|| Some((fields.first()?.parse().ok()?, number(1)?)))();
            match row {
                Some((it, loss)) if it <= iteration => {
                    kept.push(line.to_string());
                    rows.iterations.push(it);
                    rows.losses.push(loss);
                    if let (Some(loss), Some(iou), Some(dice)) = (number(4), number(5), number(6)) {
                        rows.validations.push((it, loss, iou, dice));
                    }
                }
                _ => break,
            }
        }
        // The kept rows replace the file in one rename: a resume killed here leaves the old log.
        crate::store::write_atomic(path, (kept.join("\n") + "\n").as_bytes())?;
        let file = OpenOptions::new().append(true).open(path).map_err(|e| Error::io(path, e))?;
        Ok((TrainingLog { path: path.to_path_buf(), out: BufWriter::new(file) }, rows))
    }

    pub fn append(&mut self, iteration: u64, loss: f64, lr: f64, elapsed_s: f64, validation: Option<&ValidationScores>) -> Result<()> {
        let v = validation.map(|v| format!("{:.6},{:.6},{:.6}", v.loss, v.iou, v.dice)).unwrap_or_else(|| ",,".into());
        self.write_line(&format!("{iteration},{loss:.6},{lr:.8},{elapsed_s:.3},{v}"))
    }

    /// Pushes the rows to disk (at every progress event and checkpoint).
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }

    fn write_line(&mut self, line: &str) -> Result<()> {
        writeln!(self.out, "{line}").map_err(|e| Error::io(&self.path, e))
    }
}

/// The rows a resumed log keeps: one loss per iteration, and the validation rows as
/// (iteration, loss, IoU, Dice).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeptRows {
    pub iterations: Vec<u64>,
    pub losses: Vec<f64>,
    pub validations: Vec<(u64, f64, f64, f64)>,
}

impl KeptRows {
    /// The `history` event of a run resumed from `resumed_from`: the training curve as the
    /// `iteration` events drew it (the mean loss of the `log_every` iterations up to every
    /// multiple of `log_every`), plus a point at the last row kept (the checkpoint, where the
    /// resumed curve goes on), and every validation row.
    pub fn history(&self, resumed_from: u64, log_every: u64) -> Event {
        let n = log_every.max(1) as usize;
        let (mut iteration, mut loss) = (Vec::new(), Vec::new());
        for (i, &it) in self.iterations.iter().enumerate() {
            if it % n as u64 == 0 || i + 1 == self.iterations.len() {
                let window = &self.losses[(i + 1).saturating_sub(n)..=i];
                iteration.push(it);
                loss.push(window.iter().sum::<f64>() / window.len() as f64);
            }
        }
        let v = &self.validations;
        Event::History {
            resumed_from,
            iteration,
            loss,
            validation_iteration: v.iter().map(|r| r.0).collect(),
            validation_loss: v.iter().map(|r| r.1).collect(),
            validation_iou: v.iter().map(|r| r.2).collect(),
            validation_dice: v.iter().map(|r| r.3).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_keeps_the_rows_up_to_the_checkpoint_and_appends_after_them() {
        let dir = std::env::temp_dir().join(format!("segtrain-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("training_log.csv");
        let mut log = TrainingLog::create(&path).unwrap();
        for it in 1..=5 {
            log.append(it, it as f64, 0.1, 1.0, None).unwrap();
        }
        log.flush().unwrap();
        drop(log);
        let (mut log, rows) = TrainingLog::resume(&path, 3).unwrap();
        assert_eq!(rows.losses, vec![1.0, 2.0, 3.0]);
        assert_eq!(rows.iterations, vec![1, 2, 3]);
        log.append(4, 40.0, 0.1, 1.0, None).unwrap();
        log.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let iterations: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(iterations, ["1", "2", "3", "4"]);
        assert!(text.starts_with(TrainingLog::HEADER) && text.contains("4,40.000000"), "{text}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn history_means_the_losses_per_log_interval_and_keeps_the_validation_rows() {
        let dir = std::env::temp_dir().join(format!("segtrain-log-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("training_log.csv");
        let mut log = TrainingLog::create(&path).unwrap();
        for it in 1..=9 {
            let scores = (it % 3 == 0).then(|| ValidationScores { iteration: it, loss: 0.5, iou: it as f64 / 10.0, dice: 0.25, scores: crate::metrics::SemanticScores { iou: vec![], dice: vec![], pixel_accuracy: 0.0, mean_iou: 0.0 }, contour: false });
            log.append(it, it as f64, 0.1, 1.0, scores.as_ref()).unwrap();
        }
        log.flush().unwrap();
        drop(log);
        let (_, rows) = TrainingLog::resume(&path, 7).unwrap();
        assert_eq!(rows.validations, vec![(3, 0.5, 0.3, 0.25), (6, 0.5, 0.6, 0.25)], "the row at 9 is after the checkpoint");
        match rows.history(7, 2) {
            Event::History { resumed_from, iteration, loss, validation_iteration, validation_iou, .. } => {
                assert_eq!(resumed_from, 7);
                assert_eq!(iteration, vec![2, 4, 6, 7], "every log interval, and the checkpoint");
                assert_eq!(loss, vec![1.5, 3.5, 5.5, 6.5]);
                assert_eq!((validation_iteration, validation_iou), (vec![3, 6], vec![0.3, 0.6]));
            }
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
