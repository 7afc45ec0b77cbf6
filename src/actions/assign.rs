//! `key=value` assignments as typed on a command line, turned into YAML
//! values of the type the record model gives the field.

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::schema::{self, FieldShape};
use crate::yaml::{self, Value};

/// Fields no assignment may touch: each has its own command, which checks the
/// policy and records the change.
pub const PROTECTED: &[(&str, &str)] = &[
    ("id", "an ID never changes"),
    ("kind", "a record's kind never changes"),
    (
        "status",
        "use `arende status ID STATUS`, which checks the policy's status machine",
    ),
    ("history", "history is append-only and written by the tool"),
    ("approvals", "use `arende approve ID --by PARTY`"),
    (
        "links",
        "use `arende link ID ID`, or `arende new KIND --link ID` when filing: both link both ways",
    ),
    ("source", "source is written by `arende import`"),
];

/// One `key=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Dotted field name.
    pub field: String,
    /// The new value; `None` removes the field (`key=` with nothing after).
    pub value: Option<Value>,
}

/// Parses `key=value` with the value read as the pack names it: a
/// priority or class by number or label (`class=kritisk`), an impact by its
/// Swedish word, a change category by the agreement's word (`vanlig`,
/// `Nödåtgärd`), all stored as the canonical value; a time in any form
/// `import` reads, local time in the repository's zone unless it has an
/// offset, or said against the command's clock (`yesterday 14:00`,
/// `-30m`), stored as RFC 3339.
pub fn parse_for(cx: &crate::workspace::Context<'_>, kind: Kind, text: &str) -> Result<Assignment> {
    let ws = cx.ws;
    let mut a = parse_raw(kind, text)?;
    let Some(Value::String(raw)) = &a.value else {
        return Ok(a);
    };
    let policy = ws.policy();
    if let Some(named) = policy.named_value(kind, &a.field, raw) {
        let value = named.map_err(|why| {
            Error::usage(
                format!("{}: {why}", a.field),
                Some(format!(
                    "write one of those, by number or by the {} pack's label, e.g. {}=…; `arende policy show` lists them",
                    policy.name, a.field
                )),
            )
        })?;
        // Through the typed path again, so a number is judged like any other.
        let text = format!("{}={}", a.field, crate::record::document::display(&value));
        return parse(kind, &text);
    }
    let shape = schema::field_shape(kind, &a.field);
    if shape.is_some_and(|s| s.format.as_deref() == Some("date-time")) {
        let at = crate::time::parse_typed_at(raw, ws.tz(), cx.now)
            .map_err(|e| Error::usage(format!("{}: {e}", a.field), Some(e.fix())))?;
        // An RFC 3339 time is kept as written.
        let keep = chrono::DateTime::parse_from_rfc3339(raw.trim()).is_ok();
        a.value = Some(Value::String(if keep {
            raw.trim().to_owned()
        } else {
            crate::time::rfc3339(&at)
        }));
        return Ok(a);
    }
    parse(kind, text)
}

/// Reads `key=value` for a record of `kind`, keeping the value as typed
/// text (the pack's words are read by [`parse_for`]).
fn parse_raw(kind: Kind, text: &str) -> Result<Assignment> {
    let (field, raw) = split(text)?;
    check_field(kind, &field)?;
    Ok(Assignment {
        value: (!raw.is_empty()).then(|| Value::String(raw.to_owned())),
        field,
    })
}

fn check_field(kind: Kind, field: &str) -> Result<FieldShape> {
    if let Some((_, why)) = PROTECTED
        .iter()
        .find(|(f, _)| field == *f || field.starts_with(&format!("{f}.")))
    {
        return Err(Error::usage(
            format!("`{field}` cannot be set"),
            Some((*why).to_owned()),
        ));
    }
    schema::field_shape(kind, field).ok_or_else(|| unknown_field(kind, field))
}

/// Splits `key=value`.
pub fn split(text: &str) -> Result<(String, String)> {
    let (key, value) = text.split_once('=').ok_or_else(|| {
        Error::usage(
            format!("`{text}` is not key=value"),
            Some("write e.g. impact=high, tickets.kund=4711, or key= to remove a field".to_owned()),
        )
    })?;
    Ok((key.trim().to_owned(), value.to_owned()))
}

