//! Where computation runs: CPU threads and CUDA devices.
//!
//! rustc links with `--as-needed`, which drops libtorch_cuda from our binaries because no
//! symbol of it is used directly; libtorch then reports no CUDA even on a GPU machine. We load
//! it ourselves, once, from the folder libtorch_cpu.so was loaded from, before asking for CUDA.
use crate::error::{Error, Result};
use once_cell::sync::Lazy;
use std::path::PathBuf;
use tch::Device;

/// The folder of the libtorch_cpu.so this process runs with (the plugin may have loaded it from
/// any of several places), from the process' own memory map. None when it cannot be read.
pub fn libtorch_folder() -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| path.ends_with("/libtorch_cpu.so"))
        .and_then(|path| PathBuf::from(path).parent().map(PathBuf::from))
}

/// Present when an NVIDIA kernel driver is loaded.
const NVIDIA_DRIVER: &str = "/proc/driver/nvidia/version";

/// Ok(()) when libtorch_cuda is loaded, else why it could not be.
static CUDA_LIBRARY: Lazy<std::result::Result<(), String>> = Lazy::new(|| {
    let dir = libtorch_folder().ok_or("the folder of libtorch_cpu.so is unknown (no /proc/self/maps)")?;
    let path = dir.join("libtorch_cuda.so");
    if !path.exists() {
        return Err(format!(
            "{} is missing: this is the CPU libtorch (Plugins > SegTrain > Install libtorch... installs the CUDA one)",
            path.display()
        ));
    }
    // SAFETY: loading libtorch_cuda runs its static initialisers, which register the CUDA
    // backend with the libtorch already loaded in this process; nothing else is called.
    match unsafe { libloading::Library::new(&path) } {
        Ok(lib) => {
            std::mem::forget(lib); // the CUDA backend must stay registered for the process' life
            Ok(())
        }
        Err(e) => Err(format!("{} could not be loaded ({e}); the CUDA libraries beside it are incomplete", path.display())),
    }
});

/// Number of usable CUDA devices, and why there are none when there are none.
pub fn cuda_devices() -> (usize, Option<String>) {
    if let Err(why) = &*CUDA_LIBRARY {
        return (0, Some(why.clone()));
    }
    let n = tch::Cuda::device_count().max(0) as usize;
    (n, (n == 0).then(|| no_device_reason(std::path::Path::new(NVIDIA_DRIVER).exists())))
}

/// Why a CUDA libtorch that loaded sees no device: no driver (the usual case on a laptop or a
/// login node), or a driver whose GPUs libtorch cannot use (too old, hidden by CUDA_VISIBLE_DEVICES).
fn no_device_reason(driver_loaded: bool) -> String {
    if driver_loaded {
        "the NVIDIA driver is loaded but libtorch found no CUDA device it can use (a driver older than CUDA 13 needs, or CUDA_VISIBLE_DEVICES hides them)".to_string()
    } else {
        format!("no NVIDIA driver is loaded ({NVIDIA_DRIVER} is missing): the CUDA build runs on the CPU only")
    }
}

/// What this process runs with, for About and `segtrain version`: versions, the libtorch folder
/// and flavour, and the CUDA devices seen (or why none).
pub fn runtime_info() -> serde_json::Value {
    let folder = libtorch_folder();
    let (devices, why_none) = cuda_devices();
    // A CUDA build whose CUDA libraries cannot load runs as a CPU build: say what it can do.
    let flavour = if CUDA_LIBRARY.is_ok() { "cuda" } else { "cpu" };
    serde_json::json!({
        "segtrain": env!("CARGO_PKG_VERSION"),
        "libtorch": crate::torch_version(),
        "libtorch_folder": folder.map(|dir| dir.display().to_string()),
        "flavour": flavour,
        "cuda_devices": devices,
        "cuda_note": why_none,
    })
}

/// The devices for `gpus`: 0 = the CPU, N = CUDA devices 0..N (data parallel when N > 1).
/// More GPUs than exist is an error, never a silent fallback.
pub fn choose_devices(gpus: u32) -> Result<Vec<Device>> {
    if gpus == 0 {
        return Ok(vec![Device::Cpu]);
    }
    let (available, why) = cuda_devices();
    if (gpus as usize) > available {
        let reason = why.map(|w| format!(": {w}")).unwrap_or_default();
        return Err(Error::setting(format!(
            "gpus: {gpus} GPU(s) asked for but this machine has {available} usable CUDA device(s){reason}; use gpus=0 to train on the CPU"
        )));
    }
    Ok((0..gpus as usize).map(Device::Cuda).collect())
}

/// Human name of the devices for logs and model.json, e.g. "cpu (2 threads)" or
/// "cuda:0 (NVIDIA H200), cuda:1 (NVIDIA H200)".
pub fn device_name(devices: &[Device]) -> String {
    let name = |device: &Device| match device {
        Device::Cpu => format!("cpu ({} threads)", tch::get_num_threads()),
        Device::Cuda(i) => format!("cuda:{i}"),
        other => format!("{other:?}"),
    };
    devices.iter().map(name).collect::<Vec<_>>().join(", ")
}

