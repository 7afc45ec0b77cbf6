//! Every rule of every policy pack, proven by data: `tests/rules/<pack>/<RULE>.yaml`
//! holds a record that meets every rule of the pack and the smallest edit
//! that breaks exactly that rule. Each case runs the real binary in a fresh
//! `arende init --policy <pack>` repository with a pinned environment.
//!
//! A case file:
//!
//! ```yaml
//! rule: INC002
//! note: …                # optional: why the case is built the way it is
//! record: {id: …, kind: incident, …}   # meets every rule of the pack
//! others: []             # optional: records it needs (linked problems, changes, …), clean too
//! register: []           # optional: entries of policy/standard-changes.yaml
//! calendar: {}           # optional: policy/calendar.yaml (freeze and maintenance windows)
//! break:                 # dotted keys set on `record` (`history.2.note`: list indexes
//!   reported_via: email  # are numbers); a null value removes the key or list entry
//! break_others: {}       # optional: the same, by ID, on `others` (for rules about linked
//!                        # records, or to unlink both ways)
//! ```
//!
//! The runner checks, for each case: the clean repository validates with
//! exit 0 and no finding at all (even with `--strict`); after the break,
//! the only rule found is `rule`, its finding is on the record's file
//! and has a line, and the exit code is 1 for an error rule, 0 for a
//! warning rule (1 with `--strict`).
//!
//! Below the cases: the command side of two rules, where `arende status`
//! must refuse a move the rule forbids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::cases::*;
use crate::support::*;
use arende::policy::{Policy, Severity};
use serde::Deserialize;
use serde_yaml::{Mapping, Value};

/// A finding of `arende validate --format json`, the parts the runner reads.
#[derive(Debug, Deserialize)]
struct Finding {
    rule: String,
    severity: String,
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    field: Option<String>,
    message: String,
}

/// Every case file as (pack, path), in a stable order.
fn case_files() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for pack in std::fs::read_dir(cases_dir()).unwrap() {
        let pack = pack.unwrap();
        if !pack.file_type().unwrap().is_dir() {
            continue;
        }
        let name = pack.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(pack.path()).unwrap() {
            let path = file.unwrap().path();
            out.push((name.clone(), path));
        }
    }
    out.sort();
    out
}

/// The rules of a built-in pack: ID → severity.
fn pack_rules(pack: &str) -> BTreeMap<String, Severity> {
    let policy = Policy::load(pack, None).unwrap_or_else(|e| panic!("pack {pack}: {e}"));
    policy
        .rules
        .iter()
        .map(|r| (r.id.clone(), r.severity))
        .collect()
}

// ---------------------------------------------------------------- one case

fn validate(sb: &Sandbox, strict: bool) -> Result<(i32, Vec<Finding>, String), String> {
    let mut args = vec!["validate", "--format", "json"];
    if strict {
        args.push("--strict");
    }
    let out = sb.run(&args);
    let text = stdout(&out);
    let report: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("validate printed no JSON ({e}):\n{text}\n{}", stderr(&out)))?;
    let findings: Vec<Finding> =
        serde_json::from_value(report["findings"].clone()).map_err(|e| format!("findings: {e}"))?;
    Ok((code(&out), findings, text))
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} {} {}:{}:{} {}: {}",
                f.rule,
                f.severity,
                f.path,
                f.line.map_or("-".into(), |l| l.to_string()),
                f.column.map_or("-".into(), |c| c.to_string()),
                f.field.as_deref().unwrap_or("-"),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs one case; the error says everything that went wrong with it.
