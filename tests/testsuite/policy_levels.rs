//! `arende policy show` (human) prints the service levels that only
//! `--format yaml` printed before: the calendar the clocks count in, the
//! clocks, and the availability targets.

use assert_cmd::Command;

fn show(pack: &str) -> String {
    let out = Command::cargo_bin("arende")
        .expect("binary")
        .args(["policy", "show", "--pack", pack, "--color", "never"])
        .env("NO_COLOR", "1")
        .env_remove("ARENDE_DIR")
        .output()
        .expect("run");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn ehm_shows_its_calendar_clocks_and_availability_targets() {
    let text = show("ehm");
    assert!(
        text.contains("calendar: office hours 08:00–18:00 on mon, tue, wed, thu, fri, timezone Europe/Stockholm"),
        "{text}"
    );
    for clock in [
        "troubleshooting",
        "feedback",
        "15 min",
        "3 working days",
        "24/7",
    ] {
        assert!(text.contains(clock), "{clock} missing:\n{text}");
    }
    assert!(
        text.contains("availability targets: class A 99.9 %, class B 98 %"),
        "{text}"
    );
    assert!(
        text.contains("crisis assessment: an outage longer than 120 min"),
        "{text}"
    );
}

#[test]
fn a_pack_without_service_levels_says_so() {
    let text = show("stockholm");
    assert!(text.contains("Service levels: none"), "{text}");
}
