//! Named weights of a network: what checkpoints and model files hold.
use crate::error::{Error, Result};
use std::collections::HashMap;
use tch::nn::VarStore;
use tch::Tensor;

/// Every variable (weights and batch-norm statistics), sorted by name.
pub fn named_weights(vs: &VarStore) -> Vec<(String, Tensor)> {
    let mut named: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    named
}

/// Copies saved weights into the network; every variable must be there with its shape.
pub fn load_weights(vs: &VarStore, saved: &HashMap<String, Tensor>, source: &str) -> Result<()> {
    for (name, mut variable) in vs.variables() {
        let value = saved.get(&name).ok_or_else(|| Error::InvalidInput(format!("{source} has no weight '{name}': it was made for another network")))?;
        if value.size() != variable.size() {
            return Err(Error::InvalidInput(format!(
                "{source}: weight '{name}' has shape {:?}, the network needs {:?}",
                value.size(),
                variable.size()
            )));
        }
        tch::no_grad(|| variable.f_copy_(value))?;
    }
    Ok(())
}

/// Reads a safetensors file into a map.
pub fn read_weights(path: &std::path::Path) -> Result<HashMap<String, Tensor>> {
    let tensors = Tensor::read_safetensors(path).map_err(|e| Error::io(path, crate::error::short_torch_message(&e.to_string())))?;
    Ok(tensors.into_iter().collect())
}
