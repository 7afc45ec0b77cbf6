//! The period report (SPEC §4 `report`): how many incidents and service
//! requests were registered, by priority (seed 003: "Varje kvartal
//! sammanställs en rapport över antalet registrerade Service Request och
//! incidenter"), how well the SLA clocks were kept, how available each
//! service was against its class's target, and which incidents were major
//! or called for a crisis assessment.
//!
//! Everything is computed from the records alone, as they stand: clocks from
//! `history`, downtime from `outage`. A period is a range of local dates in
//! the repository's timezone; it runs from local midnight of its first day
//! to local midnight after its last, so its length in minutes is real
//! elapsed time (a quarter with a daylight-saving change is an hour shorter
//! or longer). This module computes; the CLI prints.

use std::collections::BTreeMap;

use chrono::offset::LocalResult;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::BusinessCalendar;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::{Body, Record, ServiceClass};
use crate::sla::{ClockState, clocks, crisis_outage, is_major_incident};
use crate::time::Timestamp;

/// More buckets than this and the chart counts months instead of weeks,
/// so a report over a year or more stays readable.
const MAX_WEEKS: usize = 27;

/// A range of whole local dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

/// A period of a report that cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Text that does not name a quarter.
    #[error("`{0}` is not a quarter; write it like 2026Q3 (Q1–Q4)")]
    NotAQuarter(String),
    /// A last date before the first.
    #[error("the period ends ({to}) before it starts ({from})")]
    EndsBeforeStart {
        /// The first date given.
        from: NaiveDate,
        /// The last date given.
        to: NaiveDate,
    },
}

impl Period {
    /// A calendar quarter written `2026Q3` (also `2026-Q3`, `2026q3`):
    /// Q1 is January–March, Q2 April–June, Q3 July–September, Q4
    /// October–December.
    pub fn quarter(text: &str) -> std::result::Result<Period, PeriodError> {
        let bad = || PeriodError::NotAQuarter(text.to_owned());
        let upper = text.trim().to_ascii_uppercase();
        let (year, q) = upper.split_once('Q').ok_or_else(bad)?;
        let year = year.strip_suffix('-').unwrap_or(year);
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let q: u32 = match q {
            "1" => 1,
            "2" => 2,
            "3" => 3,
            "4" => 4,
            _ => return Err(bad()),
        };
        let from = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1).ok_or_else(bad)?;
        let next = if q == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, 3 * q + 1, 1)
        };
        let to = next.and_then(|d| d.pred_opt()).ok_or_else(bad)?;
        Ok(Period { from, to })
    }

    /// The dates `from` to `to`, both included.
    pub fn between(from: NaiveDate, to: NaiveDate) -> std::result::Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::EndsBeforeStart { from, to });
        }
        Ok(Period { from, to })
    }

    /// The first date.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last date (included).
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// `2026Q3` when the period is exactly a quarter, else `from – to`.
    pub fn label(&self) -> String {
        let q = (self.from.month() - 1) / 3 + 1;
        match Period::quarter(&format!("{}Q{q}", self.from.year())) {
            Ok(p) if p == *self => format!("{}Q{q}", self.from.year()),
            _ => format!("{} – {}", self.from, self.to),
        }
    }

    /// The instant the period starts: local midnight of its first date.
    pub fn start(&self, tz: Tz) -> Timestamp {
        local_midnight(tz, self.from)
    }

    /// The instant the period ends (excluded): local midnight after its last date.
    pub fn end(&self, tz: Tz) -> Timestamp {
        local_midnight(tz, self.to.succ_opt().unwrap_or(self.to))
    }
}

/// The first instant of `date` in `tz`. Midnight exists in Swedish time
/// all year; in a zone that skips it on a daylight-saving day, the day
/// starts at the first wall-clock time that exists.
fn local_midnight(tz: Tz, date: NaiveDate) -> Timestamp {
    let midnight = date.and_time(NaiveTime::MIN);
    for step in 0..=96 {
        let Some(wall) = midnight.checked_add_signed(Duration::minutes(15 * step)) else {
            break;
        };
        match tz.from_local_datetime(&wall) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.fixed_offset(),
            LocalResult::None => {}
        }
    }
    Utc.from_utc_datetime(&midnight).fixed_offset()
}

/// The period as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    /// `2026Q3`, or `from – to`.
    pub label: String,
    /// First date.
    pub from: NaiveDate,
    /// Last date, included.
    pub to: NaiveDate,
    /// Local midnight of the first date.
    pub start: Timestamp,
    /// Local midnight after the last date (excluded).
    pub end: Timestamp,
    /// Its length in minutes of real time.
    pub minutes: i64,
}

/// How many tickets of one priority were registered.
#[derive(Debug, Clone, Serialize)]
pub struct CountRow {
    /// The priority; `None` for tickets without one.
    pub priority: Option<u8>,
    /// The policy's label for it.
    pub label: String,
    /// Incidents.
    pub incident: usize,
    /// Service requests.
    pub service_request: usize,
}

