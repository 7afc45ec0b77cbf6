//! `arende export`, and export → import into an empty repository giving the
//! same records: the real binary on the three packs' fixtures.

use std::path::Path;

use crate::support::*;

/// Copies a fixture repository into the sandbox, as `name`.
fn copy_fixture(sb: &Sandbox, pack: &str, name: &str) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(pack);
    let to = sb.root().join(name);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    to
}

/// `arende init --policy PACK NAME` in the sandbox, with the fixture's
/// standard-change register committed: the register is part of the
/// repository, and without it a standard change breaks a rule, which the
/// import refuses (issue 24).
fn empty_repo(sb: &Sandbox, pack: &str, name: &str) -> std::path::PathBuf {
    sb.ok(&["init", "--policy", pack, name]);
    let root = sb.root().join(name);
    let register = "policy/standard-changes.yaml";
    std::fs::create_dir_all(root.join("policy")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(pack)
            .join(register),
        root.join(register),
    )
    .unwrap();
    Git::open(&root).commit_all("the standard-change register");
    root
}

fn run_in(sb: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let out = sb.cmd_in(dir).args(args).output().unwrap();
    assert_no_panic(&out);
    assert_eq!(code(&out), 0, "arende {args:?} failed:\n{}", stderr(&out));
    stdout(&out)
}

