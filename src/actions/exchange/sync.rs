//! `arende sync`: what partners did, recorded on the linked records here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use git2::Oid;

use super::super::edit::{Edit, land};
use super::super::{Loaded, append_event, load_for_rewrite, load_many_for_rewrite};
use super::fetch_partner;
use crate::error::{Error, Result};
use crate::exchange::intake::Verdict;
use crate::exchange::sync::{Carried, Recorder, Theirs, sent_to, verdict_event};
use crate::exchange::{self, Partner, outgoing};
use crate::id::RecordId;
use crate::record::{Event, External, Record};
use crate::store::Transaction;
use crate::store::remote;
use crate::workspace::Context;
use crate::yaml::{self, Value};

/// What `sync` did with one partner.
#[derive(Debug, Clone, Default)]
pub struct Synced {
    /// The partner.
    pub partner: String,
    /// The partner's commit read.
    pub commit: Option<Oid>,
    /// The partner's records read (those changed since the last sync).
    pub read: usize,
    /// Our records that got something.
    pub records: Vec<RecordId>,
    /// Events recorded.
    pub events: usize,
    /// Identifiers added.
    pub identifiers: usize,
    /// The commit made here.
    pub landed: Option<Oid>,
}

/// Reads each partner's repository (`names`, or every partner) and records
/// on our linked records what the partner did since the last sync.
pub fn sync(cx: &Context<'_>, names: &[String]) -> Result<Vec<Synced>> {
    let root = cx.ws.root();
    let config = cx.ws.store().config();
    let partners = if names.is_empty() {
        Partner::all(root, config)?
    } else {
        names
            .iter()
            .map(|n| Partner::named(root, config, n))
            .collect::<Result<_>>()?
    };
    let our_party = exchange::our_party(root, config)?;
    partners
        .iter()
        .map(|p| sync_one(cx, p, &our_party))
        .collect()
}

fn sync_one(cx: &Context<'_>, partner: &Partner, our_party: &str) -> Result<Synced> {
    let root = cx.ws.root();
    fetch_partner(root, partner, our_party)?;
    let mut out = Synced {
        partner: partner.name.clone(),
        ..Synced::default()
    };
    let Some(tip) = remote::ref_commit(root, &partner.head_ref())? else {
        return Ok(out);
    };
    out.commit = Some(tip);
    if cx.ws.store().config().approvals.signed {
        signed_by_partner(cx, partner, tip)?;
    }
    let links = exchange::links(cx.ws, &partner.party, &partner.receive.kinds);
    let theirs = read_theirs(cx, partner, tip, &links)?;
    out.read = theirs.len();
    let recorder = Recorder {
        partner,
        our_party,
        commit: tip.to_string(),
        by: cx.author.to_string(),
        now: cx.now,
    };
    // A partner record is ours to hear of if we hold its ID, or if it names
    // a record of ours that we sent to that partner: a partner cannot hang
    // its events on any record of ours by naming it.
    let linked: Vec<(&Theirs, RecordId, bool)> = theirs
        .iter()
        .filter_map(|t| {
            if let Some(ours) = links.get(&t.id) {
                return Some((t, ours.clone(), true));
            }
            let ours = t
                .names_ours(our_party)
                .filter_map(|id| RecordId::parse(id).ok())
                .find(|id| cx.ws.store().exists(id))?;
            Some((t, ours, false))
        })
        .collect();
    let verdicts = verdicts(cx, partner, our_party)?;
    let mut pending = Pending {
        cx,
        tx: cx.ws.begin()?,
        records: BTreeMap::new(),
    };
    let mut ids: Vec<RecordId> = linked.iter().map(|(_, id, _)| id.clone()).collect();
    ids.extend(verdicts.iter().map(|(id, _)| id.clone()));
    pending.load(ids)?;
    for (t, ours, held) in &linked {
        pending.add(ours, |history, external| {
            if *held || sent_to(history, &partner.name) {
                recorder.carry(t, ours.as_str(), history, external)
            } else {
                Carried::default()
            }
        })?;
    }
    for (ours, verdict) in verdicts {
        let branch = outgoing::branch(our_party, ours.as_str());
        pending.add(&ours, |history, _| Carried {
            events: verdict_event(&recorder, &branch, &verdict, history)
                .into_iter()
                .collect(),
            external: Vec::new(),
        })?;
    }
    pending.land(partner, tip, &mut out)?;
    if cx.mode == crate::store::CommitMode::Commit {
        remote::set_ref(root, &partner.synced_ref(), tip, "arende sync")?;
    }
    Ok(out)
}

