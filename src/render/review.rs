//! `arende review` as Markdown, for a pull-request comment: a summary
//! table, then a section per record. Every piece of record text goes
//! through [`markdown::text`](super::markdown::text) or [`markdown::code`](super::markdown::code): a title or a field a
//! branch sets is written by whoever opened the pull request.

use std::fmt::Write as _;

use super::markdown::{anchor, code, code_in_cell, text};
use crate::policy::Severity;
use crate::record::Event;
use crate::review::{ChangeKind, RecordReview, Review, ReviewFinding};

/// The review as Markdown.
pub fn markdown(review: &Review) -> String {
    let mut out = String::new();
    headline(&mut out, review);
    if review.records.is_empty() {
        out.push_str("No records changed.\n");
        return out;
    }
    summary(&mut out, review);
    for r in &review.records {
        record(&mut out, r);
    }
    out
}

/// The title, the range compared and the counts of findings.
fn headline(out: &mut String, review: &Review) {
    out.push_str("## arende review\n\n");
    let _ = write!(
        out,
        "{} record(s) changed between {} and {}: {} error(s), {} warning(s).\n\n",
        review.records.len(),
        code(&format!("{:.7}", review.base)),
        code(&format!("{:.7}", review.head)),
        review.count(Severity::Error),
        review.count(Severity::Warning)
    );
}

/// A table with a row per record, linking to its section: what the
/// branch did to it, the status move, the rules it breaks.
fn summary(out: &mut String, review: &Review) {
    out.push_str("| Record | Kind | Change | Status | Findings |\n|---|---|---|---|---|\n");
    for r in &review.records {
        let status = match &r.status {
            (Some(a), Some(b)) if a != b => format!("{} → {}", text(a), text(b)),
            (_, Some(b)) => text(b),
            (Some(a), None) => format!("{} → (deleted)", text(a)),
            (None, None) => "?".into(),
        };
        let findings = if r.findings.is_empty() {
            "✓".to_owned()
        } else {
            r.findings
                .iter()
                .map(|f| format!("{} {}", icon(f.severity), text(&f.rule)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "| [{}](#{}) {} | {} | {} | {} | {} |",
            text(&r.id),
            anchor(&r.id),
            text(&r.title),
            text(&r.kind),
            change_name(r.change),
            status,
            findings
        );
    }
}

/// A record's section: its findings, its fields before and after, and
/// the history events the branch added.
fn record(out: &mut String, r: &RecordReview) {
    let _ = write!(out, "\n### {}\n\n", text(&r.id));
    let _ = write!(
        out,
        "{} · {} · {}\n\n",
        change_name(r.change),
        text(&r.title),
        code(&r.path.display().to_string())
    );
    findings(out, &r.findings);
    super::impact::review_section(out, &r.impact);
    approvals(out, &r.approvals);
    // The approvals the branch adds are the table above, not a cell of JSON.
    let fields: Vec<_> = r
        .fields
        .iter()
        .filter(|d| r.approvals.is_empty() || d.field != "approvals")
        .collect();
    if !fields.is_empty() {
        out.push_str("| Field | Before | After |\n|---|---|---|\n");
        for d in fields {
            // A field the branch adds or removes has an empty side.
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                code_in_cell(&d.field),
                d.old.as_deref().map(text).unwrap_or_default(),
                d.new.as_deref().map(text).unwrap_or_default()
            );
        }
    }
    if !r.events.is_empty() {
        let _ = write!(out, "\n{} history event(s) added:\n\n", r.events.len());
        for e in &r.events {
            let _ = writeln!(
                out,
                "- {} · {} · {}",
                code(&e.at.to_rfc3339()),
                text(&e.by),
                text(&describe(e))
            );
        }
    }
}

/// The approvals the branch adds: who decided what, when, whether it still
/// stands and whether it verified against its commit.
fn approvals(out: &mut String, rows: &[crate::approvals::Row]) {
    if rows.is_empty() {
        return;
    }
    out.push_str("Approvals the branch adds:\n\n");
    out.push_str("| Step | Party | Person | Decision | When | Verified | Stale | Note |\n|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code_in_cell(&row.step),
            text(&row.party),
            row.person
                .as_deref()
                .map(text)
                .unwrap_or_else(|| "–".into()),
            text(&row.decision),
            code(&row.at),
            text(&super::approvals::verified(row)),
            text(&super::approvals::stale(row)),
            row.note.as_deref().map(text).unwrap_or_default()
        );
    }
    out.push('\n');
}

