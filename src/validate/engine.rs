//! Evaluates a pack's rules on one record. Generic: it knows the predicate
//! vocabulary of [`Predicate`], nothing of any particular rule.

use crate::classify;
use crate::id::RecordId;
use crate::policy::rule::{ApprovedBefore, ConflictTest, LinkedAll, LinkedField};
use crate::policy::{Facts, Policy, Predicate, Rule, Severity, StepState, Test};
use crate::record::{Record, document};
use crate::schedule::Conflict;
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
    /// The repository's standard-change register.
    pub register: &'a super::StandardRegister,
    /// Other records.
    pub lookup: &'a dyn Lookup,
    /// The people registry, where the repository has one (approvals that
    /// name a person are judged against it).
    pub people: Option<&'a crate::people::Registry>,
    /// The change calendar, where the command reads it: without one, no
    /// conflict in it is found.
    pub calendar: Option<&'a dyn Calendar>,
}

/// The change calendar, for the rules about when changes are carried out
/// (`no_conflict`).
pub trait Calendar: Sync {
    /// The conflicts of `record` of the kind `test` asks about.
    fn conflicts(&self, test: &ConflictTest, record: &Record) -> Vec<Conflict>;
}

impl Calendar for crate::schedule::Schedule<'_> {
    fn conflicts(&self, test: &ConflictTest, record: &Record) -> Vec<Conflict> {
        crate::schedule::Schedule::conflicts(self, test, record)
    }
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
        (None, Test::LinkedAll(la) | Test::LinkedAny(la)) => format!("links.{}", la.links),
        (None, Test::ApprovedBefore(_)) => "approvals".to_owned(),
        (None, Test::NoConflict(c)) => match c.kind {
            crate::policy::rule::ConflictKind::Rollout => "rollout_window".to_owned(),
            _ => "service_window".to_owned(),
        },
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
    let mut help = Some(rule.fix(failed, &facts(cx, failed, map, record)));
    if let Test::Derived = &failed.test
        && let Some(problem) = classify::problems(cx.policy, record)
            .into_iter()
            .find(|(f, _)| Some(*f) == failed.field.as_deref())
    {
        message = format!("{message} ({})", problem.1);
    }
    message = timed_message(cx, failed, record, message);
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
        help: help.map(|h| crate::policy::rule::with_id(&h, &record.common.id.to_string())),
        clause: Some(rule.grounds()),
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
    let (fields, rejected) = match step.state(&record.common.approvals, map) {
        StepState::Stale { fields, .. } => (fields, false),
        StepState::Rejected(_) => (step.covers.clone(), true),
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
    // A record already back where the decision is taken, or moving on
    // from there (the move being judged), is not sent back again; a
    // rejected one may end where the machine allows it from there.
    let history = &record.common.history;
    let moving_on = history.last().and_then(|e| e.status.as_deref()) == Some(record.status())
        && history
            .iter()
            .rev()
            .skip(1)
            .find_map(|e| e.status.as_deref())
            == back;
    let at_decision = back == Some(record.status()) || moving_on;
    let give_up = back
        .map(|b| machine.next(b))
        .unwrap_or_default()
        .iter()
        .find(|s| s.as_str() == "rejected")
        .map(|s| format!("; or end it there: arende status ID {s}"))
        .unwrap_or_default();
    Some(match (rejected, back) {
        (true, Some(back)) if at_decision => format!(
            "`{}` was rejected: a new decision is taken with the record {back}: change what the decision asked for, then {redo}{give_up}",
            step.id
        ),
        (true, Some(back)) => format!(
            "`{}` was rejected: return the record for a new decision (arende status ID {back}), change it, then {redo}",
            step.id
        ),
        (false, _) if at_decision => format!(
            "the approval of `{}` covers {}: ask again ({redo}), or put the old value back",
            step.id,
            fields.join(", ")
        ),
        (false, Some(back)) => format!(
            "the approval of `{}` covers {}: to change it, return the record for a new decision (arende status ID {back}), edit it, then {redo}; or put the old value back",
            step.id,
            fields.join(", ")
        ),
        (_, None) => format!(
            "the approval of `{}` covers {}: put the old value back, or {redo}",
            step.id,
            fields.join(", ")
        ),
    })
}

