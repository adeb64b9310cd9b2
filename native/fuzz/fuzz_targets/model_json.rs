//! Any text as a model.json: parsed and checked as auto-label, resume and the models list do
//! (read_record), then, when it passes, the network it describes is checked for buildable sizes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use segtrain::store::{ModelDir, ModelRecord};

fuzz_target!(init: segtrain_fuzz::quiet_panics(), |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = std::env::temp_dir().join(format!("segtrain-fuzz-models-{}", std::process::id()));
    let model = dir.join("m");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(model.join("model.json"), text).unwrap();
    if let Ok(record) = ModelDir::open(&dir, "m").read_record() {
        let _: ModelRecord = record;
        let _ = segtrain::store::list_models(&dir);
    }
});
