//! Training targets derived from label stacks.

/// Semantic2D/3D with two classes: 1 where the label is non-zero, else 0.
pub fn binary_foreground(labels: &[u32]) -> Vec<u8> {
    labels.iter().map(|&l| (l != 0) as u8).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn any_non_zero_label_is_foreground() {
        assert_eq!(super::binary_foreground(&[0, 1, 255, 0, 70000]), vec![0, 1, 1, 0, 1]);
    }
}
