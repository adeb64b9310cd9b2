//! Where computation runs: CPU threads and CUDA devices.
//!
//! rustc links with `--as-needed`, which drops libtorch_cuda from our binaries because no
//! symbol of it is used directly; libtorch then reports no CUDA even on a GPU machine. We load
//! it ourselves, once, from the libtorch folder we were built against, before asking for CUDA.
use crate::error::{Error, Result};
use once_cell::sync::Lazy;
use tch::Device;

/// The libtorch lib folder torch-sys linked against (set by native/rpath_build.rs).
const LIBTORCH_LIB: Option<&str> = option_env!("SEGTRAIN_LIBTORCH_LIB");

/// Ok(()) when libtorch_cuda is loaded, else why it could not be.
static CUDA_LIBRARY: Lazy<std::result::Result<(), String>> = Lazy::new(|| {
    let dir = LIBTORCH_LIB.ok_or("this build does not know its libtorch folder")?;
    let path = std::path::Path::new(dir).join("libtorch_cuda.so");
    if !path.exists() {
        return Err(format!("{} is missing (CPU-only libtorch)", path.display()));
    }
    // SAFETY: loading libtorch_cuda runs its static initialisers, which register the CUDA
    // backend with the libtorch already loaded in this process; nothing else is called.
    match unsafe { libloading::Library::new(&path) } {
        Ok(lib) => {
            std::mem::forget(lib); // the CUDA backend must stay registered for the process' life
            Ok(())
        }
        Err(e) => Err(format!("libtorch_cuda could not be loaded ({e}); a CPU-only libtorch install lacks the CUDA libraries")),
    }
});

/// Number of usable CUDA devices, and why there are none when there are none.
pub fn cuda_devices() -> (usize, Option<String>) {
    if let Err(why) = &*CUDA_LIBRARY {
        return (0, Some(why.clone()));
    }
    let n = tch::Cuda::device_count().max(0) as usize;
    (n, (n == 0).then(|| "libtorch found no CUDA device".to_string()))
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

/// libtorch's intra-op threads. Process-wide in libtorch, so the last training started wins.
pub fn set_cpu_threads(cpus: u32) {
    tch::set_num_threads(cpus.max(1) as i32);
}

#[cfg(test)]
mod tests {
    use super::*;

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
