//! Reading image and label stacks: a multi-page TIFF, or a folder of TIFFs taken
//! in natural name order, each page one z slice.
//!
//! Pixel values are the stored values, as ImageJ reports them: palette (indexed
//! colour) images give their indices, WhiteIsZero images are not inverted.
//! Colour (RGB) images are refused rather than silently converted, because a
//! grey conversion of a colour label image would merge labels.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tiff::decoder::ifd::Value;
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::{ColorType, TiffError};

use crate::calibration::{self, ImageJDescription};
use crate::error::VolumeError;
use crate::folder;
use crate::ifd_scan::{self, Layout, PatchedReader};
use crate::memory;
use crate::volume::Volume;

/// Reads a stack as 32-bit floats (any supported bit depth; values unscaled).
/// `path` is a TIFF file (all pages one stack) or a folder of TIFF files.
pub fn read_stack_f32(path: &Path) -> Result<Volume<f32>, VolumeError> {
    read_stack(path, Purpose::Image, pixels_to_f32)
}

/// Reads a label stack (class indices or object ids). Values must be whole
/// numbers from 0 to u32::MAX; float files are accepted when they hold such values.
pub fn read_stack_labels(path: &Path) -> Result<Volume<u32>, VolumeError> {
    read_stack(path, Purpose::Labels, pixels_to_labels)
}

/// Only changes the wording of errors.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Image,
    Labels,
}

/// Where a page came from, for error messages.
struct PageCtx<'a> {
    file: &'a Path,
    /// 1-based page number inside `file`.
    page: usize,
    width: usize,
}

type Convert<T> = fn(DecodingResult, &PageCtx) -> Result<Vec<T>, VolumeError>;

/// Slices collected so far, checked for equal size.
struct Stack<T> {
    data: Vec<T>,
    /// [width, height] of the first page.
    size: Option<[usize; 2]>,
    first_file: Option<PathBuf>,
    depth: usize,
    from_folder: bool,
    /// Estimated total number of pages, to reserve memory once.
    expected_pages: usize,
    convert: Convert<T>,
}

impl<T> Stack<T> {
    fn push(
        &mut self,
        ctx: &PageCtx,
        height: usize,
        pixels: DecodingResult,
    ) -> Result<(), VolumeError> {
        let found = [ctx.width, height];
        match self.size {
            None => {
                self.size = Some(found);
                self.first_file = Some(ctx.file.to_path_buf());
                let total = ctx
                    .width
                    .saturating_mul(height)
                    .saturating_mul(self.expected_pages);
                // Only a hint: if it fails, `extend` below grows the vector as needed.
                let _ = self.data.try_reserve_exact(total);
            }
            Some(expected) if expected != found => {
                let first_file = self
                    .first_file
                    .as_deref()
                    .filter(|f| self.from_folder && *f != ctx.file);
                return Err(VolumeError::ShapeMismatch {
                    path: ctx.file.to_path_buf(),
                    page: ctx.page,
                    found,
                    expected,
                    first_file: first_file.map(Path::to_path_buf),
                });
            }
            Some(_) => {}
        }
        let values = (self.convert)(pixels, ctx)?;
        if values.len() != ctx.width * height {
            return Err(VolumeError::tiff(
                ctx.file,
                format!(
                    "page {} holds {} pixels instead of {}x{}; the file is damaged",
                    ctx.page,
                    values.len(),
                    ctx.width,
                    height
                ),
            ));
        }
        self.data.try_reserve(values.len()).map_err(|_| VolumeError::TooLarge {
            path: ctx.file.to_path_buf(),
            message: format!(
                "page {} does not fit in memory ({} values read so far); use a smaller stack or a machine with more memory",
                ctx.page,
                self.data.len()
            ),
        })?;
        self.data.extend(values);
        self.depth += 1;
        Ok(())
    }
}

fn read_stack<T>(
    path: &Path,
    purpose: Purpose,
    convert: Convert<T>,
) -> Result<Volume<T>, VolumeError> {
    let meta = fs::metadata(path).map_err(|e| VolumeError::io(path, e))?;
    let from_folder = meta.is_dir();
    let files = if from_folder {
        folder::list_tiffs(path)?
    } else {
        vec![path.to_path_buf()]
    };
    if files.is_empty() {
        return Err(VolumeError::Empty {
            path: path.to_path_buf(),
            folder: true,
        });
    }
    let mut stack = Stack {
        data: Vec::new(),
        size: None,
        first_file: None,
        depth: 0,
        from_folder,
        expected_pages: 0,
        convert,
    };
    let mut voxel_nm = None;
    for (i, file) in files.iter().enumerate() {
        let calibration = read_file(file, purpose, &mut stack, files.len())?;
        // A folder's calibration is that of its first file (ImageJ's image sequence does the same).
        if i == 0 {
            voxel_nm = calibration;
        }
    }
    let [width, height] = stack.size.ok_or_else(|| VolumeError::Empty {
        path: path.to_path_buf(),
        folder: from_folder,
    })?;
    Ok(Volume::new(stack.data, [stack.depth, height, width])?.with_voxel_nm(voxel_nm))
}

