//! A record's life: the commits that changed its file, each with the history
//! events it recorded. Git says who committed what and when; `history` says
//! what happened to the ticket. Together they are the audit trail the
//! agreements ask for, and a commit that changed the record without adding
//! an event (a hand edit) shows as such.

use std::path::Path;

use crate::error::Result;
use crate::id::RecordId;
use crate::record::Event;
use crate::store::{HistoryCommit, Store, record_commits};
use crate::yaml;

/// One commit of a record's life and the events it added.
#[derive(Debug, Clone)]
pub struct Step {
    /// The commit, or `None` for changes not committed yet.
    pub commit: Option<HistoryCommit>,
    /// The history events this commit added.
    pub events: Vec<Event>,
    /// Events this commit removed or rewrote, if it did (history is append-only).
    pub rewrote_history: bool,
}

/// The life of a record, oldest first.
pub fn life(store: &Store, id: &RecordId) -> Result<Vec<Step>> {
    let (entry, _) = store.load(id)?;
    let commits = record_commits(store.root(), &entry.path)?;
    let mut steps = Vec::new();
    let mut seen: Vec<Event> = Vec::new();
    for commit in commits {
        let events = commit
            .content
            .as_deref()
            .map(|c| events_in(&entry.path, c))
            .unwrap_or_default();
        let (added, rewrote) = split_new(&seen, &events);
        seen = events;
        steps.push(Step {
            commit: Some(commit),
            events: added,
            rewrote_history: rewrote,
        });
    }
    let (added, rewrote) = split_new(&seen, &entry.record.common.history);
    if !added.is_empty() || rewrote {
        steps.push(Step {
            commit: None,
            events: added,
            rewrote_history: rewrote,
        });
    }
    Ok(steps)
}

/// The events of `now` beyond those `before` had, and whether `now` does not
/// start with all of `before` (history rewritten).
fn split_new(before: &[Event], now: &[Event]) -> (Vec<Event>, bool) {
    let kept = now.len() >= before.len() && now[..before.len()] == *before;
    if kept {
        (now[before.len()..].to_vec(), false)
    } else {
        let common = before.iter().zip(now).take_while(|(a, b)| a == b).count();
        (now[common..].to_vec(), true)
    }
}

/// The history events in a version of the file; a version that does not
/// parse has none (its commit still shows).
fn events_in(path: &Path, content: &[u8]) -> Vec<Event> {
    let Ok(text) = std::str::from_utf8(content) else {
        return Vec::new();
    };
    let Ok(doc) = yaml::parse_mapping(path, text) else {
        return Vec::new();
    };
    doc.get("history")
        .and_then(|h| yaml::from_value::<Vec<Event>>(h).ok())
        .unwrap_or_default()
}
