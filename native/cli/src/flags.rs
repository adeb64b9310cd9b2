//! Command lines of the commands that have settings, read with the core's schema: every setting
//! is `--key value` (or `--key-with-dashes`), on/off settings are switches, and older flag names
//! still work for one release (with a note). So the CLI's flags are the dialog's and the macro's
//! keys, and a message that names a key names the flag the person typed.
use segtrain::settings::schema::{command_schema, CommandSchema, Kind};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A command line read against a schema.
pub struct Flags {
    pub schema: CommandSchema,
    /// The settings given, by key (what the core's settings types read).
    pub settings: Map<String, Value>,
    /// Files and folders: the image and labels fields, and the CLI's own flags (e.g. `out`).
    files: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Flags {
    /// `cli_flags` take a value and `cli_switches` none; both belong to the CLI only (files to
    /// write, output format), named with underscores.
    pub fn read(command: &str, words: &[String], cli_flags: &[&str], cli_switches: &[&str]) -> Result<Flags, String> {
        let schema = command_schema(command, &json!({})).map_err(|e| e.to_string())?;
        let mut flags = Flags { schema, settings: Map::new(), files: BTreeMap::new(), switches: Vec::new() };
        let mut it = words.iter();
        while let Some(word) = it.next() {
            let name = word.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{word}' (flags start with --)"))?;
            let flat = name.replace('-', "_");
            if cli_switches.contains(&flat.as_str()) {
                flags.switches.push(flat);
                continue;
            }
            let mut value = || it.next().cloned().ok_or_else(|| format!("--{name} needs a value"));
            if cli_flags.contains(&flat.as_str()) {
                let v = value()?;
                flags.insert_file(&flat, v)?;
            } else if flat == "voxel_nm" {
                // The older single flag X,Y,Z: the three settings at once.
                let v = value()?;
                let parts: Vec<&str> = v.split(',').collect();
                if parts.len() != 3 {
                    return Err(format!("--voxel-nm needs three sizes X,Y,Z (got '{v}'); or give --x_nm, --y_nm, --z_nm"));
                }
                eprintln!("segtrain: note: --voxel-nm X,Y,Z is now --x_nm X --y_nm Y --z_nm Z (the old flag works until the next release)");
                for (key, part) in ["x_nm", "y_nm", "z_nm"].into_iter().zip(parts) {
                    flags.insert_setting(key, number(key, part)?)?;
                }
            } else {
                let Some(key) = flags.schema.key_of(&flat) else {
                    return Err(format!("unknown flag --{name}; known: {}", flags.known(cli_flags, cli_switches)));
                };
                let field = flags.schema.field(key).expect("key_of returns a field's key").clone();
                if key != flat {
                    eprintln!("segtrain: note: --{name} is now --{key} (the old name works until the next release)");
                }
                if !field.native {
                    return Err(format!("--{key} is a Fiji setting ({}); the CLI writes files", field.label.trim_matches(['(', ')'])));
                }
                match field.kind {
                    Kind::Boolean => flags.insert_setting(key, json!(true))?,
                    Kind::Image | Kind::Labels => {
                        let v = value()?;
                        flags.insert_file(key, v)?
                    }
                    Kind::Number => {
                        let v = value()?;
                        flags.insert_setting(key, number(key, &v)?)?
                    }
                    _ => {
                        let v = value()?;
                        flags.insert_setting(key, json!(v))?
                    }
                }
            }
        }
        Ok(flags)
    }

    fn insert_setting(&mut self, key: &str, value: Value) -> Result<(), String> {
        match self.settings.insert(key.to_string(), value) {
            Some(_) => Err(format!("--{key} is given twice")),
            None => Ok(()),
        }
    }

    fn insert_file(&mut self, key: &str, value: String) -> Result<(), String> {
        match self.files.insert(key.to_string(), value) {
            Some(_) => Err(format!("--{key} is given twice")),
            None => Ok(()),
        }
    }

    fn known(&self, cli_flags: &[&str], cli_switches: &[&str]) -> String {
        let keys = self.schema.fields.iter().filter(|f| f.native).map(|f| f.key);
        keys.chain(cli_flags.iter().copied()).chain(cli_switches.iter().copied()).map(|k| format!("--{k}")).collect::<Vec<_>>().join(" ")
    }

    /// A file flag or the image/labels field.
    pub fn file(&self, key: &str) -> Option<&str> {
        self.files.get(key).map(String::as_str)
    }

    pub fn required_file(&self, key: &str) -> Result<&str, String> {
        self.file(key).ok_or_else(|| format!("--{key} is required"))
    }

    pub fn required_text(&self, key: &str) -> Result<String, String> {
        self.settings.get(key).and_then(Value::as_str).map(String::from).ok_or_else(|| format!("--{key} is required"))
    }

    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name) || self.settings.get(name) == Some(&json!(true))
    }

    /// The settings as the core's settings type `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self, extra: Map<String, Value>) -> Result<T, String> {
        let mut all = self.settings.clone();
        all.extend(extra);
        serde_json::from_value(Value::Object(all)).map_err(|e| e.to_string())
    }
}

/// A number flag as a JSON number: whole numbers as integers, so that integer settings take them.
fn number(key: &str, text: &str) -> Result<Value, String> {
    let v: f64 = text.trim().parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| format!("--{key}: '{text}' is not a number"))?;
    Ok(if v.fract() == 0.0 && v.abs() < 1e15 { if v >= 0.0 { json!(v as u64) } else { json!(v as i64) } } else { json!(v) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn keys_dashes_and_older_names_are_one_setting() {
        let f = Flags::read("train", &words("--image a.tif --window-size 1,64,64 --lr 0.1 --model_name m --overwrite --voxel-nm 5,5,40"), &[], &["resume"]).unwrap();
        assert_eq!(f.settings["window_size"], json!("1,64,64"));
        assert_eq!(f.settings["base_lr"], json!(0.1));
        assert_eq!(f.settings["model_name"], json!("m"));
        assert_eq!(f.settings["overwrite"], json!(true));
        assert_eq!(f.settings["z_nm"], json!(40));
        assert_eq!(f.file("image"), Some("a.tif"));
        assert!(!f.switch("resume"));
    }

    #[test]
    fn mistakes_name_the_flag() {
        let err = |s: &str| Flags::read("train", &words(s), &[], &[]).err().unwrap();
        assert!(err("--windw 3").contains("unknown flag --windw; known: --image --labels --config"), "{}", err("--windw 3"));
        assert!(err("--base_lr fast").contains("--base_lr: 'fast' is not a number"));
        assert!(err("--window 1,2,3 --window_size 1,2,3").contains("--window_size is given twice"));
        assert!(err("--model_name").contains("--model_name needs a value"));
        let rois = Flags::read("auto_label", &words("--rois overlay"), &[], &[]).err().unwrap();
        assert!(rois.contains("--rois is a Fiji setting"), "{rois}");
    }
}
