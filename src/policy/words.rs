//! One rule for the values people type: every enumerated value (a status, a
//! party, a channel, a change type, a level, …) is taken as its ID, its
//! Swedish label, another of its words or English aliases, in any case, with
//! or without accents, with a space or `-` for `_` (`Väntar på kund`,
//! `awaiting customer`, `AWAITING_CUSTOMER`). The ID is what is stored.

use super::{NotNamed, Policy, fold};
use crate::kind::Kind;

/// Fields whose values are the pack's parties.
const PARTY_FIELDS: &[&str] = &["reporter.party", "responsible", "approvals.by", "by"];

/// One value a field takes: its ID and the other words for it, the
/// Swedish label first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// What records hold.
    pub id: String,
    /// The Swedish label, then other words and aliases.
    pub words: Vec<String>,
}

impl Word {
    /// The Swedish label, if it has one.
    pub fn label(&self) -> Option<&str> {
        self.words.first().map(String::as_str)
    }
}

/// A word as compared: folded, with spaces and dashes as `_`.
fn key(text: &str) -> String {
    fold(text).replace([' ', '-'], "_")
}

impl Policy {
    /// The values of `field` of a record of `kind` with their words, if
    /// its values are enumerated: a status, a party, or a value of the
    /// record model.
    pub fn vocabulary(&self, kind: Kind, field: &str) -> Option<Vec<Word>> {
        if PARTY_FIELDS.contains(&field) {
            return Some(
                self.parties
                    .iter()
                    .map(|p| Word {
                        id: p.id.clone(),
                        words: std::iter::once(p.label.clone())
                            .chain(p.aliases.iter().cloned())
                            .collect(),
                    })
                    .collect(),
            );
        }
        let ids: Vec<String> = if field == "status" {
            crate::record::statuses(kind)
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            crate::schema::field_shape(kind, field)?.values
        };
        if ids.is_empty() {
            return None;
        }
        let words = self.words.get(field);
        Some(
            ids.into_iter()
                .map(|id| Word {
                    words: words.and_then(|w| w.get(&id)).cloned().unwrap_or_default(),
                    id,
                })
                .collect(),
        )
    }

    /// The ID `text` means among the values of `field` (see
    /// [`Policy::vocabulary`]). `None`: the field's values are not
    /// enumerated; `Err`: no value is meant, with the values listed.
    pub fn word(
        &self,
        kind: Kind,
        field: &str,
        text: &str,
    ) -> Option<std::result::Result<String, NotNamed>> {
        let vocabulary = self.vocabulary(kind, field)?;
        let want = key(text);
        let found = vocabulary.iter().find(|w| key(&w.id) == want).or_else(|| {
            vocabulary
                .iter()
                .find(|w| w.words.iter().any(|x| key(x) == want))
        });
        Some(match found {
            Some(w) => Ok(w.id.clone()),
            None => Err(NotNamed::Word {
                near: crate::suggest::did_you_mean(
                    text.trim(),
                    vocabulary.iter().map(|w| w.id.as_str()),
                ),
                text: text.trim().to_owned(),
                field: field.to_owned(),
                values: listed(&vocabulary),
            }),
        })
    }
}

/// The values as people read them: `in_progress (Pågår)`.
pub fn listed(vocabulary: &[Word]) -> String {
    vocabulary
        .iter()
        .map(|w| match w.label() {
            Some(l) if key(l) != key(&w.id) => format!("{} ({l})", w.id),
            _ => w.id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_taken_by_id_label_or_alias_in_any_case() {
        let p = Policy::load("inera", None).unwrap();
        let w = |field: &str, text: &str| p.word(Kind::Incident, field, text).unwrap();
        assert_eq!(w("status", "Väntar på kund").unwrap(), "awaiting_customer");
        assert_eq!(
            w("status", "awaiting customer").unwrap(),
            "awaiting_customer"
        );
        assert_eq!(w("status", "LÖST").unwrap(), "resolved");
        assert_eq!(w("reported_via", "telefon").unwrap(), "phone");
        assert_eq!(w("reported_via", "E-POST").unwrap(), "email");
        assert_eq!(w("reporter.party", "Kund").unwrap(), "kund");
        assert_eq!(w("impact", "hog").unwrap(), "high");
        let e = w("status", "öppen-ish").unwrap_err().to_string();
        assert!(e.contains("in_progress (Pågår)"), "{e}");
        assert!(p.word(Kind::Incident, "title", "x").is_none());
    }

    #[test]
    fn the_words_name_values_that_exist_and_no_word_means_two() {
        for name in Policy::names() {
            let p = Policy::load(name, None).unwrap();
            for kind in Kind::ALL {
                for (field, values) in &p.words {
                    let Some(vocabulary) = p.vocabulary(kind, field) else {
                        continue;
                    };
                    let mut seen = std::collections::BTreeMap::new();
                    for w in &vocabulary {
                        for x in std::iter::once(&w.id).chain(&w.words) {
                            if let Some(other) = seen.insert(key(x), w.id.clone()) {
                                assert_eq!(
                                    other, w.id,
                                    "{name} {kind} {field}: `{x}` means two values"
                                );
                            }
                        }
                    }
                    for id in values.keys() {
                        let known = vocabulary.iter().any(|w| &w.id == id)
                            || Kind::ALL.iter().any(|k| {
                                p.vocabulary(*k, field)
                                    .is_some_and(|v| v.iter().any(|w| &w.id == id))
                            });
                        assert!(
                            known,
                            "{name}: words for `{field}: {id}`, which no kind has"
                        );
                    }
                }
            }
        }
    }
}
