//! The site's pages but a record's own and the public page: the overview,
//! the search and the lists, the change calendar, the dependency graph,
//! the reports' index, the policy, and the page about the site.

use maud::{Markup, html};

use super::{Frame, kind_label, page, record_link, status_badge, t, when};
use crate::kind::Kind;
use crate::policy::rule::{Rule, Severity};
use crate::site::{Clock, Item, Site};
use crate::validate::forward::Forward;

/// How many records one static list page holds.
pub const LIST_PAGE: usize = 500;

/// `index.html`: open tickets by priority, clocks at risk and breached,
/// major incidents and crisis candidates, the changes of the coming week.
pub fn overview(frame: &Frame<'_>, site: &Site) -> String {
    let o = &site.overview;
    let week_end = site.generated.at + chrono::Duration::days(7);
    let week: Vec<_> = site
        .calendar
        .changes
        .iter()
        .filter(|c| c.end > site.generated.at && c.start < week_end)
        .collect();
    let body = html! {
        p class="muted" { (t(&site.pack)) }
        h2 { "Öppna ärenden per prioritet" }
        @if o.open.is_empty() { p { "Inga öppna ärenden." } }
        @else {
            table {
                thead { tr { th scope="col" { "Typ" } th scope="col" { "Prioritet" } th scope="col" { "Antal" } } }
                tbody { @for (kind, prio, n) in &o.open {
                    tr {
                        td { (kind_label(*kind, true)) }
                        td { (prio.map_or("ej satt".to_owned(), |p| priority_label(frame, p))) }
                        td { a href={ "list.html#kind=" (kind.name()) (prio.map_or(String::new(), |p| format!("&priority={p}"))) } { (n) } }
                    }
                } }
            }
        }
        h2 { "SLA-klockor som passerat sin gräns" }
        (clocks(&o.breached, frame, "Inga klockor har passerat sin gräns.", "bad"))
        h2 { "SLA-klockor i riskzonen (över 75 % av tiden)" }
        (clocks(&o.at_risk, frame, "Inga klockor i riskzonen.", "warn"))
        h2 { "Allvarliga incidenter och krislägeskandidater" }
        @if o.majors.is_empty() && o.crisis.is_empty() { p { "Inga öppna allvarliga incidenter." } }
        ul {
            @for id in &o.majors { li { (record_link(0, id.as_str())) " " (title_of(site, id)) " – allvarlig incident" } }
            @for (id, d) in &o.crisis { li { (record_link(0, id.as_str())) " " (title_of(site, id)) " – avbrott i " (crate::sla::human(*d)) ", bedöm krisläge" } }
        }
        h2 { "Ändringar kommande sju dagar" }
        @if week.is_empty() { p { "Inga planerade ändringar." } }
        @else {
            table {
                thead { tr { th scope="col" { "När" } th scope="col" { "Ändring" } th scope="col" { "Status" } th scope="col" { "Konflikter" } } }
                tbody { @for c in &week {
                    tr {
                        td { (when(&c.start, frame.tz)) "–" (when(&c.end, frame.tz)) }
                        td { (record_link(0, c.id.as_str())) " " (t(&c.title)) }
                        td { (status_badge(frame, Kind::Change, &c.status)) }
                        td { @if c.conflicts.is_empty() { "–" } @else { span class="warn" { (c.conflicts.len()) } } }
                    }
                } }
            }
        }
    };
    page(frame, 0, "Översikt", body)
}

fn priority_label(frame: &Frame<'_>, p: u8) -> String {
    match frame.policy.priority_level(p) {
        Some(level) => format!("{p} {}", level.label),
        None => p.to_string(),
    }
}

fn title_of(site: &Site, id: &crate::id::RecordId) -> String {
    site.item(id)
        .map(|i| t(&i.title).into_owned())
        .unwrap_or_default()
}

