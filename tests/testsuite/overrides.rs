//! `policy/overrides.yaml` range checks (issue 9): every number a repository
//! overrides is checked when the pack loads, and a bad one is an error that
//! names the file and the dotted key, never a panic or a hang in `sla` or
//! `report`.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::support::bounded;
use crate::support::*;

/// How long any command here may take before the test calls it a hang.
const BOUND: Duration = Duration::from_secs(30);

/// A sandbox holding a copy of the EHM fixture (a pack with SLA clocks and
/// availability targets).
fn ehm() -> Sandbox {
    let sb = Sandbox::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ehm");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = sb.root().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    sb
}

/// The EHM pack's clocks, as an override would restate them, with `from`
/// replaced by `to` (a list is replaced whole by an override, so changing
/// one target means writing all the clocks).
fn clocks_with(from: &str, to: &str) -> String {
    let pack = include_str!("../../src/policy/packs/ehm.yaml");
    let start = pack.find("  clocks:").expect("the ehm pack has clocks");
    let clocks = &pack[start..];
    assert!(clocks.contains(from), "`{from}` is in the ehm clocks");
    format!("service_levels:\n{}", clocks.replacen(from, to, 1))
}

fn write_override(sb: &Sandbox, text: &str) {
    std::fs::write(sb.root().join("policy/overrides.yaml"), text).unwrap();
}

/// Runs the binary, failing the test past [`BOUND`].
fn run_bounded(sb: &Sandbox, args: &[&str]) -> Output {
    let mut cmd = sb.std_cmd_in(sb.root());
    cmd.args(args);
    let (out, _) = bounded::run(cmd, BOUND)
        .unwrap_or_else(|| panic!("arende {args:?} did not finish within {BOUND:?}"));
    assert_no_panic(&out);
    out
}

/// Every command that loads the pack refuses the override with exit 2 and
/// a message naming the file, the key and the allowed range.
fn assert_refused(sb: &Sandbox, key: &str, found: &str) {
    for args in [
        &["sla"][..],
        &["report", "--quarter", "2026Q3"],
        &["policy", "show"],
        &["validate"],
    ] {
        let out = run_bounded(sb, args);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "arende {args:?}: {err}");
        assert!(
            err.contains("policy/overrides.yaml"),
            "arende {args:?} names the file: {err}"
        );
        assert!(
            err.contains(&format!("`{key}`")),
            "arende {args:?} names `{key}`: {err}"
        );
        assert!(err.contains(found), "arende {args:?} says `{found}`: {err}");
        assert!(
            err.contains("it must be"),
            "arende {args:?} gives the range: {err}"
        );
    }
}

#[test]
fn a_clock_target_of_i64_max_minutes_is_refused() {
    let sb = ehm();
    write_override(
        &sb,
        &clocks_with("minutes: 15", "minutes: 9223372036854775807"),
    );
    assert_refused(
        &sb,
        "service_levels.clocks[0].target.minutes",
        "is 9223372036854775807 (clock `troubleshooting`)",
    );
}

#[test]
fn four_billion_working_days_are_refused_quickly() {
    let sb = ehm();
    write_override(
        &sb,
        &clocks_with("working_days: 3", "working_days: 4000000000"),
    );
    assert_refused(
        &sb,
        "service_levels.clocks[1].target.working_days",
        "is 4000000000",
    );
}

#[test]
fn negative_and_zero_targets_are_refused() {
    for (from, to, key) in [
        (
            "working_days: 3",
            "working_days: -3",
            "clocks[1].target.working_days",
        ),
        ("minutes: 15", "minutes: 0", "clocks[0].target.minutes"),
        ("minutes: 15", "minutes: 1.5", "clocks[0].target.minutes"),
        (
            "minutes: 15",
            "minutes: fifteen",
            "clocks[0].target.minutes",
        ),
        ("{minutes: 15}", "{hours: 9000}", "clocks[0].target.hours"),
    ] {
        let sb = ehm();
        write_override(&sb, &clocks_with(from, to));
        let out = run_bounded(&sb, &["sla"]);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{to}: {err}");
        assert!(
            err.contains(&format!("`service_levels.{key}`")),
            "{to}: {err}"
        );
    }
}

#[test]
fn an_availability_target_of_nan_is_refused() {
    let sb = ehm();
    write_override(&sb, "service_levels:\n  availability: {A: .nan}\n");
    assert_refused(
        &sb,
        "service_levels.availability.A",
        "is not a finite number",
    );
}

