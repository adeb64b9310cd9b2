//! Checks of an image open in ImageJ before its pixels are copied. The plugin only describes the
//! image (title, bit depth, channels, slices, frames); what SegTrain can use, and what the person
//! should do otherwise, is decided here, beside the same rules for TIFF files.
use crate::error::{Error, Result};
use segtrain_volume::{colour_advice, invalid_label_reason, label_from_f32, Purpose};
use serde::Deserialize;

/// An open image as the plugin describes it.
#[derive(Clone, Debug, Deserialize)]
pub struct OpenImage {
    /// How messages name it: "image", "labels", "truth", "segmentation".
    pub role: String,
    pub title: String,
    /// ImageJ's bit depth: 8, 16, 32, or 24 for RGB.
    pub bit_depth: u32,
    pub channels: u32,
    pub slices: u32,
    pub frames: u32,
}

impl OpenImage {
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::InvalidInput(format!("the image description is not valid JSON: {e}")))
    }

    fn purpose(&self) -> Purpose {
        if self.role == "image" { Purpose::Image } else { Purpose::Labels }
    }

    fn name(&self) -> String {
        format!("{} image '{}'", self.role, self.title)
    }
}

/// Refuses what SegTrain cannot read as one grayscale stack: colour, several channels, z and time
/// together (the pixel copy flattens the stack, so they would be mixed up).
pub fn check_open_image(image: &OpenImage) -> Result<()> {
    let refuse = |why: String| Err(Error::InvalidInput(format!("{} {why}", image.name())));
    if image.bit_depth == 24 {
        let what_next = match image.purpose() {
            Purpose::Image => String::new(),
            Purpose::Labels => "; convert it (Image > Type > 8-bit or 16-bit) only if each colour stands for one value".into(),
        };
        return refuse(format!("is an RGB colour image; {}{what_next}", colour_advice(image.purpose())));
    }
    if image.channels > 1 {
        return refuse(format!(
            "has {} channels; SegTrain needs a single-channel stack (Image > Color > Split Channels)",
            image.channels
        ));
    }
    if image.slices > 1 && image.frames > 1 {
        return refuse(
            "has both z slices and time frames; SegTrain needs a single z-stack (Image > Duplicate... one frame)".into(),
        );
    }
    if ![8, 16, 32].contains(&image.bit_depth) {
        return refuse(format!("has a bit depth of {}; SegTrain reads 8-, 16- and 32-bit images", image.bit_depth));
    }
    Ok(())
}

/// The labels of a 32-bit ImageJ slice (ImageJ has no 32-bit integer images, so ids above 65535
/// arrive as floats): whole numbers up to 2^24 are ids, anything else (a probability map, an
/// interpolated id, an id floats cannot hold exactly) is refused with its place.
pub fn labels_from_floats(values: &[f32], width: usize, slice: usize, role: &str) -> Result<Vec<u32>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            label_from_f32(v).ok_or_else(|| {
                let width = width.max(1);
                let place = format!("at x={}, y={}", i % width, i / width);
                Error::InvalidInput(format!("the {role} stack's slice {slice} {}", invalid_label_reason(f64::from(v), &place)))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(role: &str, bit_depth: u32, channels: u32, slices: u32, frames: u32) -> OpenImage {
        OpenImage { role: role.into(), title: "t".into(), bit_depth, channels, slices, frames }
    }

    fn message(image: &OpenImage) -> String {
        check_open_image(image).unwrap_err().to_string()
    }

    #[test]
    fn grayscale_stacks_pass() {
        for depth in [8, 16, 32] {
            check_open_image(&image("image", depth, 1, 5, 1)).unwrap();
            check_open_image(&image("labels", depth, 1, 1, 7)).unwrap(); // a time series is one stack
        }
    }

    #[test]
    fn colour_channels_and_hyperstacks_are_refused_with_what_to_do() {
        assert!(message(&image("image", 24, 1, 1, 1)).contains("image image 't' is an RGB colour image; convert to 8-bit grayscale first"));
        assert!(message(&image("labels", 24, 1, 1, 1)).contains("labels must hold one number per pixel"));
        assert!(message(&image("truth", 8, 3, 1, 1)).contains("has 3 channels"));
        assert!(message(&image("image", 8, 1, 4, 2)).contains("both z slices and time frames"));
    }

    #[test]
    fn float_labels_must_be_whole_ids_that_floats_hold_exactly() {
        assert_eq!(labels_from_floats(&[0.0, 3.0, 16_777_216.0], 3, 1, "labels").unwrap(), vec![0, 3, 16_777_216]);
        let fraction = labels_from_floats(&[0.0, 0.0, 0.0, 0.5], 2, 2, "labels").unwrap_err().to_string();
        assert!(fraction.contains("the labels stack's slice 2 has the value 0.5 at x=1, y=1; labels must be whole numbers"), "{fraction}");
        let big = labels_from_floats(&[16_777_218.0], 1, 1, "truth").unwrap_err().to_string();
        assert!(big.contains("above 16777216 floats cannot tell neighbouring ids apart"), "{big}");
        assert!(labels_from_floats(&[-1.0], 1, 1, "labels").is_err());
        assert!(labels_from_floats(&[f32::NAN], 1, 1, "labels").is_err());
    }
}
