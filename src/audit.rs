//! A record's life: the commits that changed its file, each with the history
//! events it recorded. Git says who committed what and when; `history` says
//! what happened to the ticket. Together they are the audit trail the
//! agreements ask for, and a commit that changed the record without adding
//! an event (a hand edit) shows as such.

use std::path::Path;

use crate::error::Result;
use crate::id::RecordId;
use crate::record::Event;
use crate::record::document;
use crate::store::{HistoryCommit, file_at_head, record_commits};
use crate::workspace::Workspace;
use crate::yaml::{self, Mapping};

/// One commit of a record's life and the events it added.
#[derive(Debug, Clone)]
pub struct Step {
    /// The commit, or `None` for changes not committed yet.
    pub commit: Option<HistoryCommit>,
    /// The history events this commit added.
    pub events: Vec<Event>,
    /// Events this commit removed or rewrote, if it did (history is append-only).
    pub rewrote_history: bool,
    /// The fields this commit changed (history aside), by dotted name.
    pub fields: Vec<String>,
}

/// The life of a record, oldest first. Each commit is compared with its
/// parents' versions of the file, not with the commit before it in time:
/// on a history with merges the one before in time may be on another branch.
pub fn life(ws: &Workspace, id: &RecordId) -> Result<Vec<Step>> {
    let (entry, _) = ws.load(id)?;
    let commits = record_commits(ws.root(), &entry.path)?;
    let mut steps = Vec::new();
    for commit in commits {
        let version = commit
            .content
            .as_deref()
            .and_then(|c| parse(&entry.path, c));
        let parents: Vec<Option<Mapping>> = commit
            .parents
            .iter()
            .map(|p| p.as_deref().and_then(|c| parse(&entry.path, c)))
            .collect();
        let events = version.as_ref().map(events_of).unwrap_or_default();
        let first = parents.first().and_then(Option::as_ref);
        let fields = changed_fields(first, version.as_ref());
        let (added, rewrote) = if parents.len() > 1 {
            merged_in(&parents, &events)
        } else {
            split_new(&first.map(events_of).unwrap_or_default(), &events)
        };
        steps.push(Step {
            commit: Some(commit),
            events: added,
            rewrote_history: rewrote,
            fields,
        });
    }
    let head = file_at_head(ws.root(), &entry.path)?.and_then(|c| parse(&entry.path, &c));
    let seen = head.as_ref().map(events_of).unwrap_or_default();
    let (added, rewrote) = split_new(&seen, &entry.record.common.history);
    let fields = changed_fields(head.as_ref(), entry.doc.as_mapping());
    if !added.is_empty() || rewrote || !fields.is_empty() {
        steps.push(Step {
            commit: None,
            events: added,
            rewrote_history: rewrote,
            fields,
        });
    }
    Ok(steps)
}

/// What a merge commit brought in: the events its first parent did not
/// have; and whether it lost an event one of its parents had (the merge
/// driver keeps every one, in time order, so order alone is no rewrite).
fn merged_in(parents: &[Option<Mapping>], now: &[Event]) -> (Vec<Event>, bool) {
    let first = parents
        .first()
        .and_then(Option::as_ref)
        .map(events_of)
        .unwrap_or_default();
    let added = now.iter().filter(|e| !first.contains(e)).cloned().collect();
    let lost = parents
        .iter()
        .flatten()
        .flat_map(events_of)
        .any(|e| !now.contains(&e));
    (added, lost)
}

/// The events of `now` beyond those `before` had, and whether `now` lost
/// or reordered one of them (history rewritten).
fn split_new(before: &[Event], now: &[Event]) -> (Vec<Event>, bool) {
    let (added, rewrote) = crate::record::history_added(before, now);
    (added.into_iter().cloned().collect(), rewrote)
}

/// A version of the record file as a document; one that does not parse
/// has none (its commit still shows, with no events or fields: history
/// cannot be corrected, so it is no error to stop on).
fn parse(path: &Path, content: &[u8]) -> Option<Mapping> {
    let text = std::str::from_utf8(content).ok()?;
    yaml::parse_mapping(path, text).ok()
}

/// The history events of a version; a `history` that does not read as
/// events has none to show (`arende validate` names it in the record as it
/// is now; an old version cannot be corrected).
fn events_of(doc: &Mapping) -> Vec<Event> {
    doc.get("history")
        .and_then(|h| yaml::from_value::<Vec<Event>>(h).ok())
        .unwrap_or_default()
}

/// The fields one version changed from the one before; the version that
/// created the record changed none (it set them all).
fn changed_fields(old: Option<&Mapping>, new: Option<&Mapping>) -> Vec<String> {
    match old {
        Some(_) => document::diff(old, new)
            .into_iter()
            .map(|d| d.field)
            .collect(),
        None => Vec::new(),
    }
}