/// Tickets registered (`opened_at`) in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// All incidents.
    pub incident: usize,
    /// All service requests.
    pub service_request: usize,
    /// One row per priority of the policy, and one for tickets without a priority if any.
    pub by_priority: Vec<CountRow>,
}

/// Clocks counted, met and breached.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Compliance {
    /// Clocks that stopped in the period, or went past their target in it while running.
    pub counted: usize,
    /// Stopped within target.
    pub met: usize,
    /// Past target, stopped or running.
    pub breached: usize,
    /// `100 × met / counted`, two decimals; `None` when nothing was counted.
    pub compliance_percent: Option<f64>,
}

impl Compliance {
    fn add(&mut self, met: bool) {
        self.counted += 1;
        if met {
            self.met += 1;
        } else {
            self.breached += 1;
        }
        self.compliance_percent = Some(round(100.0 * self.met as f64 / self.counted as f64, 2));
    }
}

/// SLA compliance of one priority.
#[derive(Debug, Clone, Serialize)]
pub struct SlaRow {
    /// The priority.
    pub priority: u8,
    /// The policy's label for it.
    pub label: String,
    /// Whether any clock of the policy runs for it (a priority without one
    /// is listed, with nothing counted, so no priority is left out).
    pub has_clock: bool,
    /// The figures.
    #[serde(flatten)]
    pub compliance: Compliance,
}

/// One breached clock, so the report says which tickets missed their target.
#[derive(Debug, Clone, Serialize)]
pub struct Breach {
    /// The ticket.
    pub id: String,
    /// Its priority.
    pub priority: u8,
    /// The clock's name.
    pub clock: String,
    /// The target as the policy states it.
    pub target: String,
    /// When the target was reached.
    pub due: Option<Timestamp>,
    /// When the clock stopped; `None` if it still ran at the period end.
    pub stopped: Option<Timestamp>,
}

/// The availability of one service over the period.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAvailability {
    /// The service (`service` of the incidents); `None` for outages on incidents without one.
    pub service: Option<String>,
    /// Its class (`service_class`), `A` or `B`.
    pub class: Option<String>,
    /// The period's length in minutes.
    pub period_minutes: i64,
    /// Minutes down: the union of the counted outages, clipped to the period.
    pub downtime_minutes: i64,
    /// Minutes of planned windows and excluded causes, left out of availability.
    pub excluded_minutes: i64,
    /// `100 × (1 − downtime / period)`, four decimals.
    pub availability_percent: f64,
    /// The class's target from the policy, in percent.
    pub target_percent: Option<f64>,
    /// Whether the target was met; `None` without a target.
    pub met: Option<bool>,
    /// The incidents whose outages counted.
    pub incidents: Vec<String>,
}

/// How the services of one class fared.
#[derive(Debug, Clone, Serialize)]
pub struct ClassAvailability {
    /// `A`, `B`, or `None` for services without a class.
    pub class: Option<String>,
    /// The target, in percent.
    pub target_percent: Option<f64>,
    /// Services of the class with an outage in the period.
    pub services: usize,
    /// Of those, how many met the target.
    pub met: usize,
    /// The lowest availability among them, in percent.
    pub lowest_percent: f64,
}

/// A major incident registered in the period.
#[derive(Debug, Clone, Serialize)]
pub struct MajorIncident {
    /// The incident.
    pub id: String,
    /// Its priority.
    pub priority: u8,
    /// Its title.
    pub title: String,
    /// Its status now.
    pub status: String,
    /// The status's label in the pack (*Stängd*), if it has one.
    pub status_label: Option<String>,
    /// The major incident manager, if named.
    pub manager: Option<String>,
}

/// An incident whose outage was long enough to call for a crisis assessment.
#[derive(Debug, Clone, Serialize)]
pub struct CrisisCandidate {
    /// The incident.
    pub id: String,
    /// The affected service.
    pub service: Option<String>,
    /// Its title.
    pub title: String,
    /// The whole outage, to its end or to the report's moment, in minutes.
    pub outage_minutes: i64,
    /// Why the outage does not count against availability, if it does not.
    pub excluded: Option<String>,
    /// That cause's label in the pack (*Extern orsak*), if it has one.
    pub excluded_label: Option<String>,
}

