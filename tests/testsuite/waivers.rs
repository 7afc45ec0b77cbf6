//! Waivers, not red CI forever (issue 24): an import that would commit an
//! error of the policy's rules refuses, unless `--waive REASON` writes the
//! waivers in its commit; `validate` reports a waived error as waived in
//! every format and exits 0, `--strict` still fails, a waiver that accepts
//! no error is reported, and a malformed waivers file names its line.
//! `validate -q` prints only the errors, one line each.

use crate::support::{AUTHOR, Layout, NOW, Sandbox, code, stderr, stdout};

const WAIVERS: &str = "policy/waivers.yaml";

/// Two incidents of an old system: the first is priority 1 in progress
/// without a major incident manager (ehm's INC022, which the old system
/// kept no data for); the second breaks no rule.
const OLD_SYSTEM: &str = "kind,source.system,source.id,title,opened_at,impact,urgency,reporter.party,reported_via,status,patient_safety,assignment.group\n\
incident,gamla,1,Receptdepån nere,2026-11-02 09:00,high,high,aktor,phone,in_progress,none,servicedesk\n\
incident,gamla,2,Långsam sökning,2026-11-03 09:00,low,low,aktor,phone,in_progress,none,servicedesk\n";

const REASON: &str = "fanns inte i det gamla systemet";

fn ehm() -> Sandbox {
    Sandbox::init_in(Layout::Plain, &["--policy", "ehm"])
}

fn input(sb: &Sandbox) -> String {
    let path = sb.scratch().join("gamla.csv");
    std::fs::write(&path, OLD_SYSTEM).unwrap();
    path.to_str().unwrap().to_owned()
}

