//! When the calendar's windows occur: a freeze's one span (or one a year),
//! a maintenance window's span on each day it recurs, in the repository's
//! zone, so a window of 01:00–04:00 on the night the clocks go back lasts
//! four hours, and one on a holiday of the business calendar is left out.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use super::Span;
use crate::calendar::BusinessCalendar;
use crate::policy::windows::{FreezeWindow, MaintenanceWindow};
use crate::time::at_local;

/// The spans of a freeze that overlap `within`.
pub fn freeze_spans(f: &FreezeWindow, tz: Tz, within: &Span) -> Vec<Span> {
    let span_of = |years: i32| Span {
        start: at_local(f.from.plus_years(years).start(), tz),
        end: at_local(f.to.plus_years(years).end(), tz),
    };
    if !f.yearly {
        return vec![span_of(0)]
            .into_iter()
            .filter(|s| s.overlaps(within))
            .collect();
    }
    let first = f.from.start().year();
    // A freeze over new year starts the year before the one it ends in.
    let years = (within.start.year() - 1 - first)..=(within.end.year() - first);
    years.map(span_of).filter(|s| s.overlaps(within)).collect()
}

/// The spans of a maintenance window that overlap `within`, one per local
/// day it recurs on; holidays and days off of `business` left out where
/// the window skips them.
pub fn maintenance_spans(
    m: &MaintenanceWindow,
    tz: Tz,
    business: Option<&BusinessCalendar>,
    within: &Span,
) -> Vec<Span> {
    let first = within.start.with_timezone(&tz).date_naive() - Duration::days(1);
    let last = within.end.with_timezone(&tz).date_naive();
    let closed = |d: NaiveDate| match business {
        Some(b) => b.closed_for(d).is_some(),
        None => crate::calendar::is_holiday(d),
    };
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| m.every.on(*d) && !(m.skip_holidays && closed(*d)))
        .map(|d| {
            let end_day = if m.to.0 <= m.from.0 {
                d + Duration::days(1)
            } else {
                d
            };
            Span {
                start: at_local(d.and_time(m.from.0), tz),
                end: at_local(end_day.and_time(m.to.0), tz),
            }
        })
        .filter(|s| s.overlaps(within))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::windows::{Bound, ClockTime, Recurrence, Scope};

    fn at(text: &str) -> crate::time::Timestamp {
        chrono::DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn tz() -> Tz {
        "Europe/Stockholm".parse().unwrap()
    }

    fn nightly(from: &str, to: &str) -> MaintenanceWindow {
        MaintenanceWindow {
            id: "natt".into(),
            reason: None,
            every: Recurrence::Daily,
            from: ClockTime::try_from(from.to_owned()).unwrap(),
            to: ClockTime::try_from(to.to_owned()).unwrap(),
            skip_holidays: false,
            scope: Scope::default(),
        }
    }

    #[test]
    fn a_window_on_the_night_the_clocks_go_back_lasts_an_hour_longer() {
        // 2026-10-25: Central European Summer Time ends at 03:00.
        let within = Span {
            start: at("2026-10-25T00:00:00+02:00"),
            end: at("2026-10-25T12:00:00+01:00"),
        };
        let spans = maintenance_spans(&nightly("01:00", "04:00"), tz(), None, &within);
        let night = spans
            .iter()
            .find(|s| s.start == at("2026-10-25T01:00:00+02:00"))
            .expect("the night's window");
        assert_eq!(night.end, at("2026-10-25T04:00:00+01:00"));
        assert_eq!((night.end - night.start).num_hours(), 4);
    }

    #[test]
    fn a_weekly_window_skips_a_public_holiday() {
        // Tuesdays 18–22; 2026-12-22 is a Tuesday, 2026-12-29 too; 2026-06-23
        // is midsummer's Tuesday (no holiday) — Ascension Day 2026-05-14 is
        // a Thursday, so test Thursdays.
        let mut m = nightly("18:00", "22:00");
        m.every = Recurrence::Weekly(chrono::Weekday::Thu);
        m.skip_holidays = true;
        let within = Span {
            start: at("2026-05-11T00:00:00+02:00"),
            end: at("2026-05-25T00:00:00+02:00"),
        };
        let days: Vec<NaiveDate> = maintenance_spans(&m, tz(), None, &within)
            .iter()
            .map(|s| s.start.with_timezone(&tz()).date_naive())
            .collect();
        assert_eq!(days, [NaiveDate::from_ymd_opt(2026, 5, 21).unwrap()]);
        m.skip_holidays = false;
        assert_eq!(maintenance_spans(&m, tz(), None, &within).len(), 2);
    }

    #[test]
    fn a_yearly_freeze_over_new_year_covers_both_years() {
        let f = FreezeWindow {
            id: "jul".into(),
            reason: "Julfrysning".into(),
            from: Bound::try_from("2025-12-20".to_owned()).unwrap(),
            to: Bound::try_from("2026-01-06".to_owned()).unwrap(),
            yearly: true,
            scope: Scope::default(),
        };
        let within = Span {
            start: at("2027-01-02T10:00:00+01:00"),
            end: at("2027-01-02T12:00:00+01:00"),
        };
        let spans = freeze_spans(&f, tz(), &within);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].start, at("2026-12-20T00:00:00+01:00"));
        assert_eq!(spans[0].end, at("2027-01-07T00:00:00+01:00"));
    }
}