/// What the reader should know about the report's figures. Written out in
/// the report's language by each format; JSON has the English sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The period has not ended: clocks and outages are measured up to
    /// this local time.
    NotEnded {
        /// When they are measured to, `YYYY-MM-DD HH:MM` in the report's zone.
        until: String,
    },
    /// An incident's outage has no start and is not counted.
    NoOutageStart {
        /// The incident.
        id: String,
    },
    /// An incident's outage ends before it starts and is not counted.
    OutageBackwards {
        /// The incident.
        id: String,
    },
    /// A service has another class on this incident than on an earlier one.
    ClassDiffers {
        /// The incident.
        id: String,
        /// The service, if named.
        service: Option<String>,
        /// Its class on this incident.
        class: &'static str,
        /// Its class on the earlier one, which is used.
        earlier: &'static str,
    },
    /// The policy sets no service levels.
    NoServiceLevels {
        /// The policy's name.
        policy: String,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::NotEnded { until } => write!(
                f,
                "the period has not ended: clocks and open outages are measured up to {until}"
            ),
            Note::NoOutageStart { id } => {
                write!(f, "{id}: the outage has no start and is not counted")
            }
            Note::OutageBackwards { id } => write!(
                f,
                "{id}: the outage ends before it starts and is not counted"
            ),
            Note::ClassDiffers {
                id,
                service,
                class,
                earlier,
            } => write!(
                f,
                "{id}: {} is class {class} here but class {earlier} on an earlier incident; the earlier class is used",
                service.as_deref().unwrap_or("(no service)")
            ),
            Note::NoServiceLevels { policy } => write!(
                f,
                "the {policy} policy sets no service levels: no SLA compliance, availability, major incidents or crisis candidates"
            ),
        }
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The pack's label (its Swedish word) for value `id` of `field`.
fn label(policy: &Policy, kind: Kind, field: &str, id: &str) -> Option<String> {
    policy
        .vocabulary(kind, field)?
        .into_iter()
        .find(|w| w.id == id)
        .and_then(|w| w.label().map(str::to_owned))
}

/// The tickets registered in the period that break a rule the pack has
/// the report count (its `report:` line), such as Inera's priority-1
/// incidents not reported by phone (001: *Allvarlig incident (prio 1) ska
/// anmälas via telefon*): the desk registers them all the same (000 §3.2),
/// and the follow-up of the agreement reads the count.
#[derive(Debug, Clone, Serialize)]
pub struct Counted {
    /// The rule.
    pub rule: String,
    /// The line it is counted under, as the pack words it.
    pub label: String,
    /// How many tickets.
    pub count: usize,
    /// Which, by ID.
    pub tickets: Vec<String>,
}

/// Tickets registered in one part of the period, for the chart.
#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    /// `v27` for an ISO week, `2026-07` for a month.
    pub label: String,
    /// First date in the period.
    pub from: NaiveDate,
    /// Last date in the period.
    pub to: NaiveDate,
    /// Incidents registered.
    pub incident: usize,
    /// Service requests registered.
    pub service_request: usize,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The policy pack in force.
    pub policy: String,
    /// The organisation keeping the records (`arende.yaml`'s
    /// `organisation`), where it is given.
    pub organisation: Option<String>,
    /// The language of the agreement, as a BCP 47 tag (`sv` for the
    /// Swedish packs): the report is written in it.
    pub language: String,
    /// The period.
    pub period: PeriodInfo,
    /// The moment clocks and open outages are measured at: the period's
    /// end, or now if the period has not ended.
    pub at: Timestamp,
    /// Whether the policy sets service levels; without them the SLA and
    /// availability sections are empty.
    pub service_levels: bool,
    /// Tickets registered in the period.
    pub counts: Counts,
    /// Tickets registered in the period that break a rule the pack counts
    /// (one entry per such rule, none counted or not).
    pub counted: Vec<Counted>,
    /// SLA compliance per priority that has a clock.
    pub sla: Vec<SlaRow>,
    /// SLA compliance over all priorities.
    pub sla_total: Compliance,
    /// The breached clocks counted.
    pub breaches: Vec<Breach>,
    /// Tickets registered in the period, of a priority with a clock, that
    /// were incomplete at registration: no response time applies to them
    /// (003 §3.2.4), so they are counted apart, never as met or breached.
    pub sla_not_covered: Vec<String>,
    /// Availability per service with an outage in the period.
    pub availability: Vec<ServiceAvailability>,
    /// Availability per class.
    pub classes: Vec<ClassAvailability>,
    /// The crisis threshold, in minutes.
    pub crisis_after_minutes: Option<i64>,
    /// Major incidents registered in the period.
    pub major_incidents: Vec<MajorIncident>,
    /// Incidents whose outage in the period exceeded the crisis threshold.
    pub crisis_candidates: Vec<CrisisCandidate>,
    /// Tickets registered per week (or month), for the chart.
    pub timeline: Vec<Bucket>,
    /// What the reader should know about the figures.
    pub notes: Vec<Note>,
}

/// The language a pack's agreement is written in: the built-in packs are
/// Swedish agreements.
pub fn language(policy: &Policy) -> &'static str {
    if Policy::names().any(|n| n == policy.name) {
        "sv"
    } else {
        "en"
    }
}

