//! The settings of every command as people meet them: one key per setting, which is the macro
//! key, the CLI flag (`--window_size`, or `--window-size`), the JSON key of the settings and the
//! name in every message. Each field says its kind, default, range, unit, group, plain-language
//! label and help. Fiji builds its dialogs, help pages and remembered values from this, and the
//! CLI reads its flags with it, so neither can drift from what the core validates.
use super::fields;
use crate::error::{Error, Result};
use serde::Serialize;
use serde_json::{json, Value};

/// What a field holds, and so how a dialog shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An open image (Fiji) or a TIFF file or folder of slices (CLI): the raw stack.
    Image,
    /// The label stack that goes with the image.
    Labels,
    /// A stored model of the models folder.
    Model,
    /// A folder (empty: the default).
    Folder,
    /// A number (whole = `whole`).
    Number,
    /// Text, e.g. a name, "auto" or "z,y,x".
    Text,
    /// One of `choices`.
    Choice,
    /// On or off.
    Boolean,
}

/// The part of a dialog a field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Data,
    NetworkAndDevice,
    Schedule,
    PostProcessing,
    Output,
}

/// One setting of one command.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub kind: Kind,
    /// Plain words a dialog shows after the key, e.g. "(peak learning rate)".
    pub label: &'static str,
    pub unit: &'static str,
    pub group: Group,
    /// JSON null: no default (empty field).
    pub default: Value,
    /// Numbers: the whole numbers only.
    pub whole: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Numbers and text: an empty value means "not given" (the default decides).
    pub optional: bool,
    pub help: &'static str,
    /// Older names still accepted (CLI flags and JSON keys), for one release.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub aliases: &'static [&'static str],
    /// Whether a dialog remembers the last value typed (not for facts of one model or image).
    pub remember: bool,
    /// False where the field does not apply to what else is chosen (e.g. watershed values for a
    /// semantic model): dialogs disable it and its value is not sent.
    pub applies: bool,
    /// False for CLI-only settings.
    pub dialog: bool,
    /// False for dialog-only settings (what Fiji does with the result, e.g. ROIs).
    pub native: bool,
}

impl Field {
    /// A field with the common defaults: remembered, applies, in dialogs and in the core.
    pub(crate) fn new(key: &'static str, kind: Kind, group: Group, label: &'static str, help: &'static str) -> Self {
        Field {
            key,
            kind,
            label,
            unit: "",
            group,
            default: Value::Null,
            whole: false,
            min: None,
            max: None,
            choices: Vec::new(),
            optional: false,
            help,
            aliases: &[],
            remember: true,
            applies: true,
            dialog: true,
            native: true,
        }
    }

    pub(crate) fn number(key: &'static str, group: Group, label: &'static str, help: &'static str, min: f64, max: f64) -> Self {
        Field { min: Some(min), max: Some(max), ..Field::new(key, Kind::Number, group, label, help) }
    }

    pub(crate) fn whole(key: &'static str, group: Group, label: &'static str, help: &'static str, min: u64, max: u64) -> Self {
        Field { whole: true, ..Field::number(key, group, label, help, min as f64, max as f64) }
    }

    pub(crate) fn default(mut self, value: Value) -> Self {
        self.default = value;
        self
    }

    pub(crate) fn unit(mut self, unit: &'static str) -> Self {
        self.unit = unit;
        self
    }

    pub(crate) fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    pub(crate) fn choices(mut self, choices: &[&str]) -> Self {
        self.choices = choices.iter().map(|c| c.to_string()).collect();
        self
    }

    pub(crate) fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub(crate) fn not_remembered(mut self) -> Self {
        self.remember = false;
        self
    }

    pub(crate) fn applies_if(mut self, applies: bool) -> Self {
        self.applies = applies;
        self
    }

    pub(crate) fn cli_only(mut self) -> Self {
        self.dialog = false;
        self
    }

    pub(crate) fn dialog_only(mut self) -> Self {
        self.native = false;
        self
    }

    /// The whole-number range as integers, for the checks that store into integer fields.
    pub fn whole_range(&self) -> (u64, u64) {
        (self.min.unwrap_or(0.0) as u64, self.max.unwrap_or(u64::MAX as f64) as u64)
    }
}

/// A command's dialog: title, what it does, its fields.
#[derive(Clone, Debug, Serialize)]
pub struct CommandSchema {
    pub command: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub fields: Vec<Field>,
    /// Said below the fields, e.g. "Press Esc to stop".
    pub footer: &'static str,
    /// Whether the settings take the image's `calibration` ({unit, x, y, z}) for its voxel size.
    pub takes_calibration: bool,
}

impl CommandSchema {
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The key a name given by a person means: the key itself, its CLI spelling with dashes, or
    /// an older name. None for a name this command does not know.
    pub fn key_of(&self, name: &str) -> Option<&'static str> {
        let name = name.replace('-', "_");
        self.fields
            .iter()
            .find(|f| f.key == name || f.aliases.iter().any(|a| a.replace('-', "_") == name))
            .map(|f| f.key)
    }
}

/// The commands that have settings.
pub const COMMANDS: [&str; 7] = ["train", "resume", "auto_label", "tune", "evaluate", "demo_data", "labels_from_rois"];

