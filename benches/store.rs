//! Speed figures of SPEC §5, printed, never asserted: a repository of N
//! records (`ARENDE_BENCH_RECORDS`, default 10 000) is generated with one
//! commit, then the real binary is timed.
//!
//! Run: `cargo bench --bench store` (or `ARENDE_BENCH_RECORDS=100000 cargo bench --bench store`).

use std::path::Path;
use std::time::{Duration, Instant};

use arende::store::{Author, Store};

mod common;

use common::best_of;
use common::{AUTHOR, NOW, fmt, run, timed};

fn main() {
    let n: usize = std::env::var("ARENDE_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("repo");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
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

    let empty = dir.path().join("empty");
    run(
        &home,
        &empty,
        &[
            "init",
            "--policy",
            "ehm",
            empty.to_str().expect("utf-8 path"),
        ],
    );
    let news_empty = time_new(&home, &empty);

    let started = Instant::now();
    generate(&root, n);
    let generated = started.elapsed();

    let store = Store::open(&root).expect("open");
    let scan = best_of(3, || {
        let s = store.scan(&[]);
        assert_eq!(s.entries.len(), n, "every generated record parses");
    });
    let validate = best_of(3, || run(&home, &root, &["validate", "-q"]));
    let list = best_of(5, || {
        run(
            &home,
            &root,
            &[
                "list",
                "incident",
                "--status",
                "in_progress",
                "--priority",
                "2",
            ],
        )
    });
    let show = best_of(5, || run(&home, &root, &["show", "INC-20261101-000001"]));
    let news = time_new(&home, &root);

    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    let rows = [
        ("generate + one commit (library)", fmt(generated)),
        ("read + parse every record (scan, best of 3)", fmt(scan)),
        ("arende validate (best of 3)", fmt(validate)),
        (
            "  validate / read+parse",
            format!("{:.2}x", validate.as_secs_f64() / scan.as_secs_f64()),
        ),
        ("arende list with filters (warm, best of 5)", fmt(list)),
        ("arende show (best of 5)", fmt(show)),
        (
            "arende new incident (median of 10)",
            fmt(news[news.len() / 2]),
        ),
        (
            "arende new incident (slowest of 10)",
            fmt(news[news.len() - 1]),
        ),
        (
            "arende new, empty repository (median of 10)",
            fmt(news_empty[news_empty.len() / 2]),
        ),
    ];
    println!("arende benchmark: {n} records, {cores} cores");
    for (what, time) in rows {
        println!("{what:<46} {time:>10}");
    }
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
        let id = format!("INC-20261101-{i:06}");
        let text = format!(
            "id: {id}\nkind: incident\ntitle: Generated incident {i}\ndescription: |-\n  Line one of a description.\n  Line two.\n\
             status: {status}\nopened_at: 2026-11-01T08:00:00+01:00\nservice: E-recept\nservice_class: A\n\
             impact: {impact}\nurgency: {urgency}\npriority: {priority}\nreporter:\n  party: aktor\n  organisation: Region {r}\n\
             reported_via: phone\npatient_safety: none\nmajor_incident_manager: Eva Ek\nhistory:\n{history}",
            history = history_to(status),
            r = i % 21
        );
        tx.write_file(
            Path::new("incidents").join(format!("{id}.yaml")),
            text.into_bytes(),
        );
    }
    let author = Author::parse(AUTHOR).expect("author");
    let now = arende::clock::parse_time(NOW).expect("time");
    tx.commit("bench: generated records", &author, &now)
        .expect("commit");
}

/// Ten `arende new incident` runs, sorted fastest first.
fn time_new(home: &Path, dir: &Path) -> Vec<Duration> {
    let args = [
        "new",
        "incident",
        "--title",
        "Bench",
        "impact=low",
        "urgency=low",
    ];
    let mut times: Vec<Duration> = (0..10).map(|_| timed(|| run(home, dir, &args))).collect();
    times.sort();
    times
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
