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
    insta::assert_snapshot!(redact(&said(&out), &names), @r"
        --- stdout
        --- stderr
        every stored value agrees with the policy
    ");

    // A hand edit that contradicts impact × urgency, on one of the two.
    let path = sb.record_path(&b);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("priority: 4"), "{text}");
    std::fs::write(&path, text.replace("priority: 4", "priority: 1")).unwrap();
    let head = sb.git().head();
    let out = sb.run(&["classify", "--check"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // B alone, with the priority the matrix gives; A agrees.
    insta::assert_snapshot!(redact(&said(&out), &names), @r"
        --- stdout
        incidents/2026/11/[B].yaml: priority: 1 → 4 (impact low × urgency low gives priority 4 (001 Prioriteringsnivåer (matrix chosen: ITIL 3×3 on four levels)))
        --- stderr
        1 stored value disagrees with the policy
    ");
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
    insta::assert_snapshot!(said(&out), @r"
        --- stdout
        --- stderr
        arende::usage

          × name the records to classify, or pass --all
          help: `arende classify --all` rewrites every record that disagrees; `arende classify --check` only lists them
    ");
}
