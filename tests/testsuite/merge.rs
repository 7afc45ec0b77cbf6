//! Records merge like code: `git merge` with the driver `arende init`
//! configures, in real repositories, on two branches of one record.

use crate::support::*;
use proptest::prelude::*;

/// `arende ARGS` at the clock time `time` (on 2026-11-22, +01:00): each
/// side's events get their own time, so their order is the time's.
fn at(sb: &Sandbox, time: &str, args: &[&str]) -> String {
    let out = sb
        .cmd()
        .env("ARENDE_NOW", format!("2026-11-22T{time}:00+01:00"))
        .args(args)
        .output()
        .unwrap();
    assert_no_panic(&out);
    assert_eq!(code(&out), 0, "arende {args:?} failed:\n{}", stderr(&out));
    stdout(&out)
}

/// An incident committed on main, and a branch `side` made at it (main is
/// checked out again).
fn forked() -> (Sandbox, String) {
    forked_in(Layout::Plain)
}

/// [`forked`], laid out as `layout` says.
fn forked_in(layout: Layout) -> (Sandbox, String) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();
    sb.git_ok(&["branch", "side"]);
    (sb, id)
}

/// `git merge side` on main: its exit status and output.
fn merge(sb: &Sandbox) -> (bool, String) {
    let out = sb.git_run(&["merge", "--no-edit", "side"]);
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

fn text(sb: &Sandbox, id: &str) -> String {
    String::from_utf8(sb.record_bytes(id)).unwrap()
}

fn notes(doc: &serde_yaml::Mapping) -> Vec<String> {
    history(doc)
        .iter()
        .map(|e| {
            e.get("at")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn log_json(sb: &Sandbox, id: &str) -> Vec<serde_json::Value> {
    let out = sb.ok(&["log", id, "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

both_layouts!(init_configures_the_driver_and_the_attributes);
fn init_configures_the_driver_and_the_attributes(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let attributes = std::fs::read_to_string(sb.root().join(".gitattributes")).unwrap();
    assert!(
        attributes.contains("incidents/** merge=arende"),
        "{attributes}"
    );
    assert!(
        attributes.contains("capacity/** merge=arende"),
        "{attributes}"
    );
    // By name, from PATH: the configuration survives the binary moving.
    let driver = sb.git_ok(&["config", "--get", "merge.arende.driver"]);
    assert_eq!(driver.trim_end(), "arende merge-file %O %A %B %P");
    // .gitattributes is committed with the skeleton, so clones have it.
    assert!(sb.git().head_file(".gitattributes").is_some());
    let check = sb.git_ok(&["check-attr", "merge", "incidents/INC-1.yaml"]);
    assert!(check.contains("merge: arende"), "{check}");
}

both_layouts!(different_fields_merge_cleanly_in_time_order_and_reclassify);
fn different_fields_merge_cleanly_in_time_order_and_reclassify(layout: Layout) {
    let (sb, id) = forked_in(layout);
    // high × medium is priority 2; each side lowers one input.
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "urgency=low"]);
    sb.checkout("main");
    at(&sb, "10:30", &["set", &id, "impact=low"]);
    at(
        &sb,
        "10:45",
        &["set", &id, "description=Servern startad om"],
    );
    let (ok, out) = merge(&sb);
    assert!(ok, "the merge conflicted:\n{out}\n{}", text(&sb, &id));
    let doc = sb.record(&id);
    assert_eq!(field(&doc, "impact"), "low");
    assert_eq!(field(&doc, "urgency"), "low");
    assert_eq!(field(&doc, "description"), "Servern startad om");
    // Re-derived from the merged low × low, not either side's 3.
    assert_eq!(field(&doc, "priority").as_u64(), Some(4), "{doc:?}");
    // Both sides' events, once each, in time order: the branch's 10:00
    // comes before main's 10:30 though main is "ours".
    assert_eq!(
        notes(&doc),
        [
            "2026-11-22T09:30:00+01:00",
            "2026-11-22T10:00:00+01:00",
            "2026-11-22T10:30:00+01:00",
            "2026-11-22T10:45:00+01:00"
        ]
    );
    assert!(!text(&sb, &id).contains("<<<<<<<"));
    sb.ok(&["validate"]);
}

#[test]
fn the_same_field_both_ways_is_one_hunk_on_that_field() {
    let (sb, id) = forked();
    sb.leaves_changes("the merge conflicts and is left for a person to resolve");
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "description=Their text"]);
    sb.checkout("main");
    at(&sb, "10:30", &["set", &id, "description=Our text"]);
    at(&sb, "10:40", &["set", &id, "urgency=high"]);
    let (ok, out) = merge(&sb);
    assert!(!ok, "expected a conflict:\n{out}");
    assert!(out.contains("`description` changed on both sides"), "{out}");
    let merged = text(&sb, &id);
    assert_eq!(merged.matches("<<<<<<<").count(), 1, "{merged}");
    let hunk: Vec<&str> = merged
        .lines()
        .skip_while(|l| !l.starts_with("<<<<<<<"))
        .take_while(|l| !l.starts_with(">>>>>>>"))
        .collect();
    assert_eq!(
        hunk,
        [
            "<<<<<<< ours",
            "description: Our text",
            "=======",
            "description: Their text"
        ],
        "{merged}"
    );
    // Everything else merged: main's urgency, and all three events.
    assert!(merged.contains("urgency: high"), "{merged}");
    assert_eq!(merged.matches("- at: ").count(), 4, "{merged}");
    let out = sb.run(&["validate"]);
    assert_ne!(code(&out), 0);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains(&id),
        "validate does not name the record:\n{all}"
    );
    assert!(all.to_lowercase().contains("conflict"), "{all}");
}

#[test]
fn an_approval_on_one_side_and_a_field_change_on_the_other() {
    let sb = Sandbox::with_repo();
    let id = at(
        &sb,
        "09:00",
        &[
            "new",
            "change",
            "--title",
            "Byt certifikat",
            "category=normal",
            "change_type=modification",
        ],
    )
    .trim()
    .to_owned();
    sb.git_ok(&["branch", "side"]);
    sb.checkout("side");
    at(
        &sb,
        "10:00",
        &[
            "--author",
            APPROVER,
            "approve",
            &id,
            "--by",
            "andringsforum",
            "--step",
            "change_forum",
        ],
    );
    sb.checkout("main");
    at(
        &sb,
        "10:30",
        &["set", &id, "description=Certifikatet går ut"],
    );
    let (ok, out) = merge(&sb);
    assert!(ok, "{out}\n{}", text(&sb, &id));
    let doc = sb.record(&id);
    let approvals = field(&doc, "approvals").as_sequence().unwrap();
    assert_eq!(approvals.len(), 1, "{doc:?}");
    assert_eq!(approvals[0]["by"], "andringsforum");
    assert_eq!(field(&doc, "description"), "Certifikatet går ut");
    assert_eq!(history(&doc).len(), 3);
}

#[test]
fn status_moves_on_both_sides_are_checked_against_the_machine() {
    let (sb, id) = forked();
    sb.leaves_changes("the merge conflicts and is left for a person to resolve");
    at(
        &sb,
        "09:40",
        &["status", &id, "assigned", "--group", "servicedesk"],
    );
    at(&sb, "09:50", &["status", &id, "in_progress"]);
    sb.git_ok(&["branch", "-f", "side"]);
    // Ours resolves; theirs waits for the customer and comes back: each
    // field merges (their status is where it was), but the merged history
    // moves resolved → awaiting_customer, which the machine does not allow.
    at(&sb, "10:00", &["status", &id, "resolved"]);
    sb.checkout("side");
    at(&sb, "10:30", &["status", &id, "awaiting_customer"]);
    at(&sb, "10:45", &["status", &id, "in_progress"]);
    sb.checkout("main");
    let (ok, out) = merge(&sb);
    assert!(
        !ok,
        "a history the machine does not allow merged cleanly:\n{out}"
    );
    assert!(
        out.contains("resolved → awaiting_customer") && out.contains("status machine"),
        "{out}"
    );
    let merged = text(&sb, &id);
    assert!(
        merged.contains(
            "<<<<<<< ours\nstatus: resolved\n=======\nstatus: in_progress\n>>>>>>> theirs\n"
        ),
        "{merged}"
    );
}

#[test]
fn different_status_moves_conflict_on_the_status_line() {
    let (sb, id) = forked();
    sb.leaves_changes("the merge conflicts and is left for a person to resolve");
    sb.checkout("side");
    at(
        &sb,
        "10:00",
        &["status", &id, "assigned", "--group", "servicedesk"],
    );
    at(&sb, "10:10", &["status", &id, "in_progress"]);
    sb.checkout("main");
    at(
        &sb,
        "10:30",
        &["status", &id, "assigned", "--group", "servicedesk"],
    );
    let (ok, out) = merge(&sb);
    assert!(!ok, "{out}");
    let merged = text(&sb, &id);
    assert!(
        merged.contains(
            "<<<<<<< ours\nstatus: assigned\n=======\nstatus: in_progress\n>>>>>>> theirs\n"
        ),
        "{merged}"
    );
    assert_eq!(merged.matches("<<<<<<<").count(), 1, "{merged}");
}

both_layouts!(a_deletion_against_an_edit_is_left_to_a_person);
fn a_deletion_against_an_edit_is_left_to_a_person(layout: Layout) {
    let (sb, id) = forked_in(layout);
    sb.leaves_changes("the modify/delete conflict is left for a person to resolve");
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "description=Mer om felet"]);
    sb.checkout("main");
    sb.git_ok(&["rm", "-q", sb.record_path(&id).to_str().unwrap()]);
    sb.hand_commit("delete the duplicate");
    let (ok, out) = merge(&sb);
    assert!(!ok, "{out}");
    assert!(out.contains("modify/delete"), "{out}");
    let out = sb.run(&["resolve"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("deleted on one side") && err.contains("git rm"),
        "{err}"
    );
}

both_layouts!(a_fresh_clone_warns_until_setup_and_then_merges_records);
fn a_fresh_clone_warns_until_setup_and_then_merges_records(layout: Layout) {
    let (sb, id) = forked_in(layout);
    // Beside the repository, not inside it, as clones are.
    let clone = sb.scratch().join("clone");
    sb.git_ok(&["clone", "-q", ".", clone.to_str().unwrap()]);
    let run_in = |args: &[&str], time: &str| {
        let out = sb
            .cmd_in(&clone)
            .env("ARENDE_NOW", format!("2026-11-22T{time}:00+01:00"))
            .args(args)
            .output()
            .unwrap();
        assert_no_panic(&out);
        out
    };
    let out = run_in(&["validate"], "10:00");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches("arende setup").count(),
        1,
        "one warning expected:\n{}",
        stderr(&out)
    );
    let out = run_in(&["setup"], "10:00");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run_in(&["validate"], "10:00");
    assert!(!stderr(&out).contains("arende setup"), "{}", stderr(&out));
    let git = |args: &[&str]| {
        let out = sb
            .git_cli()
            .current_dir(&clone)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            format!("{}{}", stdout(&out), stderr(&out)),
        )
    };
    assert!(git(&["checkout", "-q", "-b", "side", "origin/side"]).0);
    assert_eq!(code(&run_in(&["set", &id, "urgency=low"], "10:00")), 0);
    assert!(git(&["checkout", "-q", "main"]).0);
    assert_eq!(
        code(&run_in(&["set", &id, "title=Journalen nere"], "10:30")),
        0
    );
    let (ok, out) = git(&["merge", "--no-edit", "side"]);
    assert!(ok, "{out}");
}

