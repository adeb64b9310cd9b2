//! Values as a dialog's text field or a command line gives them: a number may come as text
//! ("4", "" for "not given") and a list as "z,y,x". Read here, where the setting's name is known,
//! so that a mistake is reported under it.
use serde_json::Value;

/// A number given as a number or as text; None for null or empty text.
pub fn number(key: &str, value: &Value) -> Result<Option<f64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s.trim().parse::<f64>().map(Some).map_err(|_| format!("{key}: '{s}' is not a number")),
        other => Err(format!("{key}: {other} is not a number")),
    }
}

/// A list of numbers given as a JSON array or as text "a,b,c".
pub fn numbers(key: &str, value: &Value) -> Result<Vec<f64>, String> {
    let bad = || format!("{key}: {value} is not a list of numbers a,b,c");
    match value {
        Value::Array(items) => items.iter().map(|v| v.as_f64().ok_or_else(bad)).collect(),
        Value::String(s) => s.split(',').map(|p| p.trim().parse::<f64>().map_err(|_| bad())).collect(),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_come_as_numbers_or_text() {
        assert_eq!(number("gpus", &json!(2)), Ok(Some(2.0)));
        assert_eq!(number("gpus", &json!(" 3 ")), Ok(Some(3.0)));
        assert_eq!(number("gpus", &json!("")), Ok(None));
        assert_eq!(number("gpus", &json!("two")), Err("gpus: 'two' is not a number".into()));
        assert_eq!(numbers("window_size", &json!("1, 64,96")), Ok(vec![1.0, 64.0, 96.0]));
        assert_eq!(numbers("window_size", &json!([1, 64, 96])), Ok(vec![1.0, 64.0, 96.0]));
        assert!(numbers("window_size", &json!("1,a,3")).unwrap_err().starts_with("window_size: "));
    }
}
