//! How much memory a size read from a file (or a flag) may claim, checked before allocating it.
//!
//! Rust aborts the process when an allocation fails; inside Fiji that takes the JVM and the
//! user's unsaved work with it. So every size that comes from outside is compared with the memory
//! this machine has available first, and refused with a message that names the size.

/// Bytes the kernel says can be allocated without swapping (`MemAvailable`), or None where
/// /proc/meminfo cannot be read.
pub fn available_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// "4.9 GB", "190 bytes": a size for a person.
pub fn human(bytes: u128) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.0} MB", b as f64 / 1e6),
        b if b >= 10_000 => format!("{:.0} kB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}

/// Ok when `bytes` fit in the available memory, else why not, with `what` as the subject
/// ("this stack as 32-bit values needs 40 GB, but 12 GB of memory are available").
pub fn check_fits(bytes: u128, what: &str) -> Result<(), String> {
    let Some(available) = available_bytes() else { return Ok(()) };
    if bytes > available as u128 {
        return Err(format!(
            "{what} needs {}, but only {} of memory are available on this machine",
            human(bytes),
            human(available as u128)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terabyte_does_not_fit_and_the_message_names_it() {
        let err = check_fits(1_000_000_000_000, "this page").unwrap_err();
        assert!(err.starts_with("this page needs 1000.0 GB, but only "), "{err}");
        assert!(check_fits(1024, "a kilobyte").is_ok());
    }

    #[test]
    fn sizes_read_like_sizes() {
        assert_eq!(human(190), "190 bytes");
        assert_eq!(human(4_900_000_000), "4.9 GB");
        assert_eq!(human(30_000_000), "30 MB");
    }
}
