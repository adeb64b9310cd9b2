//! The `scale` setting: train on the stacks as they are (1), downsampled by a whole factor in
//! y and x (2, 3, ...), or at the factor measured from the labels (`auto`, see
//! `train::scale`). Written "auto" or a number in every place a setting is written (dialog,
//! macro, CLI, config, model.json).
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest downsampling: beyond it a window holds too little of the stack to learn from.
pub const MAX_SCALE: u32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Auto,
    Factor(u32),
}

impl Scale {
    /// "auto", or a whole number from 1 to MAX_SCALE given as a number or as text ("2").
    pub fn parse(value: &serde_json::Value) -> Result<Scale, String> {
        let bad = || format!("scale: 'auto' or a whole number from 1 to {MAX_SCALE} (got {value})");
        let number = match value {
            serde_json::Value::String(s) if s.trim().eq_ignore_ascii_case("auto") => return Ok(Scale::Auto),
            serde_json::Value::String(s) => s.trim().parse::<f64>().map_err(|_| bad())?,
            serde_json::Value::Number(n) => n.as_f64().ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        if number.fract() == 0.0 && (1.0..=MAX_SCALE as f64).contains(&number) {
            Ok(Scale::Factor(number as u32))
        } else {
            Err(bad())
        }
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scale::Auto => f.write_str("auto"),
            Scale::Factor(n) => write!(f, "{n}"),
        }
    }
}

impl Serialize for Scale {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Scale::Auto => serializer.serialize_str("auto"),
            Scale::Factor(n) => serializer.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for Scale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Scale::parse(&value).map_err(serde::de::Error::custom)
    }
}

/// Models stored before the setting existed trained at their stacks' own size.
pub fn unscaled() -> Scale {
    Scale::Factor(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn auto_or_a_whole_factor_as_number_or_text() {
        assert_eq!(Scale::parse(&json!("auto")), Ok(Scale::Auto));
        assert_eq!(Scale::parse(&json!(" Auto ")), Ok(Scale::Auto));
        assert_eq!(Scale::parse(&json!(2)), Ok(Scale::Factor(2)));
        assert_eq!(Scale::parse(&json!("4")), Ok(Scale::Factor(4)));
        for bad in [json!(0), json!(2.5), json!(9), json!("big"), json!(null), json!(-1)] {
            let err = Scale::parse(&bad).unwrap_err();
            assert!(err.starts_with("scale: 'auto' or a whole number from 1 to 8"), "{err}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        for scale in [Scale::Auto, Scale::Factor(3)] {
            let text = serde_json::to_string(&scale).unwrap();
            assert_eq!(serde_json::from_str::<Scale>(&text).unwrap(), scale);
        }
        assert_eq!(serde_json::to_string(&Scale::Auto).unwrap(), "\"auto\"");
    }
}
