//! Speed figures of SPEC §5 and issue 13, printed, never asserted: a
//! repository of N records (`ARENDE_BENCH_RECORDS`, default 10 000; CI uses
//! 2 000) is generated with one commit, then the real binary is timed on it,
//! each figure beside what it is compared with and the bound it is held to
//! at 100 000 records.
//!
//! Run: `cargo bench --bench store` (or `ARENDE_BENCH_RECORDS=100000 cargo bench --bench store`;
//! `ARENDE_BENCH_RECORDS=100000,300000` measures both sizes and prints how
//! each command's time grew, beside the bare parse's).
//! `ARENDE_BENCH_REPO=PATH` measures a clone of an existing record
//! repository instead (a corpus not made by the benchmark);
//! `ARENDE_BENCH_KEEP=1` leaves the generated one for a profiler.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use arende::store::Author;
use arende::workspace::Workspace;
use rayon::prelude::*;

mod common;

use common::{AUTHOR, NOW, fmt, mib, run, run_measured, timed};
use common::{best_of, settle};

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

/// The commands whose time and peak memory are printed at every size, and
/// whose growth is compared between sizes: the outputs that must stream
/// (each held to 300 MiB at 300 000 records) and the everyday commands.
const MEASURED: &[(&str, &[&str])] = &[
    ("list --format json", &["list", "--format", "json"]),
    ("list (table)", &["list"]),
    ("export --format jsonl", &["export", "--format", "jsonl"]),
    ("export --format csv", &["export", "--format", "csv"]),
    ("export --format json", &["export", "--format", "json"]),
    ("sla --format json", &["sla", "--format", "json"]),
    ("sla (table)", &["sla"]),
    ("validate --format json", &["validate", "--format", "json"]),
    (
        "report --quarter 2026Q4",
        &["report", "--quarter", "2026Q4"],
    ),
    (
        "schedule --format json (a quarter)",
        &[
            "schedule",
            "--from",
            "2026-10-01",
            "--to",
            "2027-01-01",
            "--format",
            "json",
        ],
    ),
];

/// Runs of each reading command, the best kept: at 300 000 records a
/// single slow run (another process, the disk) moved a growth figure by a
/// tenth, and the bound is linear growth within a tenth.
const BEST_OF: usize = 5;

/// Runs of `new` and of git's own add + commit, the median kept.
const WRITES: usize = 9;

/// What one size measured: each command's best time and its peak memory.
struct Figures {
    n: usize,
    bare: Duration,
    commands: Vec<(String, Duration, Option<u64>)>,
    /// The repository, kept until every size is measured: a deleted one's
    /// freed inodes slow the kernel's allocation of new ones for minutes
    /// after (see the import benchmark), which would show as growth.
    _dir: tempfile::TempDir,
}

