//! Stage 3, match: each candidate with the record it updates, or a new ID
//! for the record it makes; a key or an ID given twice is a row's error.

use std::collections::{HashMap, HashSet};

use super::candidate::{Candidate, Key};
use super::error::{ImportError, RowError, Unit};
use super::map::Mapped;
use crate::error::Error;
use crate::id::RecordId;
use crate::workspace::Context;
use crate::workspace::{Entry, Scan, Workspace};
use crate::yaml::Value;

/// The repository's records as the import finds them: each one's typed
/// view, found by ID and by source.
pub(crate) struct Repo<'a> {
    pub entries: &'a [Entry],
    by_id: HashMap<&'a RecordId, usize>,
    by_source: HashMap<(&'a str, &'a str), usize>,
}

/// Reads what the repository holds: each record's typed view only (a
/// record's document is read again where a row updates it or a link check
/// looks at it; holding every document made a second import of 100 000
/// rows take 2 GB). Refused if a record file cannot be read, since the
/// import could not tell which records it made already.
pub(crate) fn scan(ws: &Workspace) -> Result<Scan, ImportError> {
    let (scan, _) = ws.records(&[], &|_| true, crate::workspace::cache::Docs::DropUncached);
    if let Some(first) = scan.errors.first() {
        return Err(Error::usage(
            format!(
                "{} record file(s) of the repository cannot be read, so the import cannot tell which records it made already; nothing was imported: {first}",
                scan.errors.len()
            ),
            Some("fix the files `arende validate` names, then import again".to_owned()),
        )
        .into());
    }
    Ok(scan)
}

impl<'a> Repo<'a> {
    /// Indexes the scan's records.
    pub fn new(scan: &'a Scan) -> Repo<'a> {
        let entries = scan.entries.as_slice();
        let by_source = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let s = e.record.common.source.as_ref()?;
                Some(((s.system.as_str(), s.id.as_str()), i))
            })
            .collect();
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.record.id(), i))
            .collect();
        Repo {
            entries,
            by_id,
            by_source,
        }
    }

    /// The record with this ID.
    pub fn get(&self, id: &RecordId) -> Option<&'a Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    /// The record a candidate names: by its source, else by the ID it keeps.
    fn find(&self, c: &Candidate) -> Option<&'a Entry> {
        let i = match &c.key {
            Key::Source(s, id) => self
                .by_source
                .get(&(s.as_str(), id.as_str()))
                .copied()
                .or_else(|| {
                    c.keep_id
                        .as_ref()
                        .and_then(|id| self.by_id.get(id).copied())
                }),
            Key::Id(id) => self.by_id.get(id).copied(),
        };
        i.map(|i| &self.entries[i])
    }
}

/// What the match stage hands on.
pub(crate) struct Matched<'a> {
    pub rows: usize,
    pub pairs: Vec<Pair<'a>>,
    pub errors: Vec<RowError>,
}

/// A candidate and the record it makes or updates.
pub(crate) struct Pair<'a> {
    pub candidate: Candidate,
    pub target: Target<'a>,
}

/// The record a candidate makes or updates.
pub(crate) enum Target<'a> {
    /// A record of the repository.
    Existing(&'a Entry),
    /// A new record, with this ID.
    New(RecordId),
}

impl Target<'_> {
    /// The record's ID.
    pub fn id(&self) -> &RecordId {
        match self {
            Target::Existing(e) => e.record.id(),
            Target::New(id) => id,
        }
    }
}

/// Matches the candidates in input order, and gives new records their IDs
/// (one at a time: they must differ).
pub(crate) fn match_rows<'a>(cx: &Context<'_>, repo: &Repo<'a>, mapped: Mapped) -> Matched<'a> {
    let Mapped {
        rows,
        candidates,
        mut errors,
    } = mapped;
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut used: HashSet<RecordId> = HashSet::new();
    let mut pairs = Vec::with_capacity(candidates.len());
    for c in candidates {
        if let Some(first) = seen.get(&c.key) {
            errors.push(twice(&c, *first));
            continue;
        }
        seen.insert(c.key.clone(), c.row);
        let target = match repo.find(&c) {
            Some(entry) => match claimed(&c, entry) {
                Some(e) => Err(e),
                None => Ok(Target::Existing(entry)),
            },
            None => new_id(cx, repo, &c, &mut used).map(Target::New),
        };
        match target {
            Ok(target) => pairs.push(Pair {
                candidate: c,
                target,
            }),
            Err(e) => errors.push(e),
        }
    }
    Matched {
        rows,
        pairs,
        errors,
    }
}

fn twice(c: &Candidate, first: usize) -> RowError {
    RowError {
        unit: c.unit,
        row: c.row,
        line: c.line,
        column: None,
        reason: format!(
            "{} is also {} {first}; each record may appear once",
            c.key.describe(),
            match c.unit {
                Unit::Row => "row",
                Unit::Record => "record",
            }
        ),
    }
}

/// The error of a row keeping the ID of a record another source made.
fn claimed(c: &Candidate, entry: &Entry) -> Option<RowError> {
    let (Some(id), Key::Source(s, sid)) = (&c.keep_id, &c.key) else {
        return None;
    };
    let other = entry.record.common.source.as_ref();
    if entry.record.id() != id || other.is_none_or(|o| (&o.system, &o.id) == (s, sid)) {
        return None;
    }
    Some(RowError::row(
        c.unit,
        c.row,
        format!(
            "{id} is already the record of {}, not of {s} {sid}",
            other
                .map(|o| format!("{} {}", o.system, o.id))
                .unwrap_or_default()
        ),
    ))
}

/// A new record's ID: the one it keeps, else one drawn for its kind and the
/// day it was opened.
fn new_id(
    cx: &Context<'_>,
    repo: &Repo<'_>,
    c: &Candidate,
    used: &mut HashSet<RecordId>,
) -> Result<RecordId, RowError> {
    if let Some(id) = &c.keep_id {
        if !used.insert(id.clone()) {
            return Err(RowError::row(
                c.unit,
                c.row,
                format!("{id} appears twice in the input"),
            ));
        }
        return Ok(id.clone());
    }
    let date = opened_date(c.fields.top("opened_at").as_ref(), cx);
    loop {
        let id = RecordId::generate(c.kind, date);
        let taken = repo.get(&id).is_some() || cx.ws.store().id_taken(&id);
        if !taken && used.insert(id.clone()) {
            return Ok(id);
        }
    }
}

fn opened_date(opened_at: Option<&Value>, cx: &Context<'_>) -> chrono::NaiveDate {
    opened_at
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or(cx.now)
        .with_timezone(&cx.ws.tz())
        .date_naive()
}
