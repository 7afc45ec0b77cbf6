//! The record store and the filing commands, end to end: the real `arende`
//! binary in temporary repositories, with a pinned author and clock, and the
//! git state it leaves checked with git2.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::*;
use serde_yaml::{Mapping, Value};

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn n(v: i64) -> Value {
    Value::Number(v.into())
}

fn keys(doc: &Mapping) -> Vec<String> {
    doc.keys().map(|k| k.as_str().unwrap().to_owned()).collect()
}

fn last_event(sb: &Sandbox, id: &str) -> Mapping {
    history(&sb.record(id)).pop().unwrap()
}

/// The `changes` of an event as (field, from, to).
fn changes(event: &Mapping) -> Vec<(String, Value, Value)> {
    field(event, "changes")
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| {
            let c = c.as_mapping().unwrap();
            (
                c.get("field").unwrap().as_str().unwrap().to_owned(),
                c.get("from").cloned().unwrap_or(Value::Null),
                c.get("to").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- init

#[test]
fn init_makes_config_folders_and_one_commit_and_is_idempotent() {
    let sb = Sandbox::new();
    let out = sb.run(&["init", "--policy", "inera", "records"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let root = sb.root().join("records");
    let config = std::fs::read_to_string(root.join("arende.yaml")).unwrap();
    assert!(config.contains("policy: inera"), "{config}");
    let folders = [
        "incidents",
        "problems",
        "changes",
        "releases",
        "requests",
        "configuration",
        "capacity",
    ];
    for dir in folders {
        assert!(root.join(dir).is_dir(), "{dir} missing");
    }

    let git = Git::open(&root);
    assert_eq!(git.commit_count(), 1);
    let head = git.repo.find_commit(git.head().unwrap()).unwrap();
    assert_eq!(head.author().name().ok(), Some(AUTHOR_NAME));
    assert_eq!(head.author().email().ok(), Some(AUTHOR_EMAIL));
    assert_eq!(head.author().when().seconds(), NOW_EPOCH);
    assert_eq!(git.head_file("arende.yaml").unwrap(), config.as_bytes());
    for dir in folders {
        assert!(
            git.head_file(&format!("{dir}/.gitkeep")).is_some(),
            "{dir}/.gitkeep is not committed"
        );
    }
    assert!(
        git.repo.statuses(None).unwrap().is_empty(),
        "init left the work tree dirty"
    );

    // Again, same policy: nothing happens, and that is success.
    let head_before = git.head();
    let index_before = git.index_bytes();
    let out = sb.run(&["init", "--policy", "inera", "records"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(git.head(), head_before);
    assert_eq!(git.commit_count(), 1);
    assert_eq!(git.index_bytes(), index_before);
    assert_eq!(
        std::fs::read_to_string(root.join("arende.yaml")).unwrap(),
        config
    );

    // Another policy: refused as bad input, nothing changed.
    let out = sb.run(&["init", "--policy", "ehm", "records"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("inera"), "{}", stderr(&out));
    assert_eq!(git.head(), head_before);
    assert_eq!(
        std::fs::read_to_string(root.join("arende.yaml")).unwrap(),
        config
    );
}

// ---------------------------------------------------------------- the walk

both_layouts!(incident_walk_makes_one_commit_per_step_by_the_pinned_author);
fn incident_walk_makes_one_commit_per_step_by_the_pinned_author(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let git = sb.git();
    assert_eq!(git.commit_count(), 1);

    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Journal nere",
        "impact=high",
        "urgency=medium",
        "reporter.party=kund",
        "tickets.kund=4711",
        "reported_via=phone",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "new must print the ID alone: {printed:?}");
    assert!(is_incident_id(lines[0]), "not an ID: {:?}", lines[0]);
    assert_eq!(printed, format!("{}\n", lines[0]));
    let id = lines[0].to_owned();
    assert_eq!(git.commit_count(), 2);

    for status in ["assigned", "in_progress", "resolved", "closed"] {
        let before = git.commit_count();
        sb.ok(&["status", &id, status, "--group", "servicedesk"]);
        assert_eq!(
            git.commit_count(),
            before + 1,
            "status {status} must make exactly one commit"
        );
    }
    assert_eq!(git.commit_count(), 6);

    let commits = git.commits();
    for c in &commits[..5] {
        assert_eq!(c.author().name().ok(), Some(AUTHOR_NAME));
        assert_eq!(c.author().email().ok(), Some(AUTHOR_EMAIL));
        assert_eq!(
            c.author().when().seconds(),
            NOW_EPOCH,
            "the commit time is the pinned clock"
        );
        assert!(
            c.message().unwrap().contains(&id),
            "commit message does not name {id}: {:?}",
            c.message()
        );
        assert_eq!(c.parent_count(), 1);
    }
    assert!(commits[0].message().unwrap().contains("closed"));

    let doc = sb.record(&id);
    assert_eq!(field(&doc, "id"), &s(&id));
    assert_eq!(field(&doc, "status"), &s("closed"));
    let events = history(&doc);
    assert_eq!(events.len(), 5);
    let statuses: Vec<&str> = events
        .iter()
        .map(|e| e.get("status").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["new", "assigned", "in_progress", "resolved", "closed"]
    );
    for e in &events {
        assert_eq!(field(e, "by"), &s(AUTHOR));
        assert_eq!(field(e, "at"), &s(NOW));
    }
    // What HEAD holds is what the working tree holds.
    assert_eq!(git.head_file(&rel_path(&id)).unwrap(), sb.record_bytes(&id));
}

both_layouts!(illegal_status_jumps_are_refused_and_change_nothing);
fn illegal_status_jumps_are_refused_and_change_nothing(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();

    let before = Snapshot::take(&sb, &id);
    let out = sb.run(&["status", &id, "resolved"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("not allowed"), "{}", stderr(&out));
    assert_eq!(Snapshot::take(&sb, &id), before);

    // Not a status at all is bad input, not a broken rule.
    let out = sb.run(&["status", &id, "bogus"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(Snapshot::take(&sb, &id), before);

    for status in ["assigned", "in_progress", "resolved", "closed"] {
        sb.ok(&["status", &id, status, "--group", "servicedesk"]);
    }
    let before = Snapshot::take(&sb, &id);
    let entries = sb.git().index_entries();
    let out = sb.run(&["status", &id, "new"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(Snapshot::take(&sb, &id), before);
    assert_eq!(sb.git().index_entries(), entries);
}

// ---------------------------------------------------------------- what people wrote

both_layouts!(unknown_keys_survive_set_in_place_and_in_order);
fn unknown_keys_survive_set_in_place_and_in_order(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();
    let path = sb.record_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    let custom =
        "x_custom:\n  owner: team-a\n  contacts:\n    primary: Bo\n  tags:\n  - one\n  - two\n";
    let text = text.replacen("status: new\n", "x_vendor_ref: ACME-991\nstatus: new\n", 1) + custom;
    std::fs::write(&path, &text).unwrap();
    let git = sb.git();
    git.commit_all("hand edit: vendor fields");
    let before = sb.record(&id);
    let commits = git.commit_count();

    sb.ok(&["set", &id, "impact=low"]);
    assert_eq!(git.commit_count(), commits + 1);
    let after = sb.record(&id);
    assert_eq!(field(&after, "impact"), &s("low"));
    assert_eq!(
        keys(&after),
        keys(&before),
        "the keys and their order must not change"
    );
    assert_eq!(field(&after, "x_vendor_ref"), &s("ACME-991"));
    assert_eq!(field(&after, "x_custom"), field(&before, "x_custom"));
    let written = String::from_utf8(sb.record_bytes(&id)).unwrap();
    assert!(
        written.contains(custom),
        "the hand-written block changed:\n{written}"
    );
    assert!(
        written.contains("title: Journal nere\nx_vendor_ref: ACME-991\nstatus: new\n"),
        "{written}"
    );
    let committed = String::from_utf8(git.head_file(&rel_path(&id)).unwrap()).unwrap();
    assert_eq!(committed, written);

    // A key added by hand and never committed is kept, and committed, too.
    std::fs::write(&path, format!("{written}x_late: true\n")).unwrap();
    sb.ok(&["set", &id, "urgency=low"]);
    let doc = sb.record(&id);
    assert_eq!(field(&doc, "x_late"), &Value::Bool(true));
    assert_eq!(field(&doc, "x_custom"), field(&before, "x_custom"));
    assert_eq!(keys(&doc).last().map(String::as_str), Some("x_late"));
    let committed = String::from_utf8(git.head_file(&rel_path(&id)).unwrap()).unwrap();
    assert!(committed.contains("x_late: true"), "{committed}");
}

both_layouts!(a_hand_written_comment_makes_set_refuse);
fn a_hand_written_comment_makes_set_refuse(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();
    let path = sb.record_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "status: new\n",
        "# väntar på leverantören\nstatus: new\n",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    sb.git().commit_all("hand edit: a comment");

    let before = Snapshot::take(&sb, &id);
    let out = sb.run(&["set", &id, "impact=low"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("comment"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{id}.yaml")),
        "{}",
        stderr(&out)
    );
    assert_eq!(Snapshot::take(&sb, &id), before);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // A `#` inside a value is not a comment.
    let other = sb.new_incident("Fel #4 i journalen", &["impact=low", "urgency=low"]);
    sb.ok(&["set", &other, "urgency=medium"]);
    assert_eq!(field(&sb.record(&other), "title"), &s("Fel #4 i journalen"));
}

// ---------------------------------------------------------------- concurrency

both_layouts!(simultaneous_news_all_land_with_distinct_ids);
fn simultaneous_news_all_land_with_distinct_ids(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let git = sb.git();
    let initial = git.commit_count();
    let mut ids = Vec::new();
    for round in 0..2 {
        let children: Vec<_> = (0..4)
            .map(|i| {
                sb.std_cmd_in(sb.root())
                    .args([
                        "new",
                        "incident",
                        "--title",
                        &format!("Samtidig {round}.{i}"),
                    ])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert_no_panic(&out);
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            let id = stdout(&out).trim().to_owned();
            assert!(is_incident_id(&id), "{id:?}");
            ids.push(id);
        }
    }
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "IDs collided: {ids:?}");
    assert_eq!(git.commit_count(), initial + ids.len());
    for id in &ids {
        let rel = rel_path(id);
        let committed = git
            .head_file(&rel)
            .unwrap_or_else(|| panic!("{rel} is not in HEAD"));
        assert_eq!(committed, sb.record_bytes(id));
    }
    // Each commit names one of them, and none was lost or doubled.
    let named: BTreeSet<String> = git.commits()[..ids.len()]
        .iter()
        .map(|c| {
            ids.iter()
                .find(|id| c.message().unwrap().contains(id.as_str()))
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(named.len(), ids.len());
    assert!(
        git.repo.statuses(None).unwrap().is_empty(),
        "the work tree or index is dirty"
    );
}

// ---------------------------------------------------------------- IDs and repositories

#[test]
fn unknown_and_malformed_ids_are_bad_input() {
    let sb = Sandbox::with_repo();
    let out = sb.run(&["show", "INC-20260101-ZZZZZZ"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("INC-20260101-ZZZZZZ"),
        "{}",
        stderr(&out)
    );
    // A path is read as the path of a record file (issue 24): one outside
    // the repository, or missing, is refused as well as a malformed ID.
    for bad in ["../../etc/passwd", "INC-20260101/../x", "INC-.."] {
        let out = sb.run(&["show", bad]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{bad}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            [
                "not a record ID",
                "no record matches",
                "not inside the repository"
            ]
            .iter()
            .any(|s| err.contains(s)),
            "{err}"
        );
        let out = sb.run(&["set", bad, "impact=low"]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
    }
    assert_eq!(sb.git().commit_count(), 1);
}

#[test]
fn outside_a_repository_is_an_environment_failure() {
    let sb = Sandbox::with_repo();
    let empty = tempfile::TempDir::new().unwrap();
    let dir = empty.path().to_str().unwrap();
    for args in [
        vec!["-C", dir, "list"],
        vec!["-C", dir, "new", "incident", "--title", "x"],
    ] {
        let out = sb.run(&args);
        assert_eq!(code(&out), 3, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not inside an arende repository"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "something was written outside the repo"
    );
}

#[test]
fn new_in_a_repository_without_commits_makes_the_first_commit() {
    let sb = Sandbox::new();
    sb.leaves_untracked(
        "arende.yaml is written by hand and never committed: `new` commits its record only",
    );
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    git2::Repository::init_opts(sb.root(), &opts).unwrap();
    std::fs::write(sb.root().join("arende.yaml"), "policy: inera\n").unwrap();
    let git = sb.git();
    assert_eq!(git.head(), None);

    let id = sb.new_incident("Första ärendet", &["impact=medium", "urgency=medium"]);
    assert!(is_incident_id(&id), "{id:?}");
    assert_eq!(git.commit_count(), 1);
    let head = git.repo.find_commit(git.head().unwrap()).unwrap();
    assert_eq!(head.parent_count(), 0);
    assert_eq!(head.author().email().ok(), Some(AUTHOR_EMAIL));
    assert_eq!(git.head_file(&rel_path(&id)).unwrap(), sb.record_bytes(&id));
    assert_eq!(
        git.repo.head().unwrap().name().ok(),
        Some("refs/heads/main")
    );
    assert_eq!(field(&sb.record(&id), "priority"), &n(3));
}

// ---------------------------------------------------------------- set

both_layouts!(set_reclassifies_records_history_and_refuses_protected_fields);
fn set_reclassifies_records_history_and_refuses_protected_fields(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let git = sb.git();
    let id = sb.new_incident(
        "Journal nere",
        &[
            "impact=high",
            "urgency=high",
            "reporter.party=kund",
            "tickets.kund=4711",
            "reported_via=phone",
        ],
    );
    assert_eq!(field(&sb.record(&id), "priority"), &n(1));

    let steps: [(&[&str], i64); 3] = [
        (&["urgency=medium"], 2),
        (&["impact=medium"], 3),
        (&["impact=low", "urgency=low"], 4),
    ];
    let mut priority = 1;
    for (assignments, want) in steps {
        let commits = git.commit_count();
        let events = history(&sb.record(&id)).len();
        let mut args = vec!["set", id.as_str()];
        args.extend_from_slice(assignments);
        sb.ok(&args);
        assert_eq!(git.commit_count(), commits + 1, "{assignments:?}");
        let doc = sb.record(&id);
        assert_eq!(field(&doc, "priority"), &n(want), "{assignments:?}");
        assert_eq!(history(&doc).len(), events + 1);
        let changed = changes(&last_event(&sb, &id));
        for a in assignments {
            let (k, v) = a.split_once('=').unwrap();
            assert!(
                changed.iter().any(|(f, _, to)| f == k && to == &s(v)),
                "{a} not in {changed:?}"
            );
        }
        assert!(
            changed.contains(&("priority".to_owned(), n(priority), n(want))),
            "{changed:?}"
        );
        let head = git.repo.find_commit(git.head().unwrap()).unwrap();
        assert!(head.message().unwrap().contains(&id));
        priority = want;
    }

    // The value it already has: no change, no commit.
    let before = Snapshot::take(&sb, &id);
    sb.ok(&["set", &id, "urgency=low"]);
    assert_eq!(Snapshot::take(&sb, &id), before);

    // Refused, each with what it says, and nothing changed: protected
    // fields, a mapping where a value goes, a misspelt field, a level that
    // is not one, and a manual priority without a reason (a rule: exit 1).
    let mut refusals = String::new();
    for (value, exit) in [
        ("status=closed", 2),
        ("history=[]", 2),
        ("id=INC-20260101-AAAAAA", 2),
        ("reporter=kund", 2),
        ("priorty=2", 2),
        ("impact=hgh", 2),
        ("priority=1", 1),
    ] {
        let out = sb.run(&["set", &id, value]);
        assert_eq!(code(&out), exit, "{value}: {}", stderr(&out));
        assert_eq!(Snapshot::take(&sb, &id), before, "{value}");
        refusals += &format!("$ arende set [ID] {value}\n{}\n", said(&out));
    }
    insta::assert_snapshot!("set_refusals", redact(&refusals, &[(&id, "[ID]")]));

    sb.ok(&["set", &id, "priority=1", "priority_reason=Patientsäkerhet"]);
    assert_eq!(git.commit_count(), before.commits + 1);
    let doc = sb.record(&id);
    assert_eq!(field(&doc, "priority"), &n(1));
    assert_eq!(field(&doc, "priority_reason"), &s("Patientsäkerhet"));
    // and it stands when the record is classified again.
    sb.ok(&["set", &id, "urgency=high"]);
    assert_eq!(field(&sb.record(&id), "priority"), &n(1));
}

// ---------------------------------------------------------------- approve and link

both_layouts!(approve_adds_an_approval_by_an_approving_party_only);
fn approve_adds_an_approval_by_an_approving_party_only(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let git = sb.git();
    let chg = sb.ok(&[
        "new",
        "change",
        "--title",
        "Uppgradera databas",
        "change_type=modification",
        "category=normal",
    ]);
    let chg = chg.trim();
    assert!(chg.starts_with("CHG-"), "{chg}");

    let commits = git.commit_count();
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        chg,
        "--by",
        "andringsforum",
        "--note",
        "möte 47",
    ]);
    assert_eq!(git.commit_count(), commits + 1);
    let head = git.repo.find_commit(git.head().unwrap()).unwrap();
    assert!(head.message().unwrap().contains(chg));
    let doc = sb.record(chg);
    let approvals = field(&doc, "approvals").as_sequence().unwrap();
    assert_eq!(approvals.len(), 1);
    let a = approvals[0].as_mapping().unwrap();
    assert_eq!(field(a, "by"), &s("andringsforum"));
    assert_eq!(field(a, "decision"), &s("approved"));
    assert_eq!(field(a, "at"), &s(NOW));
    assert_eq!(history(&doc).len(), 2);

    let before = Snapshot::take(&sb, chg);
    let out = sb.run(&["--author", APPROVER, "approve", chg, "--by", "nobody"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
    assert_eq!(Snapshot::take(&sb, chg), before);
}

both_layouts!(link_links_both_ways_in_one_commit_and_only_once);
fn link_links_both_ways_in_one_commit_and_only_once(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let git = sb.git();
    let inc = sb.journal_incident();
    let json = sb.ok(&[
        "new",
        "change",
        "--title",
        "Rätta journalen",
        "change_type=fix",
        "category=normal",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["title"], "Rätta journalen");
    assert_eq!(doc["status"], "draft");
    let chg = doc["id"].as_str().unwrap().to_owned();
    assert!(sb.record_path(&chg).is_file());

    let commits = git.commit_count();
    sb.ok(&["link", &inc, &chg]);
    assert_eq!(git.commit_count(), commits + 1);
    let links = |id: &str, key: &str| -> Vec<Value> {
        let doc = sb.record(id);
        let links = field(&doc, "links").as_mapping().unwrap().clone();
        links
            .get(key)
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(links(&inc, "changes"), vec![s(&chg)]);
    assert_eq!(links(&chg, "incidents"), vec![s(&inc)]);
    // Both files are in the one commit.
    let head = git.repo.find_commit(git.head().unwrap()).unwrap();
    let parent_tree = head.parent(0).unwrap().tree().unwrap();
    let diff = git
        .repo
        .diff_tree_to_tree(Some(&parent_tree), Some(&head.tree().unwrap()), None)
        .unwrap();
    let touched: BTreeSet<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().to_string_lossy().into_owned())
        .collect();
    let want: BTreeSet<String> = [rel_path(&inc), rel_path(&chg)].into();
    assert_eq!(touched, want);

    let before_inc = Snapshot::take(&sb, &inc);
    let before_chg = Snapshot::take(&sb, &chg);
    sb.ok(&["link", &inc, &chg]);
    sb.ok(&["link", &chg, &inc]);
    assert_eq!(Snapshot::take(&sb, &inc), before_inc);
    assert_eq!(Snapshot::take(&sb, &chg), before_chg);

    let out = sb.run(&["link", &inc, &inc]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = sb.run(&["link", &inc, "PRB-20260101-NOPE00"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(Snapshot::take(&sb, &inc), before_inc);
}

// ---------------------------------------------------------------- reading

/// A small repository with fixed IDs, written by hand.
fn fixture() -> Sandbox {
    let sb = Sandbox::with_repo();
    let records = [
        (
            "incidents/INC-20261120-AAAAAA.yaml",
            "id: INC-20261120-AAAAAA\nkind: incident\ntitle: Journal nere\nstatus: in_progress\n\
             opened_at: 2026-11-20T08:15:00+01:00\nimpact: high\nurgency: high\npriority: 1\n\
             reporter:\n  party: kund\nreported_via: phone\ntickets:\n  kund: '4711'\nhistory:\n\
             - at: 2026-11-20T08:15:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: new\n  note: opened\n",
        ),
        (
            "incidents/INC-20261121-BBBBBB.yaml",
            "id: INC-20261121-BBBBBB\nkind: incident\ntitle: Inloggning långsam\nstatus: new\n\
             opened_at: 2026-11-21T13:05:00+01:00\nimpact: medium\nurgency: medium\npriority: 3\n\
             reporter:\n  party: agent\nreported_via: email\ntickets:\n  agent: A-17\nhistory:\n\
             - at: 2026-11-21T13:05:00+01:00\n  by: Bo Ek <bo@example.se>\n  status: new\n  note: opened\n",
        ),
        (
            "changes/CHG-20261121-CCCCCC.yaml",
            "id: CHG-20261121-CCCCCC\nkind: change\ntitle: Uppgradera databas\nstatus: draft\n\
             opened_at: 2026-11-21T16:40:00+01:00\nchange_type: modification\ncategory: normal\nhistory:\n\
             - at: 2026-11-21T16:40:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: draft\n  note: opened\n",
        ),
    ];
    for (rel, text) in records {
        std::fs::write(sb.root().join(rel), text).unwrap();
    }
    sb.git().commit_all("fixture records");
    sb
}

/// The first column of a table's body rows.
fn first_column(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(2)
        .filter_map(|l| l.split('|').nth(1))
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn show_prints_yaml_as_is_json_and_table() {
    let sb = fixture();
    let id = "INC-20261120-AAAAAA";
    let yaml = sb.ok(&["show", id]);
    assert_eq!(
        yaml.as_bytes(),
        sb.record_bytes(id),
        "show must print the file as it is"
    );
    assert_eq!(sb.ok(&["show", id, "--format", "yaml"]), yaml);
    let lower = sb.ok(&["show", &id.to_lowercase()]);
    assert_eq!(lower, yaml, "IDs are case-insensitive");

    let json: serde_json::Value =
        serde_json::from_str(&sb.ok(&["show", id, "--format", "json"])).unwrap();
    assert_eq!(json["id"], id);
    assert_eq!(json["priority"], 1);
    assert_eq!(json["reporter"]["party"], "kund");
    assert_eq!(json["history"].as_array().unwrap().len(), 1);

    let table = sb.ok(&["show", id, "--format", "table"]);
    insta::assert_snapshot!("show_table", table);

    let out = sb.run(&["show", id, "--format", "csv"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn list_filters_sorts_and_formats() {
    let sb = fixture();
    let table = sb.ok(&["list"]);
    insta::assert_snapshot!("list_table", table);
    assert_eq!(
        first_column(&table),
        [
            "CHG-20261121-CCCCCC",
            "INC-20261120-AAAAAA",
            "INC-20261121-BBBBBB"
        ]
    );

    assert_eq!(
        first_column(&sb.ok(&["list", "--status", "new"])),
        ["INC-20261121-BBBBBB"]
    );
    assert_eq!(
        first_column(&sb.ok(&["list", "--status", "new", "--status", "draft"])),
        ["CHG-20261121-CCCCCC", "INC-20261121-BBBBBB"]
    );
    assert_eq!(
        first_column(&sb.ok(&["list", "--priority", "1"])),
        ["INC-20261120-AAAAAA"]
    );
    assert_eq!(
        first_column(&sb.ok(&["list", "--where", "reporter.party=agent"])),
        ["INC-20261121-BBBBBB"]
    );
    assert_eq!(
        first_column(&sb.ok(&["list", "--where", "tickets.kund=4711"])),
        ["INC-20261120-AAAAAA"]
    );
    assert!(first_column(&sb.ok(&["list", "--where", "tickets.kund=9999"])).is_empty());
    assert_eq!(
        first_column(&sb.ok(&["list", "change"])),
        ["CHG-20261121-CCCCCC"]
    );
    assert_eq!(
        first_column(&sb.ok(&["list", "--sort", "title"])),
        [
            "INC-20261121-BBBBBB",
            "INC-20261120-AAAAAA",
            "CHG-20261121-CCCCCC"
        ]
    );
    assert_eq!(
        first_column(&sb.ok(&["list", "incident", "--sort", "-opened_at"])),
        ["INC-20261121-BBBBBB", "INC-20261120-AAAAAA"]
    );

    let json: serde_json::Value =
        serde_json::from_str(&sb.ok(&["list", "--format", "json"])).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["id"], "INC-20261120-AAAAAA");
    assert_eq!(items[1]["priority"], 1);
    assert_eq!(items[0]["priority"], serde_json::Value::Null);

    let csv = sb.ok(&["list", "incident", "--format", "csv", "--sort", "-priority"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,status,priority,title,opened");
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1].starts_with("INC-20261121-BBBBBB,new,3,Inloggning långsam,"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("INC-20261120-AAAAAA,in_progress,1,"),
        "{csv}"
    );

    let out = sb.run(&["list", "--format", "yaml"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let out = sb.run(&["list", "widget"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = sb.run(&["list", "--where", "nonsense"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn export_writes_every_record_as_json_and_csv() {
    let sb = fixture();
    let json: serde_json::Value =
        serde_json::from_str(&sb.ok(&["export", "--format", "json"])).unwrap();
    let docs = json.as_array().unwrap();
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "CHG-20261121-CCCCCC",
            "INC-20261120-AAAAAA",
            "INC-20261121-BBBBBB"
        ]
    );
    assert_eq!(docs[1]["tickets"]["kund"], "4711");
    assert_eq!(
        sb.ok(&["export"]),
        sb.ok(&["export", "--format", "json"]),
        "json is the default"
    );

    let csv = sb.ok(&["export", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..5], ["id", "kind", "title", "status", "opened_at"]);
    assert!(header.contains(&"tickets.kund".to_owned()), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let kund = header.iter().position(|h| h == "tickets.kund").unwrap();
    assert_eq!(&rows[1][0], "INC-20261120-AAAAAA");
    assert_eq!(&rows[1][kund], "4711");
    assert_eq!(&rows[0][kund], "");

    let json: serde_json::Value = serde_json::from_str(&sb.ok(&["export", "change"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
}

both_layouts!(log_shows_commits_and_history);
fn log_shows_commits_and_history(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.journal_incident();
    sb.ok(&[
        "status",
        &id,
        "assigned",
        "--note",
        "till förvaltningen",
        "--group",
        "servicedesk",
    ]);
    let git = sb.git();
    let commits: Vec<String> = git.commits()[..2]
        .iter()
        .map(|c| c.id().to_string())
        .collect();

    // Oldest first: the commit that filed it, then the one that assigned
    // it, each with its history event. Names of the same width as what they
    // stand for keep the columns lined up.
    let log = sb.ok(&["log", &id]);
    let names = [
        (&commits[1][..7], "[filed]"),
        (&commits[0][..7], "[asgnd]"),
        (&id[id.len() - 6..], "[code]"),
    ];
    insta::assert_snapshot!("log_table", redact(&log, &names));

    let json = sb.ok(&["log", &id, "--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(parsed.is_array(), "{json}");
    for c in &commits {
        assert!(
            json.contains(c.as_str()),
            "commit {c} not in the JSON log:\n{json}"
        );
    }
    assert!(json.contains("till förvaltningen"), "{json}");

    let out = sb.run(&["log", "INC-20260101-ZZZZZZ"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn completions_and_usage_errors() {
    let sb = Sandbox::new();
    let bash = sb.ok(&["completions", "bash"]);
    assert!(bash.contains("arende"), "{bash}");
    assert!(bash.contains("complete"), "{bash}");
    let out = sb.run(&["completions", "tcsh-ish"]);
    assert_eq!(code(&out), 2);
    let out = sb.run(&["--no-such-flag"]);
    assert_eq!(code(&out), 2);
}

// ---------------------------------------------------------------- --no-commit

both_layouts!(no_commit_writes_the_file_and_leaves_head_and_index);
fn no_commit_writes_the_file_and_leaves_head_and_index(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    sb.leaves_changes("--no-commit writes files and commits nothing");
    let id = sb.journal_incident();
    let git = sb.git();
    let before = Snapshot::take(&sb, &id);
    let entries = git.index_entries();

    sb.ok(&["--no-commit", "set", &id, "impact=low"]);
    assert_eq!(field(&sb.record(&id), "impact"), &s("low"));
    assert_ne!(sb.record_bytes(&id), before.file);
    assert_eq!(git.head(), before.head);
    assert_eq!(git.commit_count(), before.commits);
    assert_eq!(git.index_bytes(), before.index);
    assert_eq!(git.index_entries(), entries);
    assert_eq!(
        git.head_file(&rel_path(&id)).unwrap(),
        before.file,
        "HEAD still has the old file"
    );

    // new --no-commit: a file in the work tree, untracked.
    let other = sb.ok(&[
        "--no-commit",
        "new",
        "incident",
        "--title",
        "Inte committad",
    ]);
    let other = other.trim();
    assert!(sb.record_path(other).is_file());
    assert_eq!(git.head(), before.head);
    assert_eq!(git.index_bytes(), before.index);
    let status = git.repo.status_file(Path::new(&rel_path(other))).unwrap();
    assert!(status.contains(git2::Status::WT_NEW), "{status:?}");
}

both_layouts!(a_commit_takes_only_its_own_files_and_keeps_what_a_person_staged);
fn a_commit_takes_only_its_own_files_and_keeps_what_a_person_staged(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    sb.leaves_changes("a person's staged and unstaged edits must be left as they are");
    let mine = sb.journal_incident();
    let theirs = sb.new_incident("Skrivare", &["impact=low", "urgency=low"]);
    let git = sb.git();

    // A person edits and stages one record, and edits another without staging.
    let staged_text = String::from_utf8(sb.record_bytes(&theirs)).unwrap() + "x_staged: ja\n";
    std::fs::write(sb.record_path(&theirs), &staged_text).unwrap();
    let mut index = git.repo.index().unwrap();
    index.add_path(Path::new(&rel_path(&theirs))).unwrap();
    index.write().unwrap();
    let staged_blob = git
        .index_entries()
        .into_iter()
        .find(|(p, _)| p.contains(&theirs))
        .unwrap()
        .1;
    let unstaged_text = staged_text.clone() + "x_unstaged: ja\n";
    std::fs::write(sb.record_path(&theirs), &unstaged_text).unwrap();

    sb.ok(&["status", &mine, "assigned", "--group", "servicedesk"]);
    let head = git.repo.find_commit(git.head().unwrap()).unwrap();
    let diff = git
        .repo
        .diff_tree_to_tree(
            Some(&head.parent(0).unwrap().tree().unwrap()),
            Some(&head.tree().unwrap()),
            None,
        )
        .unwrap();
    let touched: Vec<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(touched, [rel_path(&mine)]);
    // Their staged edit is still staged (not committed), their work tree edit still there.
    let now_blob = git
        .index_entries()
        .into_iter()
        .find(|(p, _)| p.contains(&theirs))
        .unwrap()
        .1;
    assert_eq!(now_blob, staged_blob);
    assert!(
        !String::from_utf8(git.head_file(&rel_path(&theirs)).unwrap())
            .unwrap()
            .contains("x_staged")
    );
    assert_eq!(
        std::fs::read_to_string(sb.record_path(&theirs)).unwrap(),
        unstaged_text
    );
    // And the committed record is clean: index = HEAD = work tree.
    let status = git.repo.status_file(Path::new(&rel_path(&mine))).unwrap();
    assert!(status.is_empty(), "{status:?}");
}

// ---------------------------------------------------------------- bad input

#[test]
#[cfg(unix)]
fn bad_record_files_are_named_and_never_crash() {
    let sb = Sandbox::with_repo();
    let good = sb.journal_incident();
    let good_text = String::from_utf8(sb.record_bytes(&good)).unwrap();
    let outside = tempfile::TempDir::new().unwrap();
    let target = outside.path().join("secret.yaml");
    std::fs::write(&target, "id: INC-20261122-BAD006\nsecret: hemligt\n").unwrap();

    let mut huge = b"id: INC-20261122-BAD004\ndescription: ".to_vec();
    huge.resize(2 * 1024 * 1024, b'x');
    huge.push(b'\n');
    let bad_enum = good_text
        .replace(&good, "INC-20261122-BAD002")
        .replace("impact: high", "impact: hgh");
    let impact_line = bad_enum
        .lines()
        .position(|l| l.starts_with("impact:"))
        .unwrap()
        + 1;

    // (ID, bytes or None for the symlink, what stderr must also say)
    let bad = |id: &'static str, bytes: Option<Vec<u8>>, says: &[&str]| BadFile {
        id,
        bytes,
        says: says.iter().map(|s| s.to_string()).collect(),
    };
    let enum_place = format!("INC-20261122-BAD002.yaml:{impact_line}");
    let cases = vec![
        bad("INC-20261122-BAD001", Some(b"id: INC-20261122-BAD001\ntitle: [unclosed\n".to_vec()), &["YAML"]),
        bad("INC-20261122-BAD002", Some(bad_enum.into_bytes()), &["`impact`", &enum_place, "hgh"]),
        bad("INC-20261122-BAD003", Some(b"id: INC-20261122-BAD003\ntitle: \"\xff\xfe\"\n".to_vec()), &["UTF-8"]),
        bad("INC-20261122-BAD004", Some(huge), &["larger"]),
        bad(
            "INC-20261122-BAD005",
            Some(b"id: INC-20261122-BAD005\n<<<<<<< HEAD\ntitle: a\n=======\ntitle: b\n>>>>>>> other\n".to_vec()),
            &["merge conflict"],
        ),
        // A symbolic link out of the repository.
        bad("INC-20261122-BAD006", None, &["symbolic link"]),
    ];
    let commits = sb.git().commit_count();
    for BadFile { id, bytes, says } in cases {
        let path = sb.record_path(id);
        match &bytes {
            Some(b) => std::fs::write(&path, b).unwrap(),
            None => make_symlink(&target, &path),
        }
        let file = format!("{id}.yaml");

        let out = sb.run(&["list"]);
        assert_eq!(
            code(&out),
            2,
            "{id}: list must exit 2 after listing the good records"
        );
        assert!(
            stdout(&out).contains(&good),
            "{id}: the good record is missing:\n{}",
            stdout(&out)
        );
        assert!(!stdout(&out).contains(id), "{id}: a bad record was listed");
        let err = stderr(&out);
        assert!(
            err.contains(&file),
            "{id}: list does not name the file:\n{err}"
        );
        for said in &says {
            assert!(
                err.contains(said.as_str()),
                "{id}: list does not say {said:?}:\n{err}"
            );
        }

        let out = sb.run(&["list", "--format", "json"]);
        assert_eq!(code(&out), 2);
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 1);

        let out = sb.run(&["show", id]);
        assert_eq!(code(&out), 2, "{id}: show");
        assert!(
            stderr(&out).contains(&file),
            "{id}: show does not name the file:\n{}",
            stderr(&out)
        );
        assert!(
            !stdout(&out).contains("hemligt"),
            "{id}: show followed the symlink"
        );
        for said in &says {
            assert!(
                stderr(&out).contains(said.as_str()),
                "{id}: show does not say {said:?}:\n{}",
                stderr(&out)
            );
        }

        let out = sb.run(&["set", id, "impact=low"]);
        assert_eq!(code(&out), 2, "{id}: set");
        match &bytes {
            Some(b) => assert_eq!(
                &std::fs::read(&path).unwrap(),
                b,
                "{id}: set changed the bad file"
            ),
            None => {
                assert!(path.symlink_metadata().unwrap().file_type().is_symlink());
                assert_eq!(
                    std::fs::read_to_string(&target).unwrap(),
                    "id: INC-20261122-BAD006\nsecret: hemligt\n"
                );
            }
        }

        let out = sb.run(&["export"]);
        assert_eq!(
            code(&out),
            2,
            "{id}: export must not skip a record silently"
        );
        assert!(
            stderr(&out).contains(&file),
            "{id}: export does not name the file:\n{}",
            stderr(&out)
        );

        std::fs::remove_file(&path).unwrap();
    }
    assert_eq!(
        sb.git().commit_count(),
        commits,
        "a bad file led to a commit"
    );
    sb.ok(&["list"]);
}

/// A bad record file: its ID, its bytes (`None`: a symlink out of the
/// repository), and what the error must say besides the file name.
struct BadFile {
    id: &'static str,
    bytes: Option<Vec<u8>>,
    says: Vec<String>,
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

both_layouts!(new_refuses_a_personal_identity_number_unless_forced);
fn new_refuses_a_personal_identity_number_unless_forced(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let commits = sb.git().commit_count();
    let args = [
        "new",
        "incident",
        "--title",
        "Patient kan inte logga in",
        "description=Gäller 19121212-1212, ring tillbaka",
        "impact=low",
        "urgency=low",
    ];
    let out = sb.run(&args);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("SEC001"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("1212-1212"),
        "the number is not repeated: {}",
        stderr(&out)
    );
    assert_eq!(sb.git().commit_count(), commits, "nothing filed");

    let mut forced = args.to_vec();
    forced.push("--force");
    let id = sb.ok(&forced);
    assert!(is_incident_id(id.trim()), "{id}");
    assert_eq!(sb.git().commit_count(), commits + 1);
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "validate still reports it");
    assert!(stdout(&out).contains("SEC001"));
}
