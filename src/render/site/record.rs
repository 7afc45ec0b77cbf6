//! `records/<ID>.html`: one record at its permanent link — its fields, the
//! timeline of its events and notes, its links both ways, its approvals
//! with who and whether each verified, and the commits that changed it.

use maud::{Markup, html};

use super::{Frame, kind_label, label, page, prose, record_link, status_badge, t, when};
use crate::record::Event;
use crate::site::Site;
use crate::workspace::Entry;
use crate::yaml::Value;

/// Fields shown elsewhere on the page, not in its field list.
const APART: &[&str] = &["id", "kind", "title", "history", "links", "approvals"];

/// The page of `entry`.
pub fn record(frame: &Frame<'_>, site: &Site, entry: &Entry) -> String {
    let r = &entry.record;
    let id = r.id().as_str();
    let body = html! {
        p {
            (kind_label(r.kind(), false)) " · " (status_badge(frame, r.kind(), r.status()))
            " · öppnad " (when(&r.common.opened_at, frame.tz))
        }
        h2 { "Uppgifter" }
        (fields(frame, entry))
        h2 { "Händelser" }
        (timeline(frame, r.kind(), &r.common.history))
        h2 { "Länkar" }
        (links(frame, site, entry))
        @if !r.common.approvals.is_empty() {
            h2 { "Godkännanden" }
            (approvals(frame, site, entry))
        }
        h2 { "Git-historik" }
        (history(frame, site, entry))
        p class="muted" { "Fil i arkivet: " code { (entry.path.display()) } }
    };
    page(frame, 1, &format!("{id} {}", r.common.title), body)
}

fn fields(frame: &Frame<'_>, entry: &Entry) -> Markup {
    let Value::Mapping(m) = &entry.doc else {
        return html! {};
    };
    html! {
        dl class="fields" {
            @for (k, v) in m.iter() {
                @let key = k.as_str().unwrap_or_default();
                @if !APART.contains(&key) && !matches!(v, Value::Null) {
                    dt { (field_label(key)) }
                    dd { (value(frame, entry, key, v)) }
                }
            }
        }
    }
}

/// A value: a scalar in the pack's words where it has them, a mapping as a
/// nested list of fields, a sequence as a list.
fn value(frame: &Frame<'_>, entry: &Entry, field: &str, v: &Value) -> Markup {
    match v {
        Value::Mapping(m) => html! {
            dl class="fields" { @for (k, v) in m.iter() {
                @let key = k.as_str().unwrap_or_default();
                dt { (field_label(key)) }
                dd { (value(frame, entry, &format!("{field}.{key}"), v)) }
            } }
        },
        Value::Sequence(items) => html! {
            ul { @for v in items { li { (value(frame, entry, field, v)) } } }
        },
        other => {
            let text = crate::record::document::display(other);
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&text) {
                return html! { (when(&at, frame.tz)) };
            }
            let shown = label(frame, entry.record.kind(), field, &text);
            if shown.contains('\n') {
                prose(&shown)
            } else {
                html! { (t(&shown)) }
            }
        }
    }
}

/// A field's Swedish name where the site knows one.
fn field_label(key: &str) -> String {
    let sv = match key {
        "status" => "Status",
        "priority" => "Prioritet",
        "impact" => "Verksamhetspåverkan",
        "urgency" => "Brådska",
        "service" => "Tjänst",
        "service_class" => "Tjänsteklass",
        "description" => "Beskrivning",
        "opened_at" => "Öppnad",
        "reporter" => "Anmälare",
        "reported_via" => "Kanal",
        "assignment" => "Tilldelning",
        "group" => "Grupp",
        "person" => "Person",
        "outage" => "Avbrott",
        "start" => "Start",
        "end" => "Slut",
        "estimated_resolution" => "Beräknad åtgärdstid",
        "resolution" => "Lösning",
        "workaround" => "Tillfällig lösning",
        "category" => "Kategori",
        "risk" => "Risk",
        "service_window" => "Servicefönster",
        "backout_plan" => "Återställningsplan",
        "version" => "Version",
        "planned_at" => "Planerad",
        "release_notes" => "Releaseinformation",
        "depends_on" => "Beror av",
        "owner" => "Ägare",
        "root_cause" => "Grundorsak",
        "party" => "Part",
        "organisation" => "Organisation",
        "name" => "Namn",
        "tickets" => "Ärendenummer",
        "planned" => "Planerat",
        "extent" => "Omfattning",
        "decision" => "Beslut",
        _ => return key.to_owned(),
    };
    sv.to_owned()
}

