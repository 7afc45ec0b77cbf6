//! The record model (SPEC §2): a record is a YAML document, and a typed view
//! of it for the engine. The document is the truth that is written back; the
//! typed view is what rules and clocks read.

pub mod common;
pub mod document;
pub mod kinds;

pub mod status;

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use common::*;
pub use kinds::*;
pub use status::*;

use crate::error::{Error, FileSpan, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::time::Timestamp;
use crate::yaml::{self, Value};

/// The fields every record has.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct Common {
    /// The ID; also the file name.
    pub id: RecordId,
    /// The kind.
    pub kind: Kind,
    /// A one-line summary.
    pub title: String,
    /// What happened, in full.
    pub description: Option<String>,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// What happened to it, oldest first; append-only.
    #[serde(default)]
    pub history: Vec<Event>,
    /// Related records.
    #[serde(default)]
    pub links: Links,
    /// Approvals given (*godkännanden*).
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// Where an imported record came from.
    pub source: Option<Source>,
    /// Who has it: a team and a person.
    pub assignment: Option<Assignment>,
    /// The identifiers other organisations hold for it (`arende send`,
    /// `intake`, `sync`).
    #[serde(default)]
    pub external: Vec<External>,
}

/// The kind-specific part of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// An incident.
    Incident(Incident),
    /// A problem.
    Problem(Problem),
    /// A change.
    Change(Change),
    /// A release.
    Release(Release),
    /// A service request.
    ServiceRequest(ServiceRequest),
    /// A configuration item.
    ConfigurationItem(ConfigurationItem),
    /// A capacity review.
    CapacityReview(CapacityReview),
}

/// The typed view of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Fields every record has.
    pub common: Common,
    /// Fields of its kind.
    pub body: Body,
}

impl Record {
    /// Reads the typed view of a document (a YAML mapping). `text` is the
    /// file the document was parsed from, if any, so an error can point at
    /// the offending line.
    pub fn from_doc(path: &Path, text: Option<&str>, value: &Value) -> Result<Record> {
        let common: Common = typed(path, text, value)?;
        let body = match common.kind {
            Kind::Incident => Body::Incident(typed(path, text, value)?),
            Kind::Problem => Body::Problem(typed(path, text, value)?),
            Kind::Change => Body::Change(typed(path, text, value)?),
            Kind::Release => Body::Release(typed(path, text, value)?),
            Kind::ServiceRequest => Body::ServiceRequest(typed(path, text, value)?),
            Kind::ConfigurationItem => Body::ConfigurationItem(typed(path, text, value)?),
            Kind::CapacityReview => Body::CapacityReview(typed(path, text, value)?),
        };
        Ok(Record { common, body })
    }

    /// Reads the typed view from a self-describing deserializer of the
    /// same document, made afresh by `part` for each part of the record (its
    /// common fields, then its kind's): the summary cache's fast path,
    /// which has no text to point an error at.
    pub fn from_parts<'de, D: serde::Deserializer<'de>>(
        mut part: impl FnMut() -> D,
    ) -> std::result::Result<Record, D::Error> {
        let common = Common::deserialize(part())?;
        let body = match common.kind {
            Kind::Incident => Body::Incident(Deserialize::deserialize(part())?),
            Kind::Problem => Body::Problem(Deserialize::deserialize(part())?),
            Kind::Change => Body::Change(Deserialize::deserialize(part())?),
            Kind::Release => Body::Release(Deserialize::deserialize(part())?),
            Kind::ServiceRequest => Body::ServiceRequest(Deserialize::deserialize(part())?),
            Kind::ConfigurationItem => Body::ConfigurationItem(Deserialize::deserialize(part())?),
            Kind::CapacityReview => Body::CapacityReview(Deserialize::deserialize(part())?),
        };
        Ok(Record { common, body })
    }

    /// The record's ID.
    pub fn id(&self) -> &RecordId {
        &self.common.id
    }

    /// The record's kind.
    pub fn kind(&self) -> Kind {
        self.common.kind
    }

    /// The current status.
    pub fn status(&self) -> &'static str {
        match &self.body {
            Body::Incident(x) => x.status.as_str(),
            Body::Problem(x) => x.status.as_str(),
            Body::Change(x) => x.status.as_str(),
            Body::Release(x) => x.status.as_str(),
            Body::ServiceRequest(x) => x.status.as_str(),
            Body::ConfigurationItem(x) => x.status.as_str(),
            Body::CapacityReview(x) => x.status.as_str(),
        }
    }

    /// The priority, for the kinds that have one.
    pub fn priority(&self) -> Option<Priority> {
        match &self.body {
            Body::Incident(x) => x.priority,
            Body::ServiceRequest(x) => x.priority,
            _ => None,
        }
    }
}

