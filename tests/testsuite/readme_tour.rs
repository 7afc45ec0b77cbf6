//! The README's five-minute tour, run command by command in a temporary
//! repository with the pinned clock and author, each command's human output
//! kept as an `insta` snapshot: a wording change anywhere on the tour is a
//! visible diff. Every command run here is checked to be in the README, so
//! the tour and this test move together.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::*;

const README: &str = include_str!("../../README.md");

/// One command of the tour.
struct Step {
    /// The snapshot's name.
    name: &'static str,
    /// The command as the README shows it (checked to be there).
    shown: &'static str,
    /// The arguments, with `$ID`-style variables filled in from earlier steps.
    args: &'static [&'static str],
    /// Keep stdout (trimmed) as this variable, for later steps.
    keep: Option<&'static str>,
}

const fn step(name: &'static str, shown: &'static str, args: &'static [&'static str]) -> Step {
    Step {
        name,
        shown,
        args,
        keep: None,
    }
}

/// The tour in the Inera repository, in the README's order.
const INERA: &[Step] = &[
    Step {
        name: "new_incident",
        shown: "ID=$(arende new incident --title \"Nationella tjänsteplattformen svarar inte\"",
        args: &[
            "new",
            "incident",
            "--title",
            "Nationella tjänsteplattformen svarar inte",
            "impact=high",
            "urgency=high",
            "reported_via=phone",
            "reporter.party=kund",
            "reporter.organisation=Region Exempel",
            "tickets.kund=RE-4711",
        ],
        keep: Some("$ID"),
    },
    step("show", "arende show $ID ", &["show", "$ID"]),
    step(
        "show_table",
        "arende show $ID --format table",
        &["show", "$ID", "--format", "table"],
    ),
    step(
        "status_assigned",
        "arende status $ID assigned --group servicedesk",
        &["status", "$ID", "assigned", "--group", "servicedesk"],
    ),
    step(
        "status_in_progress",
        "arende status $ID in_progress --note \"felsökning pågår\"",
        &["status", "$ID", "in_progress", "--note", "felsökning pågår"],
    ),
    step(
        "status_closed_refused",
        "arende status $ID closed",
        &["status", "$ID", "closed"],
    ),
    step(
        "set_urgency",
        "arende set $ID urgency=medium",
        &["set", "$ID", "urgency=medium"],
    ),
    step(
        "set_priority_override",
        "arende set $ID priority=1 priority_reason=\"vårdgivare utan journal\"",
        &[
            "set",
            "$ID",
            "priority=1",
            "priority_reason=vårdgivare utan journal",
        ],
    ),
    step("policy_show", "arende policy show ", &["policy", "show"]),
    step(
        "policy_explain",
        "arende policy explain INC002",
        &["policy", "explain", "INC002"],
    ),
    Step {
        name: "new_change",
        shown: "CHG=$(arende new change --title \"Certifikatbyte\" category=normal change_type=modification)",
        args: &[
            "new",
            "change",
            "--title",
            "Certifikatbyte",
            "category=normal",
            "change_type=modification",
        ],
        keep: Some("$CHG"),
    },
    step("link", "arende link $ID $CHG", &["link", "$ID", "$CHG"]),
    step(
        "status_submitted",
        "arende status $CHG submitted",
        &["status", "$CHG", "submitted"],
    ),
    step(
        "status_approved_refused",
        "arende status $CHG approved",
        &["status", "$CHG", "approved"],
    ),
    step(
        "approve_own_refused",
        "arende approve $CHG --by andringsforum ",
        &["approve", "$CHG", "--by", "andringsforum"],
    ),
    step(
        "approve",
        "arende --author \"Åsa Forum <asa@inera.example>\" approve $CHG --by andringsforum",
        &[
            "--author",
            "Åsa Forum <asa@inera.example>",
            "approve",
            "$CHG",
            "--by",
            "andringsforum",
        ],
    ),
    step(
        "status_approved",
        "arende status $CHG approved",
        &["status", "$CHG", "approved"],
    ),
    step(
        "classify_check",
        "arende classify --check",
        &["classify", "--check"],
    ),
    step("list", "arende list ", &["list"]),
    step(
        "list_json",
        "arende list incident --status in_progress --where reporter.party=kund --format json",
        &[
            "list",
            "incident",
            "--status",
            "in_progress",
            "--where",
            "reporter.party=kund",
            "--format",
            "json",
        ],
    ),
    step("log", "arende log $ID ", &["log", "$ID"]),
    step("validate", "arende validate ", &["validate"]),
    step(
        "validate_github",
        "arende validate --format github",
        &["validate", "--format", "github"],
    ),
    step(
        "export_csv",
        "arende export --format csv > ärenden.csv",
        &["export", "--format", "csv"],
    ),
];

