//! The three-way merge of two record documents against their common base,
//! field by field. Pure: no files, no policy; [`super`] adds those.

use std::cmp::Ordering;

use crate::time::Timestamp;
use crate::yaml::{Mapping, Value};

/// A field both sides changed, each its own way.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The dotted field name.
    pub field: String,
    /// The field's own key (the last part of its dotted name).
    pub key: Value,
    /// Our value (`None`: we removed the field).
    pub ours: Option<Value>,
    /// Their value (`None`: they removed the field).
    pub theirs: Option<Value>,
}

/// The value a conflicted field holds in the merged document until it is
/// rendered: a string no record holds, found again by [`placeholder_index`].
pub(crate) fn placeholder(i: usize) -> Value {
    Value::String(format!("__arende_conflict_{i}__"))
}

/// Which conflict a placeholder string stands for.
pub(crate) fn placeholder_index(s: &str) -> Option<usize> {
    s.strip_prefix("__arende_conflict_")?
        .strip_suffix("__")?
        .parse()
        .ok()
}

/// Merges `ours` and `theirs`, both descended from `base`. A field one side
/// changed takes that side's value; a field both changed the same way takes
/// it once; `history`, `approvals` and the lists under `links` are merged as
/// sets (what either side added is kept, what either removed goes). A field
/// both changed differently is a [`Conflict`] and holds a placeholder.
/// The result does not depend on which side is "ours", up to key order.
pub fn merge_documents(
    base: &Mapping,
    ours: &Mapping,
    theirs: &Mapping,
) -> (Mapping, Vec<Conflict>) {
    let mut conflicts = Vec::new();
    let merged = merge_mapping("", base, ours, theirs, &mut conflicts);
    (merged, conflicts)
}

fn merge_mapping(
    prefix: &str,
    base: &Mapping,
    ours: &Mapping,
    theirs: &Mapping,
    conflicts: &mut Vec<Conflict>,
) -> Mapping {
    let mut out = Mapping::new();
    for key in key_order(ours, theirs, base) {
        let name = match key.as_str() {
            Some(k) if prefix.is_empty() => k.to_owned(),
            Some(k) => format!("{prefix}.{k}"),
            None => format!("{prefix}.?"),
        };
        let merged = merge_value(
            &name,
            &key,
            base.get(&key),
            ours.get(&key),
            theirs.get(&key),
            conflicts,
        );
        if let Some(v) = merged {
            out.insert(key, v);
        }
    }
    out
}

/// Ours' keys in ours' order; a key only theirs (or only the base) has goes
/// after the key it follows there.
fn key_order(ours: &Mapping, theirs: &Mapping, base: &Mapping) -> Vec<Value> {
    let mut keys: Vec<Value> = ours.keys().cloned().collect();
    for other in [theirs, base] {
        let mut after: Option<usize> = None;
        for k in other.keys() {
            match keys.iter().position(|x| x == k) {
                Some(i) => after = Some(i),
                None => {
                    let at = after.map_or(0, |i| i + 1);
                    keys.insert(at, k.clone());
                    after = Some(at);
                }
            }
        }
    }
    keys
}

fn merge_value(
    name: &str,
    key: &Value,
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    conflicts: &mut Vec<Conflict>,
) -> Option<Value> {
    if ours == theirs {
        return ours.cloned();
    }
    if ours == base {
        return theirs.cloned();
    }
    if theirs == base {
        return ours.cloned();
    }
    let empty = Mapping::new();
    if let (Some(b), Some(Some(o)), Some(Some(t))) = (as_map(base), as_map(ours), as_map(theirs)) {
        return Some(Value::Mapping(merge_mapping(
            name,
            b.unwrap_or(&empty),
            o,
            t,
            conflicts,
        )));
    }
    if is_set(name)
        && let (Some(b), Some(o), Some(t)) = (as_seq(base), as_seq(ours), as_seq(theirs))
    {
        return Some(Value::Sequence(merge_set(name, b, o, t)));
    }
    let i = conflicts.len();
    conflicts.push(Conflict {
        field: name.to_owned(),
        key: key.clone(),
        ours: ours.cloned(),
        theirs: theirs.cloned(),
    });
    Some(placeholder(i))
}

/// A mapping or nothing: `Some(None)` for an absent or empty field.
fn as_map(v: Option<&Value>) -> Option<Option<&Mapping>> {
    match v {
        None | Some(Value::Null) => Some(None),
        Some(Value::Mapping(m)) => Some(Some(m)),
        Some(_) => None,
    }
}

