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


/// A 128-byte file whose header declares a million by a million pixels (the hostile TIFF of the
/// reliability review): every command that reads it exits 1 with the reason, none aborts.
pub fn write_lying_tiff(path: &Path) {
    let mut bytes = b"II*\0".to_vec();
    bytes.extend(108u32.to_le_bytes());
    bytes.extend([0u8; 100]);
    let entries: [(u16, u16, u32); 8] =
        [(256, 4, 1_000_000), (257, 4, 1_000_000), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 8), (278, 4, 1_000_000), (279, 4, 100)];
    bytes.extend((entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        bytes.extend(tag.to_le_bytes());
        bytes.extend(kind.to_le_bytes());
        bytes.extend(1u32.to_le_bytes());
        bytes.extend(if kind == 3 { (value as u16 as u32).to_le_bytes() } else { value.to_le_bytes() });
    }
    bytes.extend(0u32.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}
