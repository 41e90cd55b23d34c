//! [`Secret`]: an API key that cannot be printed by accident.
//!
//! Its `Debug` and `Display` show only a mask, it is not `Serialize`, and the one way to read the
//! key is [`Secret::expose`], which the HTTP client calls when it builds the `Authorization`
//! header. Invariant: no formatting path of this type ever yields more than the key's last four
//! characters, and only for keys long enough that four characters do not give it away.

use std::fmt;

/// An API key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(key: impl Into<String>) -> Secret {
        Secret(key.into())
    }

    /// The key itself, for the `Authorization` header and for scrubbing it out of server text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `****` plus the last four characters when the key has at least 16; `****` otherwise.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n >= 16 {
            let tail: String = self.0.chars().skip(n - 4).collect();
            format!("****{tail}")
        } else {
            "****".to_string()
        }
    }

    /// `text` with every occurrence of the key replaced by its mask: servers sometimes echo the
    /// key they were given in an error message.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() {
            return text.to_string();
        }
        text.replace(&self.0, &self.masked())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_mask_the_key() {
        let s = Secret::new("sk-0123456789abcdefXYZW");
        assert_eq!(format!("{s}"), "****XYZW");
        assert_eq!(format!("{s:?}"), "Secret(****XYZW)");
        assert!(!format!("{s:#?}").contains("0123456789"));
        assert_eq!(Secret::new("short").masked(), "****");
        assert_eq!(s.expose(), "sk-0123456789abcdefXYZW");
    }

    #[test]
    fn scrub_removes_echoed_keys() {
        let s = Secret::new("sk-0123456789abcdefXYZW");
        assert_eq!(
            s.scrub("Incorrect API key provided: sk-0123456789abcdefXYZW."),
            "Incorrect API key provided: ****XYZW."
        );
        assert_eq!(Secret::new("").scrub("x"), "x");
    }
}
