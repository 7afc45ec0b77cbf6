//! Dotted-path access to a record's YAML document.
//!
//! Commands change records by editing the parsed document in place, never by
//! re-serializing a typed struct: that way keys the tool does not know, and
//! their order, survive every rewrite.

use std::collections::{BTreeMap, BTreeSet};

use crate::yaml::{Mapping, Value};

/// The value at a dotted path (`tickets.kund`), if there is one.
pub fn get<'a>(doc: &'a Mapping, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut current = doc.get(parts.next()?)?;
    for part in parts {
        current = current.as_mapping()?.get(part)?;
    }
    Some(current)
}

/// The document as a mapping: one that is not (a fresh, empty document)
/// is made an empty mapping first.
pub fn mapping_mut(doc: &mut Value) -> &mut Mapping {
    if !doc.is_mapping() {
        *doc = Value::Mapping(Mapping::new());
    }
    match doc {
        Value::Mapping(m) => m,
        _ => unreachable!("made a mapping just above"),
    }
}

/// Why a value cannot be set at a dotted path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    /// No name at all.
    #[error("an empty field name")]
    EmptyPath,
    /// A step on the way holds a value that is not a mapping.
    #[error("`{through}` is not a mapping, so `{path}` cannot be set")]
    NotAMapping {
        /// The path up to the step that is not a mapping.
        through: String,
        /// The whole path.
        path: String,
    },
}

/// Sets the value at a dotted path, making the mappings on the way. Returns
/// the value it replaced. Fails, naming the key, where a step on the way is
/// not a mapping.
pub fn set(doc: &mut Mapping, path: &str, value: Value) -> Result<Option<Value>, SetError> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last().ok_or(SetError::EmptyPath)?;
    let mut current = doc;
    let mut walked = String::new();
    for part in parents {
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(part);
        let entry = current
            .entry(Value::String((*part).to_owned()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if entry.is_null() {
            *entry = Value::Mapping(Mapping::new());
        }
        current = entry
            .as_mapping_mut()
            .ok_or_else(|| SetError::NotAMapping {
                through: walked.clone(),
                path: path.to_owned(),
            })?;
    }
    Ok(current.insert(Value::String((*last).to_owned()), value))
}

/// Removes the value at a dotted path, returning it.
pub fn remove(doc: &mut Mapping, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last()?;
    let mut current = doc;
    for part in parents {
        current = current.get_mut(*part)?.as_mapping_mut()?;
    }
    current.remove(*last)
}

/// Renders a scalar for a table cell or a filter comparison.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(s) => s.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Mapping(_) | Value::Tagged(_) => crate::yaml::to_string(&{
            let mut m = Mapping::new();
            m.insert(Value::String("v".into()), value.clone());
            m
        })
        .trim_start_matches("v:")
        .trim()
        .to_owned(),
    }
}

/// One field's old and new value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldDiff {
    /// Dotted field name.
    pub field: String,
    /// The value at BASE (absent: not set).
    pub old: Option<String>,
    /// The value at HEAD (absent: removed).
    pub new: Option<String>,
}

/// The fields that differ between two versions of a record, in the order
/// the newer one lists them: scalars by dotted path, lists whole, `history`
/// left out (its events are shown as events).
pub fn diff(old: Option<&Mapping>, new: Option<&Mapping>) -> Vec<FieldDiff> {
    let mut a = BTreeMap::new();
    let mut b = BTreeMap::new();
    if let Some(m) = old {
        flatten("", m, &mut a);
    }
    if let Some(m) = new {
        flatten("", m, &mut b);
    }
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut order: Vec<String> = Vec::new();
    if let Some(m) = new.or(old) {
        collect_order("", m, &mut order);
    }
    let mut out: Vec<FieldDiff> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldDiff {
            field: k.clone(),
            old: a.get(k).cloned(),
            new: b.get(k).cloned(),
        })
        .collect();
    out.sort_by_key(|d| {
        order
            .iter()
            .position(|k| *k == d.field)
            .unwrap_or(usize::MAX)
    });
    out
}

fn flatten(prefix: &str, m: &Mapping, out: &mut BTreeMap<String, String>) {
    for (k, v) in m {
        let Some(k) = k.as_str() else { continue };
        let key = if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        };
        if key == "history" {
            continue;
        }
        match v {
            Value::Mapping(inner) => flatten(&key, inner, out),
            Value::Sequence(seq) if seq.iter().any(Value::is_mapping) => {
                out.insert(
                    key,
                    seq.iter()
                        // JSON holds no key that is a list (`? [a, b]`):
                        // such an entry is shown as YAML, never as nothing,
                        // so a change inside it still shows.
                        .map(|x| serde_json::to_string(x).unwrap_or_else(|_| display(x)))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
            other => {
                out.insert(key, display(other).trim_end().to_owned());
            }
        }
    }
}

fn collect_order(prefix: &str, m: &Mapping, out: &mut Vec<String>) {
    for (k, v) in m {
        let Some(k) = k.as_str() else { continue };
        let key = if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Mapping(inner) => collect_order(&key, inner, out),
            _ => out.push(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_inside_an_entry_json_cannot_hold_still_shows() {
        let doc = |x: &str| {
            crate::yaml::parse_mapping(
                std::path::Path::new("r.yaml"),
                &format!("approvals:\n- ? [a, b]\n  : {x}\n"),
            )
            .unwrap()
        };
        let (old, new) = (doc("one"), doc("two"));
        let changes = diff(Some(&old), Some(&new));
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].field, "approvals");
        assert!(
            changes[0].new.as_deref().unwrap().contains("two"),
            "{changes:?}"
        );
    }

    #[test]
    fn set_makes_the_way_and_keeps_siblings() {
        let mut doc = Mapping::new();
        set(&mut doc, "tickets.kund", Value::String("K-1".into())).unwrap();
        set(&mut doc, "tickets.agent", Value::String("A-1".into())).unwrap();
        assert_eq!(
            get(&doc, "tickets.kund"),
            Some(&Value::String("K-1".into()))
        );
        assert_eq!(
            get(&doc, "tickets.agent"),
            Some(&Value::String("A-1".into()))
        );
        set(&mut doc, "title", Value::String("x".into())).unwrap();
        assert!(set(&mut doc, "title.sub", Value::Null).is_err());
        assert_eq!(
            remove(&mut doc, "tickets.kund"),
            Some(Value::String("K-1".into()))
        );
        assert_eq!(get(&doc, "tickets.kund"), None);
    }
}
