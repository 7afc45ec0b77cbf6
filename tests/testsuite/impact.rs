//! `arende impact` (issue 26): what depends on a configuration item,
//! transitively, the services among them and the open records on them; and
//! `review` showing the impact of a change a branch adds.

use crate::support::*;
use serde_json::{Value as Json, json};

/// The records of these tests, by the placeholder their IDs are replaced with.
struct Estate {
    server: String,
    database: String,
    service: String,
    loop_a: String,
    loop_b: String,
    open_incident: String,
    closed_incident: String,
    change: String,
}

impl Estate {
    fn names(&self) -> Vec<(&str, &str)> {
        let all = vec![
            (self.server.as_str(), "[SERVER]"),
            (self.database.as_str(), "[DATABASE]"),
            (self.service.as_str(), "[SERVICE]"),
            (self.loop_a.as_str(), "[LOOP-A]"),
            (self.loop_b.as_str(), "[LOOP-B]"),
            (self.open_incident.as_str(), "[INC-OPEN]"),
            (self.closed_incident.as_str(), "[INC-CLOSED]"),
            (self.change.as_str(), "[CHG]"),
        ];
        // Without the cycle its IDs are empty, and replace nothing.
        all.into_iter().filter(|(id, _)| !id.is_empty()).collect()
    }
}

fn new_ci(sb: &Sandbox, title: &str, fields: &[&str]) -> String {
    let mut args = vec!["new", "ci", "--title", title];
    args.extend_from_slice(fields);
    sb.ok(&args).trim().to_owned()
}

/// An incident on the journal service, named by its `service`.
fn service_incident(sb: &Sandbox, title: &str) -> String {
    sb.new_incident(
        title,
        &[
            "impact=high",
            "urgency=medium",
            "reporter.party=kund",
            "tickets.kund=4711",
            "reported_via=phone",
            // Another case than the item's title: matched all the same.
            "service=JOURNALTJÄNSTEN",
        ],
    )
}

/// A server, a database on it and the journal service on the database;
/// with `cycle`, two items depending on each other (one of them on the
/// server too, the cycle closed by hand since `set` refuses it); an open
/// and a closed incident on the service, and a change linking the server.
fn estate(sb: &Sandbox, cycle: bool) -> Estate {
    let server = new_ci(sb, "Server sthlm-01", &["ci_type=hardware"]);
    let database = new_ci(
        sb,
        "Journaldatabas",
        &["ci_type=software", &format!("depends_on={server}")],
    );
    let service = new_ci(
        sb,
        "Journaltjänsten",
        &[
            "ci_type=service",
            "service_class=A",
            &format!("depends_on={database}"),
        ],
    );
    let (loop_a, loop_b) = if cycle {
        let loop_b = new_ci(sb, "Kö B", &["ci_type=software"]);
        let loop_a = new_ci(
            sb,
            "Kö A",
            &[
                "ci_type=software",
                &format!("depends_on=[{server}, {loop_b}]"),
            ],
        );
        sb.edit_record(
            &loop_b,
            "ci_type: software\n",
            &format!("ci_type: software\ndepends_on:\n- {loop_a}\n"),
        );
        sb.hand_commit("Kö B depends on Kö A: a cycle");
        (loop_a, loop_b)
    } else {
        (String::new(), String::new())
    };
    let open_incident = service_incident(sb, "Journalen svarar långsamt");
    let closed_incident = service_incident(sb, "Journalen var nere i går");
    sb.edit_record(&closed_incident, "\nstatus: new", "\nstatus: closed");
    sb.hand_commit("closed by hand");
    let change = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Byt diskar i servern",
            "category=normal",
            "change_type=modification",
        ])
        .trim()
        .to_owned();
    sb.ok(&["link", &change, &server]);
    Estate {
        server,
        database,
        service,
        loop_a,
        loop_b,
        open_incident,
        closed_incident,
        change,
    }
}

