//! The record summary cache (`.git/arende-cache`) never changes an answer:
//! after every way a person can change the files, the cached `list`, `sla`,
//! `report` and `export` print what `ARENDE_NO_CACHE=1` prints.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::support::*;

/// The commands whose answers come from the cache.
const COMMANDS: &[&[&str]] = &[
    &["list", "--format", "json"],
    &["list", "incident", "--status", "new", "--format", "json"],
    &["list", "--where", "service=E-recept", "--format", "json"],
    &["sla", "--format", "json"],
    &[
        "report",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
    ],
    &["export", "--format", "json"],
];

/// A git repository holding the EHM fixture, committed by hand, with every
/// file dated an hour back so that the cache trusts their stat (files
/// younger than the cache's own making are read again whatever it says).
fn repo() -> Sandbox {
    let sb = Sandbox::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ehm"),
        sb.root(),
    );
    sb.git_ok(&["init", "-q"]);
    sb.hand_commit("fixture");
    for file in record_files(&sb) {
        age(&file, 3600);
    }
    sb
}

fn record_files(sb: &Sandbox) -> Vec<PathBuf> {
    walkdir::WalkDir::new(sb.root())
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml") && !p.starts_with(sb.root().join(".git"))
        })
        .collect()
}

/// Sets a file's mtime `secs` seconds back from now.
fn age(path: &Path, secs: u64) {
    let when = SystemTime::now() - Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn cache_file(sb: &Sandbox) -> PathBuf {
    sb.root().join(".git/arende-cache")
}

/// Exit code, stdout and stderr of one run.
fn answer(sb: &Sandbox, args: &[&str], cached: bool) -> (i32, String, String) {
    let mut cmd = sb.cmd();
    cmd.args(args);
    if cached {
        cmd.env_remove("ARENDE_NO_CACHE");
    } else {
        cmd.env("ARENDE_NO_CACHE", "1");
    }
    let out = cmd.output().unwrap();
    assert_no_panic(&out);
    (code(&out), stdout(&out), stderr(&out))
}

/// Every command answers the same from the cache as from the files; the
/// cached run comes first, so it meets the cache the change left stale.
fn agree(sb: &Sandbox, step: &str) {
    for args in COMMANDS {
        let cached = answer(sb, args, true);
        let uncached = answer(sb, args, false);
        assert_eq!(cached, uncached, "after {step}: arende {args:?}");
    }
    assert!(
        cache_file(sb).is_file(),
        "after {step}: the cache is written"
    );
}

/// The cache file's identity: it is replaced (a new inode) when rewritten.
fn cache_id(sb: &Sandbox) -> (u64, SystemTime) {
    let meta = std::fs::metadata(cache_file(sb)).unwrap();
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let ino = 0;
    (ino, meta.modified().unwrap())
}

fn incident(sb: &Sandbox) -> PathBuf {
    sb.record_path("INC-20260905-JGM3GS")
}

#[test]
fn cache_warm_runs_read_the_cache_and_leave_it_alone() {
    let sb = repo();
    agree(&sb, "the first run");
    let before = cache_id(&sb);
    agree(&sb, "a second run");
    assert_eq!(
        cache_id(&sb),
        before,
        "nothing changed, so the cache is not rewritten"
    );
    // The cache is the git directory's, never the work tree's.
    let status = sb.git_ok(&["status", "--porcelain"]);
    assert_eq!(status, "", "the cache leaves the work tree clean");
}

#[test]
fn cache_follows_every_edit_of_a_record_file() {
    let sb = repo();
    sb.leaves_changes("the edits the cache must follow are hand edits, never committed");
    agree(&sb, "the first run");
    let file = incident(&sb);
    let text = std::fs::read_to_string(&file).unwrap();

    // Same size, other content, the old mtime put back: only ctime and the
    // content differ.
    let meta = std::fs::metadata(&file).unwrap();
    let mtime = meta.modified().unwrap();
    let status_line = text
        .lines()
        .find(|l| l.starts_with("title:"))
        .unwrap()
        .to_owned();
    let same_size = format!("title: {}", "X".repeat(status_line.len() - "title: ".len()));
    std::fs::write(&file, text.replacen(&status_line, &same_size, 1)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().len(), meta.len());
    agree(&sb, "a same-size edit with the mtime put back");

    // Edited again within the same second as the run before it.
    let now = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, now.replacen(&same_size, &status_line, 1)).unwrap();
    agree(&sb, "a same-size edit in the same second");

    // `touch`: new times, same content.
    age(&file, 10);
    agree(&sb, "touch");

    // A status the filters see.
    let status = text.lines().find(|l| l.starts_with("status:")).unwrap();
    std::fs::write(&file, text.replacen(status, "status: new", 1)).unwrap();
    age(&file, 7200);
    agree(&sb, "a status change dated back");
}

