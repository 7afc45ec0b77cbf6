//! The change calendar (issue 26): `arende schedule` and the conflicts the
//! packs' calendar rules find, through the commands a change manager uses.
//! The rule cases of `tests/rules/*/CAL00*.yaml` prove each rule met and
//! broken; these follow the calendar through time zones, holidays and the
//! commands.

use crate::support::*;

/// A configuration item, filed; its ID.
fn item(sb: &Sandbox, title: &str, fields: &[&str]) -> String {
    let mut args = vec![
        "new",
        "configuration_item",
        "--title",
        title,
        "ci_type=hardware",
    ];
    args.extend_from_slice(fields);
    sb.ok(&args).trim().to_owned()
}

/// A normal change on `on` with the window `start`–`end` (local times),
/// filed and submitted; its ID.
fn change(sb: &Sandbox, title: &str, on: &str, start: &str, end: &str) -> String {
    let start = format!("service_window.start={start}");
    let end = format!("service_window.end={end}");
    let id = sb
        .ok(&[
            "new",
            "change",
            "--title",
            title,
            "change_type=fix",
            "category=normal",
            "--link",
            on,
            &start,
            &end,
        ])
        .trim()
        .to_owned();
    sb.ok(&["status", &id, "submitted"]);
    id
}

/// Approves a change in the forum and moves it to approved.
fn approve(sb: &Sandbox, id: &str) {
    sb.ok(&["--author", APPROVER, "approve", id, "--by", "andringsforum"]);
    sb.ok(&["status", id, "approved"]);
}

/// A freeze over Christmas and New Year, for everything.
const CHRISTMAS: &str =
    "freeze:\n- id: jul\n  reason: Julfrysning\n  from: 2026-12-19\n  to: 2027-01-06\n";

fn calendar(sb: &Sandbox, text: &str) {
    std::fs::write(sb.root().join("policy/calendar.yaml"), text).unwrap();
    sb.git().commit_all("the change calendar");
}

