//! `arende new`: file a record.

use std::path::Path;

use super::edit::{Edit, land};
use super::{Outcome, append_event, assign, check_links};
use crate::classify::apply_classification;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::record::document;
use crate::schema;
use crate::store::Transaction;
use crate::workspace::Context;
use crate::yaml::{Mapping, Value};

/// What a person gives to file a record.
#[derive(Debug, Clone, Default)]
pub struct NewRecord {
    /// Fields from a file (`--from`), laid first.
    pub from: Mapping,
    /// `key=value` assignments, laid over `from`.
    pub assignments: Vec<String>,
    /// The title, if given on its own.
    pub title: Option<String>,
    /// A note for the first history event.
    pub note: Option<String>,
    /// File it even if its text holds a personal identity number (SEC001).
    pub force: bool,
    /// Records to link it to, both ways, in the same commit (an incident
    /// escalated to a problem).
    pub links: Vec<RecordId>,
}

/// Keys a new record may not be given: the tool writes them.
const WRITTEN_BY_TOOL: &[&str] = &["id", "kind", "status", "history"];

/// Files a new record of `kind`: classifies it, checks it, writes it and
/// commits. Makes no scan of the repository: the ID is random and checked
/// with one `stat`.
pub fn new_record(cx: &Context<'_>, kind: Kind, input: NewRecord) -> Result<Outcome> {
    let machine = cx.ws.policy().machine(kind);
    let mut doc = draft(cx, kind, &input)?;
    if doc
        .get("title")
        .and_then(Value::as_str)
        .is_none_or(|t| t.trim().is_empty())
    {
        return Err(Error::usage(
            format!("a new {kind} needs a title"),
            Some("pass --title \"…\" (or title=… with --set)".to_owned()),
        ));
    }
    doc.insert("status".into(), Value::String(machine.initial.into()));
    if !doc.contains_key("opened_at") {
        doc.insert(
            "opened_at".into(),
            Value::String(cx.now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)),
        );
    }

    let mut tx: Transaction<'_> = cx.ws.begin()?;
    let id = fresh_id(cx, kind, Some(&tx));
    doc.insert("id".into(), Value::String(id.to_string()));
    doc.insert("kind".into(), Value::String(kind.name().to_owned()));
    let path = cx.ws.store().rel_path(&id);
    let path = Path::new(&path);
    let mut doc = Value::Mapping(doc);
    apply_classification(cx.ws.policy(), path, &mut doc)?;
    for other in &input.links {
        super::link::add_link(&mut doc, other);
    }
    let mut doc = Value::Mapping(schema::canonical_order(
        kind,
        doc.as_mapping().cloned().unwrap_or_default(),
    ));
    append_event(
        &mut doc,
        &super::event(
            cx,
            Some(machine.initial.into()),
            Some(input.note.unwrap_or_else(|| "opened".to_owned())),
            Vec::new(),
        ),
    );
    let allowed: &[&str] = if input.force {
        &[crate::validate::checks::PERSONAL_NUMBER.id]
    } else {
        &[]
    };
    let edit = Edit::new(id, path.to_owned(), doc)?;
    check_links(cx.ws, path, edit.record())?;
    let title = edit
        .record()
        .common
        .title
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut message = format!("{}: new {kind}: {title}", edit.id);
    let mut edits = vec![edit];
    let linked = link_back(cx, &mut tx, &edits[0].id, &input.links)?;
    if !linked.is_empty() {
        let ids: Vec<String> = linked.iter().map(|e| e.id.to_string()).collect();
        message.push_str(&format!(", linked to {}", ids.join(", ")));
    }
    edits.extend(linked);
    land(cx, tx, edits, &message, allowed, Vec::new())
}

/// The other half of each link of a new record: each record it links to,
/// linked back to it, with an event saying so.
fn link_back(
    cx: &Context<'_>,
    tx: &mut Transaction<'_>,
    id: &RecordId,
    links: &[RecordId],
) -> Result<Vec<Edit>> {
    let mut out: Vec<Edit> = Vec::new();
    for other in links {
        if out.iter().any(|e| &e.id == other) {
            continue;
        }
        let loaded = super::load_for_rewrite(cx.ws, tx, other)?;
        let mut doc = loaded.doc.clone();
        super::link::add_link(&mut doc, id);
        append_event(
            &mut doc,
            &super::event(cx, None, Some(format!("linked {id}")), Vec::new()),
        );
        out.push(Edit::of(cx, &loaded, doc)?);
    }
    Ok(out)
}

/// The fields a person gave for a new record of `kind`, laid in order:
/// `from`, the title, then the assignments. What the prompts and the editor
/// template start from, and what [`new_record`] files.
pub fn draft(cx: &Context<'_>, kind: Kind, input: &NewRecord) -> Result<Mapping> {
    let mut doc = Mapping::new();
    for (key, value) in &input.from {
        let name = key.as_str().unwrap_or_default();
        if WRITTEN_BY_TOOL.contains(&name) {
            return Err(Error::usage(
                format!("a new record's `{name}` is set by arende, not by the input"),
                Some(format!("remove `{name}` from the input")),
            ));
        }
        doc.insert(key.clone(), value.clone());
    }
    if let Some(title) = &input.title {
        doc.insert("title".into(), Value::String(title.clone()));
    }
    for text in &input.assignments {
        let a = assign::parse_for(cx, kind, text)?;
        match a.value {
            Some(v) => {
                document::set(&mut doc, &a.field, v)
                    .map_err(|e| Error::usage(e.to_string(), None))?;
            }
            None => {
                document::remove(&mut doc, &a.field);
            }
        }
    }
    Ok(doc)
}

/// A random ID of `kind` for today that no record here has, nor one
/// staged in `tx`.
pub(super) fn fresh_id(cx: &Context<'_>, kind: Kind, tx: Option<&Transaction<'_>>) -> RecordId {
    let date = cx.now.with_timezone(&cx.ws.tz()).date_naive();
    loop {
        let id = RecordId::generate(kind, date);
        if !cx.ws.store().id_taken(&id) && !tx.is_some_and(|tx| tx.is_staged(&id)) {
            return id;
        }
    }
}
