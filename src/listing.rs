//! Which records a listing shows and in what order, by the fields of their
//! documents (`arende list --where key=value --sort field`): a filter's
//! answer and a small sort key for each record, never its document.
//!
//! What a person asks for is checked first ([`Ask::check`]): a status,
//! priority, field or value no record of the kinds listed can have is an
//! error with a suggestion, never an empty table that looks like an answer.

use std::cmp::Ordering;

use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::document;
use crate::yaml::Value;

/// What `arende list` was asked for, as typed.
#[derive(Debug, Clone, Default)]
pub struct Ask<'a> {
    /// The kinds listed (all when empty).
    pub kinds: &'a [Kind],
    /// `--status`, each.
    pub statuses: &'a [String],
    /// `--priority`.
    pub priority: Option<u8>,
    /// `--where key=value`, each split.
    pub filters: Vec<(String, String)>,
    /// `--sort [-]field`.
    pub sort: Option<&'a str>,
}

/// A listing asked for something no record of its kinds can have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingError {
    /// A status of none of the kinds.
    #[error("`{given}` is not a status of {}", kinds.as_deref().unwrap_or("any kind of record"))]
    Status {
        /// As typed.
        given: String,
        /// The kinds listed, in words; `None`: every kind.
        kinds: Option<String>,
        /// The statuses there are.
        known: Vec<String>,
    },
    /// A priority the pack does not have.
    #[error("priority {given} is not one of the {pack} policy's")]
    Priority {
        /// As typed.
        given: u8,
        /// The pack's name.
        pack: String,
        /// Its levels.
        known: Vec<u8>,
    },
    /// A field none of the kinds has.
    #[error("{}", match kinds {
        Some(kinds) => format!("{kinds} has no field `{field}`"),
        None => format!("no kind of record has a field `{field}`"),
    })]
    Field {
        /// As typed.
        field: String,
        /// The kinds listed, in words; `None`: every kind.
        kinds: Option<String>,
        /// The top-level fields there are.
        known: Vec<String>,
    },
    /// A value the field cannot hold.
    #[error("`{value}` is not a value of `{field}`")]
    Value {
        /// The field.
        field: String,
        /// As typed.
        value: String,
        /// The values it takes.
        known: Vec<String>,
    },
}

impl ListingError {
    /// How to put it right: the nearest word, and the words there are.
    pub fn help(&self) -> String {
        let listed = |given: &str, known: &[String]| {
            format!("{}use one of: {}", nearest(given, known), known.join(", "))
        };
        match self {
            ListingError::Status { given, known, .. } => listed(given, known),
            ListingError::Priority { known, .. } => format!(
                "use one of: {}",
                known
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ListingError::Field { field, known, .. } => format!(
                "{}dotted keys reach into a field (`reporter.party`); `arende schema KIND` lists the fields",
                nearest(field, known)
            ),
            ListingError::Value { value, known, .. } => listed(value, known),
        }
    }
}

/// "did you mean `x`? ": a word that begins with what was typed (`prio` →
/// `priority`), else the nearest by edit distance.
fn nearest(given: &str, known: &[String]) -> String {
    let lower = given.to_lowercase();
    match known
        .iter()
        .find(|k| lower.len() >= 3 && k.to_lowercase().starts_with(&lower))
    {
        Some(k) => format!("did you mean `{k}`? "),
        None => crate::suggest::did_you_mean(given, known.iter().map(String::as_str)),
    }
}

impl Ask<'_> {
    /// The query and the statuses to keep (as the records spell them),
    /// once every word asked for is one the kinds listed know.
    pub fn check(self, policy: &Policy) -> Result<(Query, Vec<String>), ListingError> {
        let kinds: Vec<Kind> = if self.kinds.is_empty() {
            Kind::ALL.to_vec()
        } else {
            self.kinds.to_vec()
        };
        let named = (!self.kinds.is_empty()).then(|| {
            kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or ")
        });
        let statuses = self
            .statuses
            .iter()
            .map(|s| status(&kinds, named.as_deref(), s))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(p) = self.priority {
            let known: Vec<u8> = policy.priorities.iter().map(|l| l.level).collect();
            if !known.contains(&p) {
                return Err(ListingError::Priority {
                    given: p,
                    pack: policy.name.clone(),
                    known,
                });
            }
        }
        let mut filters = Vec::with_capacity(self.filters.len());
        for (key, value) in self.filters {
            field(&kinds, named.as_deref(), &key)?;
            let value = if value.is_empty() {
                value
            } else {
                known_value(&kinds, &key, value)?
            };
            filters.push((key, value));
        }
        if let Some(sort) = self.sort {
            field(
                &kinds,
                named.as_deref(),
                sort.strip_prefix('-').unwrap_or(sort),
            )?;
        }
        Ok((Query::new(filters, self.sort), statuses))
    }
}

