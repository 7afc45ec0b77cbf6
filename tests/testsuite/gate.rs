//! The gate (issue 10): approvals are declared per step in the pack, the
//! latest decision of a party is the one in force, an approval lapses when a
//! field it covers changes, and the step of an approval is inferred or
//! refused. Every test runs the real binary in a temporary repository.

use crate::support::{APPROVER, Sandbox, code, field, stderr};

fn new_id(sb: &Sandbox, args: &[&str]) -> String {
    sb.ok(args).trim().to_owned()
}

/// Refused with exit 1, naming every one of `words`; the record unchanged.
fn refused(sb: &Sandbox, id: &str, args: &[&str], words: &[&str]) -> String {
    let before = sb.record_bytes(id);
    let out = sb.run(args);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "arende {args:?} must be refused:\n{err}");
    for w in words {
        assert!(err.contains(w), "arende {args:?}: no `{w}` in:\n{err}");
    }
    assert_eq!(sb.record_bytes(id), before, "a refusal changed the record");
    err
}

/// A usage error (exit 2) naming every one of `words`.
fn bad_usage(sb: &Sandbox, args: &[&str], words: &[&str]) {
    let out = sb.run(args);
    let err = stderr(&out);
    assert_eq!(
        code(&out),
        2,
        "arende {args:?} must be a usage error:\n{err}"
    );
    for w in words {
        assert!(err.contains(w), "arende {args:?}: no `{w}` in:\n{err}");
    }
}

fn inera_change(sb: &Sandbox, category: &str) -> String {
    let id = new_id(
        sb,
        &[
            "new",
            "change",
            "--title",
            "Höj anslutningspoolens gräns",
            "change_type=modification",
            &format!("category={category}"),
            "risk.level=high",
            "service_window.start=2026-11-07T22:00:00+01:00",
            "service_window.end=2026-11-07T23:00:00+01:00",
        ],
    );
    sb.ok(&["status", &id, "submitted"]);
    id
}

#[test]
fn a_rejection_revokes_the_approval_before_it() {
    let sb = Sandbox::with_repo();
    let chg = inera_change(&sb, "normal");
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
        "--decision",
        "rejected",
    ]);
    refused(
        &sb,
        &chg,
        &["status", &chg, "approved"],
        &["CHG004", "rejected"],
    );
    // A new approval after the rejection is in force again.
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &chg, "approved"]);
    // Rejecting an approved change is refused until it is returned for a decision.
    let err = refused(
        &sb,
        &chg,
        &[
            "--author",
            APPROVER,
            "approve",
            &chg,
            "--by",
            "andringsforum",
            "--decision",
            "rejected",
        ],
        &["CHG004"],
    );
    assert!(err.contains(&format!("status {chg} submitted")), "{err}");
    sb.ok(&["status", &chg, "submitted"]);
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
        "--decision",
        "rejected",
    ]);
    refused(&sb, &chg, &["status", &chg, "approved"], &["CHG004"]);
}

#[test]
fn stockholm_closing_rejected_then_approved() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "stockholm"]);
    let inc = new_id(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "Inloggning misslyckas",
            "impact=high",
            "urgency=medium",
            "reporter.party=servicedesk",
            "reported_via=phone",
        ],
    );
    for s in ["assigned", "in_progress", "resolved"] {
        sb.ok(&["status", &inc, s, "--group", "servicedesk"]);
    }
    sb.ok(&[
        "--author", APPROVER, "approve", &inc, "--by", "staden", "--step", "closing",
    ]);
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &inc,
        "--by",
        "staden",
        "--decision",
        "rejected",
    ]);
    refused(
        &sb,
        &inc,
        &["status", &inc, "closed"],
        &["INC011", "rejected"],
    );
}