/// Every record file under `root`, by path relative to it, parsed.
fn record_files(root: &Path) -> Vec<(String, serde_yaml::Value)> {
    let mut out = Vec::new();
    for dir in [
        "incidents",
        "problems",
        "changes",
        "releases",
        "requests",
        "configuration",
        "capacity",
    ] {
        for p in yaml_files_under(&root.join(dir)) {
            let doc = serde_yaml::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            out.push((rel, doc));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn round_trip_json(pack: &str) {
    let sb = Sandbox::new();
    let src = copy_fixture(&sb, pack, "src");
    let dst = empty_repo(&sb, pack, "dst");
    let export = run_in(&sb, &src, &["export"]);
    let file = sb.root().join("export.json");
    std::fs::write(&file, &export).unwrap();
    let summary = run_in(&sb, &dst, &["import", file.to_str().unwrap()]);
    let n = record_files(&src).len();
    assert!(
        summary.contains(&format!("records: {n} — created {n}, updated 0")),
        "{summary}"
    );
    // The same files (IDs kept), with the same fields and values.
    assert_eq!(record_files(&dst), record_files(&src));
    // And the same export, byte for byte.
    assert_eq!(run_in(&sb, &dst, &["export"]), export);
    assert_eq!(
        Git::open(&dst).commit_count(),
        3,
        "init, the register and one import"
    );

    // Importing it again, or into the repository it came from, changes nothing.
    let again = run_in(&sb, &dst, &["import", file.to_str().unwrap()]);
    assert!(again.contains(&format!("unchanged {n}")), "{again}");
    assert_eq!(Git::open(&dst).commit_count(), 3);
}

fn round_trip_csv(pack: &str) {
    let sb = Sandbox::new();
    let src = copy_fixture(&sb, pack, "src");
    let dst = empty_repo(&sb, pack, "dst");
    let csv = run_in(&sb, &src, &["export", "--format", "csv"]);
    let file = sb.root().join("export.csv");
    std::fs::write(&file, &csv).unwrap();
    let summary = run_in(&sb, &dst, &["import", file.to_str().unwrap()]);
    assert!(summary.contains("updated 0"), "{summary}");
    // The same records: every field and value, whatever the key order.
    let before: serde_json::Value = serde_json::from_str(&run_in(&sb, &src, &["export"])).unwrap();
    let after: serde_json::Value = serde_json::from_str(&run_in(&sb, &dst, &["export"])).unwrap();
    assert_eq!(after, before);
    let again = run_in(&sb, &dst, &["import", file.to_str().unwrap()]);
    assert!(again.contains("created 0, updated 0"), "{again}");
}

#[test]
fn json_export_imports_into_an_empty_ehm_repository_as_the_same_records() {
    round_trip_json("ehm");
}

#[test]
fn json_export_imports_into_an_empty_inera_repository_as_the_same_records() {
    round_trip_json("inera");
}

#[test]
fn json_export_imports_into_an_empty_stockholm_repository_as_the_same_records() {
    round_trip_json("stockholm");
}

#[test]
fn csv_export_imports_into_an_empty_ehm_repository_as_the_same_records() {
    round_trip_csv("ehm");
}

#[test]
fn csv_export_imports_into_an_empty_inera_repository_as_the_same_records() {
    round_trip_csv("inera");
}

#[test]
fn csv_export_imports_into_an_empty_stockholm_repository_as_the_same_records() {
    round_trip_csv("stockholm");
}

#[test]
fn an_imported_servicenow_record_survives_export_and_import() {
    let sb = Sandbox::new();
    let a = empty_repo(&sb, "ehm", "a");
    let b = empty_repo(&sb, "ehm", "b");
    let log = sb.root().join("log.csv");
    std::fs::write(
        &log,
        "number,incident_state,sys_updated_at,opened_at,impact,urgency,contact_type,made_sla,assignment_group\n\
         INC0000001,New,29-02-2016 01:16,29-02-2016 01:16,2 - Medium,3 - Low,Phone,TRUE,?\n\
         INC0000001,Resolved,29/2/2016 03:00,29/2/2016 01:16,2 - Medium,3 - Low,Phone,true,Group 7\n",
    )
    .unwrap();
    // The log has no first risk assessment (INC024): a fact of the source,
    // waived in both repositories.
    let waive = "migrerad: loggen har ingen riskbedömning";
    run_in(
        &sb,
        &a,
        &["import", log.to_str().unwrap(), "--waive", waive],
    );
    for format in ["json", "csv"] {
        let export = run_in(&sb, &a, &["export", "--format", format]);
        let file = sb.root().join(format!("a.{format}"));
        std::fs::write(&file, &export).unwrap();
        run_in(
            &sb,
            &b,
            &["import", file.to_str().unwrap(), "--waive", waive],
        );
        assert_eq!(record_files(&b), record_files(&a), "via {format}");
    }
    // Matched by `source` in b on the second pass: nothing duplicated.
    assert_eq!(record_files(&b).len(), 1);
}

#[test]
fn export_of_one_kind_as_csv_has_dotted_columns() {
    let sb = Sandbox::new();
    let src = copy_fixture(&sb, "ehm", "src");
    let csv = run_in(&sb, &src, &["export", "incident", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..5], ["id", "kind", "title", "status", "opened_at"]);
    assert!(header.iter().any(|h| h == "reporter.party"), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| &r[1] == "incident"));
}

/// Unfolds an iCalendar stream by RFC 5545's rules, checking them on the
/// way: CRLF line ends only, no physical line over 75 octets.
fn ics_lines(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "the last line ends in CRLF");
    assert!(
        !text.replace("\r\n", "").contains(['\n', '\r']),
        "a bare CR or LF"
    );
    let mut out: Vec<String> = Vec::new();
    for physical in text.split_terminator("\r\n") {
        assert!(
            physical.len() <= 75,
            "{} octets: {physical}",
            physical.len()
        );
        match physical.strip_prefix(' ') {
            Some(rest) => out.last_mut().expect("a line to continue").push_str(rest),
            None => out.push(physical.to_owned()),
        }
    }
    out
}

/// A TEXT value, unescaped.
fn ics_text(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(c @ (',' | ';' | '\\')) => out.push(c),
                other => panic!("a bad escape \\{other:?} in {value}"),
            }
        } else {
            assert!(c != ',' && c != ';', "an unescaped {c} in {value}");
            out.push(c);
        }
    }
    out
}

