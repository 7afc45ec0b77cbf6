//! The figures of issue 28, printed, never asserted: `arende sync` between
//! two organisations that exchanged N incidents (`ARENDE_BENCH_INCIDENTS`,
//! default 1 000 so CI stays fast; the figure is at 10 000), after
//! the partner changed a tenth of them (a team, a status, a reply to its
//! customer each), beside git's own fetch of the same commit and a bare
//! parse of the changed files.
//!
//! Run: `ARENDE_BENCH_INCIDENTS=10000 cargo bench --bench exchange`
//! (`ARENDE_BENCH_KEEP=1` leaves the repositories for a profiler).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arende::store::Author;
use arende::workspace::Workspace;

mod common;

use common::{AUTHOR, NOW, fmt, mib, run, run_measured, settle, stdout_of};

/// The partner's time for its changes, after the records were filed.
const LATER: &str = "2026-11-23T10:00:00+01:00";

fn main() {
    let n: usize = std::env::var("ARENDE_BENCH_INCIDENTS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1_000);
    let changed = (n / 10).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let ours = dir.path().join("agent");
    let theirs = dir.path().join("inera");
    for (root, pack) in [(&ours, "inera"), (&theirs, "inera")] {
        run(
            &home,
            dir.path(),
            &[
                "init",
                "-q",
                "--policy",
                pack,
                root.to_str().expect("utf-8"),
            ],
        );
    }
    let started = Instant::now();
    generate(&ours, &theirs, n);
    let generated = started.elapsed();
    run(
        &home,
        &ours,
        &[
            "partner",
            "add",
            "inera",
            theirs.to_str().expect("utf-8"),
            "--party",
            "inera",
            "--as",
            "agent",
        ],
    );
    settle();
    let first = run_measured(&home, &ours, &["sync", "-q"]);
    change_theirs(&theirs, changed);
    settle();
    // git's own fetch of the partner's new commit, into a ref of its own.
    let fetch = timed_git(&ours, &theirs);
    let parse = bare_parse(&theirs, changed);
    let second = run_measured(&home, &ours, &["sync", "-q"]);
    let report = stdout_of(&home, &ours, &["sync", "--format", "json"]);
    let again = run_measured(&home, &ours, &["sync", "-q"]);
    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    println!(
        "arende exchange benchmark: {n} exchanged incidents, {changed} changed by the partner, {cores} cores"
    );
    let line = |what: &str, figure: String, ratio: String| {
        println!("{what:<72} {figure:>10} {ratio:>7}");
    };
    let ratio =
        |t: Duration, base: Duration| format!("{:.1}x", t.as_secs_f64() / base.as_secs_f64());
    line(
        "generate both repositories (library)",
        fmt(generated),
        String::new(),
    );
    line(
        &format!("first sync: all {n} partner records read"),
        fmt(first.0),
        String::new(),
    );
    line("first sync, peak memory", mib(first.1), String::new());
    line(
        "git fetch of the partner's new commit",
        fmt(fetch),
        String::new(),
    );
    line(
        &format!("bare read + parse of the {changed} changed files"),
        fmt(parse),
        String::new(),
    );
    line(
        &format!("sync of {changed} changed / git fetch"),
        fmt(second.0),
        ratio(second.0, fetch),
    );
    line(
        &format!("sync of {changed} changed / bare parse"),
        fmt(second.0),
        ratio(second.0, parse),
    );
    line(
        "sync of the changes, peak memory",
        mib(second.1),
        String::new(),
    );
    line("sync again, nothing new", fmt(again.0), String::new());
    let recorded = report.matches("\"events\": 0").count();
    line(
        "a third sync recorded nothing (1 = yes)",
        recorded.to_string(),
        String::new(),
    );
    if std::env::var_os("ARENDE_BENCH_KEEP").is_some() {
        println!("kept: {}", dir.keep().display());
    }
}

/// `n` incidents on each side, linked both ways as `send` and `intake`
/// leave them: ours names theirs in `external`, theirs names ours.
fn generate(ours: &Path, theirs: &Path, n: usize) {
    let author = Author::parse(AUTHOR).expect("author");
    let now = arende::time::Timestamp::parse_from_rfc3339(NOW).expect("time");
    for (root, side) in [(ours, Side::Ours), (theirs, Side::Theirs)] {
        let ws = Workspace::open(root).expect("open");
        let mut tx = ws.begin().expect("lock");
        for i in 1..=n {
            let (id, other, party) = side.ids(i);
            let text = incident(&id, &other, party);
            tx.write_file(
                PathBuf::from(format!("incidents/2026/11/{id}.yaml")),
                text.into_bytes(),
            );
        }
        tx.commit("bench: exchanged incidents", &author, &now)
            .expect("commit");
    }
}

#[derive(Clone, Copy)]
enum Side {
    Ours,
    Theirs,
}

impl Side {
    /// The record's ID on this side, the other side's, and the other's party.
    fn ids(self, i: usize) -> (String, String, &'static str) {
        let a = format!("INC-20261122-A{i:05}");
        let b = format!("INC-20261122-B{i:05}");
        match self {
            Side::Ours => (a, b, "inera"),
            Side::Theirs => (b, a, "agent"),
        }
    }
}

fn incident(id: &str, other: &str, party: &str) -> String {
    format!(
        "id: {id}\nkind: incident\ntitle: Exchanged incident\nstatus: new\nopened_at: {NOW}\n\
         external:\n- id: {other}\n  type: {party}\n\
         impact: low\nurgency: low\npriority: 4\nreporter:\n  party: agent\nreported_via: email\n\
         history:\n- at: {NOW}\n  by: {AUTHOR}\n  status: new\n  note: opened\n"
    )
}

/// The partner takes `k` of its incidents: a team, a status, a reply.
fn change_theirs(theirs: &Path, k: usize) {
    let author = Author::parse(AUTHOR).expect("author");
    let later = arende::time::Timestamp::parse_from_rfc3339(LATER).expect("time");
    let ws = Workspace::open(theirs).expect("open");
    let mut tx = ws.begin().expect("lock");
    for i in 1..=k {
        let (id, other, party) = Side::Theirs.ids(i);
        let mut text = incident(&id, &other, party)
            .replace("status: new\nopened_at", "status: assigned\nopened_at");
        text.push_str(&format!(
            "- at: {LATER}\n  by: {AUTHOR}\n  changes:\n  - field: assignment.group\n    to: inera-sd\n\
             - at: {LATER}\n  by: {AUTHOR}\n  status: assigned\n\
             - at: {LATER}\n  by: {AUTHOR}\n  note: Vi tittar på det\n  to_customer: true\n\
             assignment:\n  group: inera-sd\n"
        ));
        tx.write_file(
            PathBuf::from(format!("incidents/2026/11/{id}.yaml")),
            text.into_bytes(),
        );
    }
    tx.commit("bench: the partner works a tenth", &author, &later)
        .expect("commit");
}

fn timed_git(ours: &Path, theirs: &Path) -> Duration {
    let started = Instant::now();
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(ours)
        .args(["fetch", "-q", "--no-tags"])
        .arg(theirs)
        .arg("+refs/heads/main:refs/bench/inera")
        .status()
        .expect("git");
    assert!(status.success());
    started.elapsed()
}

/// Reads and parses the first `k` of the partner's files, nothing else.
fn bare_parse(theirs: &Path, k: usize) -> Duration {
    let started = Instant::now();
    for i in 1..=k {
        let (id, _, _) = Side::Theirs.ids(i);
        let text = std::fs::read_to_string(theirs.join(format!("incidents/2026/11/{id}.yaml")))
            .expect("read");
        let doc: arende::yaml::Mapping =
            arende::yaml::parse_mapping(Path::new(&id), &text).expect("parse");
        std::hint::black_box(doc);
    }
    started.elapsed()
}
