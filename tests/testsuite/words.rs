//! One rule for values (issue 24): every enumerated value — a status, a
//! party, a channel, a change type, a level — is taken by its ID, the pack's
//! Swedish label or an English alias, in any case, with or without accents,
//! in record fields and in options alike; the ID is what is stored.

use crate::support::{APPROVER, Sandbox, code, field, stderr};

fn text(sb: &Sandbox, id: &str, key: &str) -> String {
    let doc = sb.record(id);
    let mut v = &serde_yaml::Value::Mapping(doc);
    for part in key.split('.') {
        v = &v[part];
    }
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{v:?}"))
}

#[test]
fn fields_take_labels_and_aliases_and_store_the_id() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident(
        "Journal nere",
        &[
            "impact=Hög",
            "urgency=MEDEL",
            "reporter.party=Kund",
            "reported_via=telefon",
            "tickets.kund=4711",
        ],
    );
    assert_eq!(text(&sb, &id, "impact"), "high");
    assert_eq!(text(&sb, &id, "urgency"), "medium");
    assert_eq!(text(&sb, &id, "reporter.party"), "kund");
    assert_eq!(text(&sb, &id, "reported_via"), "phone");
    sb.ok(&["set", &id, "reported_via=E-post"]);
    assert_eq!(text(&sb, &id, "reported_via"), "email");
    let chg = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Byte",
            "change_type=förändring",
            "category=Normal",
        ])
        .trim()
        .to_owned();
    assert_eq!(text(&sb, &chg, "change_type"), "modification");
    sb.ok(&["set", &chg, "change_type=Tillägg"]);
    assert_eq!(text(&sb, &chg, "change_type"), "addition");
    // A word no value has is exit 2, with the values and their labels.
    let out = sb.run(&["set", &id, "reported_via=brevduva"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("phone (Telefon)"), "{}", stderr(&out));
    let out = sb.run(&["set", &id, "reporter.party=kunden"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean `kund`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn status_and_approve_take_labels_and_aliases() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident(
        "Journal nere",
        &[
            "impact=high",
            "urgency=medium",
            "reporter.party=kund",
            "tickets.kund=4711",
            "reported_via=phone",
            "assignment.group=servicedesk",
        ],
    );
    sb.ok(&["status", &id, "Assigned"]);
    let out = sb.ok(&["status", &id, "pågår"]);
    let _ = out;
    assert_eq!(text(&sb, &id, "status"), "in_progress");
    sb.ok(&["status", &id, "Väntar på kund"]);
    assert_eq!(text(&sb, &id, "status"), "awaiting_customer");
    sb.ok(&["status", &id, "in progress"]);
    let out = sb.run(&["status", &id, "klar"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("resolved (Löst)"), "{}", stderr(&out));
    // The change forum by the label `policy show` prints.
    let chg = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Byte",
            "change_type=modification",
            "category=normal",
        ])
        .trim()
        .to_owned();
    sb.ok(&["status", &chg, "Inskickad"]);
    let out = sb.run(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "Ändringsforum",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = sb.record(&chg);
    assert_eq!(
        field(&doc, "approvals")[0]["by"].as_str(),
        Some("andringsforum")
    );
}

#[test]
fn list_filters_take_the_same_words() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let ids = |args: &[&str]| sb.listed(args);
    assert_eq!(ids(&["--status", "Ny"]), [id.as_str()]);
    assert_eq!(ids(&["--where", "reporter.party=KUND"]), [id.as_str()]);
    assert_eq!(ids(&["--where", "reported_via=telefon"]), [id.as_str()]);
    assert_eq!(ids(&["--where", "impact=hög"]), [id.as_str()]);
    assert!(ids(&["--status", "pågår"]).is_empty());
}

#[test]
fn policy_show_and_the_template_list_the_same_words() {
    let sb = Sandbox::with_repo();
    let out = sb.ok(&["policy", "show"]);
    for w in ["Telefon", "Väntar på kund", "Förändring", "change forum"] {
        assert!(out.contains(w), "policy show lacks `{w}`");
    }
    // The editor template names them too: tty.rs
    // (the_editor_template_is_filed_without_its_comments_or_empty_fields).
}

#[test]
fn import_takes_the_same_words() {
    let sb = Sandbox::with_repo();
    let csv = "kind,source.system,source.id,title,opened_at,impact,urgency,reporter.party,reported_via,tickets.kund\n\
               incident,tool,T-1,Allt nere,2026-11-01 10:00,Medel,låg,Kund,Telefon,K-1\n";
    let out = sb
        .cmd()
        .args(["import", "-", "--input", "csv"])
        .write_stdin(csv)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let listed: serde_json::Value =
        serde_json::from_str(&sb.ok(&["list", "incident", "--format", "json"])).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(text(&sb, &id, "reporter.party"), "kund");
    assert_eq!(text(&sb, &id, "reported_via"), "phone");
    assert_eq!(text(&sb, &id, "impact"), "medium");
    assert_eq!(text(&sb, &id, "urgency"), "low");
}
