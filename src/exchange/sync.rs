//! What `arende sync` carries from a partner's record to the linked record
//! here: the partner's status moves, assignments and replies to its
//! customer, and what it relayed from its own partners, each as an event
//! naming the party that did it and the partner's commit; and every
//! identifier the partner's record holds. Internal notes, person names the
//! profile withholds and every other field stay where they are.

use super::Partner;
use crate::record::{Disposition, Event, External, Remote};
use crate::time::Timestamp;
use crate::validate::personnummer;
use crate::yaml::{self, Mapping, Value};

/// A partner's record, as read from its repository.
#[derive(Debug, Clone)]
pub struct Theirs {
    /// Its ID there.
    pub id: String,
    /// When it was opened there.
    pub opened_at: Option<Timestamp>,
    /// Its events that read as events.
    pub history: Vec<Event>,
    /// The identifiers it holds.
    pub external: Vec<External>,
}

impl Theirs {
    /// Reads a partner's record document; `None` if it has no ID. An event
    /// or an identifier that does not read is left out, not a failure: the
    /// partner's repository is not ours to judge.
    pub fn read(doc: &Mapping) -> Option<Theirs> {
        let id = doc.get("id")?.as_str()?.to_owned();
        let history = match doc.get("history") {
            Some(Value::Sequence(events)) => events
                .iter()
                .filter_map(|e| yaml::from_value::<Event>(e).ok())
                .collect(),
            _ => Vec::new(),
        };
        let external = match doc.get("external") {
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|e| yaml::from_value::<External>(e).ok())
                .collect(),
            _ => Vec::new(),
        };
        let opened_at = doc
            .get("opened_at")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        Some(Theirs {
            id,
            opened_at,
            history,
            external,
        })
    }

    /// The ID of ours this record names, where it was reported by us.
    pub fn names_ours<'a>(&'a self, our_party: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.external
            .iter()
            .filter(move |e| e.party == our_party)
            .map(|e| e.id.as_str())
    }
}

/// Who records what sync carries, and when.
#[derive(Debug, Clone)]
pub struct Recorder<'a> {
    /// The partner read.
    pub partner: &'a Partner,
    /// Our party.
    pub our_party: &'a str,
    /// The partner's commit read.
    pub commit: String,
    /// The author of the sync's commit.
    pub by: String,
    /// The sync's time: every event it records is at it, so the history
    /// stays in time order (the partner's own time is in `remote.at`).
    pub now: Timestamp,
}

/// What one partner record adds to our record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Carried {
    /// Events to append, in the partner's order.
    pub events: Vec<Event>,
    /// Identifiers to add.
    pub external: Vec<External>,
}

impl Carried {
    /// Whether it adds nothing.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.external.is_empty()
    }
}

