//! Any bytes as a checkpoint: its JSON (where the run stood) and its weights file (safetensors,
//! read into libtorch tensors as resume and fine-tuning do).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: segtrain_fuzz::quiet_panics(), |data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = serde_json::from_str::<segtrain::train::CheckpointInfo>(text);
    }
    let path = std::env::temp_dir().join(format!("segtrain-fuzz-{}.safetensors", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let _ = segtrain::model::read_weights(&path);
});