/// A list or nothing (an absent field is an empty list).
fn as_seq(v: Option<&Value>) -> Option<&[Value]> {
    match v {
        None | Some(Value::Null) => Some(&[]),
        Some(Value::Sequence(s)) => Some(s.as_slice()),
        Some(_) => None,
    }
}

/// The lists merged as sets: the record's events and approvals, and links.
fn is_set(name: &str) -> bool {
    matches!(name, "history" | "approvals")
        || name
            .strip_prefix("links.")
            .is_some_and(|rest| !rest.contains('.'))
}

/// What both sides kept of the base, in the base's order, then what either
/// side added, each once, ordered by time (`at`) and then by content, so
/// that the order does not depend on which side is which.
fn merge_set(name: &str, base: &[Value], ours: &[Value], theirs: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = base
        .iter()
        .filter(|v| ours.contains(v) && theirs.contains(v))
        .cloned()
        .collect();
    let mut added: Vec<Value> = Vec::new();
    for v in ours.iter().chain(theirs) {
        if !base.contains(v) && !added.contains(v) {
            added.push(v.clone());
        }
    }
    let timed = matches!(name, "history" | "approvals");
    added.sort_by(|a, b| {
        let by_time = if timed {
            compare_times(time_of(a), time_of(b))
        } else {
            Ordering::Equal
        };
        by_time.then_with(|| canonical(a).cmp(&canonical(b)))
    });
    // Within one set, an entry both sides hold once is enough; and a
    // partner's event that two clones each read (`arende sync`, at its own
    // time) is one event.
    for v in added {
        let synced_twice = name == "history" && out.iter().any(|o| same_remote_event(o, &v));
        if !out.contains(&v) && !synced_twice {
            out.push(v);
        }
    }
    out
}

/// Whether two history entries record the same event of a partner's.
fn same_remote_event(a: &Value, b: &Value) -> bool {
    let remote = |v: &Value| -> Option<crate::record::Remote> {
        crate::yaml::from_value(v.as_mapping()?.get("remote")?).ok()
    };
    match (remote(a), remote(b)) {
        (Some(a), Some(b)) => a.same_event(&b),
        _ => false,
    }
}

fn time_of(v: &Value) -> Option<Timestamp> {
    let at = v.as_mapping()?.get("at")?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(at).ok()
}

/// Timed entries first by time; one without a readable time goes last.
fn compare_times(a: Option<Timestamp>, b: Option<Timestamp>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn canonical(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> Mapping {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn different_fields_merge_and_same_field_conflicts() {
        let base = map("a: 1\nb: 1\nc: {x: 1, y: 1}\n");
        let ours = map("a: 2\nb: 1\nc: {x: 2, y: 1}\n");
        let theirs = map("a: 1\nb: 3\nc: {x: 1, y: 3}\n");
        let (m, c) = merge_documents(&base, &ours, &theirs);
        assert!(c.is_empty());
        assert_eq!(m, map("a: 2\nb: 3\nc: {x: 2, y: 3}\n"));
        let theirs = map("a: 5\nb: 1\nc: {x: 1, y: 1}\n");
        let (_, c) = merge_documents(&base, &ours, &theirs);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "a");
    }

    #[test]
    fn links_are_sets_with_removals_honoured() {
        let base = map("links: {incidents: [A, B]}\n");
        let ours = map("links: {incidents: [B, C]}\n");
        let theirs = map("links: {incidents: [A, B, D]}\n");
        let (m, c) = merge_documents(&base, &ours, &theirs);
        assert!(c.is_empty());
        assert_eq!(m, map("links: {incidents: [B, C, D]}\n"));
    }

    #[test]
    fn history_is_a_union_by_time() {
        let base = map("history: [{at: '2026-01-01T00:00:00Z', n: 0}]\n");
        let ours = map(
            "history: [{at: '2026-01-01T00:00:00Z', n: 0}, {at: '2026-01-03T00:00:00Z', n: 2}]\n",
        );
        let theirs = map(
            "history: [{at: '2026-01-01T00:00:00Z', n: 0}, {at: '2026-01-02T00:00:00Z', n: 1}]\n",
        );
        let (m, _) = merge_documents(&base, &ours, &theirs);
        let (m2, _) = merge_documents(&base, &theirs, &ours);
        assert_eq!(m, m2);
        let ns: Vec<i64> = m["history"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| e["n"].as_i64().unwrap())
            .collect();
        assert_eq!(ns, [0, 1, 2]);
    }
}
