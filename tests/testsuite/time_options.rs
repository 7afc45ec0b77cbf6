//! Every time option (`--now`, `sla --at`, `report --from`/`--to`) reads
//! the forms a record's time field takes, local time in the repository's
//! zone, and words counted from the clock (`yesterday`, `-2d`); anything
//! else is refused naming the option, and a `--now` given to a command
//! that reads no clock is refused rather than ignored.

use crate::support::*;

fn last_event_at(sb: &Sandbox, id: &str) -> String {
    let events = history(&sb.record(id));
    let last = events.last().expect("an event");
    last.get("at").and_then(|v| v.as_str()).unwrap().to_owned()
}

fn json(sb: &Sandbox, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&sb.ok(args)).expect("json")
}

#[test]
fn now_takes_the_forms_a_field_takes() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    sb.ok(&["set", &id, "urgency=high", "--now", "2026-11-23 10:00"]);
    assert_eq!(last_event_at(&sb, &id), "2026-11-23T10:00:00+01:00");
    sb.ok(&["set", &id, "urgency=low", "--now", "24/11/2026 08:15"]);
    assert_eq!(last_event_at(&sb, &id), "2026-11-24T08:15:00+01:00");
    // ARENDE_NOW reads the same forms.
    let out = sb
        .cmd()
        .args(["set", &id, "urgency=medium"])
        .env("ARENDE_NOW", "2026-11-25T09:00")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(last_event_at(&sb, &id), "2026-11-25T09:00:00+01:00");
}

#[test]
fn a_relative_now_counts_from_the_real_clock() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let before = chrono::Utc::now();
    sb.ok(&["set", &id, "urgency=high", "--now=-2h"]);
    let after = chrono::Utc::now();
    let at = chrono::DateTime::parse_from_rfc3339(&last_event_at(&sb, &id)).unwrap();
    let two_hours = chrono::Duration::hours(2);
    // Whole seconds are kept: a second's slack below.
    assert!(
        at >= before - two_hours - chrono::Duration::seconds(1) && at <= after - two_hours,
        "{at} is not two hours before {before}"
    );
    // `--now -2h`, with a space, is the same option, not a flag `-2`.
    sb.ok(&["set", &id, "urgency=low", "--now", "-1h"]);
}

#[test]
fn sla_at_takes_local_times_and_words() {
    let sb = Sandbox::with_repo();
    sb.journal_incident();
    for (at, want) in [
        ("2026-11-23 09:00", "2026-11-23T09:00:00+01:00"),
        ("23/11/2026", "2026-11-23T00:00:00+01:00"),
        ("yesterday 17:00", "2026-11-21T17:00:00+01:00"),
        ("-1d", "2026-11-21T09:30:00+01:00"),
        ("+3h", "2026-11-22T12:30:00+01:00"),
        ("now", NOW),
    ] {
        let out = json(&sb, &["sla", "--format", "json", "--at", at]);
        assert_eq!(out["at"], want, "--at {at}");
    }
}

#[test]
fn report_from_and_to_take_every_form_of_a_day() {
    let sb = Sandbox::with_repo();
    sb.journal_incident();
    let iso = json(
        &sb,
        &[
            "report",
            "--format",
            "json",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-22",
        ],
    );
    assert_eq!(iso["period"]["from"], "2026-11-01");
    assert_eq!(iso["period"]["to"], "2026-11-22");
    for (from, to) in [
        ("1/11/2026", "today"),
        ("2026-11-01 00:00", "now"),
        ("-3w", "22.11.2026"),
    ] {
        let out = json(
            &sb,
            &["report", "--format", "json", "--from", from, "--to", to],
        );
        assert_eq!(out["period"]["to"], "2026-11-22", "--to {to}");
        if from != "-3w" {
            assert_eq!(out, iso, "--from {from} --to {to}");
        } else {
            assert_eq!(out["period"]["from"], "2026-11-01", "--from {from}");
        }
    }
}

#[test]
fn a_time_no_form_reads_is_refused_naming_the_option() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let commits = sb.git().commit_count();
    for (args, option, typed) in [
        (
            vec!["set", &id, "urgency=high", "--now", "yesterdy"],
            "--now",
            "yesterdy",
        ),
        (
            vec!["status", &id, "assigned", "--now", "-2x"],
            "--now",
            "-2x",
        ),
        (vec!["sla", "--at", "tody"], "--at", "tody"),
        (vec!["sla", "--at", "2 days ago"], "--at", "2 days ago"),
        (
            vec!["report", "--from", "1 July", "--to", "today"],
            "--from",
            "1 July",
        ),
        (
            vec!["report", "--from", "today", "--to", "+1q"],
            "--to",
            "+1q",
        ),
    ] {
        let out = sb.run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?} printed {}", stdout(&out));
        let err = stderr(&out);
        let line = err.lines().find(|l| l.contains('×')).unwrap_or_default();
        assert!(
            line.contains(option) && line.contains(typed) && line.contains("-2d"),
            "{args:?}: {err}"
        );
        assert!(err.contains("help:"), "{args:?}: {err}");
    }
    assert_eq!(sb.git().commit_count(), commits, "nothing was committed");
}

#[test]
fn a_now_given_to_a_command_that_reads_no_clock_is_refused() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    for args in [
        vec!["list", "--now", "yesterday"],
        vec!["--now", "yesterday", "list"],
        vec!["show", &id, "--now", "2026-11-01"],
        vec!["validate", "--now", "2026-11-01"],
    ] {
        let out = sb.run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("--now") && err.contains("does not read the clock"),
            "{args:?}: {err}"
        );
    }
    // ARENDE_NOW, set for a whole session, is no reason to refuse.
    let out = sb.run(&["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(&id));
}

#[test]
fn a_field_takes_words_counted_from_the_commands_clock() {
    let sb = Sandbox::with_repo();
    let id = sb.new_incident(
        "Journal nere",
        &["impact=high", "urgency=medium", "opened_at=-30m"],
    );
    let opened = |sb: &Sandbox| {
        field(&sb.record(&id), "opened_at")
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(opened(&sb), "2026-11-22T09:00:00+01:00");
    sb.ok(&["set", &id, "opened_at=yesterday 14:00"]);
    assert_eq!(opened(&sb), "2026-11-21T14:00:00+01:00");
    sb.ok(&["set", &id, "opened_at=today", "--now", "2026-11-23 08:00"]);
    assert_eq!(opened(&sb), "2026-11-23T00:00:00+01:00");
    let out = sb.run(&["set", &id, "opened_at=yesterdy"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("opened_at") && stderr(&out).contains("-2d"));
}
