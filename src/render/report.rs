//! `arende report` in every format but JSON: text tables, Markdown and a
//! self-contained HTML page, all drawn from one list of sections so they
//! cannot disagree. Service names, managers, titles and notes come from
//! records, so each format escapes them its own way.

use std::fmt::Write as _;

use chrono_tz::Tz;

use super::html;
use super::markdown::text;
use super::table::{Style, Table};
use crate::report::{Bucket, Report};

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

/// The language a report is written in: the agreement's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Sv,
}

/// Swedish for each fixed text of the report (English is the key).
const SV: &[(&str, &str)] = &[
    ("yes", "ja"),
    ("no", "nej"),
    ("Total", "Totalt"),
    ("All", "Alla"),
    ("Tickets registered", "Registrerade ärenden"),
    (
        "Incidents and service requests opened in the period, by priority.",
        "Incidenter och serviceförfrågningar registrerade under perioden, per prioritet.",
    ),
    ("priority", "prioritet"),
    ("label", "benämning"),
    ("incidents", "incidenter"),
    ("service requests", "serviceförfrågningar"),
    ("SLA compliance", "Uppfyllelse av servicenivåer"),
    (
        "Clocks that stopped in the period, and running clocks that went past their target in it; each breach counts once. Compliance is the share met.",
        "Klockor som stannade under perioden, och löpande klockor som passerade sitt mål under den; varje överträdelse räknas en gång. Uppfyllelsen är andelen som hölls.",
    ),
    ("counted", "räknade"),
    ("met", "uppfyllda"),
    ("breached", "överträdda"),
    ("compliance", "uppfyllelse"),
    ("no target", "inget mål"),
    ("Breached clocks", "Överträdda klockor"),
    ("Not covered by response times", "Utanför svarstiderna"),
    (
        "Tickets incomplete at registration (003 §3.2.4): no response time applies, so they are counted apart.",
        "Ärenden som inte var kompletta vid registreringen (003 §3.2.4): ingen svarstid gäller, så de räknas för sig.",
    ),
    ("None.", "Inga."),
    ("id", "id"),
    ("clock", "klocka"),
    ("target", "mål"),
    ("due", "senast"),
    ("stopped", "stannade"),
    ("still running", "löper fortfarande"),
    ("None.", "Inga."),
    ("Availability", "Tillgänglighet"),
    ("service", "tjänst"),
    ("class", "klass"),
    ("downtime", "avbrottstid"),
    ("excluded", "undantaget"),
    ("availability", "tillgänglighet"),
    ("(no service)", "(ingen tjänst)"),
    ("No outage in the period.", "Inga avbrott under perioden."),
    ("Availability per class", "Tillgänglighet per klass"),
    ("services", "tjänster"),
    ("met target", "nådde målet"),
    ("lowest", "lägst"),
    ("(no class)", "(ingen klass)"),
    ("Major incidents", "Större incidenter"),
    ("status", "status"),
    ("manager", "ansvarig"),
    ("title", "rubrik"),
    ("Crisis candidates", "Möjliga kriser"),
    ("outage", "avbrott"),
    ("excluded cause", "undantagen orsak"),
    ("Notes", "Att notera"),
    ("report", "rapport"),
    (
        "Tickets registered per week",
        "Registrerade ärenden per vecka",
    ),
    (
        "Tickets registered per month",
        "Registrerade ärenden per månad",
    ),
    (
        "Incidents and service requests registered per period",
        "Incidenter och serviceförfrågningar registrerade per period",
    ),
    ("incidents registered", "registrerade incidenter"),
    (
        "service requests registered",
        "registrerade serviceförfrågningar",
    ),
    (
        "SLA compliance, all priorities",
        "uppfyllelse av servicenivåer, alla prioriteter",
    ),
    ("major incidents", "större incidenter"),
    ("lowest availability", "lägsta tillgänglighet"),
];

impl Lang {
    fn of(r: &Report) -> Lang {
        if r.language == "sv" {
            Lang::Sv
        } else {
            Lang::En
        }
    }

    /// The text in this language (the English text is its own key).
    fn t(self, en: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Sv => SV.iter().find(|(e, _)| *e == en).map_or(en, |(_, sv)| sv),
        }
    }
}

