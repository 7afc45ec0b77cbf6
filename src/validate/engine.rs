//! Evaluates a pack's rules on one record. Generic: it knows the predicate
//! vocabulary of [`Predicate`], nothing of any particular rule.

use std::collections::BTreeSet;

use crate::classify;
use crate::id::RecordId;
use crate::policy::{Policy, Predicate, Rule, Severity};
use crate::record::{Record, document};
use crate::yaml::{Mapping, Value};

/// Finds other records, for rules that look across links.
pub trait Lookup: Sync {
    /// The document of a record, if it exists.
    fn document(&self, id: &RecordId) -> Option<Value>;
}

/// What rules need besides the record itself.
pub struct Context<'a> {
    /// The policy in force.
    pub policy: &'a Policy,
    /// IDs of the repository's standard-change register.
    pub register: &'a BTreeSet<String>,
    /// Other records.
    pub lookup: &'a dyn Lookup,
}

/// A broken rule on one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The rule's ID.
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// The field to point at.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The seed clause, as `seed §section`.
    pub clause: Option<String>,
}

/// Every rule of the policy the record breaks.
pub fn check(cx: &Context<'_>, doc: &Value, record: &Record) -> Vec<Violation> {
    let Some(map) = doc.as_mapping() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rule in cx.policy.rules.iter().filter(|r| r.kind == record.kind()) {
        if !rule.when.iter().all(|p| holds(cx, map, record, p)) {
            continue;
        }
        if let Some(failed) = rule.require.iter().find(|p| !holds(cx, map, record, p)) {
            out.push(violation(rule, failed, map));
        }
    }
    out
}

fn violation(rule: &Rule, failed: &Predicate, map: &Mapping) -> Violation {
    let field = match (
        &failed.field,
        &failed.approved_by,
        &failed.linked,
        &failed.linked_all,
    ) {
        (Some(f), ..) => f.clone(),
        (None, Some(_), ..) => "approvals".to_owned(),
        (None, None, Some(key), _) => format!("links.{key}"),
        (None, None, None, Some(la)) => format!("links.{}", la.links),
        _ => "id".to_owned(),
    };
    // Point at the field if it is there, else at what made the rule apply.
    let field = if document::get(map, &field).is_some() {
        field
    } else {
        rule.when
            .iter()
            .filter_map(|p| p.field.clone())
            .find(|f| document::get(map, f).is_some())
            .unwrap_or(field)
    };
    Violation {
        rule: rule.id.clone(),
        severity: rule.severity,
        field,
        message: rule.message.clone(),
        help: rule.help.clone().or_else(|| default_help(failed)),
        clause: Some(format!(
            "seed {} {}: \"{}\"",
            rule.clause.seed, rule.clause.section, rule.clause.words
        )),
    }
}

fn default_help(p: &Predicate) -> Option<String> {
    let field = p.field.as_deref().unwrap_or_default();
    if let Some(v) = &p.equals {
        return Some(format!("set `{field}: {}`", document::display(v)));
    }
    if let Some(vs) = &p.one_of {
        return Some(format!(
            "`{field}` must be one of: {}",
            vs.iter()
                .map(document::display)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if p.present == Some(true) {
        return Some(format!("fill in `{field}`"));
    }
    if let Some(party) = &p.approved_by {
        return Some(match &p.step {
            Some(step) => {
                format!("record the approval: arende approve ID --by {party} --step {step}")
            }
            None => format!("record the approval: arende approve ID --by {party}"),
        });
    }
    if let Some(key) = &p.linked {
        return Some(format!(
            "link the record to one of its {key}: arende link ID OTHER"
        ));
    }
    None
}

/// Whether a predicate holds for a record.
pub fn holds(cx: &Context<'_>, map: &Mapping, record: &Record, p: &Predicate) -> bool {
    let value = p
        .field
        .as_deref()
        .and_then(|f| document::get(map, f))
        .filter(|v| !v.is_null());
    if let Some(want) = &p.equals {
        return value.is_some_and(|v| same(v, want));
    }
    if let Some(options) = &p.one_of {
        return value.is_some_and(|v| options.iter().any(|o| same(v, o)));
    }
    if let Some(want) = p.present {
        return is_present(value) == want;
    }
    if let Some(pattern) = &p.matches {
        // Absent values are for `present` to judge.
        return value.is_none_or(|v| {
            cx.policy
                .pattern(pattern)
                .is_some_and(|re| re.is_match(&document::display(v)))
        });
    }
    if let Some(other) = &p.at_most_field {
        let limit = document::get(map, other).and_then(Value::as_f64);
        return match (value.and_then(Value::as_f64), limit) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
    }
    if p.in_register.is_some() {
        return value.is_none_or(|v| cx.register.contains(&document::display(v)));
    }
    if p.derived.is_some() {
        let field = p.field.as_deref().unwrap_or_default();
        return classify::derive(cx.policy, record)
            .iter()
            .find(|d| d.field == field)
            .is_none_or(|d| value.is_some_and(|v| same(v, &d.value)));
    }
    if let Some(party) = &p.approved_by {
        return record.common.approvals.iter().any(|a| {
            a.by == *party
                && a.decision == crate::record::Decision::Approved
                && p.step.as_ref().is_none_or(|s| a.step.as_ref() == Some(s))
        });
    }
    if p.noted_changes.is_some() {
        let field = p.field.as_deref().unwrap_or_default();
        return record.common.history.iter().all(|e| {
            let changed = e
                .changes
                .iter()
                .any(|c| c.field == field && c.from.as_ref().is_some_and(|v| !v.is_null()));
            let noted = e.note.as_deref().is_some_and(|n| !n.trim().is_empty());
            let explained = e.changes.iter().any(|c| c.field != field);
            !changed || noted || explained
        });
    }
    if let Some(key) = &p.linked {
        return document::get(map, &format!("links.{key}"))
            .and_then(Value::as_sequence)
            .is_some_and(|s| !s.is_empty());
    }
    if let Some(la) = &p.linked_all {
        let ids = document::get(map, &format!("links.{}", la.links)).and_then(Value::as_sequence);
        let wanted: Vec<Value> = la.one_of.iter().map(json_to_yaml).collect();
        return ids.into_iter().flatten().all(|id| {
            let Some(id) = id.as_str().and_then(|s| RecordId::parse(s).ok()) else {
                return true;
            };
            // A dangling link is its own finding (REPO003), not this rule's.
            cx.lookup.document(&id).is_none_or(|doc| {
                doc.as_mapping()
                    .and_then(|m| document::get(m, &la.field))
                    .is_some_and(|v| wanted.iter().any(|w| same(v, w)))
            })
        });
    }
    true
}

fn is_present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Sequence(s)) => !s.is_empty(),
        Some(Value::Mapping(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

/// Equality as a person means it: `1` equals `1.0`, and text compares as text.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(x), Value::String(s)) | (Value::String(s), Value::Number(x)) => {
            x.to_string() == *s
        }
        _ => a == b,
    }
}

fn json_to_yaml(v: &serde_json::Value) -> Value {
    crate::yaml::to_value(v)
}
