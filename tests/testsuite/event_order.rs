//! A change whose history event would come before the record's last one
//! (a `--now` earlier than what already happened) is refused, exit 2,
//! naming that event, and nothing is written: `validate` would reject the
//! record for it (REC004) ever after.

use crate::support::*;

/// An incident assigned at 2026-11-22 11:00.
fn assigned(sb: &Sandbox) -> String {
    let id = sb.journal_incident();
    sb.ok(&[
        "status",
        &id,
        "assigned",
        "--group",
        "servicedesk",
        "--now",
        "2026-11-22T11:00:00+01:00",
    ]);
    id
}

#[test]
fn a_time_before_the_last_event_is_refused_naming_it() {
    let sb = Sandbox::with_repo();
    let id = assigned(&sb);
    let before = sb.record_bytes(&id);
    let commits = sb.git().commit_count();
    for args in [
        vec![
            "status",
            &id,
            "in_progress",
            "--now",
            "2026-11-22T10:00:00+01:00",
        ],
        vec!["set", &id, "urgency=high", "--now", "2026-11-22 10:59"],
        vec!["status", &id, "in_progress", "--now", "22/11/2026"],
    ] {
        let out = sb.run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&id)
                && err.contains("2026-11-22T11:00:00+01:00")
                && err.contains("assigned")
                && err.contains(AUTHOR),
            "{args:?}: {err}"
        );
        assert!(err.contains("help:") && err.contains("--now"), "{err}");
    }
    assert_eq!(sb.record_bytes(&id), before, "the record was not written");
    assert_eq!(sb.git().commit_count(), commits, "nothing was committed");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn the_same_time_or_a_later_one_is_taken() {
    let sb = Sandbox::with_repo();
    let id = assigned(&sb);
    sb.ok(&[
        "set",
        &id,
        "urgency=high",
        "--now",
        "2026-11-22T11:00:00+01:00",
    ]);
    sb.ok(&["status", &id, "in_progress", "--now", "2026-11-22 11:05"]);
    let events = history(&sb.record(&id));
    assert_eq!(events.len(), 4, "{events:?}");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
