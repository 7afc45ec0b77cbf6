//! `arende unlink`: removes a link both ways in one commit, refuses what
//! is not linked, and refuses an unlink that breaks a rule, with the fix.

use crate::support::*;

fn links(doc: &serde_yaml::Mapping) -> Option<&serde_yaml::Value> {
    doc.get("links")
}

both_layouts!(unlink_removes_the_link_both_ways_in_one_commit);
fn unlink_removes_the_link_both_ways_in_one_commit(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let inc = sb.journal_incident();
    let prb = sb
        .ok(&["new", "problem", "--title", "Minnesläcka"])
        .trim()
        .to_owned();
    sb.ok(&["link", &inc, &prb]);
    let before = sb.git().commit_count();
    let out = sb.run(&["unlink", &prb, &inc]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("unlinked"), "{}", stderr(&out));
    assert_eq!(sb.git().commit_count(), before + 1);
    for (id, other) in [(&inc, &prb), (&prb, &inc)] {
        let doc = sb.record(id);
        assert!(links(&doc).is_none(), "{id}: {doc:?}");
        let last = history(&doc).pop().unwrap();
        assert_eq!(
            last.get("note").and_then(|v| v.as_str()),
            Some(format!("unlinked {other}").as_str())
        );
    }
    assert_eq!(code(&sb.run(&["validate"])), 0);
}

both_layouts!(unlink_keeps_the_other_links);
fn unlink_keeps_the_other_links(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let inc = sb.journal_incident();
    let a = sb.ok(&["new", "problem", "--title", "A"]).trim().to_owned();
    let b = sb.ok(&["new", "problem", "--title", "B"]).trim().to_owned();
    sb.ok(&["link", &inc, &a]);
    sb.ok(&["link", &inc, &b]);
    sb.ok(&["unlink", &inc, &a]);
    let doc = sb.record(&inc);
    let problems = doc["links"]["problems"].as_sequence().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].as_str(), Some(b.as_str()));
}

#[test]
fn records_not_linked_are_a_clear_error() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let prb = sb.ok(&["new", "problem", "--title", "P"]).trim().to_owned();
    let before = sb.git().commit_count();
    let out = sb.run(&["unlink", &inc, &prb]);
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(redact(&said(&out), &[(&inc, "[INC]"), (&prb, "[PRB]")]), @r"
        --- stdout
        --- stderr
        arende::usage

          × [INC] and [PRB] are not linked
          help: `arende show [INC]` lists its links under `links`; unlink one of those
    ");
    assert_eq!(sb.git().commit_count(), before);
    let out = sb.run(&["unlink", &inc, &inc]);
    assert_eq!(code(&out), 2);
}

both_layouts!(an_unlink_the_policy_needs_is_refused_with_the_fix);
fn an_unlink_the_policy_needs_is_refused_with_the_fix(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    // Inera: a resolved priority-4 incident must link its problem (INC008).
    let inc = sb.new_incident(
        "Stavfel i menyn",
        &["impact=low", "urgency=low", "reporter.party=inera"],
    );
    let prb = sb
        .ok(&["new", "problem", "--title", "Stavfel"])
        .trim()
        .to_owned();
    sb.ok(&["link", &inc, &prb]);
    for status in ["assigned", "in_progress", "resolved"] {
        sb.ok(&["status", &inc, status, "--group", "servicedesk"]);
    }
    let before = sb.git().commit_count();
    let out = sb.run(&["unlink", &prb, &inc]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // A file snapshot, not inline: the body runs once a layout, and insta
    // refuses an inline snapshot reached twice in one process.
    insta::assert_snapshot!(
        "unlink_refused_by_a_rule",
        redact(&said(&out), &[(&inc, "[INC]"), (&prb, "[PRB]")])
    );
    assert_eq!(sb.git().commit_count(), before);
    assert!(links(&sb.record(&inc)).is_some());
}

#[test]
fn unlink_completes_ids_and_is_in_the_man_page() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let out = sb
        .cmd()
        .env("COMPLETE", "fish")
        .args(["--", "arende", "unlink", "INC-"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(&inc), "{}", stdout(&out));
    assert!(sb.ok(&["man"]).contains("unlink"));
}

both_layouts!(a_link_left_on_one_side_only_is_removed_from_that_side);
fn a_link_left_on_one_side_only_is_removed_from_that_side(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let inc = sb.journal_incident();
    let prb = sb.ok(&["new", "problem", "--title", "P"]).trim().to_owned();
    sb.ok(&["link", &inc, &prb]);
    // A hand edit took the link out of the incident only.
    let path = sb.record_path(&inc);
    let mut doc = sb.record(&inc);
    doc.remove("links");
    std::fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
    sb.git().commit_all("hand edit: unlink one side");
    let out = sb.run(&["unlink", &inc, &prb]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(links(&sb.record(&prb)).is_none());
    assert_eq!(code(&sb.run(&["validate"])), 0);
}
