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
    let out = sb.run(&["classify", "--check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("every stored value agrees"));

    // A hand edit that contradicts impact × urgency, on one of the two.
    let path = sb.record_path(&b);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("priority: 4"), "{text}");
    std::fs::write(&path, text.replace("priority: 4", "priority: 1")).unwrap();
    let head = sb.git().head();
    let out = sb.run(&["classify", "--check"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let listed = stdout(&out);
    assert!(listed.contains(&b), "{listed}");
    assert!(listed.contains("priority: 1 → 4"), "{listed}");
    assert!(!listed.contains(&a), "{listed}");
    assert!(
        stderr(&out).contains("1 stored value disagrees"),
        "{}",
        stderr(&out)
    );
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
    assert!(stderr(&out).contains("--all"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--check"), "{}", stderr(&out));
}
