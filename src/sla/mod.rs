//! SLA clocks, computed from a record's `history`, never from commit times.
//!
//! A clock runs from the moment the ticket is complete (`opened_at`, or the
//! event that made an incomplete ticket complete) until the ticket first
//! reaches a status that stops it, pausing while it is in a status that
//! pauses it. Time is counted around the clock or in office hours, as the
//! policy says; every target, working days included, becomes an amount of
//! such time, so one calculation serves all clocks (`clock`).
//!
//! [`Listing`] is what `arende sla` shows: the lines of the tickets whose
//! clocks are not settled, the statuses that settle them taken from the
//! pack's clocks ([`Settled`]), not from a list of names.

mod clock;
mod listing;

pub use listing::{Listing, ListingError, Row, Settled};

use chrono::Duration;
use serde::Serialize;

use crate::calendar::BusinessCalendar;
use crate::policy::{ClockHours, Policy};
use crate::record::{Body, Exclusion, Record};
use crate::time::Timestamp;
use crate::yaml::Value;

/// Past this share of its target a running clock is "at risk" (SPEC §4).
pub const AT_RISK: f64 = 0.75;

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// The ticket is not complete yet; the clock has not started.
    NotStarted,
    /// Running, within its target.
    Running,
    /// Paused (awaiting the customer).
    Paused,
    /// Stopped within its target.
    Met,
    /// Past its target, running or stopped.
    Breached,
}

/// One clock of one ticket at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct ClockStatus {
    /// The clock's name in the policy.
    pub clock: String,
    /// What it measures.
    pub title: String,
    /// The target as the policy states it.
    pub target: String,
    /// Around the clock or in office hours.
    pub hours: ClockHours,
    /// When it started.
    pub started: Option<Timestamp>,
    /// When it stopped.
    pub stopped: Option<Timestamp>,
    /// When the target is (or was) reached; unknown while paused.
    pub due: Option<Timestamp>,
    /// Counted time used, in seconds.
    pub used_seconds: i64,
    /// Counted time left (negative: overdue), in seconds.
    pub left_seconds: i64,
    /// Where it stands.
    pub state: ClockState,
    /// Running past 75 % of its target.
    pub at_risk: bool,
}

/// The clocks the policy runs for `record`, as they stand at `at`.
pub fn clocks(
    policy: &Policy,
    calendar: &BusinessCalendar,
    record: &Record,
    at: Timestamp,
) -> Vec<ClockStatus> {
    let Some(levels) = &policy.service_levels else {
        return Vec::new();
    };
    let Some(priority) = record.priority().map(|p| p.get()) else {
        return Vec::new();
    };
    if !covered(policy, record) {
        return Vec::new();
    }
    levels
        .clocks
        .iter()
        .filter(|c| c.kinds.contains(&record.kind()) && c.priorities.contains(&priority))
        .map(|spec| {
            clock::clock(
                spec,
                calendar,
                record,
                policy.machine(record.kind()).initial.as_str(),
                at,
            )
        })
        .collect()
}

/// Whether the ticket's response times apply at all: 003 §3.2.4 *Ovanstående
/// svarstider omfattar endast de ärenden som är kompletta vid registrering
/// och inte kräver uppföljning och förtydligande från kund*. A ticket
/// incomplete at registration is left out; so, where the policy says so, is
/// one that went to `awaiting_customer`, even once it moved on.
pub fn covered(policy: &Policy, record: &Record) -> bool {
    let follow_up = policy
        .service_levels
        .as_ref()
        .is_some_and(|l| l.follow_up_not_covered.is_some())
        && (record.status() == "awaiting_customer"
            || record
                .common
                .history
                .iter()
                .any(|e| e.status.as_deref() == Some("awaiting_customer")));
    !follow_up && complete_at_registration(record)
}

/// What the ticket said of its completeness when it was registered, read
/// back through the history: a ticket registered incomplete stays so when it
/// is completed later.
fn complete_at_registration(record: &Record) -> bool {
    let now = match &record.body {
        Body::Incident(i) => i.complete_at_registration,
        Body::ServiceRequest(r) => r.complete_at_registration,
        _ => return true,
    };
    let first_change = record.common.history.iter().find_map(|e| {
        e.changes
            .iter()
            .find(|c| c.field == "complete_at_registration")
    });
    match first_change {
        // Absent at registration means the default: complete.
        Some(c) => c.from.as_ref().is_none_or(|v| *v != Value::Bool(false)),
        None => now,
    }
}

/// When the clock starts: at registration, for a ticket covered at all.
fn completed_at(record: &Record) -> Option<Timestamp> {
    complete_at_registration(record).then_some(record.common.opened_at)
}

/// Whether the record is a major incident under the policy.
pub fn is_major_incident(policy: &Policy, record: &Record) -> bool {
    let Some(levels) = &policy.service_levels else {
        return false;
    };
    record.kind() == crate::kind::Kind::Incident
        && record
            .priority()
            .is_some_and(|p| levels.major_incident_priorities.contains(&p.get()))
}

/// How long an incident's outage is judged to last at `at`, when that is
/// longer than the policy's crisis threshold (003 Supportprocessen §4: *som
/// bedöms vara längre än två (2) timmar*): to its end if it ended, else the
/// longer of the time it has lasted and the time to its estimated
/// resolution, so the assessment is due as soon as the estimate says so.
pub fn crisis_outage(policy: &Policy, record: &Record, at: Timestamp) -> Option<Duration> {
    let limit = policy.service_levels.as_ref()?.crisis_after_minutes?;
    let Body::Incident(inc) = &record.body else {
        return None;
    };
    let outage = inc.outage.as_ref()?;
    // A planned interruption, or one in a service window (planned by
    // definition), is agreed in advance; it calls for no crisis assessment.
    if outage.planned || outage.excluded == Some(Exclusion::ServiceWindow) {
        return None;
    }
    let start = outage.start?;
    let end = match outage.end.filter(|e| *e <= at) {
        Some(end) => end,
        None => inc.estimated_resolution.map_or(at, |est| est.max(at)),
    };
    let length = end - start;
    let limit = Duration::try_minutes(limit).unwrap_or(Duration::MAX);
    (length > limit).then_some(length)
}

/// A duration as people read it: `2 h 05 min`, `3 d 4 h`.
pub fn human(d: Duration) -> String {
    let sign = if d < Duration::zero() { "-" } else { "" };
    let s = d.num_seconds().saturating_abs();
    let (days, hours, minutes) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    match (days, hours) {
        (0, 0) => format!("{sign}{minutes} min"),
        (0, _) => format!("{sign}{hours} h {minutes:02} min"),
        _ => format!("{sign}{days} d {hours} h"),
    }
}
