//! `arende policy show` and `arende policy explain`, for a person. A
//! repository's overrides can set any text in its pack, so the output is
//! cleaned for the terminal like record text.

use super::table::{Style, Table};
use crate::kind::Kind;
use crate::policy::{Policy, Rule};
use crate::record::statuses;
use crate::validate::checks::Check;

/// A rule of the pack: what it asks, its severity and the seed clause.
pub fn rule(policy: &Policy, rule: &Rule) -> String {
    let source = policy
        .sources
        .iter()
        .find(|s| s.file.starts_with(&rule.clause.seed))
        .map_or(rule.clause.seed.clone(), |s| {
            format!("{} ({})", s.file, s.title)
        });
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
    out.push_str(&format!(
        "\nseed:      {source}\nsection:   {}\nwords:     «{}»\n",
        rule.clause.section, rule.clause.words
    ));
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
    let f = p.field.clone().unwrap_or_default();
    let show = |v: &crate::yaml::Value| crate::record::document::display(v);
    if let Some(v) = &p.equals {
        format!("{f} = {}", show(v))
    } else if let Some(vs) = &p.one_of {
        format!(
            "{f} in [{}]",
            vs.iter().map(show).collect::<Vec<_>>().join(", ")
        )
    } else if let Some(b) = p.present {
        if b {
            format!("{f} is set")
        } else {
            format!("{f} is not set")
        }
    } else if let Some(re) = &p.matches {
        format!("{f} matches {re}")
    } else if let Some(o) = &p.at_most_field {
        format!("{f} <= {o}")
    } else if p.in_register.is_some() {
        format!("{f} is in the standard-change register")
    } else if p.derived.is_some() {
        format!("{f} is what classification gives")
    } else if p.noted_changes.is_some() {
        format!("every change of {f} has a reason")
    } else if let Some(party) = &p.approved_by {
        match &p.step {
            Some(s) => format!("approved by {party} (step {s})"),
            None => format!("approved by {party}"),
        }
    } else if let Some(k) = &p.linked {
        format!("linked to {k}")
    } else if let Some(la) = &p.linked_all {
        format!(
            "every linked {} has {} in [{}]",
            la.links,
            la.field,
            la.one_of
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        "?".into()
    }
}

/// The pack in force, for a person: its tables and its rules.
pub fn pack(p: &Policy, style: Style) -> String {
    let mut out = format!("{} ({})\n", p.title, p.name);
    for s in &p.sources {
        out.push_str(&format!("  source: {} – {}\n", s.file, s.title));
    }
    out.push_str("\nPriorities\n");
    let mut t = Table::new(&["prio", "label", "definition", "clause"], style);
    for l in &p.priorities {
        t.add_row(vec![
            l.level.to_string(),
            l.label.clone(),
            l.definition.clone(),
            l.clause.clone(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    out.push_str(&format!(
        "\nPriority matrix: impact × urgency ({})\n",
        p.matrix.clause
    ));
    let mut t = Table::new(&["impact \\ urgency", "high", "medium", "low"], style);
    for impact in ["high", "medium", "low"] {
        let row = &p.matrix.cells[impact];
        t.add_row(vec![
            impact.to_owned(),
            row["high"].to_string(),
            row["medium"].to_string(),
            row["low"].to_string(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    if let Some(r) = p.request_priority {
        out.push_str(&format!("Service requests: priority {r}\n"));
    }
    if !p.problem_classes.is_empty() {
        out.push_str("\nProblem classes\n");
        let mut t = Table::new(&["class", "label", "definition", "clause"], style);
        for c in &p.problem_classes {
            t.add_row(vec![
                c.class.to_string(),
                c.label.clone(),
                c.definition.clone(),
                c.clause.clone(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str("\nParties\n");
    let mut t = Table::new(&["party", "label", "reports", "approves", "clause"], style);
    for party in &p.parties {
        t.add_row(vec![
            party.id.clone(),
            party.label.clone(),
            yes_no(party.reports),
            yes_no(party.approves),
            party.clause.clone(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    if !p.change_categories.is_empty() {
        out.push_str("\nChange categories\n");
        let mut t = Table::new(&["category", "label", "definition", "clause"], style);
        for c in &p.change_categories {
            t.add_row(vec![
                c.id.clone(),
                c.label.clone(),
                c.definition.clone(),
                c.clause.clone(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
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
    out.push_str("\nRules\n");
    let mut t = Table::new(&["rule", "severity", "kind", "what", "seed clause"], style);
    for r in &p.rules {
        t.add_row(vec![
            r.id.clone(),
            r.severity.as_str().to_owned(),
            r.kind.to_string(),
            r.title.clone(),
            format!("{} {}", r.clause.seed, r.clause.section),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    for table in &p.raci {
        out.push_str(&format!(
            "\nResponsibilities, {} (A ansvarar, G godkänner, M medverkar; {})\n",
            table.process, table.clause
        ));
        let mut t = Table::new(&["nr", "task", "Staden", "Leverantören"], style);
        for row in &table.rows {
            t.add_row(vec![
                row.nr.to_string(),
                row.task.clone(),
                row.staden.clone(),
                row.leverantor.clone(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    super::terminal(&out).into_owned()
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}