/// Appends all pages of one TIFF file to `stack`; returns the file's calibration.
fn read_file<T>(
    file: &Path,
    purpose: Purpose,
    stack: &mut Stack<T>,
    n_files: usize,
) -> Result<Option<[f64; 3]>, VolumeError> {
    let mut reader = BufReader::new(File::open(file).map_err(|e| VolumeError::io(file, e))?);
    let file_len = fs::metadata(file).map_err(|e| VolumeError::io(file, e))?.len();
    let layout = ifd_scan::scan(&mut reader, file)?;
    if layout.pages == 0 {
        return Err(VolumeError::Empty {
            path: file.to_path_buf(),
            folder: false,
        });
    }
    let imagej = layout
        .description
        .as_deref()
        .and_then(calibration::parse_imagej_description);
    let imagej_images = imagej.as_ref().and_then(|d| d.images).unwrap_or(1);
    if let Some(d) = &imagej {
        check_single_channel(file, d)?;
    }
    if stack.size.is_none() {
        stack.expected_pages = n_files.saturating_mul(layout.pages.max(imagej_images));
    }

    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| VolumeError::io(file, e))?;
    // The tiff crate panics on some malformed files (found by fuzzing, e.g. an empty
    // SampleFormat): a damaged file must be an error here, never a panic.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode_pages(reader, file, file_len, purpose, stack, &layout, imagej.as_ref())
    }));
    decoded.unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(VolumeError::tiff(file, format!("the file is damaged: the TIFF decoder failed ({why})")))
    })
}

/// Decodes every page of one file into `stack` (see [`read_file`]).
fn decode_pages<T, R: Read + Seek>(
    reader: R,
    file: &Path,
    file_len: u64,
    purpose: Purpose,
    stack: &mut Stack<T>,
    layout: &ifd_scan::Layout,
    imagej: Option<&ImageJDescription>,
) -> Result<Option<[f64; 3]>, VolumeError> {
    let imagej_images = imagej.and_then(|d| d.images).unwrap_or(1);
    let patched =
        PatchedReader::new(reader, layout.patches.clone()).map_err(|e| VolumeError::io(file, e))?;
    let mut dec = Decoder::new(patched)
        .map_err(|e| tiff_error(file, e))?
        .with_limits(decoder_limits());
    let voxel_nm = read_calibration(&mut dec, imagej);

    let mut page = 1;
    loop {
        read_page(&mut dec, file, file_len, page, purpose, stack)?;
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(|e| tiff_error(file, e))?;
        page += 1;
    }
    if page == 1 && imagej_images > 1 {
        read_imagej_contiguous(&mut dec, file, layout, imagej_images, stack)?;
    }
    Ok(voxel_nm)
}

/// Refuses ImageJ hyperstacks whose pages are not all z slices of one channel.
fn check_single_channel(file: &Path, d: &ImageJDescription) -> Result<(), VolumeError> {
    if let Some(c) = d.channels.filter(|&c| c > 1) {
        return Err(VolumeError::unsupported(
            file,
            format!(
                "this image has {c} channels, but one channel per file is needed; \
                 in Fiji use Image > Color > Split Channels and save the channel to use"
            ),
        ));
    }
    // Time points of a 2D image are read as slices; time points of 3D stacks cannot be.
    if let (Some(z), Some(t)) = (d.slices, d.frames) {
        if z > 1 && t > 1 {
            return Err(VolumeError::unsupported(
                file,
                format!(
                    "this is a time series of {t} stacks of {z} slices; save one time point \
                     (in Fiji: Image > Duplicate..., choosing a single frame)"
                ),
            ));
        }
    }
    Ok(())
}

fn read_calibration<R: Read + Seek>(
    dec: &mut Decoder<R>,
    imagej: Option<&ImageJDescription>,
) -> Option<[f64; 3]> {
    let x_res = rational_tag(dec, Tag::XResolution);
    let y_res = rational_tag(dec, Tag::YResolution);
    let unit = dec
        .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
        .ok()
        .flatten();
    calibration::voxel_nm(imagej, x_res, y_res, unit)
}

/// A resolution tag as a number; malformed tags count as absent (calibration is a hint).
fn rational_tag<R: Read + Seek>(dec: &mut Decoder<R>, tag: Tag) -> Option<f64> {
    match dec.find_tag(tag).ok()?? {
        Value::Rational(n, d) if d != 0 => Some(f64::from(n) / f64::from(d)),
        Value::RationalBig(n, d) if d != 0 => Some(n as f64 / d as f64),
        Value::Float(v) => Some(f64::from(v)),
        Value::Double(v) => Some(v),
        Value::Short(v) => Some(f64::from(v)),
        Value::Unsigned(v) => Some(f64::from(v)),
        _ => None,
    }
}

