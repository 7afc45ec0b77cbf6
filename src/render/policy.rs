//! `arende policy show` and `arende policy explain`, for a person. A
//! repository's overrides can set any text in its pack, so the output is
//! cleaned for the terminal like record text.

use super::table::{Style, Table};
use crate::calendar::{CalendarSettings, Day};
use crate::kind::Kind;
use crate::policy::{ClockHours, Policy, RaciTable, Rule, ServiceLevels};
use crate::record::Level;
use crate::record::statuses;
use crate::validate::checks::Check;

/// A rule of the pack: what it asks, its severity and the seed clause.
pub fn rule(policy: &Policy, rule: &Rule) -> String {
    let mut out = format!(
        "{} [{}] {}\n\napplies to: {}\nwhen:      {}\nrequires:  {}\nreports:   {}\n",
        rule.id,
        rule.severity.as_str(),
        rule.title,
        rule.kind,
        describe_all(&rule.when, "always"),
        describe_all(&rule.require, "-"),
        rule.message
    );
    if let Some(h) = &rule.help {
        out.push_str(&format!("fix:       {h}\n"));
    }
    match (&rule.clause, &rule.own_choice) {
        (Some(clause), _) => {
            let source = policy
                .sources
                .iter()
                .find(|s| s.file.starts_with(&clause.seed))
                .map_or(clause.seed.clone(), |s| format!("{} ({})", s.file, s.title));
            out.push_str(&format!(
                "\nseed:      {source}\nsection:   {}\nwords:     «{}»\n",
                clause.section, clause.words
            ));
        }
        (None, why) => out.push_str(&format!(
            "\nseed:      none: the pack's own choice\nwhy:       {}\n",
            why.as_deref().unwrap_or("-")
        )),
    }
    if let Some(c) = &rule.chosen {
        out.push_str(&format!("chosen:    {c}\n"));
    }
    out.push_str(&format!("policy:    {} ({})\n", policy.name, policy.title));
    super::terminal(&out).into_owned()
}

/// A built-in check.
pub fn check(check: &Check) -> String {
    format!(
        "{} [{}] {}\n\nbuilt-in check of every repository, whatever the policy\nwhy:       {}\n",
        check.id,
        check.severity.as_str(),
        check.title,
        check.why
    )
}

fn describe_all(ps: &[crate::policy::Predicate], empty: &str) -> String {
    if ps.is_empty() {
        return empty.to_owned();
    }
    ps.iter().map(describe).collect::<Vec<_>>().join(" and ")
}

fn describe(p: &crate::policy::Predicate) -> String {
    p.to_string()
}

/// The pack in force, for a person: its tables and its rules, in the
/// order the seeds give them.
pub fn pack(p: &Policy, style: Style) -> String {
    let mut out = format!("{} ({})\n", p.title, p.name);
    for s in &p.sources {
        out.push_str(&format!("  source: {} – {}\n", s.file, s.title));
    }
    priorities(p, style, &mut out);
    matrix(p, style, &mut out);
    problem_classes(p, style, &mut out);
    parties(p, style, &mut out);
    change_categories(p, style, &mut out);
    release_scheme(p, &mut out);
    machines(p, &mut out);
    words(p, style, &mut out);
    if let Some(levels) = &p.service_levels {
        service_levels(levels, style, &mut out);
    } else {
        out.push_str(
            "\nService levels: none (the agreement sets no SLA clocks or availability targets)\n",
        );
    }
    rules(p, style, &mut out);
    approval_steps(p, style, &mut out);
    for table in &p.raci {
        raci(p, table, style, &mut out);
    }
    super::terminal(&out).into_owned()
}

/// The words every enumerated value is also taken as, the Swedish label
/// first: what `set`, `new`, `status`, `list` and `import` accept and the
/// editor template shows.
fn words(p: &Policy, style: Style, out: &mut String) {
    let mut t = Table::new(&["field", "value", "label", "also"], style);
    for (field, values) in &p.words {
        for (id, words) in values {
            t.add_row(vec![
                field.clone(),
                id.clone(),
                words.first().cloned().unwrap_or_default(),
                words.get(1..).unwrap_or_default().join(", "),
            ]);
        }
    }
    titled(
        "Words (each value is also taken by its label or these words, in any case, with or without accents)",
        &t,
        out,
    );
}

/// A part of the pack that is a table: a blank line, its title, the table.
fn titled(title: &str, t: &Table, out: &mut String) {
    out.push_str(&format!("\n{title}\n{t}\n"));
}

/// The priority levels, with the seed's labels and definitions.
fn priorities(p: &Policy, style: Style, out: &mut String) {
    let mut t = Table::new(&["prio", "label", "definition", "clause"], style);
    for l in &p.priorities {
        t.add_row(vec![
            l.level.to_string(),
            l.label.clone(),
            l.definition.clone(),
            l.clause.clone(),
        ]);
    }
    titled("Priorities", &t, out);
}