/// What the help of a broken test names: the approval commands, the linked
/// records and their values, the register, the derived value.
fn facts(cx: &Context<'_>, p: &Predicate, map: &Mapping, record: &Record) -> Facts {
    let show = |doc: &Value, field: &str| {
        doc.as_mapping()
            .and_then(|m| document::get(m, field))
            .filter(|v| !v.is_null())
            .map(document::display)
    };
    let linked = |key: &str, field: &str| -> Vec<(String, Option<String>)> {
        document::get(map, &format!("links.{key}"))
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|id| id.as_str().and_then(|s| RecordId::parse(s).ok()))
            .filter_map(|id| {
                cx.lookup
                    .document(&id)
                    .map(|doc| (id.to_string(), show(&doc, field)))
            })
            .collect()
    };
    let field = p.field.as_deref().unwrap_or_default();
    let mut facts = Facts {
        value: p
            .field
            .as_deref()
            .and_then(|f| show(&Value::Mapping(map.clone()), f)),
        register: cx.register.counting(cx.policy, &record.common.opened_at),
        ..Facts::default()
    };
    if let (Test::InRegister, Some(v)) = (&p.test, &facts.value) {
        facts.unagreed = cx
            .register
            .judge(cx.policy, v, &record.common.opened_at)
            .err()
            .map(|why| why.to_string());
    }
    match &p.test {
        Test::Approved(steps)
        | Test::ApprovedBefore(crate::policy::rule::ApprovedBefore { steps, .. }) => {
            facts.approve = steps
                .iter()
                .filter_map(|s| cx.policy.step(record.kind(), s))
                .map(|s| {
                    format!(
                        "arende approve ID --by {} --step {}",
                        s.parties.join("|"),
                        s.id
                    )
                })
                .collect();
        }
        Test::LinkedAll(la) | Test::LinkedAny(la) => facts.linked = linked(&la.links, &la.field),
        Test::SameAsLinked(sources) => {
            facts.linked = sources
                .iter()
                .flat_map(|s| linked(&s.links, &s.field))
                .collect();
        }
        Test::Derived => {
            facts.derived = classify::derive(cx.policy, record)
                .into_iter()
                .find(|d| d.field == field)
                .map(|d| document::display(&d.value));
        }
        _ => {}
    }
    facts
}

/// Whether a predicate holds for a record.
pub fn holds(cx: &Context<'_>, map: &Mapping, record: &Record, p: &Predicate) -> bool {
    let field = p.field.as_deref().unwrap_or_default();
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
        Test::InRegister => value.is_none_or(|v| {
            cx.register
                .judge(cx.policy, &document::display(v), &record.common.opened_at)
                .is_ok()
        }),
        Test::Derived => follows_derivation(cx, record, field, value),
        // A step counts only where it applies: a fast-track approval does
        // not stand in for the change forum's on a normal change.
        Test::Approved(steps) => steps.iter().any(|s| {
            applying_step_state(cx, map, record, s).is_some_and(|state| state.is_approved())
        }),
        Test::Reached(status) => has_reached(record, status.as_str()),
        Test::NotedChanges => changes_noted(record, field),
        Test::Linked(key) => document::get(map, &format!("links.{key}"))
            .and_then(Value::as_sequence)
            .is_some_and(|s| !s.is_empty()),
        // A dangling link is its own finding (REPO003), not this rule's.
        Test::LinkedAll(la) => linked_hold(cx, map, la, true),
        Test::LinkedAny(la) => linked_hold(cx, map, la, false),
        Test::RegisteredOneOf(options) => registered_value(record, field, value)
            .is_some_and(|v| options.iter().any(|o| same(&v, o))),
        // Absent values are for `present` to judge; a linked record without
        // the field says nothing against it.
        Test::SameAsLinked(sources) => value.is_none_or(|v| {
            let given = linked_values(cx, map, sources);
            given.is_empty() || given.iter().any(|o| same(v, o))
        }),
        Test::CountAtMost(n) => match value {
            Some(Value::Sequence(s)) => s.len() <= *n,
            Some(_) => *n >= 1,
            None => true,
        },
        Test::ApprovedBefore(a) => approved_before(cx, map, record, a),
        Test::NoConflict(t) => cx
            .calendar
            .is_none_or(|c| c.conflicts(t, record).is_empty()),
        Test::BeforeReached(b) => value
            .map(document::display)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .is_none_or(|t| {
                let days = chrono::Duration::days(i64::from(b.days));
                t.checked_add_signed(days)
                    .is_some_and(|t| t <= first_reached(record, b.status.as_str()))
            }),
    }
}

