//! Reading the values other tools write: dates in their many forms,
//! booleans in either case, and text cells turned into the type the record
//! model gives a field.

use crate::schema::FieldShape;
use crate::yaml::{self, Value};
use chrono::DateTime;

pub use crate::time::{DateRules, Placement, ReadTime, parse_time, rfc3339};

/// Why a cell cannot be the value its field holds. The text is what the
/// row's error says, after its row and column.
#[derive(Debug, thiserror::Error)]
pub enum CellError {
    /// Not a boolean.
    #[error("`{0}` is not true or false")]
    NotBool(String),
    /// Text that starts like JSON for a list or group, but is not.
    #[error("`{text}` is not valid JSON: {source}")]
    NotJson {
        /// The text, shortened.
        text: String,
        /// What the JSON reader said.
        source: serde_json::Error,
    },
    /// Not a whole number.
    #[error("`{0}` is not a whole number")]
    NotWhole(String),
    /// Not a number.
    #[error("`{0}` is not a number")]
    NotNumber(String),
    /// Text for a field that is a group of fields.
    #[error("`{0}` is not a group of fields; give its parts as dotted columns, or JSON")]
    NotAGroup(String),
    /// Not one of the values the record model allows.
    #[error("`{text}` is not one of {values}")]
    NotOneOf {
        /// The text as written.
        text: String,
        /// The values allowed, comma-separated.
        values: String,
    },
    /// An ID that is not one, or not of the row's kind.
    #[error(transparent)]
    Id(Box<crate::error::Error>),
    /// An ID of another kind of record.
    #[error("{id} is not the ID of {} (an ID of {} starts with {})", .kind.with_article(), .kind.with_article(), .kind.prefix())]
    IdOfOtherKind {
        /// The ID given.
        id: crate::id::RecordId,
        /// The row's kind.
        kind: crate::kind::Kind,
    },
    /// A ServiceNow state the mapping maps to what is no incident status.
    #[error("the mapping maps `{state}` to `{to}`, which is not an incident status ({statuses})")]
    MappedStatus {
        /// The state in the export.
        state: String,
        /// What the mapping gives for it.
        to: String,
        /// The incident statuses, comma-separated.
        statuses: String,
    },
    /// A ServiceNow state arende has no status for.
    #[error(
        "`{0}` is not a ServiceNow incident state arende knows (New, Active, Awaiting …, Resolved, Closed); map it with --mapping, e.g. values: {{status: {{\"{0}\": closed}}}}"
    )]
    UnknownState(String),
    /// `1 - Low`: a number and a word for two levels.
    #[error("`{text}` contradicts itself: {digit} is {by_digit}, but the word says {by_word}")]
    LevelContradicts {
        /// The text as written.
        text: String,
        /// Its number.
        digit: char,
        /// The level the number says.
        by_digit: &'static str,
        /// The level the word says.
        by_word: &'static str,
    },
    /// Neither a number nor a word of a level.
    #[error("`{text}` is not an {field} arende knows (1 - High, 2 - Medium, 3 - Low)")]
    UnknownLevel {
        /// The text as written.
        text: String,
        /// `impact` or `urgency`.
        field: String,
    },
    /// Not a time.
    #[error(transparent)]
    Time(#[from] crate::time::TimeError),
    /// A word the pack names none of its values with.
    #[error(transparent)]
    NotNamed(#[from] crate::policy::NotNamed),
}

/// Reads a boolean: `true`/`false` in any case (`TRUE`, `True`), or `1`/`0`.
pub fn parse_bool(text: &str) -> Result<bool, CellError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") || t == "1" {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Ok(false)
    } else {
        Err(CellError::NotBool(text.to_owned()))
    }
}

/// What coercing a cell found worth telling.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoerceNote {
    /// A local time fell in a daylight-saving change.
    pub placement: Option<Placement>,
}

/// Turns a text cell into the value a field of this shape holds. `None` for
/// the shape means a key the record model does not know: it is kept, as a
/// number or boolean only where that reads back as the same text.
pub fn coerce(
    text: &str,
    shape: Option<&FieldShape>,
    rules: &DateRules,
    note: &mut CoerceNote,
) -> Result<Value, CellError> {
    let Some(shape) = shape else {
        return Ok(exact_scalar(text));
    };
    if shape.format.as_deref() == Some("date-time") {
        return date_time(text, rules, note);
    }
    let trimmed = text.trim();
    let json_like = trimmed.starts_with('[') || trimmed.starts_with('{');
    if json_like && (shape.accepts("array") || shape.accepts("object")) {
        let value: Value = serde_json::from_str(trimmed).map_err(|source| CellError::NotJson {
            text: short(trimmed),
            source,
        })?;
        return Ok(value);
    }
    if !shape.values.is_empty() && !shape.accepts("integer") {
        return one_of(text, shape);
    }
    if shape.accepts("integer") && shape.accepts("string") {
        // A ticket number: a number where it reads back as the same text.
        return Ok(match trimmed.parse::<u64>() {
            Ok(n) if n.to_string() == trimmed => Value::Number(n.into()),
            _ => Value::String(text.to_owned()),
        });
    }
    if shape.accepts("string") {
        return Ok(Value::String(text.to_owned()));
    }
    if shape.accepts("integer") {
        return trimmed
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| CellError::NotWhole(text.to_owned()));
    }
    if shape.accepts("number") {
        return trimmed
            .parse::<f64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| CellError::NotNumber(text.to_owned()));
    }
    if shape.accepts("boolean") {
        return parse_bool(trimmed).map(Value::Bool);
    }
    if shape.accepts("array") {
        return Ok(Value::Sequence(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ));
    }
    Err(CellError::NotAGroup(short(trimmed)))
}