fn read_page<T, R: Read + Seek>(
    dec: &mut Decoder<R>,
    file: &Path,
    file_len: u64,
    page: usize,
    purpose: Purpose,
    stack: &mut Stack<T>,
) -> Result<(), VolumeError> {
    // Reduced-resolution copies (thumbnails, pyramid levels) are not slices.
    let subfile_type = dec
        .find_tag_unsigned::<u32>(Tag::NewSubfileType)
        .ok()
        .flatten()
        .unwrap_or(0);
    if page > 1 && subfile_type & 1 == 1 {
        return Ok(());
    }
    let (width, height) = dec.dimensions().map_err(|e| tiff_error(file, e))?;
    let bits = match dec.colortype().map_err(|e| tiff_error(file, e))? {
        ColorType::Gray(bits) | ColorType::Palette(bits) => bits,
        ColorType::RGB(_)
        | ColorType::RGBA(_)
        | ColorType::YCbCr(_)
        | ColorType::CMYK(_)
        | ColorType::CMYKA(_) => return Err(colour_error(file, page, purpose)),
        ColorType::GrayA(_) => return Err(channels_error(file, page, 2)),
        ColorType::Multiband { num_samples, .. } => {
            return Err(channels_error(file, page, num_samples.into()))
        }
        other => {
            return Err(VolumeError::unsupported(
                file,
                format!("page {page} has an unsupported pixel type ({other:?})"),
            ))
        }
    };
    check_page_size(dec, file, file_len, page, [width, height], bits, stack)?;
    let pixels = dec.read_image().map_err(|e| tiff_error(file, e))?;
    let (width, height) = (width as usize, height as usize);
    let pixels = if bits < 8 {
        unpack_bits(file, pixels, width, height, bits)?
    } else {
        pixels
    };
    stack.push(&PageCtx { file, page, width }, height, pixels)
}

/// The most bytes a compressed page can decode to per byte of file. LZW's longest code (4096
/// bytes from 9 bits) bounds it near 3641, Deflate's near 1032, PackBits' at 128.
const MAX_COMPRESSION_RATIO: u64 = 4096;

/// Refuses a page whose declared size the file cannot hold (a damaged or hostile header: a
/// 190-byte file declaring a million by a million pixels), or whose stack would not fit in
/// memory, before anything of that size is allocated.
fn check_page_size<T, R: Read + Seek>(
    dec: &mut Decoder<R>,
    file: &Path,
    file_len: u64,
    page: usize,
    [width, height]: [u32; 2],
    bits: u8,
    stack: &Stack<T>,
) -> Result<(), VolumeError> {
    let declared = u64::from(width) * u64::from(height) * u64::from(bits).div_ceil(8).max(1);
    let compression = dec.find_tag_unsigned::<u16>(Tag::Compression).ok().flatten().unwrap_or(1);
    let most = if compression == 1 { file_len } else { file_len.saturating_mul(MAX_COMPRESSION_RATIO) };
    if declared > most {
        return Err(VolumeError::tiff(
            file,
            format!(
                "page {page} says it is {width}x{height} pixels ({}), but the file ({}) cannot hold that; \
                 it is damaged or not the image it claims to be",
                memory::human(declared.into()),
                memory::human(file_len.into())
            ),
        ));
    }
    if stack.size.is_none() {
        let pages = stack.expected_pages.max(1) as u128;
        let bytes = u128::from(width) * u128::from(height) * pages * std::mem::size_of::<T>() as u128
            + u128::from(declared);
        let what = format!("reading this stack ({width}x{height} pixels x {pages} pages)");
        memory::check_fits(bytes, &what).map_err(|message| VolumeError::TooLarge { path: file.to_path_buf(), message })?;
    }
    Ok(())
}

/// The decoder may allocate what the machine has (sizes are checked before, see
/// `check_page_size`); descriptions and strip tables up to 64 MB.
fn decoder_limits() -> Limits {
    let mut limits = Limits::unlimited();
    if let Some(available) = memory::available_bytes() {
        limits.decoding_buffer_size = usize::try_from(available).unwrap_or(usize::MAX);
        limits.intermediate_buffer_size = limits.decoding_buffer_size;
    }
    limits.ifd_value_size = 64 << 20;
    limits
}

fn colour_error(file: &Path, page: usize, purpose: Purpose) -> VolumeError {
    let save = match purpose {
        Purpose::Image => " and save again",
        Purpose::Labels => "; save them as an 8-bit or 16-bit grayscale or indexed-colour image",
    };
    VolumeError::unsupported(file, format!("page {page} is an RGB colour image; {}{save}", colour_advice(purpose)))
}

/// What to do with a colour image, a file's page or an open ImageJ image.
pub fn colour_advice(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Image => "convert to 8-bit grayscale first (in Fiji: Image > Type > 8-bit)",
        Purpose::Labels => "labels must hold one number per pixel (0 = background, 1, 2, ... = classes or objects)",
    }
}

fn channels_error(file: &Path, page: usize, channels: usize) -> VolumeError {
    VolumeError::unsupported(
        file,
        format!(
            "page {page} has {channels} values per pixel (channels or transparency); \
             keep a single grayscale channel (in Fiji: Image > Color > Split Channels, or Image > Type > 8-bit)"
        ),
    )
}

/// Maps tiff crate errors to messages for people, keeping the detail in brackets.
fn tiff_error(file: &Path, e: TiffError) -> VolumeError {
    match e {
        TiffError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => VolumeError::tiff(
            file,
            "the file ends too early; it is probably truncated (an incomplete copy or download?)",
        ),
        TiffError::IoError(e) => VolumeError::io(file, e),
        TiffError::UnsupportedError(u) => VolumeError::unsupported(
            file,
            format!(
                "this TIFF uses a feature that cannot be read here ({u}); \
                 open it in Fiji and save it again with File > Save As > Tiff..."
            ),
        ),
        TiffError::FormatError(f) => VolumeError::tiff(
            file,
            format!("not a readable TIFF file, or the file is damaged ({f})"),
        ),
        other => VolumeError::tiff(file, format!("could not decode the image ({other})")),
    }
}

