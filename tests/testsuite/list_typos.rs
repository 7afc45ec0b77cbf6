//! No silence on typos (issue 24): what `list` is asked for is checked
//! against the kinds' statuses, fields and values, and a word no record can
//! have is exit 2 with a suggestion, never an empty table.

use crate::support::{Sandbox, code, stderr, stdout};

fn refused(sb: &Sandbox, args: &[&str], words: &[&str]) {
    let out = sb.run(args);
    let err = stderr(&out);
    assert_eq!(
        code(&out),
        2,
        "list {args:?} must be refused:\n{err}{}",
        stdout(&out)
    );
    assert!(stdout(&out).is_empty(), "nothing listed: {}", stdout(&out));
    for w in words {
        assert!(err.contains(w), "list {args:?}: no `{w}` in:\n{err}");
    }
}

#[test]
fn a_word_no_record_can_have_is_refused_with_the_nearest() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    refused(
        &sb,
        &["list", "incident", "--status", "open"],
        &["`open` is not a status of incident", "in_progress"],
    );
    refused(&sb, &["list", "--status", "opn"], &["did you mean `open`?"]);
    refused(
        &sb,
        &["list", "--where", "party=kund"],
        &["no kind of record has a field `party`", "reporter.party"],
    );
    refused(
        &sb,
        &["list", "--where", "impact=enorm"],
        &["`enorm` is not a value of `impact`", "high, medium, low"],
    );
    refused(
        &sb,
        &["list", "--priority", "7"],
        &[
            "priority 7 is not one of the inera policy's",
            "use one of: 1, 2, 3, 4",
        ],
    );
    refused(
        &sb,
        &["list", "incident", "--sort", "prio"],
        &["incident has no field `prio`", "did you mean `priority`?"],
    );
    refused(
        &sb,
        &["list", "--sort", "-opend_at"],
        &["did you mean `opened_at`?"],
    );
    // The same words in another case are the records' own.
    let listed = sb.ok(&[
        "list",
        "--status",
        "New",
        "--where",
        "impact=High",
        "--format",
        "json",
    ]);
    assert!(listed.contains(&inc), "{listed}");
    let listed = sb.ok(&["list", "--sort", "-priority", "--format", "json"]);
    assert!(listed.contains(&inc), "{listed}");
}

#[test]
fn an_empty_value_lists_the_records_without_the_field() {
    let sb = Sandbox::with_repo();
    let with = sb.journal_incident();
    let without = sb.new_incident(
        "Utan ärendenummer",
        &["impact=low", "urgency=low", "reporter.party=kund"],
    );
    let listed = sb.ok(&["list", "--where", "tickets.kund=", "--format", "json"]);
    assert!(listed.contains(&without), "{listed}");
    assert!(!listed.contains(&with), "{listed}");
}
