//! Every refusal names its fix. For every rule of every pack (enumerated
//! from the compiled policy), the rule's case file in `tests/rules/` files a
//! record that breaks it; `arende validate` must then give a help that is
//! not empty, names the field (or the link key, step or status the rule
//! reads), says what to do, and, for rules about other records or the
//! standard-change register, names them. The commands' refusals carry the
//! same help: the refusals the issue reported are checked through `new`,
//! `status` and `set`.

use crate::support::cases::*;
use crate::support::*;
use arende::policy::{Policy, Rule, Test};
use serde_yaml::Value;

/// The words a help must name one of: the fields, link keys, steps and
/// statuses the rule's requirements read.
fn names(rule: &Rule) -> Vec<String> {
    let mut out = Vec::new();
    for p in &rule.require {
        out.extend(p.field.clone());
        match &p.test {
            Test::Linked(k) => out.push(k.clone()),
            Test::LinkedAll(la) | Test::LinkedAny(la) => out.push(la.links.clone()),
            Test::Approved(steps) => out.extend(steps.iter().cloned()),
            Test::ApprovedBefore(a) => out.extend(a.steps.iter().cloned()),
            Test::Reached(s) => out.push(s.to_string()),
            // A calendar conflict is mended by moving a window.
            Test::NoConflict(c) => out.push(match c.kind {
                arende::policy::rule::ConflictKind::Rollout => "rollout_window".to_owned(),
                _ => "service_window".to_owned(),
            }),
            _ => {}
        }
    }
    out
}

/// Whether a rule reads other records, so its help must name them.
fn about_others(rule: &Rule) -> bool {
    rule.require.iter().any(|p| {
        matches!(
            p.test,
            Test::LinkedAll(_) | Test::LinkedAny(_) | Test::SameAsLinked(_)
        )
    })
}

const DOING: &[&str] = &[
    "set ", "fill in", "remove", "add ", "link", "move", "record ", "run ", "give", "arende ",
    "write", "keep", "create", "return", "file ",
];

/// Files the broken record of one rule's case and checks the help; the
/// error says what is wrong with it.
fn check_rule(pack: &str, rule: &Rule) -> Result<(), String> {
    let path = case_path(pack, &rule.id);
    let case =
        load_case(&path).map_err(|e| format!("{}: {e} (every rule has a case)", path.display()))?;
    assert_eq!(case.rule, rule.id);

    let sb = Sandbox::new();
    sb.leaves_changes(
        "the case's register and records are written by hand for validate to read, never committed",
    );
    let out = sb.run(&["init", "--policy", pack]);
    if code(&out) != 0 {
        return Err(format!("init: {}", stderr(&out)));
    }
    write_register(sb.root(), &case)?;
    let record = apply_all(&case.record, &case.brk)?;
    write_record(sb.root(), &record)?;
    for other in &case.others {
        let over = case
            .break_others
            .get(&record_id(other)?)
            .cloned()
            .unwrap_or_default();
        write_record(sb.root(), &apply_all(other, &over)?)?;
    }

    let out = sb.run(&["validate", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out))
        .map_err(|e| format!("validate printed no JSON ({e}): {}", stderr(&out)))?;
    let finding = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == rule.id.as_str())
        .ok_or_else(|| format!("the break gives no {} finding: {report}", rule.id))?;
    let help = finding["help"].as_str().unwrap_or_default().trim();
    let mut problems = Vec::new();
    if help.is_empty() {
        problems.push("the help is empty".to_owned());
    }
    let names = names(rule);
    if !names.iter().any(|n| help.contains(n.as_str())) {
        problems.push(format!("the help names none of {names:?}"));
    }
    let lower = help.to_lowercase();
    if !DOING.iter().any(|d| lower.contains(d)) {
        problems.push("the help says nothing to do".to_owned());
    }
    // A rule about linked records must name them, where there are any.
    let linked = record
        .get("links")
        .and_then(Value::as_mapping)
        .is_some_and(|l| {
            l.values()
                .any(|v| v.as_sequence().is_some_and(|s| !s.is_empty()))
        });
    if about_others(rule) && linked {
        let others: Vec<String> = case
            .others
            .iter()
            .map(record_id)
            .collect::<Result<_, _>>()?;
        if !others.iter().any(|o| help.contains(o.as_str())) {
            problems.push(format!(
                "the help names none of the linked records {others:?}"
            ));
        }
    }
    if rule
        .require
        .iter()
        .any(|p| matches!(p.test, Test::InRegister))
        && !help.contains("policy/standard-changes.yaml")
    {
        problems.push("the help does not name the register".to_owned());
    }
    if help.contains("arende set ID ") || help.contains("arende status ID ") {
        problems.push("the help's commands keep the ID placeholder".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n  help: {help}", problems.join("; ")))
    }
}

#[test]
fn every_rule_of_every_pack_names_its_fix() {
    let mut rules: Vec<(String, Rule)> = Vec::new();
    for pack in Policy::names() {
        let policy = Policy::load(pack, None).expect("a built-in pack loads");
        rules.extend(policy.rules.iter().map(|r| (pack.to_owned(), r.clone())));
    }
    assert!(rules.len() > 50, "only {} rules found", rules.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((pack, rule)) = rules.get(i) else {
                        break;
                    };
                    if let Err(e) = check_rule(pack, rule) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{pack} {}: {e}", rule.id));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} rules give no usable fix:\n{}",
        failures.len(),
        rules.len(),
        failures.join("\n")
    );
}

/// The help of a refusal: the text after `help:` on standard error.
fn help_of(out: &std::process::Output) -> String {
    let err = stderr(out);
    let help = err.split_once("help:").map(|(_, h)| h).unwrap_or_default();
    help.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_standard_change_without_a_register_says_how_to_make_one() {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the register is deleted by hand, never committed");
    std::fs::remove_file(sb.root().join("policy/standard-changes.yaml")).ok();
    let out = sb.run(&[
        "new",
        "change",
        "--title",
        "Byt certifikat",
        "description=Certifikatet går ut.",
        "change_type=modification",
        "category=standard",
        "standard_ref=STD-07",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let help = help_of(&out);
    assert!(help.contains("CHG003: set `standard_ref`"), "{help}");
    assert!(
        help.contains("`STD-07` does not count: it is not there; policy/standard-changes.yaml has no entry that counts"),
        "{help}"
    );
    assert!(
        help.contains("add one with `changes: [{id: STD-07"),
        "{help}"
    );
}

#[test]
fn a_release_refused_for_its_change_names_the_change() {
    let sb = Sandbox::with_repo();
    let change = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Rätta beställningsflödet",
            "description=Beställningar avbryts vid hög last.",
            "change_type=fix",
            "category=normal",
        ])
        .trim()
        .to_owned();
    let release = sb
        .ok(&[
            "new",
            "release",
            "--title",
            "Hjälpmedelstjänsten 4.2",
            "description=Kvartalsrelease.",
            "version=4.2",
        ])
        .trim()
        .to_owned();
    sb.ok(&["link", &release, &change]);
    let out = sb.run(&["status", &release, "approved"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let help = help_of(&out);
    assert!(
        help.contains("REL003: every record under `links.changes`"),
        "{help}"
    );
    assert!(
        help.contains(&format!("{change} has `status` draft")),
        "{help}"
    );
}
