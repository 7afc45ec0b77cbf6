//! The change calendar: every change's window on the items it touches, the
//! freeze and maintenance windows, and the conflicts between them (000 §3.4
//! "Beslutade ändringar dokumenteras och schemaläggs"; 001 "Koordinera
//! förebyggande arbete för att minimera fel som kan uppstå med planerade
//! ändringar"). Built once from what each record says ([`Fact`]), with an
//! interval index by item and by person, so a repository's ten thousand
//! scheduled changes are checked without comparing every pair.
//!
//! The packs' rules decide which conflicts matter and how much
//! (`no_conflict:` tests); this module only finds them.

pub mod index;
pub mod occur;

use std::collections::{HashMap, HashSet};

use chrono_tz::Tz;

use crate::error::Result;
use crate::id::RecordId;
use crate::policy::Policy;
use crate::policy::rule::{ConflictKind, ConflictTest};
use crate::policy::windows::ChangeCalendar;
use crate::record::{Body, Record, Window};
use crate::time::Timestamp;
use index::IntervalIndex;

/// A stretch of time, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Its first moment.
    pub start: Timestamp,
    /// The moment after it.
    pub end: Timestamp,
}

impl Span {
    /// A record's window, where it has both ends in order.
    pub fn of(window: Option<&Window>) -> Option<Span> {
        let w = window?;
        match (w.start, w.end) {
            (Some(start), Some(end)) if end > start => Some(Span { start, end }),
            _ => None,
        }
    }

    /// Whether the two share a moment.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies wholly inside it.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The time the two share (they must overlap).
    pub fn overlap(&self, other: &Span) -> Span {
        Span {
            start: self.start.max(other.start),
            end: self.end.min(other.end),
        }
    }

    /// The span in local time: `2026-12-08 18:00–19:30`, or with both
    /// dates where it ends on another day.
    pub fn local(&self, tz: Tz) -> String {
        let (s, e) = (self.start.with_timezone(&tz), self.end.with_timezone(&tz));
        if s.date_naive() == e.date_naive() {
            format!("{}–{}", s.format("%Y-%m-%d %H:%M"), e.format("%H:%M"))
        } else {
            format!(
                "{} – {}",
                s.format("%Y-%m-%d %H:%M"),
                e.format("%Y-%m-%d %H:%M")
            )
        }
    }
}

/// What the change calendar needs of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// A change: its window, the items it touches, who carries it out.
    Change(Booking),
    /// A release: when it rolls out, and the changes it carries.
    Release {
        /// Its ID.
        id: RecordId,
        /// Its title.
        title: String,
        /// Its status.
        status: String,
        /// When it is planned.
        planned_at: Option<Timestamp>,
        /// Its rollout window.
        rollout: Option<Span>,
        /// The changes it carries.
        changes: Vec<RecordId>,
    },
    /// A configuration item: what it depends on, and whether it is a service.
    Item {
        /// Its ID.
        id: RecordId,
        /// Its title (a service's name).
        title: String,
        /// Whether it is a service (`ci_type: service`).
        service: bool,
        /// The items it depends on.
        depends_on: Vec<RecordId>,
    },
}

/// A change as the calendar books it.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// Its ID.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: String,
    /// Its window, where it has one.
    pub span: Option<Span>,
    /// The configuration items it touches (`links.configuration_items`).
    pub items: Vec<RecordId>,
    /// Who carries it out (`assignment.person`).
    pub person: Option<String>,
}

impl Booking {
    /// Whether it holds its window against others: decided, not yet done.
    pub fn holds(&self) -> bool {
        matches!(self.status.as_str(), "approved" | "scheduled")
    }
}

impl Fact {
    /// What `record` tells the calendar, if anything.
    pub fn of(record: &Record) -> Option<Fact> {
        let id = record.id().clone();
        let title = record.common.title.clone();
        let status = record.status().to_owned();
        match &record.body {
            Body::Change(c) => Some(Fact::Change(Booking {
                id,
                title,
                status,
                span: Span::of(c.service_window.as_ref()),
                items: record.common.links.configuration_items.clone(),
                person: record
                    .common
                    .assignment
                    .as_ref()
                    .and_then(|a| a.person.clone()),
            })),
            Body::Release(r) => Some(Fact::Release {
                id,
                title,
                status,
                planned_at: r.planned_at,
                rollout: Span::of(r.rollout_window.as_ref()),
                changes: record.common.links.changes.clone(),
            }),
            Body::ConfigurationItem(ci) => Some(Fact::Item {
                id,
                title,
                service: ci.ci_type == Some(crate::record::CiType::Service),
                depends_on: ci.depends_on.clone(),
            }),
            _ => None,
        }
    }
}