/// The headline figures: tickets, SLA compliance, major incidents, and
/// the lowest availability against its class's target (red when a class
/// missed it).
fn cards(r: &Report, l: Lang) -> Vec<(String, String, Tone)> {
    let mut out = vec![
        (
            r.counts.incident.to_string(),
            l.t("incidents registered").to_owned(),
            Tone::Plain,
        ),
        (
            r.counts.service_request.to_string(),
            l.t("service requests registered").to_owned(),
            Tone::Plain,
        ),
        (
            percent_in(r.sla_total.compliance_percent, 1, l),
            l.t("SLA compliance, all priorities").to_owned(),
            Tone::Plain,
        ),
        (
            r.major_incidents.len().to_string(),
            l.t("major incidents").to_owned(),
            Tone::Plain,
        ),
    ];
    let lowest = r
        .availability
        .iter()
        .min_by(|a, b| a.availability_percent.total_cmp(&b.availability_percent));
    if r.service_levels {
        let (figure, label, tone) = match lowest {
            Some(a) => {
                let who = a.service.as_deref().unwrap_or(l.t("(no service)"));
                let class = a
                    .class
                    .as_deref()
                    .map(|c| format!(", {} {c}", l.t("class")))
                    .unwrap_or_default();
                let target = a
                    .target_percent
                    .map(|t| format!(" ({} {})", l.t("target"), percent_in(Some(t), 1, l)))
                    .unwrap_or_default();
                let tone = match a.met {
                    Some(true) => Tone::Good,
                    Some(false) => Tone::Bad,
                    None => Tone::Plain,
                };
                (
                    percent_in(Some(a.availability_percent), 2, l),
                    format!("{}: {who}{class}{target}", l.t("lowest availability")),
                    tone,
                )
            }
            None => (
                "100 %".to_owned(),
                l.t("lowest availability").to_owned(),
                Tone::Good,
            ),
        };
        out.push((figure, label, tone));
    }
    out
}

fn yes_no(met: Option<bool>, l: Lang) -> Cell {
    match met {
        Some(true) => Cell {
            text: l.t("yes").into(),
            tone: Tone::Good,
        },
        Some(false) => Cell {
            text: l.t("no").into(),
            tone: Tone::Bad,
        },
        None => Cell::from("–"),
    }
}

fn percent(p: Option<f64>, places: usize) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{p:.places$} %"))
}

