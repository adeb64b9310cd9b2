//! Any bytes as a checkpoint: its JSON (where the run stood) and its weights file (safetensors,
//! read into libtorch tensors as resume and fine-tuning do).
#![no_main]
use libfuzzer_sys::fuzz_target;

// libfuzzer-sys's hook aborts on every panic, even one our code catches and turns into an error
// (the TIFF reader does, around the tiff crate): quiet instead. A panic that escapes still ends
// the run, through libfuzzer-sys's own catch (SEGTRAIN_FUZZ_VERBOSE=1 prints panics).
fuzz_target!(init: {
    if std::env::var_os("SEGTRAIN_FUZZ_VERBOSE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
}, |data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = serde_json::from_str::<segtrain::train::CheckpointInfo>(text);
    }
    let path = std::env::temp_dir().join(format!("segtrain-fuzz-{}.safetensors", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let _ = segtrain::model::read_weights(&path);
});
