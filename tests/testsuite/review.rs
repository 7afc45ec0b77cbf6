//! `arende review`, `arende log`, merges of record branches and `arende hook
//! install`, end to end: real histories in temporary repositories, made with
//! the real binary and with the git CLI (hand edits, branches, merges), all
//! with a pinned author and clock.

use std::collections::BTreeSet;

use crate::support::*;
use serde_json::Value as Json;

/// The Inera incident of these tests: high × medium (priority 2), a `kund`
/// report with its ticket, by phone. It breaks no rule.
const JOURNAL: &[&str] = &[
    "impact=high",
    "urgency=medium",
    "reporter.party=kund",
    "tickets.kund=4711",
    "reported_via=phone",
];

/// A normal Inera change, filed and submitted with arende commands.
fn submitted_change(sb: &Sandbox) -> String {
    let id = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Byt certifikat på journalservern",
            "category=normal",
            "change_type=modification",
        ])
        .trim()
        .to_owned();
    sb.ok(&["status", &id, "submitted"]);
    id
}

/// `arende review ARGS` in Markdown: exit code, stdout, stderr.
fn review(sb: &Sandbox, range: &str) -> (i32, String, String) {
    let out = sb.run(&["review", range]);
    (code(&out), stdout(&out), stderr(&out))
}

/// `arende review RANGE --format json`: exit code and the parsed review.
fn review_json(sb: &Sandbox, range: &str) -> (i32, Json) {
    let out = sb.run(&["review", range, "--format", "json"]);
    let text = stdout(&out);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "review --format json is not JSON ({e}):\n{text}{}",
            stderr(&out)
        )
    });
    (code(&out), json)
}

/// The one record a review is about.
fn only_record(review: &Json) -> &Json {
    let records = review["records"].as_array().expect("records is a list");
    assert_eq!(records.len(), 1, "expected one record in {review:#}");
    &records[0]
}

/// The rule IDs of a reviewed record's findings, in order.
fn rules(record: &Json) -> Vec<String> {
    record["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The field names of a reviewed record's diff, in order.
fn diff_fields(record: &Json) -> Vec<String> {
    record["fields"]
        .as_array()
        .expect("fields is a list")
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Holds the review's Markdown in a snapshot, with the random parts
/// redacted: commit hashes, and the record IDs `arende new` made, each given
/// as (ID, placeholder) and replaced in its upper- and lower-case spellings
/// (the latter in the Markdown anchors).
fn assert_markdown(name: &str, markdown: &str, ids: &[(&str, &str)]) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    for (id, placeholder) in ids {
        // IDs are `[A-Z0-9-]`: nothing in them is special in a regex.
        settings.add_filter(id, *placeholder);
        settings.add_filter(&id.to_lowercase(), placeholder.to_lowercase());
    }
    settings.add_filter(r"`[0-9a-f]{7}`", "`[commit]`");
    settings.bind(|| insta::assert_snapshot!(name, markdown));
}

// ------------------------------------------------------------- additions

#[test]
fn a_clean_record_added_on_a_branch_passes_review() {
    let sb = Sandbox::with_repo();
    let base = sb.rev("HEAD");
    sb.branch("feature");
    let id = sb.new_incident("Journal nere", JOURNAL);
    let head = sb.rev("HEAD");
    // The review reads both sides from git: the branch need not be checked out.
    sb.checkout("main");
    assert!(!sb.record_path(&id).exists());

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 0, "{markdown}{err}");
    assert!(markdown.contains(&id), "{markdown}");
    assert!(markdown.contains("0 error(s), 0 warning(s)"), "{markdown}");
    assert_markdown("clean_addition", &markdown, &[(&id, "[INC-ID]")]);

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 0);
    assert_eq!(json["base"], base.as_str());
    assert_eq!(json["head"], head.as_str());
    let record = only_record(&json);
    assert_eq!(record["id"], id.as_str());
    assert_eq!(record["kind"], "incident");
    assert_eq!(record["change"], "added");
    assert_eq!(record["path"], rel_path(&id).as_str());
    assert_eq!(record["status"], serde_json::json!([null, "new"]));
    assert_eq!(record["events_added"], 1);
    // The events themselves, not only their count: who, when, what.
    let event = &record["events"][0];
    assert_eq!(event["by"], AUTHOR);
    assert_eq!(event["at"], NOW);
    assert_eq!(event["note"], "opened");
    assert!(
        markdown.contains("Anna Berg \\<anna@example.se\\> · status → new; “opened”"),
        "{markdown}"
    );
    assert_eq!(rules(record), Vec::<String>::new());
    let priority = record["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "priority")
        .expect("the new record's priority is in the diff");
    assert_eq!(priority["old"], Json::Null);
    assert_eq!(priority["new"], "2");
}

#[test]
fn review_of_a_branch_without_record_changes_is_empty() {
    let sb = Sandbox::with_repo();
    sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 0, "{err}");
    assert!(markdown.contains("0 record(s) changed"), "{markdown}");
    assert!(markdown.contains("No records changed."), "{markdown}");
    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 0);
    assert_eq!(json["records"], serde_json::json!([]));
}