/// Every status a kind can be in, in lifecycle order.
pub fn statuses(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Incident | Kind::ServiceRequest => TicketStatus::ALL,
        Kind::Problem => ProblemStatus::ALL,
        Kind::Change => ChangeStatus::ALL,
        Kind::Release => ReleaseStatus::ALL,
        Kind::ConfigurationItem => CiStatus::ALL,
        Kind::CapacityReview => CapacityStatus::ALL,
    }
}

fn typed<T: DeserializeOwned>(path: &Path, text: Option<&str>, value: &Value) -> Result<T> {
    let quick = match yaml::from_value::<T>(value) {
        Ok(t) => return Ok(t),
        Err(message) => message,
    };
    // The slow path: parse again from text, which names the field and its place.
    let rendered;
    let source = match (text, value) {
        (Some(t), _) => t,
        (None, Value::Mapping(m)) => {
            rendered = yaml::to_string(m);
            &rendered
        }
        (None, _) => "",
    };
    let (message, place) = yaml::type_error::<T>(source).unwrap_or((quick.to_string(), None));
    let (field, message) = split_field(&message);
    let field = if field == UNNAMED {
        guess_field(value, &message).unwrap_or(field)
    } else {
        field
    };
    let key = yaml::locate_key(source, &field.split('.').collect::<Vec<_>>());
    let key_len = field.rsplit('.').next().map_or(1, str::len);
    let at = match (text, place) {
        // Point at the key, as rule findings do, when it is on the line serde names.
        (Some(t), Some((line, _))) if key.is_some_and(|(l, _)| l == line) => {
            key.map(|(l, c)| FileSpan::at(path, t, l, c, key_len))
        }
        (Some(t), Some((line, column))) => Some(FileSpan::at(path, t, line, column, 1)),
        (Some(t), None) => yaml::locate_key(t, &field.split('.').collect::<Vec<_>>())
            .map(|(line, column)| FileSpan::at(path, t, line, column, field.len())),
        _ => None,
    };
    let help = hint(&field, &message);
    Err(Error::field(path, field, message, Some(help), at))
}

/// serde messages read `tickets.kund: invalid type: …` or `missing field `x``.
fn split_field(message: &str) -> (String, String) {
    if let Some((field, rest)) = message.split_once(": ")
        && !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
    {
        return (field.to_owned(), rest.to_owned());
    }
    if let Some(start) = message.find("missing field `") {
        let rest = &message[start + 15..];
        if let Some(end) = rest.find('`') {
            return (rest[..end].to_owned(), "is required but missing".to_owned());
        }
    }
    (UNNAMED.to_owned(), message.to_owned())
}

/// The field of a message serde gave without a path.
const UNNAMED: &str = "(record)";

/// The field a pathless message is about: the number types' own messages
/// (`priority 7 is not …`, `class 5 is not …`) lose their path through the
/// flattened body, so the key holding that number is found in the document.
fn guess_field(value: &Value, message: &str) -> Option<String> {
    let (word, rest) = message.split_once(' ')?;
    let number = rest.split_whitespace().next()?;
    let keys: &[&str] = match word {
        "priority" => &["priority"],
        "class" => &["class", "fault_class"],
        _ => return None,
    };
    let map = value.as_mapping()?;
    keys.iter()
        .find(|k| map.get(**k).is_some_and(|v| document::display(v) == number))
        .map(|k| (*k).to_owned())
}

fn hint(field: &str, message: &str) -> String {
    if field == UNNAMED {
        return "correct the record as the message says; `arende schema KIND` prints the fields each kind takes and their types".to_owned();
    }
    let fix = if message.contains("unknown variant") || message.contains("is not one of") {
        Some(format!("set `{field}` to one of the values listed"))
    } else if message.contains("is required but missing") {
        Some(format!("add `{field}:` to the record"))
    } else if message.contains("invalid type") && message.contains("expected a string") {
        Some(format!(
            "quote the value of `{field}`, e.g. '17.10', so YAML reads it as text"
        ))
    } else if message.contains("premature end of input")
        || message.contains("input contains invalid characters")
    {
        Some(format!(
            "write `{field}` as RFC 3339 with an offset, e.g. 2026-11-22T09:30:00+01:00; `arende set ID {field}=\"2026-11-22 09:30\"` writes a local time so"
        ))
    } else {
        None
    };
    fix.unwrap_or_else(|| {
        format!("correct `{field}` as the message says; `arende schema KIND` prints the type each field takes")
    })
}

/// A short description of a YAML value's type, for messages.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
