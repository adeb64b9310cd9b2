//! Writing auto-label results: label images in the smallest bit depth that holds their ids,
//! probability maps as 32-bit float stacks.
use segtrain_volume::{write_stack, Volume, VolumeError};
use std::path::{Path, PathBuf};

/// Writes labels as 8-bit (ids up to 255), 16-bit (up to 65535) or 32-bit, with calibration.
pub fn write_labels(path: &Path, labels: &Volume<u32>) -> Result<(), VolumeError> {
    let max = labels.data.iter().copied().max().unwrap_or(0);
    let narrow = |f: fn(u32) -> u8| Volume { data: labels.data.iter().map(|&v| f(v)).collect(), shape: labels.shape, voxel_nm: labels.voxel_nm };
    if max <= u8::MAX as u32 {
        write_stack(path, &narrow(|v| v as u8))
    } else if max <= u16::MAX as u32 {
        let v = Volume { data: labels.data.iter().map(|&v| v as u16).collect::<Vec<u16>>(), shape: labels.shape, voxel_nm: labels.voxel_nm };
        write_stack(path, &v)
    } else {
        write_stack(path, labels)
    }
}

/// One file per channel: P.tif for a single channel, else P_<channel name>.tif. Returns the paths.
pub fn write_probabilities(path: &Path, maps: &[Volume<f32>], names: &[String]) -> Result<Vec<PathBuf>, VolumeError> {
    let mut written = Vec::new();
    for (map, name) in maps.iter().zip(names) {
        let target = if maps.len() == 1 {
            path.to_path_buf()
        } else {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            path.with_file_name(format!("{stem}_{safe}.tif"))
        };
        write_stack(&target, map)?;
        written.push(target);
    }
    Ok(written)
}
