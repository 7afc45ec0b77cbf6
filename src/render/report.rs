//! `arende report` in every format but JSON: text tables, Markdown and a
//! self-contained HTML page, all drawn from one list of sections so they
//! cannot disagree. Service names, managers, titles and notes come from
//! records, so each format escapes them its own way.

use std::fmt::Write as _;

use chrono::Duration;
use chrono_tz::Tz;

use super::html;
use super::markdown::text;
use super::table::{Style, Table};
use crate::report::{Bucket, Report};
use crate::sla::human;

/// How a cell reads: plain, or a verdict the HTML page colours.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tone {
    Plain,
    Good,
    Bad,
}

struct Cell {
    text: String,
    tone: Tone,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell {
            text,
            tone: Tone::Plain,
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_owned())
    }
}

/// One section of the report, built once and drawn by every format, so
/// the table, Markdown and HTML outputs cannot disagree.
struct Section {
    title: String,
    /// What the figures mean, in one or two sentences.
    intro: Option<String>,
    header: Vec<&'static str>,
    /// Which columns hold numbers (right-aligned).
    numeric: Vec<usize>,
    rows: Vec<Vec<Cell>>,
    /// Said instead of an empty table.
    empty: String,
    /// The last row sums up the others.
    total: bool,
}

fn yes_no(met: Option<bool>) -> Cell {
    match met {
        Some(true) => Cell {
            text: "yes".into(),
            tone: Tone::Good,
        },
        Some(false) => Cell {
            text: "no".into(),
            tone: Tone::Bad,
        },
        None => Cell::from("–"),
    }
}

fn percent(p: Option<f64>, places: usize) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{p:.places$} %"))
}

fn local(t: Option<crate::record::Timestamp>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn minutes(m: i64) -> String {
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{m} min ({})", human(Duration::minutes(m)))
    }
}

fn heading(r: &Report, tz: Tz) -> (String, String) {
    (
        format!("Report {}", r.period.label),
        format!(
            "{} – {}, policy {}; clocks and open outages as at {}",
            r.period.from,
            r.period.to,
            r.policy,
            r.at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
        ),
    )
}