/// [`percent`] with the language's decimal mark (Swedish writes 99,9 %).
fn percent_in(p: Option<f64>, places: usize, l: Lang) -> String {
    let text = percent(p, places);
    match l {
        Lang::Sv => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A clock's target (`3 working days (office hours)`) in the language.
fn target_in(target: &str, l: Lang) -> String {
    match l {
        Lang::En => target.to_owned(),
        Lang::Sv => [
            ("working days", "arbetsdagar"),
            ("working day", "arbetsdag"),
            ("office hours", "kontorstid"),
            ("hours", "timmar"),
            ("hour", "timme"),
            ("days", "dagar"),
            ("day", "dag"),
        ]
        .iter()
        .fold(target.to_owned(), |t, (en, sv)| t.replace(en, sv)),
    }
}

fn local(t: Option<crate::time::Timestamp>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A duration as people read it: days, hours and minutes, the largest
/// first, naught parts left out (`3 d 4 h`, Swedish `3 dygn 4 tim`).
fn duration(m: i64, l: Lang) -> String {
    let (d, h, min) = (m / 1440, m % 1440 / 60, m % 60);
    let (dn, hn) = match l {
        Lang::Sv => ("dygn", "tim"),
        Lang::En => ("d", "h"),
    };
    let mut parts = Vec::new();
    if d != 0 {
        parts.push(format!("{d} {dn}"));
    }
    if h != 0 {
        parts.push(format!("{h} {hn}"));
    }
    if min != 0 || parts.is_empty() {
        parts.push(format!("{min} min"));
    }
    parts.join(" ")
}

fn heading(r: &Report, tz: Tz) -> (String, String) {
    let l = Lang::of(r);
    let at = r.at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z");
    let title = match (l, &r.organisation) {
        (Lang::Sv, Some(o)) => format!("Rapport {} – {o}", r.period.label),
        (Lang::Sv, None) => format!("Rapport {}", r.period.label),
        (Lang::En, Some(o)) => format!("Report {} – {o}", r.period.label),
        (Lang::En, None) => format!("Report {}", r.period.label),
    };
    let subtitle = match l {
        Lang::Sv => format!(
            "{} – {}, policy {}; klockor och pågående avbrott per {at}",
            r.period.from, r.period.to, r.policy
        ),
        Lang::En => format!(
            "{} – {}, policy {}; clocks and open outages as at {at}",
            r.period.from, r.period.to, r.policy
        ),
    };
    (title, subtitle)
}

fn sections(r: &Report, tz: Tz) -> Vec<Section> {
    let l = Lang::of(r);
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
        l.t("Total").into(),
        r.counts.incident.to_string().into(),
        r.counts.service_request.to_string().into(),
    ]);
    out.push(Section {
        title: l.t("Tickets registered").into(),
        intro: Some(
            l.t("Incidents and service requests opened in the period, by priority.")
                .into(),
        ),
        header: vec![
            l.t("priority"),
            l.t("label"),
            l.t("incidents"),
            l.t("service requests"),
        ],
        numeric: vec![2, 3],
        rows,
        empty: String::new(),
        total: true,
    });

    let no_levels = match l {
        Lang::Sv => format!("Policyn {} anger inga servicenivåer.", r.policy),
        Lang::En => format!("The {} policy sets no service levels.", r.policy),
    };
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
                if s.has_clock {
                    percent_in(s.compliance.compliance_percent, 1, l).into()
                } else {
                    l.t("no target").into()
                },
            ]
        })
        .collect();
    if r.service_levels {
        rows.push(vec![
            "".into(),
            l.t("All").into(),
            r.sla_total.counted.to_string().into(),
            r.sla_total.met.to_string().into(),
            r.sla_total.breached.to_string().into(),
            percent_in(r.sla_total.compliance_percent, 1, l).into(),
        ]);
    }
    out.push(Section {
        title: l.t("SLA compliance").into(),
        intro: r.service_levels.then(|| {
            l.t("Clocks that stopped in the period, and running clocks that went past their target in it; each breach counts once. Compliance is the share met.").into()
        }),
        header: vec![l.t("priority"), l.t("label"), l.t("counted"), l.t("met"), l.t("breached"), l.t("compliance")],
        numeric: vec![2, 3, 4, 5],
        rows,
        empty: no_levels.clone(),
        total: r.service_levels,
    });

    if r.service_levels {
        out.push(Section {
            title: l.t("Not covered by response times").into(),
            intro: Some(l.t("Tickets incomplete at registration (003 §3.2.4): no response time applies, so they are counted apart.").into()),
            header: vec![l.t("id")],
            numeric: vec![],
            rows: r
                .sla_not_covered
                .iter()
                .map(|id| vec![id.as_str().into()])
                .collect(),
            empty: l.t("None.").into(),
            total: false,
        });
    }
    if r.service_levels {
        out.push(Section {
            title: l.t("Breached clocks").into(),
            intro: None,
            header: vec![
                l.t("id"),
                l.t("priority"),
                l.t("clock"),
                l.t("target"),
                l.t("due"),
                l.t("stopped"),
            ],
            numeric: vec![1],
            rows: r
                .breaches
                .iter()
                .map(|b| {
                    vec![
                        b.id.as_str().into(),
                        b.priority.to_string().into(),
                        b.clock.as_str().into(),
                        target_in(&b.target, l).into(),
                        local(b.due, tz).into(),
                        if b.stopped.is_some() {
                            local(b.stopped, tz).into()
                        } else {
                            l.t("still running").into()
                        },
                    ]
                })
                .collect(),
            empty: l.t("None.").into(),
            total: false,
        });
    }

    out.push(Section {
        title: l.t("Availability").into(),
        intro: r.service_levels.then(|| {
            match l {
                Lang::Sv => format!(
                    "Tjänster med avbrott under perioden, av {}. Planerade servicefönster och avbrott med undantagen orsak räknas inte; överlappande avbrott räknas en gång. Tjänster utan avbrott var tillgängliga 100 %.",
                    duration(r.period.minutes, l)
                ),
                Lang::En => format!(
                    "Services with an outage in the period, over {}. Planned windows and outages with an excluded cause are left out; overlapping outages count once. Services without an outage were available 100 %.",
                    duration(r.period.minutes, l)
                ),
            }
        }),
        header: vec![
            l.t("service"),
            l.t("class"),
            l.t("downtime"),
            l.t("excluded"),
            l.t("availability"),
            l.t("target"),
            l.t("met"),
            l.t("incidents"),
        ],
        numeric: vec![2, 3, 4, 5],
        rows: r
            .availability
            .iter()
            .map(|a| {
                vec![
                    a.service.as_deref().unwrap_or(l.t("(no service)")).into(),
                    a.class.as_deref().unwrap_or("–").into(),
                    duration(a.downtime_minutes, l).into(),
                    duration(a.excluded_minutes, l).into(),
                    percent_in(Some(a.availability_percent), 4, l).into(),
                    percent_in(a.target_percent, 1, l).into(),
                    yes_no(a.met, l),
                    a.incidents.join(", ").into(),
                ]
            })
            .collect(),
        empty: if r.service_levels {
            l.t("No outage in the period.").into()
        } else {
            no_levels.clone()
        },
        total: false,
    });

    if !r.classes.is_empty() {
        out.push(Section {
            title: l.t("Availability per class").into(),
            intro: None,
            header: vec![
                l.t("class"),
                l.t("target"),
                l.t("services"),
                l.t("met target"),
                l.t("lowest"),
            ],
            numeric: vec![1, 2, 3, 4],
            rows: r
                .classes
                .iter()
                .map(|c| {
                    vec![
                        c.class.as_deref().unwrap_or(l.t("(no class)")).into(),
                        percent_in(c.target_percent, 1, l).into(),
                        c.services.to_string().into(),
                        Cell {
                            text: c.met.to_string(),
                            tone: if c.met == c.services {
                                Tone::Good
                            } else {
                                Tone::Bad
                            },
                        },
                        percent_in(Some(c.lowest_percent), 4, l).into(),
                    ]
                })
                .collect(),
            empty: String::new(),
            total: false,
        });
    }

    out.push(Section {
        title: l.t("Major incidents").into(),
        intro: None,
        header: vec![
            l.t("id"),
            l.t("priority"),
            l.t("status"),
            l.t("manager"),
            l.t("title"),
        ],
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
            l.t("None.").into()
        } else {
            no_levels.clone()
        },
        total: false,
    });

    out.push(Section {
        title: l.t("Crisis candidates").into(),
        intro: r.crisis_after_minutes.map(|m| match l {
            Lang::Sv => format!(
                "Oplanerade avbrott under perioden som är längre än {} kräver en krisbedömning.",
                duration(m, l)
            ),
            Lang::En => format!(
                "Unplanned outages in the period longer than {} call for a crisis assessment.",
                duration(m, l)
            ),
        }),
        header: vec![
            l.t("id"),
            l.t("service"),
            l.t("outage"),
            l.t("excluded cause"),
            l.t("title"),
        ],
        numeric: vec![2],
        rows: r
            .crisis_candidates
            .iter()
            .map(|c| {
                vec![
                    c.id.as_str().into(),
                    c.service.as_deref().unwrap_or("").into(),
                    duration(c.outage_minutes, l).into(),
                    c.excluded.as_deref().unwrap_or("").into(),
                    c.title.as_str().into(),
                ]
            })
            .collect(),
        empty: if r.service_levels {
            l.t("None.").into()
        } else {
            no_levels
        },
        total: false,
    });
    out
}

