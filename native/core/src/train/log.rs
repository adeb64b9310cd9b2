//! training_log.csv: one row per iteration, so the whole loss curve can be plotted afterwards;
//! validation columns are filled on the rows where validation ran.
use super::ValidationScores;
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
    /// checkpoint, before the stop) are dropped; the rest is never truncated in place. Returns the log and the losses kept.
    pub fn resume(path: &Path, iteration: u64) -> Result<(Self, Vec<f64>)> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut kept = vec![Self::HEADER.to_string()];
        let mut losses = Vec::new();
        for line in text.lines().skip(1) {
            let mut fields = line.split(',');
            let row: Option<(u64, f64)> = (|| Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?)))();
            match row {
                Some((it, loss)) if it <= iteration => {
                    kept.push(line.to_string());
                    losses.push(loss);
                }
                _ => break,
            }
        }
        // The kept rows replace the file in one rename: a resume killed here leaves the old log.
        crate::store::write_atomic(path, (kept.join("\n") + "\n").as_bytes())?;
        let file = OpenOptions::new().append(true).open(path).map_err(|e| Error::io(path, e))?;
        Ok((TrainingLog { path: path.to_path_buf(), out: BufWriter::new(file) }, losses))
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
        let (mut log, losses) = TrainingLog::resume(&path, 3).unwrap();
        assert_eq!(losses, vec![1.0, 2.0, 3.0]);
        log.append(4, 40.0, 0.1, 1.0, None).unwrap();
        log.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let iterations: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(iterations, ["1", "2", "3", "4"]);
        assert!(text.starts_with(TrainingLog::HEADER) && text.contains("4,40.000000"), "{text}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
