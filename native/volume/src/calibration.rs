//! Voxel size from TIFF tags and the ImageJ ImageDescription, and back.
//!
//! ImageJ stores the pixel size as XResolution/YResolution (pixels per unit),
//! the unit and the slice spacing in a text description such as
//! "ImageJ=1.53t\nimages=14\nslices=14\nunit=nm\nspacing=50.0\nloop=false\n".
//! Training needs the voxel size in one unit (nm) to compare datasets and to
//! pick anisotropic patch shapes, so everything is converted to nm here.

/// The fields of an ImageJ description that this crate uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ImageJDescription {
    pub images: Option<usize>,
    pub channels: Option<usize>,
    pub slices: Option<usize>,
    pub frames: Option<usize>,
    pub unit: Option<String>,
    /// Only written by ImageJ when y/z units differ from `unit`.
    pub yunit: Option<String>,
    pub zunit: Option<String>,
    /// Slice spacing (z voxel size) in `zunit`, else `unit`.
    pub spacing: Option<f64>,
}

/// Parses an ImageDescription; `None` when it was not written by ImageJ
/// (other programs put free text or OME-XML there).
pub(crate) fn parse_imagej_description(text: &str) -> Option<ImageJDescription> {
    let text = text.trim_start();
    if !text.starts_with("ImageJ=") {
        return None;
    }
    let mut d = ImageJDescription::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "images" => d.images = parse_count(value),
            "channels" => d.channels = parse_count(value),
            "slices" => d.slices = parse_count(value),
            "frames" => d.frames = parse_count(value),
            "unit" => d.unit = Some(unescape_unit(value)),
            "yunit" => d.yunit = Some(unescape_unit(value)),
            "zunit" => d.zunit = Some(unescape_unit(value)),
            "spacing" => d.spacing = value.parse::<f64>().ok().filter(|s| s.is_finite()),
            _ => {}
        }
    }
    Some(d)
}

fn parse_count(value: &str) -> Option<usize> {
    // ImageJ itself parses counts as doubles ("images=14.0" is accepted there).
    value.parse::<usize>().ok().or_else(|| {
        value
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as usize)
    })
}

/// tifffile (Python) writes non-ASCII units escaped Java-style: "unit=\u00B5m".
fn unescape_unit(value: &str) -> String {
    value
        .replace("\\u00B5", "µ")
        .replace("\\u00b5", "µ")
        .replace("\\u03BC", "μ")
        .replace("\\u03bc", "μ")
}

/// Nanometres per `unit`; `None` for "pixel", empty, or a unit we do not know
/// (treated as "not calibrated" rather than an error: calibration is a hint).
pub fn unit_to_nm(unit: &str) -> Option<f64> {
    let u = unit.trim().to_lowercase();
    let nm = match u.as_str() {
        "nm" | "nanometer" | "nanometers" | "nanometre" | "nanometres" => 1.0,
        // U+00B5 micro sign, U+03BC Greek mu, ASCII "u", and ImageJ's own "micron".
        "µm" | "μm" | "um" | "micron" | "microns" | "micrometer" | "micrometers" | "micrometre"
        | "micrometres" => 1e3,
        "mm" | "millimeter" | "millimeters" | "millimetre" | "millimetres" => 1e6,
        "cm" | "centimeter" | "centimeters" | "centimetre" | "centimetres" => 1e7,
        "m" | "meter" | "meters" | "metre" | "metres" => 1e9,
        "pm" | "picometer" | "picometers" | "picometre" | "picometres" => 1e-3,
        // "Å" lower-cases to "å" (both U+00C5 and the Angstrom sign U+212B).
        "å" | "angstrom" | "angstroms" => 0.1,
        "inch" | "inches" | "in" => 2.54e7,
        _ => return None,
    };
    Some(nm)
}

/// TIFF ResolutionUnit values.
const RESUNIT_INCH: u16 = 2;
const RESUNIT_CM: u16 = 3;