fn main() {
    // One size, or several separated by commas (`100000,300000`): then
    // each command's growth between the first and the last is printed.
    let sizes: Vec<usize> = std::env::var("ARENDE_BENCH_RECORDS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000]);
    let figures: Vec<Figures> = sizes.iter().map(|&n| measure(n)).collect();
    if let (Some(first), Some(last)) = (figures.first(), figures.last())
        && figures.len() > 1
    {
        growth(first, last);
    }
}

/// Generates (or clones) a repository of `n` records, measures every
/// command on it and prints the table; the figures, for [`growth`].
fn measure(n: usize) -> Figures {
    // ARENDE_BENCH_KEEP=1: the repository outlives the run, for a profiler.
    let keep = std::env::var_os("ARENDE_BENCH_KEEP").is_some();
    let dir = tempfile::Builder::new()
        .disable_cleanup(keep)
        .tempdir()
        .expect("temp dir");
    let root = dir.path().join("repo");
    let home = dir.path().join("home");
    if keep {
        eprintln!("the repository is kept at {}", root.display());
    }
    std::fs::create_dir_all(&home).expect("home");
    let started = std::time::Instant::now();
    let (n, show_id, made) = make_repo(&home, &root, n);
    let generated = started.elapsed();
    settle();

    let bare = best_of(BEST_OF, || {
        let parsed = bare_parse(&root);
        assert_eq!(parsed, n, "every generated record parses");
    });
    let validate = best_measured(BEST_OF, &home, &root, &["validate", "-q"]);
    let list_args = ["list", "incident", "--status", "new", "--priority", "1"];
    let (list_cold, _) = run_measured(&home, &root, &list_args);
    settle();
    let list = best_measured(5, &home, &root, &list_args);
    let show = best_measured(5, &home, &root, &["show", &show_id]);
    let mut commands: Vec<(String, Duration, Option<u64>)> = MEASURED
        .iter()
        .map(|(what, args)| {
            let (t, peak) = best_measured(BEST_OF, &home, &root, args);
            ((*what).to_owned(), t, peak)
        })
        .collect();
    commands.push(("validate".to_owned(), validate.0, validate.1));
    commands.push(("list --status new --priority 1".to_owned(), list.0, list.1));
    commands.push(("show".to_owned(), show.0, show.1));
    let news = median(time_new(&home, &root));
    commands.push(("new incident".to_owned(), news, None));
    let git = median(time_git_commit(&home, &root));
    let site = measure_site(&home, &root, dir.path(), &show_id);

    let secs = |d: Duration| d.as_secs_f64();
    let mut rows = vec![
        row(made, fmt(generated), None, ""),
        row(
            "bare parse: walkdir + rayon + serde_yaml (best of 5)",
            fmt(bare),
            None,
            "",
        ),
        row(
            "arende validate (best of 5) / bare parse",
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
            fmt(list.0),
            None,
            "<= 0.3 s",
        ),
        row("arende list, peak memory", mib(list.1), None, ""),
    ];
    for (what, args) in MEASURED {
        let (_, t, peak) = commands
            .iter()
            .find(|(w, ..)| w == what)
            .expect("measured above");
        let bound = match args {
            ["sla", "--format", "json"] => "<= 1 s",
            ["report", ..] => "<= 1 s",
            _ => "",
        };
        rows.push(row(
            &format!("arende {what} (best of 5) / bare parse"),
            fmt(*t),
            Some(secs(*t) / secs(bare)),
            bound,
        ));
        rows.push(row(
            &format!("arende {what}, peak memory"),
            mib(*peak),
            None,
            "<= 300 MiB at 300 000",
        ));
    }
    rows.extend([
        row("arende show (best of 5)", fmt(show.0), None, ""),
        row(
            "git add + git commit of one file (median of 9)",
            fmt(git),
            None,
            "",
        ),
        row(
            "arende new incident (median of 9) / git add+commit",
            fmt(news),
            Some(secs(news) / secs(git)),
            "<= 0.5x",
        ),
    ]);
    rows.extend([
        row("arende site, full build", fmt(site.full.0), None, "<= 60 s"),
        row(
            "arende site, full build, peak memory",
            mib(site.full.1),
            None,
            "<= 500 MiB",
        ),
        row(
            "arende site, rebuild after one record changed",
            fmt(site.again.0),
            None,
            "<= 5 s",
        ),
        row(
            "arende site, rebuild, peak memory",
            mib(site.again.1),
            None,
            "",
        ),
        row(
            &format!("arende site, size on disk ({} files)", site.files),
            format!("{:.1} MB", site.bytes as f64 / 1e6),
            None,
            "",
        ),
    ]);
    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    println!("arende store benchmark: {n} records, {cores} cores (bounds are for 100 000 records)");
    for r in rows {
        println!(
            "{:<66} {:>10} {:>7}  {}",
            r.what, r.figure, r.ratio, r.bound
        );
    }
    println!();
    Figures {
        n,
        bare,
        commands,
        _dir: dir,
    }
}

/// How each command's time grew from the first size to the last, beside
/// how the bare parse grew: linear growth is held to 1.1 times the ratio
/// of the sizes (3.3x for 100 000 → 300 000).
fn growth(small: &Figures, large: &Figures) {
    let scale = large.n as f64 / small.n as f64;
    let bound = format!("<= {:.1}x", 1.1 * scale);
    println!(
        "growth from {} to {} records (time ratio; peak memory at {})",
        small.n, large.n, large.n
    );
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
    println!(
        "{:<40} {:>10} {:>10} {:>7}",
        "bare parse",
        fmt(small.bare),
        fmt(large.bare),
        format!("{:.2}x", ratio(small.bare, large.bare)),
    );
    for (what, t, _) in &small.commands {
        let Some((_, t2, peak)) = large.commands.iter().find(|(w, ..)| w == what) else {
            continue;
        };
        println!(
            "{:<40} {:>10} {:>10} {:>7}  {}  peak {}",
            format!("arende {what}"),
            fmt(*t),
            fmt(*t2),
            format!("{:.2}x", ratio(*t, *t2)),
            bound,
            mib(*peak)
        );
    }
}

/// The fastest of `k` runs of `arende ARGS`, and that run's peak memory.
fn best_measured(k: usize, home: &Path, root: &Path, args: &[&str]) -> (Duration, Option<u64>) {
    (0..k)
        .map(|_| run_measured(home, root, args))
        .min_by_key(|(t, _)| *t)
        .unwrap_or((Duration::MAX, None))
}

/// The repository measured: a clone of `ARENDE_BENCH_REPO` if it is set
/// (the records `new` files must not land in it), else `n` generated
/// records; how many records, an ID to show, and how it was made.
fn make_repo(home: &Path, root: &Path, n: usize) -> (usize, String, &'static str) {
    match std::env::var_os("ARENDE_BENCH_REPO") {
        Some(src) => {
            let out = Command::new("git")
                .args(["clone", "-q", "--no-hardlinks"])
                .arg(&src)
                .arg(root)
                .output()
                .expect("run git clone");
            assert!(out.status.success(), "git clone {src:?} failed");
            let files = record_files(root);
            let first = files
                .iter()
                .find_map(|p| p.file_stem()?.to_str().map(str::to_owned))
                .expect("the repository has records");
            (files.len(), first, "clone of ARENDE_BENCH_REPO")
        }
        None => {
            run(
                home,
                root,
                &[
                    "init",
                    "--policy",
                    "ehm",
                    root.to_str().expect("utf-8 path"),
                ],
            );
            let files = generate(root, n);
            (
                files,
                "INC-20240201-000001".to_owned(),
                "generate + one commit (library)",
            )
        }
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
    (0..WRITES)
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

fn generate(root: &Path, n: usize) -> usize {
    let ws = Workspace::open(root).expect("open");
    let mut tx = ws.begin().expect("lock");
    let statuses = [
        "new",
        "assigned",
        "in_progress",
        "awaiting_customer",
        "resolved",
        "closed",
    ];
    let levels = ["high", "medium", "low"];
    // One record in ten is a scheduled change on a configuration item (a
    // hundredth as many items, each depending on the one before), its
    // window on an evening of 2026's last quarter: the change calendar's
    // conflict checks run over all of them.
    let items = (n / 100).max(1);
    let mut on_item: Vec<Vec<String>> = vec![Vec::new(); items];
    for i in (10..=n).step_by(10) {
        let item = (i / 10) % items;
        let id = format!("CHG-20261001-{i:06}");
        on_item[item].push(id.clone());
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date")
            + chrono::Duration::days(((i / 10) % 90) as i64);
        let hour = 18 + (i / 10) % 4;
        let text = format!(
            "id: {id}\nkind: change\ntitle: Generated change {i}\ndescription: Generated.\nstatus: scheduled\n\
             opened_at: 2026-10-01T08:00:00+02:00\nchange_type: modification\ncategory: normal\n\
             service_window:\n  start: {day}T{hour}:00:00+01:00\n  end: {day}T{hour}:45:00+01:00\n\
             links:\n  configuration_items:\n  - CI-20240101-{item:06}\nhistory:\n{history}",
            history = ["draft", "submitted", "approved", "scheduled"]
                .iter()
                .enumerate()
                .map(|(m, s)| format!(
                    "- at: 2026-10-01T08:{m:02}:00+02:00\n  by: {AUTHOR}\n  status: {s}\n"
                ))
                .collect::<String>()
        );
        let id = arende::id::RecordId::parse(&id).expect("a generated ID parses");
        tx.write_file(
            arende::store::home_path(arende::kind::Kind::Change, &id),
            text.into_bytes(),
        );
    }
    for (item, changes) in on_item.iter().enumerate() {
        let id = format!("CI-20240101-{item:06}");
        let depends = if item == 0 {
            String::new()
        } else {
            format!("depends_on:\n- CI-20240101-{:06}\n", item - 1)
        };
        let links: String = changes.iter().map(|c| format!("  - {c}\n")).collect();
        let text = format!(
            "id: {id}\nkind: configuration_item\ntitle: Generated item {item}\nstatus: planned\n\
             opened_at: 2024-01-01T08:00:00+01:00\nci_type: software\n{depends}\
             links:\n  changes:\n{links}history:\n- at: 2024-01-01T08:00:00+01:00\n  by: {AUTHOR}\n  status: planned\n"
        );
        let id = arende::id::RecordId::parse(&id).expect("a generated ID parses");
        tx.write_file(
            arende::store::home_path(arende::kind::Kind::ConfigurationItem, &id),
            text.into_bytes(),
        );
    }
    for i in (1..=n).filter(|i| i % 10 != 0) {
        let status = statuses[i % statuses.len()];
        let (impact, urgency) = (levels[i % 3], levels[(i / 3) % 3]);
        let priority = ws
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
             reported_via: phone\npatient_safety: none\nmajor_incident_manager: Eva Ek\n{assignment}history:\n{history}",
            // From assigned on, a ticket names its team (ASG001).
            assignment = if status == "new" {
                ""
            } else {
                "assignment:\n  group: servicedesk\n"
            },
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
    let now = arende::time::Timestamp::parse_from_rfc3339(NOW).expect("time");
    tx.commit("bench: generated records", &author, &now)
        .expect("commit");
    n + items
}

/// [`WRITES`] `arende new incident` runs.
fn time_new(home: &Path, dir: &Path) -> Vec<Duration> {
    let args = [
        "new",
        "incident",
        "--title",
        "Bench",
        "impact=low",
        "urgency=low",
    ];
    (0..WRITES)
        .map(|_| timed(|| run(home, dir, &args)))
        .collect()
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

/// What `arende site` costs: a full build, and a rebuild after one record
/// changed (a note added to it, committed), with the site's size.
struct SiteFigures {
    full: (Duration, Option<u64>),
    again: (Duration, Option<u64>),
    files: usize,
    bytes: u64,
}

fn measure_site(home: &Path, root: &Path, scratch: &Path, changed: &str) -> SiteFigures {
    let out = scratch.join("site");
    let out_arg = out.display().to_string();
    let args = ["-q", "site", "--out", &out_arg];
    let full = run_measured(home, root, &args);
    run(
        home,
        root,
        &["note", changed, "bench: one change for the site"],
    );
    settle();
    let again = run_measured(home, root, &args);
    let (mut files, mut bytes) = (0, 0);
    for e in walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            files += 1;
            bytes += e.metadata().map_or(0, |m| m.len());
        }
    }
    SiteFigures {
        full,
        again,
        files,
        bytes,
    }
}