/// On the branch `certifikat` (made by git, as the README does).
const BRANCH: &[Step] = &[
    step(
        "status_scheduled",
        "arende status $CHG scheduled",
        &["status", "$CHG", "scheduled"],
    ),
    step(
        "review",
        "arende review main..certifikat",
        &["review", "main..certifikat"],
    ),
    step("hook_install", "arende hook install", &["hook", "install"]),
    step("setup", "arende setup ", &["setup"]),
];

/// In the E-hälsomyndigheten repository.
const EHM: &[Step] = &[
    step(
        "new_incident_ehm",
        "arende new incident --title \"Receptdepån svarar långsamt\" impact=medium urgency=medium",
        &[
            "new",
            "incident",
            "--title",
            "Receptdepån svarar långsamt",
            "impact=medium",
            "urgency=medium",
        ],
    ),
    step("sla", "arende sla ", &["sla"]),
    step(
        "sla_breached",
        "arende sla --at 2026-12-24T12:00:00+01:00 --breached",
        &["sla", "--at", "2026-12-24T12:00:00+01:00", "--breached"],
    ),
    step("import", "arende import nya.csv ", &["import", "nya.csv"]),
    step(
        "import_again",
        "arende import nya.csv ",
        &["import", "nya.csv"],
    ),
    step(
        "report",
        "arende report --quarter 2026Q4",
        &["report", "--quarter", "2026Q4"],
    ),
];

/// A day at the desk, in the Stockholm repository, as Nils.
const DESK: &[Step] = &[
    Step {
        name: "desk_new",
        shown: "ID=$(arende new incident --title \"Elever kan inte logga in\" impact=hög urgency=medel",
        args: &[
            "new",
            "incident",
            "--title",
            "Elever kan inte logga in",
            "impact=hög",
            "urgency=medel",
            "reporter.party=Service desk",
            "reported_via=telefon",
        ],
        keep: Some("$ID"),
    },
    step(
        "desk_assigned_to_me",
        "arende status $ID assigned --to me",
        &["status", "$ID", "assigned", "--to", "me"],
    ),
    step(
        "desk_note",
        "arende note $ID \"Ringde Rinkebyskolan: alla elever berörs\"",
        &["note", "$ID", "Ringde Rinkebyskolan: alla elever berörs"],
    ),
    step(
        "desk_reply",
        "arende note $ID \"Vi felsöker inloggningen\" --customer",
        &["note", "$ID", "Vi felsöker inloggningen", "--customer"],
    ),
    step(
        "desk_my_queue",
        "arende list --mine --open",
        &["list", "--mine", "--open"],
    ),
    step(
        "desk_in_progress",
        "arende status $ID pågår",
        &["status", "$ID", "pågår"],
    ),
    step(
        "desk_takeover",
        "arende assign $ID --group drift --to leo",
        &["assign", "$ID", "--group", "drift", "--to", "leo"],
    ),
    Step {
        name: "desk_problem",
        shown: "PRB=$(arende new problem --title \"Inloggningen faller vid hög last\" --link $ID)",
        args: &[
            "new",
            "problem",
            "--title",
            "Inloggningen faller vid hög last",
            "--link",
            "$ID",
        ],
        keep: Some("$PRB"),
    },
    step(
        "desk_resolution",
        "arende set $ID resolution=\"Certifikatet förnyat\"",
        &["set", "$ID", "resolution=Certifikatet förnyat"],
    ),
    step(
        "desk_resolved_refused",
        "arende status $ID löst                         # refused",
        &["status", "$ID", "löst"],
    ),
    step(
        "desk_approve_takeover",
        "arende --author \"Kim Stad <kim@stad.example>\" approve $ID --by Staden --step takeover",
        &[
            "--author",
            "Kim Stad <kim@stad.example>",
            "approve",
            "$ID",
            "--by",
            "Staden",
            "--step",
            "takeover",
        ],
    ),
    step(
        "desk_resolved",
        "arende status $ID löst\n",
        &["status", "$ID", "löst"],
    ),
    step("desk_log", "arende log $ID  ", &["log", "$ID"]),
];

/// The here-document the README writes under `cat > FILE <<'END'`.
fn heredoc(file: &str, end: &str) -> String {
    let open = format!("cat > {file} <<'{end}'\n");
    let start = README.find(&open).expect("the README writes the file") + open.len();
    let stop = README[start..]
        .find(&format!("\n{end}\n"))
        .expect("the here-document ends")
        + start;
    format!("{}\n", &README[start..stop])
}

