//! `arende classify --check` with no IDs reads the whole repository.

use crate::support::*;

#[test]
fn check_alone_reads_the_whole_repository() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes(
        "the contradicting priority is a hand edit, never committed: `classify --check` only reads",
    );
    let a = sb.journal_incident();
    let b = sb.new_incident("Skrivare", &["impact=low", "urgency=low"]);
    let names = [(a.as_str(), "[A]"), (b.as_str(), "[B]")];
    let out = sb.run(&["classify", "--check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("check_agrees", redact(&said(&out), &names));

    // A hand edit that contradicts impact × urgency, on one of the two.
    let path = sb.record_path(&b);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("priority: 4"), "{text}");
    std::fs::write(&path, text.replace("priority: 4", "priority: 1")).unwrap();
    let head = sb.git().head();
    let out = sb.run(&["classify", "--check"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // B alone, with the priority the matrix gives; A agrees.
    insta::assert_snapshot!("check_lists_the_disagreement", redact(&said(&out), &names));
    assert_eq!(sb.git().head(), head, "a check commits nothing");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("priority: 1")
    );
}

#[test]
fn classify_with_nothing_named_and_no_check_is_refused_with_the_ways_out() {
    let sb = Sandbox::with_repo();
    let out = sb.run(&["classify"]);
    assert_eq!(code(&out), 2);
    // Both ways out: `--all`, `--check`.
    insta::assert_snapshot!("classify_alone_is_refused", said(&out));
}