fn run_case(pack: &str, path: &Path, rules: &BTreeMap<String, Severity>) -> Result<(), String> {
    let case = load_case(path)?;
    let severity = *rules
        .get(&case.rule)
        .ok_or_else(|| format!("the {pack} pack has no rule {}", case.rule))?;
    let stem = path.file_stem().unwrap().to_string_lossy();
    if stem != case.rule.as_str() {
        return Err(format!("the file is named {stem} but tests {}", case.rule));
    }

    let sb = Sandbox::new();
    sb.leaves_changes(
        "the case's register and records are written by hand for validate to read, never committed",
    );
    let out = sb.run(&["init", "--policy", pack]);
    if code(&out) != 0 {
        return Err(format!("init failed: {}", stderr(&out)));
    }
    let root = sb.root();
    write_register(root, &case)?;
    for r in std::iter::once(&case.record).chain(&case.others) {
        write_record(root, r)?;
    }

    // (a) clean: exit 0, nothing found.
    let (clean_code, clean, _) = validate(&sb, true)?;
    if clean_code != 0 || !clean.is_empty() {
        return Err(format!(
            "the unbroken records do not validate cleanly (exit {clean_code}, --strict):\n{}",
            show(&clean)
        ));
    }

    // (b) broken: exactly the rule, on the record, with a line.
    if case.brk.is_empty() && case.break_others.is_empty() {
        return Err("the case breaks nothing".into());
    }
    write_record(root, &apply_all(&case.record, &case.brk)?)?;
    let mut unknown_others: BTreeSet<&String> = case.break_others.keys().collect();
    for other in &case.others {
        let id = record_id(other)?;
        if let Some(over) = case.break_others.get(&id) {
            unknown_others.remove(&id);
            write_record(root, &apply_all(other, over)?)?;
        }
    }
    if !unknown_others.is_empty() {
        return Err(format!(
            "break_others names records not in others: {unknown_others:?}"
        ));
    }
    let (broken_code, broken, _) = validate(&sb, false)?;
    let mut problems = Vec::new();
    let found: BTreeSet<&str> = broken.iter().map(|f| f.rule.as_str()).collect();
    let want: BTreeSet<&str> = [case.rule.as_str()].into();
    if found != want {
        problems.push(format!("the break found {found:?}, not {want:?}"));
    }
    let rel = record_rel(&case.record)?;
    let mine: Vec<&Finding> = broken.iter().filter(|f| f.rule == case.rule).collect();
    if !mine.is_empty() && !mine.iter().any(|f| f.path == rel) {
        problems.push(format!("no {} finding is on {rel}", case.rule));
    }
    if let Some(f) = mine.iter().find(|f| f.line.is_none() || f.column.is_none()) {
        problems.push(format!(
            "the {} finding has no line:column (field {:?})",
            case.rule, f.field
        ));
    }
    if let Some(f) = mine.iter().find(|f| f.severity != severity.as_str()) {
        problems.push(format!(
            "the finding says {}, the pack says {}",
            f.severity,
            severity.as_str()
        ));
    }
    let want_code = match severity {
        Severity::Error => 1,
        Severity::Warning => 0,
    };
    if broken_code != want_code {
        problems.push(format!(
            "validate exits {broken_code}, not {want_code}, for a broken {} rule",
            severity.as_str()
        ));
    }
    if severity == Severity::Warning {
        let (strict_code, ..) = validate(&sb, true)?;
        if strict_code != 1 {
            problems.push(format!(
                "validate --strict exits {strict_code}, not 1, for a broken warning rule"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\nfindings:\n{}",
            problems.join("\n"),
            show(&broken)
        ))
    }
}

#[test]
fn every_rule_case_holds_unbroken_and_fails_broken() {
    let files = case_files();
    assert!(!files.is_empty(), "no case files under tests/rules");
    let packs: BTreeMap<String, BTreeMap<String, Severity>> = Policy::names()
        .map(|p| (p.to_owned(), pack_rules(p)))
        .collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((pack, path)) = files.get(i) else {
                        break;
                    };
                    let result = match packs.get(pack) {
                        Some(rules) => run_case(pack, path, rules),
                        None => Err(format!("{pack} is not a built-in pack")),
                    };
                    if let Err(e) = result {
                        let shown = path.strip_prefix(cases_dir()).unwrap_or(path);
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("tests/rules/{}: {e}", shown.display()));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} rule cases failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_rule_has_a_case_and_every_case_a_rule() {
    let mut problems = Vec::new();
    let files = case_files();
    for pack in Policy::names() {
        for id in pack_rules(pack).keys() {
            let path = cases_dir().join(pack).join(format!("{id}.yaml"));
            if !path.is_file() {
                problems.push(format!(
                    "{pack} rule {id} has no test case: add tests/rules/{pack}/{id}.yaml"
                ));
            }
        }
    }
    let packs: BTreeSet<&str> = Policy::names().collect();
    for (pack, path) in &files {
        let shown = path
            .strip_prefix(cases_dir())
            .unwrap_or(path)
            .display()
            .to_string();
        if !packs.contains(pack.as_str()) {
            problems.push(format!(
                "tests/rules/{shown}: {pack} is not a built-in pack"
            ));
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            problems.push(format!("tests/rules/{shown}: a case file ends in .yaml"));
            continue;
        }
        match load_case(path) {
            Err(e) => problems.push(format!("tests/rules/{shown}: {e}")),
            Ok(case) => {
                let stem = path.file_stem().unwrap().to_string_lossy();
                if !pack_rules(pack).contains_key(&case.rule) {
                    problems.push(format!(
                        "tests/rules/{shown}: the {pack} pack has no rule {}",
                        case.rule
                    ));
                }
                if stem != case.rule.as_str() {
                    problems.push(format!("tests/rules/{shown}: names rule {}", case.rule));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_dotted_keys_of_a_break_set_index_and_remove() {
    let mut doc: Value = serde_yaml::from_str("a: {b: 1}\nl: [{x: 1}, {x: 2}, {x: 3}]\n").unwrap();
    apply(&mut doc, "a.c.d", &Value::from(2)).unwrap();
    apply(&mut doc, "a.b", &Value::Null).unwrap();
    apply(&mut doc, "l.1.x", &Value::from(20)).unwrap();
    apply(&mut doc, "l.0", &Value::Null).unwrap();
    let want: Value = serde_yaml::from_str("a: {c: {d: 2}}\nl: [{x: 20}, {x: 3}]\n").unwrap();
    assert_eq!(doc, want);
    assert!(apply(&mut doc, "l.9", &Value::Null).is_err());
    assert!(apply(&mut doc, "a.nothing", &Value::Null).is_err());
}

// ---------------------------------------------------------------- the command side

/// The first line of `new`'s output: the ID.
fn new_id(sb: &Sandbox, args: &[&str]) -> String {
    sb.ok(args).trim().to_owned()
}

fn refused_naming(sb: &Sandbox, args: &[&str], rule: &str) {
    let out = sb.run(args);
    assert_eq!(
        code(&out),
        1,
        "arende {args:?} must be refused with exit 1:\n{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(rule),
        "arende {args:?}: the refusal does not name {rule}:\n{}",
        stderr(&out)
    );
}

#[test]
fn inera_status_refuses_a_change_without_the_forums_approval() {
    let sb = Sandbox::with_repo();
    let chg = new_id(
        &sb,
        &[
            "new",
            "change",
            "--title",
            "Höj anslutningspoolens gräns",
            "change_type=fix",
            "category=normal",
        ],
    );
    sb.ok(&["status", &chg, "submitted"]);

    // Without Ändringsforum, the change cannot move on towards implemented.
    let before = Snapshot::take(&sb, &chg);
    refused_naming(&sb, &["status", &chg, "approved"], "CHG004");
    assert_eq!(
        Snapshot::take(&sb, &chg),
        before,
        "a refusal changed something"
    );
    // A party that gives no approval of a change is refused outright.
    let out = sb.run(&["--author", APPROVER, "approve", &chg, "--by", "inera"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    refused_naming(&sb, &["status", &chg, "approved"], "CHG004");
    // A rejection by the forum does not count either.
    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
        "--decision",
        "rejected",
    ]);
    refused_naming(&sb, &["status", &chg, "approved"], "CHG004");

    sb.ok(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
        "--note",
        "Ändringsforum 47",
    ]);
    sb.ok(&["status", &chg, "approved"]);
    sb.ok(&["status", &chg, "scheduled"]);
    // CHG005 wants the implementation report first.
    refused_naming(&sb, &["status", &chg, "implemented"], "CHG005");
    sb.ok(&[
        "set",
        &chg,
        "implementation_report.activities=Gränsen höjd på båda noderna",
        "implementation_report.time_spent=40 minuter",
        "implementation_report.result=Genomförd utan avbrott",
    ]);
    sb.ok(&["status", &chg, "implemented"]);
    assert_eq!(
        field(&sb.record(&chg), "status").as_str(),
        Some("implemented")
    );
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// A change someone moved to `scheduled` by hand, without the forum's
/// approval, must not be implemented either (SPEC §3: "an approval by
/// andringsforum before implemented").
#[test]
fn inera_status_refuses_implementing_a_hand_scheduled_change_without_approval() {
    let sb = Sandbox::with_repo();
    let chg = new_id(
        &sb,
        &[
            "new",
            "change",
            "--title",
            "Höj anslutningspoolens gräns",
            "change_type=fix",
            "category=normal",
            "implementation_report.activities=Gränsen höjd",
            "implementation_report.time_spent=40 minuter",
            "implementation_report.result=Genomförd",
        ],
    );
    let path = sb.record_path(&chg);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("status: draft", "status: scheduled")).unwrap();
    sb.git().commit_all("scheduled by hand");
    refused_naming(&sb, &["status", &chg, "implemented"], "CHG004");
}

#[test]
fn stockholm_status_refuses_closing_an_incident_without_stadens_approval() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "stockholm"]);
    let inc = new_id(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "Inloggning till Skolplattformen misslyckas",
            "impact=high",
            "urgency=medium",
            "reporter.party=servicedesk",
            "reported_via=phone",
        ],
    );
    for status in ["assigned", "in_progress", "resolved"] {
        sb.ok(&["status", &inc, status, "--group", "servicedesk"]);
    }
    let before = Snapshot::take(&sb, &inc);
    refused_naming(&sb, &["status", &inc, "closed"], "INC011");
    assert_eq!(
        Snapshot::take(&sb, &inc),
        before,
        "a refusal changed something"
    );
    // Leverantören does not give the closing approval: refused, nothing written.
    let out = sb.run(&[
        "--author",
        APPROVER,
        "approve",
        &inc,
        "--by",
        "leverantor",
        "--step",
        "closing",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("staden"), "{}", stderr(&out));
    refused_naming(&sb, &["status", &inc, "closed"], "INC011");

    // Staden's one pending step on a resolved incident is the closing: inferred.
    sb.ok(&["--author", APPROVER, "approve", &inc, "--by", "staden"]);
    sb.ok(&["status", &inc, "closed"]);
    assert_eq!(field(&sb.record(&inc), "status").as_str(), Some("closed"));
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

// ---------------------------------------------------------------- built-in checks

/// REPO006: E-hälsomyndigheten runs at most two versions in production at
/// once; a third deployed release breaks the limit, on every deployed one.
#[test]
fn ehm_allows_two_deployed_releases_at_once() {
    let sb = Sandbox::new();
    sb.leaves_untracked("the releases are written by hand for validate to read, never committed");
    sb.ok(&["init", "--policy", "ehm"]);
    let release = |id: &str, version: &str, level: &str, status: &str| -> Mapping {
        let statuses = ["planned", "approved", "testing", "deployed", "retired"];
        let upto = statuses.iter().position(|s| *s == status).unwrap();
        let history: Vec<String> = statuses[..=upto]
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!("- at: 2026-11-02T09:{:02}:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: {s}\n", i * 5)
            })
            .collect();
        let text = format!(
            "id: {id}\nkind: release\ntitle: Receptdepån {version}\nstatus: {status}\n\
             opened_at: 2026-11-02T09:00:00+01:00\nversion: '{version}'\nlevel: {level}\n\
             release_notes: Rättningar.\ninformation_published_at: 2026-10-20T09:00:00+01:00\nhistory:\n{}",
            history.concat()
        );
        serde_yaml::from_str(&text).unwrap()
    };
    let releases = [
        release("REL-20261102-AAAAAA", "17.0", "external", "deployed"),
        release("REL-20261102-BBBBBB", "17.1", "external", "deployed"),
        release("REL-20261102-CCCCCC", "17.2", "external", "testing"),
    ];
    for r in &releases {
        write_record(sb.root(), r).unwrap();
    }
    let (exit, found, _) = validate(&sb, true).unwrap();
    assert_eq!(
        (exit, found.len()),
        (0, 0),
        "two deployed releases are allowed:\n{}",
        show(&found)
    );

    let mut third = releases[2].clone();
    third.insert("status".into(), "deployed".into());
    let mut history = third["history"].as_sequence().unwrap().clone();
    history.push(
        serde_yaml::from_str(
            "{at: '2026-11-02T09:15:00+01:00', by: Anna Berg <anna@example.se>, status: deployed}",
        )
        .unwrap(),
    );
    third.insert("history".into(), Value::Sequence(history));
    write_record(sb.root(), &third).unwrap();
    let (exit, found, _) = validate(&sb, false).unwrap();
    assert_eq!(exit, 1, "{}", show(&found));
    let on: BTreeSet<String> = found
        .iter()
        .filter(|f| f.rule == "REPO006")
        .map(|f| f.path.clone())
        .collect();
    // Each of the three deployed releases, on its own file.
    let want: BTreeSet<String> = releases.iter().map(|r| record_rel(r).unwrap()).collect();
    assert_eq!(on, want, "{}", show(&found));
    assert!(
        found
            .iter()
            .all(|f| f.rule == "REPO006" && f.line.is_some()),
        "{}",
        show(&found)
    );
}

#[test]
fn validate_checks_that_history_walks_the_status_machine() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the jump to closed is a hand edit for validate to find, never committed");
    let id = sb.journal_incident();
    for status in ["assigned", "in_progress"] {
        sb.ok(&["status", &id, status, "--group", "servicedesk"]);
    }
    let (code, findings, _) = validate(&sb, false).unwrap();
    assert_eq!(code, 0, "{}", show(&findings));
    assert!(findings.iter().all(|f| f.rule != "REC004"));

    // A hand edit that jumps to closed leaves the history at in_progress.
    let path = sb.record_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "status: in_progress\nopened_at",
            "status: closed\nopened_at",
        ),
    )
    .unwrap();
    let (code, findings, _) = validate(&sb, false).unwrap();
    assert_eq!(code, 1, "{}", show(&findings));
    let f = findings
        .iter()
        .find(|f| f.rule == "REC004")
        .expect("REC004 reported");
    assert!(f.message.contains("ends at in_progress"), "{}", f.message);
    assert!(f.line.is_some(), "points at the history key");

    // A history event that skips a move of the machine.
    std::fs::write(
        &path,
        text.replace("status: assigned\n", "status: resolved\n"),
    )
    .unwrap();
    let (code, findings, _) = validate(&sb, false).unwrap();
    assert_eq!(code, 1, "{}", show(&findings));
    let f = findings
        .iter()
        .find(|f| f.rule == "REC004")
        .expect("REC004 reported");
    assert!(f.message.contains("new → resolved"), "{}", f.message);
}

