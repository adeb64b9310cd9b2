//! Writing a volume as an ImageJ-compatible multi-page TIFF.
//!
//! The file is laid out by hand rather than with the tiff crate's encoder, because
//! ImageJ has a strict expectation: when the description says "images=N", ImageJ
//! ignores all page directories after the first and reads the N images back to
//! back from the first page's pixel offset. So pixels must be uncompressed and
//! contiguous, with no directory in between (the tiff crate puts each page's
//! directory after its pixels). Layout, little endian:
//!
//!   header | ImageJ description | X/YResolution rationals | all page directories | pixels, slice after slice
//!
//! Other readers use the per-page directories. Stacks whose last slice would start
//! beyond 4 GB (classic TIFF offsets are 32-bit) get only the first directory, as
//! ImageJ itself does for such stacks; ImageJ and this crate's reader still open them.
//!
//! The file is written to a hidden temporary file in the same folder and renamed
//! over the target when complete, so a crash or a full disk never leaves a
//! half-written TIFF under the real name (and a folder reader skips the hidden file).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::calibration;
use crate::error::VolumeError;
use crate::volume::Volume;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
    impl Sealed for f32 {}
}

/// Voxel types that can be written: u8, u16, u32 and f32 (ImageJ opens 32-bit
/// unsigned integers as 32-bit float images).
pub trait Sample: Copy + sealed::Sealed {
    /// TIFF BitsPerSample.
    const BITS_PER_SAMPLE: u16;
    /// TIFF SampleFormat: 1 = unsigned integer, 3 = IEEE float.
    const SAMPLE_FORMAT: u16;
    /// Appends the little-endian bytes of `values` to `out`.
    fn extend_le_bytes(values: &[Self], out: &mut Vec<u8>);
}

