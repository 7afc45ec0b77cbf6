//! `arende impact` for a person: the dependents as a tree indented by
//! distance, the services with their classes, and the open records, on a
//! terminal (every title cleaned of escape sequences and kept to one line)
//! or in Markdown (every title through [`markdown::text`](super::markdown::text)).
//! The JSON is the [`Impact`] itself.

use std::fmt::Write as _;

use super::markdown::{code, text};
use super::table::{Style, Table};
use crate::id::RecordId;
use crate::impact::{Dependent, Impact, Item, OpenRecord, Service};
use crate::record::ServiceClass;

/// The impact for a terminal or a pipe.
pub fn table(impact: &Impact, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({})",
        impact.item.id,
        line(&impact.item.title),
        described(&impact.item)
    );
    out.push('\n');
    if impact.dependents.is_empty() {
        out.push_str("Nothing depends on it.\n");
    } else {
        let _ = writeln!(out, "Depends on it ({}):", impact.dependents.len());
        for (d, depth) in tree(impact) {
            let _ = writeln!(
                out,
                "{}← {} {} ({})",
                "  ".repeat(depth + 1),
                d.item.id,
                line(&d.item.title),
                described(&d.item)
            );
        }
    }
    if !impact.services.is_empty() {
        let _ = writeln!(out, "\nServices ({}):", impact.services.len());
        out.push_str(&services_table(&impact.services, style).to_string());
        out.push('\n');
    }
    if impact.open_records.is_empty() {
        out.push_str("\nNo open records on them.\n");
    } else {
        let _ = writeln!(out, "\nOpen records ({}):", impact.open_records.len());
        out.push_str(&open_table(&impact.open_records, style).to_string());
        out.push('\n');
    }
    out
}

fn services_table(services: &[Service], style: Style) -> Table {
    let mut t = Table::new(&["service", "title", "class", "distance"], style);
    for s in services {
        t.add_row([
            s.id.to_string(),
            line(&s.title),
            class(s.service_class).to_owned(),
            s.distance.to_string(),
        ]);
    }
    t.align_right(&[3]);
    t
}

fn open_table(open: &[OpenRecord], style: Style) -> Table {
    let mut t = Table::new(&["id", "kind", "status", "title", "on"], style);
    for r in open {
        t.add_row([
            r.id.to_string(),
            r.kind.to_owned(),
            r.status.to_owned(),
            line(&r.title),
            ids(&r.on),
        ]);
    }
    t
}

/// The impact as Markdown.
pub fn markdown(impact: &Impact) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "## Impact of {} {}\n\n{}\n\n",
        code(impact.item.id.as_str()),
        text(&impact.item.title),
        text(&described(&impact.item))
    );
    if impact.dependents.is_empty() {
        out.push_str("Nothing depends on it.\n");
    } else {
        let _ = write!(out, "### Depends on it ({})\n\n", impact.dependents.len());
        for (d, depth) in tree(impact) {
            let _ = writeln!(
                out,
                "{}- {} {} ({})",
                "  ".repeat(depth),
                code(d.item.id.as_str()),
                text(&d.item.title),
                text(&described(&d.item))
            );
        }
    }
    services_markdown(&mut out, &impact.services);
    out.push_str("\n### Open records\n\n");
    if impact.open_records.is_empty() {
        out.push_str("None.\n");
        return out;
    }
    out.push_str("| Record | Kind | Status | Title | On |\n|---|---|---|---|---|\n");
    for r in &impact.open_records {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(r.id.as_str()),
            text(r.kind),
            text(r.status),
            text(&r.title),
            text(&ids(&r.on))
        );
    }
    out
}

fn services_markdown(out: &mut String, services: &[Service]) {
    if services.is_empty() {
        return;
    }
    out.push_str("\n### Services\n\n| Service | Title | Class | Distance |\n|---|---|---|---|\n");
    for s in services {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            code(s.id.as_str()),
            text(&s.title),
            class(s.service_class),
            s.distance
        );
    }
}

