//! A small command-line parser: `--flag value` pairs and `--switch`es after a sub-command.
//! Hand-written because the CLI has a handful of flags and every message must name the flag.
use std::collections::BTreeMap;

#[derive(Debug)]
pub struct Args {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Args {
    /// `switch_names` take no value; every other `--name` takes the next word.
    pub fn parse(words: &[String], switch_names: &[&str]) -> Result<Args, String> {
        let mut values = BTreeMap::new();
        let mut switches = Vec::new();
        let mut it = words.iter();
        while let Some(word) = it.next() {
            let name = word.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{word}' (flags start with --)"))?;
            if switch_names.contains(&name) {
                switches.push(name.to_string());
            } else {
                let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                if values.insert(name.to_string(), value.clone()).is_some() {
                    return Err(format!("--{name} is given twice"));
                }
            }
        }
        Ok(Args { values, switches })
    }

    /// Fails when a flag outside `known` was given (typos must not be ignored silently).
    pub fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.values.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(format!("unknown flag --{k}; known: {}", known.iter().map(|k| format!("--{k}")).collect::<Vec<_>>().join(" "))),
            None => Ok(()),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| format!("--{name} is required"))
    }

    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// "a,b,c" as numbers.
    pub fn numbers(&self, name: &str) -> Result<Option<Vec<f64>>, String> {
        self.get(name)
            .map(|v| v.split(',').map(|p| p.trim().parse::<f64>().map_err(|_| format!("--{name}: '{v}' is not a comma-separated list of numbers"))).collect())
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_values_and_switches() {
        let a = Args::parse(&words("--name m --window 1,64,64 --overwrite --lr 0.1"), &["overwrite"]).unwrap();
        assert_eq!(a.get("name"), Some("m"));
        assert_eq!(a.numbers("window").unwrap(), Some(vec![1.0, 64.0, 64.0]));
        assert!(a.switch("overwrite"));
        assert!(a.only(&["name", "window", "lr"]).is_ok());
        assert!(a.only(&["name"]).unwrap_err().contains("unknown flag --lr"));
    }

    #[test]
    fn mistakes_are_named() {
        assert!(Args::parse(&words("--name"), &[]).unwrap_err().contains("--name needs a value"));
        assert!(Args::parse(&words("name x"), &[]).unwrap_err().contains("unexpected argument 'name'"));
        let a = Args::parse(&words("--voxel-nm 1,fast,3"), &[]).unwrap();
        assert!(a.numbers("voxel-nm").unwrap_err().contains("--voxel-nm: '1,fast,3' is not a comma-separated list of numbers"));
    }
}
