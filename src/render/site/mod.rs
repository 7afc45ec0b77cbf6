//! The static site's pages, built with `maud`, which escapes every value by
//! default; record text also loses its control characters first ([`t`]).
//! Every page is self-contained but for the site's own style sheet and
//! scripts, fetches nothing from anywhere else (its Content-Security-Policy
//! says so), and works from `file://` as from a web server.
//!
//! A page holds nothing that changes from one build to the next unless its
//! inputs did: when and from which commit the site was made is on the
//! about page and, through `assets/generated.js`, in every page's banner,
//! so a rebuild after one record changed rewrites a handful of pages.

mod assets;
pub mod drift;
mod pages;
mod record;

use std::borrow::Cow;

use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, html};

use crate::kind::Kind;
use crate::policy::Policy;
use crate::time::Timestamp;

pub use assets::{CSS, SEARCH_JS, generated_js, index_js};
pub use pages::{
    about, calendar, graph, list_page, overview, reports_index, rule_page, rules_index, search,
};
pub use record::record;

/// What every page of one build shares.
pub struct Frame<'a> {
    /// The pack (labels, rules).
    pub policy: &'a Policy,
    /// The zone times are shown in.
    pub tz: Tz,
    /// The site leaves out what is not public.
    pub public: bool,
    /// A digest of all of the above and of this version of arende: what
    /// every page is made from besides its own inputs.
    pub fingerprint: String,
    labels: Labels,
}

impl<'a> Frame<'a> {
    /// The frame of a build under `policy`, showing times in `tz`.
    pub fn new(policy: &'a Policy, tz: Tz, public: bool) -> Frame<'a> {
        let pack = serde_json::to_string(policy).unwrap_or_default();
        let fingerprint = digest(&[
            env!("CARGO_PKG_VERSION"),
            PAGE_FORMAT,
            &pack,
            tz.name(),
            if public { "public" } else { "full" },
        ]);
        Frame {
            policy,
            tz,
            public,
            fingerprint,
            labels: Labels::new(policy),
        }
    }
}

/// Bumped whenever a page's layout changes without a version change.
const PAGE_FORMAT: &str = "1";

fn digest(parts: &[&str]) -> String {
    let mut h = sha1_smol::Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(b"\0");
    }
    h.digest().to_string()
}

/// The pack's labels of values, by kind and field, read once per build
/// (the pack's vocabulary is made afresh on every question).
struct Labels(std::collections::HashMap<(Kind, String), Vec<crate::policy::words::Word>>);

impl Labels {
    fn new(policy: &Policy) -> Labels {
        let mut fields: Vec<String> = policy.words.keys().cloned().collect();
        fields.extend(["status", "reporter.party", "responsible"].map(String::from));
        fields.sort();
        fields.dedup();
        let mut map = std::collections::HashMap::new();
        for kind in Kind::ALL {
            for field in &fields {
                if let Some(words) = policy.vocabulary(kind, field) {
                    map.insert((kind, field.clone()), words);
                }
            }
        }
        Labels(map)
    }
}

/// Record text with its control characters dropped, for maud to escape.
pub fn t(s: &str) -> Cow<'_, str> {
    super::terminal(s)
}

/// A moment as the site shows it: local, to the minute.
pub fn when(at: &Timestamp, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The Swedish name of a kind, in the plural for lists.
pub fn kind_label(kind: Kind, plural: bool) -> &'static str {
    match (kind, plural) {
        (Kind::Incident, false) => "Incident",
        (Kind::Incident, true) => "Incidenter",
        (Kind::Problem, false) => "Problem",
        (Kind::Problem, true) => "Problem",
        (Kind::Change, false) => "Ändring",
        (Kind::Change, true) => "Ändringar",
        (Kind::Release, false) => "Release",
        (Kind::Release, true) => "Releaser",
        (Kind::ServiceRequest, false) => "Tjänsteförfrågan",
        (Kind::ServiceRequest, true) => "Tjänsteförfrågningar",
        (Kind::ConfigurationItem, false) => "Konfigurationsenhet",
        (Kind::ConfigurationItem, true) => "Konfigurationsenheter",
        (Kind::CapacityReview, false) => "Kapacitetsuppföljning",
        (Kind::CapacityReview, true) => "Kapacitetsuppföljningar",
    }
}

/// A value of a record's field as the pack labels it (`in_progress` →
/// `Pågår`), or as written where the pack has no label.
pub fn label(frame: &Frame<'_>, kind: Kind, field: &str, value: &str) -> String {
    frame
        .labels
        .0
        .get(&(kind, field.to_owned()))
        .and_then(|words| words.iter().find(|w| w.id == value))
        .and_then(|w| w.label())
        .unwrap_or(value)
        .to_owned()
}

/// The path from a page `depth` folders down back to the site's root.
pub fn up(depth: usize) -> String {
    "../".repeat(depth)
}

