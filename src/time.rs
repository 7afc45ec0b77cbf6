//! One reader of times for every command: `set`/`new` field values and
//! `import` cells. RFC 3339 keeps its offset; `YYYY-MM-DD HH:MM[:SS]`,
//! `YYYY-MM-DDTHH:MM` and a date alone (midnight) are local time in the
//! repository's zone; numeric `D/M/YYYY` forms are day first, as Swedish
//! dates and ServiceNow exports write them. What a person types for an
//! option or a field ([`parse_typed_at`]) may also be said against the
//! clock: `now`, `today`, `yesterday`, `tomorrow`, `-2d`, `+3h`.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// A point in time: RFC 3339 with its offset (SPEC §1).
pub type Timestamp = DateTime<FixedOffset>;

/// The rules a date is read by.
#[derive(Debug, Clone)]
pub struct DateRules {
    /// The zone of times written without one: the repository's.
    pub tz: Tz,
    /// chrono formats to try first (a mapping's `date_format`).
    pub formats: Vec<String>,
}

/// How a local time was placed in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// It names one instant.
    Exact,
    /// It occurs twice (the hour the clocks go back): the first is taken.
    Ambiguous,
    /// It does not exist (the hour the clocks go forward): read as the
    /// instant it names on a clock not yet put forward, one hour later on
    /// the new one.
    InGap,
}

/// A date read from the input.
#[derive(Debug, Clone, Copy)]
pub struct ReadTime {
    /// The instant.
    pub at: Timestamp,
    /// Whether the text carried its own offset.
    pub had_offset: bool,
    /// How a local time was placed.
    pub placement: Placement,
}

/// Formats a time as the records write them: RFC 3339 with offset.
pub fn rfc3339(t: &Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Why a text is not a time arende reads, or (typed by a person) not one
/// it takes without asking.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimeError {
    /// No form arende reads.
    #[error(
        "`{0}` is not a date and time arende can read (write 2016-02-29 01:16, or RFC 3339 with an offset)"
    )]
    Unreadable(String),
    /// A numeric date whose second number cannot be a month: written month first.
    #[error(
        "`{text}` is month first ({first}/{second}), but numeric dates are read day first, as Swedish dates and ServiceNow exports write them (29/2/2016 is 29 February); write ISO dates (2016-02-29), or give --mapping with date_format: \"%m/%d/%Y %H:%M\""
    )]
    MonthFirst {
        /// The text as written.
        text: String,
        /// Its first number (the month, as it was meant).
        first: u32,
        /// Its second number (the day).
        second: u32,
    },
    /// A year of two digits.
    #[error("`{0}` has a two-digit year, which could be any century; write the year in full")]
    TwoDigitYear(String),
    /// Numbers that make no date (31 April).
    #[error("`{text}` is not a date in the calendar (year {year}, month {month}, day {day})")]
    NotInCalendar {
        /// The text as written.
        text: String,
        /// The year read.
        year: i32,
        /// The month read.
        month: u32,
        /// The day read.
        day: u32,
    },
    /// A date with a time part that is no time of day.
    #[error("`{text}`: `{time}` is not a time of day (write 01:16 or 01:16:00)")]
    NotATimeOfDay {
        /// The text as written.
        text: String,
        /// Its time part.
        time: String,
    },
    /// Unreadable, and not in the mapping's own formats either.
    #[error("{read}; it does not match the mapping's date_format ({formats})")]
    NotInFormats {
        /// Why the built-in forms refused it.
        read: Box<TimeError>,
        /// The mapping's formats, comma-separated.
        formats: String,
    },
    /// Typed by a person, and no form arende reads, absolute or relative.
    #[error(
        "`{0}` is not a time arende can read: write 2026-12-04 14:00, 4/12/2026, RFC 3339, now, today, yesterday, tomorrow, or an offset from now such as -2d, +3h, -30m, -1w"
    )]
    NotATime(String),
    /// A relative time with a number or unit arende does not read.
    #[error(
        "`{0}` is not an offset from now: write a sign, a number and a unit (m minutes, h hours, d days of 24 hours, w weeks), e.g. -2d, +3h, -30m, -1w"
    )]
    BadOffset(String),
    /// A local time the clocks skip.
    #[error("`{text}` does not exist in {tz}: the clocks go forward an hour that night")]
    Skipped {
        /// The text as written.
        text: String,
        /// The zone it was read in.
        tz: Tz,
        /// What the clock read an hour on.
        later: Timestamp,
    },
    /// A local time the clocks pass twice.
    #[error("`{text}` happens twice in {tz}: the clocks go back an hour that night")]
    Doubled {
        /// The text as written.
        text: String,
        /// The zone it was read in.
        tz: Tz,
        /// The first of the two (summer time).
        first: Timestamp,
        /// The second.
        second: Timestamp,
    },
}

