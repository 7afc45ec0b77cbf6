//! The change calendar's windows (`policy/calendar.yaml`, and a pack's
//! `change_calendar:` defaults): freeze windows, when no change may be
//! carried out (*julfrysning*), and maintenance windows, the recurring
//! times a service or item may be changed (*servicefönster*, 003 §3.1
//! "planerade driftavbrott i form av servicefönster"). Dates and times are
//! the repository's local time; a recurring window follows the zone's
//! daylight-saving changes and skips the business calendar's holidays.
//!
//! The file is data a person edits: read as the waivers are, never through
//! a symbolic link, bounded, and an entry that is not of its shape is an
//! error naming the file, the entry and its line.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FileSpan, Result};
use crate::fs;
use crate::id::RecordId;
use crate::yaml;

/// Where the change calendar is, relative to the repository root.
pub const CALENDAR_FILE: &str = "policy/calendar.yaml";

/// The JSON Schema of the change calendar's file, for editors.
pub fn json_schema() -> serde_json::Value {
    let mut value = schemars::schema_for!(ChangeCalendar).to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://arende.dev/schemas/calendar.schema.json".into(),
        );
    }
    value
}

/// The freeze and maintenance windows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "arende change calendar")]
pub struct ChangeCalendar {
    /// Times no change is carried out (blackout), for everything or for
    /// the named services and items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freeze: Vec<FreezeWindow>,
    /// The recurring times the named services and items may be changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<MaintenanceWindow>,
}

/// What a window applies to: the named services (by the title of their
/// configuration item of type service) and items; neither: everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Services, by name (`Receptdepån`), in any case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Configuration items, by ID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<RecordId>,
}

impl Scope {
    /// Whether it names nothing, and so applies to everything.
    pub fn is_everything(&self) -> bool {
        self.services.is_empty() && self.items.is_empty()
    }

    /// Whether it covers the item `id`, or one of `services`.
    pub fn covers(&self, id: &RecordId, services: &[String]) -> bool {
        self.is_everything()
            || self.items.contains(id)
            || self
                .services
                .iter()
                .any(|s| services.iter().any(|t| t.eq_ignore_ascii_case(s)))
    }
}

/// A time no change may be carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FreezeWindow {
    /// Its name, unique in the calendar (the file's entry replaces the
    /// pack's of the same name).
    pub id: String,
    /// Why (`Julfrysning: inga ändringar över jul och nyår`).
    pub reason: String,
    /// From: a date (its start) or a local date and time.
    pub from: Bound,
    /// To: a date (through its end) or a local date and time.
    pub to: Bound,
    /// Whether it comes back every year on the same dates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub yearly: bool,
    /// What it applies to.
    #[serde(flatten)]
    pub scope: Scope,
}

/// A recurring time the items in scope may be changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    /// Its name, unique in the calendar.
    pub id: String,
    /// What it is for (`Veckovis servicefönster`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Which days: `tuesday`, `first saturday`, `last friday`, `day`
    /// (every day); in English or Swedish (`tisdag`, `första lördagen`).
    pub every: Recurrence,
    /// Local start time (`18:00`).
    pub from: ClockTime,
    /// Local end time (`22:00`); at or before `from`: the next day.
    pub to: ClockTime,
    /// Whether the window is left out on the business calendar's holidays
    /// and days off (default: yes).
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub skip_holidays: bool,
    /// What it applies to.
    #[serde(flatten)]
    pub scope: Scope,
}

fn yes() -> bool {
    true
}

/// A date, or a local date and time, as a window's bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub enum Bound {
    /// A whole day.
    Date(NaiveDate),
    /// A moment of the local clock.
    At(NaiveDateTime),
}

impl Bound {
    /// The local moment the bound starts a window at.
    pub fn start(self) -> NaiveDateTime {
        match self {
            Bound::Date(d) => d.and_time(NaiveTime::MIN),
            Bound::At(t) => t,
        }
    }

    /// The local moment the bound ends a window at: a date's next midnight.
    pub fn end(self) -> NaiveDateTime {
        match self {
            Bound::Date(d) => d.succ_opt().unwrap_or(d).and_time(NaiveTime::MIN),
            Bound::At(t) => t,
        }
    }

    /// The same bound `years` later (29 February: the 28th).
    pub fn plus_years(self, years: i32) -> Bound {
        let shift = |d: NaiveDate| {
            let y = d.year() + years;
            d.with_year(y)
                .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
                .unwrap_or(d)
        };
        match self {
            Bound::Date(d) => Bound::Date(shift(d)),
            Bound::At(t) => Bound::At(shift(t.date()).and_time(t.time())),
        }
    }
}

impl TryFrom<String> for Bound {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<Bound, String> {
        let t = text.trim();
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Bound::Date(d));
        }
        for form in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
            if let Ok(at) = NaiveDateTime::parse_from_str(t, form) {
                return Ok(Bound::At(at));
            }
        }
        Err(format!(
            "`{t}` is not a date (2026-12-21) or a local date and time (2026-12-21 18:00)"
        ))
    }
}