/// What a report is about: its period, its moment and the policy. A
/// report is built from the tickets (incidents and service requests) one
/// at a time, in ID order, so that the records need not all be held: only
/// those opened in the period are kept (the counts and the major incidents
/// are theirs), and of the rest what their clocks and outages add.
/// [`Scope::part`] is the work of one record and may run on many at once;
/// [`Builder::add`] takes the parts in ID order.
pub struct Scope<'p> {
    policy: &'p Policy,
    tz: Tz,
    period: Period,
    start: Timestamp,
    end: Timestamp,
    at: Timestamp,
    now: Timestamp,
}

/// A report being built (see [`Scope`]).
pub struct Builder<'s, 'p> {
    scope: &'s Scope<'p>,
    opened: Vec<Opened>,
    rows: BTreeMap<u8, Compliance>,
    sla_total: Compliance,
    breaches: Vec<Breach>,
    sla_not_covered: Vec<String>,
    services: BTreeMap<Option<String>, ServiceOutages>,
    /// Each service's first class on any incident, for a service whose
    /// outages give none.
    first_class: BTreeMap<Option<String>, ServiceClass>,
    notes: Vec<Note>,
    crisis_candidates: Vec<CrisisCandidate>,
}

/// What the counts, the timeline and the major incidents need of a
/// ticket opened in the period.
struct Opened {
    kind: Kind,
    id: String,
    priority: Option<u8>,
    /// The counted rules it breaks, by their place in [`counted_rules`].
    broke: Vec<usize>,
    opened_at: Timestamp,
    major: Option<MajorIncident>,
}

/// What one ticket adds to the report (see [`Scope::part`]).
pub struct Part {
    /// The ticket, if it was opened in the period.
    opened: Option<Opened>,
    /// Its ID, if it is not covered by its clocks.
    not_covered: Option<String>,
    /// Its clocks that count in the period: priority, met, the breach.
    counted: Vec<(u8, Option<Breach>)>,
    outage: Option<OutagePart>,
    /// Its service and class, if it is an incident that names a class.
    class: Option<(Option<String>, ServiceClass)>,
}

/// What an incident's outage adds.
enum OutagePart {
    /// A note: the outage is not counted.
    Note(Note),
    /// An outage overlapping the period.
    Overlap {
        id: String,
        service: Option<String>,
        class: Option<ServiceClass>,
        clipped: (Timestamp, Timestamp),
        counted: bool,
        crisis: Option<CrisisCandidate>,
    },
}

