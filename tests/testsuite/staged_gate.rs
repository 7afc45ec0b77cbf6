//! The pre-commit gate judges exactly what git is about to commit (issue
//! 21): `arende validate --staged`, run by the installed hook, reads the
//! index git commits from (`GIT_INDEX_FILE` under `commit -a` and
//! `commit -- FILE`), sees every record of it for the repository's rules,
//! and its verdict is `validate` on a checkout of the commit, restricted to
//! what the commit changes. Every test runs real git on a copy of a fixture.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use crate::support::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A valid Swedish personal identity number (Skatteverket's test number).
const PERSONNUMMER: &str = "19121212-1212";

/// A sandbox holding a copy of `fixtures/<name>`, committed by hand on
/// branch main.
fn fixture_repo(name: &str) -> Sandbox {
    let sb = Sandbox::new();
    // The gate is about what is staged: these tests leave staged and
    // unstaged edits for `validate --staged` to judge (each one that
    // commits checks git's fsck itself).
    sb.leaves_changes("staged and unstaged edits are what the gate judges");
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    copy_dir(&from, sb.root());
    sb.git_ok(&["init", "-q", "-b", "main"]);
    sb.git_ok(&["add", "-A"]);
    sb.git_ok(&["commit", "-q", "--no-verify", "-m", "fixture"]);
    sb
}

/// [`fixture_repo`] with arende's pre-commit hook installed.
fn hooked(name: &str) -> Sandbox {
    let sb = fixture_repo(name);
    sb.ok(&["hook", "install"]);
    sb
}

/// `git ARGS` in `dir`, where the hook finds the `arende` under test
/// (the sandbox's PATH has it).
fn git_hooked(sb: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    sb.git_cli()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs")
}

/// The record files git tracks, relative to the root.
fn record_files(sb: &Sandbox) -> Vec<String> {
    sb.git_ok(&["ls-files"])
        .lines()
        .filter(|l| l.ends_with(".yaml") && !l.starts_with("policy/") && l.contains('/'))
        .map(str::to_owned)
        .collect()
}

/// Puts `words` in front of a record's title (inside its quotes, if any);
/// false if it has no title line.
fn try_prefix_title(root: &Path, rel: &str, words: &str) -> bool {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let Some(at) = text.find("\ntitle: ").map(|i| i + "\ntitle: ".len()) else {
        return false;
    };
    let quote = usize::from(matches!(text.as_bytes().get(at), Some(b'\'' | b'"')));
    let mut out = text.clone();
    out.insert_str(at + quote, words);
    std::fs::write(&path, out).unwrap();
    true
}

fn prefix_title(root: &Path, rel: &str, words: &str) {
    assert!(try_prefix_title(root, rel, words), "no title in {rel}");
}

/// Replaces a top-level field's value (the line `key: …` at column 0);
/// false if there is no such line.
fn try_set_line(root: &Path, rel: &str, key: &str, value: &str) -> bool {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = format!("{key}: ");
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.starts_with(&start) && !done {
            true => {
                done = true;
                format!("{start}{value}")
            }
            false => l.to_owned(),
        })
        .collect();
    if done {
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
    done
}

fn set_line(root: &Path, rel: &str, key: &str, value: &str) {
    assert!(try_set_line(root, rel, key, value), "no `{key}` in {rel}");
}

/// `validate --staged --format json`: exit code and report.
fn staged(sb: &Sandbox) -> (i32, serde_json::Value) {
    json_report(sb.run(&["validate", "--staged", "--format", "json"]))
}

fn json_report(out: Output) -> (i32, serde_json::Value) {
    let report = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(&out), stderr(&out)));
    (code(&out), report)
}

