//! Identifiers. Every id is checked here before it goes into a URL, so a malformed or
//! hostile id never reaches Graph (or a path segment of ours).

/// True for the canonical 8-4-4-4-12 hexadecimal GUID form Graph uses for object ids.
///
/// ```
/// use access_desk::ids::is_guid;
/// assert!(is_guid("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b"));
/// assert!(!is_guid("d82eb508-acc4-43cc-bcf1-7c1c4a2c073b/../x"));
/// ```
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_cases_and_rejects_near_misses() {
        assert!(is_guid("0E60F18C-B2A0-4887-9DA8-DA2E30A39D99"));
        for bad in [
            "",
            "0e60f18c-b2a0-4887-9da8-da2e30a39d9",
            "0e60f18c-b2a0-4887-9da8-da2e30a39d999",
            "0e60f18cb2a0-4887-9da8-da2e30a39d99-",
            "{0e60f18c-b2a0-4887-9da8-da2e30a39d99}",
            "0e60f18c-b2a0-4887-9da8-da2e30a39dzz",
            "0e60f18c-b2a0-4887-9da8-da2e30a39d9'",
            "0e60f18c-b2a0-4887-9da8-da2e30a39é",
        ] {
            assert!(!is_guid(bad), "{bad:?}");
        }
    }
}
