//! The desk's daily work on a ticket: who has it (`arende assign`, 002
//! §2.2 task 7, *tilldela ansvar*) and what was done and what the customer
//! was told (`arende note`).

use super::edit::{Edit, land};
use super::{Outcome, append_event, load_for_rewrite};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::people::{PEOPLE_FILE, Registry};
use crate::record::document::{self, mapping_mut};
use crate::record::{Assignment, Event, FieldChange, Record};
use crate::workspace::Context;
use crate::yaml::{Mapping, Value};

/// Whom a ticket is given to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    /// The person running the command, found by their e-mail address.
    Me,
    /// A person by handle, name or e-mail address.
    Person(String),
    /// Nobody: the ticket stays with its team.
    Nobody,
}

impl Assignee {
    /// Reads `--to`: `me`, `nobody` (or `none`, `-`), else a person.
    pub fn parse(text: &str) -> Assignee {
        match crate::policy::fold(text).as_str() {
            "me" | "jag" => Assignee::Me,
            "nobody" | "none" | "-" | "ingen" => Assignee::Nobody,
            _ => Assignee::Person(text.trim().to_owned()),
        }
    }
}

/// What `assign` (or `status … --to`) asks for: a team, a person, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignRequest {
    /// The team, by ID or name.
    pub group: Option<String>,
    /// The person.
    pub to: Option<Assignee>,
}

impl AssignRequest {
    /// Whether it asks for anything.
    pub fn is_empty(&self) -> bool {
        self.group.is_none() && self.to.is_none()
    }
}

/// Gives a ticket to a team, a person of it, or both, in one event and
/// one commit.
pub fn assign(
    cx: &Context<'_>,
    id: &RecordId,
    request: &AssignRequest,
    note: Option<String>,
) -> Result<Outcome> {
    if request.is_empty() {
        return Err(Error::usage(
            "nothing to assign",
            Some(format!(
                "say to whom: arende assign {id} --group TEAM, --to PERSON (or `me`), or both"
            )),
        ));
    }
    let mut tx = cx.ws.begin()?;
    let entry = load_for_rewrite(cx.ws, &mut tx, id)?;
    let mut doc = entry.doc.clone();
    let changes = reassign(cx, &entry.record, mapping_mut(&mut doc), request)?;
    super::set::place_new_keys(entry.doc.as_mapping(), mapping_mut(&mut doc));
    if changes.is_empty() {
        return Ok(Outcome::unchanged(vec![(
            id.clone(),
            doc,
            entry.record.clone(),
        )]));
    }
    let message = format!("{id}: {}", describe(&changes));
    append_event(&mut doc, &super::event(cx, None, note, changes));
    land(
        cx,
        tx,
        vec![Edit::of(cx, &entry, doc)?],
        &message,
        &[],
        Vec::new(),
    )
}

/// Appends a note to a ticket's history: an internal work note, or, with
/// `to_customer`, what the customer was told.
pub fn note(cx: &Context<'_>, id: &RecordId, text: &str, to_customer: bool) -> Result<Outcome> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::usage(
            "the note is empty",
            Some(format!(
                "write what was done: arende note {id} \"Ringde kunden\""
            )),
        ));
    }
    let mut tx = cx.ws.begin()?;
    let entry = load_for_rewrite(cx.ws, &mut tx, id)?;
    let mut doc = entry.doc.clone();
    let event = Event {
        to_customer,
        ..super::event(cx, None, Some(text.to_owned()), Vec::new())
    };
    append_event(&mut doc, &event);
    let what = if to_customer {
        "reply to the customer"
    } else {
        "work note"
    };
    let first_line = text.lines().next().unwrap_or_default();
    let message = format!("{id}: {what}: {}", shorten(first_line, 60));
    land(
        cx,
        tx,
        vec![Edit::of(cx, &entry, doc)?],
        &message,
        &[],
        Vec::new(),
    )
}