/// The (path, rule) of every finding of a report.
fn rules(report: &serde_json::Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `git fsck --strict` finds nothing wrong.
fn fsck(sb: &Sandbox) {
    let out = sb.git_run(&["fsck", "--strict", "--no-progress"]);
    assert!(
        out.status.success() && stderr(&out).trim().is_empty(),
        "git fsck: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

fn commits(sb: &Sandbox) -> usize {
    sb.git_ok(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .unwrap()
}

const INCIDENT: &str = "incidents/2026/03/INC-20260317-SND8QA.yaml";

#[test]
fn commit_all_with_a_personnummer_is_refused_by_the_hook() {
    let sb = hooked("inera");
    prefix_title(sb.root(), INCIDENT, &format!("Gäller {PERSONNUMMER} "));
    let before = sb.rev("HEAD");
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-a", "-m", "pnr"]);
    assert!(!out.status.success(), "the commit went through");
    let err = stderr(&out);
    assert!(err.contains("SEC001") && err.contains(INCIDENT), "{err}");
    assert_eq!(sb.rev("HEAD"), before);
    // The same commit without the number goes through, and holds the edit.
    sb.git_ok(&["checkout", "-q", "--", INCIDENT]);
    prefix_title(sb.root(), INCIDENT, "Gäller en patient, ");
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-a", "-m", "ok"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(sb.rev("HEAD"), before);
    fsck(&sb);
}

#[test]
fn commit_of_a_path_with_an_invalid_enum_is_refused_by_the_hook() {
    let sb = hooked("inera");
    set_line(sb.root(), INCIDENT, "impact", "enormous");
    let before = sb.rev("HEAD");
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-m", "x", "--", INCIDENT]);
    assert!(!out.status.success(), "the commit went through");
    assert!(stderr(&out).contains("REC003"), "{}", stderr(&out));
    assert_eq!(sb.rev("HEAD"), before);
    // `commit -- OTHER` commits HEAD plus OTHER: the broken file, though
    // staged, is not part of it.
    sb.git_ok(&["add", INCIDENT]);
    let other = "incidents/2026/04/INC-20260415-MN1GDN.yaml";
    prefix_title(sb.root(), other, "Ny ");
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-m", "y", "--", other]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = sb.git_ok(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(shown.trim(), other);
    fsck(&sb);
}

#[test]
fn a_title_edit_is_accepted_in_every_fixture() {
    for name in ["inera", "ehm", "stockholm"] {
        let sb = hooked(name);
        let files = record_files(&sb);
        assert!(files.len() >= 19, "{name}: {files:?}");
        for rel in &files {
            prefix_title(sb.root(), rel, "Ny ");
            sb.git_ok(&["add", rel]);
            let (status, report) = staged(&sb);
            assert_eq!(
                (status, rules(&report)),
                (0, BTreeSet::new()),
                "{name}: {rel}"
            );
            assert_eq!(report["files"], 1, "{name}: {rel}: {report}");
            sb.git_ok(&["reset", "-q", "--", rel]);
            sb.git_ok(&["checkout", "-q", "--", rel]);
        }
        // One of them through the hook for real.
        prefix_title(sb.root(), &files[0], "Ny ");
        let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-a", "-m", "title"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(commits(&sb), 2);
        fsck(&sb);
    }
}

#[test]
fn commit_amend_is_judged_as_the_commit_it_makes() {
    let sb = hooked("inera");
    prefix_title(sb.root(), INCIDENT, "Ny ");
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-a", "-m", "title"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = sb.rev("HEAD");
    set_line(sb.root(), INCIDENT, "urgency", "whenever");
    sb.git_ok(&["add", INCIDENT]);
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "--amend", "--no-edit"]);
    assert!(!out.status.success(), "the amend went through");
    assert!(stderr(&out).contains("REC003"), "{}", stderr(&out));
    assert_eq!(sb.rev("HEAD"), first);
    set_line(sb.root(), INCIDENT, "urgency", "medium");
    prefix_title(sb.root(), INCIDENT, "Åter ");
    sb.git_ok(&["add", INCIDENT]);
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "--amend", "--no-edit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(sb.rev("HEAD"), first);
    assert_eq!(commits(&sb), 2, "amended, not added");
    fsck(&sb);
}

/// `git add -p FILE`, answering each hunk in turn.
fn add_patch(sb: &Sandbox, rel: &str, answers: &str) {
    use std::io::Write;
    let mut child = sb
        .git_cli()
        .args(["add", "-p", rel])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_partial_stage_is_judged_as_staged_not_as_in_the_working_tree() {
    // Two hunks: the title (fine) and `reported_via` (not a channel).
    let edit = |sb: &Sandbox| {
        prefix_title(sb.root(), INCIDENT, "Ny ");
        set_line(sb.root(), INCIDENT, "reported_via", "fax");
    };
    let sb = hooked("inera");
    edit(&sb);
    add_patch(&sb, INCIDENT, "y\nn\n");
    assert_eq!(
        code(&sb.run(&["validate", "-q"])),
        1,
        "the working tree is broken"
    );
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-m", "title only"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let committed = String::from_utf8(sb.git().head_file(INCIDENT).unwrap()).unwrap();
    assert!(committed.contains("title: Ny ") && committed.contains("reported_via: web"));
    fsck(&sb);

    let sb = hooked("inera");
    edit(&sb);
    add_patch(&sb, INCIDENT, "n\ny\n");
    // The working tree is fixed but the broken hunk is what is staged.
    set_line(sb.root(), INCIDENT, "reported_via", "web");
    assert_eq!(
        code(&sb.run(&["validate", "-q"])),
        0,
        "the working tree is fine"
    );
    let before = sb.rev("HEAD");
    let out = git_hooked(&sb, sb.root(), &["commit", "-q", "-m", "channel"]);
    assert!(!out.status.success(), "the commit went through");
    assert!(stderr(&out).contains("reported_via"), "{}", stderr(&out));
    assert_eq!(sb.rev("HEAD"), before);
    fsck(&sb);
}

#[test]
fn a_relative_index_file_is_read_from_the_top_of_the_work_tree() {
    let sb = fixture_repo("inera");
    set_line(sb.root(), INCIDENT, "impact", "enormous");
    // An index of its own, as git makes for `commit -- FILE`; .git/index
    // stays clean.
    let out = sb
        .git_cli()
        .env("GIT_INDEX_FILE", ".git/next-index")
        .args(["add", INCIDENT])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(code(&sb.run(&["validate", "--staged", "-q"])), 0);
    for dir in [sb.root().to_owned(), sb.root().join("incidents/2026")] {
        let out = sb
            .cmd_in(&dir)
            .env("GIT_INDEX_FILE", ".git/next-index")
            .args(["validate", "--staged", "--format", "json"])
            .output()
            .unwrap();
        let (status, report) = json_report(out);
        assert_eq!(status, 1, "from {}: {report}", dir.display());
        assert!(rules(&report).contains(&(INCIDENT.into(), "REC003".into())));
    }
}

#[test]
fn the_hook_judges_a_commit_in_a_linked_worktree() {
    let sb = hooked("inera");
    let other = tempfile::TempDir::new().unwrap();
    let wt = other.path().join("wt");
    sb.git_ok(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    set_line(&wt, INCIDENT, "impact", "enormous");
    let out = git_hooked(&sb, &wt, &["commit", "-q", "-a", "-m", "broken"]);
    assert!(!out.status.success(), "the commit went through");
    set_line(&wt, INCIDENT, "impact", "medium");
    prefix_title(&wt, INCIDENT, "Ny ");
    let out = git_hooked(&sb, &wt, &["commit", "-q", "-a", "-m", "fine"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fsck(&sb);
}

/// The unchanged neighbours of a staged record are judged with the
/// commit's records: a link removed on one side only, a linked record
/// deleted.
#[test]
fn what_a_commit_does_to_the_records_it_leaves_alone_is_reported() {
    let sb = fixture_repo("inera");
    let ci = "configuration/2026/01/CI-20260108-DB3W0S.yaml";
    let text = std::fs::read_to_string(sb.root().join(INCIDENT)).unwrap();
    let unlinked = text.replace(
        "links:\n  configuration_items:\n  - CI-20260108-DB3W0S\n",
        "",
    );
    assert_ne!(unlinked, text);
    std::fs::write(sb.root().join(INCIDENT), unlinked).unwrap();
    sb.git_ok(&["add", INCIDENT]);
    let (status, report) = staged(&sb);
    assert_eq!(status, 1);
    assert_eq!(
        rules(&report),
        BTreeSet::from([(ci.to_owned(), "REPO004".to_owned())])
    );
    sb.git_ok(&["reset", "-q", "--hard"]);
    sb.git_ok(&["rm", "-q", INCIDENT]);
    let (status, report) = staged(&sb);
    assert_eq!(status, 1);
    assert_eq!(
        rules(&report),
        BTreeSet::from([(ci.to_owned(), "REPO003".to_owned())])
    );
}

/// A repository that already breaks rules takes a commit that adds none,
/// and a staged file's own findings are all reported.
#[test]
fn rules_broken_before_the_commit_are_not_its_doing() {
    let sb = fixture_repo("invalid");
    assert_eq!(code(&sb.run(&["validate", "-q"])), 2, "unreadable files");
    let fine = "incidents/2026/11/INC-20261105-G7H8J9.yaml";
    let broken = "releases/2026/11/REL-20261108-Z4A5B6.yaml";
    for rel in [fine, broken] {
        assert!(sb.root().join(rel).is_file(), "{rel}");
    }
    set_line(sb.root(), fine, "impact", "high");
    sb.git_ok(&["add", fine]);
    let (status, report) = staged(&sb);
    assert_eq!((status, rules(&report)), (0, BTreeSet::new()), "{report}");
    prefix_title(sb.root(), broken, "Ny ");
    sb.git_ok(&["add", broken]);
    let (status, report) = staged(&sb);
    assert_eq!(status, 1);
    let found = rules(&report);
    assert!(
        found.contains(&(broken.into(), "REL002".into())),
        "{found:?}"
    );
    assert!(found.iter().all(|(p, _)| p == broken), "{found:?}");
}

/// The configuration is the one staged: a register entry dropped in the
/// index breaks the standard change that names it, whatever the working
/// tree's register says.
#[test]
fn the_staged_configuration_is_the_one_in_force() {
    let sb = fixture_repo("inera");
    let register = sb.root().join("policy/standard-changes.yaml");
    let kept = std::fs::read_to_string(&register).unwrap();
    let change = "changes/2026/02/CHG-20260202-A0Q1WP.yaml";
    let named = std::fs::read_to_string(sb.root().join(change)).unwrap();
    let std_ref = named
        .lines()
        .find_map(|l| l.strip_prefix("standard_ref: "))
        .expect("a standard change")
        .trim()
        .to_owned();
    let start = kept.find(&format!("- id: {std_ref}")).unwrap();
    let end = kept[start + 1..]
        .find("\n- id:")
        .map_or(kept.len(), |e| start + 2 + e);
    let dropped = format!("{}{}", &kept[..start], &kept[end..]);
    std::fs::write(&register, &dropped).unwrap();
    sb.git_ok(&["add", "policy/standard-changes.yaml"]);
    std::fs::write(&register, &kept).unwrap();
    assert_eq!(code(&sb.run(&["validate", "-q"])), 0);
    let (status, report) = staged(&sb);
    assert_eq!(status, 1, "{report}");
    assert!(rules(&report).iter().any(|(p, _)| p == change), "{report}");
    // And the other way round: a broken register left unstaged is not judged.
    sb.git_ok(&["reset", "-q", "--hard"]);
    std::fs::write(&register, &dropped).unwrap();
    prefix_title(sb.root(), INCIDENT, "Ny ");
    sb.git_ok(&["add", INCIDENT]);
    assert_eq!(code(&sb.run(&["validate", "-q"])), 1);
    let (status, report) = staged(&sb);
    assert_eq!((status, rules(&report)), (0, BTreeSet::new()), "{report}");
}

/// A record file or a folder staged as a symbolic link is refused as
/// `validate` refuses it in a checkout; a file `git add -N` only announced
/// is not in the commit, so it is not judged.
#[cfg(unix)]
#[test]
fn links_are_refused_and_announced_files_are_not_judged() {
    let sb = fixture_repo("inera");
    let linked = "incidents/2026/03/INC-20260317-ZZZZZZ.yaml";
    std::os::unix::fs::symlink("INC-20260317-SND8QA.yaml", sb.root().join(linked)).unwrap();
    std::os::unix::fs::symlink("03", sb.root().join("incidents/2026/07")).unwrap();
    sb.git_ok(&["add", "-A"]);
    let (status, report) = staged(&sb);
    let (_, whole) = json_report(sb.run(&["validate", "--format", "json"]));
    assert_eq!(status, 2, "{report}");
    assert_eq!(rules(&report), rules(&whole));
    assert!(rules(&report).contains(&("incidents/2026/07".into(), "REC001".into())));
    assert!(rules(&report).contains(&(linked.into(), "REC001".into())));

    let sb = fixture_repo("inera");
    let announced = "incidents/2026/03/INC-20260317-ZZZZZZ.yaml";
    let text = std::fs::read_to_string(sb.root().join(INCIDENT)).unwrap();
    std::fs::write(
        sb.root().join(announced),
        text.replace("impact: medium", "impact: x"),
    )
    .unwrap();
    sb.git_ok(&["add", "-N", announced]);
    assert_eq!(code(&sb.run(&["validate", "-q"])), 1);
    let (status, report) = staged(&sb);
    assert_eq!((status, rules(&report)), (0, BTreeSet::new()), "{report}");
}

// ------------------------------------------------------ the property

/// Random cases of the property below: each builds a repository, makes
/// up to four edits and runs `arende` three times and git a dozen times,
/// about a second per case in a debug build.
const CASES: u32 = 24;

/// One edit of a fixture repository; `staged` says whether it is added to
/// the index or left in the working tree only.
#[derive(Debug, Clone)]
enum Change {
    /// A valid title edit.
    Title,
    /// A personnummer in the title.
    Personnummer,
    /// `status: bogus`.
    BadStatus,
    /// A link to another record, on one side or both.
    Link {
        other: prop::sample::Index,
        both: bool,
    },
    /// One of the record's links removed, on one side or both.
    Unlink {
        which: prop::sample::Index,
        both: bool,
    },
    /// The record deleted.
    Delete,
    /// A new record: a copy with a fresh ID (one-way links), or a second
    /// file holding the same record.
    Copy { fresh: bool, n: u16 },
}

#[derive(Debug, Clone)]
struct Edit {
    record: prop::sample::Index,
    change: Change,
    staged: bool,
}

/// Valid edits (titles, links made or removed on both sides) weigh more
/// than breaking ones, so that about half the commits are accepted.
fn change() -> impl Strategy<Value = Change> {
    let both = || prop::bool::weighted(0.7);
    prop_oneof![
        4 => Just(Change::Title),
        1 => Just(Change::Personnummer),
        1 => Just(Change::BadStatus),
        3 => (any::<prop::sample::Index>(), both())
            .prop_map(|(other, both)| Change::Link { other, both }),
        3 => (any::<prop::sample::Index>(), both())
            .prop_map(|(which, both)| Change::Unlink { which, both }),
        1 => Just(Change::Delete),
        1 => (any::<bool>(), any::<u16>()).prop_map(|(fresh, n)| Change::Copy { fresh, n }),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        any::<prop::sample::Index>(),
        change(),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(record, change, staged)| Edit {
            record,
            change,
            staged,
        })
}

/// The `links` key a record of this ID is listed under.
fn link_key(id: &str) -> &'static str {
    match id.split('-').next().unwrap() {
        "INC" => "incidents",
        "PRB" => "problems",
        "CHG" => "changes",
        "REL" => "releases",
        "SR" => "requests",
        "CI" => "configuration_items",
        _ => "capacity_reviews",
    }
}

fn id_of(rel: &str) -> String {
    Path::new(rel)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Reads a record as YAML; `None` if it is gone or not YAML (the invalid
/// fixture's broken files), when a link edit leaves it alone.
fn load(root: &Path, rel: &str) -> Option<serde_yaml::Mapping> {
    let text = std::fs::read_to_string(root.join(rel)).ok()?;
    serde_yaml::from_str(&text).ok()
}

/// Adds (`add`) or removes `to` in `rel`'s links.
fn relink(root: &Path, rel: &str, to: &str, add: bool) {
    let Some(mut doc) = load(root, rel) else {
        return;
    };
    let links = doc
        .entry("links".into())
        .or_insert_with(|| serde_yaml::Mapping::new().into());
    let Some(links) = links.as_mapping_mut() else {
        return;
    };
    let list = links
        .entry(link_key(to).into())
        .or_insert_with(|| serde_yaml::Sequence::new().into());
    let Some(list) = list.as_sequence_mut() else {
        return;
    };
    list.retain(|v| v.as_str() != Some(to));
    if add {
        list.push(to.into());
    }
    std::fs::write(root.join(rel), serde_yaml::to_string(&doc).unwrap()).unwrap();
}

/// The IDs a record links to.
fn links_of(root: &Path, rel: &str) -> Vec<String> {
    load(root, rel)
        .and_then(|d| d.get("links").and_then(|l| l.as_mapping()).cloned())
        .into_iter()
        .flatten()
        .filter_map(|(_, v)| v.as_sequence().cloned())
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Makes one edit; returns the paths it touched.
fn apply(root: &Path, files: &[String], edit: &Edit) -> Vec<String> {
    let rel = edit.record.get(files).clone();
    if !root.join(&rel).is_file() {
        return Vec::new();
    }
    let find = |id: &str| files.iter().find(|f| id_of(f) == id).cloned();
    match &edit.change {
        Change::Title => _ = try_prefix_title(root, &rel, "Ny "),
        Change::Personnummer => _ = try_prefix_title(root, &rel, &format!("{PERSONNUMMER} ")),
        Change::BadStatus => _ = try_set_line(root, &rel, "status", "bogus"),
        Change::Link { other, both } => {
            let other = other.get(files).clone();
            relink(root, &rel, &id_of(&other), true);
            if *both {
                relink(root, &other, &id_of(&rel), true);
                return vec![rel, other];
            }
        }
        Change::Unlink { which, both } => {
            let linked = links_of(root, &rel);
            if linked.is_empty() {
                return Vec::new();
            }
            let to = which.get(&linked).clone();
            relink(root, &rel, &to, false);
            if let Some(other) = find(&to).filter(|_| *both) {
                relink(root, &other, &id_of(&rel), false);
                return vec![rel, other];
            }
        }
        Change::Delete => std::fs::remove_file(root.join(&rel)).unwrap(),
        Change::Copy { fresh, n } => {
            let id = id_of(&rel);
            let (head, _) = id.rsplit_once('-').unwrap();
            let new_id = format!("{head}-QQ{:04}", n % 10_000);
            let text = std::fs::read_to_string(root.join(&rel)).unwrap();
            let text = match fresh {
                true => text.replacen(&format!("id: {id}"), &format!("id: {new_id}"), 1),
                false => text,
            };
            let new_rel = rel.replace(&id, &new_id);
            std::fs::write(root.join(&new_rel), text).unwrap();
            return vec![new_rel];
        }
    }
    vec![rel]
}

type Identity = (String, String, String, String);

/// A finding of a `validate` report as the verdict compares it: path,
/// rule, field, and the message where it names the records concerned.
fn identity(f: &serde_json::Value) -> Identity {
    const NAMING: [&str; 4] = ["REPO001", "REPO003", "REPO004", "REPO005"];
    let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
    let message = match NAMING.contains(&s("rule").as_str()) {
        true => s("message"),
        false => String::new(),
    };
    (s("path"), s("rule"), s("field"), message)
}

fn findings(report: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    report["findings"].as_array().into_iter().flatten()
}

/// `validate --format json` on a checkout of `rev`, in a worktree of its own.
fn validate_checkout(sb: &Sandbox, rev: &str) -> (i32, serde_json::Value) {
    let dir = tempfile::TempDir::new().unwrap();
    let co = dir.path().join("co");
    sb.git_ok(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        co.to_str().unwrap(),
        rev,
    ]);
    let result = json_report(
        sb.cmd_in(&co)
            .args(["validate", "--format", "json"])
            .output()
            .unwrap(),
    );
    sb.git_ok(&["worktree", "remove", "--force", co.to_str().unwrap()]);
    result
}

/// The verdict the module documentation defines, from two checkouts: every
/// finding of the commit's on a changed file, and those on other files
/// that HEAD's checkout does not have; exit 2 if one is an unreadable
/// file, else 1 if one is an error.
fn expected(
    before: &serde_json::Value,
    after: &serde_json::Value,
    changed: &BTreeSet<String>,
) -> (i32, BTreeSet<(String, String)>) {
    let old: BTreeSet<Identity> = findings(before).map(identity).collect();
    let kept: Vec<&serde_json::Value> = findings(after)
        .filter(|f| {
            changed.contains(f["path"].as_str().unwrap_or_default()) || !old.contains(&identity(f))
        })
        .collect();
    let code = if kept
        .iter()
        .any(|f| matches!(f["rule"].as_str(), Some("REC001" | "REC002")))
    {
        2
    } else if kept.iter().any(|f| f["severity"] == "error") {
        1
    } else {
        0
    };
    let report = serde_json::json!({ "findings": kept });
    (code, rules(&report))
}

/// What the cases came to, to show that they try both verdicts.
#[derive(Debug, Default)]
struct Tally {
    /// Commits that change records and are accepted.
    accepted: usize,
    /// Commits refused.
    refused: usize,
    /// Commits refused for a finding on a file they do not change.
    refused_elsewhere: usize,
}

/// Runs one case: edits `fixture`, judges the index, commits it as it is
/// and validates a checkout of the commit.
fn one_case(
    fixture: &str,
    edits: &[Edit],
    tally: &std::cell::RefCell<Tally>,
) -> std::result::Result<(), TestCaseError> {
    let sb = fixture_repo(fixture);
    let files = record_files(&sb);
    for edit in edits {
        let touched = apply(sb.root(), &files, edit);
        for rel in touched.iter().filter(|_| edit.staged) {
            // A path gone from both the working tree and the index
            // (deleted twice) matches nothing: nothing to stage.
            let out = sb.git_run(&["add", "-A", "--", rel]);
            assert!(
                out.status.success() || stderr(&out).contains("did not match"),
                "{}",
                stderr(&out)
            );
        }
    }
    let (status, report) = staged(&sb);
    sb.git_ok(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "case"]);
    let changed: BTreeSet<String> = sb
        .git_ok(&[
            "diff",
            "--name-only",
            "--no-renames",
            "--diff-filter=AMT",
            "HEAD~1",
            "HEAD",
        ])
        .lines()
        .map(str::to_owned)
        .collect();
    let (_, before) = validate_checkout(&sb, "HEAD~1");
    let (after_code, after) = validate_checkout(&sb, "HEAD");
    let (want_code, want) = expected(&before, &after, &changed);
    prop_assert_eq!(&rules(&report), &want, "changed {:?}: {}", changed, report);
    prop_assert_eq!(status, want_code, "{}", report);
    if fixture != "invalid" {
        // HEAD was valid: the verdict is validate's on the commit itself.
        prop_assert_eq!(status, after_code);
        prop_assert_eq!(rules(&report), rules(&after));
    }
    fsck(&sb);
    let mut tally = tally.borrow_mut();
    match status {
        0 if !changed.is_empty() => tally.accepted += 1,
        0 => {}
        _ => tally.refused += 1,
    }
    if want.iter().any(|(path, _)| !changed.contains(path)) {
        tally.refused_elsewhere += 1;
    }
    Ok(())
}

/// `validate --staged` on random edits of the fixtures agrees with
/// `validate` on a checkout of the commit those edits make.
#[test]
fn the_staged_verdict_is_validate_on_the_commit() {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    // A fixed seed: the same cases on every machine and every run.
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[21; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (
        prop::sample::select(vec!["inera", "ehm", "stockholm", "invalid"]),
        prop::collection::vec(edit(), 1..=4),
    );
    let tally = std::cell::RefCell::new(Tally::default());
    let result = runner.run(&strategy, |(fixture, edits)| {
        one_case(fixture, &edits, &tally)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner();
    eprintln!("{CASES} cases: {tally:?}");
    assert!(
        tally.accepted >= 3 && tally.refused >= 3 && tally.refused_elsewhere >= 1,
        "{tally:?}"
    );
}