/// The events of a calendar, each as its properties (name → value).
fn ics_events(text: &str) -> Vec<Vec<(String, String)>> {
    let lines = ics_lines(text);
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.iter().any(|l| l == "VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let mut events = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    for line in &lines[1..lines.len() - 1] {
        let (name, value) = line.split_once(':').expect("NAME:VALUE");
        match (name, value) {
            ("BEGIN", "VEVENT") => {
                assert!(current.is_none(), "a VEVENT inside a VEVENT");
                current = Some(Vec::new());
            }
            ("END", "VEVENT") => events.push(current.take().expect("an open VEVENT")),
            _ => {
                if let Some(ev) = current.as_mut() {
                    ev.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }
    assert!(current.is_none());
    events
}

fn prop<'a>(event: &'a [(String, String)], name: &str) -> &'a str {
    event
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {event:?}"))
}

#[test]
fn the_change_calendar_follows_rfc_5545_and_reads_back() {
    let sb = Sandbox::new();
    let src = copy_fixture(&sb, "inera", "src");
    let hostile_path = src.join("changes/2026/02/CHG-20260202-A0Q1WP.yaml");
    let text = std::fs::read_to_string(&hostile_path).unwrap();
    let title = "Byte av funktionscertifikat (SITHS) för Hjälpmedelstjänstens tjänsteproducent";
    std::fs::write(
        &hostile_path,
        text.replace(
            &format!("title: {title}"),
            "title: \"Certifikat, del 1; a\\\\b\\nEND:VEVENT åäö åäö åäö åäö åäö åäö åäö åäö åäö\"",
        ),
    )
    .unwrap();
    let ics = run_in(&sb, &src, &["export", "--format", "ics"]);
    assert_eq!(
        run_in(&sb, &src, &["export", "--format", "ics"]),
        ics,
        "stable"
    );
    let events = ics_events(&ics);
    let docs: serde_json::Value =
        serde_json::from_str(&run_in(&sb, &src, &["export", "change"])).unwrap();
    let windows: Vec<&serde_json::Value> = docs
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["service_window"]["start"].is_string())
        .collect();
    assert_eq!(events.len(), windows.len(), "one VEVENT per service window");
    for (event, doc) in events.iter().zip(&windows) {
        let id = doc["id"].as_str().unwrap();
        assert_eq!(prop(event, "UID"), format!("{id}@arende"));
        let summary = ics_text(prop(event, "SUMMARY"));
        assert_eq!(summary, format!("{id}: {}", doc["title"].as_str().unwrap()));
        assert!(prop(event, "DTSTART").ends_with('Z'));
        assert!(["TENTATIVE", "CONFIRMED", "CANCELLED"].contains(&prop(event, "STATUS")));
        assert!(prop(event, "CATEGORIES").starts_with("change"));
        let description = ics_text(prop(event, "DESCRIPTION"));
        assert!(description.contains("approvals"), "{description}");
        for a in doc["approvals"].as_array().into_iter().flatten() {
            assert!(
                description.contains(a["by"].as_str().unwrap()),
                "{description}"
            );
        }
    }
    assert!(
        events
            .iter()
            .any(|e| ics_text(prop(e, "SUMMARY")).contains("Certifikat, del 1; a\\b\nEND:VEVENT")),
        "the hostile title reads back whole"
    );
}

#[test]
fn csv_for_a_swedish_excel_has_semicolons_and_a_bom() {
    let sb = Sandbox::new();
    let src = copy_fixture(&sb, "ehm", "src");
    let out = sb
        .cmd_in(&src)
        .args(["export", "--format", "csv", "--delimiter", ";", "--bom"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let body = out
        .stdout
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a BOM");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "id");
    assert_eq!(&header[2], "title");
    let rows = reader.records().map(Result::unwrap).count();
    let docs: serde_json::Value = serde_json::from_str(&run_in(&sb, &src, &["export"])).unwrap();
    assert_eq!(rows, docs.as_array().unwrap().len());
    let bad = sb
        .cmd_in(&src)
        .args(["export", "--format", "csv", "--delimiter", "ab"])
        .output()
        .unwrap();
    assert_eq!(code(&bad), 2);
}

#[test]
fn json_lines_hold_one_record_a_line() {
    let sb = Sandbox::new();
    let src = copy_fixture(&sb, "stockholm", "src");
    let lines = run_in(&sb, &src, &["export", "--format", "jsonl"]);
    let docs: serde_json::Value = serde_json::from_str(&run_in(&sb, &src, &["export"])).unwrap();
    let back: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("one document a line"))
        .collect();
    assert_eq!(&back, docs.as_array().unwrap());
}