/// 1, 2 and 4-bit pixels come packed in bytes, each row starting on a byte
/// boundary, most significant bits first; spread them to one byte per pixel.
fn unpack_bits(
    file: &Path,
    pixels: DecodingResult,
    width: usize,
    height: usize,
    bits: u8,
) -> Result<DecodingResult, VolumeError> {
    let DecodingResult::U8(packed) = pixels else {
        return Err(VolumeError::unsupported(
            file,
            format!("{bits}-bit signed pixels are not supported"),
        ));
    };
    let bits = usize::from(bits);
    let row_bytes = (width * bits).div_ceil(8);
    if packed.len() < row_bytes * height {
        return Err(VolumeError::tiff(
            file,
            "the image holds fewer pixels than its size says; the file is damaged",
        ));
    }
    let mask = ((1u16 << bits) - 1) as u8;
    let mut out = Vec::with_capacity(width * height);
    for row in packed.chunks(row_bytes).take(height) {
        for x in 0..width {
            let bit = x * bits;
            let shift = 8 - bits - bit % 8;
            out.push((row[bit / 8] >> shift) & mask);
        }
    }
    Ok(DecodingResult::U8(out))
}

/// ImageJ saves stacks over 4 GB with a single page directory and "images=N" in
/// the description; the N images follow each other uncompressed from the first
/// page's pixel data. (ImageJ reads every file with images=N that way.)
fn read_imagej_contiguous<T, R: Read + Seek>(
    dec: &mut Decoder<R>,
    file: &Path,
    layout: &Layout,
    images: usize,
    stack: &mut Stack<T>,
) -> Result<(), VolumeError> {
    let first_u64 =
        |v: Result<Option<Vec<u64>>, TiffError>| v.ok().flatten().and_then(|v| v.first().copied());
    let compression = first_u64(dec.find_tag_unsigned_vec::<u64>(Tag::Compression)).unwrap_or(1);
    let bits = first_u64(dec.find_tag_unsigned_vec::<u64>(Tag::BitsPerSample)).unwrap_or(1);
    let format = first_u64(dec.find_tag_unsigned_vec::<u64>(Tag::SampleFormat)).unwrap_or(1);
    let offset = first_u64(dec.find_tag_unsigned_vec::<u64>(Tag::StripOffsets));
    let (width, height) = dec.dimensions().map_err(|e| tiff_error(file, e))?;
    let (width, height) = (width as usize, height as usize);
    let layout_error = |what: &str| {
        VolumeError::unsupported(
            file,
            format!(
                "the file says it holds {images} images but has only one page directory ({what}); \
                 open it in Fiji and save it again, or save it as an image sequence"
            ),
        )
    };
    if compression != 1 {
        return Err(layout_error("and it is compressed"));
    }
    if !matches!(bits, 8 | 16 | 32 | 64) {
        return Err(layout_error("with an unusual bit depth"));
    }
    let offset = offset.ok_or_else(|| layout_error("without pixel data"))?;
    let plane = width * height * (bits as usize / 8);
    let file_len = fs::metadata(file)
        .map_err(|e| VolumeError::io(file, e))?
        .len();
    if offset + (images as u64) * (plane as u64) > file_len {
        return Err(VolumeError::tiff(
            file,
            format!("the file says it holds {images} images but is too short for them; it is probably truncated"),
        ));
    }
    let mut f = BufReader::new(File::open(file).map_err(|e| VolumeError::io(file, e))?);
    f.seek(SeekFrom::Start(offset + plane as u64))
        .map_err(|e| VolumeError::io(file, e))?;
    let mut buf = vec![0u8; plane];
    for page in 2..=images {
        f.read_exact(&mut buf)
            .map_err(|e| VolumeError::io(file, e))?;
        let pixels = raw_pixels(&buf, bits, format, layout.little_endian)
            .ok_or_else(|| layout_error("with an unusual sample format"))?;
        stack.push(&PageCtx { file, page, width }, height, pixels)?;
    }
    Ok(())
}

/// Uncompressed bytes to typed pixels. `format` is TIFF SampleFormat (1 uint, 2 int, 3 float).
fn raw_pixels(bytes: &[u8], bits: u64, format: u64, little_endian: bool) -> Option<DecodingResult> {
    macro_rules! typed {
        ($t:ty, $variant:ident) => {{
            const N: usize = std::mem::size_of::<$t>();
            DecodingResult::$variant(
                bytes
                    .chunks_exact(N)
                    .map(|c| {
                        let a: [u8; N] = c.try_into().expect("chunk size");
                        if little_endian {
                            <$t>::from_le_bytes(a)
                        } else {
                            <$t>::from_be_bytes(a)
                        }
                    })
                    .collect(),
            )
        }};
    }
    Some(match (format, bits) {
        (1, 8) => DecodingResult::U8(bytes.to_vec()),
        (1, 16) => typed!(u16, U16),
        (1, 32) => typed!(u32, U32),
        (1, 64) => typed!(u64, U64),
        (2, 8) => typed!(i8, I8),
        (2, 16) => typed!(i16, I16),
        (2, 32) => typed!(i32, I32),
        (2, 64) => typed!(i64, I64),
        (3, 32) => typed!(f32, F32),
        (3, 64) => typed!(f64, F64),
        _ => return None,
    })
}

