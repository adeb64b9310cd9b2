//! The one wrapper every native method runs through: Rust errors and panics become Java
//! exceptions of the right class, and nothing unwinds into the JVM.
use jni::{Env, EnvUnowned};
use segtrain::Error;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Why a native call failed.
pub enum BridgeError {
    Core(Error),
    /// A JNI call failed (a Java exception may already be pending).
    Jni(jni::errors::Error),
    /// 0, closed or unknown handle.
    Handle(String),
}

impl From<Error> for BridgeError {
    fn from(e: Error) -> Self {
        BridgeError::Core(e)
    }
}

impl From<jni::errors::Error> for BridgeError {
    fn from(e: jni::errors::Error) -> Self {
        BridgeError::Jni(e)
    }
}

pub type BridgeResult<T> = std::result::Result<T, BridgeError>;

/// Java exception class and message for an error.
fn exception_for(error: &BridgeError) -> (&'static str, String) {
    match error {
        BridgeError::Core(e @ (Error::InvalidSettings(_) | Error::InvalidInput(_))) => ("java/lang/IllegalArgumentException", e.to_string()),
        BridgeError::Core(e @ (Error::Io { .. } | Error::Volume(_))) => ("java/io/IOException", e.to_string()),
        BridgeError::Core(e @ Error::Cancelled) => ("java/util/concurrent/CancellationException", e.to_string()),
        BridgeError::Core(e) => ("segtrain/bridge/SegTrainException", e.to_string()),
        BridgeError::Handle(m) => ("java/lang/IllegalStateException", m.clone()),
        BridgeError::Jni(e) => ("segtrain/bridge/SegTrainException", format!("JNI error: {e}")),
    }
}

fn throw(env: &mut Env, class: &str, message: &str) {
    if env.exception_check() {
        return; // a Java exception is already on its way; do not mask it
    }
    let message = jni::strings::JNIString::new(message);
    if env.throw_new(jni::strings::JNIString::new(class), &message).is_err() && !env.exception_check() {
        let _ = env.throw_new(jni::jni_str!("java/lang/RuntimeException"), &message);
    }
}

/// A caught panic becomes a Java exception carrying its message; on stderr it leaves one line
/// (not the default hook's backtrace, which RUST_BACKTRACE=1 in a Fiji environment would print).
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            eprintln!("segtrain: internal error{place}: {}", segtrain::job::panic_message(info.payload()));
        }));
    });
}

/// Runs `body` for a native method; on error or panic throws and returns `T::default()`
/// (which Java never sees, since the exception is pending).
pub fn boundary<'local, T: Default>(env: &mut EnvUnowned<'local>, body: impl FnOnce(&mut Env<'local>) -> BridgeResult<T>) -> T {
    install_panic_hook();
    env.with_env(|env| -> jni::errors::Result<T> {
        match catch_unwind(AssertUnwindSafe(|| body(env))) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                let (class, message) = exception_for(&error);
                throw(env, class, &message);
                Ok(T::default())
            }
            Err(payload) => {
                let message = format!("internal error (Rust panic): {}", segtrain::job::panic_message(&*payload));
                throw(env, "segtrain/bridge/SegTrainException", &message);
                Ok(T::default())
            }
        }
    })
    .resolve::<jni::errors::ThrowRuntimeExAndDefault>()
}
