//! `arende import`: records from a CSV, JSON or YAML file, or a ServiceNow
//! incident event log, checked all before any is written, and written with
//! one commit.
//!
//! The import is all or nothing: every row is read, mapped, classified and
//! checked first; if any row is bad, every bad row is reported (row number as
//! a spreadsheet shows it, column, reason) and nothing is written. It is
//! idempotent: each record keeps where it came from in `source: {system,
//! id}` (arende's own export keeps its IDs instead), so a second run finds
//! the records the first made, changes nothing and makes no commit. With
//! `update`, rows that changed since are applied to the records they made,
//! with `history` events saying so.
//!
//! What blocks an import: input that cannot be read, values that are not
//! the field's type or allowed values, a history the policy's status machine
//! cannot walk (REC004), and personal identity numbers (SEC001, unless
//! forced). The policy's warnings are reported in the summary. Its errors
//! refuse the import (SPEC §5: no command commits an error `validate`
//! rejects), unless a waiver of `policy/waivers.yaml` accepts each, or
//! `waive` gives the reason to write those waivers in the same commit:
//! imported history is what it was, and a rule that needs data the other
//! system never kept (a major incident manager) cannot be met by an import
//! without inventing it. With `strict`, they are bad rows instead.
//!
//! The stages, each a module taking the one before's type:
//! `read` (`Rows`: CSV cells or JSON/YAML records) → `map` (`Mapped`:
//! a `candidate::Candidate` per record, its fields as typed leaves) →
//! `matching` (`Matched`: each candidate with the record it updates or a
//! new ID) → `plan` (`Plan`: the document to write, or nothing) →
//! `check` (`Checked`: every record checked, each held as the text it
//! will be written as) → `write` (one commit through the store's
//! transaction, with the waivers `waive` plans between check and write).
//! Plan and check run together, row by row in parallel, so
//! a row's candidate is given back as soon as its record is text.

mod candidate;
mod check;
mod env;
mod error;
mod generic;
mod map;
mod mapping;
mod matching;
mod plan;
mod read;
mod servicenow;
mod summary;
mod table;
pub mod values;
mod waive;
mod write;

use std::path::{Path, PathBuf};

pub use error::{ImportError, RowError, Unit};
pub use mapping::ImportMapping;
pub use summary::{PriorityDiff, RuleTally, Summary, Warning};

use crate::error::Error;
use crate::policy::Policy;
use crate::workspace::Context;
use env::{Env, Tally};
use matching::Repo;
use values::DateRules;

/// The largest input an import reads (1 GiB).
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV with the record model's field names (dotted for nested fields), or mapped.
    Csv,
    /// A JSON list of records, as `arende export` writes.
    Json,
    /// A YAML list of records.
    Yaml,
    /// A ServiceNow incident event log (CSV).
    ServiceNow,
}

impl InputFormat {
    /// The name, as `--input` takes it.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Csv => "csv",
            InputFormat::Json => "json",
            InputFormat::Yaml => "yaml",
            InputFormat::ServiceNow => "servicenow",
        }
    }

    /// The format of an input with no `--format`: by the file's extension,
    /// else by its first characters; CSV with the columns of a ServiceNow
    /// event log is one.
    pub fn guess(path: &Path, text: &str) -> InputFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let by_ext = match ext.as_deref() {
            Some("json") => Some(InputFormat::Json),
            Some("yaml" | "yml") => Some(InputFormat::Yaml),
            Some("csv") => Some(InputFormat::Csv),
            _ => None,
        };
        let start = text.trim_start_matches('\u{feff}').trim_start();
        let format = by_ext.unwrap_or(if start.starts_with(['[', '{']) {
            InputFormat::Json
        } else if start.starts_with("- ") || start.starts_with("---") {
            InputFormat::Yaml
        } else {
            InputFormat::Csv
        });
        if format == InputFormat::Csv {
            let header: Vec<String> = start
                .lines()
                .next()
                .unwrap_or_default()
                .split([',', ';', '\t'])
                .map(|c| c.trim().trim_matches('"').to_owned())
                .collect();
            if servicenow::looks_like_event_log(&header) {
                return InputFormat::ServiceNow;
            }
        }
        format
    }
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The input's format; guessed when `None`.
    pub format: Option<InputFormat>,
    /// How another tool's columns map to fields.
    pub mapping: Option<ImportMapping>,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Apply changed rows to the records they made.
    pub update: bool,
    /// Report a record that would break an error rule of the policy as a
    /// bad row, whatever the waivers.
    pub strict: bool,
    /// Write a waiver with this reason for each error of the policy's rules
    /// the records break (else such an error refuses the import).
    pub waive: Option<String>,
    /// Import text holding a personal identity number.
    pub force: bool,
}