fn pixels_to_f32(pixels: DecodingResult, _ctx: &PageCtx) -> Result<Vec<f32>, VolumeError> {
    // Large integers lose precision as f32; images are intensities, that is fine.
    Ok(match pixels {
        DecodingResult::U8(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::U32(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::F16(v) => v.into_iter().map(|x| x.to_f32()).collect(),
        DecodingResult::F32(v) => v,
        DecodingResult::F64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::I8(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::I16(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::I32(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f32).collect(),
    })
}

fn pixels_to_labels(pixels: DecodingResult, ctx: &PageCtx) -> Result<Vec<u32>, VolumeError> {
    Ok(match pixels {
        DecodingResult::U8(v) => v.into_iter().map(u32::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(u32::from).collect(),
        DecodingResult::U32(v) => v,
        DecodingResult::U64(v) => checked(v, ctx, |x| u32::try_from(x).ok(), |x| x as f64)?,
        DecodingResult::I8(v) => checked(v, ctx, |x| u32::try_from(x).ok(), f64::from)?,
        DecodingResult::I16(v) => checked(v, ctx, |x| u32::try_from(x).ok(), f64::from)?,
        DecodingResult::I32(v) => checked(v, ctx, |x| u32::try_from(x).ok(), f64::from)?,
        DecodingResult::I64(v) => checked(v, ctx, |x| u32::try_from(x).ok(), |x| x as f64)?,
        // Floats hold every whole number only up to 2^11 (half) and 2^24 (single precision):
        // above that, neighbouring ids have become one value, and objects would merge unseen.
        DecodingResult::F16(v) => checked(
            v,
            ctx,
            |x| whole(f64::from(x.to_f32())).filter(|&l| l <= 1 << 11),
            |x| f64::from(x.to_f32()),
        )?,
        DecodingResult::F32(v) => checked(v, ctx, label_from_f32, f64::from)?,
        DecodingResult::F64(v) => checked(v, ctx, whole, |x| x)?,
    })
}

/// The label a single-precision float stands for: a whole number from 0 to 2^24 (above that,
/// floats no longer hold every whole number). Shared with labels that arrive as floats from
/// ImageJ's 32-bit images.
pub fn label_from_f32(x: f32) -> Option<u32> {
    whole(f64::from(x)).filter(|&l| l <= 1 << 24)
}

/// `Some` for whole numbers in 0..=u32::MAX.
fn whole(x: f64) -> Option<u32> {
    (x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX)).then_some(x as u32)
}

/// Converts every value with `to_label`, reporting the first one that fails.
fn checked<S: Copy>(
    values: Vec<S>,
    ctx: &PageCtx,
    to_label: impl Fn(S) -> Option<u32>,
    as_f64: impl Fn(S) -> f64,
) -> Result<Vec<u32>, VolumeError> {
    let mut out = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        match to_label(v) {
            Some(label) => out.push(label),
            None => {
                let width = ctx.width.max(1);
                return Err(VolumeError::InvalidLabel {
                    path: ctx.file.to_path_buf(),
                    page: ctx.page,
                    x: i % width,
                    y: i / width,
                    value: as_f64(v),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_header_declaring_more_pixels_than_the_file_holds_is_refused_before_allocating() {
        let dir = TempDir::new("lying-header");
        for (width, height, compression) in [(1_000_000, 1_000_000, 1), (70_000, 70_000, 1), (70_000, 70_000, 5)] {
            let path = dir.join(&format!("lie-{width}-{compression}.tif"));
            write_lying_header(&path, width, height, compression);
            for err in [read_stack_f32(&path).unwrap_err(), read_stack_labels(&path).err().unwrap()] {
                let msg = err.to_string();
                assert!(msg.contains(&format!("page 1 says it is {width}x{height} pixels")), "{msg}");
                assert!(msg.contains("but the file (") && msg.contains("cannot hold that"), "{msg}");
            }
        }
    }

    use super::*;
    use crate::test_util::*;
    use tiff::encoder::{Compression, DeflateLevel};

    fn ramp(w: u32, h: u32, start: u8) -> Vec<u8> {
        (0..w * h).map(|i| (i as u8).wrapping_add(start)).collect()
    }

    #[test]
    fn multi_page_uncompressed_and_compressed() {
        let dir = TempDir::new("read-multipage");
        for (name, compression) in [
            ("none.tif", Compression::Uncompressed),
            ("lzw.tif", Compression::Lzw),
            ("deflate.tif", Compression::Deflate(DeflateLevel::Balanced)),
            ("packbits.tif", Compression::Packbits),
        ] {
            let path = dir.join(name);
            let pages: Vec<_> = (0..3).map(|z| (5, 4, ramp(5, 4, z * 50))).collect();
            write_gray8(&path, &pages, compression);
            let v = read_stack_labels(&path).unwrap();
            assert_eq!(v.shape, [3, 4, 5], "{name}");
            assert_eq!(v.voxel_nm, None, "{name}");
            for (z, (_, _, pixels)) in pages.iter().enumerate() {
                let expected: Vec<u32> = pixels.iter().map(|&x| u32::from(x)).collect();
                assert_eq!(v.slice(z), &expected[..], "{name} slice {z}");
            }
            let f = read_stack_f32(&path).unwrap();
            assert_eq!(f.data, v.data.iter().map(|&x| x as f32).collect::<Vec<_>>());
        }
    }

    #[test]
    fn lzw_16_bit_with_predictor_and_several_strips() {
        let dir = TempDir::new("read-lzw16");
        let path = dir.join("lzw16.tif");
        let pages: Vec<(u32, u32, Vec<u16>)> = (0..2u16)
            .map(|z| (7, 5, (0..35u16).map(|i| i * 1800 + z * 7).collect()))
            .collect();
        write_gray16_lzw(&path, &pages);
        let v = read_stack_labels(&path).unwrap();
        assert_eq!(v.shape, [2, 5, 7]);
        assert_eq!(v.slice(1)[34], 34 * 1800 + 7);
        assert_eq!(
            v.slice(0),
            &pages[0].2.iter().map(|&x| u32::from(x)).collect::<Vec<_>>()[..]
        );
    }

    #[test]
    fn palette_images_give_their_indices() {
        let dir = TempDir::new("read-palette");
        let path = dir.join("labels.tif");
        let data: Vec<u8> = (0..6 * 4).map(|i| (i * 11 % 256) as u8).collect();
        write_gray8_as(&path, 6, 4, &data, 3, Compression::Lzw);
        let v = read_stack_labels(&path).unwrap();
        assert_eq!(v.shape, [1, 4, 6]);
        assert_eq!(
            v.data,
            data.iter().map(|&x| u32::from(x)).collect::<Vec<_>>()
        );
        let f = read_stack_f32(&path).unwrap();
        assert_eq!(f.data[23], 253.0);
    }

    #[test]
    fn white_is_zero_keeps_stored_values() {
        let dir = TempDir::new("read-wiz");
        let path = dir.join("inverted.tif");
        let data = vec![0u8, 1, 2, 255];
        write_gray8_as(&path, 2, 2, &data, 0, Compression::Uncompressed);
        assert_eq!(read_stack_labels(&path).unwrap().data, vec![0, 1, 2, 255]);
    }

    #[test]
    fn one_bit_masks_are_unpacked() {
        let dir = TempDir::new("read-1bit");
        let path = dir.join("mask.tif");
        // 10 pixels wide: 2 bytes per row, the last 6 bits padding.
        let rows = [[0b1010_0000u8, 0b0100_0000], [0b1111_1111, 0b1100_0000]];
        let packed: Vec<u8> = rows.concat();
        write_packed_gray(&path, 10, 2, 1, &packed);
        let v = read_stack_labels(&path).unwrap();
        assert_eq!(v.shape, [1, 2, 10]);
        assert_eq!(v.slice(0)[..10], [1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(v.slice(0)[10..], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

        let path = dir.join("nibbles.tif");
        write_packed_gray(&path, 3, 1, 4, &[0x1F, 0x70]);
        assert_eq!(read_stack_labels(&path).unwrap().data, vec![1, 15, 7]);
    }

    #[test]
    fn folder_of_slices_in_natural_order() {
        let dir = TempDir::new("read-folder");
        let slices = dir.join("slices");
        fs::create_dir(&slices).unwrap();
        for n in [10u8, 2, 1] {
            let name = if n == 1 {
                "1.TIF".to_string()
            } else {
                format!("{n}.tif")
            };
            write_gray8(&slices.join(name), &[(3, 2, vec![n; 6])], Compression::Lzw);
        }
        // Things a real folder contains that are not slices.
        fs::write(slices.join("._1.tif"), b"\x00\x05\x16\x07 AppleDouble").unwrap();
        fs::write(slices.join("notes.txt"), b"acquired on Monday").unwrap();
        let v = read_stack_labels(&slices).unwrap();
        assert_eq!(v.shape, [3, 2, 3]);
        assert_eq!([v.slice(0)[0], v.slice(1)[0], v.slice(2)[0]], [1, 2, 10]);
    }

    #[test]
    fn folder_of_multi_page_files_is_concatenated() {
        let dir = TempDir::new("read-folder-multi");
        write_gray8(
            &dir.join("a.tif"),
            &[(2, 2, vec![1; 4]), (2, 2, vec![2; 4])],
            Compression::Uncompressed,
        );
        write_gray8(
            &dir.join("b.tif"),
            &[(2, 2, vec![3; 4])],
            Compression::Uncompressed,
        );
        let v = read_stack_labels(dir.path()).unwrap();
        assert_eq!(v.shape, [3, 2, 2]);
        assert_eq!(
            v.data.iter().step_by(4).copied().collect::<Vec<_>>(),
            [1, 2, 3]
        );
    }

    #[test]
    fn mismatched_page_sizes_are_reported() {
        let dir = TempDir::new("read-mismatch");
        let path = dir.join("labels.tif");
        write_gray8(
            &path,
            &[(4, 4, vec![0; 16]), (4, 4, vec![0; 16]), (3, 2, vec![0; 6])],
            Compression::Lzw,
        );
        let err = read_stack_labels(&path).unwrap_err();
        match &err {
            VolumeError::ShapeMismatch {
                page,
                found,
                expected,
                first_file,
                ..
            } => {
                assert_eq!((*page, *found, *expected), (3, [3, 2], [4, 4]));
                assert!(first_file.is_none());
            }
            other => panic!("unexpected {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("labels.tif: page 3 is 3x2 but page 1 is 4x4; all pages of a stack must have the same size"), "{msg}");
    }

    #[test]
    fn mismatched_files_in_a_folder_name_both_files() {
        let dir = TempDir::new("read-mismatch-folder");
        write_gray8(
            &dir.join("1.tif"),
            &[(4, 4, vec![0; 16])],
            Compression::Uncompressed,
        );
        write_gray8(
            &dir.join("2.tif"),
            &[(5, 4, vec![0; 20])],
            Compression::Uncompressed,
        );
        let err = read_stack_f32(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, VolumeError::ShapeMismatch { page: 1, .. }));
        assert!(
            msg.contains("2.tif is 5x4 but") && msg.contains("1.tif is 4x4"),
            "{msg}"
        );
    }

    #[test]
    fn rgb_is_rejected_with_advice() {
        let dir = TempDir::new("read-rgb");
        let path = dir.join("photo.tif");
        write_rgb8(&path, 4, 3);
        let err = read_stack_f32(&path).unwrap_err();
        assert!(matches!(err, VolumeError::Unsupported { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("photo.tif") && msg.contains("convert to 8-bit grayscale first"),
            "{msg}"
        );
        let msg = read_stack_labels(&path).unwrap_err().to_string();
        assert!(
            msg.contains("RGB") && msg.contains("one number per pixel"),
            "{msg}"
        );
    }

    #[test]
    fn float_labels_must_be_whole_non_negative_numbers() {
        let dir = TempDir::new("read-float-labels");
        let ok = dir.join("ok.tif");
        write_gray32f(&ok, 3, 2, &[0.0, 1.0, 2.0, 3.0, 70000.0, 0.0]);
        assert_eq!(
            read_stack_labels(&ok).unwrap().data,
            vec![0, 1, 2, 3, 70000, 0]
        );

        let bad = dir.join("probabilities.tif");
        write_gray32f(&bad, 3, 2, &[0.0, 1.0, 2.0, 3.0, 1.5, 0.0]);
        let err = read_stack_labels(&bad).unwrap_err();
        match &err {
            VolumeError::InvalidLabel {
                page, x, y, value, ..
            } => assert_eq!((*page, *x, *y, *value), (1, 1, 1, 1.5)),
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string()
                .contains("probabilities.tif: page 1 has the value 1.5 at x=1, y=1"),
            "{err}"
        );

        let negative = dir.join("negative.tif");
        write_gray32f(&negative, 2, 1, &[0.0, -1.0]);
        assert!(
            matches!(read_stack_labels(&negative), Err(VolumeError::InvalidLabel { value, .. }) if value == -1.0)
        );
        // The same files are fine as images.
        assert_eq!(read_stack_f32(&bad).unwrap().data[4], 1.5);

        // 16777217 cannot be a float32: stored, it becomes 16777216 or 16777218, and two objects
        // may have merged already. Up to 2^24 every id is exact.
        let big = dir.join("big-ids.tif");
        write_gray32f(&big, 2, 1, &[16_777_216.0, 16_777_218.0]);
        let err = read_stack_labels(&big).unwrap_err().to_string();
        assert!(err.contains("page 1 has the id 16777218 at x=1, y=0, stored as a floating-point number"), "{err}");
    }

    #[test]
    fn empty_missing_and_non_tiff_inputs() {
        let dir = TempDir::new("read-empty");
        let err = read_stack_f32(dir.path()).unwrap_err();
        assert!(
            matches!(err, VolumeError::Empty { folder: true, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("no TIFF images"));
        fs::write(dir.join("readme.txt"), b"no images here").unwrap();
        assert!(matches!(
            read_stack_f32(dir.path()),
            Err(VolumeError::Empty { .. })
        ));

        let missing = dir.join("missing.tif");
        let err = read_stack_f32(&missing).unwrap_err();
        assert!(matches!(err, VolumeError::Io { .. }));
        assert!(
            err.to_string()
                .contains("missing.tif: file or folder not found"),
            "{err}"
        );

        let png = dir.join("fake.tif");
        fs::write(&png, b"\x89PNG\r\n\x1a\n0000000000").unwrap();
        let err = read_stack_f32(&png).unwrap_err();
        assert!(
            err.to_string().contains("fake.tif: not a TIFF file"),
            "{err}"
        );

        // A TIFF header whose first page pointer is 0: no pages.
        let no_pages = dir.join("nopages.tif");
        fs::write(&no_pages, b"II\x2a\x00\x00\x00\x00\x00").unwrap();
        assert!(matches!(
            read_stack_f32(&no_pages),
            Err(VolumeError::Empty { folder: false, .. })
        ));

        // Truncated in the middle of the pixel data.
        let full = dir.join("full.tif");
        write_gray8(
            &full,
            &[(64, 64, vec![7; 64 * 64])],
            Compression::Uncompressed,
        );
        let bytes = fs::read(&full).unwrap();
        let cut = dir.join("cut.tif");
        // The encoder writes pixel data before the directory: keep the header, drop the rest.
        fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let err = read_stack_f32(&cut).unwrap_err();
        assert!(matches!(err, VolumeError::Tiff { .. }), "{err}");
    }

    #[test]
    fn imagej_calibration_with_latin1_micro_sign() {
        let dir = TempDir::new("read-latin1");
        let path = dir.join("calibrated.tif");
        // '#' is replaced by a raw Latin-1 0xB5 ('µ') below, as old ImageJ versions wrote it.
        write_gray8_with_description(
            &path,
            &[(2, 2, vec![0; 4]), (2, 2, vec![1; 4])],
            "ImageJ=1.53t\nimages=2\nslices=2\nunit=#m\nspacing=0.25\nloop=false\n",
        );
        let mut bytes = fs::read(&path).unwrap();
        let at = bytes.windows(7).position(|w| w == b"unit=#m").unwrap();
        bytes[at + 5] = 0xB5;
        fs::write(&path, &bytes).unwrap();
        // The tiff crate encoder writes XResolution = 1/1: 1 pixel per µm.
        let v = read_stack_labels(&path).unwrap();
        assert_eq!(v.shape, [2, 2, 2]);
        assert_eq!(v.voxel_nm, Some([1000.0, 1000.0, 250.0]));
    }

    #[test]
    fn multi_channel_imagej_files_are_refused() {
        let dir = TempDir::new("read-channels");
        let path = dir.join("two-channels.tif");
        write_gray8_with_description(
            &path,
            &[(2, 2, vec![0; 4]), (2, 2, vec![1; 4])],
            "ImageJ=1.53t\nimages=2\nchannels=2\nhyperstack=true\n",
        );
        let err = read_stack_f32(&path).unwrap_err();
        assert!(
            err.to_string().contains("2 channels") && err.to_string().contains("Split Channels"),
            "{err}"
        );
    }

    #[test]
    fn thumbnail_pages_are_skipped() {
        let dir = TempDir::new("read-thumb");
        let path = dir.join("with-thumbnail.tif");
        {
            use tiff::encoder::{colortype, TiffEncoder};
            let mut enc = TiffEncoder::new(fs::File::create(&path).unwrap()).unwrap();
            enc.write_image::<colortype::Gray8>(4, 4, &[9; 16]).unwrap();
            let mut thumb = enc.new_image::<colortype::Gray8>(2, 2).unwrap();
            thumb
                .encoder()
                .write_tag(Tag::NewSubfileType, 1u32)
                .unwrap();
            thumb.write_data(&[1; 4]).unwrap();
        }
        let v = read_stack_labels(&path).unwrap();
        assert_eq!(v.shape, [1, 4, 4]);
    }

    #[test]
    fn shared_chloroplast_labels_first_file() {
        let Some(data) = shared_data() else {
            eprintln!("skipping: shared sample data not present");
            return;
        };
        let file = data.join("chloroplast/labels/001.tif");
        if !file.is_file() {
            eprintln!("skipping: {} not present", file.display());
            return;
        }
        // A single file is read on its own; no need to copy or link it.
        let v = read_stack_labels(&file).unwrap();
        assert_eq!(v.shape, [1, 1600, 3293]);
        let max = v.data.iter().copied().max().unwrap();
        assert!(max > 50, "max label {max}");
        assert_eq!(v.voxel_nm, None);
    }

    #[test]
    fn shared_vnc_images_with_calibration() {
        let Some(data) = shared_data() else {
            eprintln!("skipping: shared sample data not present");
            return;
        };
        let file = data.join("vnc_sstem/images.tif");
        if !file.is_file() {
            eprintln!("skipping: {} not present", file.display());
            return;
        }
        let v = read_stack_f32(&file).unwrap();
        assert_eq!(v.shape, [14, 1024, 1024]);
        let [x, y, z] = v.voxel_nm.expect("calibrated");
        assert!(
            (x - 4.6).abs() < 1e-3 && (y - 4.6).abs() < 1e-3 && (z - 50.0).abs() < 1e-6,
            "{:?}",
            v.voxel_nm
        );
    }
}

/// Inputs the fuzzer (native/fuzz, scripts/fuzz.sh) found to break the reader; each must now be
/// refused with a message.
#[cfg(test)]
mod fuzz_findings {
    use super::*;

    fn read(bytes: &[u8], name: &str) -> Result<Volume<f32>, VolumeError> {
        let dir = crate::test_util::TempDir::new("fuzz-finding");
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        read_stack_f32(&path)
    }

    #[test]
    fn an_empty_sample_format_made_the_tiff_decoder_panic() {
        let err = read(include_bytes!("../../fuzz/findings/tiff-empty-sample-format.tif"), "f.tif").unwrap_err().to_string();
        assert!(err.contains("f.tif: the file is damaged: the TIFF decoder failed (index out of bounds"), "{err}");
    }
}
