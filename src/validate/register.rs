//! The repository's register of standard changes (`policy/standard-changes.yaml`):
//! change procedures agreed in advance, which a change filed as a standard
//! one names in `standard_ref`. An entry counts for a change only when it
//! says who agreed it and when (`agreed_by`, `agreed_at`); where the pack
//! names who agrees the register (000 §3.4 *överenskommit med beställaren
//! i förväg*; 002 §4.2 task 4, Staden's G), only that party's agreement
//! counts, and only one given before the change was filed.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::error::Result;
use crate::fs;
use crate::kind::Kind;
use crate::policy::Policy;
pub use crate::policy::rule::REGISTER;
use crate::record::document::display;
use crate::time::{DateRules, Timestamp};
use crate::workspace::Workspace;
use crate::yaml::{self, Value};

/// The entries of the register, by ID.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StandardRegister {
    entries: BTreeMap<String, RegisterEntry>,
}

/// One entry: who agreed the procedure and when, as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterEntry {
    /// Who agreed it: a party of the pack, perhaps with who for it in
    /// brackets or after a comma (`Staden (förvaltningsledare)`).
    pub agreed_by: Option<String>,
    /// When: a date, or a date and time.
    pub agreed_at: Option<String>,
}

/// Why an entry does not count for a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unagreed {
    /// No entry has the ID.
    Missing,
    /// The entry does not say who agreed it, or when.
    Unstated,
    /// It was agreed by a party that does not agree the register.
    By {
        /// Who the entry says agreed it.
        written: String,
        /// The parties that do, as the pack names them.
        agreeing: String,
    },
    /// It was agreed after the change was filed (or `agreed_at` is no date).
    After {
        /// `agreed_at` as written.
        agreed_at: String,
        /// When the change was filed.
        filed: String,
    },
}

impl std::fmt::Display for Unagreed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unagreed::Missing => write!(f, "it is not there"),
            Unagreed::Unstated => write!(
                f,
                "the entry does not say who agreed it and when (agreed_by, agreed_at)"
            ),
            Unagreed::By { written, agreeing } => write!(
                f,
                "the entry was agreed by {written}, and the register is agreed by {agreeing}"
            ),
            Unagreed::After { agreed_at, filed } => write!(
                f,
                "the entry was agreed at {agreed_at}, not before the change was filed ({filed}): a standard change is one agreed in advance"
            ),
        }
    }
}

impl StandardRegister {
    /// The register of the repository; empty where it has none.
    pub fn load(ws: &Workspace) -> Result<StandardRegister> {
        let path = ws.root().join(REGISTER);
        // Not `exists()`: it follows links, and a link is to be refused.
        if path.symlink_metadata().is_err() {
            return Ok(StandardRegister::default());
        }
        fs::check_folders(ws.root(), Path::new(REGISTER))?;
        let text = fs::read_text(&path, yaml::MAX_RECORD_BYTES)?;
        let doc = yaml::parse_any(Path::new(REGISTER), &text)?;
        Ok(StandardRegister::from_doc(&doc))
    }

