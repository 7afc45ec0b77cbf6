//! Properties of the business calendar that SLA reports rely on: deadlines
//! fall on open desk time, later starts never give earlier deadlines, and
//! working-time arithmetic and measurement agree with each other.

use arende::calendar::{BusinessCalendar, HolidayKind, holiday};
use chrono::{DateTime, Datelike, Duration, FixedOffset, Offset, Weekday};
use proptest::prelude::*;

/// 2024-01-01T00:00:00Z and 2032-01-01T00:00:00Z.
const FROM: i64 = 1_704_067_200;
const UNTIL: i64 = 1_956_528_000;

fn calendar() -> BusinessCalendar {
    BusinessCalendar::swedish_office_hours("08:00", "18:00").expect("valid hours")
}

/// An instant in 2024–2031, written with one of several offsets, since
/// records may carry any offset their writer used.
fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (
        FROM..UNTIL,
        prop::sample::select(vec![0, 3600, 7200, -5 * 3600]),
    )
        .prop_map(|(secs, offset)| {
            let offset = FixedOffset::east_opt(offset).expect("offsets under a day are valid");
            DateTime::from_timestamp(secs, 0)
                .expect("2024–2031 is in range")
                .with_timezone(&offset)
        })
}

fn assert_lands_on_open_desk(
    cal: &BusinessCalendar,
    due: DateTime<FixedOffset>,
) -> Result<(), TestCaseError> {
    let local = due.with_timezone(&cal.timezone());
    let date = local.date_naive();
    prop_assert!(
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        "{due} is a weekend"
    );
    prop_assert!(holiday(date).is_none(), "{due} is {:?}", holiday(date));
    prop_assert!(cal.is_working_day(date), "{due} is not a working day");
    prop_assert!(cal.is_open(due), "{due} is outside office hours");
    // The printed offset is Stockholm's at that instant.
    prop_assert_eq!(
        due.offset().local_minus_utc(),
        local.offset().fix().local_minus_utc()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn calendar_working_days_land_on_open_desk_and_are_monotonic(
        start in instant(),
        later_by in 0i64..(14 * 86_400),
        n in 0u32..30,
    ) {
        let cal = calendar();
        let due = cal.add_working_days(start, n);
        assert_lands_on_open_desk(&cal, due)?;
        prop_assert!(due >= start);

        let due_next = cal.add_working_days(start, n + 1);
        assert_lands_on_open_desk(&cal, due_next)?;
        prop_assert!(due_next > due, "n + 1 gave {due_next}, n gave {due}");

        let later = start + Duration::seconds(later_by);
        let due_later = cal.add_working_days(later, n);
        prop_assert!(due_later >= due, "start {later} gave {due_later}, {start} gave {due}");

        // The clock start plus n working days keeps its wall-clock time.
        let clock_start = cal.next_opening(start).with_timezone(&cal.timezone());
        let local_due = due.with_timezone(&cal.timezone());
        prop_assert_eq!(clock_start.time(), local_due.time());
    }

    #[test]
    fn calendar_working_hours_are_monotonic_and_measured_back_exactly(
        start in instant(),
        later_by in 0i64..(14 * 86_400),
        secs in 0i64..(200 * 3600),
        more in 0i64..(10 * 3600),
    ) {
        let cal = calendar();
        let d = Duration::seconds(secs);
        let end = cal.add_working_hours(start, d);
        prop_assert!(end >= start);
        prop_assert_eq!(cal.working_time_between(start, end), d);

        let end_more = cal.add_working_hours(start, d + Duration::seconds(more));
        prop_assert!(end_more >= end);

        let later = start + Duration::seconds(later_by);
        let end_later = cal.add_working_hours(later, d);
        prop_assert!(end_later >= end, "start {later} gave {end_later}, {start} gave {end}");

        if secs > 0 {
            // It ends on the desk's time: open then, or exactly at closing.
            let just_before = end - Duration::seconds(1);
            prop_assert!(cal.is_open(just_before), "{just_before} is outside office hours");
        }
    }

    #[test]
    fn calendar_time_is_plain_elapsed_time(start in instant(), secs in 0i64..(400 * 3600)) {
        let cal = calendar();
        let end = cal.add_calendar_time(start, Duration::seconds(secs));
        prop_assert_eq!(end - start, Duration::seconds(secs));
        let local = end.with_timezone(&cal.timezone());
        prop_assert_eq!(end.offset().local_minus_utc(), local.offset().fix().local_minus_utc());
    }

    #[test]
    fn calendar_working_time_never_exceeds_elapsed_time(a in instant(), b in instant()) {
        let cal = calendar();
        let worked = cal.working_time_between(a, b);
        prop_assert!(worked >= Duration::zero());
        prop_assert!(worked <= (b - a).max(Duration::zero()));
        if b > a {
            // Additive over any split point.
            let mid = a + (b - a) / 2;
            prop_assert_eq!(
                worked,
                cal.working_time_between(a, mid) + cal.working_time_between(mid, b)
            );
        }
    }
}

#[test]
fn calendar_de_facto_days_off_are_closed_by_default() {
    let cal = calendar();
    for year in 2024..=2031 {
        for (date, name, kind) in arende::calendar::holidays(year) {
            assert!(!cal.is_working_day(date), "{name} {date}");
            assert_eq!(holiday(date), Some((name, kind)));
            assert_eq!(
                arende::calendar::is_holiday(date),
                kind == HolidayKind::Public
            );
        }
    }
}
