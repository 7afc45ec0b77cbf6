//! Personal identity numbers (SEC001) end to end: every form people write,
//! in every field, through every command that writes a record, and in the
//! checks that read them back (`validate`, `review`). No input may panic,
//! and no report may repeat the number.

use crate::support::*;
use serde_json::Value as Json;

/// A valid personnummer (check digit 6) and its last four digits, which no
/// output may show.
const NUMBER: &str = "811218-9876";
const LAST: &str = "9876";

/// `validate --format json`: the exit code and the findings.
fn validate(sb: &Sandbox) -> (i32, Vec<Json>) {
    let out = sb.run(&["validate", "--format", "json"]);
    let text = stdout(&out);
    assert!(!text.contains(LAST), "validate repeats the number:\n{text}");
    let json: Json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}{}", stderr(&out)));
    let findings = json["findings"]
        .as_array()
        .expect("findings is a list")
        .clone();
    (code(&out), findings)
}

/// The SEC001 findings of a validation, as (field, line).
fn sec001(findings: &[Json]) -> Vec<(String, u64)> {
    findings
        .iter()
        .filter(|f| f["rule"] == "SEC001")
        .map(|f| {
            (
                f["field"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// Asserts a command was refused for SEC001 (exit `exit`), naming `field`,
/// without repeating the number, and that nothing was committed.
fn assert_refused(sb: &Sandbox, args: &[&str], exit: i32, field: &str) {
    let commits = sb.git().commit_count();
    let out = sb.run(args);
    let err = stderr(&out);
    assert_eq!(code(&out), exit, "arende {args:?}:\n{err}");
    assert!(err.contains("SEC001"), "arende {args:?}:\n{err}");
    assert!(
        err.contains(&format!("`{field}`")),
        "arende {args:?}:\n{err}"
    );
    assert!(!err.contains(LAST), "the number is repeated:\n{err}");
    assert_eq!(sb.git().commit_count(), commits, "nothing is committed");
}

/// The 1-based line of the first line of a record file containing `needle`.
fn line_of(sb: &Sandbox, id: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(sb.record_path(id)).unwrap();
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no `{needle}` in\n{text}"));
    index as u64 + 1
}

#[test]
fn fullwidth_digits_are_refused_not_a_panic_and_forced_ones_are_reported() {
    let sb = Sandbox::with_repo();
    sb.branch("feature");
    let title = "pnr ８１１２１８-９８７６";
    let args = [
        "new",
        "incident",
        "--title",
        title,
        "impact=low",
        "urgency=low",
    ];
    assert_refused(&sb, &args, 1, "title");

    let mut forced = args.to_vec();
    forced.push("--force");
    let id = sb.ok(&forced).trim().to_owned();
    assert!(is_incident_id(&id), "{id}");

    let (exit, findings) = validate(&sb);
    assert_eq!(exit, 1, "{findings:#?}");
    assert_eq!(sec001(&findings), [("title".to_owned(), 3)]);
    let message = findings
        .iter()
        .find(|f| f["rule"] == "SEC001")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default();
    assert!(message.contains("811218-****"), "{message}");

    // A committed record with the number fails review, without a crash.
    let out = sb.run(&["review", "main..feature", "--format", "json"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}{}", stderr(&out));
    assert!(text.contains("SEC001"), "{text}");
    assert!(!text.contains(LAST), "review repeats the number:\n{text}");
}

#[test]
fn every_separator_people_type_is_refused_by_new() {
    let sb = Sandbox::with_repo();
    for written in [
        "811218 9876",
        "811218\u{a0}9876",
        "811218\u{202f}9876",
        "811218\u{2013}9876",
        "811218\u{2014}9876",
        "811218\u{2011}9876",
        "811218+9876",
        "19811218 9876",
        "19811218\u{a0}9876",
        "19811218\u{2013}9876",
        "198112189876",
        "INC-19811218-9876",
    ] {
        let description = format!("description=Gäller {written}, ring tillbaka");
        assert_refused(
            &sb,
            &[
                "new",
                "incident",
                "--title",
                "Patient",
                &description,
                "impact=low",
                "urgency=low",
            ],
            1,
            "description",
        );
    }
    // A record ID of this tool's own shape is not a number, though its date
    // and first four characters pass the check digit.
    sb.new_incident(
        "Följer upp INC-20160229-4710AB",
        &["impact=low", "urgency=low"],
    );
}

#[test]
fn set_and_status_notes_are_refused() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let description = format!("description=pnr {NUMBER}");
    assert_refused(&sb, &["set", &id, &description], 1, "description");
    assert_refused(
        &sb,
        &["set", &id, "tickets.kund=198112189876"],
        1,
        "tickets.kund",
    );
    assert_refused(
        &sb,
        &[
            "set",
            &id,
            "impact=low",
            "--note",
            "ringde 811218\u{a0}9876",
        ],
        1,
        "history[1].note",
    );
    assert_refused(
        &sb,
        &[
            "status",
            &id,
            "assigned",
            "--note",
            "ringde 811218–9876",
            "--group",
            "servicedesk",
        ],
        1,
        "history[1].note",
    );
}

#[test]
fn a_yaml_integer_is_a_number() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the number is a hand edit for validate to find, never committed");
    let id = sb.journal_incident();
    sb.edit_record(&id, "  kund: '4711'\n", "  kund: 198112189876\n");
    let (exit, findings) = validate(&sb);
    assert_eq!(exit, 1);
    let line = line_of(&sb, &id, "kund: 1981");
    assert_eq!(sec001(&findings), [("tickets.kund".to_owned(), line)]);
}

#[test]
fn a_mapping_key_is_searched() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the number is a hand edit for validate to find, never committed");
    let id = sb.journal_incident();
    sb.edit_record(
        &id,
        "  kund: '4711'\n",
        "  kund: '4711'\n  19811218-9876: kund\n",
    );
    let (exit, findings) = validate(&sb);
    assert_eq!(exit, 1);
    // The key is named masked; the report points at its mapping.
    let line = line_of(&sb, &id, "tickets:");
    assert_eq!(
        sec001(&findings),
        [("tickets.19811218-****".to_owned(), line)]
    );
}

#[test]
fn a_history_note_edited_by_hand_is_found_in_its_event() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the number is a hand edit for validate to find, never committed");
    let id = sb.journal_incident();
    sb.ok(&[
        "status",
        &id,
        "assigned",
        "--note",
        "ringde kunden",
        "--group",
        "servicedesk",
    ]);
    sb.edit_record(
        &id,
        "note: ringde kunden",
        "note: ringde 19811218\u{a0}9876",
    );
    let (exit, findings) = validate(&sb);
    assert_eq!(exit, 1);
    let fields: Vec<String> = sec001(&findings).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["history[1].note"]);
}

#[test]
fn an_id_shaped_prefix_written_by_hand_is_found() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the number is a hand edit for validate to find, never committed");
    let id = sb.journal_incident();
    sb.edit_record(
        &id,
        "title: Journal nere\n",
        "title: Journal nere\ndescription: se INC-19811218-9876\n",
    );
    let (exit, findings) = validate(&sb);
    assert_eq!(exit, 1);
    let line = line_of(&sb, &id, "description:");
    assert_eq!(sec001(&findings), [("description".to_owned(), line)]);
}

#[test]
fn import_refuses_a_number_with_a_no_break_space() {
    let sb = Sandbox::with_repo();
    let inputs = tempfile::TempDir::new().unwrap();
    let file = inputs.path().join("x.csv");
    std::fs::write(
        &file,
        "kind,source.system,source.id,title,description,impact,urgency\n\
         incident,tool,T-1,Patient,Gäller 19811218\u{a0}9876,low,low\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let out = sb.run(&["import", file]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("row 2, column `description`: SEC001"), "{err}");
    assert!(!err.contains(LAST), "the number is repeated: {err}");
    let filed = yaml_files_under(&sb.root().join("incidents")).len();
    assert_eq!(filed, 0, "nothing is filed");
}
