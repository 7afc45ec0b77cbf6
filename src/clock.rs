//! The clock. Every time a command writes comes from here, so `--now` /
//! `ARENDE_NOW` makes a run reproducible (tests, replays, demos).

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Now, in the repository's timezone: the pinned time if one is given.
pub fn now(pinned: Option<&str>, tz: Tz) -> Result<Timestamp> {
    let utc = match pinned {
        Some(text) => parse_time(text)?.with_timezone(&Utc),
        None => Utc::now(),
    };
    // Records are read by people: whole seconds are precise enough for any
    // SLA clock, and nanoseconds would be noise in every file and diff.
    let utc = utc.with_nanosecond(0).unwrap_or(utc);
    Ok(utc.with_timezone(&tz).fixed_offset())
}

/// Parses an RFC 3339 time with its offset.
pub fn parse_time(text: &str) -> Result<Timestamp> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
        Error::usage(
            format!("`{text}` is not an RFC 3339 time: {e}"),
            Some("write it with its offset, e.g. 2026-11-22T09:30:00+01:00".to_owned()),
        )
    })
}

/// Parses a timezone name such as `Europe/Stockholm`.
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}
