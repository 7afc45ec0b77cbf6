//! *Driftinformation*, the public page: each service's state, the planned
//! service windows and the coming releases, with an Atom feed and an
//! iCalendar file of the windows, as status pages offer. It is given only
//! what [`crate::site::Drift`] let out; it names no record and no person.

use std::fmt::Write as _;

use maud::html;

use super::{Frame, page, prose, t, when};
use crate::render::ics;
use crate::site::Drift;
use crate::site::drift::{Disruption, PublicWindow};
use crate::time::Timestamp;

/// `driftinformation/index.html`.
pub fn page_of(frame: &Frame<'_>, d: &Drift) -> String {
    let body = html! {
        p { "Aktuell driftstatus för tjänsterna, planerade servicefönster och kommande releaser. "
            a href="feed.atom" { "Prenumerera (Atom)" } " · " a href="servicefonster.ics" { "Servicefönster (ICS)" } }
        h2 { "Tjänsternas status" }
        @if d.services.is_empty() && d.unnamed.is_empty() { p { "Inga tjänster registrerade." } }
        ul class="cards" role="list" {
            @for (service, disruptions) in &d.services {
                li class="card" {
                    h3 { (t(service)) }
                    @if disruptions.is_empty() { p class="ok" { "Normal drift" } }
                    @for x in disruptions { (disruption(frame, x)) }
                }
            }
            @for x in &d.unnamed {
                li class="card" { h3 { "Störning" } (disruption(frame, x)) }
            }
        }
        h2 { "Planerade servicefönster" }
        @if d.windows.is_empty() { p { "Inga planerade servicefönster." } }
        @else {
            table {
                thead { tr { th scope="col" { "När" } th scope="col" { "Berörda tjänster" } th scope="col" { "Vad" } } }
                tbody { @for w in &d.windows {
                    tr {
                        td { (span(frame, w)) }
                        td { (if w.services.is_empty() { "–".to_owned() } else { t(&w.services.join(", ")).into_owned() }) }
                        td { (t(w.title.as_deref().unwrap_or("Underhåll"))) }
                    }
                } }
            }
        }
        h2 { "Kommande releaser" }
        @if d.releases.is_empty() { p { "Inga kommande releaser." } }
        @for r in &d.releases {
            div class="card" {
                h3 { (t(r.title.as_deref().unwrap_or("Release"))) @if let Some(v) = &r.version { " " (t(v)) } }
                @if let Some(at) = &r.planned_at { p { "Planerad " (when(at, frame.tz)) } }
                @if let Some(n) = &r.notes { (prose(n)) }
            }
        }
        @if let Some(c) = &d.clause { p class="muted" { "Publiceras enligt: " (t(c)) } }
    };
    page(frame, 1, "Driftinformation", body)
}

fn disruption(frame: &Frame<'_>, x: &Disruption) -> maud::Markup {
    html! {
        p class="bad" { (if x.down { "Störning: tjänsten är nere" } else { "Allvarlig störning" }) }
        dl class="fields" {
            @if let Some(s) = &x.since { dt { "Sedan" } dd { (when(s, frame.tz)) } }
            @if let Some(e) = &x.extent { dt { "Omfattning" } dd { (t(e)) } }
            @if let Some(e) = &x.estimated { dt { "Beräknas åtgärdad" } dd { (when(e, frame.tz)) } }
            @if let Some((at, text)) = &x.reply { dt { "Senaste information" } dd { (when(at, frame.tz)) ": " (t(text)) } }
        }
    }
}

fn span(frame: &Frame<'_>, w: &PublicWindow) -> String {
    match &w.end {
        Some(end) => format!("{}–{}", when(&w.start, frame.tz), when(end, frame.tz)),
        None => format!("från {}", when(&w.start, frame.tz)),
    }
}

