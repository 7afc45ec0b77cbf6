//! The forward schedule of change (*ändringskalendern*) and the release
//! calendar between two times: every change with a window and every
//! release planned in it, the freeze and maintenance windows that occur in
//! it, and each change's and release's conflicts as the pack's calendar
//! rules judge them (the same findings `validate` reports). `arende
//! schedule` prints it; the change manager reads it before the change
//! forum meets.

use serde::Serialize;

use super::engine::{Calendar, Context};
use super::{StandardRegister, StoreLookup};
use crate::error::Result;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Test;
use crate::schedule::{Fact, Schedule, Span, occur};
use crate::time::Timestamp;
use crate::workspace::cache::Docs;
use crate::workspace::{Entry, Workspace};

/// The schedule between `from` and `to`.
#[derive(Debug, Serialize)]
pub struct Forward {
    /// The first moment shown.
    pub from: Timestamp,
    /// The moment after the last one shown.
    pub to: Timestamp,
    /// The zone times are shown in.
    pub timezone: String,
    /// The changes whose window overlaps the period, by start.
    pub changes: Vec<Planned>,
    /// The releases planned, or rolling out, in the period, by time.
    pub releases: Vec<PlannedRelease>,
    /// The freeze windows in the period.
    pub freezes: Vec<Occurrence>,
    /// The maintenance windows in the period, one per occurrence.
    pub maintenance: Vec<Occurrence>,
    /// The changes' records, for the iCalendar renderer (the same as
    /// `export --format ics`).
    #[serde(skip)]
    pub entries: Vec<Entry>,
}

/// A change in the schedule.
#[derive(Debug, Serialize)]
pub struct Planned {
    /// Its ID.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: String,
    /// Standard, normal or emergency, where set.
    pub category: Option<String>,
    /// Its window's start.
    pub start: Timestamp,
    /// Its window's end.
    pub end: Timestamp,
    /// The items it touches.
    pub items: Vec<RecordId>,
    /// Who carries it out.
    pub person: Option<String>,
    /// Its conflicts, by the pack's rules.
    pub conflicts: Vec<Marked>,
}

/// A release in the schedule.
#[derive(Debug, Serialize)]
pub struct PlannedRelease {
    /// Its ID.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: String,
    /// When it is planned.
    pub planned_at: Option<Timestamp>,
    /// Its rollout window's start and end, where it has one.
    pub rollout: Option<(Timestamp, Timestamp)>,
    /// The changes it carries.
    pub changes: Vec<RecordId>,
    /// Its conflicts, by the pack's rules.
    pub conflicts: Vec<Marked>,
}

/// A conflict as a rule marks it.
#[derive(Debug, Serialize)]
pub struct Marked {
    /// The rule.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What it is, naming the other change and the time.
    pub message: String,
}

/// One occurrence of a freeze or maintenance window.
#[derive(Debug, Serialize)]
pub struct Occurrence {
    /// The window's name.
    pub id: String,
    /// Why it is there.
    pub reason: Option<String>,
    /// When it starts.
    pub start: Timestamp,
    /// When it ends.
    pub end: Timestamp,
    /// The services it is limited to (none: everything, with `items`).
    pub services: Vec<String>,
    /// The items it is limited to.
    pub items: Vec<RecordId>,
}

/// The schedule of the repository between `from` and `to`.
pub fn forward(ws: &Workspace, from: Timestamp, to: Timestamp) -> Result<Forward> {
    let period = Span {
        start: from,
        end: to.max(from),
    };
    let kinds = [Kind::Change, Kind::Release, Kind::ConfigurationItem];
    let entries: Vec<Entry> = ws
        .select(&kinds, &|_| true)
        .map(Docs::Keep, |e| e)
        .into_iter()
        .flatten()
        .collect();
    let calendar = crate::schedule::calendar_of(ws.policy(), ws.root())?;
    let schedule = Schedule::new(
        ws.policy(),
        calendar,
        entries.iter().filter_map(|e| Fact::of(&e.record)),
    );
    let register = StandardRegister::load(ws)?;
    let lookup = StoreLookup(ws);
    let cx = Context {
        policy: ws.policy(),
        register: &register,
        lookup: &lookup,
        people: None,
        calendar: Some(&schedule as &dyn Calendar),
    };
    let mut out = Forward {
        from,
        to: period.end,
        timezone: ws.policy().timezone.clone(),
        changes: Vec::new(),
        releases: Vec::new(),
        freezes: occurrences(&schedule, &period, true),
        maintenance: occurrences(&schedule, &period, false),
        entries: Vec::new(),
    };
    for e in entries {
        place(&mut out, &cx, &period, e);
    }
    out.changes
        .sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    out.entries.sort_by(|a, b| a.record.id().cmp(b.record.id()));
    out.releases.sort_by(|a, b| {
        let at = |r: &PlannedRelease| r.rollout.map(|(s, _)| s).or(r.planned_at);
        (at(a), &a.id).cmp(&(at(b), &b.id))
    });
    Ok(out)
}