/// Whether a field holds the value the pack derives for it (or the pack
/// derives none).
fn follows_derivation(
    cx: &Context<'_>,
    record: &Record,
    field: &str,
    value: Option<&Value>,
) -> bool {
    // A value that cannot be derived (a measurements file missing
    // or malformed) cannot be shown to follow.
    if classify::problems(cx.policy, record)
        .iter()
        .any(|(f, _)| *f == field)
    {
        return false;
    }
    classify::derive(cx.policy, record)
        .iter()
        .find(|d| d.field == field)
        .is_none_or(|d| value.is_some_and(|v| same(v, &d.value)))
}

/// The state of an approval step on a record, if the pack has the step for
/// the record's kind and its `when` holds.
fn applying_step_state<'r>(
    cx: &Context<'_>,
    map: &Mapping,
    record: &'r Record,
    step: &str,
) -> Option<StepState<'r>> {
    let step = cx.policy.step(record.kind(), step)?;
    if !step.when.iter().all(|p| holds(cx, map, record, p)) {
        return None;
    }
    Some(step.state(&record.common.approvals, map))
}

/// Whether one of the steps was approved, and is still in force, by the
/// time the record first reached the status (and, where the test names
/// one, once its history had reached the status the approval must follow).
fn approved_before(cx: &Context<'_>, map: &Mapping, record: &Record, a: &ApprovedBefore) -> bool {
    let deadline = first_reached(record, a.status.as_str());
    let ready = match a.after {
        Some(after) => match record
            .common
            .history
            .iter()
            .find(|e| e.status.as_deref() == Some(after.as_str()))
        {
            Some(e) => Some(e.at),
            None => return false,
        },
        None => None,
    };
    a.steps.iter().any(|s| {
        applying_step_state(cx, map, record, s).is_some_and(|state| match state {
            StepState::Approved(approval) => {
                approval.at <= deadline && ready.is_none_or(|r| approval.at >= r)
            }
            _ => false,
        })
    })
}

/// Whether a record is in a status or has been in it.
fn has_reached(record: &Record, status: &str) -> bool {
    record.status() == status
        || record
            .common
            .history
            .iter()
            .any(|e| e.status.as_deref() == Some(status))
}

