//! What the fuzz targets share.

/// libfuzzer-sys's hook aborts on every panic, even one our code catches and turns into an error
/// (the TIFF reader does, around the tiff crate): quiet instead. A panic that escapes still ends
/// the run, through libfuzzer-sys's own catch (SEGTRAIN_FUZZ_VERBOSE=1 prints every panic).
pub fn quiet_panics() {
    if std::env::var_os("SEGTRAIN_FUZZ_VERBOSE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
}
