//! Reading the values other tools write: dates in their many forms,
//! booleans in either case, and text cells turned into the type the record
//! model gives a field.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::record::Timestamp;
use crate::schema::FieldShape;
use crate::yaml::{self, Value};

/// How numeric dates such as `03/04/2016` are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    /// Only forms that cannot be misread: RFC 3339 and `YYYY-MM-DD`.
    Unambiguous,
    /// `D-M-YYYY`, `D/M/YYYY` and `D.M.YYYY` are day first (the ServiceNow
    /// event-log family); a "month" above 12 is refused, since it means the
    /// file is not day first.
    DayFirst,
}

/// The rules a date is read by.
#[derive(Debug, Clone)]
pub struct DateRules {
    /// The zone of times written without one: the repository's.
    pub tz: Tz,
    /// chrono formats to try first (a mapping's `date_format`).
    pub formats: Vec<String>,
    /// How numeric day-month forms are read.
    pub order: DayOrder,
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

/// Reads a date and time. Times without an offset are local time in
/// `rules.tz`.
pub fn parse_time(text: &str, rules: &DateRules) -> Result<ReadTime, String> {
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
    let naive = parse_numeric(text, rules.order).map_err(|why| {
        if rules.formats.is_empty() {
            why
        } else {
            format!(
                "{why}; it does not match the mapping's date_format ({})",
                rules.formats.join(", ")
            )
        }
    })?;
    Ok(place(naive, rules.tz))
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
fn parse_numeric(text: &str, order: DayOrder) -> Result<NaiveDateTime, String> {
    let unreadable = || {
        format!(
            "`{text}` is not a date and time arende can read (write 2016-02-29 01:16, or RFC 3339 with an offset)"
        )
    };
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
        match order {
            DayOrder::Unambiguous => {
                return Err(format!(
                    "`{text}` could be read day first or month first; write it as {}-{:02}-{:02} (year first) or give --mapping with a date_format",
                    parts[2],
                    if a <= 12 { a } else { b },
                    if a <= 12 { b } else { a },
                ));
            }
            DayOrder::DayFirst if b > 12 && a <= 12 => {
                return Err(format!(
                    "`{text}` is month first ({a}/{b}), but this export family writes the day first (29/2/2016); export with day-first or ISO dates, or give --mapping with date_format: \"%m/%d/%Y %H:%M\""
                ));
            }
            DayOrder::DayFirst => (num(parts[2])? as i32, b, a),
        }
    } else if parts[2].len() <= 2 {
        return Err(format!(
            "`{text}` has a two-digit year, which could be any century; write the year in full"
        ));
    } else {
        return Err(unreadable());
    };
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        format!("`{text}` is not a date in the calendar (year {year}, month {month}, day {day})")
    })?;
    let time = if time_part.is_empty() {
        NaiveTime::MIN
    } else {
        parse_clock(time_part).ok_or_else(|| {
            format!("`{text}`: `{time_part}` is not a time of day (write 01:16 or 01:16:00)")
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

/// Reads a boolean: `true`/`false` in any case (`TRUE`, `True`), or `1`/`0`.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") || t == "1" {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Ok(false)
    } else {
        Err(format!("`{text}` is not true or false"))
    }
}

/// What coercing a cell found worth telling.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoerceNote {
    /// A local time fell in a daylight-saving change.
    pub placement: Option<Placement>,
}

/// Turns a text cell into the value a field of this shape holds. `None` for
/// the shape means a key the record model does not know: it is kept, as a
/// number or boolean only where that reads back as the same text.
pub fn coerce(
    text: &str,
    shape: Option<&FieldShape>,
    rules: &DateRules,
    note: &mut CoerceNote,
) -> Result<Value, String> {
    let Some(shape) = shape else {
        return Ok(exact_scalar(text));
    };
    if shape.format.as_deref() == Some("date-time") {
        let read = parse_time(text, rules)?;
        if read.placement != Placement::Exact {
            note.placement = Some(read.placement);
        }
        // An RFC 3339 time is kept as written, so an export reads back unchanged.
        return Ok(Value::String(
            if read.had_offset && DateTime::parse_from_rfc3339(text.trim()).is_ok() {
                text.trim().to_owned()
            } else {
                rfc3339(&read.at)
            },
        ));
    }
    let trimmed = text.trim();
    let json_like = trimmed.starts_with('[') || trimmed.starts_with('{');
    if json_like && (shape.accepts("array") || shape.accepts("object")) {
        let value: Value = serde_json::from_str(trimmed)
            .map_err(|e| format!("`{}` is not valid JSON: {e}", short(trimmed)))?;
        return Ok(value);
    }
    if !shape.values.is_empty() && !shape.accepts("integer") {
        return shape
            .values
            .iter()
            .find(|v| v.as_str() == trimmed)
            .or_else(|| {
                shape
                    .values
                    .iter()
                    .find(|v| v.eq_ignore_ascii_case(&trimmed.replace([' ', '-'], "_")))
            })
            .map(|v| Value::String(v.clone()))
            .ok_or_else(|| format!("`{text}` is not one of {}", shape.values.join(", ")));
    }
    if shape.accepts("integer") && shape.accepts("string") {
        // A ticket number: a number where it reads back as the same text.
        return Ok(match trimmed.parse::<u64>() {
            Ok(n) if n.to_string() == trimmed => Value::Number(n.into()),
            _ => Value::String(text.to_owned()),
        });
    }
    if shape.accepts("string") {
        return Ok(Value::String(text.to_owned()));
    }
    if shape.accepts("integer") {
        return trimmed
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| format!("`{text}` is not a whole number"));
    }
    if shape.accepts("number") {
        return trimmed
            .parse::<f64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| format!("`{text}` is not a number"));
    }
    if shape.accepts("boolean") {
        return parse_bool(trimmed).map(Value::Bool);
    }
    if shape.accepts("array") {
        return Ok(Value::Sequence(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ));
    }
    Err(format!(
        "`{}` is not a group of fields; give its parts as dotted columns, or JSON",
        short(trimmed)
    ))
}