/// The impact × urgency matrix an incident's priority comes from (a cell
/// the pack leaves open is blank), and the fixed priority of service
/// requests if the pack sets one.
fn matrix(p: &Policy, style: Style, out: &mut String) {
    let mut t = Table::new(&["impact \\ urgency", "high", "medium", "low"], style);
    for impact in Level::ALL {
        let mut cells = vec![impact.as_str().to_owned()];
        cells.extend(Level::ALL.iter().map(|u| {
            p.matrix
                .get(impact, *u)
                .map_or_else(String::new, |n| n.get().to_string())
        }));
        t.add_row(cells);
    }
    titled(
        &format!("Priority matrix: impact × urgency ({})", p.matrix.clause),
        &t,
        out,
    );
    if let Some(r) = p.request_priority {
        out.push_str(&format!("Service requests: priority {r}\n"));
    }
}

/// The problem classes, if the pack has any.
fn problem_classes(p: &Policy, style: Style, out: &mut String) {
    if p.problem_classes.is_empty() {
        return;
    }
    let mut t = Table::new(&["class", "label", "definition", "clause"], style);
    for c in &p.problem_classes {
        t.add_row(vec![
            c.class.to_string(),
            c.label.clone(),
            c.definition.clone(),
            c.clause.clone(),
        ]);
    }
    titled("Problem classes", &t, out);
}

/// The parties to the agreement: who may report, who approves.
fn parties(p: &Policy, style: Style, out: &mut String) {
    let mut t = Table::new(
        &["party", "label", "also", "reports", "approves", "clause"],
        style,
    );
    for party in &p.parties {
        t.add_row(vec![
            party.id.clone(),
            party.label.clone(),
            party.aliases.join(", "),
            yes_no(party.reports),
            yes_no(party.approves),
            party.clause.clone(),
        ]);
    }
    titled("Parties", &t, out);
}

/// The categories of change, if the pack has any.
fn change_categories(p: &Policy, style: Style, out: &mut String) {
    if p.change_categories.is_empty() {
        return;
    }
    let mut t = Table::new(&["category", "label", "definition", "clause"], style);
    for c in &p.change_categories {
        t.add_row(vec![
            c.id.clone(),
            c.label.clone(),
            c.definition.clone(),
            c.clause.clone(),
        ]);
    }
    titled("Change categories", &t, out);
}

/// How releases are numbered, and how many may be deployed at once.
fn release_scheme(p: &Policy, out: &mut String) {
    if let Some(r) = &p.release_scheme {
        out.push_str(&format!(
            "\nRelease versions: external {}, internal {}; at most {} deployed at once ({})\n",
            r.external,
            r.internal,
            r.max_deployed
                .map_or("any number".to_owned(), |m| m.to_string()),
            r.clause
        ));
    }
}

/// Each kind's status machine: where it starts and every move it allows,
/// one line a kind.
fn machines(p: &Policy, out: &mut String) {
    out.push_str("\nStatus machines\n");
    for kind in Kind::ALL {
        let m = p.machine(kind);
        let moves: Vec<String> = statuses(kind)
            .iter()
            .filter(|s| !m.next(s).is_empty())
            .map(|from| format!("{from} → {}", m.next(from).join(" | ")))
            .collect();
        out.push_str(&format!(
            "  {kind} (starts {}): {}\n",
            m.initial,
            moves.join(", ")
        ));
    }
}

/// The pack's rules, one line each with the clause it rests on.
fn rules(p: &Policy, style: Style, out: &mut String) {
    let mut t = Table::new(&["rule", "severity", "kind", "what", "seed clause"], style);
    for r in &p.rules {
        t.add_row(vec![
            r.id.clone(),
            r.severity.as_str().to_owned(),
            r.kind.to_string(),
            r.title.clone(),
            r.grounds_short(),
        ]);
    }
    titled("Rules", &t, out);
}

/// The approval steps, if the pack has any: who gives each (any or all of
/// its parties), what it gates and what it covers.
fn approval_steps(p: &Policy, style: Style, out: &mut String) {
    if p.approval_steps.is_empty() {
        return;
    }
    let mut t = Table::new(
        &["kind", "step", "given by", "gates", "covers", "clause"],
        style,
    );
    for st in &p.approval_steps {
        t.add_row(vec![
            st.kind.to_string(),
            st.id.clone(),
            st.parties
                .join(if st.all_parties { " and " } else { " or " }),
            st.gates.to_string(),
            st.covers.join(", "),
            format!("{} {}", st.clause.seed, st.clause.section),
        ]);
    }
    titled("Approval steps", &t, out);
}

/// A process's responsibility matrix: a column for each party that has a
/// letter in it.
fn raci(p: &Policy, table: &RaciTable, style: Style, out: &mut String) {
    // In the pack's order of parties, as the seed's columns are.
    let parties: Vec<&str> = p
        .parties
        .iter()
        .map(|x| x.id.as_str())
        .filter(|id| table.rows.iter().any(|r| r.letters.contains_key(*id)))
        .collect();
    let labels: Vec<String> = parties
        .iter()
        .map(|id| {
            p.party(id)
                .map_or_else(|| (*id).to_owned(), |x| x.label.clone())
        })
        .collect();
    let mut header = vec!["nr", "task"];
    header.extend(labels.iter().map(String::as_str));
    let mut t = Table::new(&header, style);
    for row in &table.rows {
        let mut cells = vec![row.nr.to_string(), row.task.clone()];
        cells.extend(
            parties
                .iter()
                .map(|id| row.letters.get(*id).map_or("", |l| l.as_str()).to_owned()),
        );
        t.add_row(cells);
    }
    titled(
        &format!(
            "Responsibilities, {} (A ansvarar, G godkänner, M medverkar; {})",
            table.process, table.clause
        ),
        &t,
        out,
    );
}