/// The schema of `command`. `context` holds what the defaults depend on: for train the chosen
/// `config` and the image's `calibration` ({unit, x, y, z} as ImageJ keeps it); for auto_label
/// the chosen `model` and `models_folder` (its stored post-processing, and which fields apply).
pub fn command_schema(command: &str, context: &Value) -> Result<CommandSchema> {
    match command {
        "train" => fields::train(context),
        "resume" => Ok(fields::resume()),
        "auto_label" => fields::auto_label(context),
        "tune" => Ok(fields::tune()),
        "evaluate" => Ok(fields::evaluate()),
        "demo_data" => Ok(fields::demo_data()),
        "labels_from_rois" => Ok(fields::labels_from_rois()),
        other => Err(Error::setting(format!("no command '{other}'; commands with settings: {}", COMMANDS.join(", ")))),
    }
}

/// The schema as JSON, for the Java dialogs.
pub fn command_schema_json(command: &str, context_json: &str) -> Result<String> {
    let context: Value = if context_json.trim().is_empty() {
        json!({})
    } else {
        serde_json::from_str(context_json).map_err(|e| Error::setting(format!("schema context is not valid JSON: {e}")))?
    };
    Ok(serde_json::to_string(&command_schema(command, &context)?).expect("schemas serialise"))
}

/// Voxel size x, y, z in nm from a calibration {unit, x, y, z} (ImageJ's pixel width, height,
/// depth in `unit`); None when the unit is not a length (pixels, or unknown).
pub fn calibration_nm(calibration: &Value) -> Option<[f64; 3]> {
    let nm = segtrain_volume::unit_to_nm(calibration.get("unit")?.as_str()?)?;
    let size = |axis: &str| calibration.get(axis).and_then(Value::as_f64).filter(|v| v.is_finite() && *v > 0.0).map(|v| v * nm);
    Some([size("x")?, size("y")?, size("z")?])
}

/// The voxel size from x_nm, y_nm, z_nm as given: None when none is; a missing axis comes from
/// `fallback` (e.g. the image's calibration), else it is a problem.
pub fn voxel_from_axes(given: [Option<f64>; 3], fallback: Option<[f64; 3]>) -> std::result::Result<Option<[f64; 3]>, Vec<String>> {
    if given.iter().all(Option::is_none) {
        return Ok(None);
    }
    let mut out = [0.0; 3];
    let mut problems = Vec::new();
    for (i, key) in ["x_nm", "y_nm", "z_nm"].into_iter().enumerate() {
        match given[i].or(fallback.map(|v| v[i])) {
            Some(v) if v.is_finite() && v > 0.0 => out[i] = v,
            Some(v) => problems.push(format!("{key}: must be a size in nm above 0 (got {v})")),
            None => problems.push(format!("{key}: missing; give x_nm, y_nm and z_nm together (the image has no calibration in nm or µm)")),
        }
    }
    if problems.is_empty() { Ok(Some(out)) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_unique_keys_and_aliases() {
        for command in COMMANDS {
            let context = json!({"config": "Instance2D"});
            let schema = command_schema(command, &context).unwrap();
            let mut names = Vec::new();
            for f in &schema.fields {
                names.push(f.key.to_string());
                names.extend(f.aliases.iter().map(|a| a.replace('-', "_")));
                assert!(!f.help.is_empty(), "{command}.{}: no help", f.key);
                assert!(f.key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()), "{}", f.key);
                assert!(!f.label.contains('_'), "{command}.{}: a dialog shows underscores as spaces", f.key);
                if let (Some(lo), Some(hi)) = (f.min, f.max) {
                    assert!(lo <= hi, "{command}.{}", f.key);
                }
            }
            let count = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), count, "{command}: a key or alias is used twice");
        }
    }

    #[test]
    fn names_resolve_to_keys_in_either_spelling() {
        let schema = command_schema("train", &json!({})).unwrap();
        assert_eq!(schema.key_of("window_size"), Some("window_size"));
        assert_eq!(schema.key_of("window-size"), Some("window_size"));
        assert_eq!(schema.key_of("window"), Some("window_size"), "the older CLI name");
        assert_eq!(schema.key_of("lr"), Some("base_lr"));
        assert_eq!(schema.key_of("iterations"), Some("iteration_total"));
        assert_eq!(schema.key_of("windw"), None);
    }

    #[test]
    fn calibration_in_microns_becomes_nm_and_pixels_mean_none() {
        assert_eq!(calibration_nm(&json!({"unit": "µm", "x": 0.005, "y": 0.005, "z": 0.04})).map(|v| v.map(|s| s.round())), Some([5.0, 5.0, 40.0]));
        assert_eq!(calibration_nm(&json!({"unit": "nanometres", "x": 4, "y": 4, "z": 45})), Some([4.0, 4.0, 45.0]));
        assert_eq!(calibration_nm(&json!({"unit": "pixel", "x": 1, "y": 1, "z": 1})), None);
    }

    #[test]
    fn unknown_commands_are_named() {
        assert!(command_schema("trian", &json!({})).unwrap_err().to_string().contains("no command 'trian'"));
    }
}
