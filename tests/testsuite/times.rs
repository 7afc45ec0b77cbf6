//! Times typed for a field take the forms `import` reads, in the
//! repository's timezone when no offset is given, stored as RFC 3339; a
//! local time the clocks skip or pass twice is refused with the times to
//! write.

use crate::support::*;

fn opened(sb: &Sandbox, id: &str) -> String {
    field(&sb.record(id), "opened_at")
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_form_is_read_in_the_repository_zone() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    for (typed, want) in [
        ("2026-11-01 10:00", "2026-11-01T10:00:00+01:00"),
        ("2026-11-01 10:00:30", "2026-11-01T10:00:30+01:00"),
        ("2026-11-01T10:00", "2026-11-01T10:00:00+01:00"),
        ("2026-07-01 10:00", "2026-07-01T10:00:00+02:00"),
        ("2026-11-01", "2026-11-01T00:00:00+01:00"),
        ("1/11/2026 10:00", "2026-11-01T10:00:00+01:00"),
        ("2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z"),
        ("2026-11-01T10:00:00+01:00", "2026-11-01T10:00:00+01:00"),
    ] {
        sb.ok(&["set", &id, &format!("opened_at={typed}")]);
        assert_eq!(opened(&sb, &id), want, "{typed}");
    }
}

#[test]
fn new_takes_a_local_time() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident(
        "Journal nere",
        &[
            "impact=high",
            "urgency=medium",
            "opened_at=2026-11-20 10:00",
        ],
    );
    assert_eq!(opened(&sb, &id), "2026-11-20T10:00:00+01:00");
}

#[test]
fn the_zone_is_the_repositorys() {
    let sb = Sandbox::with_repo();
    let config = sb.root().join("arende.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\ntimezone: Europe/London\n")).unwrap();
    sb.git().commit_all("London");
    let id = sb.journal_incident();
    sb.ok(&["set", &id, "opened_at=2026-11-01 10:00"]);
    assert_eq!(opened(&sb, &id), "2026-11-01T10:00:00+00:00");
}

#[test]
fn daylight_saving_edges_are_refused_with_the_fix() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let names = [(id.as_str(), "[ID]")];
    let out = sb.run(&["set", &id, "opened_at=2026-03-29 02:30"]);
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(redact(&said(&out), &names), @r"
        --- stdout
        --- stderr
        arende::usage

          × opened_at: `2026-03-29 02:30` does not exist in Europe/Stockholm: the clocks go forward an hour that night
          help: write a time outside the skipped hour, e.g. 2026-03-29T03:30:00+02:00 (what the clock read an hour on), or give the offset
    ");
    let out = sb.run(&["set", &id, "opened_at=2026-10-25 02:30"]);
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(redact(&said(&out), &names), @r"
        --- stdout
        --- stderr
        arende::usage

          × opened_at: `2026-10-25 02:30` happens twice in Europe/Stockholm: the clocks go back an hour that night
          help: give the offset: 2026-10-25T02:30:00+02:00 for the first, 2026-10-25T02:30:00+01:00 for the second
    ");
    let out = sb.run(&["set", &id, "opened_at=soon"]);
    assert_eq!(code(&out), 2);
    insta::assert_snapshot!(redact(&said(&out), &names), @r"
        --- stdout
        --- stderr
        arende::usage

          × opened_at: `soon` is not a time arende can read: write 2026-12-04 14:00, 4/12/2026, RFC 3339, now, today, yesterday, tomorrow, or an offset from now such as -2d, +3h, -30m, -1w
          help: a time without an offset is local time in the repository's timezone; words and offsets count from the clock (--now, if given): `yesterday 14:00` is 14:00 yesterday, `-2d` 48 hours ago,
                `+30m` half an hour on
    ");
}
