//! The figure of issue 23, printed, never asserted: `validate
//! --verify-approvals` on a repository of N records (`ARENDE_BENCH_RECORDS`,
//! default 2 000 so CI stays fast; the figure is at 100 000), a
//! tenth of them changes approved by Ändringsforum, the approvals added in
//! a hundred commits of the approver's after the records were filed, beside
//! `validate` alone on the same repository.
//!
//! Run: `ARENDE_BENCH_RECORDS=100000 cargo bench --bench approvals`
//! (`ARENDE_BENCH_KEEP=1` leaves the repository for a profiler).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arende::store::Author;
use arende::workspace::Workspace;

mod common;

use common::{AUTHOR, NOW, fmt, mib, run, run_measured, settle, stdout_of};

/// The approver: a person of the registry who sits in Ändringsforum.
const APPROVER: &str = "Åsa Forum <asa@bench.example>";

/// How many commits bring the approvals.
const APPROVAL_COMMITS: usize = 100;

fn main() {
    let n: usize = std::env::var("ARENDE_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.split(',').next_back()?.trim().parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let root = dir.path().join("repo");
    let root_arg = root.to_str().expect("utf-8 path");
    run(&home, dir.path(), &["init", "--policy", "inera", root_arg]);
    let started = std::time::Instant::now();
    let approvals = generate(&root, n);
    let generated = started.elapsed();
    settle();
    // The summary cache is built once, as on any working repository.
    run(&home, &root, &["list", "-q"]);
    let best = |args: &[&str]| -> (Duration, Option<u64>) {
        (0..3)
            .map(|_| run_measured(&home, &root, args))
            .min_by_key(|(t, _)| *t)
            .unwrap_or((Duration::MAX, None))
    };
    let plain = best(&["validate", "-q"]);
    // The first verification walks the history and keeps what it learnt
    // (`.git/arende-approvals`); later ones read it.
    let cold = run_measured(&home, &root, &["validate", "-q", "--verify-approvals"]);
    let verified = best(&["validate", "-q", "--verify-approvals"]);
    // The figure means something only if the approvals did verify.
    let report = stdout_of(
        &home,
        &root,
        &["validate", "--verify-approvals", "--format", "json"],
    );
    let failed = report.matches("\"APR002\"").count();
    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    println!(
        "arende approvals benchmark: {n} records, {approvals} approvals in {APPROVAL_COMMITS} commits, {cores} cores"
    );
    let line = |what: &str, figure: String, ratio: String| {
        println!("{what:<72} {figure:>10} {ratio:>7}");
    };
    line(
        "generate + commits (library)",
        fmt(generated),
        String::new(),
    );
    line("arende validate (best of 3)", fmt(plain.0), String::new());
    let ratio = |t: Duration| format!("{:.2}x", t.as_secs_f64() / plain.0.as_secs_f64());
    line(
        "arende validate --verify-approvals, first run / validate",
        fmt(cold.0),
        ratio(cold.0),
    );
    line(
        "arende validate --verify-approvals, kept verdicts (best of 3) / validate",
        fmt(verified.0),
        ratio(verified.0),
    );
    line(
        "approvals that did not verify",
        failed.to_string(),
        String::new(),
    );
    line("arende validate, peak memory", mib(plain.1), String::new());
    line(
        "arende validate --verify-approvals, peak memory",
        mib(verified.1),
        String::new(),
    );
    // For a profile of the same repository: `ARENDE_BENCH_KEEP=1` leaves it.
    if std::env::var_os("ARENDE_BENCH_KEEP").is_some() {
        println!("kept: {}", dir.keep().display());
    }
}

/// Files `n` records in one commit (a tenth of them changes, the rest
/// incidents), then has the approver approve every change in
/// [`APPROVAL_COMMITS`] commits; returns how many approvals there are.
fn generate(root: &Path, n: usize) -> usize {
    std::fs::create_dir_all(root.join("policy")).expect("policy folder");
    std::fs::write(
        root.join("policy/people.yaml"),
        "people:\n  - handle: asa.forum\n    name: Åsa Forum\n    emails: [asa@bench.example]\n    parties: [andringsforum]\n",
    )
    .expect("people");
    let ws = Workspace::open(root).expect("open");
    let mut tx = ws.begin().expect("lock");
    tx.write_file(
        PathBuf::from("policy/people.yaml"),
        std::fs::read(root.join("policy/people.yaml")).expect("people"),
    );
    let mut changes = Vec::new();
    for i in 1..=n {
        let month = i % 36;
        let (year, month) = (2024 + month / 12, month % 12 + 1);
        let (rel, text) = if i % 10 == 0 {
            let id = format!("CHG-{year}{month:02}01-{i:06}");
            let text = change(&id, year, month);
            let rel = format!("changes/{year}/{month:02}/{id}.yaml");
            changes.push((rel.clone(), text.clone()));
            (rel, text)
        } else {
            let id = format!("INC-{year}{month:02}01-{i:06}");
            (
                format!("incidents/{year}/{month:02}/{id}.yaml"),
                incident(&id, year, month),
            )
        };
        tx.write_file(PathBuf::from(rel), text.into_bytes());
    }
    let author = Author::parse(AUTHOR).expect("author");
    let now = arende::time::Timestamp::parse_from_rfc3339(NOW).expect("time");
    tx.commit("bench: records", &author, &now).expect("commit");
    let approver = Author::parse(APPROVER).expect("approver");
    let per = changes.len().div_ceil(APPROVAL_COMMITS).max(1);
    for batch in changes.chunks(per) {
        let mut tx = ws.begin().expect("lock");
        for (rel, text) in batch {
            let mut text = text.clone();
            let _ = write!(
                text,
                "approvals:\n- by: andringsforum\n  person: asa.forum\n  decision: approved\n  at: {NOW}\n  step: change_forum\n"
            );
            tx.write_file(PathBuf::from(rel), text.into_bytes());
        }
        tx.commit("bench: approvals", &approver, &now)
            .expect("commit");
    }
    changes.len()
}

fn incident(id: &str, year: usize, month: usize) -> String {
    format!(
        "id: {id}\nkind: incident\ntitle: Generated incident\nstatus: new\nopened_at: {year}-{month:02}-01T08:00:00+01:00\n\
         impact: low\nurgency: low\npriority: 4\nreporter:\n  party: kund\n  organisation: Region Exempel\nreported_via: email\n\
         history:\n- at: {year}-{month:02}-01T08:00:00+01:00\n  by: {AUTHOR}\n  status: new\n  note: opened\n"
    )
}

fn change(id: &str, year: usize, month: usize) -> String {
    format!(
        "id: {id}\nkind: change\ntitle: Generated change\nstatus: submitted\nopened_at: {year}-{month:02}-01T08:00:00+01:00\n\
         change_type: modification\ncategory: normal\nrisk:\n  level: low\n\
         history:\n- at: {year}-{month:02}-01T08:00:00+01:00\n  by: {AUTHOR}\n  status: draft\n  note: opened\n\
         - at: {year}-{month:02}-01T08:05:00+01:00\n  by: {AUTHOR}\n  status: submitted\n"
    )
}