impl<'p> Scope<'p> {
    /// A report of `period` about to be built. `now` bounds the period:
    /// clocks and open outages are measured at the period's end or at
    /// `now`, whichever is earlier.
    pub fn new(policy: &'p Policy, tz: Tz, period: &Period, now: Timestamp) -> Scope<'p> {
        let start = period.start(tz);
        let end = period.end(tz);
        Scope {
            policy,
            tz,
            period: *period,
            start,
            end,
            at: end.min(now),
            now,
        }
    }

    /// An empty report of this scope, to add the parts to.
    pub fn builder(&self) -> Builder<'_, 'p> {
        Builder {
            scope: self,
            opened: Vec::new(),
            rows: BTreeMap::new(),
            sla_total: Compliance::default(),
            breaches: Vec::new(),
            sla_not_covered: Vec::new(),
            services: BTreeMap::new(),
            first_class: BTreeMap::new(),
            notes: Vec::new(),
            crisis_candidates: Vec::new(),
        }
    }

    fn opened_in(&self, r: &Record) -> bool {
        r.common.opened_at >= self.start && r.common.opened_at < self.end
    }

    /// What `record` adds to the report; nothing unless it is a ticket.
    pub fn part(&self, record: Record) -> Part {
        let mut part = Part {
            opened: None,
            not_covered: None,
            counted: Vec::new(),
            outage: None,
            class: None,
        };
        if !matches!(record.kind(), Kind::Incident | Kind::ServiceRequest) {
            return part;
        }
        if let (Some(levels), Some(calendar)) =
            (&self.policy.service_levels, self.policy.calendar())
        {
            self.clocks_part(levels, calendar, &record, &mut part);
            if let Body::Incident(inc) = &record.body {
                part.outage = self.outage_part(&record, inc);
                part.class = inc.service_class.map(|c| (inc.service.clone(), c));
            }
        }
        if self.opened_in(&record) {
            let r = &record;
            part.opened = Some(Opened {
                kind: r.kind(),
                id: r.id().to_string(),
                priority: r.priority().map(|p| p.get()),
                broke: broken_counted(self.policy, r),
                opened_at: r.common.opened_at,
                major: is_major_incident(self.policy, r).then(|| MajorIncident {
                    id: r.id().to_string(),
                    priority: r.priority().map_or(0, |p| p.get()),
                    title: r.common.title.clone(),
                    status: r.status().to_owned(),
                    status_label: label(self.policy, r.kind(), "status", r.status()),
                    manager: match &r.body {
                        Body::Incident(i) => i.major_incident_manager.clone(),
                        _ => None,
                    },
                }),
            });
        }
        part
    }

    /// SLA compliance: the clocks of a ticket opened before the report's
    /// moment that met or broke their target in the period.
    fn clocks_part(
        &self,
        levels: &crate::policy::ServiceLevels,
        calendar: &BusinessCalendar,
        r: &Record,
        part: &mut Part,
    ) {
        let (start, end, at) = (self.start, self.end, self.at);
        if r.common.opened_at >= at {
            return;
        }
        let Some(priority) = r.priority().map(|p| p.get()) else {
            return;
        };
        if !crate::sla::covered(self.policy, r)
            && self.opened_in(r)
            && levels
                .clocks
                .iter()
                .any(|c| c.kinds.contains(&r.kind()) && c.priorities.contains(&priority))
        {
            part.not_covered = Some(r.id().to_string());
        }
        for c in clocks(self.policy, calendar, r, at) {
            let stopped_in = c.stopped.is_some_and(|s| s >= start && s < end);
            let counted = match c.state {
                ClockState::Met => stopped_in,
                // A breach counts once: in the period its clock stopped in, or,
                // while it still runs, in the period it went past its target.
                ClockState::Breached => {
                    stopped_in
                        || (c.stopped.is_none() && c.due.is_some_and(|d| d >= start && d < end))
                }
                ClockState::NotStarted | ClockState::Running | ClockState::Paused => false,
            };
            if !counted {
                continue;
            }
            let breach = (c.state != ClockState::Met).then(|| Breach {
                id: r.id().to_string(),
                priority,
                clock: c.clock.clone(),
                target: c.target.clone(),
                due: c.due.map(|d| d.with_timezone(&self.tz).fixed_offset()),
                stopped: c.stopped.map(|d| d.with_timezone(&self.tz).fixed_offset()),
            });
            part.counted.push((priority, breach));
        }
    }

    /// Availability and crisis candidates: an incident's outage, if it
    /// overlaps the period.
    fn outage_part(&self, r: &Record, inc: &crate::record::Incident) -> Option<OutagePart> {
        let outage = inc.outage.as_ref()?;
        let Some(o_start) = outage.start else {
            return Some(OutagePart::Note(Note::NoOutageStart {
                id: r.id().to_string(),
            }));
        };
        // An outage still open runs to the end of the period (or now).
        let o_end = outage.end.unwrap_or(self.at).min(self.at);
        if o_end < o_start {
            return Some(OutagePart::Note(Note::OutageBackwards {
                id: r.id().to_string(),
            }));
        }
        if o_start >= self.end || o_end <= self.start {
            return None;
        }
        // A planned window is agreed in advance and calls for no crisis
        // assessment; an outage with an outside cause still leaves the
        // service down for its users, so it does.
        let crisis = if outage.planned {
            None
        } else {
            let excluded = outage
                .excluded
                .and_then(|e| serde_json::to_value(e).ok())
                .and_then(|v| v.as_str().map(str::to_owned));
            crisis_outage(self.policy, r, self.at).map(|length| CrisisCandidate {
                id: r.id().to_string(),
                service: inc.service.clone(),
                title: r.common.title.clone(),
                outage_minutes: length.num_minutes(),
                excluded_label: excluded
                    .as_deref()
                    .and_then(|e| label(self.policy, r.kind(), "outage.excluded", e)),
                excluded,
            })
        };
        Some(OutagePart::Overlap {
            id: r.id().to_string(),
            service: inc.service.clone(),
            class: inc.service_class,
            clipped: (o_start.max(self.start), o_end.min(self.end)),
            counted: !outage.planned && outage.excluded.is_none(),
            crisis,
        })
    }
}

impl Builder<'_, '_> {
    /// Adds one ticket's part; parts come in ID order.
    pub fn add(&mut self, part: Part) {
        self.opened.extend(part.opened);
        self.sla_not_covered.extend(part.not_covered);
        for (priority, breach) in part.counted {
            let met = breach.is_none();
            self.rows.entry(priority).or_default().add(met);
            self.sla_total.add(met);
            self.breaches.extend(breach);
        }
        if let Some((service, class)) = part.class {
            self.first_class.entry(service).or_insert(class);
        }
        match part.outage {
            None => {}
            Some(OutagePart::Note(note)) => self.notes.push(note),
            Some(OutagePart::Overlap {
                id,
                service,
                class,
                clipped,
                counted,
                crisis,
            }) => {
                let entry = self.services.entry(service.clone()).or_default();
                if let Some(class) = class {
                    match entry.class {
                        None => entry.class = Some(class),
                        Some(c) if c != class => self.notes.push(Note::ClassDiffers {
                            id: id.clone(),
                            service: service.clone(),
                            class: class_name(class),
                            earlier: class_name(c),
                        }),
                        Some(_) => {}
                    }
                }
                if counted {
                    entry.counted.push(clipped);
                    entry.incidents.push(id);
                } else {
                    entry.excluded.push(clipped);
                }
                self.crisis_candidates.extend(crisis);
            }
        }
    }