/// Text as a YAML scalar where it reads back as the same text (`3`,
/// `true`), else as text.
pub fn exact_scalar(text: &str) -> Value {
    match yaml::parse_scalar(text) {
        v @ (Value::Number(_) | Value::Bool(_)) if crate::record::document::display(&v) == text => {
            v
        }
        _ => Value::String(text.to_owned()),
    }
}

fn short(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(order: DayOrder) -> DateRules {
        DateRules {
            tz: chrono_tz::Europe::Stockholm,
            formats: Vec::new(),
            order,
        }
    }

    fn read(text: &str, order: DayOrder) -> Result<String, String> {
        parse_time(text, &rules(order)).map(|r| rfc3339(&r.at))
    }

    #[test]
    fn servicenow_dates_are_day_first_local_time() {
        let day_first = DayOrder::DayFirst;
        assert_eq!(
            read("29-02-2016 01:16", day_first).unwrap(),
            "2016-02-29T01:16:00+01:00"
        );
        assert_eq!(
            read("29/2/2016 01:16", day_first).unwrap(),
            "2016-02-29T01:16:00+01:00"
        );
        assert_eq!(
            read("3/4/2016 9:05", day_first).unwrap(),
            "2016-04-03T09:05:00+02:00"
        );
        assert_eq!(
            read("03.04.2016 09:05:30", day_first).unwrap(),
            "2016-04-03T09:05:30+02:00"
        );
        assert_eq!(
            read("2016-02-29 01:16:00", day_first).unwrap(),
            "2016-02-29T01:16:00+01:00"
        );
        assert_eq!(
            read("29/2/2016 1:16 PM", day_first).unwrap(),
            "2016-02-29T13:16:00+01:00"
        );
        assert_eq!(
            read("2016-02-29T01:16:00Z", day_first).unwrap(),
            "2016-02-29T01:16:00+00:00"
        );
        let e = read("2/29/2016 01:16", day_first).unwrap_err();
        assert!(e.contains("month first"), "{e}");
        let e = read("29-02-16 01:16", day_first).unwrap_err();
        assert!(e.contains("two-digit year"), "{e}");
        let e = read("30-02-2016 01:16", day_first).unwrap_err();
        assert!(e.contains("not a date in the calendar"), "{e}");
        let e = read("29-02-2016 25:16", day_first).unwrap_err();
        assert!(e.contains("not a time of day"), "{e}");
        assert!(read("yesterday", day_first).is_err());
    }

    #[test]
    fn ambiguous_dates_are_refused_where_the_order_is_unknown() {
        let e = read("03/04/2016 10:00", DayOrder::Unambiguous).unwrap_err();
        assert!(e.contains("day first or month first"), "{e}");
        assert_eq!(
            read("2016-04-03 10:00", DayOrder::Unambiguous).unwrap(),
            "2016-04-03T10:00:00+02:00"
        );
    }

    #[test]
    fn daylight_saving_changes_are_placed_as_java_does() {
        let r = parse_time("30-10-2016 02:30", &rules(DayOrder::DayFirst)).unwrap();
        assert_eq!(r.placement, Placement::Ambiguous);
        assert_eq!(rfc3339(&r.at), "2016-10-30T02:30:00+02:00");
        let r = parse_time("27-03-2016 02:30", &rules(DayOrder::DayFirst)).unwrap();
        assert_eq!(r.placement, Placement::InGap);
        assert_eq!(rfc3339(&r.at), "2016-03-27T03:30:00+02:00");
    }

    #[test]
    fn a_mapping_date_format_comes_first() {
        let mut r = rules(DayOrder::Unambiguous);
        r.formats = vec!["%m/%d/%Y %I:%M %p".into()];
        let t = parse_time("03/04/2016 09:05 PM", &r).unwrap();
        assert_eq!(rfc3339(&t.at), "2016-03-04T21:05:00+01:00");
    }

    #[test]
    fn booleans_in_either_case() {
        for t in ["TRUE", "true", "True", "1"] {
            assert_eq!(parse_bool(t), Ok(true));
        }
        for f in ["FALSE", "false", "False", "0"] {
            assert_eq!(parse_bool(f), Ok(false));
        }
        assert!(parse_bool("ja").is_err());
        assert!(parse_bool("?").is_err());
    }
}
