//! Learning-rate schedule: linear warm-up, then step decay (multistep) or a half cosine to zero.
//! Everything is placed relative to iteration_total, so a short and a long run have the same shape.
use crate::settings::{ScheduleKind, TrainingConfig};

/// Warm-up starts at this share of the base learning rate.
const WARMUP_START: f64 = 0.001;

#[derive(Clone, Debug)]
pub struct Schedule {
    kind: ScheduleKind,
    total: u64,
    base_lr: f64,
    warmup: u64,
    milestones: Vec<u64>,
    gamma: f64,
}

impl Schedule {
    pub fn new(config: &TrainingConfig) -> Self {
        let total = config.iteration_total as f64;
        Schedule {
            kind: config.schedule,
            total: config.iteration_total,
            base_lr: config.base_lr,
            warmup: (config.warmup_fraction * total).round() as u64,
            milestones: config.lr_milestones.iter().map(|m| (m * total).round() as u64).collect(),
            gamma: config.lr_gamma,
        }
    }

    /// Learning rate for iteration `it` (0-based).
    pub fn lr(&self, it: u64) -> f64 {
        let decay = match self.kind {
            ScheduleKind::Multistep => self.gamma.powi(self.milestones.iter().filter(|&&m| it >= m).count() as i32),
            ScheduleKind::Cosine => {
                let span = self.total.saturating_sub(self.warmup).max(1) as f64;
                let progress = (it.saturating_sub(self.warmup) as f64 / span).min(1.0);
                0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        };
        let warm = if it < self.warmup {
            WARMUP_START + (1.0 - WARMUP_START) * it as f64 / self.warmup as f64
        } else {
            1.0
        };
        self.base_lr * warm * decay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_config;

    fn schedule(total: u64) -> Schedule {
        let mut config = load_config("Semantic2D").unwrap();
        config.schedule = ScheduleKind::Multistep;
        config.iteration_total = total;
        config.base_lr = 0.1;
        config.warmup_fraction = 0.1;
        config.lr_milestones = vec![0.5, 0.8];
        config.lr_gamma = 0.1;
        Schedule::new(&config)
    }

    #[test]
    fn warm_up_then_two_drops_placed_relative_to_the_total() {
        let s = schedule(1000);
        assert!((s.lr(0) - 0.0001).abs() < 1e-12);
        assert!((s.lr(50) - 0.1 * (0.001 + 0.999 * 0.5)).abs() < 1e-12);
        assert_eq!(s.lr(100), 0.1);
        assert_eq!(s.lr(499), 0.1);
        assert!((s.lr(500) - 0.01).abs() < 1e-12);
        assert!((s.lr(800) - 0.001).abs() < 1e-12);
        // Ten times longer: the same shape, ten times later.
        let long = schedule(10_000);
        assert!((long.lr(5000) - 0.01).abs() < 1e-12 && long.lr(4999) == 0.1);
    }

    #[test]
    fn cosine_falls_from_the_base_rate_to_zero_after_warm_up() {
        let mut config = load_config("Semantic3D").unwrap();
        config.schedule = ScheduleKind::Cosine;
        config.iteration_total = 1100;
        config.warmup_fraction = 100.0 / 1100.0;
        config.base_lr = 0.002;
        let s = Schedule::new(&config);
        assert!(s.lr(50) < 0.002 && s.lr(50) > 0.0009);
        assert!((s.lr(100) - 0.002).abs() < 1e-12);
        assert!((s.lr(600) - 0.001).abs() < 1e-9, "half-way: half the rate");
        assert!(s.lr(1099) < 1e-7);
    }
}