// ---------------------------------------------------------------- round 2: registration never refused

/// 000 §3.2 *alla incidenter skall registreras*: a slutkund's report without
/// local troubleshooting is registered, with the verdict `refer_to_agent`
/// in the record and INC005 as a warning (it refused registration before).
#[test]
fn inera_registers_a_slutkund_report_without_troubleshooting_with_the_referral_verdict() {
    let sb = Sandbox::with_repo();
    let inc = new_id(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "Beställningar fastnar",
            "impact=medium",
            "urgency=medium",
            "reporter.party=slutkund",
            "tickets.slutkund=VC-1",
            "tickets.agent=AG-1",
            "reported_via=web",
        ],
    );
    assert_eq!(
        field(&sb.record(&inc), "refer_to_agent").as_bool(),
        Some(true)
    );
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sb.run(&["validate", "--strict"]);
    assert_eq!(code(&out), 1, "INC005 is a warning");
    assert!(format!("{}{}", stdout(&out), stderr(&out)).contains("INC005"));
    // Troubleshooting done: the verdict follows.
    sb.ok(&["set", &inc, "local_troubleshooting=true"]);
    assert_eq!(
        field(&sb.record(&inc), "refer_to_agent").as_bool(),
        Some(false)
    );
    assert_eq!(code(&sb.run(&["validate", "--strict"])), 0);
}