    /// The report.
    pub fn finish(self) -> Report {
        let Scope {
            policy,
            tz,
            period,
            start,
            end,
            at,
            now,
            ..
        } = *self.scope;
        let mut notes = Vec::new();
        if now < end {
            notes.push(Note::NotEnded {
                until: now.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            });
        }
        let counts = count(policy, self.opened.iter());
        let counted = counted(policy, self.opened.iter());
        let timeline = timeline(&period, tz, self.opened.iter());
        let major_incidents = self.opened.into_iter().filter_map(|o| o.major).collect();
        let mut report = Report {
            policy: policy.name.clone(),
            organisation: None,
            language: language(policy).to_owned(),
            period: PeriodInfo {
                label: period.label(),
                from: period.from,
                to: period.to,
                start,
                end,
                minutes: (end - start).num_minutes(),
            },
            at,
            service_levels: policy.service_levels.is_some(),
            counts,
            counted,
            sla: Vec::new(),
            sla_total: Compliance::default(),
            breaches: Vec::new(),
            sla_not_covered: Vec::new(),
            availability: Vec::new(),
            classes: Vec::new(),
            crisis_after_minutes: None,
            major_incidents,
            crisis_candidates: Vec::new(),
            timeline,
            notes,
        };
        let Some(levels) = &policy.service_levels else {
            report.notes.push(Note::NoServiceLevels {
                policy: policy.name.clone(),
            });
            return report;
        };
        report.sla = sla_rows(policy, levels, self.rows);
        report.sla_total = self.sla_total;
        report.breaches = self.breaches;
        report.sla_not_covered = self.sla_not_covered;
        report.notes.extend(self.notes);
        report.crisis_candidates = self.crisis_candidates;
        let mut services = self.services;
        for (service, entry) in &mut services {
            if entry.class.is_none() {
                entry.class = self.first_class.get(service).copied();
            }
        }
        report.availability = availability(levels, services, report.period.minutes, end - start);
        report.classes = classes(&report.availability);
        report.crisis_after_minutes = levels.crisis_after_minutes;
        report
    }
}

/// One SLA row per priority: every clock the policy runs has a row, so a
/// priority whose tickets all stayed open still shows, with nothing
/// counted; then every other priority of the policy.
fn sla_rows(
    policy: &Policy,
    levels: &crate::policy::ServiceLevels,
    counted: BTreeMap<u8, Compliance>,
) -> Vec<SlaRow> {
    let mut rows: BTreeMap<u8, Compliance> = levels
        .clocks
        .iter()
        .flat_map(|c| c.priorities.iter().map(|p| (*p, Compliance::default())))
        .collect();
    rows.extend(counted);
    let clocked: std::collections::BTreeSet<u8> = rows.keys().copied().collect();
    for p in &policy.priorities {
        rows.entry(p.level).or_default();
    }
    rows.into_iter()
        .map(|(priority, compliance)| SlaRow {
            priority,
            label: priority_label(policy, Some(priority)),
            has_clock: clocked.contains(&priority),
            compliance,
        })
        .collect()
}

/// Each service's availability over the period, by name whatever its capitalisation.
fn availability(
    levels: &crate::policy::ServiceLevels,
    services: BTreeMap<Option<String>, ServiceOutages>,
    period_minutes: i64,
    period: Duration,
) -> Vec<ServiceAvailability> {
    let period_seconds = period.num_seconds();
    let mut out: Vec<ServiceAvailability> = services
        .into_iter()
        .map(|(service, outages)| {
            let down = union_seconds(outages.counted);
            let excluded = union_seconds(outages.excluded);
            let class = outages.class.map(|c| class_name(c).to_owned());
            let target = class
                .as_ref()
                .and_then(|c| levels.availability.get(c))
                .copied();
            let share = if period_seconds > 0 {
                down as f64 / period_seconds as f64
            } else {
                0.0
            };
            let percent = 100.0 * (1.0 - share);
            ServiceAvailability {
                service,
                class,
                period_minutes,
                downtime_minutes: minutes(down),
                excluded_minutes: minutes(excluded),
                availability_percent: round(percent, 4),
                target_percent: target,
                // Compared unrounded: 99.89996 % does not meet 99.9 %.
                met: target.map(|t| percent >= t),
                incidents: outages.incidents,
            }
        })
        .collect();
    // People look a service up by name, whatever its capitalisation (`e-recept`).
    out.sort_by_cached_key(|a| a.service.as_ref().map(|s| s.to_lowercase()));
    out
}

/// Availability by class: how many services met the target, and the lowest.
fn classes(availability: &[ServiceAvailability]) -> Vec<ClassAvailability> {
    let mut classes: BTreeMap<Option<String>, ClassAvailability> = BTreeMap::new();
    for s in availability {
        let c = classes
            .entry(s.class.clone())
            .or_insert_with(|| ClassAvailability {
                class: s.class.clone(),
                target_percent: s.target_percent,
                services: 0,
                met: 0,
                lowest_percent: 100.0,
            });
        c.services += 1;
        c.met += usize::from(s.met == Some(true));
        c.lowest_percent = c.lowest_percent.min(s.availability_percent);
    }
    classes.into_values().collect()
}

/// The outages of one service in the period, clipped to it.
#[derive(Default)]
struct ServiceOutages {
    class: Option<ServiceClass>,
    counted: Vec<(Timestamp, Timestamp)>,
    excluded: Vec<(Timestamp, Timestamp)>,
    incidents: Vec<String>,
}

/// The length of the union of intervals, in seconds: two reports of the
/// same outage must not count it twice.
fn union_seconds(mut intervals: Vec<(Timestamp, Timestamp)>) -> i64 {
    intervals.sort();
    let mut total = Duration::zero();
    let mut current: Option<(Timestamp, Timestamp)> = None;
    for (a, b) in intervals {
        current = match current {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((a, b)) = current {
        total += b - a;
    }
    total.num_seconds()
}

fn minutes(seconds: i64) -> i64 {
    (seconds + 30).div_euclid(60)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn class_name(c: ServiceClass) -> &'static str {
    match c {
        ServiceClass::A => "A",
        ServiceClass::B => "B",
    }
}

/// A priority's label in the pack, else one in the report's language.
fn priority_label(policy: &Policy, priority: Option<u8>) -> String {
    let swedish = language(policy) == "sv";
    match priority {
        Some(p) => policy.priority_level(p).map_or_else(
            || format!("{} {p}", if swedish { "Prioritet" } else { "Priority" }),
            |l| l.label.clone(),
        ),
        None if swedish => "(ingen prioritet)".to_owned(),
        None => "(no priority)".to_owned(),
    }
}

fn count<'a>(policy: &Policy, tickets: impl Iterator<Item = &'a Opened>) -> Counts {
    let mut levels: Vec<u8> = policy.priorities.iter().map(|p| p.level).collect();
    levels.sort_unstable();
    let mut rows: BTreeMap<Option<u8>, (usize, usize)> =
        levels.into_iter().map(|l| (Some(l), (0, 0))).collect();
    let mut counts = Counts {
        incident: 0,
        service_request: 0,
        by_priority: Vec::new(),
    };
    for r in tickets {
        let row = rows.entry(r.priority).or_default();
        if r.kind == Kind::Incident {
            row.0 += 1;
            counts.incident += 1;
        } else {
            row.1 += 1;
            counts.service_request += 1;
        }
    }
    // BTreeMap puts None first; tickets without a priority read best last.
    let (none, some): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(p, _)| p.is_none());
    counts.by_priority = some
        .into_iter()
        .chain(none)
        .map(|(priority, (incident, service_request))| CountRow {
            priority,
            label: priority_label(policy, priority),
            incident,
            service_request,
        })
        .collect();
    counts
}

/// The pack's rules the report counts, in the pack's order.
fn counted_rules(policy: &Policy) -> impl Iterator<Item = &crate::policy::Rule> {
    policy.rules.iter().filter(|r| r.report.is_some())
}

/// The counted rules a ticket breaks, by their place in [`counted_rules`],
/// judged on what it says of its registration (see [`registration`]).
fn broken_counted(policy: &Policy, r: &Record) -> Vec<usize> {
    let rules: Vec<(usize, &crate::policy::Rule)> = counted_rules(policy)
        .enumerate()
        .filter(|(_, rule)| rule.kind == r.kind())
        .collect();
    if rules.is_empty() {
        return Vec::new();
    }
    let map = registration(r);
    let register = crate::validate::StandardRegister::default();
    let cx = crate::validate::Context {
        policy,
        register: &register,
        lookup: &NoRecords,
        people: None,
        calendar: None,
    };
    let holds = |p| crate::validate::engine::holds(&cx, &map, r, p);
    rules
        .into_iter()
        .filter(|(_, rule)| rule.when.iter().all(holds) && !rule.require.iter().all(holds))
        .map(|(i, _)| i)
        .collect()
}

/// No other record: a counted rule reads only the ticket.
struct NoRecords;

impl crate::validate::Lookup for NoRecords {
    fn document(&self, _: &crate::id::RecordId) -> Option<crate::yaml::Value> {
        None
    }
}

/// What a ticket says of its registration, as the fields of a document,
/// from its typed view (the report does not keep documents): status,
/// priority, impact, urgency, channel and reporting party.
fn registration(r: &Record) -> crate::yaml::Mapping {
    use crate::yaml::{Value, to_value};
    let mut map = crate::yaml::Mapping::new();
    let mut put = |key: &str, value: Value| {
        if !value.is_null() {
            map.insert(Value::from(key), value);
        }
    };
    put("status", Value::from(r.status()));
    put("priority", to_value(&r.priority()));
    if let Body::Incident(inc) = &r.body {
        put("impact", to_value(&inc.impact));
        put("urgency", to_value(&inc.urgency));
        put("reported_via", to_value(&inc.reported_via));
        if let Some(party) = inc.reporter.as_ref().and_then(|p| p.party.as_deref()) {
            let mut reporter = crate::yaml::Mapping::new();
            reporter.insert(Value::from("party"), Value::from(party));
            put("reporter", Value::Mapping(reporter));
        }
    }
    map
}

/// One entry per counted rule: the tickets registered that break it.
fn counted<'a>(policy: &Policy, tickets: impl Iterator<Item = &'a Opened>) -> Vec<Counted> {
    let mut out: Vec<Counted> = counted_rules(policy)
        .map(|rule| Counted {
            rule: rule.id.clone(),
            label: rule.report.clone().unwrap_or_default(),
            count: 0,
            tickets: Vec::new(),
        })
        .collect();
    for t in tickets {
        for &i in &t.broke {
            if let Some(c) = out.get_mut(i) {
                c.count += 1;
                c.tickets.push(t.id.clone());
            }
        }
    }
    out
}

