//! Speed figures of SPEC §5 and issue 13, printed, never asserted: a
//! repository of N records (`ARENDE_BENCH_RECORDS`, default 10 000; CI uses
//! 2 000) is generated with one commit, then the real binary is timed on it,
//! each figure beside what it is compared with and the bound it is held to
//! at 100 000 records.
//!
//! Run: `cargo bench --bench store` (or `ARENDE_BENCH_RECORDS=100000 cargo bench --bench store`).
//! `ARENDE_BENCH_REPO=PATH` measures a clone of an existing record
//! repository instead (a corpus not made by the benchmark).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use arende::store::{Author, Store};
use rayon::prelude::*;

mod common;

use common::best_of;
use common::{AUTHOR, NOW, fmt, mib, run, run_measured, timed};

/// One line of the table: what, its figure, its ratio where it has one, and the bound.
struct Row {
    what: String,
    figure: String,
    ratio: String,
    bound: &'static str,
}

fn row(what: &str, figure: String, ratio: Option<f64>, bound: &'static str) -> Row {
    Row {
        what: what.to_owned(),
        figure,
        ratio: ratio.map_or_else(String::new, |r| format!("{r:.2}x")),
        bound,
    }
}

fn main() {
    let n: usize = std::env::var("ARENDE_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let started = std::time::Instant::now();
    // A repository not made here (`ARENDE_BENCH_REPO`) is measured on a
    // clone, so the records `new` files do not land in it.
    let outside = std::env::var_os("ARENDE_BENCH_REPO");
    let (n, show_id, made) = match &outside {
        Some(src) => {
            let out = Command::new("git")
                .args(["clone", "-q", "--no-hardlinks"])
                .arg(src)
                .arg(&root)
                .output()
                .expect("run git clone");
            assert!(out.status.success(), "git clone {src:?} failed");
            let files = record_files(&root);
            let first = files
                .iter()
                .find_map(|p| p.file_stem()?.to_str().map(str::to_owned))
                .expect("the repository has records");
            (files.len(), first, "clone of ARENDE_BENCH_REPO")
        }
        None => {
            run(
                &home,
                &root,
                &[
                    "init",
                    "--policy",
                    "ehm",
                    root.to_str().expect("utf-8 path"),
                ],
            );
            generate(&root, n);
            (
                n,
                "INC-20240201-000001".to_owned(),
                "generate + one commit (library)",
            )
        }
    };
    let generated = started.elapsed();

    let bare = best_of(3, || {
        let parsed = bare_parse(&root);
        assert_eq!(parsed, n, "every generated record parses");
    });
    let mut validate = (Duration::MAX, None);
    for _ in 0..3 {
        let (t, peak) = run_measured(&home, &root, &["validate", "-q"]);
        if t < validate.0 {
            validate = (t, peak);
        }
    }
    let list_args = ["list", "incident", "--status", "new", "--priority", "1"];
    let (list_cold, _) = run_measured(&home, &root, &list_args);
    let list = best_of(5, || run(&home, &root, &list_args));
    let (_, list_peak) = run_measured(&home, &root, &list_args);
    let sla = best_of(3, || run(&home, &root, &["sla"]));
    let report = best_of(3, || run(&home, &root, &["report", "--quarter", "2026Q4"]));
    let show = best_of(5, || run(&home, &root, &["show", &show_id]));
    let news = median(time_new(&home, &root));
    let git = median(time_git_commit(&home, &root));

    let secs = |d: Duration| d.as_secs_f64();
    let rows = [
        row(made, fmt(generated), None, ""),
        row(
            "bare parse: walkdir + rayon + serde_yaml (best of 3)",
            fmt(bare),
            None,
            "",
        ),
        row(
            "arende validate (best of 3) / bare parse",
            fmt(validate.0),
            Some(secs(validate.0) / secs(bare)),
            "<= 1.5x",
        ),
        row(
            "arende validate, peak memory",
            mib(validate.1),
            None,
            "<= 300 MiB",
        ),
        row(
            "arende list, first run (builds the cache)",
            fmt(list_cold),
            None,
            "",
        ),
        row(
            "arende list --status new --priority 1 (warm, best of 5)",
            fmt(list),
            None,
            "<= 0.3 s",
        ),
        row("arende list, peak memory", mib(list_peak), None, ""),
        row("arende sla (best of 3)", fmt(sla), None, "<= 1 s"),
        row(
            "arende report --quarter (best of 3)",
            fmt(report),
            None,
            "<= 1 s",
        ),
        row("arende show (best of 5)", fmt(show), None, ""),
        row(
            "git add + git commit of one file (median of 5)",
            fmt(git),
            None,
            "",
        ),
        row(
            "arende new incident (median of 5) / git add+commit",
            fmt(news),
            Some(secs(news) / secs(git)),
            "<= 0.5x",
        ),
    ];
    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    println!("arende store benchmark: {n} records, {cores} cores (bounds are for 100 000 records)");
    for r in rows {
        println!(
            "{:<58} {:>10} {:>7}  {}",
            r.what, r.figure, r.ratio, r.bound
        );
    }
}

/// What reading the repository costs at the least: every record file found,
/// read and parsed as YAML, in parallel; how many parsed.
fn bare_parse(root: &Path) -> usize {
    record_files(root)
        .par_iter()
        .filter(|p| {
            std::fs::read_to_string(p)
                .ok()
                .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
                .is_some()
        })
        .count()
}

/// Every `.yaml` file under the record folders, at any depth.
fn record_files(root: &Path) -> Vec<std::path::PathBuf> {
    arende::kind::Kind::ALL
        .iter()
        .flat_map(|k| walkdir::WalkDir::new(root.join(k.dir())).sort_by_file_name())
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.into_path())
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Git's own `git add` + `git commit` of one new file, five times.
fn time_git_commit(home: &Path, root: &Path) -> Vec<Duration> {
    (0..5)
        .map(|i| {
            let rel = format!("incidents/bench-git-{i}.txt");
            std::fs::write(root.join(&rel), format!("one file {i}\n")).expect("write");
            timed(|| {
                git(home, root, &["add", "--", &rel]);
                git(
                    home,
                    root,
                    &["commit", "-q", "--no-verify", "-m", "bench: one file"],
                );
            })
        })
        .collect()
}

fn git(home: &Path, root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench Mark")
        .env("GIT_AUTHOR_EMAIL", "bench@example.se")
        .env("GIT_COMMITTER_NAME", "Bench Mark")
        .env("GIT_COMMITTER_EMAIL", "bench@example.se")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn generate(root: &Path, n: usize) {
    let store = Store::open(root).expect("open");
    let mut tx = store.begin().expect("lock");
    let statuses = [
        "new",
        "assigned",
        "in_progress",
        "awaiting_customer",
        "resolved",
        "closed",
    ];
    let levels = ["high", "medium", "low"];
    for i in 1..=n {
        let status = statuses[i % statuses.len()];
        let (impact, urgency) = (levels[i % 3], levels[(i / 3) % 3]);
        let priority = store
            .policy()
            .priority_for(level(impact), level(urgency))
            .map_or(3, |p| p.get());
        // Spread over three years of month folders, as a desk's records are.
        let month = i % 36;
        let (year, month) = (2024 + month / 12, month % 12 + 1);
        let id = format!("INC-{year}{month:02}01-{i:06}");
        let text = format!(
            "id: {id}\nkind: incident\ntitle: Generated incident {i}\ndescription: |-\n  Line one of a description.\n  Line two.\n\
             status: {status}\nopened_at: {year}-{month:02}-01T08:00:00+01:00\nservice: E-recept\nservice_class: A\n\
             impact: {impact}\nurgency: {urgency}\npriority: {priority}\nreporter:\n  party: aktor\n  organisation: Region {r}\n\
             reported_via: phone\npatient_safety: none\nmajor_incident_manager: Eva Ek\nhistory:\n{history}",
            history = history_to(status),
            r = i % 21
        );
        let id = arende::id::RecordId::parse(&id).expect("a generated ID parses");
        tx.write_file(
            arende::store::home_path(arende::kind::Kind::Incident, &id),
            text.into_bytes(),
        );
    }
    let author = Author::parse(AUTHOR).expect("author");
    let now = arende::clock::parse_time(NOW).expect("time");
    tx.commit("bench: generated records", &author, &now)
        .expect("commit");
}

/// Five `arende new incident` runs.
fn time_new(home: &Path, dir: &Path) -> Vec<Duration> {
    let args = [
        "new",
        "incident",
        "--title",
        "Bench",
        "impact=low",
        "urgency=low",
    ];
    (0..5).map(|_| timed(|| run(home, dir, &args))).collect()
}

/// History events walking the incident status machine from `new` to
/// `status`, as commands would have written them: `validate` checks it.
fn history_to(status: &str) -> String {
    const WALK: [&str; 5] = ["new", "assigned", "in_progress", "resolved", "closed"];
    let steps: Vec<&str> = match status {
        "awaiting_customer" => vec!["new", "assigned", "in_progress", "awaiting_customer"],
        other => {
            let end = WALK.iter().position(|s| *s == other).unwrap_or(0);
            WALK[..=end].to_vec()
        }
    };
    steps
        .iter()
        .enumerate()
        .map(|(minute, s)| {
            format!("- at: 2026-11-01T08:{minute:02}:00+01:00\n  by: {AUTHOR}\n  status: {s}\n")
        })
        .collect()
}

fn level(s: &str) -> arende::record::Level {
    match s {
        "high" => arende::record::Level::High,
        "medium" => arende::record::Level::Medium,
        _ => arende::record::Level::Low,
    }
}