/// An ehm repository with the old system imported and its error waived;
/// the ID of the incident that breaks INC022.
fn imported() -> (Sandbox, String) {
    let sb = ehm();
    let file = input(&sb);
    sb.ok(&["import", &file, "--waive", REASON]);
    let list = sb.ok(&["list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "Receptdepån nere")
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .expect("imported");
    (sb, id)
}

#[test]
fn an_import_that_would_commit_an_error_refuses_and_suggests_waive() {
    let sb = ehm();
    let file = input(&sb);
    let commits = sb.git().commit_count();
    let out = sb.run(&["import", &file]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "refused: {err}{}", stdout(&out));
    assert!(err.contains("INC022 on 1 record(s)"), "{err}");
    assert!(err.contains("gamla 1 (row 2)"), "names the row: {err}");
    assert!(err.contains("--waive"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(sb.git().commit_count(), commits, "no commit");
    assert!(
        !sb.root().join("incidents").exists()
            || crate::support::yaml_files_under(&sb.root().join("incidents")).is_empty()
    );
    assert!(!sb.root().join(WAIVERS).exists());
    // A dry run says the same.
    assert_eq!(code(&sb.run(&["import", &file, "--dry-run"])), 1);
    // An empty reason is no reason.
    let out = sb.run(&["import", &file, "--waive", " "]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn import_waive_writes_the_waivers_in_the_import_commit() {
    let sb = ehm();
    let file = input(&sb);
    let commits = sb.git().commit_count();
    let summary = sb.ok(&["import", &file, "--waive", REASON]);
    assert!(
        summary.contains("waivers: 1 written to policy/waivers.yaml (INC022 × 1)"),
        "{summary}"
    );
    assert_eq!(sb.git().commit_count(), commits + 1, "one commit");
    let committed = sb
        .git()
        .head_file(WAIVERS)
        .expect("the waivers are committed");
    let waivers: serde_yaml::Mapping = serde_yaml::from_slice(&committed).unwrap();
    let list = waivers["waivers"].as_sequence().unwrap();
    assert_eq!(list.len(), 1, "only the record that breaks a rule");
    let w = &list[0];
    assert_eq!(w["rule"], "INC022");
    assert_eq!(w["reason"], REASON);
    assert_eq!(w["who"], AUTHOR);
    let when = chrono::DateTime::parse_from_rfc3339(w["when"].as_str().unwrap()).unwrap();
    assert_eq!(when, chrono::DateTime::parse_from_rfc3339(NOW).unwrap());
    let id = w["record"].as_str().unwrap();
    assert!(sb.record_path(id).exists(), "{id}");
    // A second run finds everything as it is.
    let again = sb.ok(&["import", &file]);
    assert!(again.contains("unchanged 2"), "{again}");
    assert_eq!(sb.git().commit_count(), commits + 1);
}

#[test]
fn validate_reports_a_waived_error_as_waived_in_every_format() {
    let (sb, id) = imported();
    let out = sb.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "only a waived error: {err}");
    assert!(err.contains("waived: a priority 1 or 2 incident"), "{err}");
    assert!(err.contains(&format!("waived by {AUTHOR}")), "{err}");
    assert!(err.contains(REASON), "{err}");
    assert!(err.contains("0 errors, 0 warnings, 1 waived"), "{err}");
    // --strict still lists it, and fails.
    let out = sb.run(&["validate", "--strict"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("INC022"));

    let json = sb.ok(&["validate", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "INC022");
    assert_eq!(f["waived"]["reason"], REASON);
    assert_eq!(f["waived"]["who"], AUTHOR);
    assert!(f["path"].as_str().unwrap().contains(&id));

    let github = sb.ok(&["validate", "--format", "github"]);
    assert!(github.starts_with("::notice "), "{github}");
    assert!(github.contains("title=INC022 (waived)"), "{github}");
    assert!(!github.contains("::error"), "{github}");

    let sarif = sb.ok(&["validate", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert!(
        result["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains(REASON)
    );

    let gitlab = sb.ok(&["validate", "--format", "gitlab"]);
    let gitlab: serde_json::Value = serde_json::from_str(&gitlab).unwrap();
    assert_eq!(gitlab[0]["severity"], "info", "{gitlab}");

    let junit = sb.ok(&["validate", "--format", "junit"]);
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(junit.contains("waived:"), "{junit}");
}

#[test]
fn a_waiver_that_accepts_no_error_is_reported() {
    let (sb, id) = imported();
    // The desk mends the record: the waiver is stale.
    sb.ok(&[
        "set",
        &id,
        "major_incident_manager=Karin Sjöberg <karin.sjoberg@example.se>",
    ]);
    let out = sb.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "a warning: {err}");
    assert!(err.contains("WAI002"), "{err}");
    assert!(err.contains("policy/waivers.yaml:5:"), "at its line: {err}");
    assert!(
        err.contains(&format!("the waiver of INC022 on {id} is stale")),
        "{err}"
    );
    assert!(err.contains("0 errors, 1 warning"), "{err}");
    assert_eq!(code(&sb.run(&["validate", "--strict"])), 1);
}

#[test]
fn a_malformed_waivers_file_names_its_entry_and_line() {
    let (sb, _) = imported();
    let path = sb.root().join(WAIVERS);
    let text = std::fs::read_to_string(&path).unwrap();
    let who = text
        .lines()
        .find(|l| l.trim_start().starts_with("who:"))
        .unwrap();
    std::fs::write(&path, text.replace(&format!("{who}\n"), "")).unwrap();
    sb.leaves_changes("the waivers file is broken by hand for validate to read");
    let out = sb.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("WAI001"), "{err}");
    assert!(err.contains("policy/waivers.yaml:5:"), "{err}");
    assert!(err.contains("waivers[0]"), "{err}");
    assert!(err.contains("who"), "names the missing field: {err}");
    // It waives nothing.
    assert!(err.contains("INC022"), "{err}");
}

#[test]
fn the_waivers_have_a_schema_and_the_editor_maps_them() {
    let sb = ehm();
    let schema: serde_json::Value = serde_json::from_str(&sb.ok(&["schema", "waivers"])).unwrap();
    assert_eq!(
        schema["$id"],
        "https://arende.dev/schemas/waivers.schema.json"
    );
    let waiver = &schema["$defs"]["Waiver"];
    let required: Vec<&str> = waiver["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["record", "rule", "reason", "who", "when"] {
        assert!(required.contains(&field), "{field}: {waiver}");
    }
    assert!(
        sb.root()
            .join(".arende/schemas/waivers.schema.json")
            .exists()
    );
    let settings = std::fs::read_to_string(sb.root().join(".vscode/settings.json")).unwrap();
    let settings: serde_json::Value = serde_json::from_str(&settings).unwrap();
    assert_eq!(
        settings["yaml.schemas"]["./.arende/schemas/waivers.schema.json"][0],
        WAIVERS
    );
}

#[test]
fn validate_quiet_prints_only_the_errors_one_line_each() {
    let (sb, id) = imported();
    // An incident without a priority: a warning (INC040).
    sb.ok(&["new", "incident", "--title", "Något är fel"]);
    // The waiver now names another rule: INC022 is an error again, and
    // the waiver is stale.
    let path = sb.root().join(WAIVERS);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("rule: INC022", "rule: INC021")).unwrap();
    sb.git().commit_all("the waiver names another rule");
    let loud = sb.run(&["validate"]);
    assert!(stderr(&loud).contains("INC040"), "{}", stderr(&loud));
    assert!(stderr(&loud).contains("╭"), "code frames without -q");

    let out = sb.run(&["validate", "-q"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one error, one line: {err}");
    assert!(lines[0].contains(&id), "{err}");
    assert!(lines[0].contains("error INC022"), "{err}");
    assert!(!err.contains("INC040") && !err.contains("WAI002"), "{err}");
    assert!(!err.contains("╭"), "no code frame: {err}");
    // With --strict, the warnings fail too, and are listed, a line each.
    let out = sb.run(&["validate", "-q", "--strict"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out).lines().count(), 3, "{}", stderr(&out));
}

#[test]
fn a_commit_that_brings_a_record_with_its_waiver_passes_the_staged_check() {
    let sb = ehm();
    let file = input(&sb);
    // Written, not committed: the person commits with git, and the
    // pre-commit hook runs `validate --staged`.
    let summary = sb.ok(&["import", &file, "--waive", REASON, "--no-commit"]);
    assert!(summary.contains("waivers: 1 written"), "{summary}");
    assert!(sb.root().join(WAIVERS).exists());
    sb.git_ok(&["add", "-A"]);
    sb.leaves_changes("the import is staged for a commit the test does not make");
    let out = sb.run(&["validate", "--staged"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "the staged error is waived: {err}");
    assert!(err.contains("waived: a priority 1 or 2 incident"), "{err}");
    // Without the waiver staged (though it is in the working tree), the
    // same commit is refused.
    sb.git_ok(&["rm", "-q", "--cached", WAIVERS]);
    let out = sb.run(&["validate", "--staged"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("INC022"), "{}", stderr(&out));
}
