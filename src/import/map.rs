//! Stage 2, map: rows into candidates, the records they describe in the
//! record model's fields, each row's problems reported.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::candidate::Candidate;
use super::error::RowError;
use super::mapping::ImportMapping;
use super::read::{Body, Rows};
use super::summary::Warning;
use super::values::DateRules;
use super::{InputFormat, generic, servicenow};
use crate::policy::Policy;

/// What the map stage hands on.
pub(crate) struct Mapped {
    /// Rows (or records) read.
    pub rows: usize,
    pub candidates: Vec<Candidate>,
    /// Every bad row so far, the read stage's included.
    pub errors: Vec<RowError>,
}

/// What the builders read values with.
pub(crate) struct Env<'a> {
    pub policy: &'a Policy,
    pub rules: DateRules,
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

/// Warnings gathered from many threads, each with examples.
#[derive(Default)]
pub(crate) struct Tally(Mutex<BTreeMap<String, Vec<String>>>);

impl Tally {
    pub fn add(&self, message: impl Into<String>, example: impl Into<String>) {
        let example = example.into();
        if let Ok(mut map) = self.0.lock() {
            let list = map.entry(message.into()).or_default();
            if !example.is_empty() && !list.contains(&example) {
                list.push(example);
            }
        }
    }

    pub fn into_warnings(self) -> Vec<Warning> {
        self.0
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|(message, examples)| Warning { message, examples })
            .collect()
    }
}