/// The most `cpus` a setting may ask for: the cores this process may use (more threads than cores
/// only slow libtorch down, 165 times at 1000 threads on 2 cores), and at least 2, the configs'
/// default, so that the defaults run on a single-core machine too.
pub fn machine_cpus() -> u32 {
    std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1).max(2)
}

/// The problem with a `cpus` setting, if any, in the words every command uses.
pub fn cpus_problem(cpus: u32) -> Option<String> {
    let most = machine_cpus();
    (cpus == 0 || cpus > most).then(|| format!("cpus: must be a whole number from 1 to {most}, the cores of this machine (got {cpus})"))
}

/// libtorch's intra-op threads. Process-wide in libtorch, so the last training started wins.
/// Every command that computes starts here, so the allocator is tuned here too.
pub fn set_cpu_threads(cpus: u32) {
    tune_allocator();
    tch::set_num_threads(cpus.max(1) as i32);
}

// glibc's malloc parameters (malloc.h); declared here instead of adding the libc crate.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    fn mallopt(param: std::os::raw::c_int, value: std::os::raw::c_int) -> std::os::raw::c_int;
    fn malloc_trim(pad: usize) -> std::os::raw::c_int;
}
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const M_TRIM_THRESHOLD: std::os::raw::c_int = -1;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const M_MMAP_MAX: std::os::raw::c_int = -4;

/// Blocks below this come from malloc's heap (reused), not from a fresh mmap each time: glibc's
/// largest allowed value on 64-bit systems.
pub const MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory at the top of the heap is kept up to this (instead of glibc's 128 KiB).
pub const TRIM_THRESHOLD: i32 = i32::MAX;

/// Stops glibc's malloc from handing libtorch's large, short-lived tensors back to the kernel
/// after every use: by default blocks over 128 KiB-32 MiB are mmapped and unmapped each time and
/// the heap is trimmed eagerly, so every window and every iteration page-faults its memory in
/// again (10 million minor faults and a third of the CPU time in a 30 x 512 x 512 predict). The
/// same as `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=...:glibc.malloc.trim_threshold=...`, but
/// from inside the process, so it holds in Fiji's JVM and on the command line alike (plus no mmap
/// above the threshold, see below). Once per process; `release_memory` gives the kept memory
/// back when a job ends. SEGTRAIN_MALLOC_DEFAULT=1 (for measuring) leaves glibc's defaults.
pub fn tune_allocator() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("SEGTRAIN_MALLOC_DEFAULT").is_some() {
            return; // for measuring the difference only
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only changes glibc's allocation parameters; any thread may call it.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            // No mmap for blocks above the threshold either (glibc caps it at 32 MiB, and a
            // predict batch of 8 windows of 256 x 256 has 59 MB activations: 3.4 million faults
            // and 1.7x the time of batch 4 without this). glibc still maps what a heap cannot hold.
            mallopt(M_MMAP_MAX, 0);
        }
    });
}

/// Hands the memory malloc kept (see `tune_allocator`) back to the system: at the end of a
/// training or labelling, so that a long-lived process (Fiji) does not hold its peak.
pub fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the kernel.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_libtorch_folder_is_found_in_the_process() {
        let _loaded = tch::Tensor::zeros([1], (tch::Kind::Float, Device::Cpu)); // libtorch is in use
        let dir = libtorch_folder().expect("libtorch_cpu.so in /proc/self/maps");
        assert!(dir.join("libtorch_cpu.so").is_file(), "{}", dir.display());
    }

    #[test]
    fn a_cuda_build_without_a_driver_says_so() {
        let none = no_device_reason(false);
        assert!(none.starts_with("no NVIDIA driver is loaded (/proc/driver/nvidia/version is missing)"), "{none}");
        let unusable = no_device_reason(true);
        assert!(unusable.contains("driver is loaded but libtorch found no CUDA device"), "{unusable}");
    }

    #[test]
    fn more_cpus_than_cores_are_refused_by_name() {
        let most = machine_cpus();
        assert_eq!(cpus_problem(most), None);
        let err = cpus_problem(1000).unwrap();
        assert_eq!(err, format!("cpus: must be a whole number from 1 to {most}, the cores of this machine (got 1000)"));
        assert!(cpus_problem(0).is_some());
    }

    #[test]
    fn cpu_needs_no_gpu() {
        assert_eq!(choose_devices(0).unwrap(), vec![Device::Cpu]);
    }

    #[test]
    fn asking_for_more_gpus_than_exist_is_a_clear_error() {
        let (available, _) = cuda_devices();
        let err = choose_devices(available as u32 + 1).unwrap_err().to_string();
        assert!(err.contains(&format!("{} GPU(s) asked for", available + 1)), "{err}");
        assert!(err.contains("gpus=0"), "{err}");
    }
}
