//! `--mapping FILE`: how the columns of another tool's export become record
//! fields.
//!
//! ```yaml
//! kind: incident                 # the kind of every row (or map a column to `kind`)
//! system: jira                   # source.system of every row
//! columns:                       # column → dotted field; ~ ignores a column
//!   Key: source.id
//!   Summary: title
//!   Created: opened_at
//!   Impact: impact
//!   Reporter: reporter.name
//!   Notes: ~
//! values:                        # per field: the tool's value → arende's
//!   impact: {Hög: high, Medel: medium, Låg: low}
//!   status: {Öppen: new, Pågår: in_progress, Klar: closed}
//! date_format: "%d.%m.%Y %H:%M"  # chrono format(s), tried before the usual forms
//! party: aktor                   # reporter.party where a row gives none
//! defaults:                      # fields every row gets unless it has them
//!   service: E-recept
//! delimiter: ";"                 # if the header line does not make it plain
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::yaml::{self, Mapping, Value};

/// A mapping file, read.
#[derive(Debug, Clone, Default)]
pub struct ImportMapping {
    /// The kind of every row, unless a column gives it.
    pub kind: Option<String>,
    /// `source.system` of every row.
    pub system: Option<String>,
    /// Column → field (`None`: ignore the column), in the file's order.
    pub columns: Vec<(String, Option<String>)>,
    /// Field → (the tool's value → arende's value).
    pub values: Vec<(String, Vec<(String, Value)>)>,
    /// chrono formats tried first for dates.
    pub date_formats: Vec<String>,
    /// `reporter.party` where a row gives none.
    pub party: Option<String>,
    /// Field → value every row gets unless it has one.
    pub defaults: Vec<(String, Value)>,
    /// The CSV delimiter, if not the one the header suggests.
    pub delimiter: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    kind: Option<String>,
    system: Option<String>,
    #[serde(default)]
    columns: Mapping,
    #[serde(default)]
    values: Mapping,
    date_format: Option<OneOrMany>,
    party: Option<String>,
    #[serde(default)]
    defaults: Mapping,
    delimiter: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A default of a mapping (or its party) that a row's document has no
/// place for: its path runs through a value the row gives (`title.x`).
#[derive(Debug, thiserror::Error)]
#[error("the mapping's default for `{field}`: {source}")]
pub struct DefaultError {
    /// The dotted field.
    pub field: String,
    /// Why it cannot be set there.
    pub source: crate::record::document::SetError,
}

impl ImportMapping {
    /// Gives `doc` (a record of `kind`) the mapping's party and defaults
    /// where it has none; every one that cannot be set is returned.
    pub fn fill(
        &self,
        kind: crate::kind::Kind,
        doc: &mut crate::yaml::Mapping,
    ) -> Vec<DefaultError> {
        use crate::record::document;
        let party = self
            .party
            .as_ref()
            .filter(|_| crate::schema::field_shape(kind, "reporter.party").is_some())
            .map(|p| ("reporter.party", Value::String(p.clone())));
        let defaults = self.defaults.iter().map(|(f, v)| (f.as_str(), v.clone()));
        let mut errors = Vec::new();
        for (field, v) in party.into_iter().chain(defaults) {
            if document::get(doc, field).is_none()
                && let Err(source) = document::set(doc, field, v)
            {
                errors.push(DefaultError {
                    field: field.to_owned(),
                    source,
                });
            }
        }
        errors
    }

    /// Reads a mapping file's text.
    pub fn parse(path: &Path, text: &str) -> Result<ImportMapping> {
        let doc = yaml::parse_mapping(path, text)?;
        let raw: Raw = yaml::from_value(&Value::Mapping(doc)).map_err(|e| {
            Error::field(
                path,
                "(mapping)",
                e.to_string(),
                Some(
                    "a mapping has kind, system, columns, values, date_format, party and defaults; see `arende import --help`"
                        .to_owned(),
                ),
                None,
            )
        })?;
        let text_of = |v: &Value, what: &str| name(path, v, what);
        let mut columns = Vec::new();
        for (k, v) in &raw.columns {
            let column = text_of(k, "columns")?;
            let field = match v {
                Value::Null => None,
                other => Some(text_of(other, &format!("columns.{column}"))?),
            };
            columns.push((column, field));
        }
        let values = value_maps(path, &raw.values)?;
        let mut defaults = Vec::new();
        for (k, v) in &raw.defaults {
            defaults.push((text_of(k, "defaults")?, v.clone()));
        }
        let delimiter = delimiter(path, raw.delimiter.as_deref())?;
        Ok(ImportMapping {
            delimiter,
            kind: raw.kind,
            system: raw.system,
            columns,
            values,
            date_formats: match raw.date_format {
                None => Vec::new(),
                Some(OneOrMany::One(f)) => vec![f],
                Some(OneOrMany::Many(fs)) => fs,
            },
            party: raw.party,
            defaults,
        })
    }

    /// The field a column maps to: `Some(None)` if the mapping ignores it,
    /// `None` if the mapping does not name it.
    pub fn field_of(&self, column: &str) -> Option<Option<&str>> {
        self.columns
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, f)| f.as_deref())
    }

    /// The value map of a field, if the mapping has one.
    pub fn value_map(&self, field: &str) -> Option<&[(String, Value)]> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_slice())
    }

    /// The arende value a tool's value maps to.
    pub fn map_value(&self, field: &str, text: &str) -> Option<&Value> {
        let pairs = self.value_map(field)?;
        pairs
            .iter()
            .find(|(from, _)| from == text)
            .or_else(|| {
                pairs
                    .iter()
                    .find(|(from, _)| from.trim().eq_ignore_ascii_case(text.trim()))
            })
            .map(|(_, to)| to)
    }
}

/// A key or value of the mapping that names something: text, or a number
/// or boolean read as text.
fn name(path: &Path, v: &Value, what: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(crate::record::document::display(v)),
        _ => Err(Error::field(
            path,
            what,
            format!("`{}` is not a name", crate::record::document::display(v)),
            None,
            None,
        )),
    }
}

/// A field, with the tool's values and arende's.
type ValueMap = (String, Vec<(String, Value)>);

/// `values`: for each field, the tool's values and arende's.
fn value_maps(path: &Path, raw: &Mapping) -> Result<Vec<ValueMap>> {
    let mut values = Vec::new();
    for (k, v) in raw {
        let field = name(path, k, "values")?;
        let Value::Mapping(m) = v else {
            return Err(Error::field(
                path,
                format!("values.{field}"),
                "is not a mapping of the tool's values to arende's",
                Some(format!(
                    "write e.g. values: {{{field}: {{\"1 - High\": high}}}}"
                )),
                None,
            ));
        };
        let mut pairs = Vec::new();
        for (from, to) in m {
            pairs.push((name(path, from, &format!("values.{field}"))?, to.clone()));
        }
        values.push((field, pairs));
    }
    Ok(values)
}

/// `delimiter`: one character, or `tab`.
fn delimiter(path: &Path, d: Option<&str>) -> Result<Option<u8>> {
    match d {
        None => Ok(None),
        Some("\\t" | "tab") => Ok(Some(b'\t')),
        Some(d) if d.len() == 1 && d.is_ascii() => Ok(Some(d.as_bytes()[0])),
        Some(d) => Err(Error::field(
            path,
            "delimiter",
            format!("`{d}` is not one character"),
            Some("write e.g. delimiter: \";\" (or tab)".to_owned()),
            None,
        )),
    }
}