macro_rules! sample {
    ($t:ty, $format:expr) => {
        impl Sample for $t {
            const BITS_PER_SAMPLE: u16 = (std::mem::size_of::<$t>() * 8) as u16;
            const SAMPLE_FORMAT: u16 = $format;
            fn extend_le_bytes(values: &[Self], out: &mut Vec<u8>) {
                out.reserve(values.len() * std::mem::size_of::<$t>());
                for v in values {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
    };
}
sample!(u8, 1);
sample!(u16, 1);
sample!(u32, 1);
sample!(f32, 3);

/// Writes `volume` as a multi-page TIFF that ImageJ/Fiji opens as a stack, with
/// the calibration (`voxel_nm`, in nm) when there is one. Replaces `path` atomically.
pub fn write_stack<T: Sample>(path: &Path, volume: &Volume<T>) -> Result<(), VolumeError> {
    write_stack_with_limit(path, volume, u64::from(u32::MAX))
}

/// `max_offset` is the largest pixel offset a page directory may point to;
/// only tests lower it, to exercise the single-directory layout without 4 GB files.
fn write_stack_with_limit<T: Sample>(
    path: &Path,
    volume: &Volume<T>,
    max_offset: u64,
) -> Result<(), VolumeError> {
    let head = build_head::<T>(path, volume, max_offset)?;
    atomic_write(path, |w| {
        w.write_all(&head)?;
        let mut buf = Vec::new();
        for z in 0..volume.shape[0] {
            buf.clear();
            T::extend_le_bytes(volume.slice(z), &mut buf);
            w.write_all(&buf)?;
        }
        Ok(())
    })
}

// TIFF field types.
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

/// One 12-byte directory entry: tag, type, count, value (or offset to it).
/// A SHORT value sits in the first two bytes of the value field, which is what
/// writing it as a little-endian u32 gives.
type Entry = (u16, u16, u32, u32);

/// Everything before the pixels: header, description, rationals, directories, padding.
fn build_head<T: Sample>(
    path: &Path,
    volume: &Volume<T>,
    max_offset: u64,
) -> Result<Vec<u8>, VolumeError> {
    let [depth, height, width] = volume.shape;
    if depth == 0 || height == 0 || width == 0 {
        return Err(VolumeError::unsupported(
            path,
            format!("cannot save an empty volume ({depth}x{height}x{width} voxels)"),
        ));
    }
    if volume.data.len() != depth * height * width {
        return Err(VolumeError::InvalidVolume {
            message: format!(
                "volume data has {} values but its shape {depth}x{height}x{width} needs {}",
                volume.data.len(),
                depth * height * width
            ),
        });
    }
    let too_big = || {
        VolumeError::unsupported(path, "a single slice is larger than 4 GB, which TIFF cannot hold; save as a folder of smaller images")
    };
    let w32 = u32::try_from(width).map_err(|_| too_big())?;
    let h32 = u32::try_from(height).map_err(|_| too_big())?;
    let plane = (width as u64) * (height as u64) * u64::from(T::BITS_PER_SAMPLE / 8);
    let plane32 = u32::try_from(plane).map_err(|_| too_big())?;

    let rationals = match volume.voxel_nm {
        None => None,
        Some(v) => {
            let [x, y, z] = v;
            let bad = |axis: &str, value: f64| {
                VolumeError::unsupported(path, format!("cannot save the voxel size {axis}={value} nm; it must be a positive number below 2 m"))
            };
            let xr = calibration::resolution_rational(x).ok_or_else(|| bad("x", x))?;
            let yr = calibration::resolution_rational(y).ok_or_else(|| bad("y", y))?;
            if !(z.is_finite() && z > 0.0) {
                return Err(bad("z", z));
            }
            Some((xr, yr))
        }
    };

    let mut description = calibration::imagej_description(depth, volume.voxel_nm).into_bytes();
    description.push(0);
    let description_offset = 8u64;
    let mut offset = description_offset + description.len() as u64;
    offset += offset % 2; // TIFF values start on word boundaries
    let rational_offset = offset;
    if rationals.is_some() {
        offset += 16;
    }
    let ifds_offset = offset;

    let entries_per_page =
        |page: usize| 11 + usize::from(page == 0) + if rationals.is_some() { 3 } else { 0 };
    let ifd_size = |page: usize| 2 + 12 * entries_per_page(page) as u64 + 4;
    let layout = |n_ifds: usize| {
        let end = ifds_offset + (0..n_ifds).map(ifd_size).sum::<u64>();
        let data_start = end.div_ceil(16) * 16; // aligned pixels help memory-mapped readers
        (data_start, data_start + (depth as u64 - 1) * plane)
    };
    let (mut data_start, last_offset) = layout(depth);
    let mut n_ifds = depth;
    if last_offset > max_offset {
        n_ifds = 1;
        data_start = layout(1).0;
    }
    if data_start > max_offset {
        return Err(VolumeError::unsupported(
            path,
            "the stack has too many slices for a TIFF file",
        ));
    }

    let mut head = Vec::with_capacity(data_start as usize);
    head.extend_from_slice(b"II");
    head.extend_from_slice(&42u16.to_le_bytes());
    head.extend_from_slice(&(ifds_offset as u32).to_le_bytes());
    head.extend_from_slice(&description);
    head.resize(rational_offset as usize, 0);
    if let Some(((xn, xd), (yn, yd))) = rationals {
        for v in [xn, xd, yn, yd] {
            head.extend_from_slice(&v.to_le_bytes());
        }
    }

    let mut ifd_offset = ifds_offset;
    for page in 0..n_ifds {
        let mut entries: Vec<Entry> = vec![
            (254, LONG, 1, 0),                              // NewSubfileType: a full image
            (256, LONG, 1, w32),                            // ImageWidth
            (257, LONG, 1, h32),                            // ImageLength
            (258, SHORT, 1, u32::from(T::BITS_PER_SAMPLE)), // BitsPerSample
            (259, SHORT, 1, 1),                             // Compression: none
            (262, SHORT, 1, 1), // PhotometricInterpretation: BlackIsZero
            (273, LONG, 1, (data_start + page as u64 * plane) as u32), // StripOffsets
            (277, SHORT, 1, 1), // SamplesPerPixel
            (278, LONG, 1, h32), // RowsPerStrip: one strip per slice
            (279, LONG, 1, plane32), // StripByteCounts
            (339, SHORT, 1, u32::from(T::SAMPLE_FORMAT)), // SampleFormat
        ];
        if page == 0 {
            entries.push((
                270,
                ASCII,
                description.len() as u32,
                description_offset as u32,
            ));
        }
        if rationals.is_some() {
            entries.push((282, RATIONAL, 1, rational_offset as u32)); // XResolution, pixels per nm
            entries.push((283, RATIONAL, 1, rational_offset as u32 + 8)); // YResolution
            entries.push((296, SHORT, 1, 1)); // ResolutionUnit: none; the unit is in the description
        }
        entries.sort_by_key(|e| e.0); // TIFF requires ascending tags
        let next = if page + 1 < n_ifds {
            ifd_offset + ifd_size(page)
        } else {
            0
        };
        head.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, field_type, count, value) in entries {
            head.extend_from_slice(&tag.to_le_bytes());
            head.extend_from_slice(&field_type.to_le_bytes());
            head.extend_from_slice(&count.to_le_bytes());
            head.extend_from_slice(&value.to_le_bytes());
        }
        head.extend_from_slice(&(next as u32).to_le_bytes());
        ifd_offset += ifd_size(page);
    }
    head.resize(data_start as usize, 0);
    Ok(head)
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes through `write` into a hidden temporary file next to `path`, then renames it to `path`.
fn atomic_write(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), VolumeError> {
    let name = path
        .file_name()
        .ok_or_else(|| VolumeError::unsupported(path, "this is not a file name to save to"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let n = TEMP_COUNTER.fetch_add(1, Ordering::SeqCst);
    let temp = dir.join(format!(
        ".{}.{}-{n}.part",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        VolumeError::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{read_stack_f32, read_stack_labels};
    use crate::test_util::TempDir;
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::tags::Tag;

    const VOXEL: [f64; 3] = [4.6, 4.6, 50.0];

    fn assert_calibration(read: Option<[f64; 3]>, written: [f64; 3]) {
        let read = read.expect("calibration was written");
        for i in 0..3 {
            assert!(
                ((read[i] - written[i]) / written[i]).abs() < 1e-6,
                "{read:?} vs {written:?}"
            );
        }
    }

    fn volume<T>(shape: [usize; 3], f: impl Fn(usize) -> T) -> Volume<T> {
        let n = shape.iter().product();
        Volume::new((0..n).map(f).collect(), shape).unwrap()
    }

    /// Reads a file with the tiff crate: (pages, first page description, strip offsets).
    fn inspect(path: &Path) -> (usize, String, Vec<u64>) {
        let mut dec = Decoder::new(File::open(path).unwrap()).unwrap();
        let description = dec.get_tag_ascii_string(Tag::ImageDescription).unwrap();
        let mut offsets = vec![dec.get_tag_u64_vec(Tag::StripOffsets).unwrap()[0]];
        let mut pages = 1;
        while dec.more_images() {
            dec.next_image().unwrap();
            offsets.push(dec.get_tag_u64_vec(Tag::StripOffsets).unwrap()[0]);
            pages += 1;
        }
        (pages, description, offsets)
    }

    #[test]
    fn round_trip_u8() {
        let dir = TempDir::new("write-u8");
        let path = dir.join("stack.tif");
        let v = volume([3, 5, 7], |i| (i * 3 % 256) as u8).with_voxel_nm(Some(VOXEL));
        write_stack(&path, &v).unwrap();
        let back = read_stack_labels(&path).unwrap();
        assert_eq!(back.shape, v.shape);
        assert_eq!(
            back.data,
            v.data.iter().map(|&x| u32::from(x)).collect::<Vec<_>>()
        );
        assert_calibration(back.voxel_nm, VOXEL);
    }

    #[test]
    fn round_trip_u16() {
        let dir = TempDir::new("write-u16");
        let path = dir.join("stack.tif");
        let v = volume([4, 3, 2], |i| (i as u16) * 2800 + 1).with_voxel_nm(Some([8.0, 8.0, 8.0]));
        write_stack(&path, &v).unwrap();
        let back = read_stack_labels(&path).unwrap();
        assert_eq!(
            back.data,
            v.data.iter().map(|&x| u32::from(x)).collect::<Vec<_>>()
        );
        assert_calibration(back.voxel_nm, [8.0, 8.0, 8.0]);
    }

    #[test]
    fn round_trip_u32() {
        let dir = TempDir::new("write-u32");
        let path = dir.join("ids.tif");
        let v = volume([2, 2, 3], |i| u32::MAX - i as u32 * 1_000_003)
            .with_voxel_nm(Some([0.37, 0.5, 123.456789]));
        write_stack(&path, &v).unwrap();
        let back = read_stack_labels(&path).unwrap();
        assert_eq!(back.data, v.data);
        assert_calibration(back.voxel_nm, [0.37, 0.5, 123.456789]);
    }

    #[test]
    fn round_trip_f32() {
        let dir = TempDir::new("write-f32");
        let path = dir.join("probabilities.tif");
        let v = volume([2, 3, 3], |i| i as f32 * -0.37 + 1e-3)
            .with_voxel_nm(Some([1000.0, 1000.0, 2000.0]));
        write_stack(&path, &v).unwrap();
        let back = read_stack_f32(&path).unwrap();
        assert_eq!(back.data, v.data);
        assert_eq!(back.shape, v.shape);
        assert_calibration(back.voxel_nm, [1000.0, 1000.0, 2000.0]);
    }

    #[test]
    fn imagej_layout_description_and_contiguous_pixels() {
        let dir = TempDir::new("write-layout");
        let path = dir.join("stack.tif");
        let v = volume([3, 4, 5], |i| i as u16).with_voxel_nm(Some(VOXEL));
        write_stack(&path, &v).unwrap();
        let (pages, description, offsets) = inspect(&path);
        assert_eq!(pages, 3);
        assert_eq!(
            description,
            "ImageJ=1.53t\nimages=3\nslices=3\nunit=nm\nspacing=50\nloop=false\n"
        );
        // ImageJ reads slice i at first_offset + i * slice_bytes.
        let plane = 4 * 5 * 2;
        assert_eq!(
            offsets,
            vec![offsets[0], offsets[0] + plane, offsets[0] + 2 * plane]
        );
        // ...and the tiff crate sees the same pixels through the per-page directories.
        let mut dec = Decoder::new(File::open(&path).unwrap()).unwrap();
        dec.seek_to_image(2).unwrap();
        match dec.read_image().unwrap() {
            DecodingResult::U16(p) => assert_eq!(p, v.slice(2)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn uncalibrated_volumes_have_no_unit() {
        let dir = TempDir::new("write-uncal");
        let path = dir.join("plain.tif");
        write_stack(&path, &volume([1, 2, 2], |i| i as u8)).unwrap();
        let (pages, description, _) = inspect(&path);
        assert_eq!(pages, 1);
        assert_eq!(description, "ImageJ=1.53t\nloop=false\n");
        assert_eq!(read_stack_f32(&path).unwrap().voxel_nm, None);
    }

    #[test]
    fn large_stack_layout_with_a_single_directory() {
        let dir = TempDir::new("write-big");
        let path = dir.join("big.tif");
        let v = volume([4, 8, 8], |i| (i % 251) as u8).with_voxel_nm(Some([10.0, 10.0, 10.0]));
        // Pretend offsets above 300 bytes do not fit, as offsets above 4 GB would not.
        write_stack_with_limit(&path, &v, 300).unwrap();
        let (pages, description, _) = inspect(&path);
        assert_eq!(pages, 1);
        assert!(description.contains("images=4\n"));
        let back = read_stack_labels(&path).unwrap();
        assert_eq!(back.shape, [4, 8, 8]);
        assert_eq!(
            back.data,
            v.data.iter().map(|&x| u32::from(x)).collect::<Vec<_>>()
        );
        assert_calibration(back.voxel_nm, [10.0, 10.0, 10.0]);
    }

    #[test]
    fn writing_is_atomic_and_overwrites() {
        let dir = TempDir::new("write-atomic");
        let path = dir.join("out.tif");
        write_stack(&path, &volume([1, 2, 2], |_| 1u8)).unwrap();
        write_stack(&path, &volume([2, 2, 2], |_| 2u8)).unwrap();
        assert_eq!(read_stack_labels(&path).unwrap().shape, [2, 2, 2]);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.tif")]);

        // A missing folder fails cleanly and leaves nothing behind.
        let err = write_stack(
            &dir.join("no/such/folder/out.tif"),
            &volume([1, 1, 1], |_| 0u8),
        )
        .unwrap_err();
        assert!(matches!(err, VolumeError::Io { .. }), "{err}");
        assert!(err.to_string().contains("out.tif"));
    }

    #[test]
    fn invalid_volumes_are_refused() {
        let dir = TempDir::new("write-invalid");
        let path = dir.join("x.tif");
        let empty = Volume::<u8>::new(vec![], [0, 2, 2]).unwrap();
        assert!(matches!(
            write_stack(&path, &empty),
            Err(VolumeError::Unsupported { .. })
        ));
        let bad_voxel = volume([1, 1, 1], |_| 0u8).with_voxel_nm(Some([0.0, 1.0, 1.0]));
        let err = write_stack(&path, &bad_voxel).unwrap_err();
        assert!(err.to_string().contains("voxel size x=0"), "{err}");
        let mut inconsistent = volume([1, 2, 2], |_| 0u8);
        inconsistent.data.pop();
        assert!(matches!(
            write_stack(&path, &inconsistent),
            Err(VolumeError::InvalidVolume { .. })
        ));
        assert!(!path.exists());
    }
}
