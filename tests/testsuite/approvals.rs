//! Who decided (issue 23): the people registry, approvals that name the
//! person, and segregation of duties. Every test runs the real binary in a
//! temporary repository.

use crate::support::{APPROVER, AUTHOR, Sandbox, code, stderr, stdout};

/// Inera's registry: Åsa sits in Ändringsforum, Anna (who files the
/// records, see `AUTHOR`) in it too, Leo works for a supplier.
const INERA_PEOPLE: &str = "\
people:
  - handle: asa.forum
    name: Åsa Forum
    emails: [asa.forum@example.se]
    keys:
      - ssh: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHC35ZYVViidYTHz1k3NNl8ZMT1QQUWITZz2TH2Crn3r asa@laptop\"
    parties: [andringsforum, inera]
  - handle: anna.berg
    name: Anna Berg
    emails: [anna@example.se]
    parties: [andringsforum]
  - handle: leo.lev
    name: Leo Lev
    emails: [leo@supplier.example]
    teams: [drift]
teams:
  - id: drift
    name: Driftteamet
    party: leverantor
";

fn write_people(sb: &Sandbox, text: &str) {
    std::fs::create_dir_all(sb.root().join("policy")).unwrap();
    std::fs::write(sb.root().join("policy/people.yaml"), text).unwrap();
    sb.git().commit_all("people");
}

/// A normal change filed and submitted by `AUTHOR`.
fn inera_change(sb: &Sandbox) -> String {
    inera_change_by(sb, AUTHOR)
}

/// `arende --author WHO approve ARGS`.
fn approve(sb: &Sandbox, who: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--author", who, "approve"];
    all.extend_from_slice(args);
    sb.run(&all)
}

/// Refused with exit 1, naming each of `words`; the record unchanged.
fn refused(sb: &Sandbox, id: &str, who: &str, args: &[&str], words: &[&str]) -> String {
    let before = sb.record_bytes(id);
    let out = approve(sb, who, args);
    let err = stderr(&out);
    assert_eq!(
        code(&out),
        1,
        "approve {args:?} as {who} must be refused:\n{err}"
    );
    for w in words {
        assert!(err.contains(w), "no `{w}` in:\n{err}");
    }
    assert_eq!(sb.record_bytes(id), before, "a refusal changed the record");
    err
}

