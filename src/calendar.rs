//! The business calendar behind SLA clocks.
//!
//! Agreements measure time two ways: "within 3 working days" or "8 working
//! hours" count only the service desk's office hours on working days, while
//! priority 1–2 on-call clocks run around the clock. Both must agree with
//! the wall clock in `Europe/Stockholm` (or whichever zone a pack names),
//! across daylight-saving changes and Swedish public holidays, for any year a
//! record may carry. This module is pure arithmetic: no I/O, no terminal.
//!
//! Definitions used throughout (the doc comments of each method repeat the
//! part they rely on):
//!
//! * A **working day** is a date whose weekday is listed in
//!   `office_hours.days`, which is not a Swedish public holiday (see
//!   [`holidays`]), not a de facto day off that the settings close
//!   (midsommarafton, julafton, nyårsafton), and not one of
//!   `extra_closed_dates`.
//! * **Office hours** on a working day are the half-open interval
//!   `[open, close)` of local wall-clock time on that date. Each end is
//!   turned into an instant in the calendar's timezone; a wall-clock time
//!   that occurs twice (autumn) is taken at its first occurrence, and one
//!   that does not exist (spring) at the instant the clocks jump.
//! * **Working time** is the measure of the instants inside office hours.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The zone every Swedish agreement is written in.
pub const DEFAULT_TIMEZONE: &str = "Europe/Stockholm";

/// Whether a closed day is closed by law or only by custom. The distinction
/// matters because agreements close on the law's days without saying so
/// ("helgfri"), but the customary eves are a choice a pack must be able to
/// undo.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// An *allmän helgdag* under lagen (1989:253) om allmänna helgdagar.
    Public,
    /// A *de facto* day off: not a holiday by law, but a day on which
    /// Swedish workplaces, public agencies included, are customarily closed.
    DeFacto,
}

/// A day of the week as written in a policy pack (`mon` … `sun`); its own
/// type so the YAML spelling stays lower-case and stable whatever chrono's
/// own serialisation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl From<Day> for Weekday {
    fn from(day: Day) -> Self {
        match day {
            Day::Mon => Weekday::Mon,
            Day::Tue => Weekday::Tue,
            Day::Wed => Weekday::Wed,
            Day::Thu => Weekday::Thu,
            Day::Fri => Weekday::Fri,
            Day::Sat => Weekday::Sat,
            Day::Sun => Weekday::Sun,
        }
    }
}

/// When the desk is staffed. One pair of times applies to every listed
/// day, as in the seeds ("helgfri måndag till fredag 08.00-18.00").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OfficeHours {
    /// Opening time, `HH:MM`, local wall-clock.
    pub open: String,
    /// Closing time, `HH:MM`, local wall-clock; must be after `open` (the
    /// desk does not stay open over midnight).
    pub close: String,
    /// The weekdays on which the desk opens, holidays aside.
    pub days: Vec<Day>,
}

impl Default for OfficeHours {
    fn default() -> Self {
        OfficeHours {
            open: "08:00".to_owned(),
            close: "18:00".to_owned(),
            days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
        }
    }
}

/// Which customary days off close the desk. All default to closed, because
/// that is how Swedish agencies work and how "helgfri" is read in practice;
/// a pack whose agreement says otherwise sets one to `false`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeFactoDaysOff {
    /// Midsommarafton, the Friday before midsommardagen.
    pub midsummer_eve: bool,
    /// Julafton, 24 December.
    pub christmas_eve: bool,
    /// Nyårsafton, 31 December.
    pub new_years_eve: bool,
}

impl Default for DeFactoDaysOff {
    fn default() -> Self {
        DeFactoDaysOff {
            midsummer_eve: true,
            christmas_eve: true,
            new_years_eve: true,
        }
    }
}

/// The calendar as a policy pack writes it. Every field has a default, so an
/// empty mapping means "Swedish office hours, Mon–Fri 08:00–18:00".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarSettings {
    /// IANA timezone name; wall-clock office hours are read in it.
    pub timezone: String,
    /// When the desk is staffed.
    pub office_hours: OfficeHours,
    /// Which customary days off close the desk.
    pub de_facto_days_off: DeFactoDaysOff,
    /// Further closed dates the organisation announces (a *klämdag*, a
    /// staff day), `YYYY-MM-DD`.
    pub extra_closed_dates: Vec<NaiveDate>,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings {
            timezone: DEFAULT_TIMEZONE.to_owned(),
            office_hours: OfficeHours::default(),
            de_facto_days_off: DeFactoDaysOff::default(),
            extra_closed_dates: Vec::new(),
        }
    }
}

/// A validated calendar: settings parsed once, so the arithmetic cannot meet
/// a bad timezone or time halfway through a report.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    settings: CalendarSettings,
    tz: Tz,
    open: NaiveTime,
    close: NaiveTime,
    /// Indexed by `Weekday::num_days_from_monday`.
    days: [bool; 7],
    extra_closed: BTreeSet<NaiveDate>,
    /// The office hours of each year asked about, shared by the clones of
    /// this calendar: `sla` and `report` measure tens of thousands of clocks,
    /// some open for years, and walking day by day with a timezone lookup
    /// per day was most of their time.
    years: Arc<RwLock<BTreeMap<i32, Arc<YearTable>>>>,
}

/// The years whose tables are kept; a clock running to chrono's last date
/// (a saturated deadline) is measured with tables built and dropped, so it
/// costs time, as before, but not memory.
const KEPT_YEARS: std::ops::RangeInclusive<i32> = 1900..=2300;

/// One year of a calendar's office hours as Unix seconds, and the working
/// time before each day, so the working time of any run of whole days is
/// one subtraction.
#[derive(Debug)]
struct YearTable {
    /// January 1st of the year.
    first: NaiveDate,
    /// Each day's office hours (by `ordinal0`), `None` when the desk is closed.
    hours: Vec<Option<(i64, i64)>>,
    /// `before[i]`: working seconds of the days before day `i`; one longer than `hours`.
    before: Vec<i64>,
}