// ---------------------------------------------------------- status jumps

#[test]
fn a_change_implemented_by_hand_without_approval_fails_review() {
    let sb = Sandbox::with_repo();
    let id = submitted_change(&sb);
    sb.branch("feature");
    sb.edit_record(&id, "\nstatus: submitted\n", "\nstatus: implemented\n");
    sb.hand_commit("Genomförd");

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 1, "{markdown}{err}");
    // submitted → implemented is a move the machine has (a standard
    // change's work starts as soon as it is requested); for a normal
    // change, the rules find what it skipped.
    assert!(markdown.contains("CHG004"), "{markdown}");
    assert!(markdown.contains("CHG011"), "{markdown}");
    assert_markdown(
        "implemented_without_approval",
        &markdown,
        &[(&id, "[CHG-ID]")],
    );

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 1);
    let record = only_record(&json);
    assert_eq!(record["change"], "changed");
    assert_eq!(
        record["status"],
        serde_json::json!(["submitted", "implemented"])
    );
    assert_eq!(record["events_added"], 0);
    assert_eq!(diff_fields(record), ["status"]);
    let found: BTreeSet<String> = rules(record).into_iter().collect();
    // The approval it skipped (CHG004), the implementation report it
    // lacks (CHG005), the scheduling a normal change needs (CHG008), the
    // decision only a standard change goes without (CHG011), and a history
    // that does not reach the status (REC004).
    assert_eq!(
        found,
        BTreeSet::from(["CHG004", "CHG005", "CHG008", "CHG011", "REC004"].map(String::from))
    );
}

#[test]
fn a_status_event_that_jumps_is_rev001_too() {
    let sb = Sandbox::with_repo();
    let id = submitted_change(&sb);
    sb.branch("feature");
    sb.edit_record(
        &id,
        "status: submitted\nopened_at",
        "status: closed\nopened_at",
    );
    let text = std::fs::read_to_string(sb.record_path(&id)).unwrap();
    let event =
        "- at: 2026-11-22T09:30:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: closed\n";
    std::fs::write(sb.record_path(&id), format!("{text}{event}")).unwrap();
    sb.hand_commit("Genomförd, med händelse");

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 1);
    let record = only_record(&json);
    assert_eq!(record["events_added"], 1);
    let jumps: Vec<&str> = record["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "REV001")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        jumps,
        ["submitted → closed is not a move the inera policy allows"]
    );
    assert!(rules(record).contains(&"CHG004".to_owned()), "{record:#}");
}

#[test]
fn status_moves_made_with_commands_pass_review() {
    let sb = Sandbox::with_repo();
    let id = submitted_change(&sb);
    sb.branch("feature");
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &id,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &id, "approved"]);
    sb.ok(&["status", &id, "scheduled"]);

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 0, "{json:#}");
    let record = only_record(&json);
    assert_eq!(
        record["status"],
        serde_json::json!(["submitted", "scheduled"])
    );
    assert_eq!(record["events_added"], 3);
    assert_eq!(rules(record), Vec::<String>::new());
}

// -------------------------------------------------------------- deletion

