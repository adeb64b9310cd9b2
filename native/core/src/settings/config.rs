//! The four training configs. Their JSON files in `configs/` are compiled into the library, so
//! the dialog, the CLI and a stored model always agree on what a config name means.
use crate::data::augment::AugmentConfig;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

const CONFIG_FILES: [(&str, &str); 4] = [
    ("Instance2D", include_str!("../../../../configs/Instance2D.json")),
    ("Instance3D", include_str!("../../../../configs/Instance3D.json")),
    ("Semantic2D", include_str!("../../../../configs/Semantic2D.json")),
    ("Semantic3D", include_str!("../../../../configs/Semantic3D.json")),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Semantic,
    Instance,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// SGD with momentum (PyTorch Connectomics' default for 2D).
    Sgd,
    /// AdamW: Adam with decoupled weight decay (steadier for 3D networks with small batches).
    Adamw,
}

impl OptimizerKind {
    /// The name people know it by, for messages.
    pub fn label(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Adamw => "AdamW",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// Warm-up, then the learning rate drops by lr_gamma at each of lr_milestones.
    Multistep,
    /// Warm-up, then a half cosine down to zero at iteration_total.
    Cosine,
}

/// A complete, flat training config. The first group of fields are the defaults of the
/// person's settings (the dialog shows them); the rest is the recipe (network, optimiser,
/// schedule, loss, augmentation). A resolved plan holds a copy with the person's values in it,
/// which is what model.json stores.
// No deny_unknown_fields: serde cannot combine it with the flattened augmentations. The test
// `shipped_configs_have_no_unknown_keys` catches stray keys instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingConfig {
    pub name: String,
    pub description: String,
    pub task: Task,
    /// 2: the network sees one section at a time; 3: it sees `window[0]` sections.
    pub dims: u8,
    /// Voxel size x, y, z in nanometres.
    pub voxel_nm: [f64; 3],
    pub gpus: u32,
    pub cpus: u32,
    /// auto, fp32 or bf16 (mixed precision with fp32 master weights); what it resolved to on the
    /// device is `training.precision` in model.json. Absent in models stored before it existed:
    /// they trained in fp32, and auto resolves per machine when they resume.
    #[serde(default)]
    pub precision: super::Precision,
    pub base_lr: f64,
    /// Gradient accumulation: the optimiser updates once every `iteration_step` iterations.
    pub iteration_step: u32,
    pub iteration_save: u64,
    pub iteration_total: u64,
    /// Minutes of training to fill (0 = train iteration_total iterations): the total, the
    /// checkpoint and validation intervals are then fitted to it (`train::budget`).
    #[serde(default)]
    pub time_budget_minutes: f64,
    pub samples_per_batch: u32,
    /// Training window z, y, x in voxels (of the stacks at the training scale).
    #[serde(rename = "window_size", alias = "window")]
    pub window: [usize; 3],
    /// Downsampling of the stacks before training: a factor, or `auto` (from the objects' size).
    /// Absent in models stored before it existed: they trained at scale 1.
    #[serde(default = "super::scale::unscaled")]
    pub scale: super::Scale,
    pub seed: u64,
    /// A progress event (and a log line in Fiji) every this many iterations.
    pub log_every: u64,
    /// Share of the stack held out for validation, as one block (0 = no validation).
    pub validation_fraction: f64,
    /// Validation loss and scores every this many iterations (and at the end).
    pub validation_every: u64,
    /// Share of windows drawn so that they contain labelled objects (sparse labels still train).
    pub foreground_share: f64,
    /// Feature channels per U-Net level, finest first.
    pub filters: Vec<i64>,
    pub optimizer: OptimizerKind,
    /// SGD momentum (AdamW uses beta1 = 0.9, beta2 = 0.999).
    pub momentum: f64,
    pub weight_decay: f64,
    pub schedule: ScheduleKind,
    /// Share of iteration_total spent warming the learning rate up linearly.
    pub warmup_fraction: f64,
    /// Multistep: learning-rate drops at these shares of iteration_total.
    pub lr_milestones: Vec<f64>,
    pub lr_gamma: f64,
    /// Weight of the (class-balanced) cross-entropy term: BCE for binary targets, softmax CE for classes.
    pub cross_entropy_weight: f64,
    pub dice_weight: f64,
    /// Instance configs: width in pixels of the contour band around every object.
    pub contour_width: usize,
    /// Instance configs: also learn a normalised distance map (third output channel).
    pub instance_distance: bool,
    /// Random flips of y and x (z too for 3D).
    pub augment_flip: bool,
    /// Random transposes of y and x (with the flips: the 90-degree rotations).
    pub augment_rotate90: bool,
    /// Probabilities of the other augmentations (data/augment).
    #[serde(flatten)]
    pub augment: AugmentConfig,
    /// Sparse labels: voxels of this label value are not annotated; they give no loss, no score
    /// and no target (no contour where an object meets them), and windows are placed on the
    /// labelled voxels. None (models and configs from before it existed too): all voxels count.
    #[serde(default)]
    pub ignore_label: Option<u32>,
}