impl TimeError {
    /// What to write instead, for a time a person typed.
    pub fn fix(&self) -> String {
        match self {
            TimeError::Skipped { later, .. } => format!(
                "write a time outside the skipped hour, e.g. {} (what the clock read an hour on), or give the offset",
                rfc3339(later)
            ),
            TimeError::Doubled { first, second, .. } => format!(
                "give the offset: {} for the first, {} for the second",
                rfc3339(first),
                rfc3339(second)
            ),
            TimeError::NotATime(_) | TimeError::BadOffset(_) => "a time without an offset is local time in the repository's timezone; words and offsets count from the clock (--now, if given): `yesterday 14:00` is 14:00 yesterday, `-2d` 48 hours ago, `+30m` half an hour on".to_owned(),
            _ => "write RFC 3339 (2026-12-01T10:00:00+01:00), 2026-12-01 10:00, 2026-12-01T10:00, 2026-12-01, day first 1/12/2026 10:00, or against the clock: now, today, yesterday, tomorrow (midnight, or with a time: yesterday 14:00), -2d, +3h, -30m, -1w".to_owned(),
        }
    }
}

/// Reads a date and time. Times without an offset are local time in
/// `rules.tz`.
pub fn parse_time(text: &str, rules: &DateRules) -> Result<ReadTime, TimeError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(ReadTime {
            at: t,
            had_offset: true,
            placement: Placement::Exact,
        });
    }
    for format in &rules.formats {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Ok(ReadTime {
                at: t,
                had_offset: true,
                placement: Placement::Exact,
            });
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(place(naive, rules.tz));
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return Ok(place(date.and_time(NaiveTime::MIN), rules.tz));
        }
    }
    let naive = parse_numeric(text).map_err(|why| {
        if rules.formats.is_empty() {
            why
        } else {
            TimeError::NotInFormats {
                read: Box::new(why),
                formats: rules.formats.join(", "),
            }
        }
    })?;
    Ok(place(naive, rules.tz))
}

/// A local date and time in `tz` as an instant: the first of an hour that
/// occurs twice, and one in the hour the clocks skip read as on a clock not
/// yet put forward (as [`parse_time`] places it).
pub fn at_local(naive: NaiveDateTime, tz: Tz) -> Timestamp {
    place(naive, tz).at
}

fn place(naive: NaiveDateTime, tz: Tz) -> ReadTime {
    use chrono::LocalResult;
    let (at, placement) = match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => (t, Placement::Exact),
        LocalResult::Ambiguous(first, _) => (first, Placement::Ambiguous),
        LocalResult::None => {
            // As java.time places it (ServiceNow runs on Java): the local
            // time moved later by the length of the gap.
            let later = naive + Duration::hours(1);
            match tz.from_local_datetime(&later).earliest() {
                Some(t) => (t, Placement::InGap),
                None => (
                    tz.from_utc_datetime(&naive),
                    Placement::InGap, // no zone has two gaps in a row
                ),
            }
        }
    };
    ReadTime {
        at: at.fixed_offset(),
        had_offset: false,
        placement,
    }
}

/// `YYYY-MM-DD[ T]HH:MM[:SS]`, and in day-first files `D-M-YYYY H:MM[:SS]`
/// with `-`, `/` or `.`; an optional ` AM`/` PM`; the time may be left out
/// (midnight).
/// Numeric `D-M-YYYY`, `D/M/YYYY` and `D.M.YYYY` are day first (the
/// ServiceNow event-log family); a "month" above 12 is refused, since it
/// means the text is not day first.
fn parse_numeric(text: &str) -> Result<NaiveDateTime, TimeError> {
    let unreadable = || TimeError::Unreadable(text.to_owned());
    let (date_part, time_part) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, t.trim()),
        None => (text, ""),
    };
    let sep = date_part
        .chars()
        .find(|c| matches!(c, '-' | '/' | '.'))
        .ok_or_else(unreadable)?;
    let parts: Vec<&str> = date_part.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(unreadable());
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| unreadable());
    let (year, month, day) = if parts[0].len() == 4 {
        (num(parts[0])? as i32, num(parts[1])?, num(parts[2])?)
    } else if parts[2].len() == 4 {
        let (a, b) = (num(parts[0])?, num(parts[1])?);
        if b > 12 && a <= 12 {
            return Err(TimeError::MonthFirst {
                text: text.to_owned(),
                first: a,
                second: b,
            });
        }
        (num(parts[2])? as i32, b, a)
    } else if parts[2].len() <= 2 {
        return Err(TimeError::TwoDigitYear(text.to_owned()));
    } else {
        return Err(unreadable());
    };
    let date =
        NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| TimeError::NotInCalendar {
            text: text.to_owned(),
            year,
            month,
            day,
        })?;
    let time = if time_part.is_empty() {
        NaiveTime::MIN
    } else {
        parse_clock(time_part).ok_or_else(|| TimeError::NotATimeOfDay {
            text: text.to_owned(),
            time: time_part.to_owned(),
        })?
    };
    Ok(date.and_time(time))
}

