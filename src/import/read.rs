//! Stage 1, read: the input's text into rows of cells (CSV) or records
//! (JSON, YAML). Nothing here knows what they mean.

use super::error::RowError;
use super::table::{self, Table};
use super::{Input, InputFormat};
use crate::error::Error;
use crate::yaml::Mapping;

/// What the read stage hands on.
pub(crate) struct Rows {
    pub format: InputFormat,
    /// Rows (or records) read, the ones that could not be read included
    /// where the input is a list of records.
    pub count: usize,
    pub body: Body,
    /// Rows that could not be read, reported with the rest at the end.
    pub errors: Vec<RowError>,
}

/// The rows themselves.
pub(crate) enum Body {
    /// CSV, the ServiceNow event log included.
    Table(Table),
    /// JSON or YAML records with their numbers, counted from 1.
    Items(Vec<(usize, Mapping)>),
}

/// Reads `input` as `format`; CSV with `delimiter` if given.
pub(crate) fn read(
    input: &Input,
    format: InputFormat,
    delimiter: Option<u8>,
) -> Result<Rows, Error> {
    Ok(match format {
        InputFormat::Csv | InputFormat::ServiceNow => {
            let (table, errors) = table::read_csv(&input.text, delimiter);
            Rows {
                format,
                count: table.rows.len(),
                body: Body::Table(table),
                errors,
            }
        }
        InputFormat::Json | InputFormat::Yaml => {
            let (items, errors) =
                table::read_items(&input.name, &input.text, format == InputFormat::Json)?;
            Rows {
                format,
                count: items.len() + errors.len(),
                body: Body::Items(items),
                errors,
            }
        }
    })
}