#[test]
fn an_approval_is_stale_once_a_covered_field_changes() {
    let sb = Sandbox::with_repo();
    let chg = inera_change(&sb, "normal");
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    // What the forum saw is recorded on the approval.
    let doc = sb.record(&chg);
    let approvals = field(&doc, "approvals").as_sequence().unwrap();
    let covers = approvals[0]
        .get("covers")
        .and_then(|c| c.as_mapping())
        .unwrap();
    assert!(covers.contains_key("service_window"), "{covers:?}");
    sb.ok(&["status", &chg, "approved"]);

    // Moving the window a week, or lowering the risk, needs a new decision.
    let err = refused(
        &sb,
        &chg,
        &[
            "set",
            &chg,
            "service_window.start=2026-11-14T22:00:00+01:00",
        ],
        &["CHG004", "stale", "service_window"],
    );
    assert!(
        err.contains(&format!("arende status {chg} submitted")),
        "{err}"
    );
    refused(
        &sb,
        &chg,
        &["set", &chg, "risk.level=low"],
        &["CHG004", "risk"],
    );
    // A field the approval does not cover is an ordinary edit.
    sb.ok(&["set", &chg, "title=Höj gränsen för anslutningspoolen"]);

    // The way through: back for a decision, edit, approve again.
    sb.ok(&["status", &chg, "submitted"]);
    sb.ok(&[
        "set",
        &chg,
        "service_window.start=2026-11-14T22:00:00+01:00",
        "service_window.end=2026-11-14T23:00:00+01:00",
    ]);
    refused(
        &sb,
        &chg,
        &["status", &chg, "approved"],
        &["CHG004", "stale"],
    );
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &chg, "approved"]);
    assert_eq!(code(&sb.run(&["validate"])), 0);
}

#[test]
fn validate_names_the_field_that_made_an_approval_stale() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("a hand edit is left for validate to find");
    let chg = inera_change(&sb, "normal");
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &chg, "approved"]);
    sb.edit_record(
        &chg,
        "2026-11-07T22:00:00+01:00",
        "2026-11-21T22:00:00+01:00",
    );
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CHG004"), "{text}");
    assert!(text.contains("stale: service_window changed"), "{text}");
}

#[test]
fn a_stockholm_problem_reclassified_after_approval_is_refused() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "stockholm"]);
    let prb = new_id(
        &sb,
        &["new", "problem", "--title", "Certifikat går ut", "class=1"],
    );
    sb.ok(&["status", &prb, "analysing"]);
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &prb,
        "--by",
        "staden",
        "--step",
        "classification",
    ]);
    sb.ok(&["status", &prb, "known_error"]);
    refused(&sb, &prb, &["set", &prb, "class=4"], &["PRB010", "class"]);
}

#[test]
fn the_step_is_inferred_when_one_is_pending_and_refused_otherwise() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "stockholm"]);
    let prb = new_id(
        &sb,
        &["new", "problem", "--title", "Certifikat går ut", "class=1"],
    );
    sb.ok(&["status", &prb, "analysing"]);
    // In analysis, Staden has several pending steps: name one.
    bad_usage(
        &sb,
        &["--author", APPROVER, "approve", &prb, "--by", "staden"],
        &["--step", "classification", "proposal", "verification"],
    );
    // A typo gets a suggestion; a step of another kind is not one of these.
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &prb,
            "--by",
            "staden",
            "--step",
            "clasification",
        ],
        &["did you mean `classification`"],
    );
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &prb,
            "--by",
            "staden",
            "--step",
            "decision_basis",
        ],
        &["not an approval step"],
    );
    // A party that is not the step's, or not one of the pack's.
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &prb,
            "--by",
            "leverantor",
            "--step",
            "closing",
        ],
        &["staden"],
    );
    bad_usage(
        &sb,
        &["--author", APPROVER, "approve", &prb, "--by", "stadn"],
        &["did you mean `staden`"],
    );

    // A release has one step of Staden's: inferred, and a problem's step does not count.
    let rel = new_id(
        &sb,
        &[
            "new",
            "release",
            "--title",
            "Skolplattformen 4.2",
            "version=4.2",
            "rollback=Återinstallera 4.1",
        ],
    );
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &rel,
            "--by",
            "staden",
            "--step",
            "classification",
        ],
        &["not an approval step"],
    );
    sb.ok(&["--author", APPROVER, "approve", &rel, "--by", "staden"]);
    let doc = sb.record(&rel);
    let step = field(&doc, "approvals").as_sequence().unwrap()[0]
        .get("step")
        .cloned();
    assert_eq!(
        step.and_then(|s| s.as_str().map(str::to_owned)).as_deref(),
        Some("proposal")
    );
}

#[test]
fn a_change_needs_a_category_before_it_leaves_draft() {
    let sb = Sandbox::with_repo();
    let chg = new_id(
        &sb,
        &[
            "new",
            "change",
            "--title",
            "Byt certifikat",
            "change_type=modification",
        ],
    );
    refused(
        &sb,
        &chg,
        &["status", &chg, "submitted"],
        &["CHG007", "category"],
    );
    sb.ok(&["set", &chg, "category=normal"]);
    sb.ok(&["status", &chg, "submitted"]);
    refused(&sb, &chg, &["status", &chg, "approved"], &["CHG004"]);
}

