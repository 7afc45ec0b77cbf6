//! The register of standard changes counts an entry only when the party the
//! pack names agreed it, before the change was filed: Kund, the orderer, in
//! Inera's (000 §3.4 *överenskommit med beställaren i förväg*); Staden in
//! Stockholm's (002 §4.2 task 4, Staden's G). The pinned clock files the
//! change at 2026-11-22 09:30.

use crate::support::*;

/// Writes a register of one entry, STD-01, agreed by `by` at `at`, and
/// commits it.
fn register(sb: &Sandbox, by: &str, at: &str) {
    std::fs::write(
        sb.root().join("policy/standard-changes.yaml"),
        format!(
            "changes:\n- id: STD-01\n  title: Certifikatbyte\n  agreed_by: {by}\n  agreed_at: '{at}'\n"
        ),
    )
    .unwrap();
    Git::open(sb.root()).commit_all("register: STD-01");
}

/// Files a standard change naming STD-01.
fn file(sb: &Sandbox) -> std::process::Output {
    sb.run(&[
        "new",
        "change",
        "--title",
        "Byt certifikat",
        "description=Certifikatet går ut.",
        "change_type=modification",
        "category=standard",
        "standard_ref=STD-01",
    ])
}

/// The help of a refusal, without its spaces (the terminal's wrapping
/// breaks lines at a dash).
fn help_of(out: &std::process::Output) -> String {
    let err = stderr(out);
    let help = err.split_once("help:").map(|(_, h)| h).unwrap_or_default();
    squeezed(help)
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn inera_counts_an_entry_the_orderer_agreed_before_the_change() {
    for at in ["2025-09-15", "2026-11-22", "2026-11-22 09:00"] {
        let sb = Sandbox::with_repo();
        register(&sb, "Kund (Region Östergötland, förvaltningsledare)", at);
        let out = file(&sb);
        assert_eq!(code(&out), 0, "agreed at {at}: {}", stderr(&out));
    }
}

#[test]
fn inera_refuses_an_entry_agreed_by_other_than_the_orderer() {
    for by in ["Inera (förvaltningsgruppen)", "Ändringsforum", "someone"] {
        let sb = Sandbox::with_repo();
        register(&sb, by, "2025-09-15");
        let out = file(&sb);
        assert_eq!(code(&out), 1, "agreed by {by}: {}", stderr(&out));
        let help = help_of(&out);
        assert!(help.contains("CHG003"), "{help}");
        assert!(
            help.contains(&squeezed(&format!(
                "the entry was agreed by {by}, and the register is agreed by Kund"
            ))),
            "{help}"
        );
    }
}

#[test]
fn inera_refuses_an_entry_agreed_after_the_change_was_filed() {
    for at in [
        "2026-11-23",
        "2026-11-22 10:00",
        "2026-11-22T09:31:00+01:00",
    ] {
        let sb = Sandbox::with_repo();
        register(&sb, "Kund", at);
        let out = file(&sb);
        assert_eq!(code(&out), 1, "agreed at {at}: {}", stderr(&out));
        let help = help_of(&out);
        assert!(
            help.contains(&squeezed(&format!(
                "the entry was agreed at {at}, not before the change was filed (2026-11-22T09:30:00+01:00)"
            ))),
            "{help}"
        );
    }
}

/// A change filed before the entry was agreed stays broken once the entry
/// is agreed: the register does not make it a standard change after the
/// fact, and `validate` says so.
#[test]
fn an_entry_agreed_later_does_not_make_an_earlier_change_standard() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the register is rewritten by hand to predate nothing");
    register(&sb, "Kund", "2025-09-15");
    let out = file(&sb);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::write(
        sb.root().join("policy/standard-changes.yaml"),
        "changes:\n- id: STD-01\n  title: Certifikatbyte\n  agreed_by: Kund\n  agreed_at: 2026-12-01\n",
    )
    .unwrap();
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["CHG003"]);
}

#[test]
fn stockholm_counts_only_entries_staden_agreed() {
    let sb = Sandbox::init_in(Layout::Plain, &["--policy", "stockholm"]);
    register(&sb, "Leverantören", "2025-12-01");
    let out = file(&sb);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let help = help_of(&out);
    assert!(help.contains("CHG014"), "{help}");
    assert!(
        help.contains(&squeezed(
            "agreed by Leverantören, and the register is agreed by Staden"
        )),
        "{help}"
    );

    let sb = Sandbox::init_in(Layout::Plain, &["--policy", "stockholm"]);
    register(&sb, "Staden (förvaltningsledare)", "2025-12-01");
    let out = file(&sb);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// 000 §3.4 Standard: *Ändringsarbetet kan starta så snart en
/// ändringsbegäran inkommit*. A standard change goes from submitted straight
/// to implemented; a normal or emergency change is refused that move until
/// it is decided (CHG011).
#[test]
fn a_standard_change_starts_as_soon_as_it_is_requested() {
    let sb = Sandbox::with_repo();
    register(&sb, "Kund", "2025-09-15");
    let report = [
        "implementation_report.activities=Certifikatet bytt",
        "implementation_report.time_spent=20 minuter",
        "implementation_report.result=Genomförd",
    ];
    let out = file(&sb);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let standard = stdout(&out).trim().to_owned();
    sb.ok(&["status", &standard, "submitted"]);
    let mut set = vec!["set", standard.as_str()];
    set.extend(report);
    sb.ok(&set);
    sb.ok(&["status", &standard, "implemented"]);
    assert_eq!(
        field(&sb.record(&standard), "status").as_str(),
        Some("implemented")
    );

    for category in ["normal", "emergency"] {
        let mut new = vec![
            "new",
            "change",
            "--title",
            "Byt certifikat",
            "description=Certifikatet går ut.",
            "change_type=fix",
            "fault_class=1",
        ];
        let category = format!("category={category}");
        new.push(&category);
        new.extend(report);
        let id = sb.ok(&new).trim().to_owned();
        sb.ok(&["status", &id, "submitted"]);
        let out = sb.run(&["status", &id, "implemented"]);
        assert_eq!(code(&out), 1, "{category}: {}", stderr(&out));
        assert!(stderr(&out).contains("CHG011"), "{}", stderr(&out));
    }
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