/// `arende impact ARGS` as JSON, every ID of the estate replaced.
fn impact_json(sb: &Sandbox, e: &Estate, args: &[&str]) -> Json {
    let mut all = vec!["impact", "--format", "json"];
    all.extend_from_slice(args);
    let out = sb.run(&all);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = redact(&stdout(&out), &e.names());
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("not JSON ({err}):\n{text}"))
}

fn ids(list: &Json) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect()
}

#[test]
fn impact_lists_every_dependent_the_services_and_the_open_records() {
    let sb = Sandbox::with_repo();
    let e = estate(&sb, true);
    let got = impact_json(&sb, &e, &[&e.server]);
    let item = |id: &str, title: &str, ci_type: &str, class: Json, distance: usize, via: &str| {
        json!({"id": id, "title": title, "ci_type": ci_type, "status": "planned",
               "service_class": class, "distance": distance, "via": via})
    };
    // Nearest first, then by ID: the IDs are random, so is the order of two
    // items at one distance.
    let mut dependents = vec![
        (
            1,
            &e.database,
            item(
                "[DATABASE]",
                "Journaldatabas",
                "software",
                Json::Null,
                1,
                "[SERVER]",
            ),
        ),
        (
            1,
            &e.loop_a,
            item("[LOOP-A]", "Kö A", "software", Json::Null, 1, "[SERVER]"),
        ),
        (
            2,
            &e.loop_b,
            item("[LOOP-B]", "Kö B", "software", Json::Null, 2, "[LOOP-A]"),
        ),
        (
            2,
            &e.service,
            item(
                "[SERVICE]",
                "Journaltjänsten",
                "service",
                json!("A"),
                2,
                "[DATABASE]",
            ),
        ),
    ];
    dependents.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let dependents: Vec<Json> = dependents.into_iter().map(|(_, _, j)| j).collect();
    let expected = json!({
        "item": {"id": "[SERVER]", "title": "Server sthlm-01", "ci_type": "hardware",
                 "status": "planned", "service_class": null},
        "depth": null,
        "dependents": dependents,
        "services": [
            {"id": "[SERVICE]", "title": "Journaltjänsten", "service_class": "A", "distance": 2},
        ],
        "open_records": [
            {"id": "[CHG]", "kind": "change", "status": "draft",
             "title": "Byt diskar i servern", "on": ["[SERVER]"]},
            {"id": "[INC-OPEN]", "kind": "incident", "status": "new",
             "title": "Journalen svarar långsamt", "on": ["[SERVICE]"]},
        ],
    });
    assert_eq!(got, expected, "{got:#}");
}

#[test]
fn the_depth_cuts_the_two_step_dependency_and_the_records_on_it() {
    let sb = Sandbox::with_repo();
    let e = estate(&sb, true);
    let all = impact_json(&sb, &e, &[&e.server]);
    assert!(ids(&all["dependents"]).contains(&"[SERVICE]"));
    let near = impact_json(&sb, &e, &["--depth", "1", &e.server]);
    assert_eq!(near["depth"], 1);
    let mut direct = ids(&near["dependents"]);
    direct.sort_unstable();
    assert_eq!(direct, ["[DATABASE]", "[LOOP-A]"]);
    assert_eq!(ids(&near["services"]), Vec::<&str>::new());
    // The incident is on the service, two steps out: cut with it.
    assert_eq!(ids(&near["open_records"]), ["[CHG]"]);
    // From the cycle: each of the two once, and the walk ends.
    let cycle = impact_json(&sb, &e, &[&e.loop_b]);
    assert_eq!(ids(&cycle["dependents"]), ["[LOOP-A]"]);
}