#[test]
fn only_an_emergency_change_takes_the_fast_track() {
    let sb = Sandbox::with_repo();
    let emergency = new_id(
        &sb,
        &[
            "new",
            "change",
            "--title",
            "Akut rättning",
            "change_type=fix",
            "category=emergency",
            "fault_class=1",
        ],
    );
    sb.ok(&["status", &emergency, "submitted"]);
    // The forum's one pending step for an emergency change is the fast track.
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &emergency,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &emergency, "approved"]);
    sb.ok(&[
        "set",
        &emergency,
        "implementation_report.activities=Rättning införd",
        "implementation_report.time_spent=20 minuter",
        "implementation_report.result=Genomförd",
    ]);
    sb.ok(&["status", &emergency, "implemented"]);

    let normal = inera_change(&sb, "normal");
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &normal,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &normal, "approved"]);
    sb.ok(&[
        "set",
        &normal,
        "implementation_report.activities=Gränsen höjd",
        "implementation_report.time_spent=20 minuter",
        "implementation_report.result=Genomförd",
    ]);
    refused(
        &sb,
        &normal,
        &["status", &normal, "implemented"],
        &["CHG008"],
    );
    sb.ok(&["status", &normal, "scheduled"]);
    sb.ok(&["status", &normal, "implemented"]);
    // A fast-track approval does not stand in for the forum's on a normal change:
    // it is refused, and an unknown step lists the ones there are.
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &normal,
            "--by",
            "andringsforum",
            "--step",
            "fast_track",
        ],
        &["does not apply", "category = emergency"],
    );
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &normal,
            "--by",
            "andringsforum",
            "--step",
            "nonexistent",
        ],
        &["change_forum", "fast_track"],
    );
}

#[test]
fn an_unknown_party_is_refused_on_every_party_field() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("hand edits with unknown parties are left for validate to find");
    // reporter.party, owner and approvals[].by, by command: refused with a suggestion.
    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Tjänsten svarar inte",
        "impact=low",
        "urgency=low",
        "reported_via=email",
        "reporter.party=kunden",
    ]);
    // A word no party has is the input's fault: exit 2, before any rule.
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reporter.party") && stderr(&out).contains("did you mean `kund`"),
        "{}",
        stderr(&out)
    );
    let out = sb.run(&[
        "new",
        "ci",
        "--title",
        "Databasserver",
        "ci_type=hardware",
        "owner=kommunen",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("REC005") && stderr(&out).contains("owner"),
        "{}",
        stderr(&out)
    );
    let chg = inera_change(&sb, "normal");
    bad_usage(
        &sb,
        &["--author", APPROVER, "approve", &chg, "--by", "x"],
        &["cannot approve", "andringsforum"],
    );
    bad_usage(
        &sb,
        &[
            "--author",
            APPROVER,
            "approve",
            &chg,
            "--by",
            "andringsforom",
        ],
        &["did you mean `andringsforum`"],
    );

    // The same fields edited by hand: validate names each one.
    let ci = new_id(
        &sb,
        &[
            "new",
            "ci",
            "--title",
            "Databasserver",
            "ci_type=hardware",
            "owner=inera",
        ],
    );
    let inc = sb.new_incident(
        "Tjänsten svarar inte",
        &["reporter.party=kund", "tickets.kund=K-1"],
    );
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    sb.edit_record(&ci, "owner: inera", "owner: ineraa");
    sb.edit_record(&inc, "party: kund", "party: kunden");
    sb.edit_record(&chg, "by: andringsforum", "by: andringsforumm");
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for f in ["\"owner\"", "\"reporter.party\"", "\"approvals[0].by\""] {
        assert!(
            text.contains(f) && text.contains("REC005"),
            "no REC005 on {f}: {text}"
        );
    }
    // An approval whose step is not the pack's.
    sb.edit_record(&chg, "by: andringsforumm", "by: andringsforum");
    sb.edit_record(&chg, "step: change_forum", "step: forum");
    let text =
        String::from_utf8_lossy(&sb.run(&["validate", "--format", "json"]).stdout).into_owned();
    assert!(
        text.contains("approvals[0].step") && text.contains("`forum` is not an approval step"),
        "{text}"
    );
}

