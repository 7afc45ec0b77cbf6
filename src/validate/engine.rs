//! Evaluates a pack's rules on one record. Generic: it knows the predicate
//! vocabulary of [`Predicate`], nothing of any particular rule.

use std::collections::BTreeSet;

use crate::classify;
use crate::id::RecordId;
use crate::policy::{Policy, Predicate, Rule, Severity, StepState, Test};
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
            out.push(violation(cx, rule, failed, map, record));
        }
    }
    out
}

fn violation(
    cx: &Context<'_>,
    rule: &Rule,
    failed: &Predicate,
    map: &Mapping,
    record: &Record,
) -> Violation {
    let field = match (&failed.field, &failed.test) {
        (Some(f), _) => f.clone(),
        (None, Test::Approved(_)) => "approvals".to_owned(),
        (None, Test::Reached(_)) => "history".to_owned(),
        (None, Test::Linked(key)) => format!("links.{key}"),
        (None, Test::LinkedAll(la)) => format!("links.{}", la.links),
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
    let mut message = rule.message.clone();
    let mut help = rule
        .help
        .clone()
        .or_else(|| default_help(cx, record.kind(), failed));
    if let Test::Approved(steps) = &failed.test {
        if let Some(redo) = steps
            .iter()
            .filter_map(|s| cx.policy.step(record.kind(), s))
            .find_map(|s| stale_help(cx, record, map, s))
        {
            help = Some(redo);
        }
        // Only the steps that apply to this record say why they are missing.
        let why: Vec<String> = steps
            .iter()
            .filter_map(|s| cx.policy.step(record.kind(), s))
            .filter(|s| s.when.iter().all(|p| holds(cx, map, record, p)))
            .map(|s| s.state(&record.common.approvals, map).explain(s))
            .collect();
        if !why.is_empty() {
            message = format!("{message} ({})", why.join("; "));
        }
    }
    Violation {
        rule: rule.id.clone(),
        severity: rule.severity,
        field,
        message,
        help,
        clause: Some(format!(
            "seed {} {}: \"{}\"",
            rule.clause.seed, rule.clause.section, rule.clause.words
        )),
    }
}

/// How to get a new decision when an approval went stale or was revoked:
/// back to a status
/// before the one the step gates, edit, and approve again.
fn stale_help(
    cx: &Context<'_>,
    record: &Record,
    map: &Mapping,
    step: &crate::policy::ApprovalStep,
) -> Option<String> {
    let fields = match step.state(&record.common.approvals, map) {
        StepState::Stale { fields, .. } => fields,
        StepState::Rejected(_) => step.covers.clone(),
        _ => return None,
    };
    let machine = cx.policy.machine(record.kind());
    let back = machine
        .transitions
        .iter()
        .find(|(from, to)| to.contains(&step.gates) && *from != &step.gates)
        .map(|(from, _)| from.as_str());
    let redo = format!(
        "arende approve ID --by {} --step {}",
        step.parties.join("|"),
        step.id
    );
    Some(match back {
        Some(back) => format!(
            "the approval of `{}` covers {}: to change it, return the record for a new decision (arende status ID {back}), edit it, then {redo}; or put the old value back",
            step.id,
            fields.join(", ")
        ),
        None => format!(
            "the approval of `{}` covers {}: put the old value back, or {redo}",
            step.id,
            fields.join(", ")
        ),
    })
}

fn default_help(cx: &Context<'_>, kind: crate::kind::Kind, p: &Predicate) -> Option<String> {
    let field = p.field.as_deref().unwrap_or_default();
    match &p.test {
        Test::Equals(v) => Some(format!("set `{field}: {}`", document::display(v))),
        Test::OneOf(vs) => Some(format!(
            "`{field}` must be one of: {}",
            vs.iter()
                .map(document::display)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Test::Present(true) => Some(format!("fill in `{field}`")),
        Test::Present(false) => Some(format!("remove `{field}`")),
        Test::Approved(steps) => {
            let how: Vec<String> = steps
                .iter()
                .filter_map(|s| cx.policy.step(kind, s))
                .map(|s| {
                    format!(
                        "arende approve ID --by {} --step {}",
                        s.parties.join("|"),
                        s.id
                    )
                })
                .collect();
            Some(format!("record the approval: {}", how.join(", or ")))
        }
        Test::Linked(key) => Some(format!(
            "link the record to one of its {key}: arende link ID OTHER"
        )),
        _ => None,
    }
}

/// Whether a predicate holds for a record.
pub fn holds(cx: &Context<'_>, map: &Mapping, record: &Record, p: &Predicate) -> bool {
    let value = p
        .field
        .as_deref()
        .and_then(|f| document::get(map, f))
        .filter(|v| !v.is_null());
    match &p.test {
        Test::Equals(want) => value.is_some_and(|v| same(v, want)),
        Test::OneOf(options) => value.is_some_and(|v| options.iter().any(|o| same(v, o))),
        Test::Present(want) => is_present(value) == *want,
        // Absent values are for `present` to judge.
        Test::Matches(pattern) => value.is_none_or(|v| {
            cx.policy
                .pattern(pattern)
                .is_some_and(|re| re.is_match(&document::display(v)))
        }),
        Test::AtMostField(other) => {
            let limit = document::get(map, other).and_then(Value::as_f64);
            match (value.and_then(Value::as_f64), limit) {
                (Some(a), Some(b)) => a <= b,
                _ => true,
            }
        }
        Test::InRegister => value.is_none_or(|v| cx.register.contains(&document::display(v))),
        Test::Derived => {
            let field = p.field.as_deref().unwrap_or_default();
            classify::derive(cx.policy, record)
                .iter()
                .find(|d| d.field == field)
                .is_none_or(|d| value.is_some_and(|v| same(v, &d.value)))
        }
        // A step counts only where it applies: a fast-track approval does
        // not stand in for the change forum's on a normal change.
        Test::Approved(steps) => steps.iter().any(|s| {
            cx.policy.step(record.kind(), s).is_some_and(|step| {
                step.when.iter().all(|p| holds(cx, map, record, p))
                    && step.state(&record.common.approvals, map).is_approved()
            })
        }),
        Test::Reached(status) => {
            record.status() == status
                || record
                    .common
                    .history
                    .iter()
                    .any(|e| e.status.as_deref() == Some(status.as_str()))
        }
        Test::NotedChanges => {
            let field = p.field.as_deref().unwrap_or_default();
            record.common.history.iter().all(|e| {
                let changed = e
                    .changes
                    .iter()
                    .any(|c| c.field == field && c.from.as_ref().is_some_and(|v| !v.is_null()));
                let noted = e.note.as_deref().is_some_and(|n| !n.trim().is_empty());
                let explained = e.changes.iter().any(|c| c.field != field);
                !changed || noted || explained
            })
        }
        Test::Linked(key) => document::get(map, &format!("links.{key}"))
            .and_then(Value::as_sequence)
            .is_some_and(|s| !s.is_empty()),
        Test::LinkedAll(la) => {
            let ids =
                document::get(map, &format!("links.{}", la.links)).and_then(Value::as_sequence);
            let wanted: Vec<Value> = la.one_of.iter().map(json_to_yaml).collect();
            ids.into_iter().flatten().all(|id| {
                let Some(id) = id.as_str().and_then(|s| RecordId::parse(s).ok()) else {
                    return true;
                };
                // A dangling link is its own finding (REPO003), not this rule's.
                cx.lookup.document(&id).is_none_or(|doc| {
                    doc.as_mapping()
                        .and_then(|m| document::get(m, &la.field))
                        .is_some_and(|v| wanted.iter().any(|w| same(v, w)))
                })
            })
        }
    }
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
