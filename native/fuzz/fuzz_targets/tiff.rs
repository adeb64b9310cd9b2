//! Any bytes as a TIFF file, read as an image and as labels: an error is fine, a panic, an abort
//! or an allocation the file cannot justify is a finding.
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
    let path = std::env::temp_dir().join(format!("segtrain-fuzz-{}.tif", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let _ = segtrain_volume::read_stack_f32(&path);
    let _ = segtrain_volume::read_stack_labels(&path);
});
