//! The report as a self-contained HTML page: headline cards, the chart of
//! tickets over time, the sections as tables, the notes. Every piece of
//! record text goes through [`html::text`].

use std::fmt::Write as _;

use chrono_tz::Tz;

use super::super::html;
use super::chart::chart;
use super::sections::sections;
use super::{Lang, Section, Tone, cards, heading};
use crate::report::Report;

const CSS: &str = "
:root { --ink: #1c2733; --muted: #5b6b7a; --line: #d5dde5; --inc: #1f4e79; --req: #3fa796;
  --good: #1d7a3a; --good-bg: #e3f4e8; --bad: #a61b1b; --bad-bg: #fbe5e5; }
* { box-sizing: border-box; }
body { margin: 0; padding: 32px 40px 48px; color: var(--ink); background: #f6f8fa;
  font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 8px; }
.sub { color: var(--muted); margin: 0 0 24px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px;
  margin: 0 0 18px; }
.intro { color: var(--muted); margin: 0 0 12px; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 14px; margin: 0 0 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
.card .n { font-size: 30px; font-weight: 650; line-height: 1.1; }
.card .l { color: var(--muted); font-size: 13px; }
.bad-card { border-color: var(--bad); background: var(--bad-bg); }
.bad-card .n { color: var(--bad); }
.good-card .n { color: var(--good); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr:last-child td { border-bottom: none; }
tr.total td { font-weight: 650; border-top: 2px solid var(--line); }
.good, .bad { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; font-size: 13px; }
.good { color: var(--good); background: var(--good-bg); }
.bad { color: var(--bad); background: var(--bad-bg); }
.empty { color: var(--muted); margin: 0; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
ul.notes { margin: 0; padding-left: 20px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
@media (max-width: 700px) { body { padding: 16px; } .cards { grid-template-columns: repeat(2, 1fr); } }
@media print { body { background: #fff; padding: 0; } section, .card { break-inside: avoid; } }
";

/// The report as a self-contained HTML page.
pub fn html(r: &Report, tz: Tz) -> String {
    let l = Lang::of(r);
    let (title, subtitle) = heading(r, tz);
    let mut out = String::new();
    head(&mut out, r, &title, &subtitle);
    headline(&mut out, r, l);
    timeline(&mut out, r, l);
    for s in sections(r, tz) {
        section(&mut out, &s);
    }
    notes(&mut out, r, l);
    let _ = write!(
        out,
        "<footer>arende {} · {} · {} – {}</footer>\n</main>\n</body>\n</html>\n",
        html::text(l.t("report")),
        html::text(&r.period.label),
        r.period.from,
        r.period.to
    );
    out
}

/// The document's head, with the style sheet inline, and the page's
/// title and subtitle.
fn head(out: &mut String, r: &Report, title: &str, subtitle: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} – {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
        html::text(&r.language),
        html::text(title),
        html::text(&r.policy),
        html::text(title),
        html::text(subtitle)
    );
}

/// The headline figures as cards, a verdict coloured green or red.
fn headline(out: &mut String, r: &Report, l: Lang) {
    out.push_str("<div class=\"cards\">\n");
    for (n, label, tone) in cards(r, l) {
        let class = match tone {
            Tone::Plain => "",
            Tone::Good => " good-card",
            Tone::Bad => " bad-card",
        };
        let _ = writeln!(
            out,
            "<div class=\"card{class}\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>",
            html::text(&n),
            html::text(&label)
        );
    }
    out.push_str("</div>\n");
}

/// The chart of tickets registered, per week or per month as the
/// report's buckets are (a week's label starts with `v`).
fn timeline(out: &mut String, r: &Report, l: Lang) {
    let weekly = r.timeline.first().is_some_and(|b| b.label.starts_with('v'));
    let per = l.t(if weekly {
        "Tickets registered per week"
    } else {
        "Tickets registered per month"
    });
    let _ = write!(
        out,
        "<section>\n<h2>{}</h2>\n{}</section>\n",
        html::text(per),
        chart(&r.timeline, l)
    );
}

/// One section: its title, its intro, and its table or what it says
/// instead of an empty one.
fn section(out: &mut String, s: &Section) {
    let _ = write!(out, "<section>\n<h2>{}</h2>\n", html::text(&s.title));
    if let Some(intro) = &s.intro {
        let _ = writeln!(out, "<p class=\"intro\">{}</p>", html::text(intro));
    }
    if s.rows.is_empty() {
        let _ = writeln!(out, "<p class=\"empty\">{}</p>", html::text(&s.empty));
    } else {
        table(out, s);
    }
    out.push_str("</section>\n");
}

/// A section's table: numeric columns right-aligned, the total row set
/// apart, verdicts in coloured badges.
fn table(out: &mut String, s: &Section) {
    let class = |i: usize| {
        if s.numeric.contains(&i) {
            " class=\"num\""
        } else {
            ""
        }
    };
    out.push_str("<table>\n<thead><tr>");
    for (i, h) in s.header.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), html::text(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (n, row) in s.rows.iter().enumerate() {
        if s.total && n + 1 == s.rows.len() {
            out.push_str("<tr class=\"total\">");
        } else {
            out.push_str("<tr>");
        }
        for (i, c) in row.iter().enumerate() {
            let text = match c.tone {
                Tone::Plain => html::text(&c.text),
                Tone::Good => format!("<span class=\"good\">{}</span>", html::text(&c.text)),
                Tone::Bad => format!("<span class=\"bad\">{}</span>", html::text(&c.text)),
            };
            let _ = write!(out, "<td{}>{text}</td>", class(i));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The report's notes, if it has any.
fn notes(out: &mut String, r: &Report, l: Lang) {
    if r.notes.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section>\n<h2>{}</h2>\n<ul class=\"notes\">\n",
        html::text(l.t("Notes"))
    );
    for n in &r.notes {
        let _ = writeln!(out, "<li>{}</li>", html::text(n));
    }
    out.push_str("</ul>\n</section>\n");
}
