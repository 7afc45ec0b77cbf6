//! Small wording and output mends: the article before a kind, and an empty
//! GitHub report that prints nothing.

use crate::support::*;

#[test]
fn a_bad_status_takes_the_right_article() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let out = sb.run(&["status", &inc, "bogus"]);
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(redact(&said(&out), &[(&inc, "[INC]")]), @r"
        --- stdout
        --- stderr
        arende::usage

          × `bogus` is not an incident status
          help: incident statuses are: new (Ny), assigned (Tilldelad), in_progress (Pågår), awaiting_customer (Väntar på kund), resolved (Löst), closed (Stängd)
    ");
    let chg = sb
        .ok(&["new", "change", "--title", "Patch"])
        .trim()
        .to_owned();
    let out = sb.run(&["status", &chg, "bogus"]);
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(redact(&said(&out), &[(&chg, "[CHG]")]), @r"
        --- stdout
        --- stderr
        arende::usage

          × `bogus` is not a change status
          help: change statuses are: draft (Utkast), submitted (Inskickad), approved (Godkänd), scheduled (Schemalagd), implemented (Genomförd), reviewed (Utvärderad), closed (Stängd), rejected (Avslagen)
    ");
}

#[test]
fn a_step_that_is_not_there_takes_the_right_article() {
    let sb = Sandbox::with_repo();
    let chg = sb
        .ok(&["new", "change", "--title", "Patch"])
        .trim()
        .to_owned();
    let out = sb.run(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
        "--step",
        "nope",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    insta::assert_snapshot!(redact(&said(&out), &[(&chg, "[CHG]")]), @r"
        --- stdout
        --- stderr
        arende::usage

          × `nope` is not an approval step of a change in the inera policy
          help: the steps: change_forum (by andringsforum: Ändringsforum godkänner ändringen); fast_track (by andringsforum: Ändringsforum beslutar om en akut ändring i snabbspår)
    ");
}

#[test]
fn github_format_prints_nothing_when_there_is_nothing_to_report() {
    let sb = Sandbox::with_repo();
    sb.journal_incident();
    let out = sb.run(&["validate", "--format", "github"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn github_format_ends_at_its_last_annotation() {
    let sb = Sandbox::with_repo();
    sb.new_incident("Utan nummer", &["reporter.party=kund"]);
    let out = sb.run(&["validate", "--format", "github"]);
    let text = stdout(&out);
    assert!(text.starts_with("::warning "), "{text}");
    assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{text:?}");
}
