//! `validate` reads each record once and checks the repository on small
//! summaries; a file that cannot be parsed is reported once, not echoed as
//! a dangling link on every record linking to it (issue 15).

use std::path::Path;

use crate::support::*;

fn ehm() -> Sandbox {
    let sb = Sandbox::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ehm"),
        sb.root(),
    );
    sb
}

fn findings(sb: &Sandbox) -> Vec<serde_json::Value> {
    let out = sb.run(&["validate", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    report["findings"].as_array().unwrap().clone()
}

#[test]
fn an_unreadable_record_is_reported_once_and_not_as_dangling_links() {
    let sb = ehm();
    assert_eq!(
        findings(&sb),
        Vec::<serde_json::Value>::new(),
        "the fixture is clean"
    );
    // Linked to from changes, incidents and releases; depended on by other items.
    for broken in [
        rel_path("PRB-20260602-RF2KG2"),
        rel_path("CI-20260107-WRGNY2"),
    ] {
        std::fs::write(sb.root().join(broken), "id: [not a record\n").unwrap();
    }
    let found = findings(&sb);
    let paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            rel_path("CI-20260107-WRGNY2"),
            rel_path("PRB-20260602-RF2KG2")
        ],
        "one finding per broken file, nothing on the records linking to them: {found:#?}"
    );
    assert!(
        found.iter().all(|f| f["rule"] != "REPO003"),
        "no false dangling link: {found:#?}"
    );
}

#[test]
fn a_link_to_a_file_that_is_missing_is_still_dangling() {
    let sb = ehm();
    std::fs::remove_file(sb.record_path("PRB-20260602-RF2KG2")).unwrap();
    let found = findings(&sb);
    assert!(
        found.iter().any(|f| f["rule"] == "REPO003"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("PRB-20260602-RF2KG2")),
        "{found:#?}"
    );
}

#[test]
fn validate_answers_in_a_stable_order() {
    let sb = ehm();
    std::fs::remove_file(sb.record_path("PRB-20260602-RF2KG2")).unwrap();
    std::fs::write(
        sb.root().join("configuration/CI-20260107-WRGNY2.yaml"),
        "id: [not a record\n",
    )
    .unwrap();
    let first = sb.run(&["validate"]);
    for _ in 0..3 {
        let again = sb.run(&["validate"]);
        assert_eq!(stdout(&again), stdout(&first));
        assert_eq!(stderr(&again), stderr(&first));
    }
}
