//! Any text as a model.json: parsed and checked as auto-label, resume and the models list do
//! (read_record), then, when it passes, the network it describes is checked for buildable sizes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use segtrain::store::{ModelDir, ModelRecord};

// libfuzzer-sys's hook aborts on every panic, even one our code catches and turns into an error
// (the TIFF reader does, around the tiff crate): quiet instead. A panic that escapes still ends
// the run, through libfuzzer-sys's own catch (SEGTRAIN_FUZZ_VERBOSE=1 prints panics).
fuzz_target!(init: {
    if std::env::var_os("SEGTRAIN_FUZZ_VERBOSE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
}, |data: &[u8]| {
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
