//! Checkpoints: `checkpoints/iter_000100.safetensors` (weights under "model.", optimiser buffers
//! under "optimizer.") and `iter_000100.json` (where the run stood). The JSON is written last,
//! so a checkpoint counts only once both files are complete.
use super::Optimizer;
use crate::error::{Error, Result};
use crate::store::{save_tensors_atomic, write_atomic, ModelDir};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use tch::Tensor;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    pub iteration: u64,
    pub optimizer_steps: u64,
    pub elapsed_s: f64,
    /// Best validation score so far and its iteration.
    pub best_score: Option<f64>,
    pub best_iteration: Option<u64>,
}

fn info_path(dir: &ModelDir, iteration: u64) -> PathBuf {
    dir.checkpoint(iteration).with_extension("json")
}

pub fn save(dir: &ModelDir, weights: Vec<(String, Tensor)>, optimizer: &Optimizer, info: &CheckpointInfo) -> Result<PathBuf> {
    let path = dir.checkpoint(info.iteration);
    let mut tensors: Vec<(String, Tensor)> = weights.into_iter().map(|(k, t)| (format!("model.{k}"), t)).collect();
    tensors.extend(optimizer.state());
    save_tensors_atomic(&path, &tensors)?;
    write_atomic(&info_path(dir, info.iteration), serde_json::to_string_pretty(info).expect("serialises").as_bytes())?;
    Ok(path)
}

/// The iteration of the newest complete checkpoint.
pub fn latest(dir: &ModelDir) -> Option<u64> {
    let entries = std::fs::read_dir(dir.path.join(crate::store::CHECKPOINTS)).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("iter_")?.strip_suffix(".json")?.parse::<u64>().ok())
        .filter(|&it| dir.checkpoint(it).is_file())
        .max()
}

/// Weights (keys without "model."), optimiser buffers (keys with "optimizer.") and the info.
pub fn load(dir: &ModelDir, iteration: u64) -> Result<(HashMap<String, Tensor>, HashMap<String, Tensor>, CheckpointInfo)> {
    let path = dir.checkpoint(iteration);
    let tensors = Tensor::read_safetensors(&path).map_err(|e| Error::io(&path, crate::error::short_torch_message(&e.to_string())))?;
    let info_file = info_path(dir, iteration);
    let text = std::fs::read_to_string(&info_file).map_err(|e| Error::io(&info_file, e))?;
    let info: CheckpointInfo = serde_json::from_str(&text).map_err(|e| Error::io(&info_file, format!("unreadable checkpoint info: {e}")))?;
    let (mut weights, mut optimizer) = (HashMap::new(), HashMap::new());
    for (name, tensor) in tensors {
        if let Some(key) = name.strip_prefix("model.") {
            weights.insert(key.to_string(), tensor);
        } else {
            optimizer.insert(name, tensor);
        }
    }
    Ok((weights, optimizer, info))
}
