//! The `precision` setting: fp32, or bf16 mixed precision (bf16 convolutions and activations,
//! fp32 master weights, loss and optimiser), or auto: bf16 where the hardware computes bf16 fast,
//! fp32 elsewhere. On a CPU without bf16 instructions libtorch emulates bf16 and runs about ten
//! times slower than fp32 (measured, BENCHMARKS.md), so auto must not pick it there; on a CPU
//! with them auto measures, since bf16 instructions do not make bf16 faster everywhere.
use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};
use tch::Device;

/// bf16 rounds activations to 8 significant bits: auto takes it only when it is clearly faster.
pub const BF16_MIN_SPEEDUP: f64 = 1.1;

/// The measured bf16 speed-up of this CPU, once per process (a Fiji session runs many jobs).
static CPU_BF16_SPEEDUP: Lazy<Option<f64>> = Lazy::new(crate::model::cpu_bf16_speedup);
/// This CPU's feature flags (empty where /proc/cpuinfo cannot be read).
static CPU_FLAGS: Lazy<Vec<String>> = Lazy::new(|| std::fs::read_to_string("/proc/cpuinfo").map(|text| cpu_flags(&text)).unwrap_or_default());

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// bf16 where the device supports it, else fp32 (resolved when a job starts).
    #[default]
    Auto,
    Fp32,
    Bf16,
}

pub const PRECISION_CHOICES: [&str; 3] = ["auto", "fp32", "bf16"];

/// Resume's choice that keeps the precision the model was trained with.
pub const AS_BEFORE: &str = "as before";

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Auto => "auto",
            Precision::Fp32 => "fp32",
            Precision::Bf16 => "bf16",
        }
    }

    /// The setting as typed: auto, fp32 or bf16 (any case; float32, bfloat16 too).
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Precision::Auto),
            "fp32" | "float32" | "float" => Ok(Precision::Fp32),
            "bf16" | "bfloat16" => Ok(Precision::Bf16),
            _ => Err(format!("precision: must be auto, fp32 or bf16 (got '{text}')")),
        }
    }

    /// What runs on `device`: fp32 or bf16 (never auto), and why, for the Log.
    pub fn resolve(self, device: Device) -> (Precision, String) {
        match self {
            Precision::Auto => {
                let (bf16, why) = bf16_is_fast(device);
                (if bf16 { Precision::Bf16 } else { Precision::Fp32 }, format!("precision auto -> {}: {why}", if bf16 { "bf16" } else { "fp32" }))
            }
            other => (other, format!("precision {} as set", other.name())),
        }
    }

    pub fn is_bf16(self) -> bool {
        self == Precision::Bf16
    }
}

/// Whether `device` computes bf16 natively, and the fact that decided it.
pub fn bf16_is_fast(device: Device) -> (bool, String) {
    match device {
        Device::Cpu => {
            cpu_bf16_measured(&CPU_FLAGS, || *CPU_BF16_SPEEDUP)
        }
        Device::Cuda(index) => cuda_bf16(index, nvidia_compute_capability(index)),
        _ => (false, "bf16 is used on this device only when precision is bf16".to_string()),
    }
}

/// Whether 2D fp32 training on `device` runs channels-last: on CPUs with AVX-512, where a
/// training step of the Semantic2D network was 1.13-1.24x faster so (Intel Xeon, 5 interleaved
/// pairs), not on AVX2 CPUs, where it was 0.92x as fast (EPYC Zen 3; BENCHMARKS.md "Speed levers").
pub fn fp32_training_channels_last(device: Device) -> bool {
    device == Device::Cpu && cpu_has_avx512(&CPU_FLAGS)
}

pub fn cpu_has_avx512(flags: &[String]) -> bool {
    flags.iter().any(|f| f == "avx512f")
}