/// Reads `key=value` for a record of `kind`.
pub fn parse(kind: Kind, text: &str) -> Result<Assignment> {
    let (field, raw) = split(text)?;
    let shape = check_field(kind, &field)?;
    if raw.is_empty() {
        return Ok(Assignment { field, value: None });
    }
    let value = coerce(&field, &raw, &shape)?;
    Ok(Assignment {
        field,
        value: Some(value),
    })
}

fn coerce(field: &str, raw: &str, shape: &FieldShape) -> Result<Value> {
    let bad = |what: &str| {
        Error::usage(
            format!("{field}: `{raw}` is not {what}"),
            Some(format!(
                "write `{field}` as {what}, or `{field}=` to remove it"
            )),
        )
    };
    if !shape.values.is_empty() && !shape.accepts("integer") {
        // As import reads them: in any case, `-` or a space for `_`.
        let wanted = raw.trim().replace([' ', '-'], "_");
        return match shape
            .values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(&wanted))
        {
            Some(v) => Ok(Value::String(v.clone())),
            None => Err(Error::usage(
                format!("{field}: `{raw}` is not one of {}", shape.values.join(", ")),
                Some(format!(
                    "write one of those, e.g. {field}={}",
                    shape.values[0]
                )),
            )),
        };
    }
    if shape.accepts("string") {
        return Ok(Value::String(raw.to_owned()));
    }
    if shape.accepts("integer") {
        return raw
            .trim()
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| bad("a whole number"));
    }
    if shape.accepts("number") {
        return raw
            .trim()
            .parse::<f64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| bad("a number"));
    }
    if shape.accepts("boolean") {
        return match raw.trim() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad("true or false")),
        };
    }
    if shape.accepts("array") {
        if raw.trim_start().starts_with('[') {
            return yaml::parse_any(std::path::Path::new(field), raw);
        }
        return Ok(Value::Sequence(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ));
    }
    let value = yaml::parse_any(std::path::Path::new(field), raw)?;
    if shape.accepts("object") && !value.is_mapping() {
        return Err(Error::usage(
            format!("{field} is a group of fields, not a single value"),
            Some(format!("set one of its fields, e.g. {field}.<name>={raw}")),
        ));
    }
    Ok(value)
}

fn unknown_field(kind: Kind, field: &str) -> Error {
    let top = field.split('.').next().unwrap_or(field);
    let fields = schema::top_level_fields(kind);
    let suggestion = fields
        .iter()
        .filter(|f| !PROTECTED.iter().any(|(p, _)| p == f))
        .min_by_key(|f| edit_distance(f, top))
        .filter(|f| edit_distance(f, top) <= 3);
    let help = match suggestion {
        Some(s) if s != top => format!("did you mean `{s}`?"),
        _ => format!(
            "{kind} fields are: {}",
            fields
                .iter()
                .filter(|f| !PROTECTED.iter().any(|(p, _)| p == *f))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Error::usage(format!("{kind} has no field `{field}`"), Some(help))
}

use crate::suggest::edit_distance;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_field_type() {
        let a = parse(Kind::Incident, "tickets.kund=4711").unwrap();
        assert_eq!(a.value, Some(Value::String("4711".into())));
        let a = parse(Kind::Incident, "priority=2").unwrap();
        assert_eq!(a.value, Some(Value::Number(2.into())));
        let a = parse(Kind::Incident, "local_troubleshooting=true").unwrap();
        assert_eq!(a.value, Some(Value::Bool(true)));
        let a = parse(Kind::ConfigurationItem, "depends_on=CI-1, CI-2").unwrap();
        assert_eq!(a.value.unwrap().as_sequence().unwrap().len(), 2);
        assert_eq!(parse(Kind::Incident, "workaround=").unwrap().value, None);
    }

    #[test]
    fn bad_assignments_say_why() {
        let e = parse(Kind::Incident, "impact=hgh").unwrap_err().to_string();
        assert!(e.contains("high, medium, low"), "{e}");
        let e = parse(Kind::Incident, "priorty=1").unwrap_err();
        assert!(
            format!("{:?}", e).contains("did you mean `priority`"),
            "{e:?}"
        );
        assert!(parse(Kind::Incident, "status=closed").is_err());
        assert!(parse(Kind::Incident, "history=[]").is_err());
        assert!(parse(Kind::Incident, "noequals").is_err());
    }
}