fn sections(r: &Report, tz: Tz) -> Vec<Section> {
    let mut out = Vec::new();

    let mut rows: Vec<Vec<Cell>> = r
        .counts
        .by_priority
        .iter()
        .map(|c| {
            vec![
                c.priority.map(|p| p.to_string()).unwrap_or_default().into(),
                c.label.as_str().into(),
                c.incident.to_string().into(),
                c.service_request.to_string().into(),
            ]
        })
        .collect();
    rows.push(vec![
        "".into(),
        "Total".into(),
        r.counts.incident.to_string().into(),
        r.counts.service_request.to_string().into(),
    ]);
    out.push(Section {
        title: "Tickets registered".into(),
        intro: Some("Incidents and service requests opened in the period, by priority.".into()),
        header: vec!["priority", "label", "incidents", "service requests"],
        numeric: vec![2, 3],
        rows,
        empty: String::new(),
        total: true,
    });

    let no_levels = format!("The {} policy sets no service levels.", r.policy);
    let mut rows: Vec<Vec<Cell>> = r
        .sla
        .iter()
        .map(|s| {
            vec![
                s.priority.to_string().into(),
                s.label.as_str().into(),
                s.compliance.counted.to_string().into(),
                s.compliance.met.to_string().into(),
                s.compliance.breached.to_string().into(),
                percent(s.compliance.compliance_percent, 1).into(),
            ]
        })
        .collect();
    if r.service_levels {
        rows.push(vec![
            "".into(),
            "All".into(),
            r.sla_total.counted.to_string().into(),
            r.sla_total.met.to_string().into(),
            r.sla_total.breached.to_string().into(),
            percent(r.sla_total.compliance_percent, 1).into(),
        ]);
    }
    out.push(Section {
        title: "SLA compliance".into(),
        intro: r.service_levels.then(|| {
            "Clocks that stopped in the period, and running clocks that went past their target in it; each breach counts once. Compliance is the share met.".into()
        }),
        header: vec!["priority", "label", "counted", "met", "breached", "compliance"],
        numeric: vec![2, 3, 4, 5],
        rows,
        empty: no_levels.clone(),
        total: r.service_levels,
    });

    if r.service_levels {
        out.push(Section {
            title: "Not covered by response times".into(),
            intro: Some("Tickets incomplete at registration (003 §3.2.4): no response time applies, so they are counted apart.".into()),
            header: vec!["id"],
            numeric: vec![],
            rows: r
                .sla_not_covered
                .iter()
                .map(|id| vec![id.as_str().into()])
                .collect(),
            empty: "None.".into(),
            total: false,
        });
    }
    if r.service_levels {
        out.push(Section {
            title: "Breached clocks".into(),
            intro: None,
            header: vec!["id", "priority", "clock", "target", "due", "stopped"],
            numeric: vec![1],
            rows: r
                .breaches
                .iter()
                .map(|b| {
                    vec![
                        b.id.as_str().into(),
                        b.priority.to_string().into(),
                        b.clock.as_str().into(),
                        b.target.as_str().into(),
                        local(b.due, tz).into(),
                        if b.stopped.is_some() {
                            local(b.stopped, tz).into()
                        } else {
                            "still running".into()
                        },
                    ]
                })
                .collect(),
            empty: "None.".into(),
            total: false,
        });
    }

    out.push(Section {
        title: "Availability".into(),
        intro: r.service_levels.then(|| {
            format!(
                "Services with an outage in the period, over {} minutes. Planned windows and outages with an excluded cause are left out; overlapping outages count once. Services without an outage were available 100 %.",
                r.period.minutes
            )
        }),
        header: vec![
            "service",
            "class",
            "downtime",
            "excluded",
            "availability",
            "target",
            "met",
            "incidents",
        ],
        numeric: vec![2, 3, 4, 5],
        rows: r
            .availability
            .iter()
            .map(|a| {
                vec![
                    a.service.as_deref().unwrap_or("(no service)").into(),
                    a.class.as_deref().unwrap_or("–").into(),
                    minutes(a.downtime_minutes).into(),
                    minutes(a.excluded_minutes).into(),
                    percent(Some(a.availability_percent), 4).into(),
                    percent(a.target_percent, 1).into(),
                    yes_no(a.met),
                    a.incidents.join(", ").into(),
                ]
            })
            .collect(),
        empty: if r.service_levels {
            "No outage in the period.".into()
        } else {
            no_levels.clone()
        },
        total: false,
    });

    if !r.classes.is_empty() {
        out.push(Section {
            title: "Availability per class".into(),
            intro: None,
            header: vec!["class", "target", "services", "met target", "lowest"],
            numeric: vec![1, 2, 3, 4],
            rows: r
                .classes
                .iter()
                .map(|c| {
                    vec![
                        c.class.as_deref().unwrap_or("(no class)").into(),
                        percent(c.target_percent, 1).into(),
                        c.services.to_string().into(),
                        Cell {
                            text: c.met.to_string(),
                            tone: if c.met == c.services {
                                Tone::Good
                            } else {
                                Tone::Bad
                            },
                        },
                        percent(Some(c.lowest_percent), 4).into(),
                    ]
                })
                .collect(),
            empty: String::new(),
            total: false,
        });
    }

    out.push(Section {
        title: "Major incidents".into(),
        intro: None,
        header: vec!["id", "priority", "status", "manager", "title"],
        numeric: vec![1],
        rows: r
            .major_incidents
            .iter()
            .map(|m| {
                vec![
                    m.id.as_str().into(),
                    m.priority.to_string().into(),
                    m.status.as_str().into(),
                    m.manager.as_deref().unwrap_or("").into(),
                    m.title.as_str().into(),
                ]
            })
            .collect(),
        empty: if r.service_levels {
            "None.".into()
        } else {
            no_levels.clone()
        },
        total: false,
    });

    out.push(Section {
        title: "Crisis candidates".into(),
        intro: r.crisis_after_minutes.map(|m| {
            format!("Unplanned outages in the period longer than {m} minutes call for a crisis assessment.")
        }),
        header: vec!["id", "service", "outage", "excluded cause", "title"],
        numeric: vec![2],
        rows: r
            .crisis_candidates
            .iter()
            .map(|c| {
                vec![
                    c.id.as_str().into(),
                    c.service.as_deref().unwrap_or("").into(),
                    minutes(c.outage_minutes).into(),
                    c.excluded.as_deref().unwrap_or("").into(),
                    c.title.as_str().into(),
                ]
            })
            .collect(),
        empty: if r.service_levels {
            "None.".into()
        } else {
            no_levels
        },
        total: false,
    });
    out
}

