//! One clock of one ticket, in steps: the target as an amount of counted
//! time, where the clock stopped, the segments it ran, the time they used,
//! and the instant the target is (or was) reached along them.

use chrono::Duration;

use super::{AT_RISK, ClockState, ClockStatus, completed_at};
use crate::calendar::BusinessCalendar;
use crate::policy::{ClockHours, ClockSpec};
use crate::record::Record;
use crate::time::Timestamp;

/// The clock `spec` of `record` as it stands at `at`; `initial` is the
/// status the record started in.
pub(super) fn clock(
    spec: &ClockSpec,
    cal: &BusinessCalendar,
    record: &Record,
    initial: &str,
    at: Timestamp,
) -> ClockStatus {
    let mut status = not_started(spec);
    let Some(start) = completed_at(record).filter(|s| *s <= at) else {
        return status;
    };
    status.started = Some(start);
    let count = Counter {
        hours: spec.hours,
        cal,
    };
    let target = target(spec, &count, start);
    // The ticket's statuses from the start on; the status at `start` is the last one reached before it.
    let line = timeline(record, initial);
    let by_status = line
        .iter()
        .find(|(t, s)| *t >= start && *t <= at && spec.stops_at.iter().any(|x| x == s))
        .map(|(t, _)| *t);
    let stop = match first_reply(spec, record, start, at) {
        Some(r) => Some(by_status.map_or(r, |s| s.min(r))),
        None => by_status,
    };
    let horizon = stop.unwrap_or(at);
    let segments = running_segments(&line, spec, start, horizon);
    let used = segments
        .iter()
        .map(|(a, b)| count.measure(*a, *b))
        .fold(Duration::zero(), |x, y| {
            x.checked_add(&y).unwrap_or(Duration::MAX)
        });
    let paused_now = stop.is_none()
        && line
            .iter()
            .rev()
            .find(|(t, _)| *t <= at)
            .is_some_and(|(_, s)| spec.pauses_in.iter().any(|x| x == s));
    status.due = match reached(&segments, target, &count) {
        Ok(due) => Some(due),
        // Still running: the rest of the target is counted on from the horizon.
        Err(remaining) if stop.is_none() && !paused_now => Some(count.advance(horizon, remaining)),
        // Stopped short of the target, or paused: no due time to give.
        Err(_) => None,
    };
    status.stopped = stop;
    status.used_seconds = used.num_seconds();
    status.left_seconds = target.num_seconds().saturating_sub(used.num_seconds());
    status.state = match (stop, used > target, paused_now) {
        (_, true, _) => ClockState::Breached,
        (Some(_), false, _) => ClockState::Met,
        (None, false, true) => ClockState::Paused,
        (None, false, false) => ClockState::Running,
    };
    status.at_risk = matches!(status.state, ClockState::Running | ClockState::Paused)
        && target > Duration::zero()
        && used.num_seconds() as f64 > AT_RISK * target.num_seconds() as f64;
    status
}

/// The first reply to the customer between `start` and `at`, where the
/// clock stops at one.
fn first_reply(
    spec: &ClockSpec,
    record: &Record,
    start: Timestamp,
    at: Timestamp,
) -> Option<Timestamp> {
    if !spec.stops_at_reply {
        return None;
    }
    record
        .common
        .history
        .iter()
        .filter(|e| e.is_reply() && e.at >= start && e.at <= at)
        .map(|e| e.at)
        .min()
}

/// The clock before it starts: its name, and its target as people read it.
fn not_started(spec: &ClockSpec) -> ClockStatus {
    let hours = match spec.hours {
        ClockHours::Always => " (24/7)",
        ClockHours::Office => " (office hours)",
    };
    ClockStatus {
        clock: spec.id.clone(),
        title: spec.title.clone(),
        target: format!("{}{hours}", spec.target.describe()),
        hours: spec.hours,
        started: None,
        stopped: None,
        due: None,
        used_seconds: 0,
        left_seconds: 0,
        state: ClockState::NotStarted,
        at_risk: false,
    }
}

/// How a clock counts time: around the clock, or in office hours.
struct Counter<'c> {
    hours: ClockHours,
    cal: &'c BusinessCalendar,
}

impl Counter<'_> {
    /// The counted time from `a` to `b` (none if `b` is not later).
    fn measure(&self, a: Timestamp, b: Timestamp) -> Duration {
        if b <= a {
            return Duration::zero();
        }
        match self.hours {
            ClockHours::Always => b - a,
            ClockHours::Office => self.cal.working_time_between(a, b),
        }
    }

    /// The instant `d` of counted time after `t`.
    fn advance(&self, t: Timestamp, d: Duration) -> Timestamp {
        match self.hours {
            ClockHours::Always => self.cal.add_calendar_time(t, d),
            ClockHours::Office => self.cal.add_working_hours(t, d),
        }
    }
}

/// The target as an amount of counted time from `start`: working days
/// become the office hours between the start and the day they end on.
fn target(spec: &ClockSpec, count: &Counter<'_>, start: Timestamp) -> Duration {
    // A loaded pack keeps targets within a year; a policy built by other
    // means saturates rather than overflow, and a negative target counts
    // as none.
    let saturated = |n: i64| {
        if n < 0 {
            Duration::zero()
        } else {
            Duration::MAX
        }
    };
    let t = &spec.target;
    match (t.minutes, t.hours, t.working_days) {
        (Some(m), _, _) => Duration::try_minutes(m).unwrap_or_else(|| saturated(m)),
        (_, Some(h), _) => Duration::try_hours(h).unwrap_or_else(|| saturated(h)),
        (_, _, Some(d)) => count
            .cal
            .try_add_working_days(start, d)
            .map_or(Duration::MAX, |due| count.measure(start, due)),
        _ => Duration::zero(),
    }
    .max(Duration::zero())
}

/// The status of a ticket over time: where it was from each moment on.
fn timeline(record: &Record, initial: &str) -> Vec<(Timestamp, String)> {
    let mut out = vec![(record.common.opened_at, initial.to_owned())];
    for e in &record.common.history {
        if let Some(s) = &e.status {
            out.push((e.at, s.clone()));
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out
}

/// The segments the clock ran: `[start, horizon]` less the time the
/// ticket spent in a status that pauses it.
fn running_segments(
    line: &[(Timestamp, String)],
    spec: &ClockSpec,
    start: Timestamp,
    horizon: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let mut segments = Vec::new();
    for (i, (t, s)) in line.iter().enumerate() {
        let end = line.get(i + 1).map_or(horizon, |(n, _)| *n).min(horizon);
        let begin = (*t).max(start);
        if end > begin && !spec.pauses_in.iter().any(|x| x == s) {
            segments.push((begin, end));
        }
    }
    segments
}

/// The instant the target is reached along the running segments, or, if
/// they end first, the part of the target still to run.
fn reached(
    segments: &[(Timestamp, Timestamp)],
    target: Duration,
    count: &Counter<'_>,
) -> Result<Timestamp, Duration> {
    let mut remaining = target;
    for (a, b) in segments {
        let m = count.measure(*a, *b);
        if m >= remaining {
            return Ok(count.advance(*a, remaining));
        }
        remaining -= m;
    }
    Err(remaining)
}