/// One conflict found for a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// What kind.
    pub kind: ConflictKind,
    /// The other change, where there is one.
    pub other: Option<RecordId>,
    /// The item it is on, where it is about one.
    pub item: Option<RecordId>,
    /// The calendar window (freeze or maintenance) it is about, by name.
    pub window: Option<String>,
    /// The time in conflict: the overlap, or the window that does not fit.
    pub span: Span,
    /// What it is, in a line, with local times.
    pub text: String,
}

/// The change calendar of a repository.
pub struct Schedule<'p> {
    policy: &'p Policy,
    tz: Tz,
    calendar: ChangeCalendar,
    changes: Vec<Booking>,
    by_id: HashMap<RecordId, usize>,
    by_item: IntervalIndex<RecordId>,
    by_person: IntervalIndex<String>,
    graph: crate::impact::CiGraph,
    /// The names of the services each item is or serves: only where a
    /// window of the calendar is limited to services, else empty.
    services: HashMap<RecordId, Vec<String>>,
    releases: Vec<Fact>,
}

/// The change calendar of the repository at `root` for `policy`: the
/// pack's windows with the repository's `policy/calendar.yaml` laid over.
pub fn calendar_of(policy: &Policy, root: &std::path::Path) -> Result<ChangeCalendar> {
    let pack = policy.change_calendar.clone().unwrap_or_default();
    Ok(match ChangeCalendar::read(root)? {
        Some(own) => pack.overlaid(&own),
        None => pack,
    })
}