/// Whether every change of a set value of `field` has a note, or came
/// with other changes that explain it.
fn changes_noted(record: &Record, field: &str) -> bool {
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

/// Whether a (linked) record's field holds one of the values wanted.
fn field_is_one_of(doc: &Value, field: &str, wanted: &[Value]) -> bool {
    doc.as_mapping()
        .and_then(|m| document::get(m, field))
        .is_some_and(|v| wanted.iter().any(|w| same(v, w)))
}

/// The set values of the linked records' fields, every source in turn.
fn linked_values(cx: &Context<'_>, map: &Mapping, sources: &[LinkedField]) -> Vec<Value> {
    sources
        .iter()
        .flat_map(|s| {
            linked_docs(cx, map, &s.links)
                .into_iter()
                .filter_map(|doc| {
                    doc.as_mapping()
                        .and_then(|m| document::get(m, &s.field))
                        .filter(|o| !o.is_null())
                        .cloned()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The message of a broken test about time, with what it found: the
/// calendar's conflicts, naming the other change and the overlap; the
/// approval missing before a status.
fn timed_message(cx: &Context<'_>, failed: &Predicate, record: &Record, message: String) -> String {
    match (&failed.test, cx.calendar) {
        (Test::NoConflict(t), Some(c)) => {
            let found: Vec<String> = c.conflicts(t, record).into_iter().map(|c| c.text).collect();
            format!("{message}: {}", found.join("; "))
        }
        (Test::ApprovedBefore(a), _) => {
            let after = a
                .after
                .map_or(String::new(), |s| format!(" after it was {s} and"));
            format!(
                "{message} (no approval of `{}` in force given{after} before the record was {})",
                a.steps.join("` or `"),
                a.status
            )
        }
        _ => message,
    }
}

/// Whether every (`all`) or some linked record under the test's key has
/// one of its values (and is later than its `after` asks).
fn linked_hold(cx: &Context<'_>, map: &Mapping, la: &LinkedAll, all: bool) -> bool {
    let wanted: Vec<Value> = la.one_of.iter().map(json_to_yaml).collect();
    let after = linked_after(cx, map, la);
    let docs = linked_docs(cx, map, &la.links);
    let fits = |doc: &Value| field_is_one_of(doc, &la.field, &wanted) && after(doc);
    if all {
        docs.iter().all(fits)
    } else {
        docs.iter().any(fits)
    }
}

/// Whether a linked record is later than the test's `after` asks: its
/// time field after the earliest time of the records under the other key.
/// Without `after`, or with no such time to compare with, every record is;
/// a record without the time field is not.
fn linked_after<'a>(
    cx: &Context<'_>,
    map: &Mapping,
    la: &'a LinkedAll,
) -> impl Fn(&Value) -> bool + 'a {
    let time = |doc: &Value, field: &str| {
        doc.as_mapping()
            .and_then(|m| document::get(m, field))
            .and_then(|v| chrono::DateTime::parse_from_rfc3339(&document::display(v)).ok())
    };
    let first = la.after.as_ref().and_then(|a| {
        linked_docs(cx, map, &a.links)
            .iter()
            .filter_map(|doc| time(doc, &a.than))
            .min()
    });
    move |doc| match (&la.after, first) {
        (Some(a), Some(first)) => time(doc, &a.field).is_some_and(|t| t > first),
        _ => true,
    }
}

/// The documents of the records linked under a `links` key (those that exist).
fn linked_docs(cx: &Context<'_>, map: &Mapping, key: &str) -> Vec<Value> {
    document::get(map, &format!("links.{key}"))
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str().and_then(|s| RecordId::parse(s).ok()))
        .filter_map(|id| cx.lookup.document(&id))
        .collect()
}

/// When the record first reached a status, by its history. A record that
/// never did (or was filed by hand without the event) is judged against the
/// latest moment it knows of: its last event, or its registration.
fn first_reached(record: &Record, status: &str) -> crate::time::Timestamp {
    let events = &record.common.history;
    events
        .iter()
        .find(|e| e.status.as_deref() == Some(status))
        .or(events.iter().max_by_key(|e| e.at))
        .map_or(record.common.opened_at, |e| e.at)
}

/// A field's value at registration: the value the first recorded change of
/// it started from, else the value it has now. A first change from nothing
/// at the registration itself (the event that opened the record) set it at
/// registration.
fn registered_value(record: &Record, field: &str, now: Option<&Value>) -> Option<Value> {
    let opened = record.common.opened_at;
    for e in &record.common.history {
        if let Some(c) = e.changes.iter().find(|c| c.field == field) {
            if e.at <= opened && c.from.is_none() {
                return c.to.clone().filter(|v| !v.is_null());
            }
            return c.from.clone().filter(|v| !v.is_null());
        }
    }
    now.cloned()
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
