//! Shared build script of the crates that link libtorch (core tests, the JNI library, the CLI).
//!
//! Binaries run from the build (the CLI, the tests) get an rpath to the libtorch torch-sys linked
//! against (`DEP_TCH_LIBTORCH_LIB`, torch-sys being a direct dependency of each crate using this
//! script): without it the loader cannot find `libtorch_cpu.so`.
//!
//! The JNI library gets none: it is shipped to other machines, where that folder does not exist.
//! The plugin loads libtorch's libraries by their full paths first (segtrain.bridge.LibtorchLocator),
//! and the loader then resolves the library's needs by soname.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    // scripts/package.sh builds the shipped CLI without one: bin/segtrain finds libtorch instead.
    println!("cargo:rerun-if-env-changed=SEGTRAIN_NO_RPATH");
    let no_rpath = std::env::var_os("SEGTRAIN_NO_RPATH").is_some();
    println!("cargo:rerun-if-changed=../libtorch.properties");
    let is_cdylib = std::env::var("CARGO_PKG_NAME").map(|n| n == "segtrain-jni").unwrap_or(false);
    if is_cdylib {
        // Refuse unresolved symbols at link time instead of at System.load (ABI mismatches).
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,defs");
    }
    if let (false, false, Ok(dir)) = (is_cdylib, no_rpath, std::env::var("DEP_TCH_LIBTORCH_LIB")) {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