#[test]
fn availability_targets_must_lie_above_0_and_at_most_100_percent() {
    for bad in ["-1", "0", "100.5", "1000", ".inf", "\"high\"", "[99]"] {
        let sb = ehm();
        write_override(
            &sb,
            &format!("service_levels:\n  availability: {{B: {bad}}}\n"),
        );
        let out = run_bounded(&sb, &["report", "--quarter", "2026Q3"]);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{bad}: {err}");
        assert!(
            err.contains("`service_levels.availability.B`"),
            "{bad}: {err}"
        );
        assert!(err.contains("at most 100 percent"), "{bad}: {err}");
    }
}

#[test]
fn other_numbers_of_a_pack_are_range_checked() {
    for (text, key) in [
        (
            "service_levels:\n  crisis_after_minutes: 9223372036854775807\n",
            "service_levels.crisis_after_minutes",
        ),
        (
            "service_levels:\n  crisis_after_minutes: -5\n",
            "service_levels.crisis_after_minutes",
        ),
        (
            "release_scheme:\n  max_deployed: 0\n",
            "release_scheme.max_deployed",
        ),
        (
            "release_scheme:\n  max_deployed: 18446744073709551615\n",
            "release_scheme.max_deployed",
        ),
        ("request_priority: 300\n", "request_priority"),
        (
            "service_levels:\n  major_incident_priorities: [1, -2]\n",
            "service_levels.major_incident_priorities[1]",
        ),
        (
            "matrix:\n  cells:\n    high: {high: 9}\n",
            "matrix.cells.high.high",
        ),
        (
            "patient_safety_priority: {major: 0}\n",
            "patient_safety_priority.major",
        ),
    ] {
        let sb = ehm();
        write_override(&sb, text);
        let out = run_bounded(&sb, &["sla"]);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{text}: {err}");
        assert!(err.contains(&format!("`{key}`")), "{text}: {err}");
        assert!(err.contains("policy/overrides.yaml"), "{text}: {err}");
    }
}

