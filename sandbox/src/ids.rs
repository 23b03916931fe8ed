//! Deterministic identifiers: the same seed always gives the same tenant.

/// SplitMix64: tiny, fast, and good enough to make test data from a seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A random version-4 GUID in lower case.
    pub fn guid(&mut self) -> String {
        format_guid(self.guid128())
    }

    /// A random version-4 GUID as a number (the same draws as [`Rng::guid`]), for records
    /// kept by the thousand, such as audit events, that are written out only when read.
    pub fn guid128(&mut self) -> u128 {
        let a = self.next_u64();
        let b = self.next_u64();
        let hi = (a & 0xffff_ffff_ffff_0000) | 0x4000 | (a & 0x0fff);
        let lo = (((b >> 48) & 0x3fff) | 0x8000) << 48 | (b & 0xffff_ffff_ffff);
        (u128::from(hi) << 64) | u128::from(lo)
    }
}

/// The 8-4-4-4-12 lower-case form of a GUID.
pub fn format_guid(g: u128) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        (g >> 96) as u32,
        (g >> 80) as u16,
        (g >> 64) as u16,
        (g >> 48) as u16,
        g & 0xffff_ffff_ffff
    )
}

/// The GUID written in the 8-4-4-4-12 form (any case), as a number.
pub fn parse_guid(s: &str) -> Option<u128> {
    if !is_guid(s) {
        return None;
    }
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    u128::from_str_radix(&hex, 16).ok()
}

/// True for the 8-4-4-4-12 hexadecimal form Graph uses for object ids.
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
    fn guids_are_well_formed_and_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            let g = a.guid();
            assert!(is_guid(&g), "{g}");
            assert_eq!(g, b.guid());
        }
        assert_ne!(Rng::new(7).guid(), Rng::new(8).guid());
    }

    #[test]
    fn numeric_guids_format_and_parse_back() {
        let mut a = Rng::new(3);
        let mut b = Rng::new(3);
        for _ in 0..100 {
            let n = a.guid128();
            let text = b.guid();
            assert_eq!(format_guid(n), text);
            assert_eq!(parse_guid(&text.to_uppercase()), Some(n));
        }
        assert_eq!(parse_guid("not-a-guid"), None);
    }
}