/// Why a business calendar cannot be built from its settings. Each names
/// the field at fault, since it reaches whoever edits the policy pack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A timezone that is not an IANA name.
    #[error("unknown timezone `{0}`: expected an IANA name such as {DEFAULT_TIMEZONE}")]
    Timezone(String),
    /// An opening or closing time not written `HH:MM`.
    #[error("office_hours.{field} `{text}` is not a time of day written HH:MM (e.g. 08:00)")]
    TimeOfDay {
        /// `open` or `close`.
        field: &'static str,
        /// The text as written.
        text: String,
    },
    /// Office hours that end before they begin.
    #[error(
        "office_hours: open {open} must be before close {close} (hours over midnight are not supported)"
    )]
    OpenAfterClose {
        /// The opening time as written.
        open: String,
        /// The closing time as written.
        close: String,
    },
    /// No working day in the week.
    #[error("office_hours.days lists no day, so no time would ever count as working time")]
    NoDays,
}

fn parse_hhmm(field: &'static str, text: &str) -> Result<NaiveTime, CalendarError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| CalendarError::TimeOfDay {
        field,
        text: text.to_owned(),
    })
}

impl BusinessCalendar {
    /// Validates the settings.
    pub fn new(settings: CalendarSettings) -> Result<Self, CalendarError> {
        let tz: Tz = settings
            .timezone
            .trim()
            .parse()
            .map_err(|_| CalendarError::Timezone(settings.timezone.clone()))?;
        let open = parse_hhmm("open", &settings.office_hours.open)?;
        let close = parse_hhmm("close", &settings.office_hours.close)?;
        if open >= close {
            return Err(CalendarError::OpenAfterClose {
                open: settings.office_hours.open.clone(),
                close: settings.office_hours.close.clone(),
            });
        }
        if settings.office_hours.days.is_empty() {
            return Err(CalendarError::NoDays);
        }
        let mut days = [false; 7];
        for &day in &settings.office_hours.days {
            days[Weekday::from(day).num_days_from_monday() as usize] = true;
        }
        let extra_closed = settings.extra_closed_dates.iter().copied().collect();
        Ok(BusinessCalendar {
            settings,
            tz,
            open,
            close,
            days,
            extra_closed,
            years: Arc::default(),
        })
    }

    /// The common case: a Swedish desk open Monday to Friday between `open`
    /// and `close` (`HH:MM`), closed on holidays and on all three customary
    /// eves.
    pub fn swedish_office_hours(open: &str, close: &str) -> Result<Self, CalendarError> {
        Self::new(CalendarSettings {
            office_hours: OfficeHours {
                open: open.to_owned(),
                close: close.to_owned(),
                ..OfficeHours::default()
            },
            ..CalendarSettings::default()
        })
    }

    /// The settings this calendar was built from, for `policy show`.
    pub fn settings(&self) -> &CalendarSettings {
        &self.settings
    }

    /// The zone office hours are read in and results are expressed in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Why a date is closed, if it is a holiday or a de facto day off this
    /// calendar honours; lets reports explain a deadline ("julafton").
    pub fn closed_for(&self, date: NaiveDate) -> Option<(&'static str, HolidayKind)> {
        self.closed_as(holiday(date)?)
    }

    /// Whether a holiday or de facto day off closes this calendar.
    fn closed_as(
        &self,
        (name, kind): (&'static str, HolidayKind),
    ) -> Option<(&'static str, HolidayKind)> {
        let closed = match kind {
            HolidayKind::Public => true,
            HolidayKind::DeFacto => match name {
                MIDSUMMER_EVE => self.settings.de_facto_days_off.midsummer_eve,
                CHRISTMAS_EVE => self.settings.de_facto_days_off.christmas_eve,
                NEW_YEARS_EVE => self.settings.de_facto_days_off.new_years_eve,
                _ => true,
            },
        };
        closed.then_some((name, kind))
    }

    /// Whether the desk opens at all on `date`: a weekday listed in
    /// `office_hours.days` that is not a public holiday, not an enabled de
    /// facto day off and not an extra closed date.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_day(date, &mut Year::default())
    }

    /// [`is_working_day`](Self::is_working_day) with the year's holidays
    /// kept between calls, for the loops that walk day by day.
    fn working_day(&self, date: NaiveDate, year: &mut Year) -> bool {
        self.days[date.weekday().num_days_from_monday() as usize]
            && !self.extra_closed.contains(&date)
            && year.holiday(date).and_then(|h| self.closed_as(h)).is_none()
    }

    /// Whether `at` falls inside office hours: on a working day, at or after
    /// opening and strictly before closing (at 18:00 sharp the desk is
    /// closed).
    pub fn is_open(&self, at: DateTime<FixedOffset>) -> bool {
        let at = at.with_timezone(&self.tz);
        let date = at.date_naive();
        if !self.is_working_day(date) {
            return false;
        }
        match self.office_interval(date) {
            Some((open, close)) => open <= at && at < close,
            None => false,
        }
    }

    /// When an SLA clock that cannot run outside office hours starts: `at`
    /// itself if the desk is open then, otherwise the next opening time.
    pub fn next_opening(&self, at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        self.next_opening_tz(at.with_timezone(&self.tz))
            .map(|t| t.fixed_offset())
            .unwrap_or_else(|| self.end_of_time())
    }

    /// "Within N working days", as agreements mean it.
    ///
    /// Definition: the clock starts at `start` if the desk is open then,
    /// otherwise at [`next_opening`](Self::next_opening). The deadline is
    /// the same local wall-clock time of day as that clock start, on the
    /// N-th working day after the clock start's date (N = 0: the clock
    /// start itself). The deadline therefore always lies inside office
    /// hours, and it keeps its wall-clock time across a daylight-saving
    /// change (Thursday 17:00+01:00 → Wednesday 17:00+02:00).
    ///
    /// Examples, Mon–Fri 08:00–18:00: Friday 17:55 + 3 → Wednesday 17:55;
    /// Friday 18:30 + 3 → clock starts Monday 08:00 → Thursday 08:00.
    ///
    /// Past the end of chrono's calendar, or more than a thousand years
    /// ahead, the result saturates at chrono's last representable instant.
    pub fn add_working_days(&self, start: DateTime<FixedOffset>, n: u32) -> DateTime<FixedOffset> {
        self.try_add_working_days(start, n)
            .unwrap_or_else(|| self.end_of_time())
    }

    /// [`add_working_days`](Self::add_working_days), with `None` where it
    /// would saturate: a caller measuring the time up to the deadline must
    /// not walk to the end of chrono's calendar.
    pub fn try_add_working_days(
        &self,
        start: DateTime<FixedOffset>,
        n: u32,
    ) -> Option<DateTime<FixedOffset>> {
        self.add_working_days_tz(start.with_timezone(&self.tz), n)
            .map(|t| t.fixed_offset())
    }