/// The input: its name (for messages and the commit) and its text.
#[derive(Debug, Clone)]
pub struct Input {
    /// As named on the command line (`-` for standard input).
    pub name: PathBuf,
    /// The text.
    pub text: String,
}

impl Input {
    /// Reads a file, refusing symbolic links' targets no more than other
    /// files, but files over [`MAX_INPUT_BYTES`] and text that is not UTF-8.
    pub fn read(path: &Path) -> crate::error::Result<Input> {
        let text = crate::fs::read_text(path, MAX_INPUT_BYTES).or_else(|e| match e {
            Error::Symlink { .. } => {
                // An input file is not a record: a link to one is fine.
                let target = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
                crate::fs::read_text_as(&target, path, MAX_INPUT_BYTES)
            }
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => Err(
                Error::usage(format!("{}: no such file", path.display()), None),
            ),
            other => Err(other),
        })?;
        Ok(Input {
            name: path.to_owned(),
            text,
        })
    }
}

/// Told how far an import has come; the CLI draws a bar with it.
pub trait Progress: Sync {
    /// A stage begins, with this many steps (0: unknown).
    fn start(&self, _stage: &'static str, _total: u64) {}
    /// Steps done.
    fn advance(&self, _n: u64) {}
    /// The stage is over.
    fn finish(&self) {}
}

/// Reports no progress.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Imports `input` into the repository of `cx`: read → map → match →
/// plan and check → write, each stage handing the next its own type.
pub fn import(
    cx: &Context<'_>,
    input: &Input,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<Summary, ImportError> {
    let ws = cx.ws;
    let format = options
        .format
        .unwrap_or_else(|| InputFormat::guess(&input.name, &input.text));
    let mapping = options.mapping.as_ref();
    check_party(ws.policy(), mapping)?;
    let env = Env {
        policy: ws.policy(),
        rules: DateRules {
            tz: ws.tz(),
            formats: mapping.map(|m| m.date_formats.clone()).unwrap_or_default(),
        },
    };
    let tally = Tally::default();
    // Under the lock: what the repository holds, read before the rows are
    // mapped, so that what the read needs on its way is given back before
    // 100 000 mapped rows take theirs.
    let tx = ws.begin()?;
    let scan = matching::scan(ws)?;
    let repo = Repo::new(&scan);
    progress.start("reading", 0);
    let rows = read::read(input, format, mapping.and_then(|m| m.delimiter))?;
    let mapped = map::map(rows, mapping, &env, &tally);
    progress.finish();
    let matched = matching::match_rows(cx, &repo, mapped);
    let checked = check::check(cx, &repo, matched, options, &input.name, progress)?;
    let waivers = waive::plan(cx, &checked.rules, input, options)?;
    let settled = write::settle(cx, checked, input, format, options, tally)?;
    Ok(write::write(cx, tx, settled, waivers, input, progress)?)
}

/// Refuses a mapping whose party does not report under the policy.
fn check_party(policy: &Policy, mapping: Option<&ImportMapping>) -> Result<(), Error> {
    let Some(p) = mapping.and_then(|m| m.party.as_deref()) else {
        return Ok(());
    };
    if policy.party(p).is_some_and(|p| p.reports) {
        return Ok(());
    }
    Err(Error::usage(
        format!(
            "the mapping's party `{p}` is not a reporting party of the {} policy",
            policy.name
        ),
        Some(format!(
            "parties: {}",
            policy
                .parties
                .iter()
                .filter(|p| p.reports)
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    ))
}
