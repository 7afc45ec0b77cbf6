//! The clock. Every time a command writes comes from here, so `--now` /
//! `ARENDE_NOW` makes a run reproducible (tests, replays, demos).

use chrono::{Timelike, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::time::{Timestamp, parse_typed_at};

/// Now, in the repository's timezone: the pinned time if one is given, in
/// any form [`option`] reads (`yesterday 14:00` and `-2h` counted from the
/// real clock).
pub fn now(pinned: Option<&str>, tz: Tz) -> Result<Timestamp> {
    let real = Utc::now().with_timezone(&tz).fixed_offset();
    let at = match pinned {
        Some(text) => option("--now (or ARENDE_NOW)", text, tz, real)?,
        None => real,
    };
    // Records are read by people: whole seconds are precise enough for any
    // SLA clock, and nanoseconds would be noise in every file and diff.
    let at = at.with_nanosecond(0).unwrap_or(at);
    Ok(at.with_timezone(&tz).fixed_offset())
}

/// The time a command-line option names, read as a record's time field
/// is, relative words counted from `now` (see [`parse_typed_at`]); a text
/// that is none is a usage error naming the option.
pub fn option(name: &str, text: &str, tz: Tz, now: Timestamp) -> Result<Timestamp> {
    parse_typed_at(text, tz, now).map_err(|e| Error::usage(format!("{name}: {e}"), Some(e.fix())))
}

/// Parses a timezone name such as `Europe/Stockholm`.
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}
