//! Registration is never refused for the reporter's fault (issue 24): a
//! priority-1 incident reported by e-mail is registered with a warning
//! (001: *Allvarlig incident (prio 1) ska anmälas via telefon*), and the
//! quarterly report counts it; an incident without a priority is
//! registered with a warning, and the desk classifies it before it is
//! assigned (002 §2.2 task 5, 001 *följa Ineras modell för prioritering*,
//! 003 Supportprocessen §1).

use crate::support::{Layout, Sandbox, code, stderr, stdout};

const P1_BY_EMAIL: &[&str] = &[
    "impact=high",
    "urgency=high",
    "reported_via=email",
    "reporter.party=kund",
    "tickets.kund=4711",
];

#[test]
fn a_priority_1_incident_reported_by_email_is_registered_with_a_warning() {
    let sb = Sandbox::with_repo();
    let out = sb.run(
        &["new", "incident", "--title", "Journal nere"]
            .iter()
            .chain(P1_BY_EMAIL)
            .copied()
            .collect::<Vec<_>>(),
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "registered: {err}");
    let id = stdout(&out).trim().to_owned();
    assert!(sb.record_path(&id).exists());
    assert!(err.contains("warning INC002"), "{err}");
    let out = sb.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "a warning, not an error: {err}");
    assert!(err.contains("INC002"), "{err}");
    assert!(err.contains("ska anmälas via telefon"), "cites 001: {err}");
    assert!(err.contains("0 errors, 1 warning"), "{err}");
    assert_eq!(code(&sb.run(&["validate", "--strict"])), 1);

    // Reported by phone: no warning.
    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Journal nere igen",
        "impact=high",
        "urgency=high",
        "reported_via=phone",
        "reporter.party=kund",
        "tickets.kund=4712",
    ]);
    assert_eq!(code(&out), 0);
    assert!(!stderr(&out).contains("INC002"), "{}", stderr(&out));
}

#[test]
fn the_report_counts_priority_1_incidents_not_reported_by_phone() {
    let sb = Sandbox::with_repo();
    let email = sb.new_incident("Journal nere", P1_BY_EMAIL);
    let phone = sb.new_incident(
        "Journal nere igen",
        &[
            "impact=high",
            "urgency=high",
            "reported_via=phone",
            "reporter.party=kund",
            "tickets.kund=4712",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_str(&sb.ok(&["report", "--quarter", "2026Q4", "--format", "json"]))
            .unwrap();
    let counted = &json["counted"];
    assert_eq!(counted[0]["rule"], "INC002", "{counted}");
    assert_eq!(counted[0]["label"], "priority 1 not reported by phone");
    assert_eq!(counted[0]["count"], 1, "{counted}");
    assert_eq!(counted[0]["tickets"], serde_json::json!([email]));
    for format in ["table", "markdown", "html"] {
        let text = sb.ok(&["report", "--quarter", "2026Q4", "--format", format]);
        // The pack's label in the report's language (JSON keeps the pack's).
        assert!(
            text.contains("allvarlig incident (prio 1) inte anmäld via telefon"),
            "{format}: {text}"
        );
        assert!(!text.contains("not reported by phone"), "{format}: {text}");
        // The line (or table row) of the count names the e-mail one only
        // (both are major incidents, listed in their own section).
        let line = text
            .lines()
            .find(|l| l.contains("INC002"))
            .unwrap_or_else(|| panic!("{format}: {text}"));
        assert!(line.contains(&email), "{format}: {line}");
        assert!(!line.contains(&phone), "{format}: {line}");
    }
}

#[test]
fn an_incident_without_a_priority_is_registered_and_classified_before_it_is_assigned() {
    let sb = Sandbox::with_repo();
    let out = sb.run(&["new", "incident", "--title", "Något är fel"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "registered: {err}");
    let id = stdout(&out).trim().to_owned();
    assert!(err.contains("warning INC040"), "{err}");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("INC040"), "{}", stderr(&out));

    // The desk takes it on: not without a priority.
    let out = sb.run(&["status", &id, "assigned"]);
    let err = stderr(&out);
    assert_ne!(code(&out), 0, "refused: {err}");
    assert!(err.contains("INC041"), "{err}");
    assert!(err.contains("modell för prioritering"), "cites 001: {err}");

    // Classified, it can be.
    sb.ok(&["set", &id, "impact=medium", "urgency=medium"]);
    let out = sb.run(&["status", &id, "assigned"]);
    assert!(!stderr(&out).contains("INC041"), "{}", stderr(&out));
}

#[test]
fn every_pack_registers_an_incident_without_a_priority_and_cites_its_own_model() {
    for (pack, clause) in [
        ("ehm", "Servicedesk kategoriserar, prioriterar"),
        ("stockholm", "Prioritera och klassificera incidenter"),
    ] {
        let sb = Sandbox::init_in(Layout::Plain, &["--policy", pack]);
        let out = sb.run(&["new", "incident", "--title", "Något är fel"]);
        assert_eq!(code(&out), 0, "{pack}: {}", stderr(&out));
        let id = stdout(&out).trim().to_owned();
        assert!(stderr(&out).contains("warning INC040"), "{pack}");
        let out = sb.run(&["validate"]);
        assert_eq!(code(&out), 0, "{pack}");
        assert!(stderr(&out).contains(clause), "{pack}: {}", stderr(&out));
        let out = sb.run(&["status", &id, "assigned"]);
        assert_ne!(code(&out), 0, "{pack}");
        assert!(stderr(&out).contains("INC041"), "{pack}: {}", stderr(&out));
        // No phone duty in this agreement: the report counts none.
        let report = sb.ok(&["report", "--quarter", "2026Q4", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(report["counted"], serde_json::json!([]), "{pack}");
        let table = sb.ok(&["report", "--quarter", "2026Q4"]);
        assert!(!table.contains("not reported by phone"), "{pack}");
    }
}
