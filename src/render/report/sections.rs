//! The report's sections, one function each, in the order every format
//! draws them. Each decides its rows and what it says when it has none;
//! none of them escapes anything, since each format does its own.

use chrono_tz::Tz;

use super::{Cell, Lang, Section, Tone, duration, local, percent_in, target_in, yes_no};
use crate::report::Report;

/// Every section of the report. The two sections about response times
/// stand only when the policy sets service levels; the classes' section
/// only when some service has a class.
pub(super) fn sections(r: &Report, tz: Tz) -> Vec<Section> {
    let l = Lang::of(r);
    let mut out = vec![tickets(r, l)];
    if !r.counted.is_empty() {
        out.push(duties(r, l));
    }
    out.push(sla_compliance(r, l));
    if r.service_levels {
        out.push(not_covered(r, l));
        out.push(breaches(r, l, tz));
    }
    out.push(availability(r, l));
    if !r.classes.is_empty() {
        out.push(classes(r, l));
    }
    out.push(major_incidents(r, l));
    out.push(crisis_candidates(r, l));
    out
}

/// What a section says when the policy sets no service levels at all.
fn no_levels(r: &Report, l: Lang) -> String {
    match l {
        Lang::Sv => format!("Policyn {} anger inga servicenivåer.", r.policy),
        Lang::En => format!("The {} policy sets no service levels.", r.policy),
    }
}

/// What an empty section says: `none` when the policy sets service
/// levels (so the emptiness is a finding), else that it sets none.
fn empty_text(r: &Report, l: Lang, none: &'static str) -> String {
    if r.service_levels {
        l.t(none).into()
    } else {
        no_levels(r, l)
    }
}

/// Tickets registered in the period, by priority, with their total.
fn tickets(r: &Report, l: Lang) -> Section {
    let mut rows: Vec<Vec<Cell>> = r
        .counts
        .by_priority
        .iter()
        .map(|c| {
            vec![
                // A ticket without a priority is counted on a row without one.
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
    Section {
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
    }
}

/// The tickets that break a rule the pack counts (`report:`), one row per
/// such rule, with the count and the IDs.
fn duties(r: &Report, l: Lang) -> Section {
    Section {
        title: l.t("Registration duties not met").into(),
        intro: Some(
            l.t("Tickets registered in the period that break a duty of the agreement the desk cannot enforce; they are registered all the same.")
                .into(),
        ),
        header: vec![l.t("rule"), l.t("label"), l.t("tickets"), l.t("id")],
        numeric: vec![2],
        rows: r
            .counted
            .iter()
            .map(|c| {
                vec![
                    c.rule.as_str().into(),
                    l.value(&c.label, None).into(),
                    c.count.to_string().into(),
                    c.tickets.join(", ").into(),
                ]
            })
            .collect(),
        empty: String::new(),
        total: false,
    }
}

/// SLA compliance per priority; a priority without a clock says so
/// rather than showing a share of nothing. The total row stands only when
/// the policy sets service levels.
fn sla_compliance(r: &Report, l: Lang) -> Section {
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
    Section {
        title: l.t("SLA compliance").into(),
        intro: r.service_levels.then(|| {
            l.t("Clocks that stopped in the period, and running clocks that went past their target in it; each breach counts once. Compliance is the share met.").into()
        }),
        header: vec![l.t("priority"), l.t("label"), l.t("counted"), l.t("met"), l.t("breached"), l.t("compliance")],
        numeric: vec![2, 3, 4, 5],
        rows,
        empty: no_levels(r, l),
        total: r.service_levels,
    }
}

/// Tickets no response time applies to, counted apart.
fn not_covered(r: &Report, l: Lang) -> Section {
    Section {
        title: l.t("Not covered by response times").into(),
        intro: Some(l.t("Tickets incomplete at registration, or that needed follow-up from the customer (003 §3.2.4): no response time applies, so they are counted apart.").into()),
        header: vec![l.t("id")],
        numeric: vec![],
        rows: r
            .sla_not_covered
            .iter()
            .map(|id| vec![id.as_str().into()])
            .collect(),
        empty: l.t("None.").into(),
        total: false,
    }
}

/// Every clock that breached, with its due time and when it stopped (or
/// that it still runs), in the report's time zone.
fn breaches(r: &Report, l: Lang, tz: Tz) -> Section {
    Section {
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
                    l.value(&b.clock, None).into(),
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
    }
}

/// Availability of every service that had an outage, against its
/// class's target; the intro says over how long a period.
fn availability(r: &Report, l: Lang) -> Section {
    Section {
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
        empty: empty_text(r, l, "No outage in the period."),
        total: false,
    }
}

/// Per availability class: how many services met its target, and the
/// lowest figure among them (red when not all did).
fn classes(r: &Report, l: Lang) -> Section {
    Section {
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
    }
}

/// The major incidents of the period, with their managers.
fn major_incidents(r: &Report, l: Lang) -> Section {
    Section {
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
                    l.value(&m.status, m.status_label.as_deref()).into(),
                    m.manager.as_deref().unwrap_or("").into(),
                    m.title.as_str().into(),
                ]
            })
            .collect(),
        empty: empty_text(r, l, "None."),
        total: false,
    }
}

/// Outages long enough to call for a crisis assessment; the intro names
/// the policy's threshold when it sets one.
fn crisis_candidates(r: &Report, l: Lang) -> Section {
    Section {
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
                    c.excluded
                        .as_deref()
                        .map(|e| l.value(e, c.excluded_label.as_deref()))
                        .unwrap_or_default()
                        .into(),
                    c.title.as_str().into(),
                ]
            })
            .collect(),
        empty: empty_text(r, l, "None."),
        total: false,
    }
}