#[test]
fn a_deleted_record_fails_review_with_rev002() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.git_ok(&["rm", "-q", &rel_path(&id)]);
    sb.hand_commit("Bort med den");

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 1, "{markdown}{err}");
    assert!(markdown.contains("REV002"), "{markdown}");
    assert_markdown("deleted_record", &markdown, &[(&id, "[INC-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    assert_eq!(record["id"], id.as_str());
    assert_eq!(record["change"], "deleted");
    assert_eq!(record["status"], serde_json::json!(["new", null]));
    assert_eq!(rules(record), ["REV002"]);
}

/// A record file whose name git holds but is not UTF-8 is reported as
/// unreadable, as `validate` reports a file it cannot read, not skipped.
#[cfg(unix)]
#[test]
fn a_record_file_whose_name_is_not_utf8_fails_review() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::with_repo();
    sb.branch("feature");
    let name = std::ffi::OsStr::from_bytes(b"INC-\xff.yaml");
    let dir = sb.root().join("incidents");
    std::fs::create_dir_all(&dir).expect("incidents folder");
    std::fs::write(dir.join(name), "id: x\n").expect("write the file");
    sb.hand_commit("Ett namn som inte är UTF-8");

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 1, "{json:#}");
    let record = only_record(&json);
    assert_eq!(record["change"], "added");
    assert_eq!(rules(record), ["REC001"]);
    let message = record["findings"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("not UTF-8"), "{message}");
}

// ------------------------------------------------------------- history

/// An incident on main with two events: opened (with its team), and
/// assigned with a note.
fn assigned_incident(sb: &Sandbox) -> String {
    let mut fields = JOURNAL.to_vec();
    fields.push("assignment.group=servicedesk");
    let id = sb.new_incident("Journal nere", &fields);
    sb.ok(&["status", &id, "assigned", "--note", "till journalteamet"]);
    id
}

