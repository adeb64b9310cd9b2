//! Shared build script of the crates that link libtorch (core tests, the JNI library, the CLI).
//!
//! Without an rpath the dynamic loader cannot find `libtorch_cpu.so` at run time, and a JVM
//! ignores `-Djava.library.path` for a library's own dependencies. torch-sys (a direct
//! dependency of each crate using this script) exports the libtorch lib folder it linked
//! against as `DEP_TCH_LIBTORCH_LIB`; we bake that folder into every binary and shared object.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        // runtime.rs loads libtorch_cuda from this folder when a GPU is asked for.
        println!("cargo:rustc-env=SEGTRAIN_LIBTORCH_LIB={dir}");
    }
    let is_cdylib = std::env::var("CARGO_PKG_NAME").map(|n| n == "segtrain-jni").unwrap_or(false);
    if is_cdylib {
        // Refuse unresolved symbols at link time instead of at System.load (ABI mismatches).
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,defs");
    }
}