/// Voxel size [x, y, z] in nm from the first page's tags.
///
/// `x_res`/`y_res` are XResolution/YResolution (pixels per unit). The unit comes
/// from the ImageJ description, else from ResolutionUnit (inch, cm). z is the
/// ImageJ `spacing`; without it z = x (a 2D image or an isotropic stack).
pub(crate) fn voxel_nm(
    imagej: Option<&ImageJDescription>,
    x_res: Option<f64>,
    y_res: Option<f64>,
    resolution_unit: Option<u16>,
) -> Option<[f64; 3]> {
    let valid = |r: Option<f64>| r.filter(|r| r.is_finite() && *r > 0.0);
    let (x_res, y_res) = (valid(x_res), valid(y_res));

    let imagej_unit = imagej.and_then(|d| d.unit.as_deref());
    let (unit_nm, from_imagej) = match imagej_unit {
        Some(u) => (unit_to_nm(u)?, true),
        None => {
            let nm = match resolution_unit {
                Some(RESUNIT_INCH) => 2.54e7,
                Some(RESUNIT_CM) => 1e7,
                _ => return None,
            };
            // 72 or 96 dpi are screen defaults written by many programs, not measurements.
            if resolution_unit == Some(RESUNIT_INCH)
                && matches!(x_res, Some(r) if r == 72.0 || r == 96.0)
            {
                return None;
            }
            (nm, false)
        }
    };

    let x = match x_res {
        Some(r) => unit_nm / r,
        // ImageJ's default pixel width is 1 unit when a unit is set without a resolution.
        None if from_imagej => unit_nm,
        None => return None,
    };
    let y_unit_nm = imagej
        .and_then(|d| d.yunit.as_deref())
        .and_then(unit_to_nm)
        .unwrap_or(unit_nm);
    let y = y_res.map_or(x, |r| y_unit_nm / r);
    let z_unit_nm = imagej
        .and_then(|d| d.zunit.as_deref())
        .and_then(unit_to_nm)
        .unwrap_or(unit_nm);
    // ImageJ allows a negative spacing (reversed z order); the size is its magnitude.
    let z = imagej
        .and_then(|d| d.spacing)
        .map(f64::abs)
        .filter(|s| *s > 0.0)
        .map_or(x, |s| s * z_unit_nm);
    Some([x, y, z])
}

/// The ImageDescription we write: ImageJ reads `images=` to know the page count
/// (and then expects the pages' pixels back to back), `unit`/`spacing` for calibration.
pub(crate) fn imagej_description(n_images: usize, voxel_nm: Option<[f64; 3]>) -> String {
    let mut s = String::from("ImageJ=1.53t\n");
    if n_images > 1 {
        s.push_str(&format!("images={n_images}\nslices={n_images}\n"));
    }
    if let Some([_, _, z]) = voxel_nm {
        // `{}` prints the shortest text that parses back to the same f64.
        s.push_str(&format!("unit=nm\nspacing={z}\n"));
    }
    s.push_str("loop=false\n");
    s
}

