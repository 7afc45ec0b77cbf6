//! The statuses a pack names: in its status machines, clocks, approval
//! steps, cascades and rules.
//!
//! A pack is read before anyone knows which kind each of its statuses
//! belongs to (a clock runs for several kinds, a cascade names two), so a
//! [`Status`] is one of the statuses of *some* kind of record. Whether it is
//! one of the kind it is named for is checked once the whole pack is read
//! (`Policy::check`), where the message can name the kind.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::kind::Kind;
use crate::record::statuses;

/// A status of some kind of record (`new`, `approved`, `deployed`, …), as
/// written in records and packs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Status(&'static str);

/// A text that is no status of any kind of record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is no status of any kind of record ({})", every().collect::<Vec<_>>().join(", "))]
pub struct UnknownStatus {
    /// The text given.
    pub text: String,
}

/// Every status of every kind, each once, in the kinds' lifecycle order.
fn every() -> impl Iterator<Item = &'static str> {
    Kind::ALL
        .into_iter()
        .enumerate()
        .flat_map(|(i, kind)| {
            statuses(kind)
                .iter()
                .filter(move |s| !Kind::ALL[..i].iter().any(|k| statuses(*k).contains(s)))
        })
        .copied()
}

impl Status {
    /// The status written `text`, if some kind of record has it.
    pub fn parse(text: &str) -> Result<Status, UnknownStatus> {
        Kind::ALL
            .into_iter()
            .flat_map(statuses)
            .find(|s| **s == text)
            .map(|s| Status(s))
            .ok_or_else(|| UnknownStatus { text: text.into() })
    }

    /// The status as written in a record.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether records of `kind` can be in this status.
    pub fn is_of(self, kind: Kind) -> bool {
        statuses(kind).contains(&self.0)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Maps keyed by status (a machine's transitions) are looked up by a
/// record's status text; `Ord` and `Hash` are the text's, so this holds.
impl Borrow<str> for Status {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl From<Status> for String {
    fn from(status: Status) -> String {
        status.0.to_owned()
    }
}

impl PartialEq<str> for Status {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Status {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Status {
    fn eq(&self, other: &String) -> bool {
        self.0 == other
    }
}

impl PartialEq<Status> for str {
    fn eq(&self, other: &Status) -> bool {
        self == other.0
    }
}

impl PartialEq<Status> for &str {
    fn eq(&self, other: &Status) -> bool {
        *self == other.0
    }
}

impl PartialEq<Status> for String {
    fn eq(&self, other: &Status) -> bool {
        self == other.0
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Status, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Status::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_of_every_kind_parses_to_itself() {
        for kind in Kind::ALL {
            for text in statuses(kind) {
                let status = Status::parse(text).unwrap();
                assert_eq!(status.as_str(), *text);
                assert!(status.is_of(kind));
                assert_eq!(status, *text);
            }
        }
    }

    #[test]
    fn a_status_of_one_kind_is_not_one_of_another() {
        let deployed = Status::parse("deployed").unwrap();
        assert!(deployed.is_of(Kind::Release));
        assert!(!deployed.is_of(Kind::Incident));
    }

    #[test]
    fn a_text_that_is_no_status_is_refused_with_every_status_listed() {
        let e = Status::parse("bogus").unwrap_err().to_string();
        assert!(
            e.starts_with(
                "`bogus` is no status of any kind of record (new, assigned, in_progress,"
            ),
            "{e}"
        );
        // Each status once, though several kinds share it.
        assert_eq!(e.matches("closed").count(), 1, "{e}");
        let e = serde_yaml::from_str::<Status>("bogus")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`bogus` is no status of any kind of record"),
            "{e}"
        );
    }

    #[test]
    fn it_is_written_and_read_as_its_text() {
        let s: Status = serde_yaml::from_str("known_error").unwrap();
        assert_eq!(serde_yaml::to_string(&s).unwrap(), "known_error\n");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"known_error\"");
        let map = std::collections::BTreeMap::from([(s, 1)]);
        assert_eq!(map.get("known_error"), Some(&1));
    }
}
