//! The forward schedule of change ([`Forward`]) as a table, Markdown, and
//! a self-contained HTML page with a month and a week grid in Swedish. The
//! iCalendar form is [`super::ics::calendar`], the one `export --format
//! ics` writes; JSON is the schedule serialised.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use super::html::text as h;
use super::markdown::text as md;
use super::table::{Style, Table};
use crate::schedule::Span;
use crate::time::Timestamp;
use crate::validate::forward::{Forward, Marked, Occurrence, Planned};

/// A time as the schedule shows it, in `tz`.
fn local(t: &Timestamp, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A span as the calendar words it (see [`Span::local`]).
fn span(start: &Timestamp, end: &Timestamp, tz: Tz) -> String {
    Span {
        start: *start,
        end: *end,
    }
    .local(tz)
}

fn conflicts(marked: &[Marked]) -> String {
    marked
        .iter()
        .map(|m| format!("{} {}: {}", m.severity, m.rule, m.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The schedule for a terminal: the changes, then the releases, then the
/// freezes.
pub fn table(f: &Forward, tz: Tz, style: Style) -> String {
    let mut out = String::new();
    let mut t = Table::new(
        &["when", "change", "status", "items", "person", "conflicts"],
        style,
    );
    for c in &f.changes {
        t.add_row(vec![
            span(&c.start, &c.end, tz),
            format!("{} {}", c.id, c.title),
            c.status.clone(),
            ids(&c.items),
            c.person.clone().unwrap_or_default(),
            conflicts(&c.conflicts),
        ]);
    }
    let _ = writeln!(out, "{t}");
    if !f.releases.is_empty() {
        let mut t = Table::new(
            &["when", "release", "status", "changes", "conflicts"],
            style,
        );
        for r in &f.releases {
            let when = match (&r.rollout, &r.planned_at) {
                (Some((s, e)), _) => span(s, e, tz),
                (None, Some(p)) => local(p, tz),
                (None, None) => String::new(),
            };
            t.add_row(vec![
                when,
                format!("{} {}", r.id, r.title),
                r.status.clone(),
                ids(&r.changes),
                conflicts(&r.conflicts),
            ]);
        }
        let _ = writeln!(out, "\nReleases\n{t}");
    }
    if !f.freezes.is_empty() {
        let mut t = Table::new(&["freeze", "when", "why", "applies to"], style);
        for o in &f.freezes {
            t.add_row(vec![
                o.id.clone(),
                span(&o.start, &o.end, tz),
                o.reason.clone().unwrap_or_default(),
                scope(o),
            ]);
        }
        let _ = writeln!(out, "\nFreezes\n{t}");
    }
    out
}

fn ids(ids: &[crate::id::RecordId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn scope(o: &Occurrence) -> String {
    if o.services.is_empty() && o.items.is_empty() {
        return "everything".to_owned();
    }
    o.services
        .iter()
        .cloned()
        .chain(o.items.iter().map(|i| i.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The schedule as Markdown, for a pull request or a meeting's agenda.
pub fn markdown(f: &Forward, tz: Tz) -> String {
    let mut out = format!(
        "## Ändringskalender {} – {}\n\n",
        local(&f.from, tz),
        local(&f.to, tz)
    );
    out.push_str("| När | Ändring | Status | CI | Konflikter |\n|---|---|---|---|---|\n");
    for c in &f.changes {
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {} | {} |",
            span(&c.start, &c.end, tz),
            c.id,
            md(&c.title),
            md(&c.status),
            ids(&c.items),
            md(&conflicts(&c.conflicts))
        );
    }
    if !f.releases.is_empty() {
        out.push_str("\n### Releaser\n\n| När | Release | Status | Ändringar | Konflikter |\n|---|---|---|---|---|\n");
        for r in &f.releases {
            let when = r
                .rollout
                .map(|(s, e)| span(&s, &e, tz))
                .or(r.planned_at.map(|p| local(&p, tz)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {when} | {} {} | {} | {} | {} |",
                r.id,
                md(&r.title),
                md(&r.status),
                ids(&r.changes),
                md(&conflicts(&r.conflicts))
            );
        }
    }
    if !f.freezes.is_empty() {
        out.push_str("\n### Frysperioder\n\n");
        for o in &f.freezes {
            let _ = writeln!(
                out,
                "- **{}** {}: {} ({})",
                md(&o.id),
                span(&o.start, &o.end, tz),
                md(o.reason.as_deref().unwrap_or_default()),
                md(&scope(o))
            );
        }
    }
    out
}

const WEEKDAYS: [&str; 7] = ["mån", "tis", "ons", "tor", "fre", "lör", "sön"];
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// What a day of the grid shows.
#[derive(Default)]
struct Day<'a> {
    changes: Vec<&'a Planned>,
    releases: Vec<String>,
    freezes: Vec<&'a Occurrence>,
    maintenance: usize,
}

/// The schedule as a self-contained HTML page: a month grid of each month
/// in the period, a week grid of each week, then the list with conflicts.
pub fn html(f: &Forward, tz: Tz) -> String {
    let days = by_day(f, tz);
    let first = f.from.with_timezone(&tz).date_naive();
    let last = (f.to - Duration::seconds(1))
        .with_timezone(&tz)
        .date_naive()
        .max(first);
    let mut out = String::from(HEAD);
    let _ = writeln!(
        out,
        "<h1>Ändringskalender</h1>\n<p>{} – {} ({})</p>\n<p class=\"legend\"><span class=\"chg\">ändring</span><span class=\"chg konflikt\">ändring med konflikt</span><span class=\"rel\">release</span><span class=\"frys\">frysperiod</span></p>",
        h(&local(&f.from, tz)),
        h(&local(&f.to, tz)),
        h(&f.timezone)
    );
    let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
    while month <= last {
        month_grid(&mut out, month, &days, tz);
        month = next_month(month);
    }
    let mut week = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    while week <= last {
        week_grid(&mut out, week, &days, tz);
        week += Duration::days(7);
    }
    list(&mut out, f, tz);
    out.push_str("</body>\n</html>\n");
    out
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d + Duration::days(31))
}

/// Every local day the period's changes, releases and windows touch.
fn by_day(f: &Forward, tz: Tz) -> BTreeMap<NaiveDate, Day<'_>> {
    let mut days: BTreeMap<NaiveDate, Day<'_>> = BTreeMap::new();
    // Only the days of the period: a window of a century draws its days
    // in the period, not all of them.
    let each_day = |s: &Timestamp, e: &Timestamp| {
        let (s, e) = ((*s).max(f.from), (*e).min(f.to));
        let first = s.with_timezone(&tz).date_naive();
        let last = (e - Duration::seconds(1))
            .with_timezone(&tz)
            .date_naive()
            .max(first);
        first.iter_days().take_while(move |d| *d <= last)
    };
    for c in &f.changes {
        for d in each_day(&c.start, &c.end) {
            days.entry(d).or_default().changes.push(c);
        }
    }
    for r in &f.releases {
        if let Some(at) = r.rollout.map(|(s, _)| s).or(r.planned_at) {
            let d = at.with_timezone(&tz).date_naive();
            days.entry(d)
                .or_default()
                .releases
                .push(format!("{} {}", r.id, r.title));
        }
    }
    for o in &f.freezes {
        for d in each_day(&o.start, &o.end) {
            days.entry(d).or_default().freezes.push(o);
        }
    }
    for o in &f.maintenance {
        let d = o.start.with_timezone(&tz).date_naive();
        days.entry(d).or_default().maintenance += 1;
    }
    days
}

fn day_cell(out: &mut String, d: NaiveDate, day: Option<&Day<'_>>, tz: Tz, times: bool) {
    let frozen = day.is_some_and(|x| !x.freezes.is_empty());
    let title = day
        .map(|x| {
            x.freezes
                .iter()
                .map(|o| {
                    format!(
                        "Frysperiod {}: {}",
                        o.id,
                        o.reason.as_deref().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "<td class=\"{}\" title=\"{}\"><div class=\"d\">{}</div>",
        if frozen { "day frys" } else { "day" },
        h(&title),
        d.day()
    );
    if let Some(x) = day {
        for c in &x.changes {
            let class = if c.conflicts.is_empty() {
                "chg"
            } else {
                "chg konflikt"
            };
            let when = if times {
                format!(
                    "{} ",
                    span(&c.start, &c.end, tz)
                        .split(' ')
                        .nth(1)
                        .unwrap_or_default()
                )
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<div class=\"{class}\" title=\"{}\">{}{} {}</div>",
                h(&conflicts(&c.conflicts)),
                h(&when),
                h(c.id.as_str()),
                h(&c.title)
            );
        }
        for r in &x.releases {
            let _ = write!(out, "<div class=\"rel\">{}</div>", h(r));
        }
        if times && x.maintenance > 0 {
            let _ = write!(out, "<div class=\"mw\">servicefönster</div>");
        }
    }
    out.push_str("</td>");
}

fn month_grid(out: &mut String, month: NaiveDate, days: &BTreeMap<NaiveDate, Day<'_>>, tz: Tz) {
    let _ = writeln!(
        out,
        "<h2>{} {}</h2>\n<table class=\"grid month\"><tr><th>v.</th>{}</tr>",
        MONTHS[month.month0() as usize],
        month.year(),
        WEEKDAYS
            .iter()
            .map(|w| format!("<th>{w}</th>"))
            .collect::<String>()
    );
    let mut d = month - Duration::days(i64::from(month.weekday().num_days_from_monday()));
    while d.month() == month.month() || d < month {
        let _ = write!(out, "<tr><th>{}</th>", d.iso_week().week());
        for i in 0..7 {
            let day = d + Duration::days(i);
            if day.month() == month.month() {
                day_cell(out, day, days.get(&day), tz, false);
            } else {
                out.push_str("<td class=\"utanfor\"></td>");
            }
        }
        out.push_str("</tr>\n");
        d += Duration::days(7);
    }
    out.push_str("</table>\n");
}

fn week_grid(out: &mut String, monday: NaiveDate, days: &BTreeMap<NaiveDate, Day<'_>>, tz: Tz) {
    let _ = writeln!(
        out,
        "<h2>Vecka {} {}</h2>\n<table class=\"grid week\"><tr>{}</tr><tr>",
        monday.iso_week().week(),
        monday.iso_week().year(),
        (0..7)
            .map(|i| {
                let d = monday + Duration::days(i);
                format!(
                    "<th>{} {}/{}</th>",
                    WEEKDAYS[i as usize],
                    d.day(),
                    d.month()
                )
            })
            .collect::<String>()
    );
    for i in 0..7 {
        let d = monday + Duration::days(i);
        day_cell(out, d, days.get(&d), tz, true);
    }
    out.push_str("</tr></table>\n");
}

fn list(out: &mut String, f: &Forward, tz: Tz) {
    out.push_str("<h2>Ändringar</h2>\n<table class=\"list\"><tr><th>När</th><th>Ändring</th><th>Status</th><th>CI</th><th>Utförs av</th><th>Konflikter</th></tr>\n");
    for c in &f.changes {
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if c.conflicts.is_empty() {
                ""
            } else {
                "konflikt"
            },
            h(&span(&c.start, &c.end, tz)),
            h(c.id.as_str()),
            h(&c.title),
            h(&c.status),
            h(&ids(&c.items)),
            h(c.person.as_deref().unwrap_or_default()),
            h(&conflicts(&c.conflicts))
        );
    }
    out.push_str("</table>\n");
}

/// The page's head: inline style only, nothing fetched.
const HEAD: &str = "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<title>Ändringskalender</title>\n<style>\n\
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}\n\
table.grid{border-collapse:collapse;width:100%;table-layout:fixed;margin-bottom:1.5rem}\n\
.grid th,.grid td{border:1px solid #bbb;vertical-align:top;padding:.25rem;font-size:.8rem}\n\
.grid th{background:#eef}\n.month tr>th:first-child{width:2.5rem}\n.legend span{display:inline-block;margin-right:1rem;padding:0 .3rem}\n.month td{height:5rem}\n.week td{height:9rem}\n\
.d{font-weight:bold;color:#555}\n.frys{background:repeating-linear-gradient(45deg,#fde8e8,#fde8e8 6px,#fff 6px,#fff 12px)}\n\
.chg{background:#e3f0ff;border-left:3px solid #2a6ebb;margin:.1rem 0;padding:0 .2rem;overflow:hidden}\n\
.konflikt{background:#ffe3e3;border-left-color:#c00}\n\
.rel{background:#e8f8e8;border-left:3px solid #2a8b2a;margin:.1rem 0;padding:0 .2rem}\n\
.mw{color:#666;font-style:italic}\n.utanfor{background:#f6f6f6}\n\
table.list{border-collapse:collapse}\n.list td,.list th{border:1px solid #ccc;padding:.3rem;text-align:left}\n\
</style>\n</head>\n<body>\n";