/// `driftinformation/feed.atom`: one entry per disruption, window and
/// release. IDs are tag URIs, stable from one build to the next; links are
/// relative to the feed.
pub fn atom(frame: &Frame<'_>, d: &Drift, updated: Timestamp) -> String {
    let x = crate::render::xml::text;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"sv\">\n",
    );
    let _ = writeln!(
        out,
        "  <title>Driftinformation – {}</title>",
        x(&frame.policy.title)
    );
    let _ = writeln!(
        out,
        "  <id>tag:arende,2026:{}:driftinformation</id>",
        x(&frame.policy.name)
    );
    let _ = writeln!(out, "  <updated>{}</updated>", updated.to_rfc3339());
    out.push_str("  <link rel=\"alternate\" type=\"text/html\" href=\"index.html\"/>\n  <author><name>Servicedesk</name></author>\n");
    let mut entry = |id: &str, title: String, at: Timestamp, summary: String| {
        let _ = write!(
            out,
            "  <entry>\n    <id>tag:arende,2026:{}:{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n    <link rel=\"alternate\" type=\"text/html\" href=\"index.html\"/>\n    <summary>{}</summary>\n  </entry>\n",
            x(&frame.policy.name),
            opaque(id),
            x(&title),
            at.to_rfc3339(),
            x(&summary)
        );
    };
    let disruptions = d
        .services
        .iter()
        .flat_map(|(s, xs)| xs.iter().map(move |x| (Some(s), x)));
    for (service, dis) in disruptions.chain(d.unnamed.iter().map(|x| (None, x))) {
        let at = dis
            .reply
            .as_ref()
            .map(|r| r.0)
            .or(dis.since)
            .unwrap_or(updated);
        let summary = match &dis.reply {
            Some((_, text)) => t(text).into_owned(),
            None => "Felsökning pågår.".into(),
        };
        let title = format!("Störning: {}", service.map_or("en tjänst", |s| s.as_str()));
        entry(dis.id.as_str(), title, at, summary);
    }
    for w in &d.windows {
        let title = format!("Servicefönster {}", span(frame, w));
        let summary = format!(
            "{} {}",
            w.services.join(", "),
            w.title.as_deref().unwrap_or("")
        );
        entry(
            w.id.as_str(),
            title,
            w.start,
            t(summary.trim()).into_owned(),
        );
    }
    for r in &d.releases {
        let title = format!(
            "Release {}",
            r.version.as_deref().or(r.title.as_deref()).unwrap_or("")
        );
        let summary = r
            .notes
            .as_deref()
            .map(|n| t(n).into_owned())
            .unwrap_or_default();
        entry(
            r.id.as_str(),
            title,
            r.planned_at.unwrap_or(updated),
            summary,
        );
    }
    out.push_str("</feed>\n");
    out
}

/// `driftinformation/servicefonster.ics`: the planned windows.
pub fn windows_ics(d: &Drift, version: &str) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        format!("PRODID:-//arende//arende {}//SV", ics::text(version)),
        "CALSCALE:GREGORIAN".to_owned(),
        "X-WR-CALNAME:Servicefönster".to_owned(),
    ] {
        out.push_str(&ics::fold(&line));
    }
    for w in d.windows.iter().filter(|w| w.end.is_some()) {
        let end = w.end.unwrap_or(w.start);
        let summary = match &w.title {
            Some(title) => format!("Servicefönster: {title}"),
            None => "Servicefönster".to_owned(),
        };
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}@arende", opaque(w.id.as_str())),
            format!("DTSTAMP:{}", utc(&w.start)),
            format!("DTSTART:{}", utc(&w.start)),
            format!("DTEND:{}", utc(&end)),
            format!("SUMMARY:{}", ics::text(&t(&summary))),
            format!("DESCRIPTION:{}", ics::text(&t(&w.services.join(", ")))),
            "END:VEVENT".to_owned(),
        ] {
            out.push_str(&ics::fold(&line));
        }
    }
    out.push_str(&ics::fold("END:VCALENDAR"));
    out
}

/// A stable name for a record that does not give its ID away: the public
/// page names no record.
fn opaque(id: &str) -> String {
    let digest = sha1_smol::Sha1::from(id).digest().to_string();
    digest[..16].to_owned()
}

fn utc(t: &Timestamp) -> String {
    t.with_timezone(&chrono::Utc)
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}
