//! Keys a slip away from a field (`impcat` for `impact`) are a warning,
//! REC006, with the field they meant, from `validate` and from every command
//! that writes the record; a key of the owner's own that is no near miss
//! stays silent, and every unknown key is kept on write.

use crate::support::{Sandbox, code, stderr, stdout};

/// The usual incident, then keys added by hand and committed.
fn with_keys(sb: &Sandbox, lines: &str) -> String {
    let id = sb.journal_incident();
    let path = sb.record_path(&id);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(lines);
    std::fs::write(&path, text).unwrap();
    sb.hand_commit("keys by hand");
    id
}

fn near_misses(sb: &Sandbox) -> Vec<(String, String)> {
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 0, "warnings only:\n{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "REC006")
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f}");
            (
                f["field"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_key_that_is_a_slip_of_a_field_is_a_warning_naming_the_field() {
    let sb = Sandbox::with_repo();
    let id = with_keys(
        &sb,
        "impcat: low\nintern_referens: X-17\nreporter2: {}\noutage:\n  strat: 2026-11-20T08:00:00+01:00\n",
    );
    let found = near_misses(&sb);
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["impcat", "reporter2", "outage.strat"],
        "{found:#?}"
    );
    assert!(
        found[0].1.contains("did you mean `impact`?"),
        "{}",
        found[0].1
    );
    assert!(
        found[2].1.contains("did you mean `outage.start`?"),
        "{}",
        found[2].1
    );
    // It points at the key's line, and --strict fails on it as on any
    // warning.
    let text = std::fs::read_to_string(sb.record_path(&id)).unwrap();
    let line = text.lines().position(|l| l.starts_with("impcat:")).unwrap() + 1;
    let human = stderr(&sb.run(&["validate"]));
    assert!(
        human.contains(&format!(".yaml:{line}:1: `impcat`")),
        "{human}"
    );
    assert_eq!(code(&sb.run(&["validate", "--strict"])), 1);
}

#[test]
fn keys_of_the_owners_own_stay_silent() {
    let sb = Sandbox::with_repo();
    with_keys(&sb, "intern_referens: X-17\nkostnadsstalle: 4711\nx: 1\n");
    assert_eq!(near_misses(&sb), Vec::<(String, String)>::new());
}

#[test]
fn a_near_miss_in_a_list_item_names_its_place() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    sb.edit_record(&id, "  status: new\n", "  status: new\n  stauts: new\n");
    sb.hand_commit("a slip in the history");
    let found = near_misses(&sb);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "history[0].stauts");
    assert!(
        found[0].1.contains("did you mean `history[0].status`?"),
        "{}",
        found[0].1
    );
}

#[test]
fn the_write_path_warns_of_near_misses_and_keeps_every_unknown_key() {
    let sb = Sandbox::with_repo();
    let id = with_keys(&sb, "impcat: low\nintern_referens: X-17\n");
    let out = sb.run(&["set", &id, "urgency=high"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("REC006") && err.contains("did you mean `impact`?"),
        "{err}"
    );
    assert!(!err.contains("intern_referens"), "{err}");
    // Both kept as they were, beside the change made.
    let record = sb.record(&id);
    assert_eq!(record["impcat"], "low");
    assert_eq!(record["intern_referens"], "X-17");
    assert_eq!(record["urgency"], "high");
    assert_eq!(record["impact"], "high", "the field it meant is untouched");
}