fn timeline(frame: &Frame<'_>, kind: crate::kind::Kind, events: &[Event]) -> Markup {
    html! {
        @if events.is_empty() { p { "Inga händelser." } }
        ol class="timeline" { @for e in events {
            li class=(if e.is_reply() { "reply" } else if e.note.is_some() { "internal" } else { "event" }) {
                strong { (when(&e.at, frame.tz)) } " " (t(&e.by))
                @if let Some(s) = &e.status { " · status " (label(frame, kind, "status", &t(s))) }
                @if let Some(r) = &e.remote {
                    div class="muted" {
                        "Hos " (t(&r.party)) " (" (t(&r.record)) ", " (when(&r.at, frame.tz)) ")"
                        @if let Some(s) = &r.status { " · status " (t(s)) }
                        @if let Some(g) = &r.group { " · team " (t(g)) }
                        @if let Some(v) = r.verdict { " · " (disposition(v)) }
                    }
                }
                @for c in &e.changes {
                    div class="muted" {
                        (t(&c.field)) ": "
                        (c.from.as_ref().map(crate::record::document::display).unwrap_or_default())
                        " → "
                        (c.to.as_ref().map(crate::record::document::display).unwrap_or_default())
                    }
                }
                @if let Some(n) = &e.note {
                    div { em { (if e.is_reply() { "Svar till kund" } else { "Intern anteckning" }) } }
                    (prose(n))
                }
            }
        } }
    }
}

/// What became of a report between organisations, in Swedish.
fn disposition(d: crate::record::Disposition) -> &'static str {
    use crate::record::Disposition::*;
    match d {
        Sent => "anmäld",
        Accepted => "mottagen",
        Refused => "avvisad",
        Referred => "hänvisad",
    }
}

fn links(frame: &Frame<'_>, site: &Site, entry: &Entry) -> Markup {
    let item = crate::site::item_of(entry);
    let back: Vec<_> = site.backlinks(entry.record.id()).collect();
    html! {
        h3 { "Länkar till" }
        @if item.links.is_empty() { p { "Inga." } }
        ul { @for id in &item.links {
            li {
                (record_link(1, id.as_str()))
                @match site.item(id) {
                    Some(other) => { " " (t(&other.title)) " (" (kind_label(other.kind, false)) ", " (label(frame, other.kind, "status", other.status)) ")" }
                    None => { " " span class="bad" { "finns inte i arkivet" } }
                }
            }
        } }
        h3 { "Länkas från" }
        @if back.is_empty() { p { "Inga." } }
        ul { @for other in &back {
            li { (record_link(1, other.id.as_str())) " " (t(&other.title)) " (" (kind_label(other.kind, false)) ")" }
        } }
    }
}

fn approvals(frame: &Frame<'_>, site: &Site, entry: &Entry) -> Markup {
    let verdict = |i: usize| -> Markup {
        match &site.unverified {
            None => html! { span class="muted" { "kan inte verifieras (inget personregister)" } },
            Some(bad) => match bad
                .get(&entry.path)
                .and_then(|list| list.iter().find(|(at, _)| *at == i))
                .map(|(_, why)| why)
            {
                Some(why) => html! { span class="bad" { "ej verifierad: " (t(why)) } },
                None => html! { span class="ok" { "verifierad" } },
            },
        }
    };
    html! {
        table {
            thead { tr { th scope="col" { "Steg" } th scope="col" { "Vem" } th scope="col" { "Beslut" } th scope="col" { "När" } th scope="col" { "Verifiering" } } }
            tbody { @for (i, a) in entry.record.common.approvals.iter().enumerate() {
                tr {
                    td { (t(a.step.as_deref().unwrap_or("–"))) }
                    td { (t(&a.by)) @if let Some(p) = &a.person { " (" (t(p)) ")" } }
                    td { (if a.decision.as_str() == "approved" { "Godkänd" } else { "Avslagen" }) }
                    td { (when(&a.at, frame.tz)) }
                    td { (verdict(i)) }
                }
            } }
        }
    }
}

fn history(frame: &Frame<'_>, site: &Site, entry: &Entry) -> Markup {
    let commits: Vec<_> = site.history.of(&entry.path).collect();
    html! {
        @if commits.is_empty() { p { "Inte incheckad ännu." } }
        @else {
            table {
                thead { tr { th scope="col" { "Commit" } th scope="col" { "När" } th scope="col" { "Vem" } th scope="col" { "Meddelande" } } }
                tbody { @for c in &commits {
                    tr {
                        td { code { (&c.id[..c.id.len().min(12)]) } }
                        td { (when(&c.at, frame.tz)) }
                        td { (t(&c.author)) }
                        td { (t(&c.summary)) }
                    }
                } }
            }
        }
    }
}
