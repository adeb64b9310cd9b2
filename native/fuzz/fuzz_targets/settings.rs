//! Any text as the settings JSON that Fiji, macros and the CLI send: train (resolved), resume,
//! tune and auto-label. Messages are fine; a panic is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: segtrain_fuzz::quiet_panics(), |data: &[u8]| {
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
