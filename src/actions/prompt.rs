//! What a new record still lacks, and what it may be: the questions a
//! person at a terminal is asked (`arende new` on a TTY), and the `$EDITOR`
//! template that holds the same questions as comments. The policy is asked,
//! not a list per kind: the record as it stands is classified and checked in
//! memory, and every field a broken rule requires becomes a question, with
//! the rule's help and its seed clause. Beside those, the fields every pack
//! needs to classify and route a ticket (title; an incident's impact and
//! urgency, which give its priority; the reporting party; the channel) are
//! asked when the kind has them and they are empty.

use std::collections::BTreeSet;
use std::path::Path;

use super::NewRecord;
use super::assign::{self, PROTECTED};
use super::new::draft;
use crate::classify::apply_classification;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::policy::rule::{Predicate, Rule, Test};
use crate::record::{Level, Record, document};
use crate::schema;
use crate::validate::{self, StoreLookup, Violation};
use crate::workspace::Context;
use crate::yaml::{self, Mapping, Value};

/// One allowed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The value as the record stores it (`high`, `kund`).
    pub value: String,
    /// What it means, in the agreement's words where the pack has them.
    pub meaning: String,
}

/// One field to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The dotted field (`reporter.party`).
    pub field: String,
    /// What to ask, one line.
    pub label: String,
    /// Lines explaining the field: the rule's fix, the definitions, the clause.
    pub help: Vec<String>,
    /// The allowed values; empty when any value of the field's type goes.
    pub choices: Vec<Choice>,
    /// The answer an empty line gives; `None`: an empty line skips the field.
    pub default: Option<String>,
    /// The record cannot be filed without it (an empty answer is asked again).
    pub required: bool,
}

/// The questions for a new record of `kind` as `input` describes it, in the
/// order a person answers them. Fields in `settled` (answered, or skipped
/// by the person) are not asked again unless a broken error rule names them.
pub fn questions(
    cx: &Context<'_>,
    kind: Kind,
    input: &NewRecord,
    settled: &BTreeSet<String>,
) -> Result<Vec<Question>> {
    let policy = cx.ws.policy();
    let doc = draft(cx, kind, input)?;
    let empty = |field: &str| document::get(&doc, field).is_none_or(is_blank);
    let open = |field: &str| empty(field) && !settled.contains(field);
    let mut out: Vec<Question> = Vec::new();
    if empty("title") {
        out.push(Question {
            field: "title".into(),
            label: format!("Title of the {}", kind.name().replace('_', " ")),
            help: vec!["one line saying what is wrong or wanted".into()],
            choices: Vec::new(),
            default: None,
            required: true,
        });
    }
    let has = |field: &str| schema::field_shape(kind, field).is_some();
    if has("impact") && has("urgency") && empty("priority") {
        for field in ["impact", "urgency"] {
            if open(field) {
                out.push(level_question(policy, field, &doc));
            }
        }
    }
    if let Some(shape) = schema::field_shape(kind, "patient_safety")
        && !policy.patient_safety_priority.is_empty()
        && open("patient_safety")
    {
        out.push(patient_safety_question(policy, &shape.values));
    }
    if has("category") && !policy.change_categories.is_empty() && open("category") {
        out.push(category_question(policy));
    }
    if has("reporter.party") && open("reporter.party") {
        out.push(party_question(policy, kind));
    }
    if let Some(shape) = schema::field_shape(kind, "reported_via")
        && open("reported_via")
    {
        out.push(channel_question(policy, kind, &shape.values));
    }
    for (q, error_rule) in rule_questions(cx, kind, &doc)? {
        // An answer an error rule still refuses is asked again; a field the
        // person skipped is not (filing then says what is missing).
        let skipped = settled.contains(&q.field) && (empty(&q.field) || !error_rule);
        if skipped || out.iter().any(|o| o.field == q.field) {
            continue;
        }
        out.push(q);
    }
    Ok(out)
}

