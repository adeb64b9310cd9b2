//! A time budget instead of an iteration count: "train for 30 minutes" is how a microscopist
//! plans, and how recipes are compared fairly. When a run starts, a few real iterations and one
//! validation are timed (the trainer puts the weights back afterwards, so the run itself is
//! exactly reproducible); the iteration total that fills the budget and its checkpoint and
//! validation intervals follow, and are what model.json records (a rerun with that total
//! repeats the run; a resume goes on to it).
use super::Head;
use crate::model::UNetSpec;
use crate::settings::TrainingConfig;

/// Iterations the probe runs; the first ones are not timed (they allocate and pick kernels).
pub const PROBE_ITERATIONS: u64 = 6;
pub const UNTIMED_ITERATIONS: u64 = 2;
/// Share of the budget for what the probe does not time: checkpoints, the tuning at the end,
/// waiting for windows, the probe itself.
const OVERHEAD: f64 = 0.05;
/// Checkpoints (and validations) per budgeted run.
const INTERVALS: u64 = 10;

/// The iteration total that fills `budget_s` at `seconds` per iteration with INTERVALS
/// validations of `validation_s` each (less the overhead), a multiple of INTERVALS, and the
/// interval; at least INTERVALS iterations in all.
pub fn iterations_for(budget_s: f64, seconds: f64, validation_s: f64) -> (u64, u64) {
    let training_s = budget_s * (1.0 - OVERHEAD) - INTERVALS as f64 * validation_s;
    let fit = (training_s.max(0.0) / seconds.max(1e-6)).floor() as u64;
    let every = (fit / INTERVALS).max(1);
    (every * INTERVALS, every)
}

/// The network a config trains (2D or 3D, shaped by the voxel size in 3D).
pub fn network_spec(config: &TrainingConfig, head: &Head) -> UNetSpec {
    if config.dims == 2 {
        UNetSpec::two_d(&config.filters, 1, head.output_channels())
    } else {
        UNetSpec::three_d(&config.filters, config.voxel_nm, 1, head.output_channels())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_fills_the_budget_in_ten_intervals() {
        // 30 min at 0.5 s, no validation: 3600 iterations, less 5 % = 3420.
        assert_eq!(iterations_for(1800.0, 0.5, 0.0), (3420, 342));
        // Ten validations of 9 s take 90 s of it.
        assert_eq!(iterations_for(1800.0, 0.5, 9.0), (3240, 324));
        // Never fewer than ten iterations, one per interval.
        assert_eq!(iterations_for(1.0, 10.0, 5.0), (10, 1));
    }
}