impl<'p> Schedule<'p> {
    /// The calendar of `facts` (every change, release and item of the
    /// repository) under `policy` and `calendar`.
    pub fn new(
        policy: &'p Policy,
        calendar: ChangeCalendar,
        facts: impl IntoIterator<Item = Fact>,
    ) -> Schedule<'p> {
        let tz = crate::clock::parse_tz(&policy.timezone).unwrap_or(chrono_tz::Europe::Stockholm);
        let mut s = Schedule {
            policy,
            tz,
            calendar,
            changes: Vec::new(),
            by_id: HashMap::new(),
            by_item: IntervalIndex::default(),
            by_person: IntervalIndex::default(),
            graph: crate::impact::CiGraph::default(),
            services: HashMap::new(),
            releases: Vec::new(),
        };
        let mut edges = Vec::new();
        let mut service_items: Vec<(RecordId, String)> = Vec::new();
        for fact in facts {
            match fact {
                Fact::Change(b) => {
                    s.by_id.insert(b.id.clone(), s.changes.len());
                    s.changes.push(b);
                }
                Fact::Item {
                    id,
                    title,
                    service,
                    depends_on,
                } => {
                    if service {
                        service_items.push((id.clone(), title));
                    }
                    edges.push((id, depends_on));
                }
                release @ Fact::Release { .. } => s.releases.push(release),
            }
        }
        s.graph = crate::impact::CiGraph::from_edges(edges);
        s.services = s.served(&service_items);
        let held = |b: &Booking| b.holds().then_some(b.span).flatten();
        s.by_item = IntervalIndex::new(s.changes.iter().enumerate().flat_map(|(i, b)| {
            held(b)
                .into_iter()
                .flat_map(move |span| b.items.iter().map(move |item| (item.clone(), span, i)))
        }));
        s.by_person = IntervalIndex::new(
            s.changes
                .iter()
                .enumerate()
                .filter_map(|(i, b)| Some((b.person.clone()?, held(b)?, i))),
        );
        s
    }

    /// The zone the calendar is kept in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The business calendar whose holidays maintenance windows skip.
    pub fn business(&self) -> Option<&crate::calendar::BusinessCalendar> {
        self.policy.calendar()
    }

    /// The calendar's freeze and maintenance windows.
    pub fn calendar(&self) -> &ChangeCalendar {
        &self.calendar
    }

    /// Every change, as booked.
    pub fn changes(&self) -> &[Booking] {
        &self.changes
    }

    /// Every release, as the calendar knows it.
    pub fn releases(&self) -> &[Fact] {
        &self.releases
    }

    /// The conflicts of `record` (as it is, or would be written) of the
    /// kind `test` asks about.
    pub fn conflicts(&self, test: &ConflictTest, record: &Record) -> Vec<Conflict> {
        match (test.kind, Fact::of(record)) {
            (
                ConflictKind::Rollout,
                Some(Fact::Release {
                    rollout, changes, ..
                }),
            ) => self.rollout(rollout, &changes),
            (ConflictKind::Rollout, _) => Vec::new(),
            (kind, Some(Fact::Change(b))) => match b.span {
                Some(span) => self.change_conflicts(kind, test.depth, &b, span),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn change_conflicts(
        &self,
        kind: ConflictKind,
        depth: Option<usize>,
        b: &Booking,
        span: Span,
    ) -> Vec<Conflict> {
        match kind {
            ConflictKind::SameItem => self.on_items(b, span, &b.items, kind),
            ConflictKind::Dependency => {
                let near = self.near(&b.items, depth.unwrap_or(1));
                self.on_items(b, span, &near, kind)
            }
            ConflictKind::OutsideMaintenance => self.outside_maintenance(b, span),
            ConflictKind::InFreeze => self.in_freeze(b, span),
            ConflictKind::Assignee => self.assignee(b, span),
            ConflictKind::Rollout => Vec::new(),
        }
    }

    /// Other changes holding a window that overlaps `span` on any of `items`.
    fn on_items(
        &self,
        b: &Booking,
        span: Span,
        items: &[RecordId],
        kind: ConflictKind,
    ) -> Vec<Conflict> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for item in items {
            for slot in self.by_item.overlapping(item, &span) {
                let other = &self.changes[slot];
                if other.id == b.id || !seen.insert((slot, item.clone())) {
                    continue;
                }
                let Some(theirs) = other.span else { continue };
                let overlap = span.overlap(&theirs);
                let on = match kind {
                    ConflictKind::Dependency => {
                        let mine = b.items.iter().map(|i| i.to_string()).collect::<Vec<_>>();
                        format!(
                            "{item}, which {} depends on or which depends on it",
                            mine.join(", ")
                        )
                    }
                    _ => item.to_string(),
                };
                out.push(Conflict {
                    kind,
                    other: Some(other.id.clone()),
                    item: Some(item.clone()),
                    window: None,
                    span: overlap,
                    text: format!(
                        "{} ({}, {}) is on {on} at {}",
                        other.id,
                        other.title,
                        other.status,
                        overlap.local(self.tz)
                    ),
                });
            }
        }
        out
    }

    /// The items up to `depth` steps of `depends_on` away from `items`, in
    /// either direction (not items that merely share a dependency), not
    /// `items` themselves.
    fn near(&self, items: &[RecordId], depth: usize) -> Vec<RecordId> {
        let mut out: Vec<RecordId> = items
            .iter()
            .flat_map(|i| self.graph.within(i, Some(depth)))
            .map(|(id, _)| id)
            .filter(|id| !items.contains(id))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// For each item, the names of the services it is or that depend on
    /// it, found once by walking down from each service; nothing where no
    /// window of the calendar names a service (the walk is then not needed).
    fn served(&self, service_items: &[(RecordId, String)]) -> HashMap<RecordId, Vec<String>> {
        let named = self.calendar.freeze.iter().map(|f| &f.scope);
        let named = named.chain(self.calendar.maintenance.iter().map(|m| &m.scope));
        let mut out: HashMap<RecordId, Vec<String>> = HashMap::new();
        if !named.into_iter().any(|scope| !scope.services.is_empty()) {
            return out;
        }
        for (service, name) in service_items {
            let below = self.graph.dependencies(service, None);
            for id in std::iter::once(service.clone()).chain(below.into_iter().map(|(id, _)| id)) {
                out.entry(id).or_default().push(name.clone());
            }
        }
        out
    }

    /// The names of the services `item` is, or that depend on it (known
    /// where a window of the calendar is limited to services).
    pub fn services_of(&self, item: &RecordId) -> Vec<String> {
        self.services.get(item).cloned().unwrap_or_default()
    }

    fn outside_maintenance(&self, b: &Booking, span: Span) -> Vec<Conflict> {
        if self.calendar.maintenance.is_empty() {
            return Vec::new();
        }
        let business = self.business();
        // No occurrence lasts more than a day: a longer window fits none,
        // and is not walked day by day.
        let short = span.end - span.start <= chrono::Duration::hours(25);
        let fits = |windows: &[&crate::policy::windows::MaintenanceWindow]| {
            short
                && windows.iter().any(|m| {
                    occur::maintenance_spans(m, self.tz, business, &span)
                        .iter()
                        .any(|o| o.contains(&span))
                })
        };
        let targets: Vec<Option<&RecordId>> = if b.items.is_empty() {
            vec![None]
        } else {
            b.items.iter().map(Some).collect()
        };
        let mut out = Vec::new();
        for item in targets {
            let services = item.map(|i| self.services_of(i)).unwrap_or_default();
            let windows: Vec<_> = self
                .calendar
                .maintenance
                .iter()
                .filter(|m| match item {
                    Some(i) => m.scope.covers(i, &services),
                    None => m.scope.is_everything(),
                })
                .collect();
            if windows.is_empty() || fits(&windows) {
                continue;
            }
            let names: Vec<String> = windows
                .iter()
                .map(|m| {
                    format!(
                        "{} ({} {}–{})",
                        m.id,
                        m.every,
                        String::from(m.from),
                        String::from(m.to)
                    )
                })
                .collect();
            out.push(Conflict {
                kind: ConflictKind::OutsideMaintenance,
                other: None,
                item: item.cloned(),
                window: windows.first().map(|m| m.id.clone()),
                span,
                text: format!(
                    "{} lies outside the maintenance windows{}: {}",
                    span.local(self.tz),
                    item.map_or(String::new(), |i| format!(" of {i}")),
                    names.join(", ")
                ),
            });
        }
        out
    }

    fn in_freeze(&self, b: &Booking, span: Span) -> Vec<Conflict> {
        if self.calendar.freeze.is_empty() {
            return Vec::new();
        }
        let services: Vec<String> = b.items.iter().flat_map(|i| self.services_of(i)).collect();
        let mut out = Vec::new();
        for f in &self.calendar.freeze {
            let applies =
                f.scope.is_everything() || b.items.iter().any(|i| f.scope.covers(i, &services));
            if !applies {
                continue;
            }
            for o in occur::freeze_spans(f, self.tz, &span) {
                let overlap = span.overlap(&o);
                out.push(Conflict {
                    kind: ConflictKind::InFreeze,
                    other: None,
                    item: None,
                    window: Some(f.id.clone()),
                    span: overlap,
                    text: format!(
                        "{} falls in the freeze {} ({}, {})",
                        overlap.local(self.tz),
                        f.id,
                        f.reason,
                        o.local(self.tz)
                    ),
                });
            }
        }
        out
    }

    fn assignee(&self, b: &Booking, span: Span) -> Vec<Conflict> {
        let Some(person) = &b.person else {
            return Vec::new();
        };
        self.by_person
            .overlapping(person, &span)
            .into_iter()
            .map(|slot| &self.changes[slot])
            .filter(|other| other.id != b.id)
            .filter_map(|other| {
                let overlap = span.overlap(&other.span?);
                Some(Conflict {
                    kind: ConflictKind::Assignee,
                    other: Some(other.id.clone()),
                    item: None,
                    window: None,
                    span: overlap,
                    text: format!(
                        "{person} also carries out {} ({}) at {}",
                        other.id,
                        other.title,
                        overlap.local(self.tz)
                    ),
                })
            })
            .collect()
    }

    fn rollout(&self, rollout: Option<Span>, changes: &[RecordId]) -> Vec<Conflict> {
        let Some(rollout) = rollout else {
            return Vec::new();
        };
        changes
            .iter()
            .filter_map(|id| self.changes.get(*self.by_id.get(id)?))
            .filter_map(|c| Some((c, c.span?)))
            .filter(|(_, span)| !rollout.contains(span))
            .map(|(c, span)| Conflict {
                kind: ConflictKind::Rollout,
                other: Some(c.id.clone()),
                item: None,
                window: None,
                span,
                text: format!(
                    "{} ({}) is carried out at {}, outside the rollout window {}",
                    c.id,
                    c.title,
                    span.local(self.tz),
                    rollout.local(self.tz)
                ),
            })
            .collect()
    }
}

/// Whether any rule of `policy` about records of `kind` asks the calendar:
/// only then do the commands that check one record read it.
pub fn asked_for(policy: &Policy, kind: crate::kind::Kind) -> bool {
    policy.rules.iter().any(|r| {
        r.kind == kind
            && r.require
                .iter()
                .chain(&r.when)
                .any(|p| matches!(p.test, crate::policy::Test::NoConflict(_)))
    })
}

/// The calendar of the repository as a commit will leave it: the changes,
/// releases and items of the store, those in `landing` as written there.
pub fn of_workspace<'w>(
    ws: &'w crate::workspace::Workspace,
    landing: &[(RecordId, crate::yaml::Value)],
) -> Result<Schedule<'w>> {
    use crate::kind::Kind;
    let kinds = [Kind::Change, Kind::Release, Kind::ConfigurationItem];
    let landed: Vec<Fact> = landing
        .iter()
        .filter(|(id, _)| kinds.contains(&id.kind()))
        .filter_map(|(_, doc)| Record::from_doc(std::path::Path::new(""), None, doc).ok())
        .filter_map(|r| Fact::of(&r))
        .collect();
    let stored = ws
        .select(&kinds, &|_| true)
        .map(crate::workspace::cache::Docs::Drop, |e| Fact::of(&e.record))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|f| !landing.iter().any(|(id, _)| id == f.id()));
    let calendar = calendar_of(ws.policy(), ws.root())?;
    Ok(Schedule::new(ws.policy(), calendar, stored.chain(landed)))
}

impl Fact {
    /// The record's ID.
    pub fn id(&self) -> &RecordId {
        match self {
            Fact::Change(b) => &b.id,
            Fact::Release { id, .. } | Fact::Item { id, .. } => id,
        }
    }
}
