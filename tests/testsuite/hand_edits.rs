//! Hand edits are never swept silently into a tool commit (issue 12): a
//! command that rewrites a record whose file holds uncommitted changes
//! commits them, records the fields in a history event of their own, and
//! names them on stderr.

use crate::support::{Layout, Sandbox, both_layouts, field, history, stderr};

both_layouts!(uncommitted_hand_edits_are_recorded_and_named);
fn uncommitted_hand_edits_are_recorded_and_named(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    // Classified, so it may be assigned (INC041).
    let id = sb.new_incident(
        "Journalen svarar inte",
        &[
            "reporter.party=kund",
            "tickets.kund=K-1",
            "impact=low",
            "urgency=low",
        ],
    );
    sb.edit_record(&id, "Journalen svarar inte", "Journalen svarar långsamt");
    sb.edit_record(&id, "tickets:\n  kund: K-1", "tickets:\n  kund: K-2");
    let out = sb.run(&["status", &id, "assigned", "--group", "servicedesk"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("had changes that were not committed, to"),
        "{err}"
    );
    assert!(
        err.contains("title") && err.contains("tickets.kund"),
        "{err}"
    );

    let doc = sb.record(&id);
    assert_eq!(
        field(&doc, "title").as_str(),
        Some("Journalen svarar långsamt")
    );
    let events = history(&doc);
    let n = events.len();
    let hand = &events[n - 2];
    let changed: Vec<&str> = hand["changes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["title", "tickets.kund"], "{hand:?}");
    assert_eq!(
        hand["changes"][0]["from"].as_str(),
        Some("Journalen svarar inte")
    );
    assert!(
        hand["note"]
            .as_str()
            .unwrap()
            .contains("not committed before")
    );
    assert_eq!(events[n - 1]["status"].as_str(), Some("assigned"));
    // Committed with the command: nothing left over, and validate agrees.
    assert!(sb.git_ok(&["status", "--porcelain"]).trim().is_empty());
    assert_eq!(crate::support::code(&sb.run(&["validate"])), 0);
}