/// The status `given` means (in any case), if one of the kinds has it.
fn status(kinds: &[Kind], named: Option<&str>, given: &str) -> Result<String, ListingError> {
    let mut known: Vec<String> = Vec::new();
    for kind in kinds {
        for s in crate::record::statuses(*kind) {
            if !known.iter().any(|k| k == s) {
                known.push((*s).to_owned());
            }
        }
    }
    known
        .iter()
        .find(|s| s.eq_ignore_ascii_case(given.trim()))
        .cloned()
        .ok_or_else(|| ListingError::Status {
            given: given.to_owned(),
            kinds: named.map(str::to_owned),
            known,
        })
}

/// Refuses a dotted field none of the kinds has.
fn field(kinds: &[Kind], named: Option<&str>, key: &str) -> Result<(), ListingError> {
    if kinds
        .iter()
        .any(|k| crate::schema::field_shape(*k, key).is_some())
    {
        return Ok(());
    }
    let mut known: Vec<String> = Vec::new();
    for kind in kinds {
        for f in crate::schema::top_level_fields(*kind) {
            if !known.contains(&f) {
                known.push(f);
            }
        }
    }
    Err(ListingError::Field {
        field: key.to_owned(),
        kinds: named.map(str::to_owned),
        known,
    })
}

/// The value of an enumerated field as the records spell it (`High` →
/// `high`); a field that is not enumerated takes any text.
fn known_value(kinds: &[Kind], key: &str, value: String) -> Result<String, ListingError> {
    let mut known: Vec<String> = Vec::new();
    for kind in kinds {
        let Some(shape) = crate::schema::field_shape(*kind, key) else {
            continue;
        };
        if shape.values.is_empty() {
            return Ok(value);
        }
        for v in shape.values {
            if !known.contains(&v) {
                known.push(v);
            }
        }
    }
    match known.iter().find(|k| k.eq_ignore_ascii_case(value.trim())) {
        Some(k) => Ok(k.clone()),
        None => Err(ListingError::Value {
            field: key.to_owned(),
            value,
            known,
        }),
    }
}

/// The fields a listing filters on and the field it sorts by.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Dotted keys and the text each must show.
    filters: Vec<(String, String)>,
    /// The field to sort by, and whether from the largest down.
    sort: Option<(String, bool)>,
}

impl Query {
    /// Records whose every `filters` key shows its value, sorted by the
    /// `sort` field (`-field`: descending) or else kept in ID order.
    pub fn new(filters: Vec<(String, String)>, sort: Option<&str>) -> Query {
        let sort = sort.map(|s| match s.strip_prefix('-') {
            Some(field) => (field.to_owned(), true),
            None => (s.to_owned(), false),
        });
        Query { filters, sort }
    }

    /// Whether every record is shown in ID order, so no document need be read.
    pub fn by_id(&self) -> bool {
        self.filters.is_empty() && self.sort.is_none()
    }

    /// A record's sort key, or `None` if a filter leaves it out. An empty
    /// value (`--where field=`) keeps the records without the field.
    pub fn key(&self, doc: &Value) -> Option<String> {
        let matches = self.filters.iter().all(|(key, want)| {
            let shown = shown(doc, key);
            if want.is_empty() {
                shown.is_none_or(|s| s.trim().is_empty())
            } else {
                shown.as_deref() == Some(want.as_str())
            }
        });
        matches.then(|| match &self.sort {
            // An absent field sorts as empty text.
            Some((field, _)) => shown(doc, field).unwrap_or_default(),
            None => String::new(),
        })
    }

    /// The indexes of the records to show, in order, given each record's
    /// [`key`](Self::key) (`None`: left out, or no longer readable). Records
    /// with equal keys keep their order.
    pub fn order(&self, keys: impl IntoIterator<Item = Option<String>>) -> Vec<usize> {
        let mut kept: Vec<(usize, String)> = keys
            .into_iter()
            .enumerate()
            .filter_map(|(i, k)| Some((i, k?)))
            .collect();
        if let Some((_, descending)) = self.sort {
            kept.sort_by(|(_, a), (_, b)| {
                let ord = compare(a, b);
                if descending { ord.reverse() } else { ord }
            });
        }
        kept.into_iter().map(|(i, _)| i).collect()
    }
}

/// The field at the dotted `key`, as people read it; `None` if absent.
fn shown(doc: &Value, key: &str) -> Option<String> {
    doc.as_mapping()
        .and_then(|m| document::get(m, key))
        .map(document::display)
}

/// Numbers as numbers, the rest as text.
fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Value {
        Value::Mapping(crate::yaml::parse_mapping(std::path::Path::new("t.yaml"), yaml).unwrap())
    }

    #[test]
    fn filters_leave_records_out_and_the_sort_keeps_ties_in_order() {
        let q = Query::new(vec![("tickets.kund".into(), "4711".into())], Some("-prio"));
        let keys = [
            doc("prio: 2\ntickets: {kund: '4711'}\n"),
            doc("prio: 10\ntickets: {kund: '4711'}\n"),
            doc("prio: 3\n"),
            doc("prio: 2\ntickets: {kund: 4711}\n"),
        ]
        .iter()
        .map(|d| q.key(d))
        .collect::<Vec<_>>();
        assert_eq!(keys[2], None);
        assert_eq!(q.order(keys), [1, 0, 3]);
    }
}
