//! SegTrain's image stack I/O: reads image and label stacks from TIFF files or
//! folders of TIFF slices (with their ImageJ calibration in nm), and writes
//! stacks that ImageJ/Fiji opens with their calibration.

mod calibration;
mod error;
mod folder;
mod ifd_scan;
pub mod memory;
mod read;
mod volume;
mod write;

#[cfg(test)]
mod test_util;

pub use error::VolumeError;
pub use error::invalid_label_reason;
pub use read::{colour_advice, label_from_f32, read_stack_f32, read_stack_labels, Purpose};
pub use volume::Volume;
pub use calibration::unit_to_nm;
pub use write::{write_stack, Sample};