#[test]
fn an_event_note_edited_by_hand_fails_review_with_rev003() {
    let sb = Sandbox::with_repo();
    let id = assigned_incident(&sb);
    sb.branch("feature");
    sb.edit_record(&id, "note: till journalteamet", "note: till nätverksteamet");
    sb.hand_commit("Rätta anteckningen");

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 1, "{markdown}{err}");
    assert!(markdown.contains("REV003"), "{markdown}");
    assert!(
        markdown.contains("history event 2 of the base was removed or rewritten"),
        "{markdown}"
    );
    assert_markdown("history_note_rewritten", &markdown, &[(&id, "[INC-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    assert_eq!(rules(record), ["REV003"]);
    assert_eq!(record["events_added"], 0);
    // Nothing but history changed, and history is not a diffed field.
    assert_eq!(diff_fields(record), Vec::<String>::new());
}

#[test]
fn an_event_removed_by_hand_fails_review_with_rev003() {
    let sb = Sandbox::with_repo();
    let id = assigned_incident(&sb);
    sb.branch("feature");
    sb.edit_record(
        &id,
        "- at: 2026-11-22T09:30:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: assigned\n  note: till journalteamet\n",
        "",
    );
    sb.hand_commit("Bort med händelsen");

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 1, "{json:#}");
    let record = only_record(&json);
    let found = rules(record);
    assert!(found.contains(&"REV003".to_owned()), "{record:#}");
    // The history no longer reaches `assigned`: validate's REC004 as well.
    assert!(found.contains(&"REC004".to_owned()), "{record:#}");
    let rewritten = record["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "REV003")
        .unwrap();
    assert_eq!(
        rewritten["message"],
        "history event 2 of the base was removed or rewritten"
    );
}

// ------------------------------------------------------------- priority

#[test]
fn a_priority_override_with_a_reason_passes_review() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.ok(&[
        "set",
        &id,
        "priority=1",
        "priority_reason=Akuten kan inte läsa journaler",
    ]);

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 0, "{markdown}{err}");
    assert!(!markdown.contains("REV005"), "{markdown}");
    assert_markdown("priority_with_reason", &markdown, &[(&id, "[INC-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    assert_eq!(rules(record), Vec::<String>::new());
    assert_eq!(diff_fields(record), ["priority", "priority_reason"]);
    assert_eq!(record["events_added"], 1);
}

#[test]
fn a_priority_derived_from_a_new_impact_passes_review() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.ok(&["set", &id, "impact=medium"]);
    assert_eq!(
        field(&sb.record(&id), "priority"),
        &serde_yaml::Value::from(3)
    );

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 0, "{markdown}{err}");
    assert_markdown("priority_from_impact", &markdown, &[(&id, "[INC-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    assert_eq!(rules(record), Vec::<String>::new());
    assert_eq!(diff_fields(record), ["impact", "priority"]);
}

#[test]
fn a_priority_edited_by_hand_without_a_reason_fails_review_with_rev005() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.edit_record(&id, "priority: 2\n", "priority: 1\n");
    sb.hand_commit("Upp med prioriteten");

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 1, "{markdown}{err}");
    assert!(markdown.contains("REV005"), "{markdown}");
    assert!(
        markdown.contains("the priority changed from 2 to 1 without a reason"),
        "{markdown}"
    );
    assert_markdown("priority_without_reason", &markdown, &[(&id, "[INC-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    // The stored priority also disagrees with impact × urgency (INC001).
    assert_eq!(
        rules(record).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["INC001".to_owned(), "REV005".to_owned()])
    );
}

#[test]
fn a_priority_edited_by_hand_with_a_written_reason_passes_review() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.edit_record(
        &id,
        "priority: 2\n",
        "priority: 1\npriority_reason: Akuten kan inte läsa journaler\n",
    );
    sb.hand_commit("Upp med prioriteten, med skäl");

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 0, "{json:#}");
    assert_eq!(rules(only_record(&json)), Vec::<String>::new());
}

// ---------------------------------------------------- approvals and IDs

#[test]
fn an_approval_removed_by_hand_fails_review_with_rev004() {
    let sb = Sandbox::with_repo();
    let id = submitted_change(&sb);
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &id,
        "--by",
        "andringsforum",
    ]);
    sb.branch("feature");
    sb.edit_record(
        &id,
        "approvals:\n- by: andringsforum\n  decision: approved\n  at: 2026-11-22T09:30:00+01:00\n",
        "",
    );
    sb.hand_commit("Bort med godkännandet");

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 1, "{markdown}{err}");
    assert!(markdown.contains("REV004"), "{markdown}");
    assert!(
        markdown.contains(
            "the approval by andringsforum (approved) of 2026-11-22T09:30:00+01:00 was removed"
        ),
        "{markdown}"
    );
    assert_markdown("approval_removed", &markdown, &[(&id, "[CHG-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    assert_eq!(rules(record), ["REV004"]);
    assert_eq!(diff_fields(record), ["approvals"]);
}

/// An incident on main, and a branch that changes its `id:` by hand (the
/// file keeps its name). Returns the old and the new ID.
fn id_changed_by_hand(sb: &Sandbox) -> (String, String) {
    let id = sb.new_incident("Journal nere", JOURNAL);
    let other = "INC-20261122-AAAAAA".to_owned();
    assert_ne!(id, other);
    sb.branch("feature");
    sb.edit_record(&id, &format!("id: {id}\n"), &format!("id: {other}\n"));
    sb.hand_commit("Nytt ID");
    (id, other)
}

#[test]
fn an_id_changed_by_hand_fails_review_with_rev006() {
    let sb = Sandbox::with_repo();
    let (id, other) = id_changed_by_hand(&sb);

    let (exit, markdown, err) = review(&sb, "main..feature");
    assert_eq!(exit, 1, "{markdown}{err}");
    assert!(markdown.contains("REV006"), "{markdown}");
    assert!(
        markdown.contains(&format!("the ID changed from {id} to {other}")),
        "{markdown}"
    );
    assert_markdown("id_changed", &markdown, &[(&id, "[INC-ID]")]);

    let (_, json) = review_json(&sb, "main..feature");
    let record = only_record(&json);
    assert!(rules(record).contains(&"REV006".to_owned()), "{record:#}");
    assert_eq!(record["path"], rel_path(&id).as_str());
    // validate, on the same tree, says the file name is not the ID.
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let validate_rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(validate_rules, ["REPO002"]);
}

#[test]
fn review_reports_what_validate_reports_for_a_changed_id() {
    let sb = Sandbox::with_repo();
    id_changed_by_hand(&sb);
    let (_, json) = review_json(&sb, "main..feature");
    let found = rules(only_record(&json));
    assert!(found.contains(&"REV006".to_owned()), "{found:?}");
    assert!(found.contains(&"REPO002".to_owned()), "{found:?}");
}

#[test]
fn review_reports_a_dangling_link_the_branch_adds() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.edit_record(
        &id,
        "history:\n",
        "links:\n  problems:\n  - PRB-20261122-ZZZZZZ\nhistory:\n",
    );
    sb.hand_commit("Länk till problem");
    assert_eq!(code(&sb.run(&["validate", "-q"])), 1);

    let (exit, json) = review_json(&sb, "main..feature");
    assert!(
        rules(only_record(&json)).contains(&"REPO003".to_owned()),
        "{json:#}"
    );
    assert_eq!(exit, 1);
}

// ------------------------------------------------------------- ranges

#[test]
fn review_with_one_revision_compares_it_with_head() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.edit_record(&id, "priority: 2\n", "priority: 1\n");
    sb.hand_commit("Upp med prioriteten");

    let one = sb.run(&["review", "main", "--format", "json"]);
    let two = sb.run(&["review", "main..feature", "--format", "json"]);
    let open = sb.run(&["review", "main..", "--format", "json"]);
    assert_eq!(code(&one), 1);
    assert_eq!(stdout(&one), stdout(&two));
    assert_eq!(stdout(&one), stdout(&open));
    let json: Json = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(json["head"], sb.rev("HEAD").as_str());
    assert_eq!(json["base"], sb.rev("main").as_str());
}