/// The calendar the clocks count in, the clocks, and the thresholds of
/// reports: what `--format yaml` prints, as a person reads it.
fn service_levels(levels: &ServiceLevels, style: Style, out: &mut String) {
    out.push_str("\nService levels\n");
    out.push_str(&format!(
        "  calendar: {} ({})\n",
        calendar(&levels.calendar),
        levels.calendar_clause
    ));
    clocks(levels, style, out);
    thresholds(levels, out);
}

/// When the clocks' office hours are, and which days are closed besides
/// the Swedish public holidays.
fn calendar(cal: &CalendarSettings) -> String {
    let days: Vec<&str> = cal.office_hours.days.iter().map(|d| day(*d)).collect();
    let off = &cal.de_facto_days_off;
    let customary: Vec<&str> = [
        (off.midsummer_eve, "midsummer eve"),
        (off.christmas_eve, "christmas eve"),
        (off.new_years_eve, "new year's eve"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    format!(
        "office hours {}–{} on {}, timezone {}; Swedish public holidays closed{}{}",
        cal.office_hours.open,
        cal.office_hours.close,
        days.join(", "),
        cal.timezone,
        if customary.is_empty() {
            String::new()
        } else {
            format!(", and {}", customary.join(", "))
        },
        if cal.extra_closed_dates.is_empty() {
            String::new()
        } else {
            format!(
                "; also closed {}",
                cal.extra_closed_dates
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    )
}

/// A weekday as a pack spells it (the serde name of [`Day`]; a test below
/// holds the two together).
fn day(d: Day) -> &'static str {
    match d {
        Day::Mon => "mon",
        Day::Tue => "tue",
        Day::Wed => "wed",
        Day::Thu => "thu",
        Day::Fri => "fri",
        Day::Sat => "sat",
        Day::Sun => "sun",
    }
}

/// The SLA clocks: which tickets each applies to, its target, how it
/// counts time, and what stops and pauses it.
fn clocks(levels: &ServiceLevels, style: Style, out: &mut String) {
    if levels.clocks.is_empty() {
        out.push_str("  clocks: none\n");
        return;
    }
    let mut t = Table::new(
        &[
            "clock",
            "kinds",
            "priorities",
            "target",
            "counted",
            "stops at",
            "pauses in",
            "seed clause",
        ],
        style,
    );
    for c in &levels.clocks {
        t.add_row(vec![
            format!("{}: {}", c.id, c.title),
            joined(&c.kinds, ", "),
            joined(&c.priorities, ", "),
            c.target.describe(),
            match c.hours {
                ClockHours::Always => "24/7".to_owned(),
                ClockHours::Office => "office hours".to_owned(),
            },
            stops(c),
            c.pauses_in.join(", "),
            format!("{} {}", c.clause.seed, c.clause.section),
        ]);
    }
    out.push_str(&format!("{t}\n"));
}

/// What stops a clock: its statuses, and the first reply to the customer
/// where it stops at one.
pub fn stops(c: &crate::policy::ClockSpec) -> String {
    let statuses = c.stops_at.join(", ");
    if c.stops_at_reply {
        format!("first reply to the customer, {statuses}")
    } else {
        statuses
    }
}

/// What the reports measure against: availability targets per class, the
/// priorities of a major incident, when an outage calls for a crisis
/// assessment.
fn thresholds(levels: &ServiceLevels, out: &mut String) {
    if !levels.availability.is_empty() {
        let targets: Vec<String> = levels
            .availability
            .iter()
            .map(|(class, pct)| format!("class {class} {pct} %"))
            .collect();
        out.push_str(&format!("  availability targets: {}\n", targets.join(", ")));
    }
    if !levels.major_incident_priorities.is_empty() {
        out.push_str(&format!(
            "  major incident: priority {}\n",
            joined(&levels.major_incident_priorities, " or ")
        ));
    }
    if let Some(m) = levels.crisis_after_minutes {
        out.push_str(&format!(
            "  crisis assessment: an outage longer than {m} min\n"
        ));
    }
    if let Some(c) = &levels.clause {
        out.push_str(&format!("  ({c})\n"));
    }
}

/// Each item written out, joined by `sep`.
fn joined<T: ToString>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_spelled_as_in_a_pack() {
        for d in [
            Day::Mon,
            Day::Tue,
            Day::Wed,
            Day::Thu,
            Day::Fri,
            Day::Sat,
            Day::Sun,
        ] {
            assert_eq!(serde_json::to_value(d).ok(), Some(day(d).into()));
        }
    }
}