/// XResolution for a pixel size in nm, as a TIFF rational (numerator, denominator)
/// in pixels per nm. The numerator is a power of ten, so that `nm = d / n`
/// stays exact for sizes with up to 9 significant digits. Both stay below 2^31
/// because older ImageJ versions read rationals as signed 32-bit integers.
/// `None` for sizes that are not positive or too large (over ~2 m).
pub(crate) fn resolution_rational(nm: f64) -> Option<(u32, u32)> {
    if !(nm.is_finite() && nm > 0.0) {
        return None;
    }
    for k in (0..=9u32).rev() {
        let n = 10u64.pow(k);
        let d = (nm * n as f64).round();
        if d <= f64::from(i32::MAX) {
            return (d >= 1.0).then_some((n as u32, d as u32));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        ((a - b) / b).abs() < 1e-6
    }

    fn assert_voxel(v: Option<[f64; 3]>, expected: [f64; 3]) {
        let v = v.expect("expected a calibration");
        for i in 0..3 {
            assert!(close(v[i], expected[i]), "{v:?} vs {expected:?}");
        }
    }

    #[test]
    fn parses_an_imagej_stack_description() {
        let d = parse_imagej_description(
            "ImageJ=1.53t\nimages=14\nslices=14\nunit=nm\nspacing=50.0\nloop=false\n",
        )
        .unwrap();
        assert_eq!(d.images, Some(14));
        assert_eq!(d.slices, Some(14));
        assert_eq!(d.channels, None);
        assert_eq!(d.unit.as_deref(), Some("nm"));
        assert_eq!(d.spacing, Some(50.0));
        // 1 / XResolution = 4.6 nm
        assert_voxel(
            voxel_nm(Some(&d), Some(1.0 / 4.6), Some(1.0 / 4.6), Some(1)),
            [4.6, 4.6, 50.0],
        );
    }

    #[test]
    fn non_imagej_descriptions_are_ignored() {
        assert_eq!(parse_imagej_description("Created by some camera"), None);
        assert_eq!(
            parse_imagej_description("<?xml version=\"1.0\"?><OME/>"),
            None
        );
    }

    #[test]
    fn micron_spellings_all_mean_1000_nm() {
        for unit in [
            "micron",
            "µm",
            "μm",
            "um",
            "\\u00B5m",
            "Micron",
            "microns",
            "micrometer",
        ] {
            let text = format!("ImageJ=1.54f\nunit={unit}\nspacing=0.5\n");
            let d = parse_imagej_description(&text).unwrap();
            assert_voxel(
                voxel_nm(Some(&d), Some(10.0), Some(10.0), None),
                [100.0, 100.0, 500.0],
            );
        }
    }

    #[test]
    fn other_units() {
        assert_eq!(unit_to_nm("nm"), Some(1.0));
        assert_eq!(unit_to_nm("mm"), Some(1e6));
        assert_eq!(unit_to_nm("cm"), Some(1e7));
        assert_eq!(unit_to_nm("Å"), Some(0.1));
        assert_eq!(unit_to_nm("\u{212B}"), Some(0.1));
        assert_eq!(unit_to_nm("pixel"), None);
        assert_eq!(unit_to_nm("pixels"), None);
        assert_eq!(unit_to_nm(""), None);
        assert_eq!(unit_to_nm("furlong"), None);
    }

    #[test]
    fn pixel_or_missing_unit_means_uncalibrated() {
        let d =
            parse_imagej_description("ImageJ=1.53t\nimages=3\nunit=pixel\nspacing=2\n").unwrap();
        assert_eq!(voxel_nm(Some(&d), Some(1.0), Some(1.0), Some(1)), None);
        let d = parse_imagej_description("ImageJ=1.53t\nimages=3\n").unwrap();
        assert_eq!(voxel_nm(Some(&d), Some(1.0), Some(1.0), Some(1)), None);
        assert_eq!(voxel_nm(None, Some(1.0), Some(1.0), None), None);
        assert_eq!(voxel_nm(None, None, None, None), None);
    }

    #[test]
    fn spacing_absent_means_z_equals_x() {
        let d = parse_imagej_description("ImageJ=1.53t\nunit=nm\n").unwrap();
        assert_voxel(
            voxel_nm(Some(&d), Some(0.125), Some(0.25), None),
            [8.0, 4.0, 8.0],
        );
        // Negative spacing (reversed stacks) counts by its magnitude.
        let d = parse_imagej_description("ImageJ=1.53t\nunit=nm\nspacing=-30\n").unwrap();
        assert_voxel(
            voxel_nm(Some(&d), Some(0.125), None, None),
            [8.0, 8.0, 30.0],
        );
    }

    #[test]
    fn separate_z_unit() {
        let d = parse_imagej_description("ImageJ=1.53t\nunit=nm\nzunit=micron\nspacing=0.05\n")
            .unwrap();
        assert_voxel(voxel_nm(Some(&d), Some(0.2), None, None), [5.0, 5.0, 50.0]);
    }

    #[test]
    fn resolution_unit_without_imagej() {
        // 10000 pixels per cm = 1 µm pixels.
        assert_voxel(
            voxel_nm(None, Some(10000.0), Some(10000.0), Some(3)),
            [1000.0, 1000.0, 1000.0],
        );
        // 72 dpi is a screen default, not a calibration.
        assert_eq!(voxel_nm(None, Some(72.0), Some(72.0), Some(2)), None);
        // 25400 dpi = 1 µm pixels.
        assert_voxel(
            voxel_nm(None, Some(25400.0), None, Some(2)),
            [1000.0, 1000.0, 1000.0],
        );
    }

    #[test]
    fn written_description_parses_back() {
        let text = imagej_description(14, Some([4.6, 4.6, 50.0]));
        assert_eq!(
            text,
            "ImageJ=1.53t\nimages=14\nslices=14\nunit=nm\nspacing=50\nloop=false\n"
        );
        let d = parse_imagej_description(&text).unwrap();
        assert_eq!(
            (d.images, d.slices, d.spacing),
            (Some(14), Some(14), Some(50.0))
        );
        assert_eq!(imagej_description(1, None), "ImageJ=1.53t\nloop=false\n");
        let d =
            parse_imagej_description(&imagej_description(2, Some([1.0, 1.0, 123.456789]))).unwrap();
        assert_eq!(d.spacing, Some(123.456789));
    }

    #[test]
    fn resolution_rationals_are_precise() {
        for nm in [0.001, 0.37, 1.0, 4.6, 8.0, 30.0, 50.0, 123.456789, 1e5, 2e9] {
            let (n, d) = resolution_rational(nm).unwrap();
            let back = f64::from(d) / f64::from(n);
            assert!(close(back, nm), "{nm}: {n}/{d}");
        }
        assert_eq!(resolution_rational(4.6), Some((100_000_000, 460_000_000)));
        assert_eq!(resolution_rational(0.0), None);
        assert_eq!(resolution_rational(-1.0), None);
        assert_eq!(resolution_rational(f64::NAN), None);
        assert_eq!(resolution_rational(3e9), None);
        assert_eq!(resolution_rational(30.0), Some((10_000_000, 300_000_000)));
    }
}