/// A record's findings as a list, each with the field it is about and the
/// clause it rests on.
fn findings(out: &mut String, findings: &[ReviewFinding]) {
    for f in findings {
        let _ = write!(
            out,
            "- {} **{}** {}",
            icon(f.severity),
            text(&f.rule),
            text(&f.message)
        );
        if let Some(field) = &f.field {
            let _ = write!(out, " ({})", code(field));
        }
        if let Some(c) = &f.clause {
            let _ = write!(out, "  \n  <sub>{}</sub>", text(c));
        }
        out.push('\n');
    }
    if !findings.is_empty() {
        out.push('\n');
    }
}

/// What an event did, in one line: the status it moved to, the fields it
/// changed, its note.
fn describe(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &e.status {
        parts.push(format!("status → {s}"));
    }
    for c in &e.changes {
        let shown = |v: &Option<crate::yaml::Value>| {
            v.as_ref()
                .map(crate::record::document::display)
                .unwrap_or_else(|| "–".into())
        };
        parts.push(format!(
            "{}: {} → {}",
            c.field,
            shown(&c.from),
            shown(&c.to)
        ));
    }
    if let Some(n) = &e.note {
        parts.push(format!("“{}”", n.trim()));
    }
    if parts.is_empty() {
        "(no change recorded)".to_owned()
    } else {
        parts.join("; ")
    }
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
    }
}

fn change_name(c: ChangeKind) -> &'static str {
    match c {
        ChangeKind::Added => "added",
        ChangeKind::Changed => "changed",
        ChangeKind::Deleted => "deleted",
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn hostile_review() -> Review {
        Review {
            base: "0123456789abcdef".into(),
            head: "fedcba9876543210".into(),
            records: vec![RecordReview {
                approvals: vec![crate::approvals::Row {
                    step: "a|b`c".into(),
                    party: "<b>p</b>".into(),
                    person: Some("@octocat ![x](http://t)".into()),
                    decision: "approved".into(),
                    at: "2026-11-22T09:30:00+01:00".into(),
                    stale: vec!["x|y".into()],
                    verified: Some(Err("<script>alert(1)</script> | \u{1b}[31m".into())),
                    note: Some("@team ![y](http://t) | <b>".into()),
                }],
                id: "INC-20261122-K7QF2M".into(),
                kind: "incident".into(),
                title: "<img src=x onerror=alert(1)> <!-- hidden --> ![x](http://track) @octocat | \u{1b}[31m".into(),
                path: PathBuf::from("incidents/a`b|c.yaml"),
                change: ChangeKind::Changed,
                status: (Some("new".into()), Some("in_progress".into())),
                fields: vec![crate::review::FieldDiff {
                    field: "title|x".into(),
                    old: Some("old\nline".into()),
                    new: Some("@octocat <b>".into()),
                }],
                events_added: 0,
                events: Vec::new(),
                impact: Vec::new(),
                findings: vec![ReviewFinding {
                    rule: "INC001".into(),
                    severity: Severity::Error,
                    field: Some("a`b".into()),
                    message: "![y](http://track) @team".into(),
                    clause: Some("<script>".into()),
                }],
            }],
        }
    }

    #[test]
    fn hostile_text_stays_text() {
        let md = markdown(&hostile_review());
        for bad in ["![x]", "![y]", "@octocat", "@team", "\u{1b}"] {
            assert!(!md.contains(bad), "{bad:?} in\n{md}");
        }
        // Outside code spans, every `<` is escaped.
        for (i, _) in md
            .match_indices('<')
            .filter(|(i, _)| !md[*i..].starts_with("<sub>") && !md[*i..].starts_with("</sub>"))
        {
            assert!(md[..i].ends_with('\\'), "raw < at {i} in\n{md}");
        }
        // Every table row keeps its columns.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            let cells = line.replace("\\|", "").matches('|').count();
            assert!(cells == 6 || cells == 4 || cells == 9, "{line}");
        }
        assert!(md.contains("``incidents/a`b|c.yaml``"), "{md}");
        assert!(md.contains("(``a`b``)"), "{md}");
        assert!(md.contains("Approvals the branch adds"), "{md}");
    }
}