impl From<Bound> for String {
    fn from(b: Bound) -> String {
        b.to_string()
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Bound::At(t) => write!(f, "{}", t.format("%Y-%m-%d %H:%M")),
        }
    }
}

/// A local time of day, `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct ClockTime(pub NaiveTime);

impl TryFrom<String> for ClockTime {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<ClockTime, String> {
        let t = text.trim().replace('.', ":");
        NaiveTime::parse_from_str(&t, "%H:%M")
            .map(ClockTime)
            .map_err(|_| format!("`{text}` is not a time of day (write 18:00)"))
    }
}

impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        t.0.format("%H:%M").to_string()
    }
}

/// Which days a maintenance window recurs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub enum Recurrence {
    /// Every day.
    Daily,
    /// Every such weekday.
    Weekly(Weekday),
    /// The nth such weekday of each month (1–4), or the last (0).
    Monthly(u8, Weekday),
}

/// Weekday names, English and Swedish.
const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("måndag", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("tisdag", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("onsdag", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("torsdag", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("fredag", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("lördag", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("söndag", Weekday::Sun),
];

/// Ordinals, English and Swedish; 0 is the last.
const ORDINALS: &[(&str, u8)] = &[
    ("first", 1),
    ("första", 1),
    ("second", 2),
    ("andra", 2),
    ("third", 3),
    ("tredje", 3),
    ("fourth", 4),
    ("fjärde", 4),
    ("last", 0),
    ("sista", 0),
];

fn weekday(word: &str) -> Option<Weekday> {
    // `tisdagar`, `lördagen`, `tuesdays`: the name with an ending.
    WEEKDAYS
        .iter()
        .find(|(name, _)| word.starts_with(name))
        .map(|(_, d)| *d)
}

impl TryFrom<String> for Recurrence {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<Recurrence, String> {
        let lower = text.trim().to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let parsed = match words.as_slice() {
            ["day" | "daily" | "dag" | "dagligen"] => Some(Recurrence::Daily),
            [day] => weekday(day).map(Recurrence::Weekly),
            [nth, day] => ORDINALS
                .iter()
                .find(|(w, _)| w == nth)
                .and_then(|(_, n)| weekday(day).map(|d| Recurrence::Monthly(*n, d))),
            _ => None,
        };
        parsed.ok_or_else(|| {
            format!(
                "`{text}` is no recurrence arende reads (write `day`, a weekday such as `tuesday`, or `first saturday`, `last friday`; Swedish names too)"
            )
        })
    }
}

impl From<Recurrence> for String {
    fn from(r: Recurrence) -> String {
        r.to_string()
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |d: &Weekday| {
            WEEKDAYS
                .iter()
                .find(|(_, w)| w == d)
                .map_or("?", |(n, _)| n)
        };
        match self {
            Recurrence::Daily => write!(f, "day"),
            Recurrence::Weekly(d) => write!(f, "{}", day(d)),
            Recurrence::Monthly(n, d) => {
                let nth = ORDINALS
                    .iter()
                    .find(|(_, o)| o == n)
                    .map_or("?", |(w, _)| w);
                write!(f, "{nth} {}", day(d))
            }
        }
    }
}

impl Recurrence {
    /// Whether the window recurs on `date`.
    pub fn on(self, date: NaiveDate) -> bool {
        match self {
            Recurrence::Daily => true,
            Recurrence::Weekly(d) => date.weekday() == d,
            Recurrence::Monthly(n, d) => {
                if date.weekday() != d {
                    return false;
                }
                if n == 0 {
                    return (date + chrono::Duration::days(7)).month() != date.month();
                }
                u32::from(n) == date.day0() / 7 + 1
            }
        }
    }
}

impl ChangeCalendar {
    /// Reads the calendar of the repository at `root`; `None` when it has
    /// none.
    pub fn read(root: &Path) -> Result<Option<ChangeCalendar>> {
        let path = root.join(CALENDAR_FILE);
        match path.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        fs::check_folders(root, Path::new(CALENDAR_FILE))?;
        let rel = PathBuf::from(CALENDAR_FILE);
        let text = fs::read_text_as(&path, &rel, yaml::MAX_RECORD_BYTES)?;
        ChangeCalendar::parse(&text).map(Some)
    }

    /// The calendar in `text`, the file's. An entry that is not of its
    /// shape is an error naming it and its line.
    pub fn parse(text: &str) -> Result<ChangeCalendar> {
        let rel = Path::new(CALENDAR_FILE);
        if text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            return Ok(ChangeCalendar::default());
        }
        let doc = yaml::parse_mapping(rel, text)?;
        let mut out = ChangeCalendar::default();
        for (key, value) in &doc {
            let key = crate::record::document::display(key);
            let entries = match value {
                yaml::Value::Null => continue,
                yaml::Value::Sequence(entries) => entries,
                _ => return Err(shape_error(text, &key, format!("`{key}` is a list"))),
            };
            for (i, entry) in entries.iter().enumerate() {
                let at = format!("{key}[{i}]");
                let bad = |e: String| shape_error(text, &at, e);
                match key.as_str() {
                    "freeze" => out
                        .freeze
                        .push(yaml::from_value(entry).map_err(|e| bad(e.to_string()))?),
                    "maintenance" => out
                        .maintenance
                        .push(yaml::from_value(entry).map_err(|e| bad(e.to_string()))?),
                    _ => return Err(shape_error(text, &key, format!("unknown key `{key}`"))),
                }
            }
        }
        out.check().map_err(|(at, e)| shape_error(text, &at, e))?;
        Ok(out)
    }

    /// What the types cannot say: names are unique, a freeze ends after it
    /// starts.
    fn check(&self) -> std::result::Result<(), (String, String)> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, f) in self.freeze.iter().enumerate() {
            if !seen.insert(("freeze", f.id.as_str())) {
                return Err((format!("freeze[{i}]"), format!("`{}` is named twice", f.id)));
            }
            if f.to.end() <= f.from.start() {
                return Err((
                    format!("freeze[{i}]"),
                    format!("`{}` ends ({}) before it starts ({})", f.id, f.to, f.from),
                ));
            }
        }
        for (i, m) in self.maintenance.iter().enumerate() {
            if !seen.insert(("maintenance", m.id.as_str())) {
                return Err((
                    format!("maintenance[{i}]"),
                    format!("`{}` is named twice", m.id),
                ));
            }
        }
        Ok(())
    }

    /// `over` laid over `self` (a pack's defaults): an entry of `over`
    /// replaces the one of the same name, the others are added.
    pub fn overlaid(&self, over: &ChangeCalendar) -> ChangeCalendar {
        fn merge<T: Clone>(base: &[T], over: &[T], id: impl Fn(&T) -> &str) -> Vec<T> {
            let mut out: Vec<T> = base
                .iter()
                .filter(|b| !over.iter().any(|o| id(o) == id(b)))
                .cloned()
                .collect();
            out.extend(over.iter().cloned());
            out
        }
        ChangeCalendar {
            freeze: merge(&self.freeze, &over.freeze, |f| &f.id),
            maintenance: merge(&self.maintenance, &over.maintenance, |m| &m.id),
        }
    }
}

fn shape_error(text: &str, at: &str, message: String) -> Error {
    let span = yaml::locate_key(text, &[at])
        .map(|(line, column)| FileSpan::at(Path::new(CALENDAR_FILE), text, line, column, 1));
    Error::field(
        CALENDAR_FILE,
        at,
        message,
        Some(format!(
            "{CALENDAR_FILE} holds `freeze:` (id, reason, from, to, yearly) and `maintenance:` (id, every, from, to), each limited by services or items; `arende schema calendar` prints its schema"
        )),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn recurrences_read_english_and_swedish() {
        let r = |s: &str| Recurrence::try_from(s.to_owned());
        assert_eq!(r("Tuesday"), Ok(Recurrence::Weekly(Weekday::Tue)));
        assert_eq!(r("tisdagar"), Ok(Recurrence::Weekly(Weekday::Tue)));
        assert_eq!(
            r("first saturday"),
            Ok(Recurrence::Monthly(1, Weekday::Sat))
        );
        assert_eq!(
            r("första lördagen"),
            Ok(Recurrence::Monthly(1, Weekday::Sat))
        );
        assert_eq!(r("last friday"), Ok(Recurrence::Monthly(0, Weekday::Fri)));
        assert_eq!(r("day"), Ok(Recurrence::Daily));
        assert!(r("fortnightly").is_err());
        assert!(r("fifth monday").is_err());
    }

    #[test]
    fn the_first_and_last_weekdays_of_a_month() {
        let first_sat = Recurrence::Monthly(1, Weekday::Sat);
        assert!(first_sat.on(date(2026, 12, 5)));
        assert!(!first_sat.on(date(2026, 12, 12)));
        let last_fri = Recurrence::Monthly(0, Weekday::Fri);
        assert!(last_fri.on(date(2026, 12, 25)));
        assert!(!last_fri.on(date(2026, 12, 18)));
    }

    #[test]
    fn a_file_with_a_bad_entry_names_it() {
        let err = ChangeCalendar::parse(
            "freeze:\n- id: jul\n  reason: Jul\n  from: 2026-12-24\n  to: 2026-12-20\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ends (2026-12-20) before it starts"), "{err}");
        let err = ChangeCalendar::parse(
            "maintenance:\n- id: x\n  every: fortnightly\n  from: '18:00'\n  to: '22:00'\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no recurrence"), "{err}");
    }
}
