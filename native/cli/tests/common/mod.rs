//! Helpers shared by the CLI's integration tests: the real binary, real TIFF files.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn segtrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_segtrain")).args(args).output().expect("the segtrain binary runs")
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segtrain-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn demo_data(dir: &Path, size: &str) {
    let out = segtrain(&["demo-data", "--out", dir.to_str().unwrap(), "--slices", "2", "--height", size, "--width", "64"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