#[test]
fn review_accepts_the_three_dot_range_of_git() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("feature");
    sb.edit_record(&id, "priority: 2\n", "priority: 1\n");
    sb.hand_commit("Upp med prioriteten");
    let two = sb.run(&["review", "main..feature", "--format", "json"]);
    let three = sb.run(&["review", "main...feature", "--format", "json"]);
    assert_eq!(code(&three), 1, "{}", stderr(&three));
    assert_eq!(stdout(&three), stdout(&two));
}

#[test]
fn review_and_log_work_when_the_records_live_in_a_subfolder_of_the_git_repository() {
    let sb = Sandbox::new();
    sb.git_ok(&["init", "-q", "-b", "main", "."]);
    std::fs::write(sb.root().join("README.md"), "Tjänstens dokumentation\n").unwrap();
    sb.hand_commit("Dokumentation");
    let records = sb.root().join("records");
    let arende = |args: &[&str]| {
        let out = sb.cmd_in(&records).args(args).output().unwrap();
        assert_no_panic(&out);
        out
    };
    // `init DIR` inside a git work tree adopts that repository.
    let out = sb.run(&["init", "--policy", "inera", "records"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !records.join(".git").exists(),
        "a nested repository was made"
    );

    sb.branch("feature");
    let mut args = vec!["new", "incident", "--title", "Journal nere"];
    args.extend_from_slice(JOURNAL);
    let out = arende(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    let path = records.join(rel_path(&id));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("priority: 2\n", "priority: 1\n", 1)).unwrap();
    let hand = sb.hand_commit("Upp med prioriteten");

    let out = arende(&["review", "main", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let record = only_record(&json);
    assert_eq!(record["id"], id.as_str());
    // Paths are relative to the record repository, not to the git work tree.
    assert_eq!(record["path"], rel_path(&id).as_str());
    assert!(rules(record).contains(&"INC001".to_owned()), "{record:#}");

    let out = arende(&["log", &id, "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let steps: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let steps = steps.as_array().unwrap();
    assert_eq!(steps.len(), 2, "{steps:#?}");
    assert_eq!(steps[1]["commit"], hand.as_str());
}

#[test]
fn markdown_escapes_table_cells() {
    let sb = Sandbox::with_repo();
    sb.branch("feature");
    sb.new_incident("Journal | nere", JOURNAL);
    let (exit, markdown, err) = review(&sb, "main");
    assert_eq!(exit, 0, "{err}");
    assert!(
        markdown.contains(") Journal \\| nere | incident |"),
        "{markdown}"
    );
}

#[test]
fn review_compares_from_the_merge_base() {
    let sb = Sandbox::with_repo();
    sb.branch("feature");
    let added = sb.new_incident("Journal nere", JOURNAL);
    let fork = sb.rev("main");
    // main moves on after the branch was made, with a record the branch
    // never saw (and a broken one): not the branch's doing.
    sb.checkout("main");
    let on_main = sb.new_incident("Journal nere igen", JOURNAL);
    sb.edit_record(&on_main, "priority: 2\n", "priority: 1\n");
    sb.hand_commit("Prioritet på main");
    sb.checkout("feature");

    let (exit, json) = review_json(&sb, "main..feature");
    assert_eq!(exit, 0, "{json:#}");
    assert_eq!(json["base"], fork.as_str());
    assert_eq!(only_record(&json)["id"], added.as_str());
}

#[test]
fn review_of_a_bad_revision_exits_2() {
    let sb = Sandbox::with_repo();
    sb.new_incident("Journal nere", JOURNAL);
    for range in [
        "no-such-branch",
        "no-such-branch..HEAD",
        "main..no-such-branch",
    ] {
        let out = sb.run(&["review", range]);
        assert_eq!(code(&out), 2, "review {range}: {}", stdout(&out));
        assert!(stdout(&out).is_empty(), "review {range}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("no-such-branch"),
            "review {range} does not name the revision: {}",
            stderr(&out)
        );
    }
}

// ----------------------------------------------------------------- log

#[test]
fn log_shows_every_commit_of_a_record_oldest_first() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    let filed = sb.rev("HEAD");

    sb.edit_record(
        &id,
        "title: Journal nere\n",
        "title: Journal nere i region Öst\n",
    );
    let hand1 = sb.hand_commit("Bättre rubrik");
    sb.ok(&[
        "status",
        &id,
        "assigned",
        "--note",
        "till journalteamet",
        "--group",
        "servicedesk",
    ]);
    let cmd1 = sb.rev("HEAD");
    // A commit that does not touch the record is not in its log.
    sb.new_incident("Något annat", JOURNAL);
    let text = std::fs::read_to_string(sb.record_path(&id)).unwrap();
    std::fs::write(
        sb.record_path(&id),
        format!("{text}description: Ingen kommer åt journalen\n"),
    )
    .unwrap();
    let hand2 = sb.hand_commit("Beskrivning");
    sb.ok(&["set", &id, "impact=medium"]);
    let cmd2 = sb.rev("HEAD");
    sb.edit_record(&id, "kund: '4711'", "kund: '4712'");
    let hand3 = sb.hand_commit("Rätt ärendenummer");

    let out = sb.run(&["log", &id, "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let steps: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let steps = steps.as_array().unwrap();
    let commits: Vec<&str> = steps
        .iter()
        .map(|s| s["commit"].as_str().unwrap())
        .collect();
    // The `new` commit, then the three hand commits and the two command
    // commits in the order they were made; nothing else.
    assert_eq!(
        commits,
        [&filed, &hand1, &cmd1, &hand2, &cmd2, &hand3].map(String::as_str)
    );

    let events = |i: usize| steps[i]["events"].as_array().unwrap();
    // The filing commit recorded the opening event.
    assert_eq!(events(0).len(), 1);
    assert_eq!(events(0)[0]["status"], "new");
    // The hand commits recorded no event, and are by the hand editor.
    for i in [1, 3, 5] {
        assert!(events(i).is_empty(), "step {i}: {:#}", steps[i]);
        assert_eq!(
            steps[i]["author"],
            format!("{HAND_NAME} <{HAND_EMAIL}>").as_str()
        );
    }
    // The command commits recorded theirs, by the pinned author.
    assert_eq!(events(2).len(), 1);
    assert_eq!(events(2)[0]["status"], "assigned");
    assert_eq!(events(2)[0]["note"], "till journalteamet");
    assert_eq!(events(4).len(), 1);
    let changed: Vec<&str> = events(4)[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["impact", "priority"]);
    for i in [0, 2, 4] {
        assert_eq!(steps[i]["author"], AUTHOR, "step {i}");
    }
    assert!(steps.iter().all(|s| s["rewrote_history"] == false));
    assert_eq!(steps[1]["summary"], "Bättre rubrik");
    // Which fields each commit changed, hand commits included.
    let fields = |i: usize| -> Vec<&str> {
        steps[i]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect()
    };
    assert!(
        fields(0).is_empty(),
        "the filing commit sets fields, it changes none"
    );
    assert_eq!(fields(1), ["title"]);
    assert_eq!(fields(2), ["status", "assignment.group"]);
    assert_eq!(fields(3), ["description"]);
    assert_eq!(fields(4), ["impact", "priority"]);
    assert_eq!(fields(5), ["tickets.kund"]);

    // The table, oldest first, marks the hand commits.
    let table = sb.ok(&["log", &id]);
    let commits = [
        (&filed, "[filed]"),
        (&hand1, "[hand1]"),
        (&cmd1, "[cmd1] "),
        (&hand2, "[hand2]"),
        (&cmd2, "[cmd2] "),
        (&hand3, "[hand3]"),
    ];
    let mut names: Vec<(&str, &str)> = commits.iter().map(|(c, n)| (&c[..7], *n)).collect();
    // Its random code, the same width, keeps the columns lined up.
    names.push((&id[id.len() - 6..], "[code]"));
    insta::assert_snapshot!("log_table_marks_hand_commits", redact(&table, &names));
}

// -------------------------------------------------------------- merges

/// Records filed with `arende list --format json`, by ID.
fn listed_ids(sb: &Sandbox) -> BTreeSet<String> {
    let text = sb.ok(&["list", "--format", "json"]);
    let json: Json = serde_json::from_str(&text).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn records_filed_on_two_branches_merge_cleanly() {
    let sb = Sandbox::with_repo();
    let common = sb.new_incident("Journal nere", JOURNAL);
    let fork = sb.rev("HEAD");
    let mut filed = BTreeSet::from([common]);

    // Both branches file at the same moment (the same pinned clock).
    sb.branch("left");
    for title in ["Vänster ett", "Vänster två"] {
        filed.insert(sb.new_incident(title, JOURNAL));
    }
    sb.checkout("main");
    sb.branch("right");
    for title in ["Höger ett", "Höger två"] {
        filed.insert(sb.new_incident(title, JOURNAL));
    }
    assert_eq!(filed.len(), 5, "two branches made the same ID: {filed:?}");

    sb.checkout("main");
    sb.git_ok(&["merge", "--no-edit", "-q", "left"]);
    sb.git_ok(&["merge", "--no-edit", "-q", "right"]);
    let head = sb
        .git()
        .repo
        .find_commit(sb.git().head().unwrap())
        .unwrap()
        .parent_count();
    assert_eq!(head, 2, "the second merge is a merge commit");

    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(listed_ids(&sb), filed);

    // The merged branch reviews as four clean additions.
    let (exit, json) = review_json(&sb, &fork);
    assert_eq!(exit, 0, "{json:#}");
    let records = json["records"].as_array().unwrap();
    assert_eq!(records.len(), 4);
    assert!(
        records
            .iter()
            .all(|r| r["change"] == "added" && rules(r).is_empty())
    );
}

/// An incident on main, changed differently on two branches (impact, and so
/// priority), and the second merged into the first: a conflict.
fn conflicting_merge(sb: &Sandbox) -> String {
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.branch("left");
    sb.ok(&["set", &id, "impact=medium"]);
    sb.checkout("main");
    sb.branch("right");
    sb.ok(&["set", &id, "impact=low"]);
    let out = sb.git_run(&["merge", "--no-edit", "left"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the merge should conflict: {}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("CONFLICT"), "{}", stdout(&out));
    id
}

#[test]
fn conflict_markers_are_reported_by_every_command() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the merge conflicts and is left for a person to resolve");
    let id = conflicting_merge(&sb);
    let rel = rel_path(&id);
    let text = std::fs::read_to_string(sb.record_path(&id)).unwrap();
    let marker_line = text
        .lines()
        .position(|l| l.starts_with("<<<<<<<"))
        .expect("git left conflict markers")
        + 1;

    // validate: REC002, with the file and the line of the first marker.
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["rule"], "REC002");
    assert_eq!(findings[0]["path"], rel.as_str());
    assert_eq!(findings[0]["line"], marker_line);
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("merge conflict")
    );

    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 2);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains(&format!("{rel}:{marker_line}")), "{all}");
    assert!(all.contains("merge conflict"), "{all}");

    let out = sb.run(&["show", &id]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("merge conflict"), "{}", stderr(&out));
    assert!(stderr(&out).contains(&rel), "{}", stderr(&out));

    let out = sb.run(&["list"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains(&rel), "{}", stderr(&out));
    assert!(stderr(&out).contains("merge conflict"), "{}", stderr(&out));
}

#[test]
fn validate_names_rec002_for_conflict_markers_in_human_output() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the merge conflicts and is left for a person to resolve");
    conflicting_merge(&sb);
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 2);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("REC002"), "{all}");
}

#[test]
fn review_reports_conflict_markers_that_were_committed() {
    let sb = Sandbox::with_repo();
    let id = conflicting_merge(&sb);
    // Committed as it is, markers and all.
    sb.hand_commit("Merge branch 'left' into right");

    let (exit, json) = review_json(&sb, "main");
    assert_eq!(exit, 1, "{json:#}");
    let record = only_record(&json);
    assert_eq!(record["id"], id.as_str());
    assert_eq!(rules(record), ["REC002"]);
    assert!(
        record["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("merge conflict"),
        "{record:#}"
    );
}

// ---------------------------------------------------------------- hook

const HOOK_LINE: &str = "arende validate --staged -q";

fn hook_path(sb: &Sandbox) -> std::path::PathBuf {
    sb.root().join(".git/hooks/pre-commit")
}

#[test]
fn hook_install_writes_an_executable_pre_commit_hook_and_can_run_twice() {
    let sb = Sandbox::with_repo();
    sb.ok(&["hook", "install"]);
    let hook = std::fs::read_to_string(hook_path(&sb)).unwrap();
    assert!(hook.starts_with("#!/bin/sh\n"), "{hook}");
    assert!(hook.contains(HOOK_LINE), "{hook}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hook_path(&sb))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "not executable: {mode:o}");
    }
    // Again: the same hook, no error.
    sb.ok(&["hook", "install"]);
    assert_eq!(std::fs::read_to_string(hook_path(&sb)).unwrap(), hook);
}

#[test]
fn hook_install_refuses_a_foreign_hook_without_force() {
    let sb = Sandbox::with_repo();
    let foreign = "#!/bin/sh\necho mine\n";
    std::fs::create_dir_all(hook_path(&sb).parent().unwrap()).unwrap();
    std::fs::write(hook_path(&sb), foreign).unwrap();

    let out = sb.run(&["hook", "install"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("pre-commit"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(hook_path(&sb)).unwrap(), foreign);

    sb.ok(&["hook", "install", "--force"]);
    assert!(
        std::fs::read_to_string(hook_path(&sb))
            .unwrap()
            .contains(HOOK_LINE)
    );
}

#[cfg(unix)]
#[test]
fn the_installed_hook_stops_a_commit_of_broken_records() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident("Journal nere", JOURNAL);
    sb.ok(&["hook", "install"]);
    // The hook calls `arende` from PATH, as a person's shell would.
    let bin = assert_cmd::cargo::cargo_bin("arende");
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_owned()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let git_commit = |message: &str| {
        sb.git_ok(&["add", "-A"]);
        sb.git_cli()
            .env("PATH", &path)
            .args(["commit", "-q", "-m", message])
            .output()
            .unwrap()
    };

    let before = sb.rev("HEAD");
    sb.edit_record(&id, "priority: 2\n", "priority: 1\n");
    let out = git_commit("Prioritet utan skäl");
    assert!(!out.status.success(), "the hook let a broken record in");
    assert_eq!(sb.rev("HEAD"), before);

    sb.edit_record(
        &id,
        "priority: 1\n",
        "priority: 1\npriority_reason: Akuten kan inte läsa journaler\n",
    );
    let out = git_commit("Prioritet med skäl");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_ne!(sb.rev("HEAD"), before);
}

#[test]
fn log_follows_a_record_through_a_rename() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let yaml = sb.record_path(&id);
    let yml = yaml.with_extension("yml");
    // The record was first filed by hand under another name, then renamed.
    std::fs::rename(&yaml, &yml).unwrap();
    let filed = sb.hand_commit("filed by hand as .yml");
    std::fs::rename(&yml, &yaml).unwrap();
    let renamed = sb.hand_commit("rename to .yaml");
    sb.ok(&["status", &id, "assigned", "--group", "servicedesk"]);

    let out = sb.ok(&["log", &id, "--format", "json"]);
    let steps: serde_json::Value = serde_json::from_str(&out).unwrap();
    let commits: Vec<String> = steps
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["commit"].as_str().map(str::to_owned))
        .collect();
    assert!(
        commits.contains(&filed),
        "the commit under the old name is in the log: {commits:?}"
    );
    assert!(
        commits.contains(&renamed),
        "the rename is in the log: {commits:?}"
    );
    let first = &steps[0];
    assert_eq!(
        first["events"][0]["status"], "new",
        "the record's life starts at its first commit: {first}"
    );
    // Followed through the rename, the history is one unbroken line: no
    // step looks like a rewrite, and the first event is counted once.
    let steps = steps.as_array().unwrap();
    assert!(steps.iter().all(|s| s["rewrote_history"] == false), "{out}");
    let news = steps
        .iter()
        .flat_map(|s| s["events"].as_array().unwrap().iter())
        .filter(|e| e["status"] == "new")
        .count();
    assert_eq!(news, 1, "{out}");
}