impl Recorder<'_> {
    /// What `theirs` adds to our record `ours_id`, whose history and
    /// identifiers are `history` and `external`.
    pub fn carry(
        &self,
        theirs: &Theirs,
        ours_id: &str,
        history: &[Event],
        external: &[External],
    ) -> Carried {
        let mut out = Carried::default();
        let known = |e: &External| e.id == ours_id || external.iter().any(|x| x.id == e.id);
        let mut theirs_ids = vec![External {
            id: theirs.id.clone(),
            owner: Some(self.partner.name.clone()),
            party: self.partner.party.clone(),
        }];
        theirs_ids.extend(theirs.external.iter().cloned());
        for e in theirs_ids {
            if !known(&e) && !out.external.iter().any(|x| x.id == e.id) {
                out.external.push(e);
            }
        }
        let mut candidates = Vec::new();
        if !external.iter().any(|x| x.id == theirs.id) {
            candidates.push(self.event(
                Remote {
                    verdict: Some(Disposition::Accepted),
                    ..self.remote(&self.partner.party, &theirs.id, theirs.opened_at)
                },
                Some(format!(
                    "accepted by {} as {}",
                    self.partner.party, theirs.id
                )),
            ));
        }
        for e in &theirs.history {
            if let Some(event) = self.carried_event(theirs, ours_id, e) {
                candidates.push(event);
            }
        }
        for event in candidates {
            let Some(remote) = &event.remote else {
                continue;
            };
            if !recorded(history, remote) && !recorded(&out.events, remote) {
                out.events.push(event);
            }
        }
        out
    }

    /// The event a partner's event becomes here, if it is one that crosses.
    fn carried_event(&self, theirs: &Theirs, ours_id: &str, e: &Event) -> Option<Event> {
        let names = self.partner.receive.names;
        if let Some(r) = &e.remote {
            // Relayed by the partner from its own partner: ours coming back
            // is no news, and what we sent is ours already.
            let ours = r.party == self.our_party || r.record == ours_id;
            if ours || r.verdict == Some(Disposition::Sent) {
                return None;
            }
            let remote = Remote {
                status: r.status.clone(),
                group: r.group.clone(),
                person: r.person.clone().filter(|_| names),
                reply: r.reply,
                verdict: r.verdict,
                ..self.remote(&r.party, &r.record, Some(r.at))
            };
            let note = (r.reply || r.verdict.is_some())
                .then(|| e.note.clone())
                .flatten();
            return Some(self.event(remote, note));
        }
        let change = |field: &str| {
            e.changes
                .iter()
                .find(|c| c.field == field)
                .and_then(|c| c.to.as_ref())
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let reply = e.to_customer && e.note.is_some();
        let remote = Remote {
            status: e.status.clone(),
            group: change("assignment.group"),
            person: change("assignment.person").filter(|_| names),
            reply,
            ..self.remote(&self.partner.party, &theirs.id, Some(e.at))
        };
        if remote.status.is_none() && remote.group.is_none() && remote.person.is_none() && !reply {
            return None;
        }
        Some(self.event(remote, reply.then(|| e.note.clone()).flatten()))
    }

    fn remote(&self, party: &str, record: &str, at: Option<Timestamp>) -> Remote {
        Remote {
            partner: self.partner.name.clone(),
            party: party.to_owned(),
            record: record.to_owned(),
            at: at.unwrap_or(self.now),
            commit: self.commit.clone(),
            status: None,
            group: None,
            person: None,
            reply: false,
            verdict: None,
        }
    }

    /// An event here, at the sync's time, by its author; a note that would
    /// carry a personal identity number is withheld.
    pub fn event(&self, remote: Remote, note: Option<String>) -> Event {
        let note = note.map(|text| {
            if personnummer::find_in(&Value::String(text.clone())).is_some() {
                "(withheld: the partner's note carries a personal identity number)".to_owned()
            } else {
                text
            }
        });
        Event {
            at: self.now,
            by: self.by.clone(),
            status: None,
            note,
            changes: Vec::new(),
            to_customer: false,
            remote: Some(remote),
        }
    }
}

/// Whether `history` records the partner's event `remote` already.
fn recorded(history: &[Event], remote: &Remote) -> bool {
    history
        .iter()
        .filter_map(|h| h.remote.as_ref())
        .any(|r| r.same_event(remote))
}

/// Whether a record's history says it was sent to the partner `name`.
pub fn sent_to(history: &[Event], name: &str) -> bool {
    history.iter().any(|e| {
        e.remote
            .as_ref()
            .is_some_and(|r| r.partner == name && r.verdict == Some(Disposition::Sent))
    })
}

/// What a verdict on one of our intake branches at a partner adds to the
/// record it reports: the refusal or referral, once.
pub fn verdict_event(
    recorder: &Recorder<'_>,
    branch: &str,
    verdict: &super::intake::Verdict,
    history: &[Event],
) -> Option<Event> {
    let at = chrono::DateTime::parse_from_rfc3339(&verdict.at).ok();
    let remote = Remote {
        verdict: Some(verdict.decision),
        ..recorder.remote(&recorder.partner.party, branch, at)
    };
    if recorded(history, &remote) {
        return None;
    }
    let note = format!(
        "{} by {}: {}",
        verdict.decision,
        recorder.partner.party,
        verdict.reasons.join("; ")
    );
    Some(recorder.event(remote, Some(note)))
}