/// Makes the assignment `request` asks for in `map` (the record's fields),
/// and the taking over it implies, and returns what changed.
pub(super) fn reassign(
    cx: &Context<'_>,
    record: &Record,
    map: &mut Mapping,
    request: &AssignRequest,
) -> Result<Vec<FieldChange>> {
    let registry = Registry::read(cx.ws.root())?.map(|(r, _)| r);
    let now = record.common.assignment.clone().unwrap_or_default();
    let wanted = match &registry {
        Some(registry) => resolve(cx, registry, &now, request)?,
        None => as_written(&now, request)?,
    };
    let mut changes = Vec::new();
    for (field, old, new) in [
        ("assignment.group", &now.group, &wanted.group),
        ("assignment.person", &now.person, &wanted.person),
    ] {
        if old != new {
            set(map, field, new.clone().map(Value::String), &mut changes);
        }
    }
    if wanted.group.is_none() && wanted.person.is_none() {
        map.remove("assignment");
    }
    if let Some(registry) = &registry
        && now.group != wanted.group
    {
        takeover(
            cx,
            registry,
            record,
            map,
            wanted.group.as_deref(),
            &mut changes,
        );
    }
    Ok(changes)
}

/// The assignment asked for, checked against the registry: a team that
/// exists and a person of it. A person given alone keeps the team when
/// they are in it, else goes with their one team; a team given alone keeps
/// the person only if they are in it.
fn resolve(
    cx: &Context<'_>,
    registry: &Registry,
    now: &Assignment,
    request: &AssignRequest,
) -> Result<Assignment> {
    let unknown = |e: crate::people::Unknown| Error::usage(e.to_string(), Some(e.help()));
    let group = match &request.group {
        Some(g) => Some(registry.find_team(g).map_err(unknown)?.id.clone()),
        None => None,
    };
    let person = match &request.to {
        None => None,
        Some(Assignee::Nobody) => Some(None),
        Some(Assignee::Me) => Some(Some(me(cx, registry)?)),
        Some(Assignee::Person(p)) => Some(Some(
            registry.find_person(p).map_err(unknown)?.handle.clone(),
        )),
    };
    let (group, person) = match (group, person) {
        (Some(g), None) => {
            let keep = now.person.clone().filter(|p| registry.in_team(p, &g));
            (Some(g), keep)
        }
        (None, Some(Some(p))) => (Some(team_of(registry, &p, now.group.as_deref())?), Some(p)),
        (None, Some(None)) => (now.group.clone(), None),
        (Some(g), Some(p)) => (Some(g), p),
        (None, None) => (now.group.clone(), now.person.clone()),
    };
    if let (Some(g), Some(p)) = (&group, &person)
        && !registry.in_team(p, g)
    {
        let members: Vec<&str> = registry
            .people
            .iter()
            .filter(|m| m.teams.iter().any(|t| t == g))
            .map(|m| m.handle.as_str())
            .collect();
        return Err(Error::usage(
            format!("{p} is not a member of team {g}"),
            Some(if members.is_empty() {
                format!("team {g} has no members in {PEOPLE_FILE}; add {p} to its teams there")
            } else {
                format!(
                    "the members of {g} are: {}; or add {p} to the team in {PEOPLE_FILE}",
                    members.join(", ")
                )
            }),
        ));
    }
    Ok(Assignment { group, person })
}

/// The team a person given alone goes with: the ticket's team if they are
/// in it, else their only team.
fn team_of(registry: &Registry, person: &str, current: Option<&str>) -> Result<String> {
    if let Some(g) = current.filter(|g| registry.in_team(person, g)) {
        return Ok(g.to_owned());
    }
    let teams = registry
        .person(person)
        .map(|p| p.teams.clone())
        .unwrap_or_default();
    match teams.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::usage(
            format!("{person} is in no team, and a ticket is assigned to a team"),
            Some(format!(
                "add {person} to a team in {PEOPLE_FILE}, or give the team with --group"
            )),
        )),
        many => Err(Error::usage(
            format!(
                "{person} is in teams {}: say which one takes the ticket",
                many.join(", ")
            ),
            Some(format!("give the team with --group {}", many[0])),
        )),
    }
}