    /// "Within N working hours": the earliest instant at or after `start` by
    /// which exactly `duration` of office-hours time has passed since
    /// `start`.
    ///
    /// So a clock that runs out exactly at closing ends at closing (Friday
    /// 17:00 + 1 h = Friday 18:00, not Monday 08:00), a zero or negative
    /// duration ends at `start`, and
    /// `working_time_between(start, add_working_hours(start, d)) == d`.
    /// Saturates like [`add_working_days`](Self::add_working_days).
    pub fn add_working_hours(
        &self,
        start: DateTime<FixedOffset>,
        duration: Duration,
    ) -> DateTime<FixedOffset> {
        self.add_working_hours_tz(start.with_timezone(&self.tz), duration)
            .map(|t| t.fixed_offset())
            .unwrap_or_else(|| self.end_of_time())
    }

    /// Office-hours time elapsed between two instants, for reporting how much
    /// of an SLA budget a record used; zero if `b` is not after `a`.
    pub fn working_time_between(
        &self,
        a: DateTime<FixedOffset>,
        b: DateTime<FixedOffset>,
    ) -> Duration {
        let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
        if b <= a {
            return Duration::zero();
        }
        let first = a.with_timezone(&self.tz).date_naive();
        let last = b.with_timezone(&self.tz).date_naive();
        // Days strictly between the first and the last lie wholly inside
        // [a, b]: their office hours count in full, from the tables.
        let mut total = self.clipped(first, a, b);
        if last > first {
            total += self.clipped(last, a, b);
            if let Some(next) = first.succ_opt() {
                let whole = self.whole_days(next, last);
                total += Duration::try_seconds(whole).unwrap_or(Duration::MAX);
            }
        }
        total
    }

    /// The part of `date`'s office hours inside `[a, b]`.
    fn clipped(&self, date: NaiveDate, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        let Some((open, close)) = self.day(date) else {
            return Duration::zero();
        };
        let (Some(open), Some(close)) = (
            DateTime::from_timestamp(open, 0),
            DateTime::from_timestamp(close, 0),
        ) else {
            return Duration::zero();
        };
        let (from, to) = (open.max(a), close.min(b));
        if from < to {
            to - from
        } else {
            Duration::zero()
        }
    }

