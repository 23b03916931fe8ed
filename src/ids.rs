//! Identifiers. An id is parsed into a [`Guid`] once, where it enters the app (the route,
//! a query parameter, a row from Graph), so a malformed or hostile id never reaches Graph
//! (or a path segment of ours): every URL builder takes a `Guid`, not a string.

use std::fmt;

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

/// A Graph object id: a GUID in lower case. The only way to make one is [`Guid::parse`],
/// so holding a `Guid` means it is safe in a URL path and in an OData literal.
///
/// ```
/// use access_desk::ids::Guid;
/// let id = Guid::parse("D82EB508-ACC4-43CC-BCF1-7C1C4A2C073B").unwrap();
/// assert_eq!(id.as_str(), "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b");
/// assert!(Guid::parse("x' or 1 eq 1").is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(String);

impl Guid {
    pub fn parse(s: &str) -> Option<Guid> {
        is_guid(s).then(|| Guid(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An object id as Graph sent it. Graph's ids are GUIDs; one that is not (a proxy's
/// mistake, a hostile tenant object, a test's "r1") is kept as text so its row still
/// shows and can be searched, but only [`ObjectId::guid`] gives an id for a URL, so a
/// malformed one is refused there, with a reason, instead of reaching Graph.
///
/// ```
/// use access_desk::ids::ObjectId;
/// let good = ObjectId::parse("D82EB508-ACC4-43CC-BCF1-7C1C4A2C073B");
/// assert_eq!(good.guid().unwrap().as_str(), "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b");
/// let bad = ObjectId::parse("../x");
/// assert!(bad.guid().is_none());
/// assert_eq!(bad.as_str(), "../x");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ObjectId {
    Guid(Guid),
    Malformed(String),
}

impl ObjectId {
    pub fn parse(s: &str) -> ObjectId {
        Guid::parse(s).map_or_else(|| ObjectId::Malformed(s.to_string()), ObjectId::Guid)
    }

    /// The id for a URL or an OData literal: none for a malformed one.
    pub fn guid(&self) -> Option<&Guid> {
        match self {
            ObjectId::Guid(g) => Some(g),
            ObjectId::Malformed(_) => None,
        }
    }

    /// The id as shown (a GUID in lower case, a malformed one as Graph sent it).
    pub fn as_str(&self) -> &str {
        match self {
            ObjectId::Guid(g) => g.as_str(),
            ObjectId::Malformed(s) => s,
        }
    }
}

impl Default for ObjectId {
    fn default() -> Self {
        ObjectId::Malformed(String::new())
    }
}

impl From<Guid> for ObjectId {
    fn from(g: Guid) -> Self {
        ObjectId::Guid(g)
    }
}

/// [`ObjectId::parse`].
impl From<&str> for ObjectId {
    fn from(s: &str) -> Self {
        ObjectId::parse(s)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
            assert!(Guid::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn guids_compare_without_regard_to_case() {
        // Both must parse: two failed parses (None == None) would also compare equal.
        let upper = Guid::parse("0E60F18C-B2A0-4887-9DA8-DA2E30A39D99").expect("upper case parses");
        let lower = Guid::parse("0e60f18c-b2a0-4887-9da8-da2e30a39d99").expect("lower case parses");
        assert_eq!(upper, lower);
        assert_eq!(upper.as_str(), "0e60f18c-b2a0-4887-9da8-da2e30a39d99");
        let other = Guid::parse("0e60f18c-b2a0-4887-9da8-da2e30a39d98").expect("parses");
        assert_ne!(upper, other, "a different GUID is not equal");
    }
}