#[test]
fn an_unknown_id_or_one_of_another_kind_is_exit_2_with_the_nearest() {
    let sb = Sandbox::with_repo();
    let e = estate(&sb, false);
    let last = if e.server.ends_with('X') { "Y" } else { "X" };
    let typo = format!("{}{last}", &e.server[..e.server.len() - 1]);
    let out = sb.run(&["impact", &typo]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        said(&out).contains(&format!("did you mean {}?", e.server)),
        "{}",
        said(&out)
    );
    let out = sb.run(&["impact", &e.change]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = said(&out);
    assert!(
        err.contains("is a change, not a configuration item"),
        "{err}"
    );
    assert!(
        err.contains(&format!("did you mean {}?", e.server)),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

#[test]
fn the_table_shows_the_tree_the_services_and_the_open_records() {
    let sb = Sandbox::with_repo();
    let e = estate(&sb, false);
    let table = sb.ok(&["impact", &e.server]);
    assert!(!table.contains(&e.closed_incident), "{table}");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.bind(|| insta::assert_snapshot!("server_table", redact(&table, &e.names())));
}

#[test]
fn hostile_titles_are_escaped_in_every_format() {
    let sb = Sandbox::with_repo();
    let server = new_ci(&sb, "Server", &["ci_type=hardware"]);
    let hostile = "<img src=x onerror=alert(1)> ![x](http://t) @octocat | `c`\nrad två\u{1b}[31m";
    new_ci(
        &sb,
        hostile,
        &["ci_type=service", &format!("depends_on={server}")],
    );
    let md = sb.ok(&["impact", "--format", "markdown", &server]);
    for bad in ["![x]", "@octocat", "\u{1b}", "\nrad två", "<img"] {
        let raw = md.replace("\\<img", "");
        assert!(!raw.contains(bad), "{bad:?} in\n{md}");
    }
    assert!(md.contains("\\<img src=x onerror=alert(1)\\>"), "{md}");
    for row in md.lines().filter(|l| l.starts_with('|')) {
        assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
    }
    let table = sb.ok(&["impact", &server]);
    assert!(!table.contains('\u{1b}'), "{table}");
    assert!(!table.contains("\nrad två"), "{table}");
    assert!(table.contains("`c` rad två"), "{table}");
    let json: Json =
        serde_json::from_str(&sb.ok(&["impact", "--format", "json", &server])).unwrap();
    assert_eq!(json["dependents"][0]["title"], hostile);
}

#[test]
fn review_shows_the_impact_of_a_change_the_branch_adds() {
    let sb = Sandbox::with_repo();
    let e = estate(&sb, false);
    sb.branch("feature");
    let change = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Uppgradera servern",
            "category=normal",
            "change_type=modification",
        ])
        .trim()
        .to_owned();
    sb.ok(&["link", &change, &e.server]);
    let out = sb.run(&["review", "main..feature"]);
    let md = stdout(&out);
    assert!(
        md.contains("Impact of the configuration items it links"),
        "{md}"
    );
    let line = md
        .lines()
        .find(|l| l.starts_with(&format!("- `{}`", e.server)))
        .unwrap_or_else(|| panic!("no impact line for the server in\n{md}"));
    assert!(
        line.contains(&format!("`{}` Journaltjänsten", e.service)),
        "{line}"
    );
    assert!(
        line.contains("services: Journaltjänsten (class A)"),
        "{line}"
    );
    let out = sb.run(&["review", "main..feature", "--format", "json"]);
    let json: Json = serde_json::from_str(&stdout(&out)).unwrap();
    let records = json["records"].as_array().unwrap();
    let reviewed = records.iter().find(|r| r["id"] == change.as_str()).unwrap();
    let impact = &reviewed["impact"][0];
    assert_eq!(impact["item"]["id"], e.server.as_str());
    assert_eq!(impact["services"][0]["id"], e.service.as_str());
    assert_eq!(impact["services"][0]["service_class"], "A");
    // A record that is no change has no impact field.
    for other in records.iter().filter(|r| r["id"] != change.as_str()) {
        assert_eq!(other.get("impact"), None, "{other:#}");
    }
}
