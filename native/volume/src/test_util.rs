//! Test helpers: unique temporary folders (no extra crates), fixture TIFFs written
//! with the tiff crate's encoder (an independent writer, so round trips do not only
//! test our writer against our reader), and the optional shared sample data.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tiff::encoder::{colortype, Compression, Predictor, TiffEncoder};
use tiff::tags::Tag;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh folder under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("segtrain-volume-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes 8-bit grayscale pages (width, height, pixels) with the tiff crate.
pub(crate) fn write_gray8(path: &Path, pages: &[(u32, u32, Vec<u8>)], compression: Compression) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file)
        .unwrap()
        .with_compression(compression);
    for (w, h, data) in pages {
        enc.write_image::<colortype::Gray8>(*w, *h, data).unwrap();
    }
}

/// Writes one 8-bit page whose PhotometricInterpretation is overwritten with
/// `photometric` (3 = palette, with a ColorMap; 0 = WhiteIsZero).
pub(crate) fn write_gray8_as(
    path: &Path,
    w: u32,
    h: u32,
    data: &[u8],
    photometric: u16,
    compression: Compression,
) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file)
        .unwrap()
        .with_compression(compression);
    let mut image = enc.new_image::<colortype::Gray8>(w, h).unwrap();
    image
        .encoder()
        .write_tag(Tag::PhotometricInterpretation, photometric)
        .unwrap();
    if photometric == 3 {
        // A "glasbey-like" colour map: red, green, blue tables of 256 16-bit values each.
        let cmap: Vec<u16> = (0..768u32).map(|i| ((i * 7919) % 65536) as u16).collect();
        image.encoder().write_tag(Tag::ColorMap, &cmap[..]).unwrap();
    }
    image.write_data(data).unwrap();
}

/// Writes 16-bit pages with LZW and the horizontal predictor, like many microscopes do.
pub(crate) fn write_gray16_lzw(path: &Path, pages: &[(u32, u32, Vec<u16>)]) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file)
        .unwrap()
        .with_compression(Compression::Lzw)
        .with_predictor(Predictor::Horizontal);
    for (w, h, data) in pages {
        let mut image = enc.new_image::<colortype::Gray16>(*w, *h).unwrap();
        // Several strips per page, to exercise strip handling.
        image.rows_per_strip(2).unwrap();
        image.write_data(data).unwrap();
    }
}

/// Writes one 32-bit float page.
pub(crate) fn write_gray32f(path: &Path, w: u32, h: u32, data: &[f32]) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file).unwrap();
    enc.write_image::<colortype::Gray32Float>(w, h, data)
        .unwrap();
}

/// Writes one RGB page.
pub(crate) fn write_rgb8(path: &Path, w: u32, h: u32) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file).unwrap();
    let data = vec![128u8; (w * h * 3) as usize];
    enc.write_image::<colortype::RGB8>(w, h, &data).unwrap();
}

/// Writes 8-bit pages with a given ImageDescription on the first page.
pub(crate) fn write_gray8_with_description(
    path: &Path,
    pages: &[(u32, u32, Vec<u8>)],
    description: &str,
) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file).unwrap();
    for (i, (w, h, data)) in pages.iter().enumerate() {
        let mut image = enc.new_image::<colortype::Gray8>(*w, *h).unwrap();
        if i == 0 {
            image
                .encoder()
                .write_tag(Tag::ImageDescription, description)
                .unwrap();
        }
        image.write_data(data).unwrap();
    }
}

/// Writes one uncompressed page with `bits` (1, 2 or 4) bits per pixel from
/// already packed rows (each row starts on a byte boundary).
pub(crate) fn write_packed_gray(path: &Path, w: u32, h: u32, bits: u16, packed: &[u8]) {
    let file = fs::File::create(path).unwrap();
    let mut enc = TiffEncoder::new(file).unwrap();
    let mut dir = enc.image_directory().unwrap();
    let offset = dir.write_data(packed).unwrap();
    dir.write_tag(Tag::ImageWidth, w).unwrap();
    dir.write_tag(Tag::ImageLength, h).unwrap();
    dir.write_tag(Tag::BitsPerSample, bits).unwrap();
    dir.write_tag(Tag::Compression, 1u16).unwrap();
    dir.write_tag(Tag::PhotometricInterpretation, 1u16).unwrap();
    dir.write_tag(Tag::StripOffsets, offset as u32).unwrap();
    dir.write_tag(Tag::SamplesPerPixel, 1u16).unwrap();
    dir.write_tag(Tag::RowsPerStrip, h).unwrap();
    dir.write_tag(Tag::StripByteCounts, packed.len() as u32)
        .unwrap();
    dir.finish().unwrap();
}

/// The shared sample data folder (/work/shared/data seen from the workspace), if present.
/// A hand-made little-endian TIFF of one 8-bit page that *says* it is `width` x `height` with
/// `compression` (1 none, 5 LZW) but holds only 100 bytes of pixel data: a hostile header.
pub(crate) fn write_lying_header(path: &Path, width: u32, height: u32, compression: u16) {
    let entries: [(u16, u16, u32); 8] = [
        (256, 4, width),      // ImageWidth, LONG
        (257, 4, height),     // ImageLength
        (258, 3, 8),          // BitsPerSample, SHORT
        (259, 3, compression as u32),
        (262, 3, 1),          // PhotometricInterpretation: BlackIsZero
        (273, 4, 8),          // StripOffsets: right after the header
        (278, 4, height),     // RowsPerStrip: one strip
        (279, 4, 100),        // StripByteCounts
    ];
    let mut bytes = b"II*\0".to_vec();
    let ifd_offset = 8 + 100u32;
    bytes.extend(ifd_offset.to_le_bytes());
    bytes.extend([0u8; 100]);
    bytes.extend((entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        bytes.extend(tag.to_le_bytes());
        bytes.extend(kind.to_le_bytes());
        bytes.extend(1u32.to_le_bytes());
        match kind {
            3 => bytes.extend((value as u16).to_le_bytes().into_iter().chain([0, 0])),
            _ => bytes.extend(value.to_le_bytes()),
        }
    }
    bytes.extend(0u32.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}

pub(crate) fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}