/// The partner's records to read: those changed since the commit the last
/// sync read (all, without one), and those linked here since whose record
/// has not changed, read once from where the partner files it.
fn read_theirs(
    cx: &Context<'_>,
    partner: &Partner,
    tip: Oid,
    links: &HashMap<String, RecordId>,
) -> Result<Vec<Theirs>> {
    let root = cx.ws.root();
    let base = match remote::ref_commit(root, &partner.synced_ref())? {
        Some(base) if remote::is_ancestor(root, base, tip)? => Some(base),
        _ => None,
    };
    let dirs: Vec<&str> = partner.receive.kinds.iter().map(|k| k.dir()).collect();
    let changed = remote::changed_files(root, base, tip, &dirs, LIMIT)?;
    let mut theirs: Vec<Theirs> = changed
        .iter()
        .filter_map(|(path, bytes)| {
            let text = std::str::from_utf8(bytes).ok()?;
            Theirs::read(&yaml::parse_mapping(Path::new(path), text).ok()?)
        })
        .collect();
    if base.is_some() {
        let read: HashSet<String> = theirs.iter().map(|t| t.id.clone()).collect();
        for (their_id, ours) in links.iter().filter(|(t, _)| !read.contains(*t)) {
            if let Some(t) = unsynced(cx, partner, tip, their_id, ours)? {
                theirs.push(t);
            }
        }
    }
    Ok(theirs)
}

/// The largest file read from a partner's repository: a record's limit.
const LIMIT: usize = yaml::MAX_RECORD_BYTES as usize;

/// The verdicts on our intake branches at the partner, by our record.
fn verdicts(
    cx: &Context<'_>,
    partner: &Partner,
    our_party: &str,
) -> Result<Vec<(RecordId, Verdict)>> {
    let root = cx.ws.root();
    let mut out = Vec::new();
    for (refname, commit) in remote::refs_under(root, &partner.intake_refs())? {
        let Some(ours) = refname
            .rsplit('/')
            .next()
            .and_then(|id| RecordId::parse(id).ok())
            .filter(|id| cx.ws.store().exists(id))
        else {
            continue;
        };
        let path = outgoing::path(our_party, ours.as_str());
        let verdict = remote::blob_at(root, commit, &path, LIMIT)?
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| yaml::parse_mapping(Path::new(&path), &t).ok())
            .and_then(|d| d.get("verdict").cloned())
            .and_then(|v| yaml::from_value::<Verdict>(&v).ok());
        if let Some(verdict) = verdict {
            out.push((ours, verdict));
        }
    }
    Ok(out)
}

/// Our records a sync changes, each loaded once under the transaction's
/// lock, with what it has been given so far.
struct Pending<'c, 'w> {
    cx: &'c Context<'w>,
    tx: Transaction<'w>,
    records: BTreeMap<RecordId, (Loaded, Value, Carried)>,
}

impl Pending<'_, '_> {
    /// Loads the records `ids` names, with one reading of git's index.
    fn load(&mut self, mut ids: Vec<RecordId>) -> Result<()> {
        ids.sort();
        ids.dedup();
        for loaded in load_many_for_rewrite(self.cx.ws, &mut self.tx, &ids)? {
            let doc = loaded.doc.clone();
            let id = loaded.record.id().clone();
            self.records.insert(id, (loaded, doc, Carried::default()));
        }
        Ok(())
    }

    /// Gives our record `ours` what `carry` makes of its history and
    /// identifiers as they now stand.
    fn add(
        &mut self,
        ours: &RecordId,
        carry: impl FnOnce(&[Event], &[External]) -> Carried,
    ) -> Result<()> {
        if !self.records.contains_key(ours) {
            let loaded = load_for_rewrite(self.cx.ws, &mut self.tx, ours)?;
            let doc = loaded.doc.clone();
            self.records
                .insert(ours.clone(), (loaded, doc, Carried::default()));
        }
        let Some((loaded, doc, total)) = self.records.get_mut(ours) else {
            return Ok(());
        };
        let record = Record::from_doc(&loaded.path, None, doc)?;
        let carried = carry(&record.common.history, &record.common.external);
        apply(doc, &carried);
        total.events.extend(carried.events);
        total.external.extend(carried.external);
        Ok(())
    }

