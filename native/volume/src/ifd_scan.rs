//! A small walk over a TIFF's chain of page directories (IFDs), done before the
//! tiff crate decodes the file, plus a reader that patches a few bytes on the fly.
//!
//! Why not leave it all to the tiff crate (0.10):
//! - it refuses palette (indexed-colour) images, yet label images are often saved
//!   that way (Fiji saves an 8-bit image with a colour LUT as a palette TIFF);
//! - it inverts WhiteIsZero images, whereas ImageJ keeps the stored values and
//!   inverts the LUT instead.
//!
//! We want the stored values (what ImageJ shows as pixel values), so this module
//! records where PhotometricInterpretation is 0 (WhiteIsZero) or 3 (palette) and
//! [`PatchedReader`] makes the decoder see 1 (BlackIsZero) there. It also reads the
//! first page's ImageDescription leniently: the tiff crate rejects non-ASCII text,
//! but ImageJ may write a Latin-1 'µ' in "unit=µm".

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::VolumeError;

const TAG_PHOTOMETRIC: u16 = 262;
const TAG_DESCRIPTION: u16 = 270;
const TYPE_SHORT: u16 = 3;
const PHOTOMETRIC_WHITE_IS_ZERO: u16 = 0;
const PHOTOMETRIC_PALETTE: u16 = 3;
const PHOTOMETRIC_BLACK_IS_ZERO: u16 = 1;

/// Guards against corrupt files: real IFDs hold a few dozen entries.
const MAX_ENTRIES: u64 = 100_000;
/// ImageDescription beyond this (huge OME-XML) is not read; it is not ImageJ's anyway.
const MAX_DESCRIPTION: u64 = 16 << 20;

/// What the walk found.
#[derive(Debug)]
pub(crate) struct Layout {
    /// Byte order of the file ("II" = little endian).
    pub little_endian: bool,
    /// Number of page directories in the main chain.
    pub pages: usize,
    /// (file offset, bytes) replacements, sorted by offset, for [`PatchedReader`].
    pub patches: Vec<(u64, [u8; 2])>,
    /// ImageDescription of the first page (UTF-8, else read as Latin-1).
    pub description: Option<String>,
}

struct Endian(bool);

impl Endian {
    fn u16(&self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        if self.0 {
            u16::from_le_bytes(a)
        } else {
            u16::from_be_bytes(a)
        }
    }
    fn u32(&self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.0 {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    }
    fn u64(&self, b: &[u8]) -> u64 {
        let a: [u8; 8] = b[..8].try_into().expect("8 bytes");
        if self.0 {
            u64::from_le_bytes(a)
        } else {
            u64::from_be_bytes(a)
        }
    }
    fn u16_bytes(&self, v: u16) -> [u8; 2] {
        if self.0 {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
}

/// Where the first page's description lives.
enum DescriptionAt {
    Inline(Vec<u8>),
    Offset(u64, u64),
}

/// Walks the page chain of a classic TIFF or BigTIFF.
pub(crate) fn scan<R: Read + Seek>(r: &mut R, path: &Path) -> Result<Layout, VolumeError> {
    let read_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            VolumeError::tiff(path, "the file ends too early; it is probably truncated (an incomplete copy or download?)")
        } else {
            VolumeError::io(path, e)
        }
    };
    let not_tiff = || VolumeError::tiff(path, "not a TIFF file");

    r.seek(SeekFrom::Start(0)).map_err(read_err)?;
    let mut header = [0u8; 16];
    let n = read_up_to(r, &mut header).map_err(read_err)?;
    if n < 8 {
        return Err(not_tiff());
    }
    let e = match &header[..2] {
        b"II" => Endian(true),
        b"MM" => Endian(false),
        _ => return Err(not_tiff()),
    };
    let big = match e.u16(&header[2..4]) {
        42 => false,
        43 if n == 16 => true,
        _ => return Err(not_tiff()),
    };
    let mut next = if big {
        e.u64(&header[8..16])
    } else {
        u64::from(e.u32(&header[4..8]))
    };

    let (count_size, entry_size, pointer_size) = if big { (8u64, 20u64, 8u64) } else { (2, 12, 4) };
    let mut layout = Layout {
        little_endian: e.0,
        pages: 0,
        patches: Vec::new(),
        description: None,
    };
    let mut description_at = None;
    let mut seen = HashSet::new();
    while next != 0 {
        if !seen.insert(next) {
            return Err(VolumeError::tiff(
                path,
                "the file is damaged: its list of pages loops back on itself",
            ));
        }
        r.seek(SeekFrom::Start(next)).map_err(read_err)?;
        let mut count_bytes = [0u8; 8];
        r.read_exact(&mut count_bytes[..count_size as usize])
            .map_err(read_err)?;
        let count = if big {
            e.u64(&count_bytes)
        } else {
            u64::from(e.u16(&count_bytes))
        };
        if count > MAX_ENTRIES {
            return Err(VolumeError::tiff(
                path,
                "the file is damaged: a page directory is implausibly large",
            ));
        }
        let mut ifd = vec![0u8; (count * entry_size + pointer_size) as usize];
        r.read_exact(&mut ifd).map_err(read_err)?;

        for i in 0..count {
            let at = (i * entry_size) as usize;
            let entry = &ifd[at..at + entry_size as usize];
            let tag = e.u16(&entry[0..2]);
            let field_type = e.u16(&entry[2..4]);
            let (value_count, value) = if big {
                (e.u64(&entry[4..12]), &entry[12..20])
            } else {
                (u64::from(e.u32(&entry[4..8])), &entry[8..12])
            };
            let value_pos = next + count_size + i * entry_size + (entry_size - value.len() as u64);
            if tag == TAG_PHOTOMETRIC && field_type == TYPE_SHORT && value_count == 1 {
                let v = e.u16(value);
                if v == PHOTOMETRIC_WHITE_IS_ZERO || v == PHOTOMETRIC_PALETTE {
                    layout
                        .patches
                        .push((value_pos, e.u16_bytes(PHOTOMETRIC_BLACK_IS_ZERO)));
                }
            }
            // ASCII (2), or BYTE/UNDEFINED (1, 7) as some writers use for text.
            if tag == TAG_DESCRIPTION && layout.pages == 0 && matches!(field_type, 1 | 2 | 7) {
                description_at = Some(if value_count <= value.len() as u64 {
                    DescriptionAt::Inline(value[..value_count as usize].to_vec())
                } else {
                    let offset = if big {
                        e.u64(value)
                    } else {
                        u64::from(e.u32(value))
                    };
                    DescriptionAt::Offset(offset, value_count)
                });
            }
        }
        layout.pages += 1;
        let p = &ifd[(count * entry_size) as usize..];
        next = if big { e.u64(p) } else { u64::from(e.u32(p)) };
    }
    layout.patches.sort_by_key(|&(offset, _)| offset);

    layout.description = match description_at {
        Some(DescriptionAt::Inline(bytes)) => Some(decode_text(bytes)),
        Some(DescriptionAt::Offset(offset, len)) if len <= MAX_DESCRIPTION => {
            let mut bytes = vec![0u8; len as usize];
            r.seek(SeekFrom::Start(offset)).map_err(read_err)?;
            // A description pointing past the end is not worth failing the read for.
            r.read_exact(&mut bytes).ok().map(|_| decode_text(bytes))
        }
        _ => None,
    };
    Ok(layout)
}

/// Reads until `buf` is full or the file ends; returns how many bytes were read.
fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Text up to the first NUL; UTF-8 if valid, else Latin-1 (each byte one char).
fn decode_text(mut bytes: Vec<u8>) -> String {
    if let Some(end) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(end);
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    }
}