/// Tickets registered per ISO week of the period (or per month, for a
/// long period), each bucket clipped to the period.
fn timeline<'a>(period: &Period, tz: Tz, tickets: impl Iterator<Item = &'a Opened>) -> Vec<Bucket> {
    let days = (period.to - period.from).num_days() + 1;
    let by_month = days > 7 * MAX_WEEKS as i64;
    let mut buckets: Vec<Bucket> = Vec::new();
    let mut day = period.from;
    while day <= period.to {
        let last = if by_month {
            let next = if day.month() == 12 {
                NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
            };
            next.and_then(|d| d.pred_opt()).unwrap_or(period.to)
        } else {
            day.checked_add_signed(Duration::days(
                6 - i64::from(day.weekday().num_days_from_monday()),
            ))
            .unwrap_or(period.to)
        };
        let last = last.min(period.to);
        buckets.push(Bucket {
            label: if by_month {
                day.format("%Y-%m").to_string()
            } else {
                format!("v{}", day.iso_week().week())
            },
            from: day,
            to: last,
            incident: 0,
            service_request: 0,
        });
        match last.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    for r in tickets {
        let date = r.opened_at.with_timezone(&tz).date_naive();
        if let Some(b) = buckets.iter_mut().find(|b| b.from <= date && date <= b.to) {
            if r.kind == Kind::Incident {
                b.incident += 1;
            } else {
                b.service_request += 1;
            }
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn quarters() {
        let q = Period::quarter("2026Q3").expect("Q3");
        assert_eq!((q.from(), q.to()), (d("2026-07-01"), d("2026-09-30")));
        let q = Period::quarter("2026-q4").expect("Q4");
        assert_eq!((q.from(), q.to()), (d("2026-10-01"), d("2026-12-31")));
        let q = Period::quarter("2028Q1").expect("Q1 of a leap year");
        assert_eq!(q.to(), d("2028-03-31"));
        for bad in ["2026Q5", "2026Q0", "2026", "Q3", "26Q3", "2026Q3x", ""] {
            assert!(Period::quarter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_and_bounds() {
        let tz: Tz = "Europe/Stockholm".parse().expect("tz");
        let q = Period::quarter("2026Q1").expect("Q1");
        assert_eq!(q.label(), "2026Q1");
        assert_eq!(q.start(tz).to_rfc3339(), "2026-01-01T00:00:00+01:00");
        assert_eq!(q.end(tz).to_rfc3339(), "2026-04-01T00:00:00+02:00");
        // 90 days, one hour lost to summer time on 29 March.
        assert_eq!((q.end(tz) - q.start(tz)).num_minutes(), 90 * 1440 - 60);
        let p = Period::between(d("2026-07-01"), d("2026-07-31")).expect("July");
        assert_eq!(p.label(), "2026-07-01 – 2026-07-31");
        assert!(Period::between(d("2026-07-02"), d("2026-07-01")).is_err());
    }

    #[test]
    fn union_counts_overlaps_once() {
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("time");
        let v = vec![
            (
                t("2026-07-14T09:30:00+02:00"),
                t("2026-07-14T11:00:00+02:00"),
            ),
            (
                t("2026-07-14T09:00:00+02:00"),
                t("2026-07-14T10:30:00+02:00"),
            ),
            (
                t("2026-07-15T09:00:00+02:00"),
                t("2026-07-15T09:10:00+02:00"),
            ),
        ];
        assert_eq!(union_seconds(v), 130 * 60);
    }
}
