//! A record is named as a person types it: its ID in any case, with
//! Crockford's look-alikes (O for 0, I and L for 1) after the prefix, the
//! end of its ID after a dash where only one record ends so, or the path of
//! its file; every command that takes an ID takes these, `validate`
//! included. A hand-made ID is found as it is first.

use crate::support::*;

/// Files a hand-made configuration item `id` (no date: flat in its folder).
fn ci(sb: &Sandbox, id: &str, title: &str) {
    let text = format!(
        "id: {id}\nkind: configuration_item\ntitle: {title}\nstatus: active\n\
         opened_at: 2026-11-20T08:15:00+01:00\nci_type: service\nhistory:\n\
         - at: 2026-11-20T08:15:00+01:00\n  by: {AUTHOR}\n  status: active\n  note: registered\n"
    );
    std::fs::write(sb.root().join(format!("configuration/{id}.yaml")), text).unwrap();
    sb.git_ok(&["add", "."]);
    sb.git_ok(&["commit", "-q", "-m", "a hand-made CI"]);
}

/// The part of a generated ID after its last dash (`K7QF2M`).
fn tail(id: &str) -> &str {
    id.rsplit('-').next().unwrap()
}

fn shown_id(sb: &Sandbox, typed: &str) -> String {
    let out = sb.ok(&["show", typed, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    doc["id"].as_str().unwrap().to_owned()
}

#[test]
fn ids_are_taken_in_any_case_and_with_crockfords_look_alikes() {
    let sb = Sandbox::with_repo();
    ci(&sb, "CI-S05K1W", "Receptdepån");
    ci(&sb, "CI-EPRESCRIPTION", "E-recept");
    for typed in [
        "CI-S05K1W",
        "ci-s05k1w",
        "ci-so5kiw",
        "CI-SO5KLW",
        "Ci-sO5k1w",
    ] {
        assert_eq!(shown_id(&sb, typed), "CI-S05K1W", "{typed}");
    }
    // A hand-made ID holding I and O is found as it is, in any case.
    for typed in ["CI-EPRESCRIPTION", "ci-eprescription"] {
        assert_eq!(shown_id(&sb, typed), "CI-EPRESCRIPTION", "{typed}");
    }
    // The prefix is not read for look-alikes: `CL` is no kind.
    let out = sb.run(&["show", "CL-S05K1W"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn the_end_of_an_id_names_the_record_where_only_one_ends_so() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let end = tail(&inc).to_lowercase();
    assert_eq!(shown_id(&sb, &end), inc);
    assert_eq!(shown_id(&sb, &format!("20261122-{end}")), inc);
    assert_eq!(shown_id(&sb, &format!("inc-{end}")), inc);
    ci(&sb, "CI-EPRESCRIPTION", "E-recept");
    assert_eq!(shown_id(&sb, "eprescription"), "CI-EPRESCRIPTION");
    // The end is a whole part: what follows a dash, not any suffix.
    let out = sb.run(&["show", &end[1..]]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A problem of the same end is not the incident.
    let out = sb.run(&["show", &format!("prb-{end}")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn an_end_more_than_one_record_has_lists_them() {
    let sb = Sandbox::with_repo();
    ci(&sb, "CI-A-K7QF2M", "A");
    ci(&sb, "CI-B-K7QF2M", "B");
    let commits = sb.git().commit_count();
    let out = sb.run(&["set", "k7qf2m", "title=C"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("CI-A-K7QF2M") && err.contains("CI-B-K7QF2M") && err.contains("help:"),
        "{err}"
    );
    assert_eq!(sb.git().commit_count(), commits);
    assert_eq!(shown_id(&sb, "b-k7qf2m"), "CI-B-K7QF2M");
}

#[test]
fn a_miss_says_so_once_with_the_nearest_id() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let end = tail(&inc);
    // One character changed, at the end and in the whole ID.
    let last = end.chars().last().unwrap();
    let other = if last == 'X' { 'Y' } else { 'X' };
    let typo = format!("{}{other}", &end[..end.len() - 1]);
    for typed in [typo.clone(), format!("INC-20261122-{typo}")] {
        let out = sb.run(&["show", &typed]);
        assert_eq!(code(&out), 2, "{typed}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&typed), "{err}");
        assert!(err.contains(&format!("did you mean {inc}?")), "{err}");
    }
}

#[test]
fn a_records_path_names_it() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let rel = rel_path(&inc);
    assert_eq!(shown_id(&sb, &rel), inc);
    let abs = sb.root().join(&rel);
    assert_eq!(shown_id(&sb, abs.to_str().unwrap()), inc);
    // Relative to the folder the command starts in, or that -C names.
    let month = std::path::Path::new(&rel).parent().unwrap();
    let year = month.parent().unwrap();
    let from_year = format!(
        "{}/{inc}.yaml",
        month.file_name().unwrap().to_str().unwrap()
    );
    let out = sb
        .cmd_in(&sb.root().join(year))
        .args(["show", &from_year, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(&inc));
    let dir = year.to_str().unwrap();
    assert!(sb.ok(&["-C", dir, "show", &from_year]).contains(&inc));
    sb.ok(&["status", &rel, "assigned", "--group", "servicedesk"]);
    // A file name alone, away from its folder, names the record too.
    assert_eq!(shown_id(&sb, &format!("{inc}.yaml")), inc);
    // Files that are no record, and files outside the repository.
    let outside = sb.scratch().join(format!("{inc}.yaml"));
    std::fs::copy(&abs, &outside).unwrap();
    for (typed, says) in [
        ("arende.yaml", "not a record file"),
        (outside.to_str().unwrap(), "not inside the repository"),
        ("incidents/2026/11/INC-20261122-ZZZZZZ.yaml", "no such file"),
        (".yaml", "no such file"),
        ("x.yaml.yaml", "no such file"),
    ] {
        let out = sb.run(&["show", typed]);
        assert_eq!(code(&out), 2, "{typed}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{typed}: {}", stderr(&out));
    }
}

#[test]
fn every_command_that_takes_an_id_takes_its_end() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let prb = sb
        .ok(&["new", "problem", "--title", "Minnesläcka"])
        .trim()
        .to_owned();
    let (i, p) = (tail(&inc).to_lowercase(), tail(&prb).to_lowercase());
    sb.ok(&["set", &i, "urgency=high"]);
    sb.ok(&["status", &i, "assigned", "--group", "servicedesk"]);
    sb.ok(&["link", &i, &p]);
    sb.ok(&["unlink", &p, &i]);
    sb.ok(&["classify", &i, &p]);
    sb.ok(&["classify", "--check", &i]);
    assert!(sb.ok(&["log", &i]).contains("assigned"));
    let doc = sb.record(&inc);
    assert_eq!(field(&doc, "urgency").as_str(), Some("high"));
    assert_eq!(field(&doc, "status").as_str(), Some("assigned"));
}

#[test]
fn validate_takes_ids_as_well_as_paths() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("a record is broken by hand for validate to find");
    let good = sb.journal_incident();
    let bad = sb.journal_incident();
    sb.edit_record(&bad, "impact: high", "impact: enormous");
    let out = sb.run(&["validate", &good]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked 1 record file"),
        "{}",
        stderr(&out)
    );
    let out = sb.run(&["validate", &tail(&good).to_lowercase()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sb.run(&["validate", tail(&bad)]);
    assert_ne!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains(&bad), "{}", stderr(&out));
    // A word that is neither a file nor a record: said once, exit 2.
    let out = sb.run(&["validate", "INC-20261122-NOSUCH"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("No such file or directory"), "{err}");
    assert_eq!(err.matches("INC-20261122-NOSUCH").count(), 1, "{err}");
}