#[test]
fn an_approval_names_the_person_who_gave_it() {
    let sb = Sandbox::with_repo();
    write_people(&sb, INERA_PEOPLE);
    let chg = inera_change(&sb);
    let out = approve(
        &sb,
        "Åsa Forum <ASA.forum@example.se>",
        &[&chg, "--by", "andringsforum"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let record = serde_yaml::Value::Mapping(sb.record(&chg));
    let approval = &record["approvals"][0];
    assert_eq!(approval["by"].as_str(), Some("andringsforum"));
    assert_eq!(approval["person"].as_str(), Some("asa.forum"));
    sb.ok(&["status", &chg, "approved"]);
    // `show` prints the approvals as a table of their own.
    let table = sb.ok(&["show", &chg, "--format", "table"]);
    let header = table
        .lines()
        .find(|l| l.contains("| step"))
        .unwrap_or_else(|| panic!("no approvals table in\n{table}"));
    for column in [
        "step", "party", "person", "decision", "when", "verified", "stale", "note",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let row = table
        .lines()
        .find(|l| l.contains("| change_forum"))
        .unwrap_or_else(|| panic!("no approval row in\n{table}"));
    assert!(
        row.contains("asa.forum") && row.contains("andringsforum"),
        "{row}"
    );
    // Verified against the commit `approve` made: its author is Åsa.
    assert!(row.contains('✓'), "{row}");
    assert!(!table.contains("approvals[0]"), "{table}");
}

#[test]
fn a_person_outside_the_party_is_refused_and_told_who_may() {
    let sb = Sandbox::with_repo();
    write_people(&sb, INERA_PEOPLE);
    let chg = inera_change(&sb);
    let err = refused(
        &sb,
        &chg,
        "Leo Lev <leo@supplier.example>",
        &[&chg, "--by", "andringsforum"],
        &[
            "leo.lev",
            "does not act for andringsforum",
            "asa.forum (Åsa Forum)",
            "policy/people.yaml",
        ],
    );
    assert!(err.contains("anna.berg (Anna Berg)"), "{err}");
    // Somebody the registry does not know at all.
    refused(
        &sb,
        &chg,
        "Nils Okänd <nils@example.se>",
        &[&chg, "--by", "andringsforum"],
        &["nils@example.se", "nobody in policy/people.yaml"],
    );
}

#[test]
fn the_requester_may_not_approve_their_own_change() {
    let sb = Sandbox::with_repo();
    write_people(&sb, INERA_PEOPLE);
    let chg = inera_change(&sb);
    // Anna filed it; she sits in Ändringsforum, but not over her own request.
    let err = refused(
        &sb,
        &chg,
        AUTHOR,
        &[&chg, "--by", "andringsforum"],
        &["anna.berg filed", &chg, "change_forum", "000 §3.4"],
    );
    assert!(err.contains("another person"), "{err}");
    // She may still reject it: stopping a change is no approval of one's own.
    let out = approve(
        &sb,
        AUTHOR,
        &[&chg, "--by", "andringsforum", "--decision", "rejected"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The one who last changed a covered field may not approve either.
    let other = inera_change_by(&sb, "Åsa Forum <asa.forum@example.se>");
    sb.ok(&["set", &other, "risk.level=low"]);
    refused(
        &sb,
        &other,
        AUTHOR,
        &[&other, "--by", "andringsforum"],
        &["anna.berg last changed risk.level of", &other],
    );
}

/// A change filed by `who`.
fn inera_change_by(sb: &Sandbox, who: &str) -> String {
    let id = sb
        .ok(&[
            "--author",
            who,
            "new",
            "change",
            "--title",
            "Byt certifikat",
            "change_type=modification",
            "category=normal",
            "risk.level=high",
            "service_window.start=2026-11-07T22:00:00+01:00",
            "service_window.end=2026-11-07T23:00:00+01:00",
        ])
        .trim()
        .to_owned();
    sb.ok(&["--author", who, "status", &id, "submitted"]);
    id
}

#[test]
fn without_a_registry_the_author_is_the_person() {
    let sb = Sandbox::with_repo();
    let chg = inera_change(&sb);
    refused(
        &sb,
        &chg,
        AUTHOR,
        &[&chg, "--by", "andringsforum"],
        &["anna@example.se filed"],
    );
    let out = approve(&sb, APPROVER, &[&chg, "--by", "andringsforum"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let record = serde_yaml::Value::Mapping(sb.record(&chg));
    assert!(record["approvals"][0].get("person").is_none(), "{record:?}");
}

#[test]
fn a_verifying_repository_needs_the_registry() {
    let sb = Sandbox::with_repo();
    let config = std::fs::read_to_string(sb.root().join("arende.yaml")).unwrap();
    std::fs::write(
        sb.root().join("arende.yaml"),
        format!("{config}approvals:\n  verify: true\n"),
    )
    .unwrap();
    sb.git().commit_all("verify approvals");
    let chg = inera_change(&sb);
    refused(
        &sb,
        &chg,
        APPROVER,
        &[&chg, "--by", "andringsforum"],
        &["verifies approvals", "no people registry", "docs/guide.md"],
    );
}

#[test]
fn a_g_approval_is_the_other_partys() {
    let sb = Sandbox::init_in(crate::support::Layout::Plain, &["--policy", "stockholm"]);
    write_people(
        &sb,
        "people:
  - handle: kim.stad
    name: Kim Stad
    emails: [kim@stad.example]
    parties: [staden]
  - handle: bo.bada
    name: Bo Båda
    emails: [bo@konsult.example]
    parties: [staden, leverantor]
teams:
  - id: servicedesk
    name: Service desk
    party: servicedesk
",
    );
    let inc = sb
        .ok(&[
            "new",
            "incident",
            "--title",
            "Skrivare",
            "impact=low",
            "urgency=low",
            "reporter.party=staden",
        ])
        .trim()
        .to_owned();
    for s in ["assigned", "in_progress", "resolved"] {
        sb.ok(&["status", &inc, s, "--group", "servicedesk"]);
    }
    // Bo acts for Staden, but for Leverantören too, who did the work.
    refused(
        &sb,
        &inc,
        "Bo Båda <bo@konsult.example>",
        &[&inc, "--by", "staden", "--step", "closing"],
        &["bo.bada acts for leverantor", "other party", "002 §2.2"],
    );
    let out = approve(
        &sb,
        "Kim Stad <kim@stad.example>",
        &[&inc, "--by", "staden", "--step", "closing"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn validate_judges_the_people_an_approval_names() {
    let sb = Sandbox::with_repo();
    write_people(&sb, INERA_PEOPLE);
    let chg = inera_change(&sb);
    let out = approve(
        &sb,
        "Åsa Forum <asa.forum@example.se>",
        &[&chg, "--by", "andringsforum"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    sb.ok(&["validate"]);
    // A hand edit puts the approval on Leo, who does not sit in the forum.
    let path = sb.record_path(&chg);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("person: asa.forum", "person: leo.lev")).unwrap();
    sb.git().commit_all("hand edit");
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let apr: Vec<_> = findings.iter().filter(|f| f["rule"] == "APR001").collect();
    assert_eq!(apr.len(), 1, "{findings:?}");
    assert_eq!(apr[0]["field"], "approvals[0].person");
    assert!(
        apr[0]["message"].as_str().unwrap().contains("leo.lev"),
        "{apr:?}"
    );
    assert!(
        apr[0]["line"].as_u64().is_some(),
        "placed in the file: {apr:?}"
    );
    // Anna filed the change: naming her is a self-approval.
    std::fs::write(
        &path,
        text.replace("person: asa.forum", "person: anna.berg"),
    )
    .unwrap();
    sb.git().commit_all("hand edit");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("anna.berg filed"), "{}", stderr(&out));
}

#[test]
fn the_registry_is_listed_and_its_faults_are_found() {
    let sb = Sandbox::with_repo();
    write_people(&sb, INERA_PEOPLE);
    let listed: serde_json::Value =
        serde_json::from_str(&sb.ok(&["people", "--format", "json"])).unwrap();
    assert_eq!(listed["people"].as_array().unwrap().len(), 3);
    assert_eq!(
        listed["people"][2]["acts_for"],
        serde_json::json!(["leverantor"])
    );
    assert_eq!(listed["teams"][0]["id"], "drift");
    let table = sb.ok(&["people"]);
    assert!(
        table.contains("asa.forum") && table.contains("ssh-ed25519"),
        "{table}"
    );

    let broken = INERA_PEOPLE
        .replace("parties: [andringsforum]\n", "parties: [andringsfourm]\n")
        .replace(
            "emails: [leo@supplier.example]",
            "emails: [leo@supplier.example, anna@example.se]",
        )
        .replace("AAAAC3NzaC1lZDI1NTE5", "AAAAC3NzaC1lZDI1NTE4")
        .replace("teams: [drift]", "teams: [drift, natt]");
    write_people(&sb, &broken);
    let out = sb.run(&["people"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    for w in [
        "`andringsfourm` is not a party of the inera policy",
        "`anna@example.se` is claimed by anna.berg and by leo.lev",
        "the ssh-ed25519 key's base64 part is damaged",
        "team `natt` is not declared",
        "policy/people.yaml",
    ] {
        assert!(err.contains(w), "no `{w}` in:\n{err}");
    }
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let peo: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PEO001")
        .collect();
    assert_eq!(peo.len(), 4, "{peo:?}");
    let key = peo
        .iter()
        .find(|f| f["field"] == "people[0].keys[0]")
        .unwrap();
    assert_eq!(key["line"], 6, "{key:?}");
    assert_eq!(key["path"], "policy/people.yaml");
    // A registry that is not one at all is an error naming the file, and
    // `approve` will not go on with it.
    write_people(&sb, "people: {handle: x}\n");
    let chg = inera_change(&sb);
    let out = approve(&sb, APPROVER, &[&chg, "--by", "andringsforum"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("policy/people.yaml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_schema_of_the_registry_is_printed_and_associated() {
    let sb = Sandbox::with_repo();
    let schema: serde_json::Value = serde_json::from_str(&sb.ok(&["schema", "people"])).unwrap();
    assert_eq!(
        schema["$id"],
        "https://arende.dev/schemas/people.schema.json"
    );
    assert!(schema["properties"]["people"].is_object(), "{schema}");
    let settings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sb.root().join(".vscode/settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        settings["yaml.schemas"]["./.arende/schemas/people.schema.json"],
        serde_json::json!(["policy/people.yaml"])
    );
    assert!(
        sb.root()
            .join(".arende/schemas/people.schema.json")
            .is_file()
    );
}