#[test]
fn commands_refuse_to_break_the_repository_rules() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "ehm"]);
    // A dependency that does not exist.
    let out = sb.run(&[
        "new",
        "ci",
        "--title",
        "Webbserver",
        "ci_type=software",
        "depends_on=CI-20260101-AAAAAA",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("REPO003"), "{}", stderr(&out));
    // A cycle closed by `set`.
    let a = new_id(
        &sb,
        &["new", "ci", "--title", "Databas", "ci_type=software"],
    );
    let b = new_id(
        &sb,
        &[
            "new",
            "ci",
            "--title",
            "Applikation",
            "ci_type=software",
            &format!("depends_on={a}"),
        ],
    );
    let c = new_id(
        &sb,
        &[
            "new",
            "ci",
            "--title",
            "Portal",
            "ci_type=software",
            &format!("depends_on={b}"),
        ],
    );
    refused(
        &sb,
        &a,
        &["set", &a, &format!("depends_on={c}")],
        &["REPO005", &b, &c],
    );
    // A link to a record that does not exist.
    let inc = new_id(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "E-recept nere",
            "impact=low",
            "urgency=low",
            "reported_via=email",
            "reporter.party=aktor",
        ],
    );
    let out = sb.run(&["link", &inc, "PRB-20260101-AAAAAA"]);
    assert_ne!(code(&out), 0, "{}", stderr(&out));
    // Two version packages in production at most: 17.1.3 belongs to 17.1.
    let release = |version: &str| {
        let id = new_id(
            &sb,
            &[
                "new",
                "release",
                "--title",
                &format!("Release {version}"),
                &format!("version={version}"),
                "information_published_at=2026-01-05T09:00:00+01:00",
            ],
        );
        for s in ["approved", "testing"] {
            sb.ok(&["status", &id, s, "--group", "servicedesk"]);
        }
        id
    };
    let r1 = release("17.1");
    let r2 = release("17.2");
    let r3 = release("17.1.3");
    let r4 = release("17.3");
    sb.ok(&["status", &r1, "deployed"]);
    sb.ok(&["status", &r2, "deployed"]);
    sb.ok(&["status", &r3, "deployed"]);
    refused(
        &sb,
        &r4,
        &["status", &r4, "deployed"],
        &["REPO006", "17.1, 17.2, 17.3"],
    );
    sb.ok(&["status", &r1, "retired"]);
    // 17.1.3 still holds the 17.1 package in production.
    refused(&sb, &r4, &["status", &r4, "deployed"], &["REPO006"]);
    sb.ok(&["status", &r3, "retired"]);
    sb.ok(&["status", &r4, "deployed"]);
    assert_eq!(code(&sb.run(&["validate"])), 0);
}

/// 000 §3.6: deploying a release implements the changes it carries, in the
/// same commit, each checked like any move (here: its implementation report).
#[test]
fn deploying_a_release_implements_its_changes_or_is_refused_naming_them() {
    let sb = Sandbox::with_repo();
    let chg = inera_change(&sb, "normal");
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
    ]);
    sb.ok(&["status", &chg, "approved"]);
    sb.ok(&["status", &chg, "scheduled"]);
    let rel = new_id(
        &sb,
        &[
            "new",
            "release",
            "--title",
            "Hjälpmedelstjänsten 4.2",
            "version=4.2",
            "release_notes=Rättningar",
            "test.environment=Kopia av produktion",
            "test.copy_of_production=true",
        ],
    );
    sb.ok(&["link", &rel, &chg]);
    sb.ok(&["status", &rel, "approved"]);
    sb.ok(&["status", &rel, "testing"]);
    sb.ok(&[
        "--author", APPROVER, "approve", &rel, "--by", "inera", "--step", "test",
    ]);
    // The change has no implementation report yet: the deployment is refused,
    // naming the change and the rule, and nothing is written.
    let before = sb.record_bytes(&chg);
    let out = sb.run(&["status", &rel, "deployed"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains(&chg) && err.contains("CHG005"), "{err}");
    assert_eq!(sb.record_bytes(&chg), before);
    sb.ok(&[
        "set",
        &chg,
        "implementation_report.activities=Gränsen höjd",
        "implementation_report.time_spent=20 minuter",
        "implementation_report.result=Genomförd",
    ]);
    // The change goes in with its release, as one unit (CHG012): not on its
    // own while the release is in testing.
    let out = sb.run(&["status", &chg, "implemented"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("CHG012"), "{}", stderr(&out));
    let commits = sb.git().commit_count();
    sb.ok(&["status", &rel, "deployed"]);
    assert_eq!(sb.git().commit_count(), commits + 1, "one commit for both");
    let doc = sb.record(&chg);
    assert_eq!(field(&doc, "status").as_str(), Some("implemented"));
    let last = crate::support::history(&doc).pop().unwrap();
    assert_eq!(
        last["note"].as_str(),
        Some(format!("implemented with {rel}").as_str())
    );
    assert_eq!(code(&sb.run(&["validate"])), 0);
}