fn parse_clock(text: &str) -> Option<NaiveTime> {
    let upper = text.to_ascii_uppercase();
    let (clock, meridiem) = match upper
        .strip_suffix("AM")
        .map(|c| (c, Some(false)))
        .or_else(|| upper.strip_suffix("PM").map(|c| (c, Some(true))))
    {
        Some((c, m)) => (c.trim_end(), m),
        None => (upper.as_str(), None),
    };
    // Drop an offset-less fraction of a second and a trailing `Z`-less zone name.
    let clock = clock.split('.').next()?;
    let fields: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&fields.len()) || fields.iter().any(|f| f.is_empty() || f.len() > 2) {
        return None;
    }
    let mut hour: u32 = fields[0].parse().ok()?;
    let minute: u32 = fields[1].parse().ok()?;
    let second: u32 = match fields.get(2) {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (pm, hour) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// A time a person typed for a field (`set`, `new`): the forms `import`
/// reads, numeric dates day first, local time in `tz` unless an offset is
/// given. A local time the clock skips (spring forward) or passes twice
/// (autumn) is refused rather than guessed, with the times to write
/// instead ([`TimeError::fix`]); `import`, which cannot ask, places them
/// and reports it.
pub fn parse_typed(text: &str, tz: Tz) -> Result<Timestamp, TimeError> {
    let rules = DateRules {
        tz,
        formats: Vec::new(),
    };
    let read = parse_time(text, &rules)?;
    let text = text.trim().to_owned();
    match read.placement {
        Placement::Exact => Ok(read.at),
        Placement::InGap => Err(TimeError::Skipped {
            text,
            tz,
            later: read.at,
        }),
        Placement::Ambiguous => Err(TimeError::Doubled {
            text,
            tz,
            first: read.at,
            second: (read.at + Duration::hours(1))
                .with_timezone(&tz)
                .fixed_offset(),
        }),
    }
}

/// A time a person typed for an option (`--now`, `--at`, `--from`) or a
/// field, read against the clock `now`: every form of [`parse_typed`],
/// and
/// - `now`;
/// - `today`, `yesterday`, `tomorrow`: midnight of that day in `tz`, as
///   a date alone is; with a time of day after them, that time
///   (`yesterday 14:00`);
/// - an offset from now: a sign, a number and a unit, `-30m`, `+3h`,
///   `-2d` (48 hours), `-1w`.
///
/// The words are English and Swedish (`nu`, `idag`, `igår`, `imorgon`), in
/// any case.
pub fn parse_typed_at(text: &str, tz: Tz, now: Timestamp) -> Result<Timestamp, TimeError> {
    let trimmed = text.trim();
    if let Some(at) = relative(trimmed, tz, now)? {
        return Ok(at);
    }
    parse_typed(trimmed, tz).map_err(|e| match e {
        TimeError::Unreadable(t) => TimeError::NotATime(t),
        other => other,
    })
}

/// A time said against the clock, `None` if `text` is not one.
fn relative(text: &str, tz: Tz, now: Timestamp) -> Result<Option<Timestamp>, TimeError> {
    if let Some(rest) = text.strip_prefix(['-', '+']) {
        // `-2d`, not a date such as `-2026-…` (no such form is read anyway).
        if rest.starts_with(|c: char| c.is_ascii_digit()) || rest.is_empty() {
            return offset(text, now).map(Some);
        }
    }
    let (word, clock) = match text.split_once(char::is_whitespace) {
        Some((w, c)) => (w, Some(c.trim())),
        None => (text, None),
    };
    let days = match word.to_lowercase().as_str() {
        "now" | "nu" if clock.is_none() => return Ok(Some(now)),
        "today" | "idag" => 0,
        "yesterday" | "igår" => -1,
        "tomorrow" | "imorgon" => 1,
        _ => return Ok(None),
    };
    let date = now.with_timezone(&tz).date_naive() + Duration::days(days);
    let time = match clock {
        None => NaiveTime::MIN,
        Some(c) => parse_clock(c).ok_or_else(|| TimeError::NotATimeOfDay {
            text: text.to_owned(),
            time: c.to_owned(),
        })?,
    };
    let local = date.and_time(time);
    parse_typed(&local.format("%Y-%m-%d %H:%M:%S").to_string(), tz)
        .map(Some)
        .map_err(|e| match e {
            // Said of the text as typed, not of the date it named.
            TimeError::Skipped { later, .. } => TimeError::Skipped {
                text: text.to_owned(),
                tz,
                later,
            },
            TimeError::Doubled { first, second, .. } => TimeError::Doubled {
                text: text.to_owned(),
                tz,
                first,
                second,
            },
            other => other,
        })
}

/// `-2d`, `+3h`, `-30m`, `-1w`: `now` moved by so much.
fn offset(text: &str, now: Timestamp) -> Result<Timestamp, TimeError> {
    let bad = || TimeError::BadOffset(text.to_owned());
    let (sign, rest) = text.split_at(1);
    let digits = rest.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let amount: i64 = digits.parse().map_err(|_| bad())?;
    let unit = &rest[digits.len()..];
    let span = match unit.to_lowercase().as_str() {
        "m" | "min" => Duration::try_minutes(amount),
        "h" => Duration::try_hours(amount),
        "d" => Duration::try_days(amount),
        "w" => Duration::try_weeks(amount),
        _ => None,
    }
    .ok_or_else(bad)?;
    let moved = if sign == "-" {
        now.checked_sub_signed(span)
    } else {
        now.checked_add_signed(span)
    };
    moved.ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Europe::Stockholm;

    fn typed(text: &str) -> Result<String, (String, String)> {
        parse_typed(text, TZ)
            .map(|t| rfc3339(&t))
            .map_err(|e| (e.to_string(), e.fix()))
    }

    #[test]
    fn typed_times_take_every_form_import_takes() {
        for (text, want) in [
            ("2026-12-01T10:00:00+01:00", "2026-12-01T10:00:00+01:00"),
            ("2026-12-01T09:00:00Z", "2026-12-01T09:00:00+00:00"),
            ("2026-12-01 10:00", "2026-12-01T10:00:00+01:00"),
            ("2026-12-01 10:00:30", "2026-12-01T10:00:30+01:00"),
            ("2026-12-01T10:00", "2026-12-01T10:00:00+01:00"),
            ("2026-07-01 10:00", "2026-07-01T10:00:00+02:00"),
            ("2026-12-01", "2026-12-01T00:00:00+01:00"),
            ("10/11/2026 08:15", "2026-11-10T08:15:00+01:00"),
            ("1.12.2026", "2026-12-01T00:00:00+01:00"),
        ] {
            assert_eq!(typed(text).as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn a_skipped_or_doubled_local_time_is_refused_with_the_times_to_write() {
        let (message, help) = typed("2027-03-28 02:30").unwrap_err();
        assert!(message.contains("does not exist"), "{message}");
        assert!(help.contains("2027-03-28T03:30:00+02:00"), "{help}");
        let (message, help) = typed("2026-10-25 02:30").unwrap_err();
        assert!(message.contains("happens twice"), "{message}");
        assert!(help.contains("2026-10-25T02:30:00+02:00"), "{help}");
        assert!(help.contains("2026-10-25T02:30:00+01:00"), "{help}");
        let (_, help) = typed("tomorrow").unwrap_err();
        assert!(help.contains("2026-12-01 10:00"), "{help}");
    }

    fn at(text: &str) -> Result<String, String> {
        let now = DateTime::parse_from_rfc3339("2026-11-22T09:30:00+01:00").unwrap();
        parse_typed_at(text, TZ, now)
            .map(|t| rfc3339(&t))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn relative_times_count_from_the_clock() {
        for (text, want) in [
            ("now", "2026-11-22T09:30:00+01:00"),
            ("NU", "2026-11-22T09:30:00+01:00"),
            ("today", "2026-11-22T00:00:00+01:00"),
            ("Yesterday", "2026-11-21T00:00:00+01:00"),
            ("igår 14:00", "2026-11-21T14:00:00+01:00"),
            ("tomorrow 8:15", "2026-11-23T08:15:00+01:00"),
            ("-2d", "2026-11-20T09:30:00+01:00"),
            ("+3h", "2026-11-22T12:30:00+01:00"),
            ("-30m", "2026-11-22T09:00:00+01:00"),
            ("-1w", "2026-11-15T09:30:00+01:00"),
            (" 2026-12-04 14:00 ", "2026-12-04T14:00:00+01:00"),
            ("4/12/2026", "2026-12-04T00:00:00+01:00"),
        ] {
            assert_eq!(at(text).as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn a_word_or_offset_arende_does_not_read_is_refused_with_the_forms() {
        for bad in ["yesterdy", "-2x", "+", "-d", "now 14:00", "2 days ago"] {
            let e = at(bad).unwrap_err();
            assert!(e.contains(bad) && e.contains("-2d"), "{bad}: {e}");
        }
        assert!(at("today 25:00").unwrap_err().contains("not a time of day"));
        assert!(at("-99999999999w").is_err());
    }
}