    /// Lands every record that got something, in one commit.
    fn land(self, partner: &Partner, tip: Oid, out: &mut Synced) -> Result<()> {
        let mut edits = Vec::new();
        for (id, (loaded, doc, total)) in self.records {
            if total.is_empty() {
                continue;
            }
            out.events += total.events.len();
            out.identifiers += total.external.len();
            out.records.push(id);
            edits.push(Edit::of(self.cx, &loaded, doc)?);
        }
        if edits.is_empty() {
            return Ok(());
        }
        let message = format!(
            "sync from {}: {} events and {} identifiers on {} records (partner commit {})",
            partner.name,
            out.events,
            out.identifiers,
            edits.len(),
            &tip.to_string()[..10]
        );
        out.landed = land(self.cx, self.tx, edits, &message, &[], Vec::new())?.commit;
        Ok(())
    }
}

/// Refuses a partner's commit not signed with one of the keys the partner
/// published (`keys:` of its entry in `arende.yaml`): a repository that
/// asks for signed approvals takes no partner's word unsigned.
fn signed_by_partner(cx: &Context<'_>, partner: &Partner, tip: Oid) -> Result<()> {
    let short = &tip.to_string()[..10];
    let refuse = |why: String| {
        Error::refused(
            format!(
                "{}: commit {short} {why}; nothing was recorded",
                partner.name
            ),
            Some(format!(
                "this repository asks for signed approvals (`approvals: {{signed: true}}`), so a partner's events are taken only from commits signed with a key under exchange.partners.{}.keys; ask the partner for its signing keys, or to sign its commits",
                partner.name
            )),
        )
    };
    if partner.keys.is_empty() {
        return Err(refuse(
            "cannot be checked: the partner has published no keys".into(),
        ));
    }
    let file = cx
        .ws
        .store()
        .own_file(&format!("arende-partner-signers-{}", partner.name))
        .ok_or_else(|| refuse("cannot be checked: the repository has no git folder".into()))?;
    let mut allowed = partner.keys.join("\n");
    allowed.push('\n');
    match remote::signature(cx.ws.root(), tip, &allowed, &file)? {
        'G' => Ok(()),
        'N' => Err(refuse("is not signed".into())),
        'B' => Err(refuse("has a bad signature".into())),
        _ => Err(refuse(
            "is not signed with a key the partner published".into(),
        )),
    }
}

/// A partner's record we are linked to but have never read: found where
/// the partner files a record with that ID.
fn unsynced(
    cx: &Context<'_>,
    partner: &Partner,
    tip: Oid,
    their_id: &str,
    ours: &RecordId,
) -> Result<Option<Theirs>> {
    let Ok((entry, _)) = cx.ws.load(ours) else {
        return Ok(None);
    };
    let read_before = entry
        .record
        .common
        .history
        .iter()
        .any(|e| e.remote.as_ref().is_some_and(|r| r.record == their_id));
    let Ok(id) = RecordId::parse(their_id) else {
        return Ok(None);
    };
    if read_before || !partner.receive.takes(id.kind()) {
        return Ok(None);
    }
    let root = cx.ws.root();
    for path in [
        crate::store::home_path(id.kind(), &id),
        crate::store::flat_path(id.kind(), &id),
    ] {
        let path = path.to_string_lossy().replace('\\', "/");
        if let Some(bytes) = remote::blob_at(root, tip, &path, LIMIT)? {
            let doc = std::str::from_utf8(&bytes)
                .ok()
                .and_then(|t| yaml::parse_mapping(Path::new(&path), t).ok());
            return Ok(doc.as_ref().and_then(Theirs::read));
        }
    }
    Ok(None)
}

/// Appends what a partner's record carried to our record's document.
fn apply(doc: &mut Value, carried: &Carried) {
    for event in &carried.events {
        append_event(doc, event);
    }
    if carried.external.is_empty() {
        return;
    }
    let map = crate::record::document::mapping_mut(doc);
    let list = map
        .entry(Value::String("external".into()))
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if !list.is_sequence() {
        *list = Value::Sequence(Vec::new());
    }
    if let Value::Sequence(items) = list {
        items.extend(carried.external.iter().map(yaml::to_value));
    }
}
