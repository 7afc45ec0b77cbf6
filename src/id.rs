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

/// What a person typed to name a record, before the repository is looked
/// at: a whole ID, or its end. [`RecordId::parse`] is the strict reading
/// of a stored ID; this is the forgiving one of a typed ID, for which the
/// workspace finds the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedId {
    /// The text, upper-cased.
    text: String,
    /// The ID exactly as typed, if the text is one.
    exact: Option<RecordId>,
    /// The kind its prefix names, if it starts with one.
    kind: Option<Kind>,
    /// What must end the ID: the text after the prefix (or the whole text
    /// without one), Crockford's look-alikes read.
    tail: String,
}

impl TypedId {
    /// Reads a typed ID: any case; letters, digits and `-` only.
    pub fn parse(input: &str) -> Result<TypedId> {
        let text = input.trim().to_ascii_uppercase();
        let bad = |reason: &str| Error::BadId {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        if text.len() > MAX_LEN {
            return Err(bad("it is longer than 64 characters"));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad(
                "only letters, digits and `-` may appear; no `/`, `.` or spaces",
            ));
        }
        if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
            return Err(bad("a `-` stands between two parts"));
        }
        let prefixed = text
            .split_once('-')
            .and_then(|(prefix, rest)| Some((Kind::from_prefix(prefix)?, rest)));
        let (kind, rest) = match prefixed {
            Some((kind, rest)) => (Some(kind), rest),
            None => (None, text.as_str()),
        };
        Ok(TypedId {
            exact: RecordId::parse(&text).ok(),
            kind,
            tail: crockford(rest),
            text,
        })
    }

    /// The ID exactly as typed (`CI-EPRESCRIPTION`), if the text is one.
    pub fn exact(&self) -> Option<&RecordId> {
        self.exact.as_ref()
    }

    /// The ID with Crockford's look-alikes read after the prefix (`O` as
    /// `0`, `I` and `L` as `1`), if the text has a prefix and that changes it.
    pub fn aliased(&self) -> Option<RecordId> {
        let kind = self.kind?;
        let id = RecordId::parse(&format!("{}-{}", kind.prefix(), self.tail)).ok()?;
        (Some(&id) != self.exact.as_ref()).then_some(id)
    }

    /// The kind the prefix names, if the text starts with one.
    pub fn kind(&self) -> Option<Kind> {
        self.kind
    }

    /// Whether `id` is the record meant: of the kind typed, if one was,
    /// and its part after the prefix is the tail typed or ends with `-`
    /// and it, look-alikes read on both sides (so `eprescription` finds
    /// `CI-EPRESCRIPTION`, and `so5k7w` finds `INC-20261122-S05K7W`).
    pub fn matches(&self, id: &RecordId) -> bool {
        if self.kind.is_some_and(|k| k != id.kind()) {
            return false;
        }
        let rest = crockford(id.as_str().split_once('-').map_or("", |(_, r)| r));
        rest == self.tail
            || rest
                .strip_suffix(self.tail.as_str())
                .is_some_and(|head| head.ends_with('-'))
    }

    /// The text as typed, upper-cased.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How far `id` is from what was typed, over as many of its last
    /// parts as were typed: for "did you mean".
    pub fn distance(&self, id: &RecordId) -> usize {
        let parts = self.text.split('-').count();
        let mut end: Vec<&str> = id.as_str().rsplit('-').take(parts).collect();
        end.reverse();
        crate::suggest::edit_distance(&crockford(&self.text), &crockford(&end.join("-")))
    }
}

/// Crockford's look-alikes read as the digits they stand for.
fn crockford(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
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

    #[test]
    fn a_typed_id_reads_look_alikes_after_the_prefix_only() {
        let typed = TypedId::parse("inc-20261122-so5k7w").unwrap();
        assert_eq!(
            typed.exact().map(RecordId::as_str),
            Some("INC-20261122-SO5K7W")
        );
        assert_eq!(
            typed.aliased().as_ref().map(RecordId::as_str),
            Some("INC-20261122-S05K7W")
        );
        let ci = TypedId::parse("CI-EPRESCRIPTION").unwrap();
        assert_eq!(ci.exact().map(RecordId::as_str), Some("CI-EPRESCRIPTION"));
        assert_eq!(
            ci.aliased().as_ref().map(RecordId::as_str),
            Some("CI-EPRESCR1PT10N")
        );
        assert_eq!(
            TypedId::parse("INC-20261122-K7QF2M").unwrap().aliased(),
            None
        );
    }

    #[test]
    fn a_tail_matches_the_end_of_an_id_after_a_dash() {
        let id = |s: &str| RecordId::parse(s).unwrap();
        let matches =
            |typed: &str, stored: &str| TypedId::parse(typed).unwrap().matches(&id(stored));
        assert!(matches("so5k7w", "INC-20261122-S05K7W"));
        assert!(matches("20261122-S05K7W", "INC-20261122-S05K7W"));
        assert!(matches("inc-s05k7w", "INC-20261122-S05K7W"));
        assert!(matches("eprescription", "CI-EPRESCRIPTION"));
        assert!(matches("ci-eprescription", "CI-EPRESCRIPTION"));
        assert!(!matches("prb-s05k7w", "INC-20261122-S05K7W"));
        assert!(!matches("5K7W", "INC-20261122-S05K7W"));
        assert!(!matches("S05K7", "INC-20261122-S05K7W"));
        for bad in ["", "-S05K7W", "S05K7W-", "INC--1", "a/b", "a.yaml", "a b"] {
            assert!(TypedId::parse(bad).is_err(), "{bad}");
        }
    }
}
