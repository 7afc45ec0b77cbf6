//! `arende report` in every format but JSON: text tables, Markdown and a
//! self-contained HTML page, all drawn from one list of sections so they
//! cannot disagree. Service names, managers, titles and notes come from
//! records, so each format escapes them its own way.

mod chart;
mod page;
mod sections;

use std::fmt::Write as _;

use chrono_tz::Tz;

pub use page::html;
use sections::sections;

use super::markdown::text;
use super::table::{Style, Table};
use crate::report::{Note, Report};

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
    (
        "Registration duties not met",
        "Anmälningskrav som inte uppfyllts",
    ),
    (
        "Tickets registered in the period that break a duty of the agreement the desk cannot enforce; they are registered all the same.",
        "Ärenden registrerade under perioden som bryter mot ett krav i avtalet som servicedesken inte kan upprätthålla; de registreras ändå.",
    ),
    ("rule", "regel"),
    ("tickets", "ärenden"),
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
        "Tickets incomplete at registration, or that needed follow-up from the customer (003 §3.2.4): no response time applies, so they are counted apart.",
        "Ärenden som inte var kompletta vid registreringen eller krävde uppföljning från kund (003 §3.2.4): ingen svarstid gäller, så de räknas för sig.",
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
    ("incident registered", "registrerad incident"),
    (
        "service requests registered",
        "registrerade serviceförfrågningar",
    ),
    ("service request registered", "registrerad serviceförfrågan"),
    ("incident", "incident"),
    ("service request", "serviceförfrågan"),
    ("major incident", "större incident"),
    (
        "SLA compliance, all priorities",
        "uppfyllelse av servicenivåer, alla prioriteter",
    ),
    ("major incidents", "större incidenter"),
    ("lowest availability", "lägsta tillgänglighet"),
    // What the packs count (`report:` of a rule), and their clocks, which
    // have no Swedish label of their own.
    (
        "priority 1 not reported by phone",
        "allvarlig incident (prio 1) inte anmäld via telefon",
    ),
    ("troubleshooting", "felsökning"),
    ("feedback", "återkoppling"),
    ("response", "svar"),
    ("resolution", "lösning"),
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

    /// A count and what is counted, in the singular for one
    /// (`1 incident`, `2 incidents`).
    fn count(self, n: usize, one: &'static str, many: &'static str) -> &'static str {
        self.t(if n == 1 { one } else { many })
    }

    /// A value the report prints as its ID (a status, an excluded cause, a
    /// clock): in Swedish the pack's label where it has one, else the
    /// table's word, else the ID; in English the ID in words.
    fn value(self, id: &str, label: Option<&str>) -> String {
        match (self, label) {
            (Lang::Sv, Some(label)) => label.to_owned(),
            (Lang::Sv, None) => SV
                .iter()
                .find(|(e, _)| *e == id)
                .map_or(id, |(_, sv)| sv)
                .to_owned(),
            (Lang::En, _) => id.replace('_', " "),
        }
    }

    /// A note of the report in this language.
    fn note(self, note: &Note) -> String {
        let Lang::Sv = self else {
            return note.to_string();
        };
        match note {
            Note::NotEnded { until } => format!(
                "perioden har inte tagit slut: klockor och pågående avbrott mäts fram till {until}"
            ),
            Note::NoOutageStart { id } => {
                format!("{id}: avbrottet har ingen start och räknas inte")
            }
            Note::OutageBackwards { id } => {
                format!("{id}: avbrottet slutar innan det börjar och räknas inte")
            }
            Note::ClassDiffers {
                id,
                service,
                class,
                earlier,
            } => format!(
                "{id}: {} har klass {class} här men klass {earlier} på en tidigare incident; den tidigare klassen används",
                service.as_deref().unwrap_or(self.t("(no service)"))
            ),
            Note::NoServiceLevels { policy } => format!(
                "policyn {policy} anger inga servicenivåer: ingen uppfyllelse av servicenivåer, tillgänglighet, större incidenter eller möjliga kriser"
            ),
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
            l.count(
                r.counts.incident,
                "incident registered",
                "incidents registered",
            )
            .to_owned(),
            Tone::Plain,
        ),
        (
            r.counts.service_request.to_string(),
            l.count(
                r.counts.service_request,
                "service request registered",
                "service requests registered",
            )
            .to_owned(),
            Tone::Plain,
        ),
        (
            percent_in(r.sla_total.compliance_percent, 1, l),
            l.t("SLA compliance, all priorities").to_owned(),
            Tone::Plain,
        ),
        (
            r.major_incidents.len().to_string(),
            l.count(r.major_incidents.len(), "major incident", "major incidents")
                .to_owned(),
            Tone::Plain,
        ),
    ];
    if r.service_levels {
        out.push(lowest_availability(r, l));
    }
    out
}

/// The card of the service with the lowest availability, against its
/// class's target; with no outage at all, every service had 100 %.
fn lowest_availability(r: &Report, l: Lang) -> (String, String, Tone) {
    let lowest = r
        .availability
        .iter()
        .min_by(|a, b| a.availability_percent.total_cmp(&b.availability_percent));
    let Some(a) = lowest else {
        return (
            "100 %".to_owned(),
            l.t("lowest availability").to_owned(),
            Tone::Good,
        );
    };
    let who = a.service.as_deref().unwrap_or(l.t("(no service)"));
    // A service without a class, or a class without a target, says nothing of it.
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

/// A time as the report's readers read it; a time not set is an empty
/// cell.
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

/// The report's title and subtitle, in its language.
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
            let _ = writeln!(text, "- {}", l.note(n));
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
            let _ = writeln!(out, "- {}", text(&l.note(n)));
        }
    }
    out
}