fn clocks(list: &[Clock], frame: &Frame<'_>, none: &str, class: &str) -> Markup {
    html! {
        @if list.is_empty() { p { (none) } }
        @else {
            table {
                thead { tr { th scope="col" { "Ärende" } th scope="col" { "Klocka" } th scope="col" { "Gräns" } th scope="col" { "Kvar" } } }
                tbody { @for c in list.iter().take(200) {
                    tr {
                        td { (record_link(0, c.id.as_str())) " " (t(&c.title)) }
                        td { (t(&c.clock)) }
                        td { (c.due.map(|d| when(&d, frame.tz)).unwrap_or_default()) }
                        td class=(class) { (left(c.left_seconds)) }
                    }
                } }
            }
            @if list.len() > 200 { p { "… och " (list.len() - 200) " till." } }
        }
    }
}

fn left(seconds: i64) -> String {
    let d = crate::sla::human(chrono::Duration::seconds(seconds.abs()));
    if seconds < 0 { format!("{d} över") } else { d }
}

/// `list.html`: the search over every record, and the static lists.
pub fn search(frame: &Frame<'_>, site: &Site) -> String {
    let kinds: Vec<(Kind, usize)> = Kind::ALL
        .iter()
        .map(|&k| (k, site.items.iter().filter(|i| i.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let body = html! {
        form id="sok" class="search" hidden role="search" {
            label { "Sök (ID eller ord i rubriken)" input type="search" name="q" autocomplete="off"; }
            label { "Typ" select name="kind" {
                option value="" { "Alla" }
                @for (k, _) in &kinds { option value=(k.name()) { (kind_label(*k, false)) } }
            } }
            label { "Status" select name="status" {
                option value="" { "Alla" }
                @for s in statuses(frame, site) { option value=(s.1) { (s.0) } }
            } }
            label { "Prioritet" select name="priority" {
                option value="" { "Alla" }
                @for p in 1..=5u8 { option value=(p) { (p) } }
            } }
            p id="antal" aria-live="polite" {}
        }
        table {
            thead { tr { th scope="col" { "ID" } th scope="col" { "Rubrik" } th scope="col" { "Typ" } th scope="col" { "Status" } th scope="col" { "Prio" } th scope="col" { "Öppnad" } } }
            tbody id="traffar" {}
        }
        h2 { "Alla ärenden, per typ" }
        ul { @for (k, n) in &kinds {
            li { a href={ "lists/" (k.name()) "-1.html" } { (kind_label(*k, true)) } " (" (n) ")" }
        } }
        script src="assets/index.js" {}
        script src="assets/search.js" {}
    };
    page(frame, 0, "Sök ärenden", body)
}

fn statuses(frame: &Frame<'_>, site: &Site) -> Vec<(String, &'static str)> {
    let mut seen: Vec<(String, &'static str)> = Vec::new();
    for it in &site.items {
        if !seen.iter().any(|s| s.1 == it.status) {
            seen.push((super::label(frame, it.kind, "status", it.status), it.status));
        }
    }
    seen.sort();
    seen
}

/// `lists/<kind>-<n>.html`: the records of a kind, newest first, a page
/// of [`LIST_PAGE`] at a time.
pub fn list_page(frame: &Frame<'_>, kind: Kind, n: usize, pages: usize, items: &[&Item]) -> String {
    let body = html! {
        p { "Sida " (n) " av " (pages) "." }
        table {
            thead { tr { th scope="col" { "ID" } th scope="col" { "Rubrik" } th scope="col" { "Status" } th scope="col" { "Prio" } th scope="col" { "Öppnad" } } }
            tbody { @for it in items {
                tr {
                    td { (record_link(1, it.id.as_str())) }
                    td { (t(&it.title)) }
                    td { (status_badge(frame, it.kind, it.status)) }
                    td { (it.priority.map(|p| p.to_string()).unwrap_or_default()) }
                    td { (it.opened.format("%Y-%m-%d")) }
                }
            } }
        }
        nav aria-label="Sidor" { p {
            @if n > 1 { a href={ (kind.name()) "-" (n - 1) ".html" } { "Föregående sida" } " " }
            @if n < pages { a href={ (kind.name()) "-" (n + 1) ".html" } { "Nästa sida" } }
        } }
    };
    page(
        frame,
        1,
        &format!("{} – sida {n}", kind_label(kind, true)),
        body,
    )
}

/// `calendar.html`: the coming changes, releases and freeze windows; the
/// month and week grids are `calendar-grid.html`.
pub fn calendar(frame: &Frame<'_>, f: &Forward) -> String {
    let body = html! {
        p { a href="calendar-grid.html" { "Månads- och veckovy" } " · " a href="driftinformation/servicefonster.ics" { "Servicefönster som kalenderfil (ICS)" } }
        h2 { "Planerade ändringar" }
        @if f.changes.is_empty() { p { "Inga ändringar i perioden." } }
        @else {
            table {
                thead { tr { th scope="col" { "När" } th scope="col" { "Ändring" } th scope="col" { "Status" } th scope="col" { "Enheter" } th scope="col" { "Konflikter" } } }
                tbody { @for c in &f.changes {
                    tr {
                        td { (when(&c.start, frame.tz)) "–" (when(&c.end, frame.tz)) }
                        td { (record_link(0, c.id.as_str())) " " (t(&c.title)) }
                        td { (status_badge(frame, Kind::Change, &c.status)) }
                        td { @for i in &c.items { (record_link(0, i.as_str())) " " } }
                        td { @for m in &c.conflicts { div class=(if m.severity == "error" { "bad" } else { "warn" }) { (m.rule) ": " (t(&m.message)) } } }
                    }
                } }
            }
        }
        h2 { "Releaser" }
        @if f.releases.is_empty() { p { "Inga releaser i perioden." } }
        ul { @for r in &f.releases {
            li { (record_link(0, r.id.as_str())) " " (t(&r.title)) " – " (r.planned_at.map(|p| when(&p, frame.tz)).unwrap_or_else(|| "ej planerad".into())) }
        } }
        h2 { "Frysperioder" }
        @if f.freezes.is_empty() { p { "Inga frysperioder i perioden." } }
        ul { @for z in &f.freezes {
            li { (when(&z.start, frame.tz)) "–" (when(&z.end, frame.tz)) ": " (t(z.reason.as_deref().unwrap_or(&z.id))) }
        } }
    };
    page(frame, 0, "Ändringskalender", body)
}

/// `graph.html`: the configuration items and what each depends on, drawn.
pub fn graph(frame: &Frame<'_>, site: &Site) -> String {
    let g = &site.graph;
    let (layers, wide) = g.size();
    let (w, h) = (200usize, 56usize);
    let width = (wide.max(1) * w + 20).to_string();
    let height = (layers.max(1) * h + 20).to_string();
    let at = |n: &crate::site::graph::Node| (10 + n.slot * w, 10 + n.layer * h);
    let body = html! {
        p { "Varje konfigurationsenhet står under det den beror av. " (g.total) " enheter." }
        @if g.total > g.nodes.len() { p class="warn" { "Bara de " (g.nodes.len()) " första visas." } }
        svg xmlns="http://www.w3.org/2000/svg" role="group" aria-label="Beroendegraf för konfigurationsenheter" width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } {
            @for (from, to) in &g.edges {
                @let (a, b) = (at(&g.nodes[*from]), at(&g.nodes[*to]));
                line class="edge" x1=(a.0 + 90) y1=(a.1) x2=(b.0 + 90) y2=(b.1 + 30) {}
            }
            @for n in &g.nodes {
                @let (x, y) = at(n);
                a class="node" href={ "records/" (n.id.as_str()) ".html" } {
                    title { (n.id.as_str()) " " (t(&n.title)) }
                    rect x=(x) y=(y) width="180" height="30" rx="4" {}
                    text x=(x + 6) y=(y + 19) { (short(&n.title, 24)) }
                }
            }
        }
    };
    page(frame, 0, "Beroenden mellan konfigurationsenheter", body)
}

fn short(s: &str, n: usize) -> String {
    let s = t(s);
    if s.chars().count() <= n {
        return s.into_owned();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}

/// `reports/index.html`: the quarterly reports.
pub fn reports_index(frame: &Frame<'_>, site: &Site) -> String {
    let body = html! {
        ul { @for r in &site.reports {
            li { a href={ (r.period.label) ".html" } { "Kvartalsrapport " (r.period.label) } " (" (r.counts.incident + r.counts.service_request) " ärenden registrerade)" }
        } }
    };
    page(frame, 1, "Rapporter", body)
}

/// `rules/index.html`: every rule of the pack, with its seed words.
pub fn rules_index(frame: &Frame<'_>) -> String {
    let body = html! {
        p { (t(&frame.policy.title)) }
        table {
            thead { tr { th scope="col" { "Regel" } th scope="col" { "Gäller" } th scope="col" { "Krav" } th scope="col" { "Nivå" } } }
            tbody { @for r in &frame.policy.rules {
                tr {
                    td { a href={ (r.id) ".html" } { (r.id) } }
                    td { (kind_label(r.kind, false)) }
                    td { (t(&r.title)) }
                    td { (severity(r.severity)) }
                }
            } }
        }
    };
    page(frame, 1, "Regelverk", body)
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Fel (ska)",
        Severity::Warning => "Varning (bör)",
    }
}

/// `rules/<ID>.html`: one rule, the clause it rests on in the seed's own
/// words, or why it is the pack's own choice.
pub fn rule_page(frame: &Frame<'_>, rule: &Rule) -> String {
    let body = html! {
        dl class="fields" {
            dt { "Krav" } dd { (t(&rule.title)) }
            dt { "Gäller" } dd { (kind_label(rule.kind, false)) }
            dt { "Nivå" } dd { (severity(rule.severity)) }
            dt { "Meddelande" } dd { (t(&rule.message)) }
            @if let Some(c) = &rule.clause {
                dt { "Källa" } dd { (t(&c.seed)) " " (t(&c.section)) }
                dt { "Ordalydelse" } dd { blockquote lang="sv" { (t(&c.words)) } }
            }
            @if let Some(why) = &rule.own_choice {
                dt { "Källa" } dd { "Paketets eget val (ingen klausul): " (t(why)) }
            }
            @if let Some(chosen) = &rule.chosen { dt { "Tolkning" } dd { (t(chosen)) } }
        }
        p { a href="index.html" { "Alla regler" } }
    };
    page(frame, 1, &format!("{} {}", rule.id, rule.title), body)
}

/// `about.html`: what the site is, when and from which commit it was made.
pub fn about(frame: &Frame<'_>, site: &Site) -> String {
    let g = &site.generated;
    let body = html! {
        p { "Detta är en skrivskyddad vy av ärendearkivet, genererad med " code { "arende site" } ". Den visar ärendena som de var när vyn gjordes; ändringar görs i arkivet med arende." }
        dl class="fields" {
            dt { "Genererad" } dd { (when(&g.at, frame.tz)) }
            dt { "Från commit" } dd { code { (g.head.as_deref().unwrap_or("ingen commit ännu")) } }
            @if g.dirty { dt { "Obs" } dd { "Arbetskopian hade ändringar som inte var incheckade." } }
            dt { "Regelverk" } dd { (t(&frame.policy.title)) }
            dt { "Ärenden" } dd { (site.items.len()) }
        }
        p { "Vyn hämtar ingenting från andra webbplatser och sparar ingenting om den som läser." }
    };
    page(frame, 0, "Om denna vy", body)
}