/// The report as text tables, for a terminal.
pub fn tables(r: &Report, tz: Tz, style: Style) -> String {
    let l = Lang::of(r);
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
        let _ = writeln!(text, "\n{}", l.t("Notes"));
        for n in &r.notes {
            let _ = writeln!(text, "- {n}");
        }
    }
    super::terminal(&text).into_owned()
}

/// The report as Markdown.
pub fn markdown(r: &Report, tz: Tz) -> String {
    let l = Lang::of(r);
    let (title, subtitle) = heading(r, tz);
    let mut out = format!("# {}\n\n{}\n", text(&title), text(&subtitle));
    let _ = write!(
        out,
        "\n{}\n",
        cards(r, l)
            .iter()
            .map(|c| format!("- **{}** {}", text(&c.0), text(&c.1)))
            .collect::<Vec<_>>()
            .join("\n")
    );
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
        let _ = write!(out, "\n## {}\n\n", l.t("Notes"));
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
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} – {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
        html::text(&r.language),
        html::text(&title),
        html::text(&r.policy),
        html::text(&title),
        html::text(&subtitle)
    );
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

/// Stacked bars, incidents below service requests, one per bucket; inline
/// SVG so the page needs nothing beyond itself.
fn chart(buckets: &[Bucket], l: Lang) -> String {
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
        "<svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title\">\n<title id=\"chart-title\">{}</title>\n",
        html::text(l.t("Incidents and service requests registered per period"))
    );
    // Legend.
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#1f4e79\"/><text x=\"{}\" y=\"18\" font-size=\"13\">{}</text>\n<rect x=\"{}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#3fa796\"/><text x=\"{}\" y=\"18\" font-size=\"13\">{}</text>\n",
        LEFT + 18.0,
        html::text(l.t("incidents")),
        LEFT + 110.0,
        LEFT + 128.0,
        html::text(l.t("service requests"))
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
            "{} ({} – {}): {} {}, {} {}",
            b.label,
            b.from,
            b.to,
            b.incident,
            l.t("incidents"),
            b.service_request,
            l.t("service requests")
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