#[test]
fn cache_follows_renames_deletes_and_new_files() {
    let sb = repo();
    agree(&sb, "the first run");
    let file = incident(&sb);
    let renamed = file.with_file_name("INC-20260905-JGM3GT.yaml");
    std::fs::rename(&file, &renamed).unwrap();
    agree(&sb, "a rename (now misfiled)");
    let text = std::fs::read_to_string(&renamed).unwrap();
    std::fs::write(
        &renamed,
        text.replacen("INC-20260905-JGM3GS", "INC-20260905-JGM3GT", 1),
    )
    .unwrap();
    agree(&sb, "the rename's ID corrected");
    std::fs::remove_file(&renamed).unwrap();
    agree(&sb, "a delete");
    std::fs::write(&file, &text).unwrap();
    age(&file, 3600);
    agree(&sb, "the file back, dated back");
    sb.new_incident(
        "Ny",
        &[
            "impact=high",
            "urgency=high",
            "service=E-recept",
            "service_class=A",
        ],
    );
    agree(&sb, "a record filed by arende");
    std::fs::write(&file, "id: [not: a record").unwrap();
    agree(&sb, "a file broken by hand");
    std::fs::write(&file, &text).unwrap();
    agree(&sb, "the broken file mended");
}

#[test]
fn cache_follows_a_branch_switch() {
    let sb = repo();
    sb.branch("other");
    let file = incident(&sb);
    let text = std::fs::read_to_string(&file).unwrap();
    let status = text.lines().find(|l| l.starts_with("status:")).unwrap();
    std::fs::write(&file, text.replacen(status, "status: new", 1)).unwrap();
    std::fs::remove_file(sb.record_path("SR-20260914-AFWMHP")).unwrap();
    sb.hand_commit("other branch");
    agree(&sb, "on the other branch");
    sb.checkout("master");
    agree(&sb, "back on master");
    sb.checkout("other");
    agree(&sb, "on the other branch again");
}

#[test]
fn cache_follows_the_policy_and_the_timezone() {
    let sb = repo();
    sb.leaves_changes(
        "arende.yaml is edited by hand, never committed: the cache must follow the working tree",
    );
    agree(&sb, "the first run");
    std::fs::write(
        sb.root().join("policy/overrides.yaml"),
        "service_levels:\n  calendar:\n    office_hours: {open: \"09:00\", close: \"16:00\"}\n",
    )
    .unwrap();
    agree(&sb, "an override of office hours");
    std::fs::remove_file(sb.root().join("policy/overrides.yaml")).unwrap();
    agree(&sb, "the override removed");
    let config = std::fs::read_to_string(sb.root().join("arende.yaml")).unwrap();
    std::fs::write(
        sb.root().join("arende.yaml"),
        config.replace("Europe/Stockholm", "America/New_York"),
    )
    .unwrap();
    agree(&sb, "another timezone");
}

#[test]
fn cache_damaged_or_foreign_is_rebuilt_without_a_word() {
    let sb = repo();
    agree(&sb, "the first run");
    let bytes = std::fs::read(cache_file(&sb)).unwrap();
    for cut in [0, 7, 12, 40, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(cache_file(&sb), &bytes[..cut]).unwrap();
        agree(&sb, &format!("the cache cut at {cut} bytes"));
    }
    // Damage inside an entry: every byte flipped somewhere in the middle.
    let mut damaged = bytes.clone();
    for b in &mut damaged[bytes.len() / 3..bytes.len() / 3 + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(cache_file(&sb), &damaged).unwrap();
    agree(&sb, "a damaged cache");
    // Another format version.
    let mut other = bytes.clone();
    other[8] = other[8].wrapping_add(1);
    std::fs::write(cache_file(&sb), &other).unwrap();
    agree(&sb, "a cache of another version");
    std::fs::write(cache_file(&sb), b"not a cache at all").unwrap();
    agree(&sb, "garbage");
    std::fs::remove_file(cache_file(&sb)).unwrap();
    agree(&sb, "no cache");
}