/// A short Markdown section for `review`: for each item a change links,
/// what depends on it and the services it reaches, in a few lines.
pub fn review_section(out: &mut String, impacts: &[Impact]) {
    if impacts.is_empty() {
        return;
    }
    out.push_str("Impact of the configuration items it links:\n\n");
    for i in impacts {
        let _ = write!(
            out,
            "- {} {}",
            code(i.item.id.as_str()),
            text(&i.item.title)
        );
        if i.dependents.is_empty() {
            out.push_str(": nothing depends on it");
        } else {
            let dependents: Vec<String> = i
                .dependents
                .iter()
                .map(|d| format!("{} {}", code(d.item.id.as_str()), text(&d.item.title)))
                .collect();
            let _ = write!(out, "; depended on by {}", dependents.join(", "));
        }
        if !i.services.is_empty() {
            let services: Vec<String> = i
                .services
                .iter()
                .map(|s| format!("{} (class {})", text(&s.title), class(s.service_class)))
                .collect();
            let _ = write!(out, "; services: {}", services.join(", "));
        }
        if !i.open_records.is_empty() {
            let _ = write!(out, "; {} open record(s) on them", i.open_records.len());
        }
        out.push('\n');
    }
    out.push('\n');
}

/// The dependents in tree order: each after the item it was reached
/// through, with its depth below the item asked about (0: a direct one).
fn tree(impact: &Impact) -> Vec<(&Dependent, usize)> {
    let mut out = Vec::with_capacity(impact.dependents.len());
    let mut stack: Vec<&Dependent> = children(impact, &impact.item.id).rev().collect();
    while let Some(d) = stack.pop() {
        out.push((d, d.distance - 1));
        stack.extend(children(impact, &d.item.id).rev());
    }
    out
}

fn children<'i>(
    impact: &'i Impact,
    of: &'i RecordId,
) -> impl DoubleEndedIterator<Item = &'i Dependent> {
    impact.dependents.iter().filter(move |d| &d.via == of)
}

/// Type, status and class in a few words: `service, active, class A`.
fn described(item: &Item) -> String {
    let mut parts = Vec::new();
    if let Some(t) = item.ci_type {
        parts.push(
            serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        );
    }
    parts.push(item.status.to_owned());
    if let Some(c) = item.service_class {
        parts.push(format!("class {}", class(Some(c))));
    }
    parts.join(", ")
}

fn class(c: Option<ServiceClass>) -> &'static str {
    match c {
        Some(ServiceClass::A) => "A",
        Some(ServiceClass::B) => "B",
        None => "–",
    }
}

fn ids(ids: &[RecordId]) -> String {
    ids.iter()
        .map(RecordId::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Record text for one line of a terminal: escape sequences and controls
/// gone, line breaks as spaces.
fn line(s: &str) -> String {
    super::terminal_cell(s).replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::CiType;

    fn id(s: &str) -> RecordId {
        RecordId::parse(s).unwrap()
    }

    const HOSTILE: &str =
        "<img src=x onerror=alert(1)> ![x](http://t) @octocat | `a`\nsecond\u{1b}[31m line";

    fn hostile() -> Impact {
        let item = |i: &str| Item {
            id: id(i),
            title: HOSTILE.into(),
            ci_type: Some(CiType::Service),
            status: "active",
            service_class: Some(ServiceClass::A),
        };
        Impact {
            item: item("CI-ROOT"),
            depth: None,
            dependents: vec![Dependent {
                item: item("CI-LEAF"),
                distance: 1,
                via: id("CI-ROOT"),
            }],
            services: vec![Service {
                id: id("CI-LEAF"),
                title: HOSTILE.into(),
                service_class: None,
                distance: 1,
            }],
            open_records: vec![OpenRecord {
                id: id("INC-20261122-K7QF2M"),
                kind: "incident",
                status: "new",
                title: HOSTILE.into(),
                on: vec![id("CI-LEAF")],
            }],
        }
    }

    #[test]
    fn hostile_titles_stay_text_in_markdown() {
        let md = markdown(&hostile());
        for bad in ["![x]", "@octocat", "\u{1b}", "\nsecond"] {
            assert!(!md.contains(bad), "{bad:?} in\n{md}");
        }
        for (i, _) in md.match_indices('<') {
            assert!(md[..i].ends_with('\\'), "raw < at {i} in\n{md}");
        }
        for row in md.lines().filter(|l| l.starts_with('|')) {
            let cells = row.replace("\\|", "").matches('|').count();
            assert!(cells == 5 || cells == 6, "{row}");
        }
        let mut section = String::new();
        review_section(&mut section, &[hostile()]);
        assert_eq!(section.trim().lines().count(), 3, "{section}");
        assert!(
            section.contains("\\<img") && !section.contains("@octocat"),
            "{section}"
        );
    }

    #[test]
    fn hostile_titles_lose_escapes_and_line_breaks_on_a_terminal() {
        let style = Style {
            terminal: false,
            color: false,
        };
        let shown = table(&hostile(), style);
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert!(!shown.contains("\nsecond"), "{shown}");
        assert!(
            shown.contains("  ") && shown.contains("← CI-LEAF"),
            "{shown}"
        );
    }
}
