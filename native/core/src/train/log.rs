//! training_log.csv: one row per iteration, so the whole loss curve can be plotted afterwards.
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub struct TrainingLog {
    path: PathBuf,
    out: BufWriter<File>,
}

impl TrainingLog {
    pub const HEADER: &'static str = "iteration,loss,lr,elapsed_s";

    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut log = TrainingLog { path: path.to_path_buf(), out: BufWriter::new(file) };
        log.write_line(Self::HEADER)?;
        Ok(log)
    }

    pub fn append(&mut self, iteration: u64, loss: f64, lr: f64, elapsed_s: f64) -> Result<()> {
        self.write_line(&format!("{iteration},{loss:.6},{lr:.8},{elapsed_s:.3}"))
    }

    /// Pushes the rows to disk (at every progress event and checkpoint).
    pub fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }

    fn write_line(&mut self, line: &str) -> Result<()> {
        writeln!(self.out, "{line}").map_err(|e| Error::io(&self.path, e))
    }
}