/// The compute capability of CUDA device `index` (e.g. 9.0), from nvidia-smi; None when unknown
/// (tch does not expose it).
fn nvidia_compute_capability(index: usize) -> Option<f64> {
    let out = std::process::Command::new("nvidia-smi").args(["--query-gpu=compute_cap", "--format=csv,noheader", &format!("--id={index}")]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// bf16 tensor cores came with compute capability 8.0 (Ampere).
pub fn cuda_bf16(index: usize, capability: Option<f64>) -> (bool, String) {
    match capability {
        Some(c) if c >= 8.0 => (true, format!("cuda:{index} has compute capability {c} (bf16 tensor cores)")),
        Some(c) => (false, format!("cuda:{index} has compute capability {c}, without bf16 tensor cores")),
        None => (false, format!("the compute capability of cuda:{index} is unknown (nvidia-smi did not say)")),
    }
}

/// The CPU feature flags of the first processor in /proc/cpuinfo (x86 `flags`, Arm `Features`).
pub fn cpu_flags(cpuinfo: &str) -> Vec<String> {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("flags") || line.starts_with("Features"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, flags)| flags.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// bf16 is fast on CPUs with bf16 dot products (x86 AVX512_BF16 or AMX-BF16, Arm BF16).
pub fn cpu_bf16(flags: &[String]) -> (bool, String) {
    match ["amx_bf16", "avx512_bf16", "bf16"].iter().find(|f| flags.iter().any(|g| g == *f)) {
        Some(flag) => (true, format!("this CPU has {flag}")),
        None => (false, "this CPU has no bf16 instructions (avx512_bf16, amx_bf16), where bf16 runs slower than fp32".to_string()),
    }
}

/// On a CPU with bf16 instructions, bf16 when `speedup` (measured only then) says it is at least
/// BF16_MIN_SPEEDUP times faster than fp32; fp32 otherwise.
pub fn cpu_bf16_measured(flags: &[String], speedup: impl FnOnce() -> Option<f64>) -> (bool, String) {
    let (has, why) = cpu_bf16(flags);
    if !has {
        return (false, why);
    }
    match speedup() {
        Some(x) if x >= BF16_MIN_SPEEDUP => (true, format!("{why}, and bf16 convolutions measured {x:.2}x as fast as fp32 here")),
        Some(x) => (false, format!("{why}, but bf16 convolutions measured {x:.2}x as fast as fp32 here (bf16 needs {BF16_MIN_SPEEDUP}x)")),
        None => (false, format!("{why}, but measuring bf16's speed failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_parses_in_any_spelling_and_refuses_others_by_name() {
        assert_eq!(Precision::parse("auto"), Ok(Precision::Auto));
        assert_eq!(Precision::parse(""), Ok(Precision::Auto));
        assert_eq!(Precision::parse(" BF16 "), Ok(Precision::Bf16));
        assert_eq!(Precision::parse("bfloat16"), Ok(Precision::Bf16));
        assert_eq!(Precision::parse("fp32"), Ok(Precision::Fp32));
        assert_eq!(Precision::parse("fp16"), Err("precision: must be auto, fp32 or bf16 (got 'fp16')".to_string()));
        assert_eq!(serde_json::to_value(Precision::Bf16).unwrap(), "bf16");
        assert_eq!(serde_json::from_value::<Precision>("fp32".into()).unwrap(), Precision::Fp32);
    }

    #[test]
    fn auto_takes_bf16_only_on_cpus_with_bf16_instructions() {
        let zen3 = "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma\n";
        let sapphire = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n";
        let graviton3 = "processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n";
        assert_eq!(cpu_bf16(&cpu_flags(zen3)).0, false);
        assert!(cpu_bf16(&cpu_flags(sapphire)).1.contains("amx_bf16"));
        assert_eq!(cpu_bf16(&cpu_flags(graviton3)), (true, "this CPU has bf16".to_string()));
        // With the instructions, the measured speed decides; without, nothing is measured.
        let flags = cpu_flags(sapphire);
        let (fast, why) = cpu_bf16_measured(&flags, || Some(1.9));
        assert!(fast, "{why}");
        assert!(why.contains("1.90x as fast"), "{why}");
        let (fast, why) = cpu_bf16_measured(&flags, || Some(0.72));
        assert!(!fast && why.contains("0.72x as fast") && why.contains("needs 1.1x"), "{why}");
        assert!(!cpu_bf16_measured(&flags, || Some(1.05)).0, "a 5 % gain is not worth bf16's rounding");
        assert!(!cpu_bf16_measured(&flags, || None).0);
        let (fast, _) = cpu_bf16_measured(&cpu_flags(zen3), || panic!("no bf16 instructions: nothing to measure"));
        assert!(!fast);
        assert!(cpu_has_avx512(&flags) && !cpu_has_avx512(&cpu_flags(zen3)));
        // Whatever this machine is, auto resolves to a concrete precision and says why.
        let (p, why) = Precision::Auto.resolve(Device::Cpu);
        assert!(p == Precision::Fp32 || p == Precision::Bf16);
        assert!(why.starts_with(&format!("precision auto -> {}", p.name())), "{why}");
        assert_eq!(Precision::Bf16.resolve(Device::Cpu).0, Precision::Bf16);
        assert_eq!(Precision::Fp32.resolve(Device::Cpu).0, Precision::Fp32);
        assert!(cuda_bf16(0, Some(9.0)).0);
        assert!(!cuda_bf16(0, Some(7.5)).0);
        assert!(!cuda_bf16(1, None).0);
    }
}