/// The rules `validate` finds, with their messages.
fn findings(sb: &Sandbox) -> Vec<(String, String)> {
    let out = sb.run(&["validate", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn schedule_json(sb: &Sandbox, from: &str, to: &str) -> serde_json::Value {
    let out = sb.run(&["schedule", "--from", from, "--to", to, "--format", "json"]);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn two_changes_on_one_server_are_marked_in_the_schedule_naming_each_other() {
    let sb = Sandbox::with_repo();
    let server = item(&sb, "Databasserver 1", &[]);
    let disk = change(
        &sb,
        "Byt disk",
        &server,
        "2026-12-08 18:00",
        "2026-12-08 19:30",
    );
    approve(&sb, &disk);
    let os = change(
        &sb,
        "Uppgradera OS",
        &server,
        "2026-12-08 19:00",
        "2026-12-08 21:00",
    );
    let found = findings(&sb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "CAL001");
    assert!(
        found[0].1.contains(&format!(
            "{disk} (Byt disk, approved) is on {server} at 2026-12-08 19:00–19:30"
        )),
        "{found:?}"
    );
    let plan = schedule_json(&sb, "2026-12-01", "2026-12-31");
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["id"], disk.as_str());
    assert_eq!(changes[1]["id"], os.as_str());
    assert_eq!(changes[1]["conflicts"][0]["rule"], "CAL001");
    // Moved to start as the other ends: no conflict.
    sb.ok(&["set", &os, "service_window.start=2026-12-08 19:30"]);
    assert!(findings(&sb).is_empty());
}

#[test]
fn a_freeze_over_christmas_refuses_a_change_scheduled_in_it() {
    let sb = Sandbox::with_repo();
    calendar(&sb, &format!("{CHRISTMAS}  yearly: true\n"));
    let server = item(&sb, "Databasserver 1", &[]);
    let ok = change(
        &sb,
        "Före jul",
        &server,
        "2026-12-15 18:00",
        "2026-12-15 19:00",
    );
    // Moving it into the freeze is refused, and nothing is written.
    let before = sb.record_bytes(&ok);
    let out = sb.run(&[
        "set",
        &ok,
        "service_window.start=2026-12-23 18:00",
        "service_window.end=2026-12-23 19:00",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("CAL004"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("freeze jul (Julfrysning"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.record_bytes(&ok), before, "a refusal wrote the record");
    // The next Christmas too: the freeze comes back every year.
    let out = sb.run(&[
        "set",
        &ok,
        "service_window.start=2028-01-02 18:00",
        "service_window.end=2028-01-02 19:00",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let plan = schedule_json(&sb, "2026-12-01", "2027-01-31");
    assert_eq!(plan["freezes"][0]["id"], "jul");
    assert_eq!(plan["freezes"][0]["start"], "2026-12-19T00:00:00+01:00");
    assert_eq!(plan["freezes"][0]["end"], "2027-01-07T00:00:00+01:00");
}

/// 2026-10-25 the clocks go back at 03:00: a nightly window 01:00–04:00
/// lasts four hours that night, and a change of 01:30–04:00 local time
/// (three and a half hours by the clock, four and a half in fact) fits it.
#[test]
fn a_window_across_the_october_daylight_saving_change() {
    let sb = Sandbox::with_repo();
    let server = item(&sb, "Databasserver 1", &[]);
    calendar(
        &sb,
        &format!(
            "maintenance:\n- id: natt\n  every: day\n  from: '01:00'\n  to: '04:00'\n  skip_holidays: false\n  items: [{server}]\n"
        ),
    );
    let id = change(
        &sb,
        "Nattlig omstart",
        &server,
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T04:00:00+01:00",
    );
    assert!(findings(&sb).is_empty(), "{:?}", findings(&sb));
    sb.ok(&["set", &id, "service_window.end=2026-10-25T04:30:00+01:00"]);
    let found = findings(&sb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "CAL003");
    assert!(
        found[0]
            .1
            .contains("2026-10-25 01:30–04:30 lies outside the maintenance windows"),
        "{found:?}"
    );
}

/// Thursdays 18–22, holidays skipped: Ascension Day (2026-05-14) has no
/// window, the next Thursday has.
#[test]
fn a_recurring_window_across_a_public_holiday() {
    let sb = Sandbox::with_repo();
    let server = item(&sb, "Databasserver 1", &[]);
    calendar(
        &sb,
        &format!(
            "maintenance:\n- id: torsdagar\n  reason: Veckovis servicefönster\n  every: torsdag\n  from: '18:00'\n  to: '22:00'\n  items: [{server}]\n"
        ),
    );
    let on_holiday = change(
        &sb,
        "Kristi himmelsfärd",
        &server,
        "2026-05-14 19:00",
        "2026-05-14 20:00",
    );
    let next = change(
        &sb,
        "Veckan efter",
        &server,
        "2026-05-21 19:00",
        "2026-05-21 20:00",
    );
    let found = findings(&sb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "CAL003");
    let plan = schedule_json(&sb, "2026-05-11", "2026-05-25");
    let days: Vec<&str> = plan["maintenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["start"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-05-21T18:00:00+02:00"]);
    let marked: Vec<(&str, usize)> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["conflicts"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(marked, [(on_holiday.as_str(), 1), (next.as_str(), 0)]);
}

/// A change on the server and one on the service two steps up (service →
/// database → server) at the same time: found only through the dependency
/// graph (CAL002, depth 2), not as a change on the same item.
#[test]
fn a_conflict_that_appears_only_through_a_two_step_dependency() {
    let sb = Sandbox::with_repo();
    let server = item(&sb, "Databasserver 1", &[]);
    let database = item(&sb, "Receptdatabas", &[&format!("depends_on={server}")]);
    let service = item(&sb, "Receptdepån", &[&format!("depends_on={database}")]);
    let upper = change(
        &sb,
        "Ny version av tjänsten",
        &service,
        "2026-12-08 18:00",
        "2026-12-08 20:00",
    );
    approve(&sb, &upper);
    change(
        &sb,
        "Byt disk",
        &server,
        "2026-12-08 19:00",
        "2026-12-08 19:30",
    );
    let found = findings(&sb);
    let rules: Vec<&str> = found.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rules, ["CAL002"], "{found:?}");
    assert!(found[0].1.contains(&format!(
        "{upper} (Ny version av tjänsten, approved) is on {service}"
    )));
}

#[test]
fn the_schedule_prints_as_markdown_html_and_ics() {
    let sb = Sandbox::with_repo();
    let server = item(&sb, "Databasserver <1> & \"2\"", &[]);
    change(
        &sb,
        "Byt <script>disk</script>",
        &server,
        "2026-12-08 18:00",
        "2026-12-08 19:30",
    );
    let run = |format: &str| {
        let out = sb.run(&[
            "schedule",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--format",
            format,
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out)
    };
    let html = run("html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<h2>december 2026</h2>"), "{html}");
    assert!(html.contains("Vecka 50 2026"), "{html}");
    assert!(
        html.contains("Byt &lt;script&gt;disk&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    let markdown = run("markdown");
    assert!(markdown.contains("## Ändringskalender"), "{markdown}");
    let ics = run("ics");
    let export = sb.ok(&["export", "change", "--format", "ics"]);
    assert_eq!(ics, export, "one renderer for both");
    // A real iCalendar parser reads it: one calendar, one event, its
    // window in UTC and its summary (unfolded, still escaped) intact.
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("the ICS parses");
    assert_eq!(calendars.len(), 1);
    let events = &calendars[0].events;
    assert_eq!(events.len(), 1);
    let prop = |name: &str| {
        events[0]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(prop("DTSTART"), "20261208T170000Z");
    assert_eq!(prop("DTEND"), "20261208T183000Z");
    assert!(
        prop("SUMMARY").ends_with(": Byt <script>disk</script>"),
        "{}",
        prop("SUMMARY")
    );
    // An unknown format, and --to before --from, are usage errors.
    let out = sb.run(&["schedule", "--format", "csv"]);
    assert_eq!(code(&out), 2);
    let out = sb.run(&["schedule", "--from", "2026-12-31", "--to", "2026-12-01"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = sb.run(&["schedule", "--from", "2026-01-01", "--to", "9999-12-31"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A change whose window runs a century is drawn in the period's days
    // only, and judged without walking the century.
    sb.ok(&[
        "set",
        &sb.listed(&["change"])[0],
        "service_window.end=2126-12-08 19:30",
    ]);
    let out = sb.run(&[
        "schedule",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--format",
        "html",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The legend's sample, then 8–30 December (the period ends at the 31st's
    // midnight) in the month grid and in the week grids.
    assert_eq!(stdout(&out).matches("class=\"chg\"").count(), 1 + 23 + 23);
}

/// A branch that files a change clashing with one the base has scheduled:
/// `review` shows the conflict on the branch's change, naming the base's
/// change and the overlap, and the base's change itself is not reported.
#[test]
fn review_of_a_branch_that_conflicts_with_its_base() {
    let sb = Sandbox::with_repo();
    let server = item(&sb, "Databasserver 1", &[]);
    let base = change(
        &sb,
        "Byt disk",
        &server,
        "2026-12-08 18:00",
        "2026-12-08 19:30",
    );
    approve(&sb, &base);
    sb.ok(&["status", &base, "scheduled"]);
    sb.branch("feature");
    let theirs = change(
        &sb,
        "Uppgradera OS",
        &server,
        "2026-12-08 19:00",
        "2026-12-08 21:00",
    );
    let out = sb.run(&["review", "main..feature", "--format", "json"]);
    let review: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let records = review["records"].as_array().unwrap();
    let mine = records
        .iter()
        .find(|r| r["id"] == theirs.as_str())
        .expect("the branch's change is reviewed");
    let findings: Vec<&str> = mine["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "CAL001")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(findings.len(), 1, "{mine:#}");
    assert!(
        findings[0].contains(&format!(
            "{base} (Byt disk, scheduled) is on {server} at 2026-12-08 19:00–19:30"
        )),
        "{findings:?}"
    );
    assert!(
        records.iter().all(|r| r["id"] != base.as_str()),
        "{review:#}"
    );
    let markdown = stdout(&sb.run(&["review", "main..feature"]));
    assert!(markdown.contains("CAL001"), "{markdown}");
    assert!(markdown.contains(&base), "{markdown}");
}

/// Headless Chromium, where installed (`.ci/run` installs Debian's), with
/// the flags that keep it off the network and out of the user's profile.
fn chromium(args: &[&str], profile: &std::path::Path) -> Option<std::process::Output> {
    let mut cmd = std::process::Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args);
    match cmd.output() {
        Ok(out) => Some(out),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "chromium is not installed; .ci/run installs it, and a skip in CI is a failure"
            );
            eprintln!("skipped: chromium is not installed");
            None
        }
    }
}

/// The HTML calendar as a browser reads it: Chromium loads the page
/// (nothing fetched: the page's policy allows no request), its DOM holds
/// the month grid with the freeze's days marked and the conflicting change
/// marked, and it paints a screenshot.
#[test]
fn the_html_calendar_renders_in_headless_chromium() {
    let sb = Sandbox::with_repo();
    calendar(&sb, CHRISTMAS);
    let server = item(&sb, "Databasserver 1", &[]);
    let disk = change(
        &sb,
        "Byt disk",
        &server,
        "2026-12-08 18:00",
        "2026-12-08 19:30",
    );
    approve(&sb, &disk);
    change(
        &sb,
        "Uppgradera OS",
        &server,
        "2026-12-08 19:00",
        "2026-12-08 21:00",
    );
    let out = sb.run(&[
        "schedule",
        "--from",
        "2026-12-01",
        "--to",
        "2027-01-01",
        "--format",
        "html",
    ]);
    let page = sb.scratch().join("kalender.html");
    std::fs::write(&page, stdout(&out)).unwrap();
    let profile = sb.scratch().join("chromium-profile");
    let url = format!("file://{}", page.display());
    let Some(dom) = chromium(&["--dump-dom", &url], &profile) else {
        return;
    };
    let dom = stdout(&dom);
    assert!(dom.contains("<h2>december 2026</h2>"), "{dom}");
    // The freeze from 19 December, drawn within the period (to 1 January):
    // 13 days of the month grid, and 13 of the week grids (weeks 51–53).
    assert_eq!(dom.matches("class=\"day frys\"").count(), 26, "{dom}");
    // The conflicting change, in the month grid and in the week grid (and
    // the legend's sample).
    assert_eq!(dom.matches("class=\"chg konflikt\"").count(), 3, "{dom}");
    let shot = sb.scratch().join("kalender.png");
    let out = chromium(
        &[
            "--window-size=1400,1800",
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
        &profile,
    )
    .unwrap();
    let png =
        std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}): {}", stderr(&out)));
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    // Width and height from the IHDR chunk.
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    assert_eq!((be(&png[16..20]), be(&png[20..24])), (1400, 1800));
}

/// A pack's windows (`change_calendar:`, here laid on by the repository's
/// overrides) hold until `policy/calendar.yaml` replaces one by its name.
#[test]
fn the_calendar_file_replaces_a_pack_window_by_name() {
    let sb = Sandbox::with_repo();
    std::fs::write(
        sb.root().join("policy/overrides.yaml"),
        "change_calendar:\n  freeze:\n  - id: jul\n    reason: Julfrysning\n    from: 2026-12-19\n    to: 2027-01-06\n",
    )
    .unwrap();
    sb.git().commit_all("the pack's freeze");
    let server = item(&sb, "Databasserver 1", &[]);
    let id = change(
        &sb,
        "Före jul",
        &server,
        "2026-12-15 18:00",
        "2026-12-15 19:00",
    );
    let into = [
        "set",
        &id,
        "service_window.start=2026-12-22 18:00",
        "service_window.end=2026-12-22 19:00",
    ];
    let out = sb.run(&into);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("CAL004"), "{}", stderr(&out));
    calendar(
        &sb,
        "freeze:\n- id: jul\n  reason: Bara juldagarna\n  from: 2026-12-24\n  to: 2026-12-26\n",
    );
    sb.ok(&into);
    assert!(findings(&sb).is_empty(), "{:?}", findings(&sb));
    let plan = schedule_json(&sb, "2026-12-01", "2027-01-31");
    assert_eq!(plan["freezes"].as_array().unwrap().len(), 1);
    assert_eq!(plan["freezes"][0]["reason"], "Bara juldagarna");
    // A calendar file that is not of its shape is exit 2, naming the entry.
    calendar(
        &sb,
        "freeze:\n- id: jul\n  reason: x\n  from: 24 dec\n  to: 2026-12-26\n",
    );
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("policy/calendar.yaml"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("`24 dec` is not a date"),
        "{}",
        stderr(&out)
    );
}

/// The pre-commit gate (`validate --staged`) judges the calendar too: a
/// window moved into the freeze by hand and staged is refused before it
/// is committed.
#[test]
fn the_staged_gate_finds_a_change_moved_into_a_freeze_by_hand() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the hand edit is staged for the gate, never committed");
    calendar(&sb, CHRISTMAS);
    let server = item(&sb, "Databasserver 1", &[]);
    let id = change(
        &sb,
        "Före jul",
        &server,
        "2026-12-15 18:00",
        "2026-12-15 19:00",
    );
    let path = sb.record_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("2026-12-15T", "2026-12-22T")).unwrap();
    sb.git_ok(&["add", "-A"]);
    let out = sb.run(&["validate", "--staged", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"CAL004"), "{report:#}");
}