/// A time, as RFC 3339; a local time in a daylight-saving change is noted.
fn date_time(text: &str, rules: &DateRules, note: &mut CoerceNote) -> Result<Value, CellError> {
    let read = parse_time(text, rules)?;
    if read.placement != Placement::Exact {
        note.placement = Some(read.placement);
    }
    // An RFC 3339 time is kept as written, so an export reads back unchanged.
    Ok(Value::String(
        if read.had_offset && DateTime::parse_from_rfc3339(text.trim()).is_ok() {
            text.trim().to_owned()
        } else {
            rfc3339(&read.at)
        },
    ))
}

/// One of the shape's values: as written, else in any case with spaces
/// and dashes read as underscores.
fn one_of(text: &str, shape: &FieldShape) -> Result<Value, CellError> {
    let trimmed = text.trim();
    shape
        .values
        .iter()
        .find(|v| v.as_str() == trimmed)
        .or_else(|| {
            shape
                .values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(&trimmed.replace([' ', '-'], "_")))
        })
        .map(|v| Value::String(v.clone()))
        .ok_or_else(|| CellError::NotOneOf {
            text: text.to_owned(),
            values: shape.values.join(", "),
        })
}

/// Text as a YAML scalar where it reads back as the same text (`3`,
/// `true`), else as text.
pub fn exact_scalar(text: &str) -> Value {
    match yaml::parse_scalar(text) {
        v @ (Value::Number(_) | Value::Bool(_)) if crate::record::document::display(&v) == text => {
            v
        }
        _ => Value::String(text.to_owned()),
    }
}

fn short(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> DateRules {
        DateRules {
            tz: chrono_tz::Europe::Stockholm,
            formats: Vec::new(),
        }
    }

    fn read(text: &str) -> Result<String, String> {
        parse_time(text, &rules())
            .map(|r| rfc3339(&r.at))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn servicenow_dates_are_day_first_local_time() {
        assert_eq!(
            read("29-02-2016 01:16").unwrap(),
            "2016-02-29T01:16:00+01:00"
        );
        assert_eq!(
            read("29/2/2016 01:16").unwrap(),
            "2016-02-29T01:16:00+01:00"
        );
        assert_eq!(read("3/4/2016 9:05").unwrap(), "2016-04-03T09:05:00+02:00");
        assert_eq!(
            read("03.04.2016 09:05:30").unwrap(),
            "2016-04-03T09:05:30+02:00"
        );
        assert_eq!(
            read("2016-02-29 01:16:00").unwrap(),
            "2016-02-29T01:16:00+01:00"
        );
        assert_eq!(
            read("29/2/2016 1:16 PM").unwrap(),
            "2016-02-29T13:16:00+01:00"
        );
        assert_eq!(
            read("2016-02-29T01:16:00Z").unwrap(),
            "2016-02-29T01:16:00+00:00"
        );
        let e = read("2/29/2016 01:16").unwrap_err();
        assert!(e.contains("month first"), "{e}");
        let e = read("29-02-16 01:16").unwrap_err();
        assert!(e.contains("two-digit year"), "{e}");
        let e = read("30-02-2016 01:16").unwrap_err();
        assert!(e.contains("not a date in the calendar"), "{e}");
        let e = read("29-02-2016 25:16").unwrap_err();
        assert!(e.contains("not a time of day"), "{e}");
        assert!(read("yesterday").is_err());
    }

    #[test]
    fn daylight_saving_changes_are_placed_as_java_does() {
        let r = parse_time("30-10-2016 02:30", &rules()).unwrap();
        assert_eq!(r.placement, Placement::Ambiguous);
        assert_eq!(rfc3339(&r.at), "2016-10-30T02:30:00+02:00");
        let r = parse_time("27-03-2016 02:30", &rules()).unwrap();
        assert_eq!(r.placement, Placement::InGap);
        assert_eq!(rfc3339(&r.at), "2016-03-27T03:30:00+02:00");
    }

    #[test]
    fn a_mapping_date_format_comes_first() {
        let mut r = rules();
        r.formats = vec!["%m/%d/%Y %I:%M %p".into()];
        let t = parse_time("03/04/2016 09:05 PM", &r).unwrap();
        assert_eq!(rfc3339(&t.at), "2016-03-04T21:05:00+01:00");
    }

    #[test]
    fn booleans_in_either_case() {
        for t in ["TRUE", "true", "True", "1"] {
            assert_eq!(parse_bool(t).ok(), Some(true));
        }
        for f in ["FALSE", "false", "False", "0"] {
            assert_eq!(parse_bool(f).ok(), Some(false));
        }
        assert!(parse_bool("ja").is_err());
        assert!(parse_bool("?").is_err());
    }
}
