//! training_log.csv: one row per iteration, so the whole loss curve can be plotted afterwards;
//! validation columns are filled on the rows where validation ran.
use super::ValidationScores;
use crate::error::{Error, Result};
use std::fs::File;
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
    /// checkpoint, before the stop) are dropped. Returns the log and the losses kept.
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
        let mut log = TrainingLog::create(path)?;
        for line in &kept[1..] {
            log.write_line(line)?;
        }
        Ok((log, losses))
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
