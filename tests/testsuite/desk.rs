//! The desk's day (issue 24): assignment from the people registry, work
//! notes and replies to the customer, the feedback clock a reply stops,
//! queues and saved views, escalation in one commit. Every test runs the
//! real binary in a temporary repository.

use crate::support::{Layout, Sandbox, code, history, stderr, stdout};

/// A Stockholm desk: Nils files (he is `AUTHOR`'s address), Åsa sits in
/// two teams, Leo works for the supplier.
const PEOPLE: &str = "\
people:
  - handle: anna.berg
    name: Anna Berg
    emails: [anna@example.se]
    teams: [sd1]
  - handle: asa.oberg
    name: Åsa Öberg
    emails: [asa@stad.example]
    teams: [sd1, sd2]
  - handle: leo.lev
    name: Leo Lev
    emails: [leo@lev.example]
    teams: [drift]
  - handle: kim.stad
    name: Kim Stad
    emails: [kim@stad.example]
    parties: [staden]
teams:
  - id: sd1
    name: Servicedesk 1
    party: servicedesk
  - id: sd2
    name: Servicedesk 2
    party: staden
  - id: drift
    name: Driftteamet
    party: leverantor
";

/// A repository of `pack` with [`PEOPLE`], its parties those of the pack.
fn desk(pack: &str) -> Sandbox {
    let sb = Sandbox::init_in(Layout::Plain, &["--policy", pack]);
    let people = match pack {
        "inera" => PEOPLE
            .replace("party: servicedesk", "party: inera")
            .replace("party: staden", "party: kund")
            .replace("[staden]", "[kund]"),
        "ehm" => PEOPLE
            .replace("party: staden", "party: aktor")
            .replace("party: leverantor", "party: servicedesk")
            .replace("[staden]", "[aktor]"),
        _ => PEOPLE.to_owned(),
    };
    std::fs::create_dir_all(sb.root().join("policy")).unwrap();
    std::fs::write(sb.root().join("policy/people.yaml"), people).unwrap();
    sb.git().commit_all("people");
    sb
}

fn incident(sb: &Sandbox, title: &str, fields: &[&str]) -> String {
    let mut all = vec![
        "impact=medium",
        "urgency=medium",
        "reporter.party=servicedesk",
    ];
    all.extend_from_slice(fields);
    sb.new_incident(title, &all)
}

/// Exit 2 naming each of `words`, and the record unchanged.
fn usage(sb: &Sandbox, id: &str, args: &[&str], words: &[&str]) {
    let before = sb.record_bytes(id);
    let out = sb.run(args);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{args:?} must be a usage error:\n{err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: no `{w}` in:\n{err}");
    }
    assert_eq!(sb.record_bytes(id), before, "{args:?} changed the record");
}