both_layouts!(resolve_merges_what_a_merge_without_the_driver_left);
fn resolve_merges_what_a_merge_without_the_driver_left(layout: Layout) {
    let (sb, id) = forked_in(layout);
    // As in a clone: the attributes are there, the configuration is not.
    sb.git_ok(&["config", "--remove-section", "merge.arende"]);
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "urgency=low"]);
    sb.checkout("main");
    at(&sb, "10:30", &["set", &id, "title=Journalen nere"]);
    let (ok, _) = merge(&sb);
    assert!(!ok, "git's text merge was expected to conflict on history");
    let out = sb.run(&["resolve"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = sb.record(&id);
    assert_eq!(field(&doc, "urgency"), "low");
    assert_eq!(field(&doc, "title"), "Journalen nere");
    let status = sb.git_ok(&["status", "--porcelain"]);
    assert!(!status.contains("UU"), "still conflicted:\n{status}");
    sb.git_ok(&["commit", "-q", "--no-edit"]);
    sb.ok(&["validate"]);
}

both_layouts!(log_after_merges_shows_no_false_rewrites);
fn log_after_merges_shows_no_false_rewrites(layout: Layout) {
    let (sb, id) = forked_in(layout);
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "urgency=low"]);
    sb.checkout("main");
    at(&sb, "10:30", &["set", &id, "description=Omstart"]);
    let (ok, out) = merge(&sb);
    assert!(ok, "{out}");
    let steps = log_json(&sb, &id);
    for s in &steps {
        assert_eq!(s["rewrote_history"], false, "false alarm in {steps:#?}");
    }
    // Main's own commit changed only the description; compared with the
    // branch's commit before it in time it would seem to change urgency too.
    let main_step = steps
        .iter()
        .find(|s| s["summary"].as_str().unwrap().contains("description"))
        .unwrap();
    assert_eq!(main_step["fields"], serde_json::json!(["description"]));
    let merge_step = steps.iter().find(|s| s["merge"] == true).unwrap();
    let events = merge_step["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{merge_step:#?}");
    assert_eq!(events[0]["at"], "2026-11-22T10:00:00+01:00");
    let table = sb.ok(&["log", &id]);
    assert!(!table.contains("rewrote history"), "{table}");
}

