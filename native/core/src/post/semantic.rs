//! Semantic decisions from network probabilities: a threshold for one foreground channel, an
//! argmax for several classes. Both produce `u8` class maps, the type the metrics consume.

/// Voxels per block in [`argmax`]: the running maximum of a block (16 KiB of f32) stays in L1
/// while the channels stream past it, so no per-voxel scratch is needed.
const BLOCK: usize = 4096;

/// 1 where `probability >= threshold`, else 0 (NaN is 0: an undefined prediction is not
/// foreground).
pub fn threshold(probability: &[f32], threshold: f32) -> Vec<u8> {
    probability.iter().map(|&p| (p >= threshold) as u8).collect()
}

/// The class index with the highest probability for each voxel of channel-major
/// `probabilities` (`[channels][voxels]`, the layout of a network output for one stack).
///
/// Ties go to the lowest index (a later channel must be strictly larger to win), so a flat
/// prediction is background (class 0) rather than an arbitrary class. NaN never wins; a voxel
/// with only NaN is class 0.
///
/// Channels are read one after the other over blocks of [`BLOCK`] voxels: each channel plane
/// is streamed sequentially, which for hundreds of millions of voxels matters more than the
/// number of comparisons.
///
/// # Panics
/// If `channels` is 0 or above 256 (indices are u8), or `probabilities.len()` is not
/// `channels * voxels`.
pub fn argmax(probabilities: &[f32], channels: usize, voxels: usize) -> Vec<u8> {
    assert!((1..=256).contains(&channels), "{channels} channels: argmax needs 1..=256");
    assert_eq!(
        Some(probabilities.len()),
        channels.checked_mul(voxels),
        "probabilities do not hold {channels} channels of {voxels} voxels"
    );
    let mut out = vec![0u8; voxels];
    let mut best = [0f32; BLOCK];
    for start in (0..voxels).step_by(BLOCK) {
        let len = BLOCK.min(voxels - start);
        let (best, out) = (&mut best[..len], &mut out[start..][..len]);
        for (b, &p) in best.iter_mut().zip(&probabilities[start..][..len]) {
            *b = if p.is_nan() { f32::NEG_INFINITY } else { p };
        }
        for c in 1..channels {
            let plane = &probabilities[c * voxels + start..][..len];
            for ((b, o), &p) in best.iter_mut().zip(out.iter_mut()).zip(plane) {
                if p > *b {
                    *b = p;
                    *o = c as u8;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_inclusive_and_nan_is_background() {
        let p = [0.0, 0.49, 0.5, 0.51, 1.0, f32::NAN];
        assert_eq!(threshold(&p, 0.5), vec![0, 0, 1, 1, 1, 0]);
        assert_eq!(threshold(&[], 0.5), Vec::<u8>::new());
    }

    #[test]
    fn argmax_picks_the_largest_and_ties_go_to_the_lowest_index() {
        // 3 channels x 5 voxels, channel-major.
        #[rustfmt::skip]
        let p = [
            0.2, 0.5, 0.1, 0.3, f32::NAN,
            0.7, 0.5, 0.1, 0.3, 0.2,
            0.1, 0.0, 0.8, 0.3, 0.2,
        ];
        // voxel 0: channel 1; 1: tie 0/1 -> 0; 2: channel 2; 3: three-way tie -> 0;
        // 4: NaN loses, tie 1/2 -> 1.
        assert_eq!(argmax(&p, 3, 5), vec![1, 0, 2, 0, 1]);
    }

    #[test]
    fn argmax_spans_several_blocks_and_one_channel_is_all_zero() {
        let voxels = BLOCK * 2 + 7;
        let mut p = vec![0.0f32; 2 * voxels];
        for v in (0..voxels).step_by(3) {
            p[voxels + v] = 1.0;
        }
        let classes = argmax(&p, 2, voxels);
        assert!(classes.iter().enumerate().all(|(v, &c)| c == (v % 3 == 0) as u8));
        assert_eq!(argmax(&p[..voxels], 1, voxels), vec![0; voxels]);
    }

    #[test]
    #[should_panic]
    fn argmax_rejects_a_length_mismatch() {
        argmax(&[0.0; 5], 2, 3);
    }
}