fn assignment(sb: &Sandbox, id: &str) -> (Option<String>, Option<String>) {
    let doc = sb.record(id);
    let get = |k: &str| {
        doc.get("assignment")
            .and_then(|a| a.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    (get("group"), get("person"))
}

#[test]
fn assign_gives_a_ticket_to_a_team_and_a_member_in_one_commit_each() {
    let sb = desk("stockholm");
    let id = incident(&sb, "Skolplattformen långsam", &[]);
    let commits = sb.git().commit_count();
    // `me` is the registry's person with the author's address; alone in
    // one team, the ticket goes to that team.
    sb.ok(&["assign", &id, "--to", "me"]);
    assert_eq!(
        assignment(&sb, &id),
        (Some("sd1".into()), Some("anna.berg".into()))
    );
    assert_eq!(sb.git().commit_count(), commits + 1);
    // A first name will do where one person has it; the team is kept.
    sb.ok(&["assign", &id, "--to", "ÅSA"]);
    assert_eq!(
        assignment(&sb, &id),
        (Some("sd1".into()), Some("asa.oberg".into()))
    );
    let last = history(&sb.record(&id)).pop().unwrap();
    let changes = format!("{:?}", last.get("changes").unwrap());
    assert!(
        changes.contains("anna.berg") && changes.contains("asa.oberg"),
        "{changes}"
    );
    // A team by its name; Åsa is in it, so she keeps the ticket.
    sb.ok(&["assign", &id, "--group", "servicedesk 2"]);
    assert_eq!(
        assignment(&sb, &id),
        (Some("sd2".into()), Some("asa.oberg".into()))
    );
    usage(
        &sb,
        &id,
        &["assign", &id, "--to", "leo", "--group", "sd1"],
        &["leo.lev is not a member of team sd1", "asa.oberg"],
    );
    usage(
        &sb,
        &id,
        &["assign", &id, "--to", "nisse"],
        &["no person `nisse`", "anna.berg, asa.oberg"],
    );
    usage(
        &sb,
        &id,
        &["assign", &id, "--group", "sd3"],
        &["no team `sd3`", "did you mean `sd1`?"],
    );
    usage(
        &sb,
        &id,
        &["assign", &id],
        &["nothing to assign", "--group"],
    );
    // Nobody: the ticket stays with its team.
    sb.ok(&["assign", &id, "--to", "nobody"]);
    assert_eq!(assignment(&sb, &id), (Some("sd2".into()), None));
}

#[test]
fn a_ticket_is_assigned_to_a_team_before_it_is_worked_on() {
    let sb = desk("inera");
    let id = sb.new_incident(
        "Journal nere",
        &[
            "impact=high",
            "urgency=medium",
            "reporter.party=kund",
            "tickets.kund=4711",
            "reported_via=phone",
        ],
    );
    let before = sb.record_bytes(&id);
    let out = sb.run(&["status", &id, "assigned"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("ASG001"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("assignment.group"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.record_bytes(&id), before);
    // The move and the assignment in one event and one commit.
    let commits = sb.git().commit_count();
    sb.ok(&[
        "status",
        &id,
        "assigned",
        "--to",
        "Åsa Öberg",
        "--group",
        "sd2",
    ]);
    assert_eq!(sb.git().commit_count(), commits + 1);
    let last = history(&sb.record(&id)).pop().unwrap();
    assert_eq!(last.get("status").unwrap().as_str(), Some("assigned"));
    assert_eq!(
        assignment(&sb, &id),
        (Some("sd2".into()), Some("asa.oberg".into()))
    );
    sb.ok(&["validate"]);
}

#[test]
fn without_a_registry_teams_are_taken_as_written_and_me_is_nobody() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    sb.ok(&["assign", &id, "--group", "Group 56"]);
    assert_eq!(assignment(&sb, &id), (Some("Group 56".into()), None));
    usage(
        &sb,
        &id,
        &["assign", &id, "--to", "me"],
        &["`me` is someone in policy/people.yaml", "--to HANDLE"],
    );
}

#[test]
fn validate_finds_an_assignment_the_registry_does_not_know() {
    let sb = desk("stockholm");
    let id = incident(&sb, "Skrivare", &["assignment.group=sd1"]);
    // `new` refuses it, so the person comes in by hand.
    let path = sb.record_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("  group: sd1\n", "  group: sd1\n  person: leo.lev\n"),
    )
    .unwrap();
    sb.git().commit_all("by hand");
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("ASG003"), "{text}");
    assert!(
        text.contains("leo.lev is not a member of team sd1"),
        "{text}"
    );
    assert!(text.contains(&id), "{text}");
    sb.ok(&["assign", &id, "--to", "anna"]);
    sb.ok(&["validate"]);
}

#[test]
fn stockholm_takeover_is_the_assignment_to_the_supplier_with_stadens_approval() {
    let sb = desk("stockholm");
    let id = incident(&sb, "Inloggning", &[]);
    sb.ok(&["status", &id, "assigned", "--group", "sd1"]);
    sb.ok(&["assign", &id, "--group", "drift", "--to", "leo"]);
    let doc = sb.record(&id);
    assert_eq!(doc.get("responsible").unwrap().as_str(), Some("leverantor"));
    sb.ok(&["status", &id, "in_progress"]);
    let out = sb.run(&["status", &id, "resolved"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("INC012"), "{}", stderr(&out));
    let out = sb.run(&[
        "--author",
        "Kim Stad <kim@stad.example>",
        "approve",
        &id,
        "--by",
        "Staden",
        "--step",
        "takeover",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    sb.ok(&["status", &id, "resolved"]);
    // Handed back to the desk, the takeover ends.
    sb.ok(&["assign", &id, "--group", "sd1"]);
    assert!(sb.record(&id).get("responsible").is_none());
}

#[test]
fn notes_and_replies_are_events_in_the_timeline() {
    let sb = desk("stockholm");
    let id = incident(&sb, "Skrivare", &[]);
    let commits = sb.git().commit_count();
    sb.ok(&["note", &id, "Ringde kunden"]);
    sb.ok(&["note", &id, "Vi felsöker skrivaren", "--customer"]);
    assert_eq!(sb.git().commit_count(), commits + 2);
    let events = history(&sb.record(&id));
    let n = events.len();
    assert_eq!(
        events[n - 2].get("note").unwrap().as_str(),
        Some("Ringde kunden")
    );
    assert!(events[n - 2].get("to_customer").is_none());
    assert_eq!(
        events[n - 1].get("to_customer").unwrap().as_bool(),
        Some(true)
    );
    let listed: serde_json::Value =
        serde_json::from_str(&sb.ok(&["list", "incident", "--format", "json"])).unwrap();
    let timeline = listed[0]["timeline"].as_array().unwrap();
    let what: Vec<&str> = timeline
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(what, ["status", "note", "reply"]);
    assert_eq!(timeline[2]["note"], "Vi felsöker skrivaren");
    let log = sb.ok(&["log", &id]);
    assert!(
        log.contains("reply to the customer: Vi felsöker skrivaren"),
        "{log}"
    );
    usage(&sb, &id, &["note", &id, "  "], &["the note is empty"]);
    // The personnummer guard holds for notes too.
    let before = sb.record_bytes(&id);
    let out = sb.run(&["note", &id, "kunden har pnr 811218-9876"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("SEC001"), "{}", stderr(&out));
    assert_eq!(sb.record_bytes(&id), before);
}

#[test]
fn the_ehm_feedback_clock_stops_at_the_first_reply_to_the_customer() {
    let sb = desk("ehm");
    let cmd = |now: &str, args: &[&str]| {
        let mut all = vec!["--now", now];
        all.extend_from_slice(args);
        sb.ok(&all)
    };
    let id = cmd(
        "2026-12-07T09:00:00+01:00",
        &[
            "new",
            "incident",
            "--title",
            "Receptdepån långsam",
            "impact=medium",
            "urgency=medium",
            "patient_safety=none",
            "reporter.party=aktor",
        ],
    )
    .trim()
    .to_owned();
    cmd(
        "2026-12-07T09:30:00+01:00",
        &["status", &id, "assigned", "--group", "sd1"],
    );
    cmd(
        "2026-12-07T10:20:00+01:00",
        &["note", &id, "Vi undersöker", "--customer"],
    );
    // Day 4, still open: the feedback was given in 80 minutes.
    let out = sb.ok(&[
        "sla",
        "--at",
        "2026-12-10T17:00:00+01:00",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let clock = |json: &serde_json::Value, id: &str| {
        json["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id && r["clock"]["clock"] == "feedback")
            .map(|r| r["clock"].clone())
            .unwrap_or_else(|| panic!("no feedback clock of {id} in {json:#}"))
    };
    let feedback = clock(&json, &id);
    assert_eq!(feedback["state"], "met", "{feedback:#}");
    assert_eq!(
        feedback["stopped"], "2026-12-07T10:20:00+01:00",
        "{feedback:#}"
    );
    // A work note is no feedback.
    let id2 = cmd(
        "2026-12-07T09:00:00+01:00",
        &[
            "new",
            "incident",
            "--title",
            "Receptdepån långsam igen",
            "impact=medium",
            "urgency=medium",
            "reporter.party=aktor",
        ],
    )
    .trim()
    .to_owned();
    cmd(
        "2026-12-07T10:20:00+01:00",
        &["note", &id2, "Ringde aktören"],
    );
    let out = sb.ok(&[
        "sla",
        "--at",
        "2026-12-14T17:00:00+01:00",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let clock = clock(&json, &id2);
    assert_eq!(clock["state"], "breached", "{clock:#}");
}

#[test]
fn queues_list_mine_a_teams_the_unassigned_and_the_open_by_priority() {
    let sb = desk("stockholm");
    let low = incident(&sb, "Låg", &["impact=low", "urgency=low"]);
    let high = incident(&sb, "Hög", &["impact=high", "urgency=high"]);
    let theirs = incident(&sb, "Deras", &[]);
    let done = incident(&sb, "Klar", &[]);
    sb.ok(&["assign", &low, "--to", "me"]);
    sb.ok(&["assign", &high, "--to", "me"]);
    sb.ok(&["assign", &theirs, "--group", "sd2"]);
    sb.ok(&["status", &done, "assigned", "--to", "me"]);
    sb.ok(&["status", &done, "in_progress"]);
    sb.ok(&["status", &done, "resolved"]);
    let ids = |args: &[&str]| sb.listed(args);
    // Mine and open, the most urgent first.
    assert_eq!(ids(&["--mine", "--open"]), [high.clone(), low.clone()]);
    assert_eq!(ids(&["--mine"]).len(), 3);
    assert_eq!(ids(&["--group", "Servicedesk 2"]), [theirs.as_str()]);
    assert_eq!(
        ids(&["--unassigned", "--open", "incident"]),
        [theirs.as_str()]
    );
    // A queue's table says who has each ticket.
    let table = sb.ok(&["list", "--group", "sd2"]);
    assert!(
        table.contains("assigned") && table.contains("| sd2 "),
        "{table}"
    );
    // Sorted by due time, the clock is read: --now is taken, not refused.
    sb.ok(&["--now", "2026-11-23", "list", "--open", "--sort", "due"]);
    // A saved view, with options added beside it.
    let config = std::fs::read_to_string(sb.root().join("arende.yaml")).unwrap();
    std::fs::write(
        sb.root().join("arende.yaml"),
        format!("{config}views:\n  min-kö:\n    mine: true\n    open: true\n"),
    )
    .unwrap();
    sb.git().commit_all("a view");
    assert_eq!(ids(&["--view", "min-kö"]), [high.clone(), low.clone()]);
    assert_eq!(
        ids(&["--view", "min-kö", "--priority", "4"]),
        [low.as_str()]
    );
    let out = sb.run(&["list", "--view", "min-ko"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `min-kö`?"),
        "{}",
        stderr(&out)
    );
    // --mine for someone the registry does not know is an error, not an empty queue.
    let out = sb.run(&["--author", "Ny Person <ny@example.se>", "list", "--mine"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("ny@example.se"), "{}", stderr(&out));
}

#[test]
fn a_problem_filed_from_an_incident_is_linked_both_ways_in_one_commit() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let commits = sb.git().commit_count();
    let prb = sb
        .ok(&[
            "new",
            "problem",
            "--title",
            "Återkommande journalavbrott",
            "--link",
            &inc,
        ])
        .trim()
        .to_owned();
    assert_eq!(sb.git().commit_count(), commits + 1);
    let p = sb.record(&prb);
    assert_eq!(
        p["links"]["incidents"][0].as_str(),
        Some(inc.as_str()),
        "{p:?}"
    );
    let i = sb.record(&inc);
    assert_eq!(
        i["links"]["problems"][0].as_str(),
        Some(prb.as_str()),
        "{i:?}"
    );
    let last = history(&i).pop().unwrap();
    assert_eq!(
        last.get("note").unwrap().as_str(),
        Some(format!("linked {prb}").as_str())
    );
    sb.ok(&["validate"]);
    // A link to nothing files nothing.
    let commits = sb.git().commit_count();
    let out = sb.run(&[
        "new",
        "problem",
        "--title",
        "X",
        "--link",
        "INC-20261122-ZZZZZZ",
    ]);
    assert_ne!(code(&out), 0);
    assert_eq!(sb.git().commit_count(), commits);
}