    /// Working seconds of the days from `from` up to, not including, `to`.
    fn whole_days(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut total = 0i64;
        let mut date = from;
        while date < to {
            let table = self.year_table(date.year());
            let start = date.ordinal0() as usize;
            let end = if to.year() == date.year() {
                to.ordinal0() as usize
            } else {
                table.hours.len()
            };
            total = total.saturating_add(table.before[end] - table.before[start]);
            match NaiveDate::from_ymd_opt(date.year() + 1, 1, 1) {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// `date`'s office hours as Unix seconds, `None` if the desk is closed.
    fn day(&self, date: NaiveDate) -> Option<(i64, i64)> {
        let table = self.year_table(date.year());
        table.hours[(date - table.first).num_days() as usize]
    }

    /// The table of `year`, made the first time it is asked for.
    fn year_table(&self, year: i32) -> Arc<YearTable> {
        if let Some(t) = self.years.read().ok().and_then(|m| m.get(&year).cloned()) {
            return t;
        }
        let table = Arc::new(self.make_year_table(year));
        if KEPT_YEARS.contains(&year)
            && let Ok(mut m) = self.years.write()
        {
            m.entry(year).or_insert_with(|| table.clone());
        }
        table
    }

    fn make_year_table(&self, year: i32) -> YearTable {
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            return YearTable {
                first: NaiveDate::MIN,
                hours: Vec::new(),
                before: vec![0],
            };
        };
        let mut hours = Vec::with_capacity(366);
        let mut before = Vec::with_capacity(367);
        before.push(0);
        let mut days = Year::default();
        let mut date = Some(first);
        while let Some(d) = date.filter(|d| d.year() == year) {
            let open = self
                .working_day(d, &mut days)
                .then(|| self.office_interval(d))
                .flatten()
                .map(|(open, close)| (open.timestamp(), close.timestamp()))
                .filter(|(open, close)| open < close);
            let seconds = open.map_or(0, |(open, close)| close - open);
            before.push(before.last().copied().unwrap_or(0) + seconds);
            hours.push(open);
            date = d.succ_opt();
        }
        YearTable {
            first,
            hours,
            before,
        }
    }

    /// A 24/7 clock (priority 1–2 on-call): plain elapsed time, so a
    /// daylight-saving night is an hour shorter or longer on the wall clock.
    /// The result carries the calendar's local offset at that instant.
    /// Saturates at the ends of chrono's range.
    pub fn add_calendar_time(
        &self,
        start: DateTime<FixedOffset>,
        duration: Duration,
    ) -> DateTime<FixedOffset> {
        let utc = start.with_timezone(&Utc);
        match utc.checked_add_signed(duration) {
            Some(end) => end.with_timezone(&self.tz).fixed_offset(),
            None if duration < Duration::zero() => self.start_of_time(),
            None => self.end_of_time(),
        }
    }

    fn next_opening_tz(&self, at: DateTime<Tz>) -> Option<DateTime<Tz>> {
        let mut date = at.date_naive();
        let mut year = Year::default();
        for _ in 0..MAX_WALK_DAYS {
            if self.working_day(date, &mut year) {
                let (open, close) = self.office_interval(date)?;
                if at < close && open < close {
                    return Some(open.max(at));
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    fn add_working_days_tz(&self, start: DateTime<Tz>, n: u32) -> Option<DateTime<Tz>> {
        let clock_start = self.next_opening_tz(start)?;
        if n == 0 {
            return Some(clock_start);
        }
        let time = clock_start.naive_local().time();
        let mut date = clock_start.date_naive();
        let mut left = n;
        let mut year = Year::default();
        let mut walked = 0u32;
        while left > 0 {
            walked += 1;
            if walked > MAX_WALK_DAYS {
                return None;
            }
            date = date.succ_opt()?;
            if self.working_day(date, &mut year) {
                left -= 1;
            }
        }
        // The clock start's wall-clock time lies in [open, close), and
        // `resolve` keeps wall-clock order, so this is inside office hours.
        self.resolve(date.and_time(time))
    }

    fn add_working_hours_tz(
        &self,
        start: DateTime<Tz>,
        duration: Duration,
    ) -> Option<DateTime<Tz>> {
        if duration <= Duration::zero() {
            return Some(start);
        }
        let mut left = duration;
        let mut date = start.date_naive();
        let mut year = Year::default();
        for _ in 0..MAX_WALK_DAYS {
            if self.working_day(date, &mut year) {
                let (open, close) = self.office_interval(date)?;
                let from = open.max(start);
                if from < close {
                    let available = close - from;
                    if left <= available {
                        return from.checked_add_signed(left);
                    }
                    left -= available;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Office hours of `date` as instants.
    fn office_interval(&self, date: NaiveDate) -> Option<(DateTime<Tz>, DateTime<Tz>)> {
        Some((
            self.resolve(date.and_time(self.open))?,
            self.resolve(date.and_time(self.close))?,
        ))
    }

    /// A local wall-clock time as an instant: a repeated time at its first
    /// occurrence, a skipped time at the instant the clocks jump (the
    /// first instant whose wall-clock time is later), so that later wall
    /// times never map to earlier instants.
    fn resolve(&self, wall: NaiveDateTime) -> Option<DateTime<Tz>> {
        match self.tz.from_local_datetime(&wall) {
            LocalResult::Single(t) => Some(t),
            LocalResult::Ambiguous(earliest, _) => Some(earliest),
            LocalResult::None => self.end_of_gap(wall),
        }
    }

    /// The first instant whose wall-clock time is after `wall`, found by
    /// bisection: UTC offsets are under a day, so `wall` read as UTC minus
    /// a day shows an earlier wall clock and plus a day a later one.
    fn end_of_gap(&self, wall: NaiveDateTime) -> Option<DateTime<Tz>> {
        let centre = wall.and_utc().timestamp();
        let local_after = |secs: i64| {
            DateTime::from_timestamp(secs, 0)
                .map(|t| t.with_timezone(&self.tz).naive_local() > wall)
        };
        let (mut lo, mut hi) = (centre - 86_400, centre + 86_400);
        if local_after(hi) != Some(true) {
            return None;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if local_after(mid)? {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        DateTime::from_timestamp(hi, 0).map(|t| t.with_timezone(&self.tz))
    }

    fn end_of_time(&self) -> DateTime<FixedOffset> {
        // Two days short of chrono's last date, so any offset fits.
        let last = NaiveDate::MAX - chrono::Days::new(2);
        Utc.from_utc_datetime(&last.and_time(NaiveTime::MIN))
            .with_timezone(&self.tz)
            .fixed_offset()
    }

    fn start_of_time(&self) -> DateTime<FixedOffset> {
        let first = NaiveDate::MIN + chrono::Days::new(2);
        Utc.from_utc_datetime(&first.and_time(NaiveTime::MIN))
            .with_timezone(&self.tz)
            .fixed_offset()
    }
}

impl Default for BusinessCalendar {
    /// Mon–Fri 08:00–18:00 in Europe/Stockholm, the hours of seed 003.
    fn default() -> Self {
        Self::new(CalendarSettings::default())
            .expect("the default settings name a real timezone and valid hours")
    }
}

/// How far ahead the searches for a deadline or an opening walk, in days:
/// a thousand years. Policy packs keep targets within a year; past this a
/// target that cannot be reached (a desk open a minute a day, a target of
/// centuries) saturates like the end of chrono's range instead of walking
/// day by day to it.
const MAX_WALK_DAYS: u32 = 366 * 1000;

/// A named day: its date, Swedish name and kind.
type Holiday = (NaiveDate, &'static str, HolidayKind);

/// The holidays of every year asked about so far in this process: one
/// `sla` or `report` asks about the same few years for every clock of every
/// ticket, and working out Easter each time showed in profiles.
static YEARS: RwLock<BTreeMap<i32, Arc<[Holiday]>>> = RwLock::new(BTreeMap::new());

/// [`holidays`] of `year`, worked out once per process.
fn year_holidays(year: i32) -> Arc<[Holiday]> {
    if let Some(days) = YEARS.read().ok().and_then(|m| m.get(&year).cloned()) {
        return days;
    }
    let days: Arc<[Holiday]> = holidays(year).into();
    // A poisoned lock only means another thread panicked while inserting;
    // the value is recomputed, not trusted.
    if let Ok(mut m) = YEARS.write() {
        m.entry(year).or_insert_with(|| days.clone());
    }
    days
}

/// The holidays of one year, held while a loop walks through it.
#[derive(Default)]
struct Year {
    days: Option<(i32, Arc<[Holiday]>)>,
}

impl Year {
    fn holiday(&mut self, date: NaiveDate) -> Option<(&'static str, HolidayKind)> {
        let days = match &self.days {
            Some((year, days)) if *year == date.year() => days,
            _ => {
                &self
                    .days
                    .insert((date.year(), year_holidays(date.year())))
                    .1
            }
        };
        days.iter()
            .find(|&&(d, _, _)| d == date)
            .map(|&(_, name, kind)| (name, kind))
    }
}

const MIDSUMMER_EVE: &str = "midsommarafton";
const CHRISTMAS_EVE: &str = "julafton";
const NEW_YEARS_EVE: &str = "nyårsafton";

/// Easter Sunday of a (proleptic) Gregorian year, by the anonymous
/// algorithm of Meeus/Jones/Butcher; four Swedish holidays hang on it.
/// `None` only outside chrono's date range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The Saturday in the seven days starting at `first`; midsommardagen and
/// alla helgons dag are defined that way.
fn saturday_from(first: NaiveDate) -> Option<NaiveDate> {
    let ahead = (5 + 7 - first.weekday().num_days_from_monday()) % 7;
    first.checked_add_days(chrono::Days::new(u64::from(ahead)))
}

fn offset_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(Duration::days(days))
}

/// Every Swedish public holiday (*allmän helgdag*, lagen 1989:253) and de
/// facto day off of `year`, by date, with its Swedish name.
///
/// Ordinary Sundays are also *allmänna helgdagar* in law but are left out:
/// they are not named days, and office hours decide on weekdays anyway.
/// Annandag pingst is not here; it stopped being a holiday in 2005, when
/// Sveriges nationaldag took its place. The rules are today's, applied to
/// every year. Dates chrono cannot represent are left out.
pub fn holidays(year: i32) -> Vec<(NaiveDate, &'static str, HolidayKind)> {
    use HolidayKind::{DeFacto, Public};
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let easter = easter_sunday(year);
    let from_easter = |days| easter.and_then(|e| offset_days(e, days));
    let midsummer_day = ymd(6, 20).and_then(saturday_from);
    let candidates = [
        (ymd(1, 1), "nyårsdagen", Public),
        (ymd(1, 6), "trettondedag jul", Public),
        (from_easter(-2), "långfredagen", Public),
        (easter, "påskdagen", Public),
        (from_easter(1), "annandag påsk", Public),
        (ymd(5, 1), "första maj", Public),
        (from_easter(39), "Kristi himmelsfärdsdag", Public),
        (from_easter(49), "pingstdagen", Public),
        (ymd(6, 6), "Sveriges nationaldag", Public),
        (
            midsummer_day.and_then(|d| offset_days(d, -1)),
            MIDSUMMER_EVE,
            DeFacto,
        ),
        (midsummer_day, "midsommardagen", Public),
        (
            ymd(10, 31).and_then(saturday_from),
            "alla helgons dag",
            Public,
        ),
        (ymd(12, 24), CHRISTMAS_EVE, DeFacto),
        (ymd(12, 25), "juldagen", Public),
        (ymd(12, 26), "annandag jul", Public),
        (ymd(12, 31), NEW_YEARS_EVE, DeFacto),
    ];
    let mut days: Vec<_> = candidates
        .into_iter()
        .filter_map(|(date, name, kind)| date.map(|d| (d, name, kind)))
        .collect();
    days.sort_by_key(|&(date, _, _)| date);
    days
}

/// The holiday or de facto day off falling on `date`, if any. (No two of
/// them can share a date: Ascension is at the earliest 30 April, Whitsun at
/// the latest 13 June.)
pub fn holiday(date: NaiveDate) -> Option<(&'static str, HolidayKind)> {
    Year::default().holiday(date)
}

/// Whether `date` is a named Swedish public holiday; de facto days off do
/// not count (see [`BusinessCalendar::is_working_day`] for those).
pub fn is_holiday(date: NaiveDate) -> bool {
    matches!(holiday(date), Some((_, HolidayKind::Public)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test dates are valid")
    }

    fn t(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).expect("test times are valid RFC 3339")
    }

    fn cal() -> BusinessCalendar {
        BusinessCalendar::swedish_office_hours("08:00", "18:00").expect("valid hours")
    }

    /// Written out by hand from the rules, with Easter Sunday taken from a
    /// published table; the weekdays of the moving feasts are checked
    /// independently by `calendar_moving_feasts_fall_on_their_weekdays_in_any_year`.
    const TABLE: &[(&str, &str, HolidayKind)] = {
        use HolidayKind::{DeFacto as D, Public as P};
        &[
            // 2024, Easter 31 March
            ("2024-01-01", "nyårsdagen", P),
            ("2024-01-06", "trettondedag jul", P),
            ("2024-03-29", "långfredagen", P),
            ("2024-03-31", "påskdagen", P),
            ("2024-04-01", "annandag påsk", P),
            ("2024-05-01", "första maj", P),
            ("2024-05-09", "Kristi himmelsfärdsdag", P),
            ("2024-05-19", "pingstdagen", P),
            ("2024-06-06", "Sveriges nationaldag", P),
            ("2024-06-21", "midsommarafton", D),
            ("2024-06-22", "midsommardagen", P),
            ("2024-11-02", "alla helgons dag", P),
            ("2024-12-24", "julafton", D),
            ("2024-12-25", "juldagen", P),
            ("2024-12-26", "annandag jul", P),
            ("2024-12-31", "nyårsafton", D),
            // 2025, Easter 20 April
            ("2025-01-01", "nyårsdagen", P),
            ("2025-01-06", "trettondedag jul", P),
            ("2025-04-18", "långfredagen", P),
            ("2025-04-20", "påskdagen", P),
            ("2025-04-21", "annandag påsk", P),
            ("2025-05-01", "första maj", P),
            ("2025-05-29", "Kristi himmelsfärdsdag", P),
            ("2025-06-06", "Sveriges nationaldag", P),
            ("2025-06-08", "pingstdagen", P),
            ("2025-06-20", "midsommarafton", D),
            ("2025-06-21", "midsommardagen", P),
            ("2025-11-01", "alla helgons dag", P),
            ("2025-12-24", "julafton", D),
            ("2025-12-25", "juldagen", P),
            ("2025-12-26", "annandag jul", P),
            ("2025-12-31", "nyårsafton", D),
            // 2026, Easter 5 April
            ("2026-01-01", "nyårsdagen", P),
            ("2026-01-06", "trettondedag jul", P),
            ("2026-04-03", "långfredagen", P),
            ("2026-04-05", "påskdagen", P),
            ("2026-04-06", "annandag påsk", P),
            ("2026-05-01", "första maj", P),
            ("2026-05-14", "Kristi himmelsfärdsdag", P),
            ("2026-05-24", "pingstdagen", P),
            ("2026-06-06", "Sveriges nationaldag", P),
            ("2026-06-19", "midsommarafton", D),
            ("2026-06-20", "midsommardagen", P),
            ("2026-10-31", "alla helgons dag", P),
            ("2026-12-24", "julafton", D),
            ("2026-12-25", "juldagen", P),
            ("2026-12-26", "annandag jul", P),
            ("2026-12-31", "nyårsafton", D),
            // 2027, Easter 28 March
            ("2027-01-01", "nyårsdagen", P),
            ("2027-01-06", "trettondedag jul", P),
            ("2027-03-26", "långfredagen", P),
            ("2027-03-28", "påskdagen", P),
            ("2027-03-29", "annandag påsk", P),
            ("2027-05-01", "första maj", P),
            ("2027-05-06", "Kristi himmelsfärdsdag", P),
            ("2027-05-16", "pingstdagen", P),
            ("2027-06-06", "Sveriges nationaldag", P),
            ("2027-06-25", "midsommarafton", D),
            ("2027-06-26", "midsommardagen", P),
            ("2027-11-06", "alla helgons dag", P),
            ("2027-12-24", "julafton", D),
            ("2027-12-25", "juldagen", P),
            ("2027-12-26", "annandag jul", P),
            ("2027-12-31", "nyårsafton", D),
            // 2028, Easter 16 April
            ("2028-01-01", "nyårsdagen", P),
            ("2028-01-06", "trettondedag jul", P),
            ("2028-04-14", "långfredagen", P),
            ("2028-04-16", "påskdagen", P),
            ("2028-04-17", "annandag påsk", P),
            ("2028-05-01", "första maj", P),
            ("2028-05-25", "Kristi himmelsfärdsdag", P),
            ("2028-06-04", "pingstdagen", P),
            ("2028-06-06", "Sveriges nationaldag", P),
            ("2028-06-23", "midsommarafton", D),
            ("2028-06-24", "midsommardagen", P),
            ("2028-11-04", "alla helgons dag", P),
            ("2028-12-24", "julafton", D),
            ("2028-12-25", "juldagen", P),
            ("2028-12-26", "annandag jul", P),
            ("2028-12-31", "nyårsafton", D),
            // 2029, Easter 1 April
            ("2029-01-01", "nyårsdagen", P),
            ("2029-01-06", "trettondedag jul", P),
            ("2029-03-30", "långfredagen", P),
            ("2029-04-01", "påskdagen", P),
            ("2029-04-02", "annandag påsk", P),
            ("2029-05-01", "första maj", P),
            ("2029-05-10", "Kristi himmelsfärdsdag", P),
            ("2029-05-20", "pingstdagen", P),
            ("2029-06-06", "Sveriges nationaldag", P),
            ("2029-06-22", "midsommarafton", D),
            ("2029-06-23", "midsommardagen", P),
            ("2029-11-03", "alla helgons dag", P),
            ("2029-12-24", "julafton", D),
            ("2029-12-25", "juldagen", P),
            ("2029-12-26", "annandag jul", P),
            ("2029-12-31", "nyårsafton", D),
            // 2030, Easter 21 April
            ("2030-01-01", "nyårsdagen", P),
            ("2030-01-06", "trettondedag jul", P),
            ("2030-04-19", "långfredagen", P),
            ("2030-04-21", "påskdagen", P),
            ("2030-04-22", "annandag påsk", P),
            ("2030-05-01", "första maj", P),
            ("2030-05-30", "Kristi himmelsfärdsdag", P),
            ("2030-06-06", "Sveriges nationaldag", P),
            ("2030-06-09", "pingstdagen", P),
            ("2030-06-21", "midsommarafton", D),
            ("2030-06-22", "midsommardagen", P),
            ("2030-11-02", "alla helgons dag", P),
            ("2030-12-24", "julafton", D),
            ("2030-12-25", "juldagen", P),
            ("2030-12-26", "annandag jul", P),
            ("2030-12-31", "nyårsafton", D),
        ]
    };

    #[test]
    fn calendar_holidays_2024_to_2030_match_the_hand_written_table() {
        for year in 2024..=2030 {
            let computed: BTreeSet<(NaiveDate, &str, HolidayKind)> =
                holidays(year).into_iter().collect();
            let expected: BTreeSet<(NaiveDate, &str, HolidayKind)> = TABLE
                .iter()
                .filter(|(d, _, _)| d.starts_with(&year.to_string()))
                .map(|&(d, name, kind)| (date(d), name, kind))
                .collect();
            assert_eq!(expected.len(), 16, "table for {year}");
            let missing: Vec<_> = expected.difference(&computed).collect();
            let extra: Vec<_> = computed.difference(&expected).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{year}: missing {missing:?}, extra {extra:?}"
            );
            assert_eq!(holidays(year).len(), 16, "{year}: no duplicates");
        }
    }

    #[test]
    fn calendar_easter_sundays_match_the_published_list() {
        for (year, sunday) in [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2029, "2029-04-01"),
            (2030, "2030-04-21"),
            // Extremes of the Gregorian range of Easter.
            (1818, "1818-03-22"),
            (2285, "2285-03-22"),
            (1943, "1943-04-25"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(year), Some(date(sunday)), "{year}");
        }
    }

    #[test]
    fn calendar_moving_feasts_fall_on_their_weekdays_in_any_year() {
        for year in 1600..=2600 {
            for (d, name, _) in holidays(year) {
                let expected = match name {
                    "långfredagen" | "midsommarafton" => Some(Weekday::Fri),
                    "påskdagen" | "pingstdagen" => Some(Weekday::Sun),
                    "annandag påsk" => Some(Weekday::Mon),
                    "Kristi himmelsfärdsdag" => Some(Weekday::Thu),
                    "midsommardagen" | "alla helgons dag" => Some(Weekday::Sat),
                    _ => None,
                };
                if let Some(weekday) = expected {
                    assert_eq!(d.weekday(), weekday, "{name} {d}");
                }
            }
        }
        // Beyond chrono's calendar: nothing, and no panic.
        assert!(holidays(i32::MAX).is_empty());
        assert!(holidays(i32::MIN).is_empty());
    }

    #[test]
    fn calendar_is_holiday_and_working_day() {
        let c = cal();
        assert!(is_holiday(date("2026-06-06")));
        assert!(!is_holiday(date("2026-12-24")), "julafton is de facto only");
        assert!(!c.is_working_day(date("2026-12-24")));
        assert!(!c.is_working_day(date("2026-06-19")), "midsommarafton");
        assert!(
            !c.is_working_day(date("2027-12-31")),
            "nyårsafton, a Friday"
        );
        assert!(
            !c.is_working_day(date("2026-05-14")),
            "Kristi himmelsfärdsdag"
        );
        assert!(c.is_working_day(date("2026-05-15")), "klämdag is open");
        assert!(!c.is_working_day(date("2026-03-28")), "Saturday");
        assert_eq!(
            c.closed_for(date("2026-12-24")),
            Some(("julafton", HolidayKind::DeFacto))
        );

        let mut settings = CalendarSettings::default();
        settings.de_facto_days_off.christmas_eve = false;
        settings.extra_closed_dates = vec![date("2026-05-15")];
        let c = BusinessCalendar::new(settings).expect("valid");
        assert!(c.is_working_day(date("2026-12-24")));
        assert!(!c.is_working_day(date("2026-06-19")));
        assert!(!c.is_working_day(date("2026-05-15")));
    }

    #[test]
    fn calendar_open_and_next_opening() {
        let c = cal();
        assert!(c.is_open(t("2026-11-20T08:00:00+01:00")));
        assert!(c.is_open(t("2026-11-20T17:59:59+01:00")));
        assert!(!c.is_open(t("2026-11-20T18:00:00+01:00")));
        assert!(!c.is_open(t("2026-11-20T07:59:59+01:00")));
        // 08:30 UTC is 09:30 in Stockholm: the offset of the input does not matter.
        assert!(c.is_open(t("2026-11-20T07:30:00+00:00")));
        assert_eq!(
            c.next_opening(t("2026-11-20T18:00:00+01:00")).to_rfc3339(),
            "2026-11-23T08:00:00+01:00"
        );
        assert_eq!(
            c.next_opening(t("2026-11-20T10:00:00+01:00")).to_rfc3339(),
            "2026-11-20T10:00:00+01:00"
        );
        // Over Easter 2027, with the change to summer time on the Sunday.
        assert_eq!(
            c.next_opening(t("2027-03-25T18:00:00+01:00")).to_rfc3339(),
            "2027-03-30T08:00:00+02:00"
        );
    }

    #[test]
    fn calendar_sla_friday_1755_plus_3_working_days() {
        let c = cal();
        assert_eq!(
            c.add_working_days(t("2026-11-20T17:55:00+01:00"), 3)
                .to_rfc3339(),
            "2026-11-25T17:55:00+01:00"
        );
        // Registered after closing: the clock starts Monday 08:00.
        assert_eq!(
            c.add_working_days(t("2026-11-20T18:30:00+01:00"), 3)
                .to_rfc3339(),
            "2026-11-26T08:00:00+01:00"
        );
        assert_eq!(
            c.add_working_days(t("2026-11-20T18:30:00+01:00"), 0)
                .to_rfc3339(),
            "2026-11-23T08:00:00+01:00"
        );
    }

    #[test]
    fn calendar_sla_over_easter_2027() {
        // Thursday before Easter. Långfredagen 26 March and annandag påsk
        // 29 March are closed, summer time starts 28 March. Working days
        // after Thursday: Tue 30 (1), Wed 31 (2), Thu 1 April (3).
        let c = cal();
        assert_eq!(
            c.add_working_days(t("2027-03-25T17:00:00+01:00"), 3)
                .to_rfc3339(),
            "2027-04-01T17:00:00+02:00"
        );
        assert_eq!(
            c.add_working_days(t("2027-03-25T17:00:00+01:00"), 2)
                .to_rfc3339(),
            "2027-03-31T17:00:00+02:00"
        );
    }

    #[test]
    fn calendar_service_request_over_christmas_2026() {
        // Tue 22 Dec 10:00 + 5: Wed 23 (1); 24, 25, 26, 27 closed; Mon 28
        // (2), Tue 29 (3), Wed 30 (4); 31 Dec, 1–3 Jan closed; Mon 4 Jan (5).
        let c = cal();
        assert_eq!(
            c.add_working_days(t("2026-12-22T10:00:00+01:00"), 5)
                .to_rfc3339(),
            "2027-01-04T10:00:00+01:00"
        );
        // Trettondedag jul (Wednesday 6 Jan 2027) closes too.
        assert_eq!(
            c.add_working_days(t("2027-01-04T10:00:00+01:00"), 2)
                .to_rfc3339(),
            "2027-01-07T10:00:00+01:00"
        );
    }

    #[test]
    fn calendar_24_7_clock_across_dst() {
        let c = cal();
        let spring = c.add_calendar_time(t("2026-03-29T01:30:00+01:00"), Duration::hours(2));
        assert_eq!(spring, t("2026-03-29T04:30:00+02:00"));
        assert_eq!(spring.to_rfc3339(), "2026-03-29T04:30:00+02:00");
        let autumn = c.add_calendar_time(t("2026-10-25T02:30:00+02:00"), Duration::hours(2));
        assert_eq!(autumn, t("2026-10-25T03:30:00+01:00"));
        assert_eq!(autumn.to_rfc3339(), "2026-10-25T03:30:00+01:00");
        // The repeated hour: 02:00 summer time + 1 h is 02:00 winter time.
        assert_eq!(
            c.add_calendar_time(t("2026-10-25T02:00:00+02:00"), Duration::hours(1))
                .to_rfc3339(),
            "2026-10-25T02:00:00+01:00"
        );
    }

    #[test]
    fn calendar_priority_1_at_0200_on_a_sunday() {
        // On-call runs 24/7: four hours from 02:00 on an ordinary Sunday.
        let c = cal();
        let reported = t("2026-11-22T02:00:00+01:00");
        assert!(!c.is_open(reported));
        assert_eq!(
            c.add_calendar_time(reported, Duration::hours(4))
                .to_rfc3339(),
            "2026-11-22T06:00:00+01:00"
        );
        // The same report waits for the desk if it is not priority 1–2.
        assert_eq!(
            c.next_opening(reported).to_rfc3339(),
            "2026-11-23T08:00:00+01:00"
        );
        assert_eq!(
            c.add_working_hours(reported, Duration::hours(4))
                .to_rfc3339(),
            "2026-11-23T12:00:00+01:00"
        );
        // On the Sunday summer time starts, 02:00 does not exist: 01:59
        // winter time + 1 minute is 03:00 summer time.
        assert_eq!(
            c.add_calendar_time(t("2026-03-29T01:59:00+01:00"), Duration::minutes(1))
                .to_rfc3339(),
            "2026-03-29T03:00:00+02:00"
        );
    }

    #[test]
    fn calendar_working_hours_across_a_dst_weekend() {
        let c = cal();
        assert_eq!(
            c.add_working_hours(t("2026-03-27T17:00:00+01:00"), Duration::hours(2))
                .to_rfc3339(),
            "2026-03-30T09:00:00+02:00"
        );
        assert_eq!(
            c.add_working_hours(t("2026-10-23T17:00:00+02:00"), Duration::hours(2))
                .to_rfc3339(),
            "2026-10-26T09:00:00+01:00"
        );
        // Runs out exactly at closing: ends at closing.
        assert_eq!(
            c.add_working_hours(t("2026-03-27T17:00:00+01:00"), Duration::hours(1))
                .to_rfc3339(),
            "2026-03-27T18:00:00+01:00"
        );
        assert_eq!(
            c.working_time_between(
                t("2026-03-27T17:00:00+01:00"),
                t("2026-03-30T09:00:00+02:00")
            ),
            Duration::hours(2)
        );
        assert_eq!(
            c.working_time_between(
                t("2026-03-30T09:00:00+02:00"),
                t("2026-03-27T17:00:00+01:00")
            ),
            Duration::zero()
        );
    }

    #[test]
    fn calendar_office_hours_inside_a_dst_gap_do_not_panic() {
        // A desk open 02:30–03:30 in Stockholm: on 29 March 2026 the wall
        // clock skips 02:00–03:00, so the desk is open 03:00–03:30 only.
        let c = BusinessCalendar::new(CalendarSettings {
            office_hours: OfficeHours {
                open: "02:30".to_owned(),
                close: "03:30".to_owned(),
                days: vec![Day::Sun],
            },
            ..CalendarSettings::default()
        })
        .expect("valid");
        assert_eq!(
            c.next_opening(t("2026-03-29T00:00:00+01:00")).to_rfc3339(),
            "2026-03-29T03:00:00+02:00"
        );
        assert_eq!(
            c.working_time_between(
                t("2026-03-29T00:00:00+01:00"),
                t("2026-03-29T12:00:00+02:00")
            ),
            Duration::minutes(30)
        );
        // Autumn: 02:30 happens twice; the first counts, the desk is open
        // from 02:30+02:00 to 03:30+01:00, two hours.
        assert_eq!(
            c.working_time_between(
                t("2026-10-25T00:00:00+02:00"),
                t("2026-10-25T12:00:00+01:00")
            ),
            Duration::hours(2)
        );
        let due = c.add_working_days(t("2026-03-22T02:45:00+01:00"), 1);
        assert_eq!(due.to_rfc3339(), "2026-03-29T03:00:00+02:00");
        assert!(c.is_open(due));
    }

    #[test]
    fn calendar_settings_reject_bad_input_with_a_message() {
        let bad_tz = CalendarSettings {
            timezone: "Europe/Stokholm".to_owned(),
            ..CalendarSettings::default()
        };
        let err = BusinessCalendar::new(bad_tz).expect_err("unknown zone");
        assert_eq!(err, CalendarError::Timezone("Europe/Stokholm".into()));
        assert!(err.to_string().contains("Europe/Stokholm"), "{err}");
        let err =
            BusinessCalendar::swedish_office_hours("8 o'clock", "18:00").expect_err("bad time");
        assert!(err.to_string().contains("office_hours.open"), "{err}");
        let err = BusinessCalendar::swedish_office_hours("18:00", "08:00").expect_err("reversed");
        assert!(err.to_string().contains("before close"), "{err}");
        let err = BusinessCalendar::swedish_office_hours("08:00", "24:00").expect_err("24:00");
        assert!(err.to_string().contains("office_hours.close"), "{err}");
        let mut no_days = CalendarSettings::default();
        no_days.office_hours.days.clear();
        assert_eq!(
            BusinessCalendar::new(no_days).expect_err("no days"),
            CalendarError::NoDays
        );
    }

    #[test]
    fn calendar_settings_read_from_yaml() {
        let yaml = "\
timezone: Europe/Stockholm
office_hours:
  open: \"08:00\"
  close: \"18:00\"
  days: [mon, tue, wed, thu, fri]
de_facto_days_off: {midsummer_eve: true, christmas_eve: false, new_years_eve: true}
extra_closed_dates: [2026-05-15]
";
        let read = |text: &str| -> Result<CalendarSettings, String> {
            let value = crate::yaml::parse_any(std::path::Path::new("calendar.yaml"), text)
                .map_err(|e| e.to_string())?;
            crate::yaml::from_value(&value).map_err(|e| e.to_string())
        };
        let settings = read(yaml).expect("valid YAML");
        assert!(!settings.de_facto_days_off.christmas_eve);
        assert_eq!(settings.extra_closed_dates, vec![date("2026-05-15")]);
        let written = crate::yaml::to_value(&settings);
        let back: CalendarSettings = crate::yaml::from_value(&written).expect("round trip");
        assert_eq!(back, settings);

        let empty = read("{}").expect("all defaults");
        assert_eq!(empty, CalendarSettings::default());

        let unknown = read("timezone: UTC\nopen: '08:00'\n");
        assert!(unknown.is_err(), "unknown fields are refused");
        let unknown_day = read("de_facto_days_off: {easter_eve: true}\n");
        assert!(unknown_day.is_err(), "unknown de facto days are refused");
    }

    /// The day-by-day walk the tables replaced: the definition of working
    /// time, read literally.
    fn walked(
        c: &BusinessCalendar,
        a: DateTime<FixedOffset>,
        b: DateTime<FixedOffset>,
    ) -> Duration {
        let (a, b) = (a.with_timezone(&c.tz), b.with_timezone(&c.tz));
        let mut total = Duration::zero();
        let mut date = a.date_naive();
        while b > a && date <= b.date_naive() {
            if c.is_working_day(date)
                && let Some((open, close)) = c.office_interval(date)
                && open.max(a) < close.min(b)
            {
                total += close.min(b) - open.max(a);
            }
            date = date.succ_opt().expect("in range");
        }
        total
    }

    proptest::proptest! {
        #[test]
        fn calendar_working_time_from_tables_equals_the_walk(
            a in 1_600_000_000i64..2_000_000_000,
            span in 0i64..(4 * 366 * 86_400),
            nanos in 0u32..1_000_000_000,
            extra in proptest::bool::ANY,
        ) {
            let mut settings = CalendarSettings::default();
            if extra {
                // A closed date inside the span, and the eves open.
                settings.extra_closed_dates.push(
                    DateTime::from_timestamp(a + span / 2, 0).expect("in range").date_naive(),
                );
                settings.de_facto_days_off.christmas_eve = false;
                settings.office_hours.open = "07:30".into();
            }
            let c = BusinessCalendar::new(settings).expect("valid settings");
            let from = DateTime::from_timestamp(a, nanos).expect("in range").fixed_offset();
            let to = DateTime::from_timestamp(a + span, 0).expect("in range").fixed_offset();
            proptest::prop_assert_eq!(c.working_time_between(from, to), walked(&c, from, to));
            proptest::prop_assert_eq!(c.working_time_between(to, from), Duration::zero());
        }
    }

    #[test]
    fn calendar_far_future_saturates_instead_of_panicking() {
        let c = cal();
        let start = t("2026-11-20T10:00:00+01:00");
        let far = c.add_calendar_time(start, Duration::MAX);
        assert!(far > start);
        let early = c.add_calendar_time(start, Duration::MIN);
        assert!(early < start);
        let near_end = c.end_of_time();
        assert!(c.add_working_days(near_end, 10) >= near_end);
        assert!(c.add_working_hours(near_end, Duration::hours(100)) >= near_end);
    }
}