/// The CSV of the tour's import, as the README's here-document holds it.
fn tour_csv() -> String {
    let start = README
        .find("<<'CSV'\n")
        .expect("the README's tour has its import CSV")
        + "<<'CSV'\n".len();
    let end = README[start..].find("\nCSV\n").expect("the CSV ends") + start;
    format!("{}\n", &README[start..end])
}

/// Runs the steps in `dir`, snapshotting each one's exit code and output.
fn run(sb: &Sandbox, dir: &Path, steps: &[Step], vars: &mut BTreeMap<String, String>) {
    run_as(sb, dir, steps, vars, None);
}

/// [`run`], with `ARENDE_AUTHOR` set to `author` where the README exports one.
fn run_as(
    sb: &Sandbox,
    dir: &Path,
    steps: &[Step],
    vars: &mut BTreeMap<String, String>,
    author: Option<&str>,
) {
    for s in steps {
        assert!(
            README.contains(s.shown),
            "the README's tour no longer shows `{}`: keep this test in step",
            s.shown
        );
        let args: Vec<String> = s
            .args
            .iter()
            .map(|a| vars.get(*a).cloned().unwrap_or_else(|| (*a).to_owned()))
            .collect();
        let mut cmd = sb.cmd_in(dir);
        if let Some(a) = author {
            cmd.env("ARENDE_AUTHOR", a);
        }
        let out = cmd.args(&args).output().unwrap();
        assert_no_panic(&out);
        if let Some(var) = s.keep {
            vars.insert(var.to_owned(), stdout(&out).trim().to_owned());
        }
        let mut text = format!(
            "$ arende {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
            s.args.join(" "),
            code(&out),
            stdout(&out),
            stderr(&out)
        );
        // Known IDs by their names; the rest (the import's) by their kind.
        for (var, id) in vars.iter() {
            text = text.replace(id.as_str(), var);
        }
        let root = sb.root().display().to_string();
        text = text.replace(&root, "[work]");
        insta::with_settings!({
            filters => vec![
                (r"(?i)\b(INC|PRB|CHG|REL|SR|CI|CAP)-\d{8}-[0-9A-Z]{6}\b", "$1-[DATE]-[CODE]"),
                (r"\b[0-9a-f]{7}\b", "[commit]"),
                (r"\b[0-9a-f]{40}\b", "[commit]"),
                (r"(?m)in \d+(\.\d+)? ?(ms|s|µs)\b", "in [time]"),
                (r"/[^ \n]*/tmp[^ \n]*|/tmp/[^ \n]*", "[tmp]"),
            ],
            prepend_module_to_snapshot => true,
        }, {
            insta::assert_snapshot!(s.name, text);
        });
    }
}

#[test]
fn the_readme_tour_prints_what_its_snapshots_hold() {
    let sb = Sandbox::new();
    let out = sb.run(&["init", "ärenden", "--policy", "inera"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(README.contains("arende init ärenden --policy inera"));
    let repo: PathBuf = sb.root().join("ärenden");
    let mut vars = BTreeMap::new();
    run(&sb, &repo, INERA, &mut vars);

    // git checkout -b certifikat
    assert!(README.contains("git checkout -b certifikat"));
    let git = git2::Repository::open(&repo).unwrap();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    git.branch("certifikat", &head, false).unwrap();
    git.set_head("refs/heads/certifikat").unwrap();
    git.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    run(&sb, &repo, BRANCH, &mut vars);

    assert!(README.contains("arende init sla-demo --policy ehm"));
    let out = sb.run(&["init", "sla-demo", "--policy", "ehm"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ehm = sb.root().join("sla-demo");
    // The README imports nya.csv from the repository's folder and never
    // commits it.
    sb.leaves_untracked(
        "the tour's nya.csv lies in sla-demo, where the README has it, never committed",
    );
    std::fs::write(ehm.join("nya.csv"), tour_csv()).unwrap();
    run(&sb, &ehm, EHM, &mut vars);
}

#[test]
fn the_readme_day_at_the_desk_prints_what_its_snapshots_hold() {
    let sb = Sandbox::new();
    assert!(README.contains("arende init desken --policy stockholm"));
    let out = sb.run(&["init", "desken", "--policy", "stockholm"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let repo: PathBuf = sb.root().join("desken");
    std::fs::write(
        repo.join("policy/people.yaml"),
        heredoc("policy/people.yaml", "YAML"),
    )
    .unwrap();
    assert!(README.contains("git add policy && git commit -qm \"Desken\""));
    crate::support::Git::open(&repo).commit_all("Desken");
    let author = "Nils Ek <nils@stad.example>";
    assert!(README.contains(&format!("export ARENDE_AUTHOR=\"{author}\"")));
    let mut vars = BTreeMap::new();
    run_as(&sb, &repo, DESK, &mut vars, Some(author));
}
