//! Record IDs: `INC-20261122-K7QF2M`.
//!
//! IDs must be unique across branches and clones without coordination, so they
//! are never counters: each is the kind prefix, the local date, and six random
//! Crockford base32 characters (30 bits). Two engineers each filing a thousand
//! records on the same day on separate branches collide with a chance of about
//! one in a thousand (birthday bound n²/2³¹); inside one repository the store
//! also checks that the file does not exist yet, which costs one `stat`, never
//! a scan of the repository.

use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};
use crate::kind::Kind;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS: usize = 6;
const MAX_LEN: usize = 64;

/// The ID of a record; also its file name without `.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[schemars(transparent)]
pub struct RecordId(
    #[schemars(regex(pattern = r"^(INC|PRB|CHG|REL|SR|CI|CAP)-[0-9A-Z][0-9A-Z-]*$"))] String,
);

impl RecordId {
    /// Parses an ID as typed by a person (lower case is accepted). IDs become
    /// file names, so anything that could leave the kind's folder is refused.
    pub fn parse(input: &str) -> Result<RecordId> {
        let s = input.trim().to_ascii_uppercase();
        let bad = |reason: &str| Error::BadId {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        if s.len() > MAX_LEN {
            return Err(bad("it is longer than 64 characters"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad(
                "only letters, digits and `-` may appear; no `/`, `.` or spaces",
            ));
        }
        let (prefix, rest) = s
            .split_once('-')
            .ok_or_else(|| bad("it has no kind prefix"))?;
        if Kind::from_prefix(prefix).is_none() {
            return Err(bad(
                "the prefix is not one of INC, PRB, CHG, REL, SR, CI, CAP",
            ));
        }
        if rest.is_empty() || rest.starts_with('-') || rest.ends_with('-') {
            return Err(bad("nothing follows the prefix"));
        }
        Ok(RecordId(s))
    }

    /// A fresh ID for a record of `kind` filed on `date`.
    pub fn generate(kind: Kind, date: NaiveDate) -> RecordId {
        let mut bytes = [0u8; RANDOM_CHARS];
        // Without an OS random source no ID can be trusted to be unique;
        // this only fails on platforms arende does not run on.
        getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
        let code: String = bytes
            .iter()
            .map(|b| CROCKFORD[(b & 31) as usize] as char)
            .collect();
        RecordId(format!(
            "{}-{}-{code}",
            kind.prefix(),
            date.format("%Y%m%d")
        ))
    }

    /// The kind the prefix names.
    pub fn kind(&self) -> Kind {
        // `split` yields at least one piece, so the default is never taken.
        let prefix = self.0.split('-').next().unwrap_or_default();
        // parse() and generate() only make IDs with a known prefix.
        Kind::from_prefix(prefix).unwrap_or(Kind::Incident)
    }

    /// The date the ID carries (`INC-20261122-K7QF2M` → 2026-11-22), if its
    /// part after the prefix starts with one: generated IDs do, imported or
    /// hand-made ones (`CI-EPRESCRIPTION`, `INC-0012345`) need not.
    pub fn date(&self) -> Option<NaiveDate> {
        let rest = self.0.split_once('-')?.1;
        let digits = rest.get(..8)?;
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || rest.as_bytes().get(8).is_some_and(|&b| b != b'-')
        {
            return None;
        }
        NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
    }

    /// The ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RecordId::parse(&s).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_carry_their_kind() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        for kind in Kind::ALL {
            let id = RecordId::generate(kind, date);
            assert_eq!(RecordId::parse(id.as_str()).unwrap(), id);
            assert_eq!(id.kind(), kind);
            assert!(id.as_str().contains("-20261122-"));
        }
    }

    #[test]
    fn the_date_is_read_only_from_a_whole_date_part() {
        let date = |s: &str| RecordId::parse(s).unwrap().date();
        assert_eq!(
            date("INC-20261122-K7QF2M"),
            NaiveDate::from_ymd_opt(2026, 11, 22)
        );
        assert_eq!(date("CHG-20260101"), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(date("CI-EPRESCRIPTION"), None);
        assert_eq!(date("INC-0012345"), None);
        assert_eq!(date("INC-202611220"), None);
        assert_eq!(date("INC-20261340-AAAAAA"), None);
    }

    #[test]
    fn paths_and_junk_are_refused() {
        for bad in [
            "../etc/passwd",
            "INC-1/2",
            "INC-..",
            "INC-",
            "XYZ-1",
            "",
            "INC 1",
            "inc-20261122-ab.c",
        ] {
            assert!(RecordId::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            RecordId::parse("inc-20261122-k7qf2m").unwrap().as_str(),
            "INC-20261122-K7QF2M"
        );
    }
}
