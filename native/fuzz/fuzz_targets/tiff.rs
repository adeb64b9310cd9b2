//! Any bytes as a TIFF file, read as an image and as labels: an error is fine, a panic, an abort
//! or an allocation the file cannot justify is a finding.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: segtrain_fuzz::quiet_panics(), |data: &[u8]| {
    let path = std::env::temp_dir().join(format!("segtrain-fuzz-{}.tif", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let _ = segtrain_volume::read_stack_f32(&path);
    let _ = segtrain_volume::read_stack_labels(&path);
});
