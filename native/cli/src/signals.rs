//! SIGINT, SIGTERM and SIGHUP stop the CLI the way Esc stops Fiji: the running job is
//! cancelled (a training checkpoints the iteration it reached and says `cancelled`), and the
//! process exits with 128 + the signal's number (130 for Ctrl-C, 143 for `kill`, Slurm's
//! `scancel`). A second signal ends the process at once.
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" {
    // From the C library every Rust program links; glibc's signal() keeps the handler
    // installed and restarts interrupted system calls.
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    fn _exit(status: i32) -> !;
}

/// Runs inside the signal: only async-signal-safe work (an atomic store, _exit).
extern "C" fn on_signal(signum: i32) {
    if RECEIVED.swap(signum, Ordering::SeqCst) != 0 {
        unsafe { _exit(128 + signum) }
    }
}

/// Installs the handlers and a watcher that calls `cancel` once a signal arrived.
pub fn cancel_on_signal(cancel: impl Fn(&str) + Send + 'static) {
    for signum in [SIGHUP, SIGINT, SIGTERM] {
        // SAFETY: the handler only touches an atomic and calls _exit, both allowed in a handler.
        unsafe { signal(signum, on_signal) };
    }
    let _ = std::thread::Builder::new().name("segtrain-signals".into()).spawn(move || loop {
        if let Some(name) = received().map(signal_name) {
            cancel(name);
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    });
}

/// The signal that asked the process to stop, if one did.
pub fn received() -> Option<i32> {
    Some(RECEIVED.load(Ordering::SeqCst)).filter(|&s| s != 0)
}

pub fn signal_name(signum: i32) -> &'static str {
    match signum {
        SIGHUP => "SIGHUP",
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}