/// INC007 does not block registering an outage; it is due once the incident
/// is handled, with the outage's nature, extent and estimated resolution.
#[test]
fn inera_registers_an_outage_and_asks_for_its_extent_and_estimate_when_assigned() {
    let sb = Sandbox::with_repo();
    let inc = new_id(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "Tjänsten nere",
            "impact=medium",
            "urgency=medium",
            "reporter.party=kund",
            "tickets.kund=4711",
            "reported_via=email",
            "outage.start=2026-11-02T08:00:00+01:00",
        ],
    );
    refused_naming(
        &sb,
        &["status", &inc, "assigned", "--group", "servicedesk"],
        "INC007",
    );
    sb.ok(&[
        "set",
        &inc,
        "description=Inga beställningar går igenom",
        "outage.extent=Alla regioner",
        "estimated_resolution=2026-11-02T12:00:00+01:00",
    ]);
    sb.ok(&["status", &inc, "assigned", "--group", "servicedesk"]);
}

/// INC002 binds the reporter at registration: a priority-1 report by email
/// is flagged, and so is a kund's report marked monitoring (monitoring is
/// Inera's own channel, 000 §3.2), while Inera's own monitoring alarm is
/// not, and a later escalation to priority 1 of an incident reported by
/// email is not flagged.
#[test]
fn inera_prio_1_by_phone_binds_the_report_not_a_later_escalation() {
    let sb = Sandbox::with_repo();
    let base = [
        "reporter.party=kund",
        "tickets.kund=4711",
        "impact=high",
        "urgency=high",
    ];
    let mut args = vec!["new", "incident", "--title", "Nere"];
    args.extend(base);
    args.push("reported_via=email");
    // The duty is the reporter's: the incident is registered, with a
    // warning (issue 24; 000 §3.2 alla incidenter skall registreras).
    let out = sb.run(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("warning INC002"), "{}", stderr(&out));
    let mut args = vec!["new", "incident", "--title", "Larm från kund"];
    args.extend(base);
    args.push("reported_via=monitoring");
    let out = sb.run(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("warning INC002"), "{}", stderr(&out));
    let out = sb.run(&[
        "new",
        "incident",
        "--title",
        "Larm",
        "reporter.party=inera",
        "impact=high",
        "urgency=high",
        "reported_via=monitoring",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("INC002"), "{}", stderr(&out));
    let inc = new_id(
        &sb,
        &[
            "new",
            "incident",
            "--title",
            "Långsamt",
            "reporter.party=kund",
            "tickets.kund=4712",
            "impact=medium",
            "urgency=medium",
            "reported_via=email",
        ],
    );
    sb.ok(&["set", &inc, "impact=high", "urgency=high"]);
    assert_eq!(field(&sb.record(&inc), "priority").as_u64(), Some(1));
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The kund's e-mail and "monitoring" reports of priority 1 are flagged;
    // Inera's alarm and the later escalation are not.
    assert_eq!(
        stderr(&out).matches("INC002").count(),
        2,
        "{}",
        stderr(&out)
    );
}

/// CAP001 reads measurements from a CSV file like inline ones; a missing
/// file is an error naming it; a reason lets a person's recommendation stand.
#[test]
fn inera_capacity_measurements_from_a_csv_file() {
    let sb = Sandbox::with_repo();
    sb.leaves_untracked(
        "the measurements and the review are written by hand for validate to read, never committed",
    );
    std::fs::create_dir_all(sb.root().join("data")).unwrap();
    std::fs::write(
        sb.root().join("data/node1.csv"),
        "at,cpu,memory,disk\n2026-10-07T12:00:00+02:00,64,58,41\n2026-10-21T12:00:00+02:00,86.5,61,42\n",
    )
    .unwrap();
    let write = |measurements: &str, extra: &str| {
        std::fs::write(
            sb.root().join("capacity/CAP-20261102-HHHHHH.yaml"),
            format!(
                "id: CAP-20261102-HHHHHH\nkind: capacity_review\ntitle: Oktober\nstatus: open\n\
                 opened_at: 2026-11-02T09:00:00+01:00\nmeasurements: {measurements}\n\
                 thresholds: {{upgrade_above: 80.0, downgrade_below: 30.0}}\n{extra}"
            ),
        )
        .unwrap();
    };
    std::fs::create_dir_all(sb.root().join("capacity")).unwrap();
    write("data/node1.csv", "recommendation: upgrade\n");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    write("data/node1.csv", "recommendation: keep\n");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 1);
    assert!(format!("{}{}", stdout(&out), stderr(&out)).contains("CAP001"));
    write(
        "data/node1.csv",
        "recommendation: keep\nrecommendation_reason: Toppen var en engångskörning\n",
    );
    assert_eq!(code(&sb.run(&["validate"])), 0);
    write("data/missing.csv", "recommendation: keep\n");
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        text.contains("CAP001") && text.contains("data/missing.csv"),
        "{text}"
    );
}