#[test]
fn bad_office_hours_name_the_file() {
    let sb = ehm();
    write_override(
        &sb,
        "service_levels:\n  calendar:\n    office_hours: {open: \"18:00\", close: \"08:00\"}\n",
    );
    let out = run_bounded(&sb, &["sla"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("policy/overrides.yaml"), "{err}");
    assert!(err.contains("must be before close"), "{err}");
    assert!(err.contains("help:"), "an actionable hint: {err}");
}

/// A status is read as one of the statuses the record model knows: a text
/// that is no status of any kind is refused as the pack is read, listing
/// them all; a status of another kind than the one named is refused by the
/// pack's check, naming the kind and its statuses.
#[test]
fn a_status_no_kind_has_and_one_of_another_kind_are_refused() {
    let sb = ehm();
    write_override(&sb, "status_machines:\n  change:\n    initial: bogus\n");
    let out = run_bounded(&sb, &["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("policy/overrides.yaml"), "{err}");
    assert!(
        err.contains(
            "policy pack `ehm`: `bogus` is no status of any kind of record (new, assigned, in_progress,"
        ),
        "{err}"
    );
    write_override(&sb, "status_machines:\n  change:\n    initial: deployed\n");
    let out = run_bounded(&sb, &["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("status machine of change: `deployed` is not a change status (draft, submitted, approved, scheduled, implemented, reviewed, closed, rejected)"),
        "{err}"
    );
}

#[test]
fn good_overrides_still_apply() {
    let sb = ehm();
    write_override(
        &sb,
        &format!(
            "{}  availability: {{A: 99.5, B: 97.5}}\n  crisis_after_minutes: 30\n",
            clocks_with("minutes: 15", "minutes: 30")
        ),
    );
    let sla = run_bounded(&sb, &["sla", "--format", "json"]);
    assert_eq!(code(&sla), 0, "{}", stderr(&sla));
    assert!(stdout(&sla).contains("30 min (24/7)"), "{}", stdout(&sla));
    let report = run_bounded(&sb, &["report", "--quarter", "2026Q3", "--format", "json"]);
    assert_eq!(code(&report), 0, "{}", stderr(&report));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(json["crisis_after_minutes"], 30);
    let targets: Vec<f64> = json["availability"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["target_percent"].as_f64())
        .collect();
    assert!(
        !targets.is_empty() && targets.iter().all(|t| *t == 97.5),
        "{targets:?}"
    );
}

#[test]
fn the_largest_allowed_targets_answer_quickly() {
    let sb = ehm();
    write_override(
        &sb,
        &clocks_with("working_days: 3", "working_days: 366")
            .replacen("working_days: 5", "working_days: 366", 1)
            .replacen("minutes: 15", "minutes: 527040", 1),
    );
    for args in [&["sla"][..], &["report", "--quarter", "2026Q3"]] {
        let out = run_bounded(&sb, args);
        assert_eq!(code(&out), 0, "arende {args:?}: {}", stderr(&out));
    }
}

/// Defence in depth: a policy built in code can bypass the load-time
/// checks, and the clock arithmetic must still neither panic nor hang.
#[test]
fn clock_arithmetic_saturates_on_targets_no_pack_may_set() {
    use arende::calendar::BusinessCalendar;
    use arende::policy::Policy;
    use arende::record::Record;

    let record = |priority: u8| {
        let yaml = format!(
            "id: INC-20260101-AAAAAA\nkind: incident\ntitle: t\nstatus: in_progress\nopened_at: '2026-03-02T09:00:00+01:00'\npriority: {priority}\nhistory:\n- at: '2026-03-02T09:00:00+01:00'\n  by: A <a@x.se>\n  status: new\n"
        );
        let doc = arende::yaml::Value::Mapping(
            arende::yaml::parse_mapping(Path::new("t.yaml"), &yaml).unwrap(),
        );
        Record::from_doc(Path::new("t.yaml"), Some(&yaml), &doc).unwrap()
    };
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-04T12:00:00+01:00").unwrap();
    let base = Policy::load("ehm", None).unwrap();
    let calendar =
        BusinessCalendar::new(base.service_levels.as_ref().unwrap().calendar.clone()).unwrap();
    let targets = [
        (Some(i64::MAX), None, None),
        (Some(i64::MIN), None, None),
        (None, Some(i64::MAX), None),
        (None, Some(-1), None),
        (None, None, Some(u32::MAX)),
    ];
    for (minutes, hours, working_days) in targets {
        for priority in [2u8, 3] {
            let mut policy = base.clone();
            for clock in &mut policy.service_levels.as_mut().unwrap().clocks {
                clock.target = arende::policy::Target {
                    minutes,
                    hours,
                    working_days,
                };
                if working_days.is_none() {
                    clock.hours = arende::policy::ClockHours::Office;
                }
            }
            let record = record(priority);
            let started = Instant::now();
            let result =
                std::panic::catch_unwind(|| arende::sla::clocks(&policy, &calendar, &record, at));
            let statuses = result.unwrap_or_else(|_| {
                panic!("clocks panicked on {minutes:?} {hours:?} {working_days:?}")
            });
            assert!(!statuses.is_empty());
            assert!(
                started.elapsed() < BOUND,
                "{minutes:?} {hours:?} {working_days:?} took {:?}",
                started.elapsed()
            );
        }
    }
}

#[test]
fn a_desk_open_a_minute_a_day_saturates_instead_of_walking_to_the_end_of_time() {
    use arende::calendar::BusinessCalendar;
    let cal = BusinessCalendar::swedish_office_hours("08:00", "08:01").unwrap();
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+01:00").unwrap();
    let started = Instant::now();
    let end = cal.add_working_hours(start, chrono::Duration::hours(24 * 366 * 10));
    assert!(
        chrono::Datelike::year(&end.date_naive()) > 200_000,
        "saturated: {end}"
    );
    assert!(cal.try_add_working_days(start, u32::MAX).is_none());
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
}

/// A rule rests on a seed clause or says why the repository asks it anyway
/// (`own_choice`): one without either is refused, and an own choice is
/// shown as such.
#[test]
fn a_rule_of_its_own_says_why() {
    let sb = ehm();
    let rule = "rules:\n  - id: LOC001\n    title: A change names its backout plan\n    severity: warning\n    kind: change\n    require:\n      - {field: backout_plan, present: true}\n    message: a change has a backout plan\n";
    write_override(&sb, rule);
    let out = run_bounded(&sb, &["validate"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("rule LOC001: give either the seed `clause` it rests on or, where no clause asks it, `own_choice`"),
        "{err}"
    );
    write_override(
        &sb,
        &format!("{rule}    own_choice: the desk wants every change to say how to back out\n"),
    );
    let out = run_bounded(&sb, &["policy", "explain", "LOC001"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "seed:      none: the pack's own choice\nwhy:       the desk wants every change to say how to back out"
        ),
        "{}",
        stdout(&out)
    );
}
