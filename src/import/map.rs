//! Stage 2, map: rows into candidates, the records they describe in the
//! record model's fields, each row's problems reported.

use super::candidate::Candidate;
use super::env::{Env, Tally};
use super::error::RowError;
use super::mapping::ImportMapping;
use super::read::{Body, Rows};
use super::{InputFormat, generic, servicenow};

/// What the map stage hands on.
pub(crate) struct Mapped {
    /// Rows (or records) read.
    pub rows: usize,
    pub candidates: Vec<Candidate>,
    /// Every bad row so far, the read stage's included.
    pub errors: Vec<RowError>,
}

/// Maps every row; the table's rows are given back as they are mapped.
pub(crate) fn map(
    rows: Rows,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> Mapped {
    let Rows {
        format,
        count,
        body,
        mut errors,
    } = rows;
    let (candidates, mut more) = match body {
        Body::Table(table) if format == InputFormat::ServiceNow => {
            servicenow::candidates(&table, mapping, env, tally)
        }
        Body::Table(table) => generic::from_table(table, mapping, env, tally),
        Body::Items(items) => generic::from_items(items, mapping, env, tally),
    };
    errors.append(&mut more);
    Mapped {
        rows: count,
        candidates,
        errors,
    }
}
