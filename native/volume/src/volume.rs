//! A dense 3D array in z, y, x order (x fastest), the layout of an ImageJ stack
//! read slice by slice, row by row. Kept generic and plain on purpose: the training
//! code does its own indexing; this is only a typed container with a shape.

use crate::error::VolumeError;

#[derive(Debug, Clone, PartialEq)]
pub struct Volume<T> {
    /// Voxels, z slowest, x fastest: `data[(z * height + y) * width + x]`.
    pub data: Vec<T>,
    /// [depth (z), height (y), width (x)].
    pub shape: [usize; 3],
    /// Voxel size in nanometres, [x, y, z], as recorded in the file's calibration;
    /// `None` when the file does not record one (or records it in pixels).
    pub voxel_nm: Option<[f64; 3]>,
}

impl<T> Volume<T> {
    /// Wraps `data` (z, y, x order) without calibration.
    /// Fails when `data.len()` is not the product of `shape`.
    pub fn new(data: Vec<T>, shape: [usize; 3]) -> Result<Self, VolumeError> {
        let expected = voxel_count(shape)?;
        if data.len() != expected {
            return Err(VolumeError::InvalidVolume {
                message: format!(
                    "volume data has {} values but the shape {}x{}x{} (z, y, x) needs {expected}",
                    data.len(),
                    shape[0],
                    shape[1],
                    shape[2]
                ),
            });
        }
        Ok(Volume {
            data,
            shape,
            voxel_nm: None,
        })
    }

    /// Sets the voxel size (nm, [x, y, z]); builder style, for use after `new`/`zeros`.
    pub fn with_voxel_nm(mut self, voxel_nm: Option<[f64; 3]>) -> Self {
        self.voxel_nm = voxel_nm;
        self
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn depth(&self) -> usize {
        self.shape[0]
    }

    pub fn height(&self) -> usize {
        self.shape[1]
    }

    pub fn width(&self) -> usize {
        self.shape[2]
    }

    /// Position of voxel (z, y, x) in `data`.
    ///
    /// # Panics
    /// If a coordinate is outside the shape (like slice indexing would); use
    /// [`Volume::get`] for a checked lookup.
    pub fn index(&self, z: usize, y: usize, x: usize) -> usize {
        let [d, h, w] = self.shape;
        assert!(
            z < d && y < h && x < w,
            "voxel (z={z}, y={y}, x={x}) is outside a volume of shape {d}x{h}x{w}"
        );
        (z * h + y) * w + x
    }

    /// Checked voxel lookup.
    pub fn get(&self, z: usize, y: usize, x: usize) -> Option<&T> {
        let [d, h, w] = self.shape;
        if z < d && y < h && x < w {
            self.data.get((z * h + y) * w + x)
        } else {
            None
        }
    }

    /// The voxels of slice `z` (height * width values, row by row).
    ///
    /// # Panics
    /// If `z >= depth`.
    pub fn slice(&self, z: usize) -> &[T] {
        let plane = self.shape[1] * self.shape[2];
        assert!(
            z < self.shape[0],
            "slice {z} is outside a volume of depth {}",
            self.shape[0]
        );
        &self.data[z * plane..(z + 1) * plane]
    }

    /// Mutable version of [`Volume::slice`].
    ///
    /// # Panics
    /// If `z >= depth`.
    pub fn slice_mut(&mut self, z: usize) -> &mut [T] {
        let plane = self.shape[1] * self.shape[2];
        assert!(
            z < self.shape[0],
            "slice {z} is outside a volume of depth {}",
            self.shape[0]
        );
        &mut self.data[z * plane..(z + 1) * plane]
    }

    /// A volume of the same shape and calibration with `f` applied to every voxel
    /// (e.g. `labels.map(|&v| v as f32)`).
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Volume<U> {
        Volume {
            data: self.data.iter().map(f).collect(),
            shape: self.shape,
            voxel_nm: self.voxel_nm,
        }
    }
}

impl<T: Clone + Default> Volume<T> {
    /// A volume filled with `T::default()` (zero for numbers), without calibration.
    pub fn zeros(shape: [usize; 3]) -> Result<Self, VolumeError> {
        let n = voxel_count(shape)?;
        Ok(Volume {
            data: vec![T::default(); n],
            shape,
            voxel_nm: None,
        })
    }
}

fn voxel_count(shape: [usize; 3]) -> Result<usize, VolumeError> {
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| VolumeError::InvalidVolume {
            message: format!(
                "the shape {}x{}x{} is too large to hold in memory",
                shape[0], shape[1], shape[2]
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_the_length() {
        assert!(Volume::new(vec![0u8; 24], [2, 3, 4]).is_ok());
        let err = Volume::new(vec![0u8; 23], [2, 3, 4]).unwrap_err();
        assert!(matches!(err, VolumeError::InvalidVolume { .. }));
        assert!(err.to_string().contains("23"));
        assert!(Volume::<u8>::zeros([usize::MAX, 2, 2]).is_err());
    }

    #[test]
    fn indexing_follows_z_y_x_order() {
        let v = Volume::new((0..24u32).collect(), [2, 3, 4]).unwrap();
        assert_eq!(v.len(), 24);
        assert_eq!((v.depth(), v.height(), v.width()), (2, 3, 4));
        assert_eq!(v.index(1, 2, 3), 23);
        assert_eq!(v.index(1, 0, 0), 12);
        assert_eq!(v.data[v.index(0, 1, 2)], 6);
        assert_eq!(v.get(0, 1, 2), Some(&6));
        assert_eq!(v.get(2, 0, 0), None);
        assert_eq!(v.get(0, 0, 4), None);
        assert_eq!(v.slice(1), &(12..24).collect::<Vec<_>>()[..]);
    }

    #[test]
    #[should_panic]
    fn index_out_of_bounds_panics() {
        let v = Volume::<u8>::zeros([1, 2, 2]).unwrap();
        v.index(0, 0, 2);
    }

    #[test]
    fn zeros_map_and_calibration() {
        let mut v = Volume::<u16>::zeros([2, 2, 2])
            .unwrap()
            .with_voxel_nm(Some([4.0, 4.0, 40.0]));
        assert!(v.data.iter().all(|&x| x == 0));
        v.slice_mut(1)[3] = 7;
        let f = v.map(|&x| f32::from(x) * 0.5);
        assert_eq!(f.shape, [2, 2, 2]);
        assert_eq!(f.voxel_nm, Some([4.0, 4.0, 40.0]));
        assert_eq!(f.data[7], 3.5);
        assert!(!f.is_empty());
    }
}
