//! The report as a self-contained HTML page: headline cards, the chart of
//! tickets over time, the sections as tables, the notes. The page is a
//! maud template, which escapes every value it is given; record text is
//! also stripped of control characters (`clean`), which HTML forbids.

use std::borrow::Cow;

use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, PreEscaped, html};

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

/// Text with control characters and escape sequences dropped, as the
/// terminal formats drop them; the template escapes the rest.
pub(super) fn clean(s: &str) -> Cow<'_, str> {
    super::super::terminal(s)
}

/// The report as a self-contained HTML page.
pub fn html(r: &Report, tz: Tz) -> String {
    let l = Lang::of(r);
    let (title, subtitle) = heading(r, tz);
    let page = html! {
        (DOCTYPE) "\n"
        // Line breaks where a reader of the source (or `grep`) expects
        // them: one element, table row or card a line.
        html lang=(clean(&r.language)) {
            "\n"
            head {
                "\n" meta charset="utf-8";
                // Nothing to fetch and nothing to run: record text that
                // slipped through could do neither.
                "\n" meta http-equiv="Content-Security-Policy"
                    content="default-src 'none'; style-src 'unsafe-inline'";
                "\n" meta name="viewport" content="width=device-width, initial-scale=1";
                "\n" title { (clean(&title)) " – " (clean(&r.policy)) }
                "\n" style { (PreEscaped(CSS)) } "\n"
            }
            "\n"
            body {
                "\n"
                main {
                    "\n" h1 { (clean(&title)) }
                    "\n" p.sub { (clean(&subtitle)) } "\n"
                    (headline(r, l))
                    (timeline(r, l))
                    @for s in sections(r, tz) {
                        (section(&s))
                    }
                    (notes(r, l))
                    footer {
                        "arende " (l.t("report")) " · " (clean(&r.period.label)) " · "
                        (r.period.from) " – " (r.period.to)
                    }
                    "\n"
                }
                "\n"
            }
            "\n"
        }
        "\n"
    };
    page.into_string()
}

/// The headline figures as cards, a verdict coloured green or red.
fn headline(r: &Report, l: Lang) -> Markup {
    html! {
        div.cards {
            "\n"
            @for (n, label, tone) in cards(r, l) {
                div.card.good-card[tone == Tone::Good].bad-card[tone == Tone::Bad] {
                    div.n { (clean(&n)) }
                    div.l { (clean(&label)) }
                }
                "\n"
            }
        }
        "\n"
    }
}

/// The chart of tickets registered, per week or per month as the
/// report's buckets are (a week's label starts with `v`).
fn timeline(r: &Report, l: Lang) -> Markup {
    let weekly = r.timeline.first().is_some_and(|b| b.label.starts_with('v'));
    let per = l.t(if weekly {
        "Tickets registered per week"
    } else {
        "Tickets registered per month"
    });
    html! {
        section {
            "\n" h2 { (per) } "\n"
            (chart(&r.timeline, l))
        }
        "\n"
    }
}

/// One section: its title, its intro, and its table or what it says
/// instead of an empty one.
fn section(s: &Section) -> Markup {
    html! {
        section {
            "\n" h2 { (clean(&s.title)) } "\n"
            @if let Some(intro) = &s.intro {
                p.intro { (clean(intro)) } "\n"
            }
            @if s.rows.is_empty() {
                p.empty { (clean(&s.empty)) } "\n"
            } @else {
                (table(s))
            }
        }
        "\n"
    }
}

/// A section's table: numeric columns right-aligned, the total row set
/// apart, verdicts in coloured badges.
fn table(s: &Section) -> Markup {
    let num = |i: usize| s.numeric.contains(&i).then_some("num");
    let total = |n: usize| (s.total && n + 1 == s.rows.len()).then_some("total");
    html! {
        table {
            "\n"
            thead {
                tr {
                    @for (i, h) in s.header.iter().enumerate() {
                        th class=[num(i)] { (h) }
                    }
                }
            }
            "\n"
            tbody {
                "\n"
                @for (n, row) in s.rows.iter().enumerate() {
                    tr class=[total(n)] {
                        @for (i, c) in row.iter().enumerate() {
                            td class=[num(i)] {
                                @match c.tone {
                                    Tone::Plain => (clean(&c.text)),
                                    Tone::Good => span.good { (clean(&c.text)) },
                                    Tone::Bad => span.bad { (clean(&c.text)) },
                                }
                            }
                        }
                    }
                    "\n"
                }
            }
            "\n"
        }
        "\n"
    }
}

/// The report's notes, if it has any.
fn notes(r: &Report, l: Lang) -> Markup {
    html! {
        @if !r.notes.is_empty() {
            section {
                "\n" h2 { (l.t("Notes")) } "\n"
                ul.notes {
                    "\n"
                    @for n in &r.notes {
                        li { (clean(&l.note(n))) } "\n"
                    }
                }
                "\n"
            }
            "\n"
        }
    }
}
