//! Small checks shared by the settings types. They collect problems instead of stopping at the
//! first one, so a person fixes a dialog in one go.
use crate::error::{Error, Result};

/// The smallest training window edge in y and x: the 2D network halves the window four times.
pub const MIN_WINDOW_YX: usize = 16;

#[derive(Default)]
pub struct Checker {
    problems: Vec<String>,
}

impl Checker {
    pub fn problem(&mut self, message: String) {
        self.problems.push(message);
    }

    pub fn finish(self) -> Result<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidSettings(self.problems))
        }
    }

    /// Stores `value` into `target` when it is a whole number in [min, max].
    pub fn integer_into<T: TryFrom<u64>>(&mut self, field: &str, value: Option<f64>, min: u64, max: u64, target: &mut T) {
        let Some(v) = value else { return };
        if v.is_finite() && v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
            if let Ok(t) = T::try_from(v as u64) {
                *target = t;
                return;
            }
        }
        self.problem(format!("{field}: must be a whole number from {min} to {max} (got {v})"));
    }

    /// A number given as a number or as text (None when absent or empty); a problem when text
    /// that is not a number.
    pub fn number(&mut self, field: &str, value: Option<&serde_json::Value>) -> Option<f64> {
        match super::lenient::number(field, value?) {
            Ok(v) => v,
            Err(message) => {
                self.problem(message);
                None
            }
        }
    }

    /// cpus: a whole number up to this machine's cores (more threads than cores only slow down).
    pub fn cpus_into(&mut self, value: Option<f64>, target: &mut u32) {
        let mut cpus = *target;
        let before = self.problems.len();
        self.integer_into("cpus", value, 0, u32::MAX as u64, &mut cpus);
        if self.problems.len() == before {
            match crate::runtime::cpus_problem(cpus) {
                Some(problem) => self.problem(problem),
                None => *target = cpus,
            }
        }
    }

    pub fn positive_triple(&mut self, field: &str, values: &[f64]) -> Option<[f64; 3]> {
        match values {
            [x, y, z] if values.iter().all(|v| v.is_finite() && *v > 0.0) => Some([*x, *y, *z]),
            _ => {
                self.problem(format!("{field}: needs three sizes x,y,z in nm, each above 0 (got {values:?})"));
                None
            }
        }
    }

    pub fn window(&mut self, field: &str, values: &[f64], dims: u8) -> Option<[usize; 3]> {
        if values.len() != 3 || values.iter().any(|v| !v.is_finite() || v.fract() != 0.0 || *v < 1.0) {
            self.problem(format!("{field}: needs three numbers z,y,x, whole and at least 1 (got {values:?})"));
            return None;
        }
        let w = [values[0] as usize, values[1] as usize, values[2] as usize];
        let before = self.problems.len();
        if dims == 2 && w[0] != 1 {
            self.problem(format!("{field}: z must be 1 for a 2D config (got {},{},{})", w[0], w[1], w[2]));
        }
        if w[1] < MIN_WINDOW_YX || w[2] < MIN_WINDOW_YX {
            self.problem(format!(
                "{field}: y and x must be at least {MIN_WINDOW_YX}, the network's total downsampling (got {},{},{})",
                w[0], w[1], w[2]
            ));
        }
        (self.problems.len() == before).then_some(w)
    }

    pub fn divides(&mut self, field: &str, part: u64, whole_field: &str, whole: u64) {
        if part == 0 || whole % part == 0 {
            return;
        }
        let divisors: Vec<String> = (1..=whole)
            .filter(|d| whole % d == 0 && *d > 1 && *d < whole)
            .rev()
            .filter(|d| whole / d >= 2 && whole / d <= 50)
            .take(4)
            .map(|d| d.to_string())
            .collect();
        let hint = if divisors.is_empty() { String::new() } else { format!("; for example {}", divisors.join(", ")) };
        self.problem(format!(
            "{field}: {part} does not divide {whole_field} {whole}; a checkpoint is saved every {field} iterations, so choose a divisor of {whole}{hint}"
        ));
    }

    pub fn model_name(&mut self, field: &str, name: &str) {
        if let Err(message) = validate_model_name(name) {
            self.problem(format!("{field}: {message}"));
        }
    }
}

/// A model name becomes a folder name: letters, digits, '-', '_' and '.', not starting with '.'.
pub fn validate_model_name(name: &str) -> std::result::Result<(), String> {
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if name.is_empty() || name.len() > 100 || name.starts_with('.') || !plain {
        return Err(format!(
            "'{name}' is not a usable model name: use 1 to 100 letters, digits, '-', '_' or '.', not starting with '.'"
        ));
    }
    Ok(())
}