    /// The register in a document: `changes:` (or a bare list) of entries
    /// with an `id`.
    pub fn from_doc(doc: &Value) -> StandardRegister {
        let stated = |e: &Value, key: &str| {
            e.get(key)
                .map(display)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let entries = doc
            .get("changes")
            .and_then(Value::as_sequence)
            .or_else(|| doc.as_sequence())
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let id = e.get("id").map(display)?;
                let entry = RegisterEntry {
                    agreed_by: stated(e, "agreed_by"),
                    agreed_at: stated(e, "agreed_at"),
                };
                Some((id, entry))
            })
            .collect();
        StandardRegister { entries }
    }

    /// A register of entries agreed by `agreed_by` at `agreed_at` (for tests
    /// and fuzzing).
    pub fn agreed(ids: &[&str], agreed_by: &str, agreed_at: &str) -> StandardRegister {
        let entries = ids
            .iter()
            .map(|id| {
                let entry = RegisterEntry {
                    agreed_by: Some(agreed_by.to_owned()),
                    agreed_at: Some(agreed_at.to_owned()),
                };
                ((*id).to_owned(), entry)
            })
            .collect();
        StandardRegister { entries }
    }

    /// Whether entry `id` counts for a change filed at `filed`, and why not.
    pub fn judge(
        &self,
        policy: &Policy,
        id: &str,
        filed: &Timestamp,
    ) -> std::result::Result<(), Unagreed> {
        let entry = self.entries.get(id).ok_or(Unagreed::Missing)?;
        let (Some(by), Some(at)) = (&entry.agreed_by, &entry.agreed_at) else {
            return Err(Unagreed::Unstated);
        };
        let Some(agreement) = &policy.standard_register else {
            return Ok(());
        };
        if !agreement.agreed_by.is_empty() {
            let party = agreeing_party(policy, by);
            if !party.is_some_and(|p| agreement.agreed_by.contains(&p)) {
                return Err(Unagreed::By {
                    written: by.clone(),
                    agreeing: agreement
                        .agreed_by
                        .iter()
                        .map(|p| policy.party(p).map_or(p.as_str(), |p| p.label.as_str()))
                        .collect::<Vec<_>>()
                        .join(" or "),
                });
            }
        }
        if !agreed_before(policy, at, filed) {
            return Err(Unagreed::After {
                agreed_at: at.clone(),
                filed: crate::time::rfc3339(filed),
            });
        }
        Ok(())
    }

    /// The IDs of the entries that count for a change filed at `filed`.
    pub fn counting(&self, policy: &Policy, filed: &Timestamp) -> Vec<String> {
        self.entries
            .keys()
            .filter(|id| self.judge(policy, id, filed).is_ok())
            .cloned()
            .collect()
    }
}

/// The party an entry's `agreed_by` names: the words before a bracket or
/// a comma (`Staden (förvaltningsledare)`, `E-hälsomyndigheten, servicedesk`),
/// read as the pack's parties are everywhere.
fn agreeing_party(policy: &Policy, written: &str) -> Option<String> {
    let name = written.split(['(', ',']).next().unwrap_or_default().trim();
    policy.word(Kind::Change, "by", name)?.ok()
}

/// Whether `agreed_at` is before the change was filed. A date alone is the
/// whole of that day in the pack's zone: agreed the day the change was
/// filed counts, since the register does not say at what hour.
fn agreed_before(policy: &Policy, agreed_at: &str, filed: &Timestamp) -> bool {
    let Some(tz) = crate::clock::parse_tz(&policy.timezone) else {
        return false;
    };
    if let Ok(day) = NaiveDate::parse_from_str(agreed_at, "%Y-%m-%d") {
        return day <= filed.with_timezone(&tz).date_naive();
    }
    let rules = DateRules {
        tz,
        formats: Vec::new(),
    };
    crate::time::parse_time(agreed_at, &rules).is_ok_and(|t| t.at <= *filed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filed(text: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn an_entry_counts_when_the_orderer_agreed_it_before_the_change() {
        let policy = Policy::load("inera", None).unwrap();
        let at = filed("2026-11-02T09:00:00+01:00");
        let judge = |by: &str, when: &str| {
            StandardRegister::agreed(&["STD-01"], by, when).judge(&policy, "STD-01", &at)
        };
        assert_eq!(judge("Kund (förvaltningsledare)", "2026-11-02"), Ok(()));
        assert_eq!(judge("kund", "2026-11-02 08:59"), Ok(()));
        assert!(matches!(
            judge("Kund", "2026-11-02T09:30:00+01:00"),
            Err(Unagreed::After { .. })
        ));
        assert!(matches!(
            judge("Kund", "2026-11-03"),
            Err(Unagreed::After { .. })
        ));
        assert!(matches!(
            judge("Kund", "in the spring"),
            Err(Unagreed::After { .. })
        ));
        assert!(matches!(
            judge("Inera (förvaltningsgruppen)", "2025-01-01"),
            Err(Unagreed::By { .. })
        ));
        assert_eq!(
            StandardRegister::default().judge(&policy, "STD-01", &at),
            Err(Unagreed::Missing)
        );
    }
}