/// The report as text tables, for a terminal.
pub fn tables(r: &Report, tz: Tz, style: Style) -> String {
    let (title, subtitle) = heading(r, tz);
    let mut text = format!("{title}\n{subtitle}\n");
    for s in sections(r, tz) {
        let _ = write!(text, "\n{}\n", s.title);
        if let Some(intro) = &s.intro {
            let _ = writeln!(text, "{intro}");
        }
        if s.rows.is_empty() {
            let _ = writeln!(text, "{}", s.empty);
            continue;
        }
        let mut table = Table::new(&s.header, style);
        for row in &s.rows {
            table.add_row(row.iter().map(|c| c.text.as_str()));
        }
        table.align_right(&s.numeric);
        let _ = writeln!(text, "{table}");
    }
    if !r.notes.is_empty() {
        text.push_str("\nNotes\n");
        for n in &r.notes {
            let _ = writeln!(text, "- {n}");
        }
    }
    super::terminal(&text).into_owned()
}

/// The report as Markdown.
pub fn markdown(r: &Report, tz: Tz) -> String {
    let (title, subtitle) = heading(r, tz);
    let mut out = format!("# {title}\n\n{subtitle}\n");
    for s in sections(r, tz) {
        let _ = write!(out, "\n## {}\n\n", s.title);
        if let Some(intro) = &s.intro {
            let _ = writeln!(out, "{intro}\n");
        }
        if s.rows.is_empty() {
            let _ = writeln!(out, "{}", s.empty);
            continue;
        }
        let _ = writeln!(out, "| {} |", s.header.join(" | "));
        let rule: Vec<&str> = (0..s.header.len())
            .map(|i| {
                if s.numeric.contains(&i) {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", rule.join(" | "));
        for row in &s.rows {
            let cells: Vec<String> = row.iter().map(|c| text(&c.text)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    if !r.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for n in &r.notes {
            let _ = writeln!(out, "- {}", text(n));
        }
    }
    out
}

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
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin: 0 0 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
.card .n { font-size: 30px; font-weight: 650; line-height: 1.1; }
.card .l { color: var(--muted); font-size: 13px; }
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
    let (title, subtitle) = heading(r, tz);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} – {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
        html::text(&title),
        html::text(&r.policy),
        html::text(&title),
        html::text(&subtitle)
    );
    let cards = [
        (r.counts.incident.to_string(), "incidents registered"),
        (
            r.counts.service_request.to_string(),
            "service requests registered",
        ),
        (
            percent(r.sla_total.compliance_percent, 1),
            "SLA compliance, all priorities",
        ),
        (r.major_incidents.len().to_string(), "major incidents"),
    ];
    out.push_str("<div class=\"cards\">\n");
    for (n, l) in cards {
        let _ = writeln!(
            out,
            "<div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>",
            html::text(&n),
            html::text(l)
        );
    }
    out.push_str("</div>\n");
    let unit = if r.timeline.first().is_some_and(|b| b.label.starts_with('v')) {
        "week"
    } else {
        "month"
    };
    let _ = write!(
        out,
        "<section>\n<h2>Tickets registered per {unit}</h2>\n{}</section>\n",
        chart(&r.timeline)
    );
    for s in sections(r, tz) {
        let _ = write!(out, "<section>\n<h2>{}</h2>\n", html::text(&s.title));
        if let Some(intro) = &s.intro {
            let _ = writeln!(out, "<p class=\"intro\">{}</p>", html::text(intro));
        }
        if s.rows.is_empty() {
            let _ = writeln!(out, "<p class=\"empty\">{}</p>", html::text(&s.empty));
        } else {
            out.push_str("<table>\n<thead><tr>");
            for (i, h) in s.header.iter().enumerate() {
                let class = if s.numeric.contains(&i) {
                    " class=\"num\""
                } else {
                    ""
                };
                let _ = write!(out, "<th{class}>{}</th>", html::text(h));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for (n, row) in s.rows.iter().enumerate() {
                if s.total && n + 1 == s.rows.len() {
                    out.push_str("<tr class=\"total\">");
                } else {
                    out.push_str("<tr>");
                }
                for (i, c) in row.iter().enumerate() {
                    let class = if s.numeric.contains(&i) {
                        " class=\"num\""
                    } else {
                        ""
                    };
                    let text = match c.tone {
                        Tone::Plain => html::text(&c.text),
                        Tone::Good => {
                            format!("<span class=\"good\">{}</span>", html::text(&c.text))
                        }
                        Tone::Bad => format!("<span class=\"bad\">{}</span>", html::text(&c.text)),
                    };
                    let _ = write!(out, "<td{class}>{text}</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        out.push_str("</section>\n");
    }
    if !r.notes.is_empty() {
        out.push_str("<section>\n<h2>Notes</h2>\n<ul class=\"notes\">\n");
        for n in &r.notes {
            let _ = writeln!(out, "<li>{}</li>", html::text(n));
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = write!(
        out,
        "<footer>arende report · {} · {} – {}</footer>\n</main>\n</body>\n</html>\n",
        html::text(&r.period.label),
        r.period.from,
        r.period.to
    );
    out
}

/// Stacked bars, incidents below service requests, one per bucket; inline
/// SVG so the page needs nothing beyond itself.
fn chart(buckets: &[Bucket]) -> String {
    const W: f64 = 960.0;
    const H: f64 = 300.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 36.0;
    const BOTTOM: f64 = 34.0;
    let max = buckets
        .iter()
        .map(|b| b.incident + b.service_request)
        .max()
        .unwrap_or(0)
        .max(1);
    // Whole-number gridlines, about five of them, with room above the
    // tallest bar for its figure.
    let step = max.div_ceil(5).max(1);
    let top_value = (max / step + 1) * step;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y = |v: usize| TOP + plot_h * (1.0 - v as f64 / top_value as f64);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title\">\n<title id=\"chart-title\">Incidents and service requests registered per period</title>\n"
    );
    // Legend.
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#1f4e79\"/><text x=\"{}\" y=\"18\" font-size=\"13\">incidents</text>\n<rect x=\"{}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#3fa796\"/><text x=\"{}\" y=\"18\" font-size=\"13\">service requests</text>\n",
        LEFT + 18.0,
        LEFT + 100.0,
        LEFT + 118.0
    );
    let mut v = 0;
    while v <= top_value {
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d5dde5\" stroke-width=\"1\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#5b6b7a\">{v}</text>",
            W - RIGHT,
            LEFT - 8.0,
            y(v) + 4.0,
            y = y(v),
        );
        v += step;
    }
    let band = plot_w / buckets.len().max(1) as f64;
    let bar = (band * 0.62).min(48.0);
    for (i, b) in buckets.iter().enumerate() {
        let x = LEFT + band * i as f64 + (band - bar) / 2.0;
        let total = b.incident + b.service_request;
        let tip = format!(
            "{} ({} – {}): {} incidents, {} service requests",
            b.label, b.from, b.to, b.incident, b.service_request
        );
        let _ = write!(s, "<g><title>{}</title>", html::text(&tip));
        if b.incident > 0 {
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"#1f4e79\"/>",
                y(b.incident),
                y(0) - y(b.incident)
            );
        }
        if b.service_request > 0 {
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"#3fa796\"/>",
                y(total),
                y(b.incident) - y(total)
            );
        }
        if total > 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"600\">{total}</text>",
                x + bar / 2.0,
                y(total) - 5.0
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6b7a\">{}</text></g>",
            x + bar / 2.0,
            H - BOTTOM + 18.0,
            html::text(&b.label)
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#5b6b7a\" stroke-width=\"1\"/>\n</svg>",
        W - RIGHT,
        y(0),
        y(0)
    );
    s
}