/// Puts a change or release into the schedule if its time falls in `period`.
fn place(out: &mut Forward, cx: &Context<'_>, period: &Span, e: Entry) {
    match Fact::of(&e.record) {
        Some(Fact::Change(b)) => {
            let Some(span) = b.span.filter(|s| s.overlaps(period)) else {
                return;
            };
            if b.status == "rejected" {
                return;
            }
            out.changes.push(Planned {
                category: category(&e),
                conflicts: marked(cx, &e),
                id: b.id,
                title: b.title,
                status: b.status,
                start: span.start,
                end: span.end,
                items: b.items,
                person: b.person,
            });
            out.entries.push(e);
        }
        Some(Fact::Release {
            id,
            title,
            status,
            planned_at,
            rollout,
            changes,
        }) => {
            let at = rollout.or(planned_at.map(|t| Span { start: t, end: t }));
            let inside = at.is_some_and(|s| {
                s.overlaps(period) || (s.start >= period.start && s.start < period.end)
            });
            if !inside || status == "cancelled" {
                return;
            }
            out.releases.push(PlannedRelease {
                conflicts: marked(cx, &e),
                id,
                title,
                status,
                planned_at,
                rollout: rollout.map(|s| (s.start, s.end)),
                changes,
            });
        }
        _ => {}
    }
}

/// A change's category as stored (its ID: `normal`).
fn category(e: &Entry) -> Option<String> {
    e.doc.get("category").map(crate::record::document::display)
}

/// The record's findings of the rules that ask the calendar.
fn marked(cx: &Context<'_>, e: &Entry) -> Vec<Marked> {
    super::check_record(cx, &e.doc, &e.record)
        .into_iter()
        .filter(|v| {
            cx.policy.rule(&v.rule).is_some_and(|r| {
                r.require
                    .iter()
                    .any(|p| matches!(p.test, Test::NoConflict(_)))
            })
        })
        .map(|v| Marked {
            rule: v.rule,
            severity: v.severity.as_str().to_owned(),
            message: v.message,
        })
        .collect()
}

/// The freeze (`freezes`) or maintenance windows that occur in `period`.
fn occurrences(schedule: &Schedule<'_>, period: &Span, freezes: bool) -> Vec<Occurrence> {
    let tz = schedule.timezone();
    let calendar = schedule.calendar();
    let mut out: Vec<Occurrence> = if freezes {
        calendar
            .freeze
            .iter()
            .flat_map(|f| {
                occur::freeze_spans(f, tz, period)
                    .into_iter()
                    .map(move |s| Occurrence {
                        id: f.id.clone(),
                        reason: Some(f.reason.clone()),
                        start: s.start,
                        end: s.end,
                        services: f.scope.services.clone(),
                        items: f.scope.items.clone(),
                    })
            })
            .collect()
    } else {
        calendar
            .maintenance
            .iter()
            .flat_map(|m| {
                occur::maintenance_spans(m, tz, schedule.business(), period)
                    .into_iter()
                    .map(move |s| Occurrence {
                        id: m.id.clone(),
                        reason: m.reason.clone(),
                        start: s.start,
                        end: s.end,
                        services: m.scope.services.clone(),
                        items: m.scope.items.clone(),
                    })
            })
            .collect()
    };
    out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    out
}
