//! `fixtures/invalid`: a record repository (policy inera) whose records break
//! rules on purpose. Validated in a temporary copy, every finding (file,
//! rule, line) is held in a snapshot; the output formats are checked against
//! the same findings.

use std::path::{Path, PathBuf};

use crate::support::*;
use serde::Serialize;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid")
}

/// A sandbox holding a copy of the fixture.
fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    copy_dir(&fixture_dir(), sb.root());
    sb
}

/// Every record file of the fixture, relative to its root.
fn record_files() -> Vec<String> {
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
        for path in yaml_files_under(&fixture_dir().join(dir)) {
            let rel = path.strip_prefix(fixture_dir()).unwrap();
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct Row {
    file: String,
    rule: String,
    line: Option<u64>,
}

fn findings(sb: &Sandbox) -> (i32, Vec<serde_json::Value>) {
    let out = sb.run(&["validate", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(&out), stderr(&out)));
    (
        code(&out),
        report["findings"].as_array().cloned().unwrap_or_default(),
    )
}

/// The 1-based line and column where `key:` starts in a file.
fn key_position(text: &str, key: &str) -> (u64, u64) {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| {
            let col = l.find(&format!("{key}:"))?;
            l[..col]
                .chars()
                .all(|c| c == ' ' || c == '-')
                .then_some((i as u64 + 1, col as u64 + 1))
        })
        .unwrap_or_else(|| panic!("no `{key}:` in\n{text}"))
}

fn fixture_text(rel: &str) -> String {
    std::fs::read_to_string(fixture_dir().join(rel)).unwrap()
}

fn finding<'a>(all: &'a [serde_json::Value], file: &str, rule: &str) -> &'a serde_json::Value {
    all.iter()
        .find(|f| f["path"] == file && f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding on {file}: {all:#?}"))
}

#[test]
fn the_invalid_fixture_breaks_exactly_the_known_rules() {
    let sb = sandbox();
    let (exit, all) = findings(&sb);
    assert_eq!(exit, 2, "a file that cannot be read makes validate exit 2");

    let mut rows: Vec<Row> = all
        .iter()
        .map(|f| Row {
            file: f["path"].as_str().unwrap().to_owned(),
            rule: f["rule"].as_str().unwrap().to_owned(),
            line: f["line"].as_u64(),
        })
        .collect();
    rows.sort();
    insta::assert_yaml_snapshot!("findings", rows);

    // Every rule the fixture is there for, whatever else it finds.
    for rule in [
        "INC002", "INC005", "INC007", "CHG001", "CHG004", "REL002", "SEC001", "REPO001", "REPO002",
        "REPO003", "REPO004", "REPO005", "REC001", "REC002", "REC003",
    ] {
        assert!(
            rows.iter().any(|r| r.rule == rule),
            "{rule} is not found in the fixture: {rows:#?}"
        );
    }
    for f in &all {
        if f["rule"] != "REC001" {
            assert!(
                f["line"].is_u64() && f["column"].is_u64(),
                "a finding without line:column: {f:#}"
            );
        }
    }
    // The report masks the personnummer it found.
    let sec = finding(&all, "incidents/2026/11/INC-20261103-A1B2C3.yaml", "SEC001");
    assert!(
        !sec.to_string().contains("19121212-1212"),
        "the report repeats the personnummer: {sec}"
    );

    // A rule finding points at its key.
    let file = "incidents/2026/11/INC-20261103-A1B2C3.yaml";
    let (line, col) = key_position(&fixture_text(file), "reported_via");
    let inc002 = finding(&all, file, "INC002");
    assert_eq!(
        (inc002["line"].as_u64(), inc002["column"].as_u64()),
        (Some(line), Some(col))
    );

    // REC003 for `impact: hgh` is on the line of the `impact` key.
    let file = "incidents/2026/11/INC-20261105-G7H8J9.yaml";
    let (line, _) = key_position(&fixture_text(file), "impact");
    let rec003 = finding(&all, file, "REC003");
    assert_eq!(rec003["line"].as_u64(), Some(line), "{rec003:#}");
    assert_eq!(rec003["field"], "impact");
}

/// The finding for `impact: hgh` points at the `impact` key, line and
/// column, as every rule finding does.
#[test]
fn the_rec003_finding_points_at_the_impact_key() {
    let sb = sandbox();
    let (_, all) = findings(&sb);
    let file = "incidents/2026/11/INC-20261105-G7H8J9.yaml";
    let (line, col) = key_position(&fixture_text(file), "impact");
    let rec003 = finding(&all, file, "REC003");
    assert_eq!(
        (rec003["line"].as_u64(), rec003["column"].as_u64()),
        (Some(line), Some(col)),
        "{rec003:#}"
    );
}

#[test]
fn the_human_format_names_file_line_and_column() {
    let sb = sandbox();
    let out = sb
        .cmd()
        .env("NO_COLOR", "1")
        .arg("validate")
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!text.contains('\u{1b}'), "NO_COLOR output has escape codes");
    let file = "incidents/2026/11/INC-20261103-A1B2C3.yaml";
    let (line, col) = key_position(&fixture_text(file), "reported_via");
    let place = format!("{file}:{line}:{col}");
    assert!(text.contains(&place), "no {place} in:\n{text}");
    assert!(text.contains("INC002"), "the rule ID is not shown:\n{text}");
    // Unreadable files are named too.
    assert!(
        text.contains("INC-20261106-K1M2N3.yaml"),
        "the broken YAML file is not named:\n{text}"
    );
    assert!(
        text.contains("PRB-20261105-P4Q5R6.yaml"),
        "the file with conflict markers is not named:\n{text}"
    );
}

#[test]
fn the_github_format_annotates_every_finding() {
    let sb = sandbox();
    let (_, all) = findings(&sb);
    let out = sb.run(&["validate", "--format", "github"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        lines.len(),
        all.len(),
        "one annotation per finding:\n{text}"
    );
    for f in &all {
        let level = f["severity"].as_str().unwrap();
        let path = f["path"].as_str().unwrap();
        let want = match f["line"].as_u64() {
            Some(l) => format!("{path},line={l}"),
            None => path.to_owned(),
        };
        let rule = format!("title={}", f["rule"].as_str().unwrap());
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("::{level} file="))
                    && l.contains(&want)
                    && l.contains(&rule)),
            "no `::{level} file=…{want}…{rule}` annotation in:\n{text}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=") && l.contains(",line=")),
        "{text}"
    );
}

#[test]
fn the_junit_format_has_one_testcase_per_record_file() {
    let sb = sandbox();
    let out = sb.run(&["validate", "--format", "junit"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testsuites"), "{xml}");
    assert!(xml.trim_end().ends_with("</testsuites>"), "{xml}");
    let files = record_files();
    assert_eq!(
        xml.matches("<testcase ").count(),
        files.len(),
        "one testcase per record file ({files:?}):\n{xml}"
    );
    for file in &files {
        assert!(
            xml.contains(&format!("name=\"{file}\"")),
            "no testcase for {file}:\n{xml}"
        );
    }
    // Every opened testcase is closed, and failures sit inside one.
    let opened = xml.matches("<testcase ").count();
    let closed = xml.matches("</testcase>").count()
        + xml
            .lines()
            .filter(|l| l.trim_start().starts_with("<testcase ") && l.trim_end().ends_with("/>"))
            .count();
    assert_eq!(opened, closed, "{xml}");
    assert!(xml.contains("<failure type=\"REC003\""), "{xml}");
}