/// Reads a person's answer to `q`: `Ok(None)` skips the field, `Ok(Some)`
/// is the `key=value` assignment to file. A value a choice names by its
/// meaning's first word (`Kund`, `hög`) is taken as that choice.
pub fn answer(cx: &Context<'_>, kind: Kind, q: &Question, text: &str) -> Result<Option<String>> {
    let text = text.trim();
    let text = if text.is_empty() {
        match &q.default {
            Some(d) => d.as_str(),
            None if q.required => {
                return Err(Error::usage(
                    format!("`{}` is needed to file the {kind}", q.field),
                    Some(format!("type a value for {}", q.label)),
                ));
            }
            None => return Ok(None),
        }
    } else {
        text
    };
    let value = if q.choices.is_empty() {
        text.to_owned()
    } else {
        let found = q.choices.iter().find(|c| {
            c.value.eq_ignore_ascii_case(text)
                || c.meaning
                    .split([' ', ',', '—', ':'])
                    .next()
                    .is_some_and(|w| w.trim().to_lowercase() == text.to_lowercase())
        });
        match found {
            Some(c) => c.value.clone(),
            None => {
                return Err(Error::usage(
                    format!("`{text}` is not a value of `{}`", q.field),
                    Some(format!(
                        "answer one of: {}",
                        q.choices
                            .iter()
                            .map(|c| c.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ));
            }
        }
    };
    let assignment = format!("{}={value}", q.field);
    assign::parse_for(cx, kind, &assignment)?;
    Ok(Some(assignment))
}

/// The priority an incident's impact and urgency give, with its label and
/// the agreement's definition: what a person is shown once both are given.
pub fn priority_meaning(policy: &Policy, doc: &Mapping) -> Option<String> {
    let impact = level_of(doc, "impact")?;
    let urgency = level_of(doc, "urgency")?;
    let p = policy.priority_for(impact, urgency)?.get();
    Some(match policy.priority_level(p) {
        Some(l) => format!("priority {p} ({}): {}", l.label, one_line(&l.definition)),
        None => format!("priority {p}"),
    })
}

/// Whether a record of `kind` as `input` has it would be filed with no
/// priority because its impact or urgency is missing.
pub fn lacks_priority(cx: &Context<'_>, kind: Kind, input: &NewRecord) -> bool {
    let has = |field: &str| schema::field_shape(kind, field).is_some();
    if !(has("impact") && has("urgency")) {
        return false;
    }
    draft(cx, kind, input).is_ok_and(|doc| {
        document::get(&doc, "priority").is_none()
            && (level_of(&doc, "impact").is_none() || level_of(&doc, "urgency").is_none())
    })
}

/// The fields the kind's rules ask for only in some cases (a party's ticket
/// number, when that party reports), each with the case: for the editor
/// template, where no answer can raise the next question. Rules that wait
/// for a later status are left for then.
pub fn conditional(cx: &Context<'_>, kind: Kind, input: &NewRecord) -> Result<Vec<Question>> {
    let policy = cx.ws.policy();
    let doc = draft(cx, kind, input)?;
    let derived: BTreeSet<&str> = policy
        .rules
        .iter()
        .filter(|r| r.kind == kind)
        .flat_map(|r| &r.require)
        .filter(|p| matches!(p.test, Test::Derived))
        .filter_map(|p| p.field.as_deref())
        .collect();
    let mut out: Vec<Question> = Vec::new();
    for rule in policy.rules.iter().filter(|r| r.kind == kind) {
        if rule
            .when
            .iter()
            .any(|p| p.field.as_deref() == Some("status"))
        {
            continue;
        }
        let Some(case) = rule
            .when
            .iter()
            .map(describe)
            .collect::<Option<Vec<_>>>()
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        for p in &rule.require {
            let Some(field) = &p.field else { continue };
            let values: Vec<String> = match &p.test {
                Test::Present(true) => Vec::new(),
                Test::Equals(v) => vec![document::display(v)],
                Test::OneOf(vs) => vs.iter().map(document::display).collect(),
                _ => continue,
            };
            if document::get(&doc, field).is_some()
                || derived.contains(field.as_str())
                || schema::field_shape(kind, field).is_none()
                || PROTECTED
                    .iter()
                    .any(|(k, _)| field.split('.').next() == Some(k))
                || out.iter().any(|q| &q.field == field)
            {
                continue;
            }
            out.push(Question {
                field: field.clone(),
                label: format!("{} ({field}, when {})", rule.title, case.join(" and ")),
                help: vec![format!(
                    "{} ({}): {}",
                    rule.id,
                    rule.severity.as_str(),
                    rule.grounds_short()
                )],
                choices: values
                    .into_iter()
                    .map(|value| Choice {
                        value,
                        meaning: String::new(),
                    })
                    .collect(),
                default: None,
                required: false,
            });
        }
    }
    Ok(out)
}

/// A rule's condition in words, where it is a plain test of a field.
fn describe(p: &crate::policy::rule::Predicate) -> Option<String> {
    let field = p.field.as_deref()?;
    Some(match &p.test {
        Test::Equals(v) => format!("{field} is {}", document::display(v)),
        Test::OneOf(vs) | Test::RegisteredOneOf(vs) => format!(
            "{field} is {}",
            vs.iter()
                .map(document::display)
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Test::Present(true) => format!("{field} is set"),
        _ => return None,
    })
}

/// The first line of every editor template: [`read_template`] knows its own
/// template by it.
const TEMPLATE_HEAD: &str = "# arende new";

/// An `$EDITOR` template of a new record: the fields given so far, then
/// every question's field, empty, under comments saying what it is and what
/// it may be.
pub fn template(kind: Kind, given: &Mapping, questions: &[Question]) -> String {
    let mut out = format!(
        "{TEMPLATE_HEAD} {kind}: fill in the fields, save and quit.\n\
         # A field left empty is not stored. Every line starting with `#` is\n\
         # dropped on save (yours too: write notes in `description`).\n\
         # Quit without saving, or empty the file, to file nothing.\n"
    );
    let mut given = given.clone();
    for key in ["title", "description"] {
        match given.remove(key) {
            Some(value) => {
                let mut one = Mapping::new();
                one.insert(key.into(), value);
                out.push_str(&yaml::to_string(&one));
            }
            None => out.push_str(&format!("{key}: \n")),
        }
    }
    if !given.is_empty() {
        out.push_str(&yaml::to_string(&given));
    }
    // Nested fields are written dotted (`tickets.kund:`), which reads back
    // as nesting: no key is written twice, whatever was given.
    for q in questions.iter().filter(|q| q.field != "title") {
        out.push_str(&format!("# {}\n", q.label));
        for line in &q.help {
            out.push_str(&format!("#   {line}\n"));
        }
        if q.choices.iter().all(|c| c.meaning.is_empty()) {
            if !q.choices.is_empty() {
                let values: Vec<&str> = q.choices.iter().map(|c| c.value.as_str()).collect();
                out.push_str(&format!("#   one of: {}\n", values.join(", ")));
            }
        } else {
            for c in &q.choices {
                out.push_str(&format!("#   {}: {}\n", c.value, c.meaning));
            }
        }
        let value = q.default.clone().unwrap_or_default();
        out.push_str(&format!("{}: {value}\n", q.field));
    }
    out
}

/// Reads an edited template back: `Ok(None)` when the person filed nothing
/// (the file empty, only comments, or the template unchanged). Empty fields
/// are dropped, so no `description: ''` is stored.
pub fn read_template(path: &Path, template: &str, text: &str) -> Result<Option<Mapping>> {
    let meaningful = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if !meaningful || text == template {
        return Ok(None);
    }
    let map = prune(yaml::parse_mapping(path, text)?);
    let mut out = Mapping::new();
    let mut dotted = Vec::new();
    for (k, v) in map {
        match k.as_str() {
            Some(key) if key.contains('.') => dotted.push((key.to_owned(), v)),
            _ => {
                out.insert(k, v);
            }
        }
    }
    for (key, v) in dotted {
        document::set(&mut out, &key, v).map_err(|e| {
            Error::field(
                path.to_owned(),
                key.clone(),
                e.to_string(),
                Some(format!("write `{key}` once, dotted or nested")),
                None,
            )
        })?;
    }
    Ok((!out.is_empty()).then_some(out))
}

fn prune(map: Mapping) -> Mapping {
    map.into_iter()
        .filter_map(|(k, v)| {
            let v = match v {
                Value::Mapping(m) => Value::Mapping(prune(m)),
                other => other,
            };
            (!is_blank(&v)).then_some((k, v))
        })
        .collect()
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Mapping(m) => m.is_empty(),
        Value::Sequence(s) => s.is_empty(),
        _ => false,
    }
}

fn level_of(doc: &Mapping, field: &str) -> Option<Level> {
    let text = document::get(doc, field)?.as_str()?;
    Level::ALL.into_iter().find(|l| l.as_str() == text)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Impact or urgency, with the priority levels they lead to in the pack's
/// words (the packs define priorities, and the matrix maps the two onto them).
fn level_question(policy: &Policy, field: &str, doc: &Mapping) -> Question {
    let (label, swedish) = if field == "impact" {
        ("Impact", ["hög (stor)", "medel (viss)", "låg (liten)"])
    } else {
        ("Urgency", ["hög", "medel", "låg"])
    };
    let word = if field == "impact" {
        "verksamhetspåverkan"
    } else {
        "brådska"
    };
    let other = if field == "impact" {
        level_of(doc, "urgency")
    } else {
        level_of(doc, "impact")
    };
    let choices = Level::ALL
        .into_iter()
        .zip(swedish)
        .map(|(level, sv)| {
            // The priority this answer gives, once the other is known.
            let priority = other.and_then(|o| {
                let (i, u) = if field == "impact" {
                    (level, o)
                } else {
                    (o, level)
                };
                policy.priority_for(i, u).map(|p| p.get())
            });
            let meaning = match priority {
                Some(p) => match policy.priority_level(p) {
                    Some(l) => format!("{sv} {word} → priority {p} {}", l.label),
                    None => format!("{sv} {word} → priority {p}"),
                },
                None => format!("{sv} {word}"),
            };
            Choice {
                value: level.as_str().to_owned(),
                meaning,
            }
        })
        .collect();
    let mut help = vec![format!(
        "{label} × {} gives the priority ({} matrix, {})",
        if field == "impact" {
            "urgency"
        } else {
            "impact"
        },
        policy.name,
        policy.matrix.clause
    )];
    help.extend(
        policy
            .priorities
            .iter()
            .map(|l| format!("{} {}: {}", l.level, l.label, one_line(&l.definition))),
    );
    Question {
        field: field.to_owned(),
        label: format!("{label} (grad av {word})"),
        help,
        choices,
        default: None,
        required: false,
    }
}

/// Asked where the pack ties the priority to patient safety
/// (E-hälsomyndigheten); `values` are the field's, from the record model.
fn patient_safety_question(policy: &Policy, values: &[String]) -> Question {
    Question {
        field: "patient_safety".into(),
        label: "Effect on patient safety (påverkan på patientsäkerheten)".into(),
        help: vec![format!(
            "the {} pack gives an incident that affects patient safety at least the priority shown",
            policy.name
        )],
        choices: values
            .iter()
            .map(|v| {
                let words = match v.as_str() {
                    "none" => "påverkar inte patientsäkerheten",
                    "some" => "viss påverkan",
                    "major" => "stor påverkan",
                    _ => "",
                };
                let meaning = match policy.patient_safety_priority.get(v) {
                    Some(p) => format!(
                        "{words} → priority {}",
                        (1..=*p)
                            .rev()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                    None => words.to_owned(),
                };
                Choice {
                    value: v.clone(),
                    meaning,
                }
            })
            .collect(),
        default: values
            .iter()
            .any(|v| v == "none")
            .then(|| "none".to_owned()),
        required: false,
    }
}

/// A change's category under the agreement's names: it decides the
/// approvals the change needs.
fn category_question(policy: &Policy) -> Question {
    Question {
        field: "category".into(),
        label: "Category of the change (ändringskategori)".into(),
        help: vec![
            "the category decides which approvals the change needs before it goes live".into(),
        ],
        choices: policy
            .change_categories
            .iter()
            .map(|c| Choice {
                value: c.id.clone(),
                meaning: format!("{}: {} ({})", c.label, one_line(&c.definition), c.clause),
            })
            .collect(),
        default: policy
            .change_categories
            .iter()
            .any(|c| c.id == "normal")
            .then(|| "normal".to_owned()),
        required: false,
    }
}

fn party_question(policy: &Policy, kind: Kind) -> Question {
    Question {
        field: "reporter.party".into(),
        label: "Reporting party (part)".into(),
        // What the party's answer brings: the rules that apply to its reports.
        help: policy
            .rules
            .iter()
            .filter(|r| r.kind == kind)
            .filter(|r| {
                r.when
                    .iter()
                    .any(|p| p.field.as_deref() == Some("reporter.party"))
            })
            .map(|r| format!("{}: {}", r.id, r.title))
            .collect(),
        choices: policy
            .parties
            .iter()
            .filter(|p| p.reports)
            .map(|p| Choice {
                value: p.id.clone(),
                meaning: format!("{} — {}", p.label, p.clause),
            })
            .collect(),
        default: None,
        required: false,
    }
}

/// The pack's rules that ask something of a field, by ID and title.
fn rules_requiring(policy: &Policy, kind: Kind, field: &str) -> Vec<String> {
    policy
        .rules
        .iter()
        .filter(|r| r.kind == kind)
        .filter(|r| r.require.iter().any(|p| p.field.as_deref() == Some(field)))
        .map(|r| format!("{}: {}", r.id, r.title))
        .collect()
}

/// The words a value is also written as (`telefon`), as `policy show`
/// lists them; empty for a value without any.
fn label_of(policy: &Policy, kind: Kind, field: &str, value: &str) -> String {
    policy
        .vocabulary(kind, field)
        .and_then(|v| v.into_iter().find(|w| w.id == value))
        .map(|w| w.words.join(", "))
        .unwrap_or_default()
}

/// How the record came in; `values` are the field's, from the record model.
fn channel_question(policy: &Policy, kind: Kind, values: &[String]) -> Question {
    let meaning = |v: &str| label_of(policy, kind, "reported_via", v);
    Question {
        field: "reported_via".into(),
        label: format!("How the {} was reported", kind.name().replace('_', " ")),
        help: rules_requiring(policy, kind, "reported_via"),
        choices: values
            .iter()
            .map(|v| Choice {
                value: v.clone(),
                meaning: meaning(v),
            })
            .collect(),
        // The service desk's usual channel: a person filing at a terminal is
        // most often taking a call.
        default: values
            .iter()
            .any(|v| v == "phone")
            .then(|| "phone".to_owned()),
        required: false,
    }
}

/// The fields the rules the record breaks require, each asked with its
/// rule's words. A field classification derives (a priority) is not asked:
/// the fields it follows from are.
/// Each question comes with whether its rule is an error (the record cannot
/// be filed without it) or advice.
fn rule_questions(cx: &Context<'_>, kind: Kind, doc: &Mapping) -> Result<Vec<(Question, bool)>> {
    let ws = cx.ws;
    let policy = ws.policy();
    // A draft the model cannot read yet has no rules to ask about: filing
    // it reports what is wrong with it.
    let Some((mut doc, record)) = trial(cx, kind, doc) else {
        return Ok(Vec::new());
    };
    let register = validate::StandardRegister::load(ws)?;
    let lookup = StoreLookup(ws);
    let vcx = validate::Context {
        policy,
        register: &register,
        lookup: &lookup,
        people: None,
        calendar: None,
    };
    let mut violations = validate::check_record(&vcx, &doc, &record);
    // The entries a change filed now may name.
    let agreed: BTreeSet<String> = register
        .counting(policy, &record.common.opened_at)
        .into_iter()
        .collect();
    // The trial's ID is drawn for the trial only: the record filed gets
    // another, so a help names none.
    for v in &mut violations {
        v.help = v.help.take().map(|h| h.replace(record.id().as_str(), "ID"));
    }
    // The trial is built as a mapping: this changes nothing.
    let map: &Mapping = document::mapping_mut(&mut doc);
    let mut out: Vec<(Question, bool)> = Vec::new();
    for violation in &violations {
        let Some(rule) = policy.rule(&violation.rule) else {
            continue;
        };
        for predicate in &rule.require {
            let Some(field) = &predicate.field else {
                continue;
            };
            if matches!(predicate.test, Test::Derived)
                || validate::engine::holds(&vcx, map, &record, predicate)
                || PROTECTED
                    .iter()
                    .any(|(k, _)| field.split('.').next() == Some(k))
                || out.iter().any(|(q, _)| &q.field == field)
            {
                continue;
            }
            let Some(shape) = schema::field_shape(kind, field) else {
                continue;
            };
            let asked = Asked {
                rule,
                violation,
                predicate,
                field,
                shape,
            };
            out.push(asked.question(ws.policy(), &agreed));
        }
    }
    Ok(out)
}

/// The draft as it would be filed, to check the rules against: with a
/// title (a stand-in until one is given), the kind's first status, the
/// time it is opened, an ID and its kind, classified. `None`: the model
/// cannot read it yet.
fn trial(cx: &Context<'_>, kind: Kind, doc: &Mapping) -> Option<(Value, Record)> {
    let ws = cx.ws;
    let mut doc = doc.clone();
    if document::get(&doc, "title").is_none() {
        doc.insert("title".into(), Value::String("?".into()));
    }
    let initial = ws.policy().machine(kind).initial;
    doc.insert("status".into(), Value::String(initial.into()));
    if !doc.contains_key("opened_at") {
        doc.insert(
            "opened_at".into(),
            Value::String(cx.now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)),
        );
    }
    let id = RecordId::generate(kind, cx.now.with_timezone(&ws.tz()).date_naive());
    doc.insert("id".into(), Value::String(id.to_string()));
    doc.insert("kind".into(), Value::String(kind.name().to_owned()));
    let path = ws.store().rel_path(&id);
    let path = Path::new(&path);
    let mut doc = Value::Mapping(doc);
    apply_classification(ws.policy(), path, &mut doc).ok()?;
    let record = Record::from_doc(path, None, &doc).ok()?;
    Some((doc, record))
}

/// A field a broken rule requires, as a question is made of it.
struct Asked<'a> {
    rule: &'a Rule,
    violation: &'a Violation,
    /// The rule's test of the field that fails.
    predicate: &'a Predicate,
    field: &'a str,
    shape: schema::FieldShape,
}

impl Asked<'_> {
    /// The question, and whether the rule is an error.
    fn question(&self, policy: &Policy, register: &BTreeSet<String>) -> (Question, bool) {
        let error = self.violation.severity == crate::policy::Severity::Error;
        let asked_for: Vec<String> = match &self.predicate.test {
            Test::Equals(v) => vec![document::display(v)],
            Test::OneOf(vs) => vs.iter().map(document::display).collect(),
            _ => Vec::new(),
        };
        let values = self.values(register, error, &asked_for);
        let need = if error { "needed to file" } else { "advised" };
        let question = Question {
            field: self.field.to_owned(),
            label: format!("{} ({}, {need})", self.rule.title, self.field),
            help: self.help(register, error, &asked_for),
            choices: values
                .into_iter()
                .map(|value| Choice {
                    meaning: match value.as_str() {
                        "true" => "ja".to_owned(),
                        "false" => "nej".to_owned(),
                        v => label_of(policy, self.rule.kind, self.field, v),
                    },
                    value,
                })
                .collect(),
            default: None,
            required: false,
        };
        (question, error)
    }

    /// Whether the rule also looks the field up in the standard-change
    /// register: then the register's entries are the answers.
    fn in_register(&self) -> bool {
        self.rule
            .require
            .iter()
            .any(|q| q.field == self.predicate.field && matches!(q.test, Test::InRegister))
    }

    /// The answers offered. An error rule's values are the only answers
    /// that file; advice may be declined, so any value of the field goes.
    fn values(
        &self,
        register: &BTreeSet<String>,
        error: bool,
        asked_for: &[String],
    ) -> Vec<String> {
        if self.in_register() {
            register.iter().cloned().collect()
        } else if error && !asked_for.is_empty() {
            asked_for.to_vec()
        } else if self.shape.accepts("boolean") {
            vec!["true".into(), "false".into()]
        } else {
            self.shape.values.clone()
        }
    }

    /// The lines under the question: what is wrong, what the agreement
    /// asks, the rule's fix, the register, and the rule and clause.
    fn help(&self, register: &BTreeSet<String>, error: bool, asked_for: &[String]) -> Vec<String> {
        let v = self.violation;
        let mut help = vec![v.message.clone()];
        if !error && !asked_for.is_empty() {
            help.push(format!("the agreement asks for {}", asked_for.join(" or ")));
        }
        if let Some(h) = v.help.as_ref().filter(|h| !h.trim().is_empty()) {
            help.push(h.clone());
        }
        if self.in_register() {
            help.push(if register.is_empty() {
                format!(
                    "{} has no agreed entry yet: add one (id, agreed_by, agreed_at), or file the change as another category",
                    validate::REGISTER
                )
            } else {
                format!("an entry of {}", validate::REGISTER)
            });
        }
        help.push(format!(
            "{} ({}): {}",
            v.rule,
            v.severity.as_str(),
            self.rule.grounds_short()
        ));
        help
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_or_empty_template_files_nothing() {
        let t = "# arende new incident\ntitle:\ndescription:\n";
        let p = Path::new("t.yaml");
        assert_eq!(read_template(p, t, t).ok(), Some(None));
        assert_eq!(read_template(p, t, "").ok(), Some(None));
        assert_eq!(read_template(p, t, "# only a comment\n\n").ok(), Some(None));
    }

    #[test]
    fn empty_fields_are_dropped_and_nested_ones_kept() {
        let t = "# arende new incident\ntitle:\n";
        let text =
            "title: Disk full\ndescription: ''\nreporter:\n  party: kund\n  name:\nimpact:\n";
        let map = read_template(Path::new("t.yaml"), t, text)
            .expect("the save reads back")
            .expect("the save files something");
        assert_eq!(map.len(), 2, "{map:?}");
        assert!(map.get("description").is_none());
        assert_eq!(
            document::get(&map, "reporter.party").and_then(Value::as_str),
            Some("kund")
        );
    }

    #[test]
    fn dotted_keys_read_back_as_nesting_beside_nested_ones() {
        let text = "title: a\nreporter.party: kund\nreporter:\n  name: Eva\ntickets.kund: ''\n";
        let map = read_template(Path::new("t.yaml"), "", text)
            .expect("the save reads back")
            .expect("the save files something");
        assert_eq!(
            document::get(&map, "reporter.party").and_then(Value::as_str),
            Some("kund")
        );
        assert_eq!(
            document::get(&map, "reporter.name").and_then(Value::as_str),
            Some("Eva")
        );
        assert!(map.get("tickets").is_none(), "{map:?}");
        assert!(map.get("reporter.party").is_none(), "{map:?}");
    }

    #[test]
    fn a_bad_save_names_its_line() {
        let err = read_template(Path::new("t.yaml"), "", "title: a\n  bad: [\n")
            .expect_err("a broken save is refused")
            .to_string();
        assert!(err.contains("t.yaml"), "{err}");
    }
}