/// The handle of the person running the command, by the e-mail address of
/// the author.
fn me(cx: &Context<'_>, registry: &Registry) -> Result<String> {
    registry
        .by_email(&cx.author.email)
        .map(|p| p.handle.clone())
        .ok_or_else(|| {
            Error::usage(
                format!("{} is nobody in {PEOPLE_FILE}", cx.author),
                Some(format!(
                    "add your e-mail address ({}) to your entry in {PEOPLE_FILE}, or name the person: --to HANDLE",
                    cx.author.email
                )),
            )
        })
}

/// Where the pack has one, the taking over a new team implies: a team of
/// a party that takes over sets the pack's field to the party; a team of
/// another party ends a takeover.
fn takeover(
    cx: &Context<'_>,
    registry: &Registry,
    record: &Record,
    map: &mut Mapping,
    group: Option<&str>,
    changes: &mut Vec<FieldChange>,
) {
    let Some(rule) = cx
        .ws
        .policy()
        .takeover
        .as_ref()
        .filter(|t| t.kind == record.kind())
    else {
        return;
    };
    let party = group
        .and_then(|g| registry.team(g))
        .map(|t| t.party.as_str());
    let current = document::get(map, &rule.field)
        .and_then(Value::as_str)
        .map(str::to_owned);
    let new = match party {
        Some(p) if rule.parties.iter().any(|x| x == p) => Some(p.to_owned()),
        _ if current
            .as_deref()
            .is_some_and(|c| rule.parties.iter().any(|x| x == c)) =>
        {
            None
        }
        _ => return,
    };
    if current != new {
        set(map, &rule.field, new.map(Value::String), changes);
    }
}

/// Sets or removes one dotted field, noting the change.
fn set(map: &mut Mapping, field: &str, value: Option<Value>, changes: &mut Vec<FieldChange>) {
    let from = document::get(map, field).cloned();
    match &value {
        // Setting a nested key of a mapping the record has cannot fail.
        Some(v) => {
            let _ = document::set(map, field, v.clone());
        }
        None => {
            document::remove(map, field);
        }
    }
    changes.push(FieldChange {
        field: field.to_owned(),
        from,
        to: value,
    });
}

/// The commit message's account of an assignment.
fn describe(changes: &[FieldChange]) -> String {
    let value = |f: &str| {
        changes.iter().find(|c| c.field == f).map(|c| {
            c.to.as_ref()
                .map(document::display)
                .unwrap_or_else(|| "no person".into())
        })
    };
    match (value("assignment.group"), value("assignment.person")) {
        (Some(g), Some(p)) => format!("assigned to {g}, {p}"),
        (Some(g), None) => format!("assigned to {g}"),
        (None, Some(p)) => format!("assigned to {p}"),
        (None, None) => "assignment changed".into(),
    }
}

/// At most `n` characters of `text`, with `…` where it was cut.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_owned();
    }
    let cut: String = text.chars().take(n).collect();
    format!("{cut}…")
}

/// The assignment asked for in a repository without a people registry:
/// team and person as written (a migration's `Group 56`), since there is
/// nothing to check them against; `me` needs the registry to say who that is.
fn as_written(now: &Assignment, request: &AssignRequest) -> Result<Assignment> {
    let person = match &request.to {
        None => now.person.clone(),
        Some(Assignee::Nobody) => None,
        Some(Assignee::Person(p)) => Some(p.clone()),
        Some(Assignee::Me) => {
            return Err(Error::usage(
                format!("`me` is someone in {PEOPLE_FILE}, and this repository has none"),
                Some(format!(
                    "name the person (--to HANDLE), or write {PEOPLE_FILE} with `teams:` and `people:` (`arende schema people` prints its shape)"
                )),
            ));
        }
    };
    Ok(Assignment {
        group: request.group.clone().or_else(|| now.group.clone()),
        person,
    })
}