#[test]
fn the_leading_modeline_survives_rewrites_and_merges() {
    let sb = Sandbox::new();
    sb.leaves_changes("the comment added by hand stays uncommitted: `set` refuses the record");
    assert_eq!(
        code(&sb.run(&["init", "--policy", "inera", "--modeline"])),
        0
    );
    let id = sb.journal_incident();
    // The record sits three folders down: incidents/2026/11/.
    let modeline =
        "# yaml-language-server: $schema=../../../.arende/schemas/incident.schema.json\n";
    // The schema the modeline names is there: `init` wrote it.
    assert!(
        sb.root()
            .join(".arende/schemas/incident.schema.json")
            .is_file()
    );
    assert!(text(&sb, &id).starts_with(modeline), "{}", text(&sb, &id));
    sb.git_ok(&["branch", "side"]);
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "urgency=low"]);
    sb.checkout("main");
    at(&sb, "10:30", &["set", &id, "title=Journalen nere"]);
    assert!(merge(&sb).0);
    assert!(text(&sb, &id).starts_with(modeline), "{}", text(&sb, &id));
    // A comment further down still stops a rewrite, naming its line.
    sb.edit_record(
        &id,
        "title: Journalen nere\n",
        "title: Journalen nere\n# ask Eva\n",
    );
    let out = sb.run(&["set", &id, "urgency=high"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains(":5"), "{}", stderr(&out));
}