/// A page: the banner saying it is read-only, the navigation, the body.
pub fn page(frame: &Frame<'_>, depth: usize, title: &str, body: Markup) -> String {
    let up = up(depth);
    let nav: &[(&str, &str)] = if frame.public {
        &[("driftinformation/index.html", "Driftinformation")]
    } else {
        &[
            ("index.html", "Översikt"),
            ("list.html", "Sök ärenden"),
            ("calendar.html", "Ändringskalender"),
            ("graph.html", "Beroenden"),
            ("reports/index.html", "Rapporter"),
            ("rules/index.html", "Regelverk"),
            ("driftinformation/index.html", "Driftinformation"),
            ("about.html", "Om denna vy"),
        ]
    };
    let markup = html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:";
                meta name="referrer" content="no-referrer";
                title { (t(title)) " – " (t(&frame.policy.title)) }
                link rel="stylesheet" href={ (up) "assets/site.css" };
                script src={ (up) "assets/generated.js" } defer {}
            }
            body {
                a class="skip" href="#innehall" { "Hoppa till innehållet" }
                header {
                    p class="readonly" role="note" {
                        strong { "Skrivskyddad vy." }
                        " Ändringar görs i ärendearkivet med arende, inte här. "
                        span id="genererad" { a href={ (up) "about.html" } { "När och från vilken version" } }
                    }
                    nav aria-label="Huvudmeny" {
                        ul {
                            @for (href, name) in nav {
                                li { a href={ (up) (href) } { (name) } }
                            }
                        }
                    }
                }
                main id="innehall" {
                    h1 { (t(title)) }
                    (body)
                }
            }
        }
    };
    markup.into_string()
}

/// A status as a badge, in the pack's words.
pub fn status_badge(frame: &Frame<'_>, kind: Kind, status: &str) -> Markup {
    html! { span class={ "status s-" (status) } { (label(frame, kind, "status", status)) } }
}

/// A link to a record's page from a page `depth` folders down.
pub fn record_link(depth: usize, id: &str) -> Markup {
    html! { a href={ (up(depth)) "records/" (id) ".html" } { (id) } }
}

/// Preformatted text kept as written, escaped.
pub fn prose(s: &str) -> Markup {
    html! { div class="prose" { (t(s)) } }
}

/// Writes every page of the site into `out`: with `frame.public`, only the
/// public page and what it needs. Record pages are made in parallel, a
/// record at a time, so the site's memory does not grow with its records.
pub fn write(
    ws: &crate::workspace::Workspace,
    site: &crate::site::Site,
    frame: &Frame<'_>,
    out: &crate::site::output::Output,
) -> crate::error::Result<()> {
    out.put("assets/site.css", CSS.as_bytes())?;
    out.put(
        "assets/generated.js",
        generated_js(&site.generated, frame.tz).as_bytes(),
    )?;
    let version = env!("CARGO_PKG_VERSION");
    out.put(
        "driftinformation/index.html",
        drift::page_of(frame, &site.drift).as_bytes(),
    )?;
    out.put(
        "driftinformation/feed.atom",
        drift::atom(frame, &site.drift, site.generated.at).as_bytes(),
    )?;
    out.put(
        "driftinformation/servicefonster.ics",
        drift::windows_ics(&site.drift, version).as_bytes(),
    )?;
    if frame.public {
        return out.put("index.html", public_index().as_bytes());
    }
    out.put("assets/search.js", SEARCH_JS.as_bytes())?;
    out.put("assets/index.js", index_js(&site.items, frame).as_bytes())?;
    out.put("index.html", overview(frame, site).as_bytes())?;
    out.put("about.html", about(frame, site).as_bytes())?;
    out.put("list.html", search(frame, site).as_bytes())?;
    write_lists(frame, site, out)?;
    out.put("calendar.html", calendar(frame, &site.calendar).as_bytes())?;
    out.put(
        "calendar-grid.html",
        crate::render::schedule::html(&site.calendar, frame.tz).as_bytes(),
    )?;
    out.put("graph.html", graph(frame, site).as_bytes())?;
    out.put("reports/index.html", reports_index(frame, site).as_bytes())?;
    for r in &site.reports {
        let page = crate::render::report::html(r, frame.tz);
        out.put(&format!("reports/{}.html", r.period.label), page.as_bytes())?;
    }
    out.put("rules/index.html", rules_index(frame).as_bytes())?;
    for rule in &frame.policy.rules {
        out.put(
            &format!("rules/{}.html", rule.id),
            rule_page(frame, rule).as_bytes(),
        )?;
    }
    let root = ws.root();
    let inputs = |path: &std::path::Path| {
        let own = site.page_inputs(root, path)?;
        let stem = path.file_stem()?.to_str()?;
        Some((
            format!("records/{stem}.html"),
            digest(&[&frame.fingerprint, &own]),
        ))
    };
    let results = crate::site::Site::each_record(
        ws,
        |path| inputs(path).is_some_and(|(rel, from)| out.kept(&rel, &from)),
        |entry| {
            let page = record(frame, site, &entry);
            let rel = format!("records/{}.html", entry.record.id());
            let from = inputs(&entry.path).map_or("-".to_owned(), |(_, from)| from);
            out.put_from(&rel, &from, page.as_bytes())
        },
    );
    results.into_iter().collect()
}

fn write_lists(
    frame: &Frame<'_>,
    site: &crate::site::Site,
    out: &crate::site::output::Output,
) -> crate::error::Result<()> {
    for kind in Kind::ALL {
        let mut items: Vec<&crate::site::Item> =
            site.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        items.reverse();
        let pages = items.len().div_ceil(pages::LIST_PAGE);
        for (i, chunk) in items.chunks(pages::LIST_PAGE).enumerate() {
            let html = list_page(frame, kind, i + 1, pages, chunk);
            out.put(
                &format!("lists/{}-{}.html", kind.name(), i + 1),
                html.as_bytes(),
            )?;
        }
    }
    Ok(())
}

/// The root of a public site: the public page is one folder down.
fn public_index() -> String {
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'";
                meta http-equiv="refresh" content="0; url=driftinformation/index.html";
                title { "Driftinformation" }
            }
            body { main { h1 { "Driftinformation" } p { a href="driftinformation/index.html" { "Till driftinformationen" } } } }
        }
    }
    .into_string()
}
