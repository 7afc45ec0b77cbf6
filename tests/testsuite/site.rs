//! `arende site` (issue 27): the static site built from a repository the
//! commands filled, read as files here and in headless Chromium
//! (tests/node/site.mjs): its pages, search, permanent links, the public
//! driftinformation, that nothing leaves the site, and axe-core's verdict.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A person and an internal note the public page must never show.
const REPORTER: &str = "Maria Lund";
const SECRET_NOTE: &str = "Intern: databaslösenordet roterat";

/// A desk's week: a service with an item, an open outage on the service
/// with a reply to the customer and an internal note, a problem linked to
/// it, an approved change on the service's item next week, a hostile title.
struct Desk {
    sb: Sandbox,
    outage: String,
    problem: String,
    change: String,
    hostile: String,
}

fn desk() -> Desk {
    let sb = Sandbox::with_repo();
    let server = sb
        .ok(&[
            "new",
            "configuration_item",
            "--title",
            "Databasserver 1",
            "ci_type=hardware",
        ])
        .trim()
        .to_owned();
    let depends = format!("depends_on={server}");
    sb.ok(&[
        "new",
        "configuration_item",
        "--title",
        "Journaltjänsten",
        "ci_type=service",
        &depends,
    ]);
    let outage = sb.new_incident(
        "Journaltjänsten svarar inte",
        &[
            "impact=high",
            "urgency=high",
            "reporter.party=kund",
            &format!("reporter.name={REPORTER}"),
            "tickets.kund=4711",
            "reported_via=phone",
            "service=Journaltjänsten",
            "outage.start=2026-11-22 08:40",
            "outage.extent=Alla regioner",
            "estimated_resolution=2026-11-22 12:00",
        ],
    );
    sb.ok(&["note", &outage, SECRET_NOTE]);
    sb.ok(&[
        "note",
        &outage,
        "Vi felsöker och återkommer kl 11.",
        "--customer",
    ]);
    let problem = sb
        .ok(&[
            "new",
            "problem",
            "--title",
            "Återkommande avbrott i journalen",
        ])
        .trim()
        .to_owned();
    sb.ok(&["link", &outage, &problem]);
    let change = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Byt disk i databasservern",
            "change_type=fix",
            "category=normal",
            "--link",
            &server,
            "service_window.start=2026-11-24 18:00",
            "service_window.end=2026-11-24 20:00",
        ])
        .trim()
        .to_owned();
    sb.ok(&["status", &change, "submitted"]);
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &change,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &change, "approved"]);
    let hostile = sb.new_incident(
        "<script>alert(1)</script> \"><img src=x onerror=alert(2)> </script>",
        &[
            "impact=low",
            "urgency=low",
            "reporter.party=kund",
            "tickets.kund=1",
            "reported_via=email",
        ],
    );
    Desk {
        sb,
        outage,
        problem,
        change,
        hostile,
    }
}