// ------------------------------------------------------------ the property

const BASE: &str = "id: INC-20261122-AAAAAA
kind: incident
title: Journal nere
status: new
opened_at: 2026-11-22T09:30:00+01:00
impact: high
urgency: medium
reporter:
  party: kund
tickets:
  kund: '4711'
links:
  problems:
  - PRB-20261122-BBBBBB
history:
- at: 2026-11-22T09:30:00+01:00
  by: Anna Berg <anna@example.se>
  status: new
";

/// One edit of one field (by its slot, so two edits of one slot are never
/// both made: those would conflict).
#[derive(Debug, Clone)]
enum Edit {
    Scalar(&'static str, String),
    Remove(&'static str),
    Link(String),
    Unlink,
    Event(u32, String),
}

const SLOTS: &[&str] = &[
    "title",
    "description",
    "impact",
    "tickets.kund",
    "tickets.agent",
    "reporter.name",
    "category",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (prop::sample::select(SLOTS), "[a-zåäö ]{1,12}").prop_map(|(f, v)| Edit::Scalar(f, v)),
        prop::sample::select(SLOTS).prop_map(Edit::Remove),
        "[0-9A-Z]{6}".prop_map(|s| Edit::Link(format!("INC-20261122-{s}"))),
        Just(Edit::Unlink),
        (0u32..600, "[a-z]{1,8}").prop_map(|(m, n)| Edit::Event(m, n)),
    ]
}

fn apply(doc: &mut serde_yaml::Mapping, e: &Edit) {
    use arende::record::document;
    use serde_yaml::Value;
    match e {
        Edit::Scalar(f, v) => {
            document::set(doc, f, Value::String(v.clone())).unwrap();
        }
        Edit::Remove(f) => {
            document::remove(doc, f);
        }
        Edit::Link(id) => {
            let links = doc["links"].as_mapping_mut().unwrap();
            let list = links
                .entry("incidents".into())
                .or_insert(Value::Sequence(vec![]));
            list.as_sequence_mut().unwrap().push(id.as_str().into());
        }
        Edit::Unlink => {
            doc["links"]["problems"] = Value::Sequence(vec![]);
        }
        Edit::Event(minutes, note) => {
            let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00+01:00").unwrap()
                + chrono::Duration::minutes(i64::from(*minutes));
            let mut event = serde_yaml::Mapping::new();
            event.insert("at".into(), at.to_rfc3339().into());
            event.insert("by".into(), "Bo <bo@example.se>".into());
            event.insert("note".into(), note.as_str().into());
            doc["history"]
                .as_sequence_mut()
                .unwrap()
                .push(Value::Mapping(event));
        }
    }
}

/// Which field an edit touches: two sides never edit the same one.
fn slot(e: &Edit) -> String {
    match e {
        Edit::Scalar(f, _) | Edit::Remove(f) => (*f).to_owned(),
        Edit::Link(id) => format!("link {id}"),
        Edit::Unlink => "unlink".into(),
        Edit::Event(m, n) => format!("event {m} {n}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn merging_either_way_gives_the_same_record(
        ours in prop::collection::vec(edit(), 0..5),
        theirs in prop::collection::vec(edit(), 0..5),
    ) {
        let ours_slots: Vec<String> = ours.iter().map(slot).collect();
        let theirs: Vec<Edit> = theirs
            .into_iter()
            .filter(|e| !ours_slots.contains(&slot(e)))
            .collect();
        let base: serde_yaml::Mapping = serde_yaml::from_str(BASE).unwrap();
        let side = |edits: &[Edit]| {
            let mut doc = base.clone();
            for e in edits {
                apply(&mut doc, e);
            }
            serde_yaml::to_string(&doc).unwrap()
        };
        let (o, t) = (side(&ours), side(&theirs));
        let path = std::path::Path::new("incidents/INC-20261122-AAAAAA.yaml");
        let one = arende::merge::merge_record(None, path, BASE, &o, &t).unwrap();
        let two = arende::merge::merge_record(None, path, BASE, &t, &o).unwrap();
        prop_assert!(one.is_clean(), "{:?}\n{}", one.conflicts, one.text);
        prop_assert!(two.is_clean(), "{:?}\n{}", two.conflicts, two.text);
        let a: serde_yaml::Mapping = serde_yaml::from_str(&one.text).unwrap();
        let b: serde_yaml::Mapping = serde_yaml::from_str(&two.text).unwrap();
        prop_assert_eq!(&a, &b);
        // Each side's edits are in the result.
        for (edits, text) in [(&ours, &o), (&theirs, &t)] {
            let side: serde_yaml::Mapping = serde_yaml::from_str(text).unwrap();
            for e in edits.iter() {
                if let Edit::Scalar(f, _) | Edit::Remove(f) = e {
                    prop_assert_eq!(
                        arende::record::document::get(&a, f),
                        arende::record::document::get(&side, f)
                    );
                }
            }
        }
    }
}

both_layouts!(a_rebase_replays_records_through_the_driver_without_false_alarms);
fn a_rebase_replays_records_through_the_driver_without_false_alarms(layout: Layout) {
    let (sb, id) = forked_in(layout);
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "urgency=low"]);
    at(&sb, "10:10", &["set", &id, "tickets.agent=A-17"]);
    sb.checkout("main");
    at(&sb, "11:00", &["set", &id, "title=Journalen nere"]);
    sb.checkout("side");
    sb.git_ok(&["rebase", "-q", "main"]);
    let doc = sb.record(&id);
    assert_eq!(field(&doc, "title"), "Journalen nere");
    assert_eq!(field(&doc, "urgency"), "low");
    // The replayed events go where their time puts them, before main's.
    assert_eq!(
        notes(&doc),
        [
            "2026-11-22T09:30:00+01:00",
            "2026-11-22T10:00:00+01:00",
            "2026-11-22T10:10:00+01:00",
            "2026-11-22T11:00:00+01:00"
        ]
    );
    sb.ok(&["validate"]);
    let steps = log_json(&sb, &id);
    assert_eq!(steps.len(), 4, "{steps:#?}");
    for s in &steps {
        assert_eq!(s["rewrote_history"], false, "false alarm in {steps:#?}");
        assert_eq!(s["events"].as_array().unwrap().len(), 1, "{steps:#?}");
    }
    // The review of the rebased branch sees two events added, no rewrite.
    let out = sb.run(&["review", "main..side", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["records"][0]["events_added"], 2, "{json:#}");
}

#[test]
fn a_record_with_a_comment_falls_back_to_gits_text_merge() {
    let (sb, id) = forked();
    sb.checkout("side");
    sb.edit_record(
        &id,
        "reported_via: phone\n",
        "reported_via: phone # per telefon\n",
    );
    sb.hand_commit("a comment");
    sb.checkout("main");
    sb.edit_record(&id, "title: Journal nere\n", "title: Journalen nere\n");
    sb.hand_commit("a title");
    let (ok, out) = merge(&sb);
    assert!(ok, "{out}");
    assert!(out.contains("merging it as text"), "{out}");
    let merged = text(&sb, &id);
    assert!(
        merged.contains("# per telefon") && merged.contains("title: Journalen nere"),
        "{merged}"
    );
}

both_layouts!(resolve_leaves_a_file_someone_already_resolved);
fn resolve_leaves_a_file_someone_already_resolved(layout: Layout) {
    let (sb, id) = forked_in(layout);
    sb.leaves_changes(
        "`resolve --force` stages the merged record; committing the merge is left to a person",
    );
    sb.git_ok(&["config", "--remove-section", "merge.arende"]);
    sb.checkout("side");
    at(&sb, "10:00", &["set", &id, "urgency=low"]);
    sb.checkout("main");
    at(&sb, "10:30", &["set", &id, "title=Journalen nere"]);
    assert!(!merge(&sb).0);
    let resolved = "hand-resolved: yes\n";
    std::fs::write(sb.record_path(&id), resolved).unwrap();
    let out = sb.run(&["resolve"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(text(&sb, &id), resolved);
    let out = sb.run(&["resolve", "--force", sb.record_path(&id).to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(field(&sb.record(&id), "urgency"), "low");
}

/// The line `init`, `setup` and `hook install` print when git would not
/// find `arende` on PATH.
const NOT_ON_PATH: &str = "`arende` is not on PATH";

#[test]
fn init_and_setup_register_the_driver_by_name_and_say_when_path_lacks_arende() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .env("PATH", path_without_arende())
        .args(["init", "--policy", "inera"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "registered all the same: {err}");
    assert_eq!(err.matches(NOT_ON_PATH).count(), 1, "one line: {err}");
    let line = err.lines().find(|l| l.contains(NOT_ON_PATH)).unwrap();
    assert!(line.contains("merge driver"), "{line}");
    assert!(
        line.contains("cargo install --locked --path .") && line.contains("to PATH"),
        "the fix is named: {line}"
    );
    let driver = sb.git_ok(&["config", "--get", "merge.arende.driver"]);
    assert_eq!(driver.trim_end(), "arende merge-file %O %A %B %P");

    let out = sb
        .cmd()
        .env("PATH", path_without_arende())
        .args(["setup", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches(NOT_ON_PATH).count(),
        1,
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["driver"], "arende merge-file %O %A %B %P");
    assert_eq!(json["on_path"], false, "{json}");

    // With arende on PATH (the sandbox's), nothing to say.
    let out = sb.run(&["setup", "--format", "json"]);
    assert!(!stderr(&out).contains(NOT_ON_PATH), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["on_path"], true, "{json}");
    let out = sb.run(&["init", "--policy", "inera"]);
    assert!(!stderr(&out).contains(NOT_ON_PATH), "{}", stderr(&out));
}

#[test]
fn a_driver_configured_by_full_path_is_outdated_until_setup() {
    let (sb, id) = forked();
    let bin = assert_cmd::cargo::cargo_bin("arende");
    for (program, state) in [
        (
            bin.display().to_string(),
            "which breaks merges when that binary moves",
        ),
        (
            "'/gone/old place/arende'".to_owned(),
            "which does not exist",
        ),
    ] {
        let command = format!("{program} merge-file %O %A %B %P");
        sb.git_ok(&["config", "merge.arende.driver", &command]);
        let out = sb.run(&["validate"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.matches("is outdated").count(), 1, "{err}");
        assert!(err.contains(state), "{err}");
        assert!(err.contains(program.trim_matches('\'')), "{err}");
        assert!(err.contains("run `arende setup`"), "{err}");
    }
    sb.ok(&["setup"]);
    let out = sb.run(&["validate"]);
    assert!(!stderr(&out).contains("outdated"), "{}", stderr(&out));
    // The mended driver, found on PATH, merges the two sides.
    at(&sb, "10:00", &["set", &id, "title=Journalen nere"]);
    sb.checkout("side");
    at(&sb, "10:30", &["set", &id, "urgency=low"]);
    sb.checkout("main");
    let (ok, out) = merge(&sb);
    assert!(ok, "{out}");
    let doc = sb.record(&id);
    assert_eq!(doc["title"].as_str(), Some("Journalen nere"));
    assert_eq!(doc["urgency"].as_str(), Some("low"));
}