/// A reader that substitutes the bytes listed in `patches` (sorted by offset).
pub(crate) struct PatchedReader<R> {
    inner: R,
    pos: u64,
    patches: Vec<(u64, [u8; 2])>,
}

impl<R: Seek> PatchedReader<R> {
    pub fn new(mut inner: R, patches: Vec<(u64, [u8; 2])>) -> io::Result<Self> {
        let pos = inner.stream_position()?;
        Ok(PatchedReader {
            inner,
            pos,
            patches,
        })
    }
}

impl<R: Read> Read for PatchedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let (start, end) = (self.pos, self.pos + n as u64);
        // First patch that may overlap [start, end): binary search keeps big stacks fast.
        let first = self
            .patches
            .partition_point(|&(offset, _)| offset + 2 <= start);
        for &(offset, bytes) in &self.patches[first..] {
            if offset >= end {
                break;
            }
            for (k, &b) in bytes.iter().enumerate() {
                let p = offset + k as u64;
                if p >= start && p < end {
                    buf[(p - start) as usize] = b;
                }
            }
        }
        self.pos = end;
        Ok(n)
    }
}

impl<R: Seek> Seek for PatchedReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn patched_reader_replaces_bytes_across_read_boundaries() {
        let data: Vec<u8> = (0..20).collect();
        let mut r =
            PatchedReader::new(Cursor::new(data), vec![(3, [100, 101]), (9, [102, 103])]).unwrap();
        let mut a = [0u8; 4]; // 0..4: patch at 3 only half inside
        r.read_exact(&mut a).unwrap();
        assert_eq!(a, [0, 1, 2, 100]);
        let mut b = [0u8; 6]; // 4..10: second half of first patch not here, first byte of second
        r.read_exact(&mut b).unwrap();
        assert_eq!(b, [101, 5, 6, 7, 8, 102]);
        r.seek(SeekFrom::Start(10)).unwrap();
        let mut c = [0u8; 2];
        r.read_exact(&mut c).unwrap();
        assert_eq!(c, [103, 11]);
    }

    #[test]
    fn rejects_non_tiff_and_short_files() {
        let p = Path::new("x.tif");
        for bytes in [
            &b""[..],
            b"II*",
            b"PK\x03\x04zipfile",
            b"II\x2b\x00\x08\x00\x00\x00",
        ] {
            let err = scan(&mut Cursor::new(bytes.to_vec()), p).unwrap_err();
            assert!(matches!(err, VolumeError::Tiff { .. }), "{err}");
        }
    }

    #[test]
    fn detects_loops_in_the_page_chain() {
        // One IFD with zero entries whose "next" points back to itself.
        let mut bytes = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(&8u32.to_le_bytes());
        let err = scan(&mut Cursor::new(bytes), Path::new("loop.tif")).unwrap_err();
        assert!(err.to_string().contains("loops back"), "{err}");
    }

    #[test]
    fn latin1_text_is_decoded() {
        assert_eq!(decode_text(b"unit=\xb5m\0junk".to_vec()), "unit=µm");
        assert_eq!(decode_text("unit=µm".as_bytes().to_vec()), "unit=µm");
    }
}