fn build(sb: &Sandbox, out: &Path, extra: &[&str]) -> serde_json::Value {
    let out_arg = out.display().to_string();
    let mut args = vec!["site", "--out", &out_arg, "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&sb.ok(&args)).unwrap()
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn pages(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn every_record_has_its_page_with_links_both_ways_approvals_and_history() {
    let d = desk();
    let out = d.sb.scratch().join("site");
    let built = build(&d.sb, &out, &[]);
    assert_eq!(built["records"], 6, "{built}");
    for id in [&d.outage, &d.problem, &d.change, &d.hostile] {
        assert!(out.join(format!("records/{id}.html")).is_file(), "{id}");
    }
    // The problem's page names the incident that links to it.
    let problem = read(&out, &format!("records/{}.html", d.problem));
    assert!(problem.contains("Länkas från"), "{problem}");
    assert!(
        problem.contains(&format!("href=\"../records/{}.html\"", d.outage)),
        "{problem}"
    );
    // The change's approval, who gave it, and that without a people
    // registry it cannot be verified; the commits that changed the record.
    let change = read(&out, &format!("records/{}.html", d.change));
    assert!(change.contains("Åke Forum"), "{change}");
    assert!(change.contains("kan inte verifieras"), "{change}");
    let commits =
        d.sb.git_ok(&["log", "--format=%s", "--", &rel_path(&d.change)]);
    let newest = commits.lines().next().unwrap();
    assert!(
        change.contains(&render_text(newest)),
        "{newest} not in {change}"
    );
    // The incident's timeline: the reply and the internal note, told apart.
    let outage = read(&out, &format!("records/{}.html", d.outage));
    assert!(outage.contains("Svar till kund") && outage.contains("Intern anteckning"));
    for page in [
        "index.html",
        "list.html",
        "calendar.html",
        "calendar-grid.html",
        "graph.html",
        "about.html",
        "reports/index.html",
        "rules/index.html",
        "rules/INC001.html",
        "driftinformation/index.html",
        "driftinformation/feed.atom",
        "driftinformation/servicefonster.ics",
        "assets/index.js",
        "lists/incident-1.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    // The overview counts the open incidents and lists next week's change.
    let overview = read(&out, "index.html");
    assert!(overview.contains(&d.change), "{overview}");
    let graph = read(&out, "graph.html");
    assert!(
        graph.contains("Journaltjänsten") && graph.contains("<line"),
        "{graph}"
    );
}

/// maud escapes as it writes: the title's markup comes out as text.
fn render_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn hostile_record_text_stays_text_on_every_page_and_in_the_index() {
    let d = desk();
    let out = d.sb.scratch().join("site");
    build(&d.sb, &out, &[]);
    for page in pages(&out) {
        let text = std::fs::read_to_string(&page).unwrap_or_default();
        assert!(!text.contains("<script>alert"), "{}", page.display());
        assert!(!text.contains("<img src=x"), "{}", page.display());
    }
    let index = read(&out, "assets/index.js");
    assert!(!index.contains("</script>"), "{index}");
    assert!(index.contains(&d.hostile));
    let page = read(&out, &format!("records/{}.html", d.hostile));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
}

#[test]
fn no_page_asks_for_anything_outside_the_site() {
    let d = desk();
    let out = d.sb.scratch().join("site");
    build(&d.sb, &out, &[]);
    let outside =
        regex::Regex::new(r#"(?i)(src|href|action|srcset)\s*=\s*"(https?:|//|data:text)"#).unwrap();
    for page in pages(&out) {
        let text = std::fs::read_to_string(&page).unwrap_or_default();
        assert!(!outside.is_match(&text), "{}: {text}", page.display());
        if page.extension().is_some_and(|e| e == "html") {
            assert!(
                text.contains("Content-Security-Policy"),
                "{}",
                page.display()
            );
        }
    }
}

#[test]
fn a_second_build_writes_only_what_changed() {
    let d = desk();
    let out = d.sb.scratch().join("site");
    let first = build(&d.sb, &out, &[]);
    assert_eq!(first["unchanged"], 0);
    let again = build(&d.sb, &out, &[]);
    assert_eq!(again["written"], 0, "{again}");
    d.sb.ok(&["set", &d.problem, "root_cause=En trasig anslutningspool"]);
    let changed = build(&d.sb, &out, &[]);
    let written = changed["written"].as_u64().unwrap();
    // The problem's page, the incident that links to it (the title is the
    // same, so not it), the index and the lists it shows in, the overview.
    assert!((1..=8).contains(&written), "{changed}");
    assert!(
        read(&out, &format!("records/{}.html", d.problem)).contains("En trasig anslutningspool")
    );
    // A record that went takes its page with it.
    d.sb.leaves_changes("a record file removed by hand, as the next build's input");
    std::fs::remove_file(d.sb.record_path(&d.hostile)).unwrap();
    let removed = build(&d.sb, &out, &[]);
    assert_eq!(removed["removed"], 1, "{removed}");
    assert!(!out.join(format!("records/{}.html", d.hostile)).exists());
}

#[test]
fn a_folder_of_other_files_is_refused_and_left_as_it_was() {
    let d = desk();
    let out = d.sb.scratch().join("mine");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mina anteckningar").unwrap();
    let out_arg = out.display().to_string();
    let run = d.sb.run(&["site", "--out", &out_arg]);
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("arende did not write"),
        "{}",
        stderr(&run)
    );
    assert_eq!(pages(&out).len(), 1);
}

#[test]
fn the_public_site_shows_the_outage_and_the_window_and_nothing_personal() {
    let d = desk();
    let out = d.sb.scratch().join("public");
    build(&d.sb, &out, &["--public"]);
    assert!(!out.join("records").exists());
    assert!(!out.join("list.html").exists());
    let page = read(&out, "driftinformation/index.html");
    assert!(page.contains("Journaltjänsten"), "{page}");
    assert!(page.contains("Störning: tjänsten är nere"), "{page}");
    assert!(page.contains("Alla regioner"), "{page}");
    assert!(page.contains("Vi felsöker och återkommer kl 11."), "{page}");
    assert!(page.contains("2026-11-24 18:00"), "{page}");
    for page in pages(&out) {
        let text = std::fs::read_to_string(&page).unwrap();
        for secret in [
            REPORTER,
            SECRET_NOTE,
            "@example.se",
            "Åke Forum",
            "4711",
            &d.outage,
        ] {
            assert!(!text.contains(secret), "{secret} in {}", page.display());
        }
    }
    let ics = read(&out, "driftinformation/servicefonster.ics");
    let parsed: Vec<_> = ical::IcalParser::new(ics.as_bytes()).collect();
    assert_eq!(parsed.len(), 1);
    let events = &parsed[0].as_ref().unwrap().events;
    assert_eq!(events.len(), 1, "{ics}");
    let atom = read(&out, "driftinformation/feed.atom");
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let entries = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .count();
    assert_eq!(entries, 2, "{atom}");
}

/// Runs tests/node/site.mjs over the site in Chromium; `None` (skipped)
/// where node or Chromium is missing, which fails under CI.
fn browser(site: &Path, args: &[&str]) -> Option<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/site.mjs");
    let modules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/node_modules/playwright-core");
    let chromium = which("chromium");
    if !modules.is_dir() || chromium.is_none() || which("node").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the browser test needs node, tests/node's packages (npm ci --prefix tests/node) and chromium"
        );
        eprintln!("skipped: node, tests/node/node_modules or chromium is missing");
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg(site)
        .args(args)
        .env("CHROMIUM", chromium.unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    Some(serde_json::from_str(&stdout(&out)).unwrap())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

#[test]
fn the_site_in_headless_chromium() {
    let d = desk();
    let out = d.sb.scratch().join("site");
    build(&d.sb, &out, &[]);
    let Some(seen) = browser(&out, &[&d.outage, "journalen", &d.problem]) else {
        return;
    };
    // Pages render: each page's heading, as the browser lays it out.
    assert_eq!(seen["headings"]["index.html"], "Översikt", "{seen}");
    // Search finds a record by its ID and by a word of its title.
    assert_eq!(
        seen["search"]["by_id"],
        serde_json::json!([d.outage.clone()]),
        "{seen}"
    );
    assert_eq!(
        seen["search"]["by_word"],
        serde_json::json!([d.problem.clone()]),
        "{seen}"
    );
    // The permanent link opens the record.
    assert!(
        seen["permalink"].as_str().unwrap().starts_with(&d.outage),
        "{seen}"
    );
    // The public page, as the browser shows it.
    let drift = seen["drift"].as_str().unwrap();
    assert!(
        drift.contains("Journaltjänsten") && drift.contains("Störning"),
        "{drift}"
    );
    assert!(drift.contains("Byt disk i databasservern"), "{drift}");
    assert!(
        !drift.contains(REPORTER) && !drift.contains("@example.se"),
        "{drift}"
    );
    // Nothing was asked of anything outside the site.
    assert_eq!(seen["outside"], serde_json::json!([]), "{seen}");
    // axe-core: no serious or critical violation on any page looked at.
    assert_eq!(seen["axe"], serde_json::json!([]), "{seen}");
    assert!(seen["axe_pages"].as_u64().unwrap() >= 6, "{seen}");
}

#[test]
fn an_approval_shows_whether_it_verifies_against_the_people_registry() {
    let d = desk();
    let out = d.sb.scratch().join("site");
    let page = |people: &str| {
        std::fs::write(d.sb.root().join("policy/people.yaml"), people).unwrap();
        d.sb.git().commit_all("the people registry");
        build(&d.sb, &out, &[]);
        read(&out, &format!("records/{}.html", d.change))
    };
    let known = page(
        "people:\n  - handle: ake\n    name: Åke Forum\n    emails: [ake.forum@example.se]\n    parties: [andringsforum]\n",
    );
    assert!(known.contains("class=\"ok\">verifierad"), "{known}");
    let unknown = page(
        "people:\n  - handle: bo\n    name: Bo Ek\n    emails: [bo@example.se]\n    parties: [andringsforum]\n",
    );
    assert!(unknown.contains("ej verifierad"), "{unknown}");
}
