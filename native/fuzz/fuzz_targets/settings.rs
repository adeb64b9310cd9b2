//! Any text as the settings JSON that Fiji, macros and the CLI send: train (resolved), resume,
//! tune and auto-label. Messages are fine; a panic is a finding.
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
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(settings) = segtrain::settings::TrainSettings::from_json(text) {
        let _ = settings.resolve();
    }
    if let Ok(settings) = segtrain::settings::ResumeSettings::from_json(text) {
        let mut config = segtrain::settings::load_config("Semantic2D").unwrap();
        let _ = settings.apply_run_settings(&mut config);
    }
    let _ = segtrain::train::TuneSettings::from_json(text);
    if let Ok(settings) = segtrain::infer::PredictSettings::from_json(text) {
        let _ = settings.check();
    }
});