pub fn config_names() -> Vec<&'static str> {
    CONFIG_FILES.iter().map(|(name, _)| *name).collect()
}

/// The config's JSON text exactly as shipped.
pub fn config_json(name: &str) -> Result<&'static str> {
    CONFIG_FILES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| {
            Error::setting(format!("config: unknown training config '{name}'; known: {}", config_names().join(", ")))
        })
}

/// A shipped config by name, or a config file of one's own (a path ending in `.json`: a copy of
/// a shipped config with another recipe, for experiments and for a facility's standard
/// settings; every key must be there, and its `name` is what model.json records).
pub fn load_config(name: &str) -> Result<TrainingConfig> {
    if name.ends_with(".json") {
        // A config is a few kB: anything else (a device, a huge file) is refused before reading.
        const MAX_BYTES: u64 = 1 << 20;
        let meta = std::fs::metadata(name).map_err(|e| Error::setting(format!("config: cannot read the config file {name}: {e}")))?;
        if !meta.is_file() || meta.len() > MAX_BYTES {
            return Err(Error::setting(format!("config: {name} is not a config file (a plain file of at most 1 MB)")));
        }
        let text = std::fs::read_to_string(name).map_err(|e| Error::setting(format!("config: cannot read the config file {name}: {e}")))?;
        let config: TrainingConfig = serde_json::from_str(&text).map_err(|e| Error::setting(format!("config: {name} is not a complete training config: {e}")))?;
        let shipped = load_config(&config.name).map_err(|_| Error::setting(format!("config: {name} must be named after a shipped config ({}), not '{}'", config_names().join(", "), config.name)))?;
        // A config file may tune the recipe, not turn the network into something absurd.
        let sane = config.dims == shipped.dims
            && config.task == shipped.task
            && (1..=8).contains(&config.filters.len())
            && config.filters.iter().all(|f| (1..=1024).contains(f));
        if !sane {
            return Err(Error::setting(format!(
                "config: {name} must keep the {} config's dims ({}) and task, and use 1 to 8 levels of 1 to 1024 filters (got {:?})",
                shipped.name, shipped.dims, config.filters
            )));
        }
        return Ok(config);
    }
    let text = config_json(name)?;
    serde_json::from_str(text).map_err(|e| Error::setting(format!("config {name}: broken config file: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_config_parses_and_names_itself() {
        for name in config_names() {
            let config = load_config(name).unwrap();
            assert_eq!(config.name, name);
            assert_eq!(config.dims as usize, if name.ends_with("2D") { 2 } else { 3 });
            assert_eq!(config.task == Task::Instance, name.starts_with("Instance"));
            assert_eq!(config.window[0] == 1, config.dims == 2, "{name}: 2D windows have z = 1");
            assert_eq!(config.iteration_total % config.iteration_save, 0, "{name}");
        }
    }

    #[test]
    fn shipped_configs_have_no_unknown_keys() {
        for name in config_names() {
            let file: serde_json::Value = serde_json::from_str(config_json(name).unwrap()).unwrap();
            let parsed = serde_json::to_value(load_config(name).unwrap()).unwrap();
            assert_eq!(file, parsed, "{name}: every key of the file is a field, and every field is in the file");
        }
    }

    #[test]
    fn a_config_file_of_ones_own_changes_the_recipe() {
        let dir = std::env::temp_dir().join(format!("segtrain-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(config_json("Instance2D").unwrap()).unwrap();
        value["optimizer"] = "adamw".into();
        value["base_lr"] = 0.002.into();
        let path = dir.join("adamw.json");
        std::fs::write(&path, value.to_string()).unwrap();
        let config = load_config(path.to_str().unwrap()).unwrap();
        assert_eq!((config.name.as_str(), config.optimizer, config.base_lr), ("Instance2D", OptimizerKind::Adamw, 0.002));
        value["filters"] = serde_json::json!([100000, 2]);
        std::fs::write(&path, value.to_string()).unwrap();
        assert!(load_config(path.to_str().unwrap()).unwrap_err().to_string().contains("1 to 8 levels of 1 to 1024 filters (got [100000, 2])"));
        value["name"] = "Mine".into();
        std::fs::write(&path, value.to_string()).unwrap();
        assert!(load_config(path.to_str().unwrap()).unwrap_err().to_string().contains("must be named after a shipped config"));
        value.as_object_mut().unwrap().remove("optimizer");
        std::fs::write(&path, value.to_string()).unwrap();
        assert!(load_config(path.to_str().unwrap()).unwrap_err().to_string().contains("not a complete training config"));
        assert!(load_config("/nonexistent/x.json").unwrap_err().to_string().contains("cannot read the config file"));
        std::fs::create_dir_all(dir.join("folder.json")).unwrap();
        assert!(load_config(dir.join("folder.json").to_str().unwrap()).unwrap_err().to_string().contains("is not a config file"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_config_lists_the_known_ones() {
        let err = load_config("Semantic4D").unwrap_err().to_string();
        assert!(err.contains("Semantic4D") && err.contains("Semantic2D, Semantic3D"), "{err}");
    }
}