/// REPO006 in the command path, on a single status move: a third version
/// package is refused at `status … deployed`.
#[test]
fn ehm_status_refuses_deploying_a_third_version_package() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "ehm"]);
    let mut ids = Vec::new();
    for v in ["17.1", "17.2", "17.3"] {
        let id = new_id(
            &sb,
            &[
                "new",
                "release",
                "--title",
                v,
                &format!("version={v}"),
                "release_notes=Rättningar",
                "information_published_at=2026-01-01T09:00:00+01:00",
            ],
        );
        for s in ["approved", "testing"] {
            sb.ok(&["status", &id, s, "--group", "servicedesk"]);
        }
        ids.push(id);
    }
    sb.ok(&["status", &ids[0], "deployed"]);
    sb.ok(&["status", &ids[1], "deployed"]);
    refused_naming(&sb, &["status", &ids[2], "deployed"], "REPO006");
}

// ---------------------------------------------------------------- round 3: more than one way to break

/// Runs a rule's case with another break than its file's (YAML of dotted
/// keys, as in the file): the rules `validate` then finds.
fn found_with_break(pack: &str, rule: &str, brk: &str, break_others: &str) -> BTreeSet<String> {
    let case = load_case(&case_path(pack, rule)).unwrap();
    let brk: Mapping = serde_yaml::from_str(brk).unwrap();
    let others: BTreeMap<String, Mapping> = serde_yaml::from_str(break_others).unwrap();
    let sb = Sandbox::init_in(Layout::Plain, &["--policy", pack]);
    sb.leaves_changes("the case's records are written by hand for validate to read");
    write_register(sb.root(), &case).unwrap();
    write_record(sb.root(), &apply_all(&case.record, &brk).unwrap()).unwrap();
    for other in &case.others {
        let over = others
            .get(&record_id(other).unwrap())
            .cloned()
            .unwrap_or_default();
        write_record(sb.root(), &apply_all(other, &over).unwrap()).unwrap();
    }
    let (_, findings, _) = validate(&sb, false).unwrap();
    findings.into_iter().map(|f| f.rule).collect()
}

/// 000 §3.2 Prio 4 *vid nästa release*: a release planned before the
/// incident was reported, or with no planned date, is not the next one.
#[test]
fn inera_prb004_the_next_release_is_planned_after_the_incident() {
    let before = "{REL-20261102-DDDDDD: {planned_at: '2026-11-01T18:00:00+01:00'}}";
    assert_eq!(
        found_with_break("inera", "PRB004", "{}", before),
        BTreeSet::from(["PRB004".to_owned()])
    );
    let undated = "{REL-20261102-DDDDDD: {planned_at: null}}";
    assert_eq!(
        found_with_break("inera", "PRB004", "{}", undated),
        BTreeSet::from(["PRB004".to_owned()])
    );
}
