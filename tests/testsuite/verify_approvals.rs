//! `validate --verify-approvals` (issue 23) against real signed commits:
//! keys made with `ssh-keygen` in the test, commits signed by git itself
//! (`gpg.format=ssh`), and each way of forging an approval caught.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, code, stderr, stdout};

/// A person of the test: their git identity and their key.
struct Who {
    handle: &'static str,
    name: &'static str,
    email: &'static str,
}

const ASA: Who = Who {
    handle: "asa.forum",
    name: "Åsa Forum",
    email: "asa@inera.example",
};
const BO: Who = Who {
    handle: "bo.forum",
    name: "Bo Forum",
    email: "bo@inera.example",
};
const ANNA: Who = Who {
    handle: "anna.berg",
    name: "Anna Berg",
    email: "anna@example.se",
};
const LEO: Who = Who {
    handle: "leo.lev",
    name: "Leo Lev",
    email: "leo@supplier.example",
};

impl Who {
    fn author(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

/// A repository that verifies signed approvals, with a key for each person
/// and the registry naming them; the keys' folder is returned.
fn repository() -> (Sandbox, PathBuf) {
    let sb = Sandbox::with_repo();
    let keys = sb.scratch().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let mut people = String::from("people:\n");
    for (who, parties) in [
        (&ASA, "[andringsforum]"),
        (&BO, "[andringsforum]"),
        (&ANNA, "[andringsforum]"),
        (&LEO, "[leverantor]"),
    ] {
        let key = keys.join(who.handle);
        let out = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", who.email, "-f"])
            .arg(&key)
            .output()
            .expect("ssh-keygen is installed (openssh-client; .ci/run installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
        people.push_str(&format!(
            "  - handle: {}\n    name: {}\n    emails: [{}]\n    keys:\n      - ssh: \"{}\"\n    parties: {parties}\n",
            who.handle,
            who.name,
            who.email,
            public.trim()
        ));
    }
    std::fs::create_dir_all(sb.root().join("policy")).unwrap();
    std::fs::write(sb.root().join("policy/people.yaml"), people).unwrap();
    let config = std::fs::read_to_string(sb.root().join("arende.yaml")).unwrap();
    std::fs::write(
        sb.root().join("arende.yaml"),
        format!("{config}approvals:\n  verify: true\n  signed: true\n"),
    )
    .unwrap();
    sb.git().commit_all("people and verified approvals");
    (sb, keys)
}

/// A normal change filed (and submitted) by Anna.
fn change(sb: &Sandbox, title: &str) -> String {
    let id = sb
        .ok(&[
            "new",
            "change",
            "--title",
            title,
            "change_type=modification",
            "category=normal",
            "risk.level=high",
            "service_window.start=2026-11-07T22:00:00+01:00",
            "service_window.end=2026-11-07T23:00:00+01:00",
        ])
        .trim()
        .to_owned();
    sb.ok(&["status", &id, "submitted"]);
    id
}

/// `arende approve ID --by andringsforum` as `who`, written but not
/// committed (arende's own commits are not signed).
fn approve_uncommitted(sb: &Sandbox, who: &Who, id: &str) {
    let out = sb.run(&[
        "--no-commit",
        "--author",
        &who.author(),
        "approve",
        id,
        "--by",
        "andringsforum",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Commits everything changed as `author`, signed with `key`'s key if given.
fn commit(sb: &Sandbox, dir: &Path, author: &Who, key: Option<&Path>, message: &str) {
    let mut args: Vec<String> = vec![
        "-c".into(),
        format!("user.name={}", author.name),
        "-c".into(),
        format!("user.email={}", author.email),
        "-c".into(),
        "gpg.format=ssh".into(),
    ];
    if let Some(key) = key {
        args.push("-c".into());
        args.push(format!("user.signingkey={}", key.display()));
    }
    // The sandbox's git names a hand editor in its environment; the
    // author given here is the one this commit is by.
    args.extend([
        "commit".into(),
        "-q".into(),
        "-a".into(),
        format!("--author={}", author.author()),
    ]);
    if key.is_some() {
        args.push("-S".into());
    }
    args.extend(["-m".into(), message.into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sb.git_ok_in(dir, &args);
}

/// The APR002 findings of `validate --verify-approvals --format json`, by
/// record ID: their messages.
fn unverified(sb: &Sandbox) -> Vec<(String, String)> {
    let out = sb.run(&["validate", "--verify-approvals", "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "APR002")
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let id = Path::new(path)
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            (id, f["message"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn each_forged_approval_is_caught_and_the_true_ones_pass() {
    let (sb, keys) = repository();
    let key = |who: &Who| keys.join(who.handle);
    let root = sb.root().to_owned();
    let base = sb.git_ok(&["rev-parse", "HEAD"]).trim().to_owned();

    // True: Åsa approves, signs with her key.
    let good = change(&sb, "Sant godkännande");
    approve_uncommitted(&sb, &ASA, &good);
    commit(&sb, &root, &ASA, Some(&key(&ASA)), "approve");

    // A non-member: Leo writes an approval in his own name by hand.
    let by_outsider = change(&sb, "Godkänd av leverantören");
    approve_uncommitted(&sb, &ASA, &by_outsider);
    let path = sb.record_path(&by_outsider);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("person: asa.forum", "person: leo.lev")).unwrap();
    commit(&sb, &root, &LEO, Some(&key(&LEO)), "approve by hand");

    // Hand-edited: Åsa's true approval, then Bo edits its note by hand.
    let edited = change(&sb, "Ändrat godkännande");
    approve_uncommitted(&sb, &ASA, &edited);
    commit(&sb, &root, &ASA, Some(&key(&ASA)), "approve");
    let path = sb.record_path(&edited);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = "at: 2026-11-22T09:30:00+01:00\n  step: change_forum";
    assert!(text.contains(at), "{text}");
    std::fs::write(
        &path,
        text.replace(at, &format!("{at}\n  note: godkänt av forumet")),
    )
    .unwrap();
    commit(&sb, &root, &BO, Some(&key(&BO)), "a word more");

    // Unsigned where signatures are required.
    let unsigned = change(&sb, "Osignerat");
    approve_uncommitted(&sb, &ASA, &unsigned);
    commit(&sb, &root, &ASA, None, "approve");

    // Signed with someone else's key: Åsa's commit, Bo's key.
    let borrowed = change(&sb, "Lånad nyckel");
    approve_uncommitted(&sb, &ASA, &borrowed);
    commit(&sb, &root, &ASA, Some(&key(&BO)), "approve");

    // A self-approval: Anna filed the change and approves it by hand.
    let own = change(&sb, "Eget godkännande");
    approve_uncommitted(&sb, &ASA, &own);
    let path = sb.record_path(&own);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("person: asa.forum", "person: anna.berg"),
    )
    .unwrap();
    commit(&sb, &root, &ANNA, Some(&key(&ANNA)), "my own approval");

    // Through a merge: Bo approves on a branch, signed; Anna merges.
    let merged = change(&sb, "Via gren");
    // In the merge, out of nothing: the merge commit itself brings it.
    let evil = change(&sb, "Ond sammanslagning");
    sb.git_ok(&["checkout", "-q", "-b", "forum"]);
    approve_uncommitted(&sb, &BO, &merged);
    commit(&sb, &root, &BO, Some(&key(&BO)), "approve on a branch");
    sb.git_ok(&["checkout", "-q", "main"]);
    sb.git_ok(&[
        "-c",
        "user.name=Anna Berg",
        "-c",
        "user.email=anna@example.se",
        "merge",
        "-q",
        "--no-ff",
        "--no-commit",
        "forum",
    ]);
    approve_uncommitted(&sb, &ASA, &evil);
    commit(&sb, &root, &ASA, Some(&key(&ASA)), "merge forum");

    let found = unverified(&sb);
    let of = |id: &str| -> Vec<&str> {
        found
            .iter()
            .filter(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
            .collect()
    };
    assert!(of(&good).is_empty(), "a true approval passes: {found:?}");
    assert!(
        of(&merged).is_empty(),
        "a true approval passes through a merge: {found:?}"
    );
    let one = |id: &str, words: &[&str]| {
        let msgs = of(id);
        assert_eq!(msgs.len(), 1, "{id}: {found:?}");
        for w in words {
            assert!(msgs[0].contains(w), "{id}: no `{w}` in {}", msgs[0]);
        }
    };
    one(&by_outsider, &["leo.lev", "does not act for andringsforum"]);
    one(&edited, &["names asa.forum", "bo.forum", "written by hand"]);
    one(&unsigned, &["not signed"]);
    one(
        &borrowed,
        &["signed with a key of bo@inera.example's, not asa.forum's"],
    );
    one(&own, &["anna.berg filed"]);
    one(&evil, &["merge commit"]);
    assert_eq!(found.len(), 6, "{found:?}");
    // The commit is named by its ID.
    assert!(
        found.iter().all(|(_, m)| m.contains("commit ")),
        "{found:?}"
    );
    // `review` of everything since finds the same six, and only those.
    let out = sb.run(&["review", &format!("{base}..main"), "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let review: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut flagged: Vec<String> = review["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "APR002")
        })
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    flagged.sort();
    let mut want: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
    want.sort();
    assert_eq!(flagged, want, "{review:#}");
    // The repository's own setting turns it on: plain `validate` fails too.
    let out = sb.run(&["validate"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("APR002"), "{}", stderr(&out));
}

#[test]
fn a_shallow_clone_says_which_approvals_it_cannot_verify() {
    let (sb, keys) = repository();
    let chg = change(&sb, "Grunt");
    approve_uncommitted(&sb, &ASA, &chg);
    let root = sb.root().to_owned();
    commit(&sb, &root, &ASA, Some(&keys.join(ASA.handle)), "approve");
    // Two more commits on top, so the approval lies beyond a depth of one.
    sb.ok(&["set", &chg, "title=Grunt, med mer"]);
    let clone = sb.scratch().join("shallow");
    sb.git_ok(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &format!("file://{}", root.display()),
        clone.to_str().unwrap(),
    ]);
    let out = sb
        .cmd_in(&clone)
        .args(["validate", "--verify-approvals", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let msgs: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "APR002")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("cannot be verified"), "{msgs:?}");
    assert!(msgs[0].contains("change_forum"), "{msgs:?}");
}

#[test]
fn review_flags_an_approval_the_branch_adds_that_does_not_verify() {
    let (sb, keys) = repository();
    let root = sb.root().to_owned();
    let unsigned = change(&sb, "Osignerat på gren");
    let signed = change(&sb, "Signerat på gren");
    sb.git_ok(&["checkout", "-q", "-b", "forum"]);
    approve_uncommitted(&sb, &ASA, &unsigned);
    commit(&sb, &root, &ASA, None, "approve, unsigned");
    approve_uncommitted(&sb, &BO, &signed);
    commit(
        &sb,
        &root,
        &BO,
        Some(&keys.join(BO.handle)),
        "approve, signed",
    );
    let out = sb.run(&["review", "main..forum", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let review: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let apr: Vec<(String, String)> = review["records"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let path = r["path"].as_str().unwrap_or_default().to_owned();
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "APR002")
                .map(move |f| (path.clone(), f["message"].as_str().unwrap().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(apr.len(), 1, "{review:#}");
    assert!(apr[0].0.contains(&unsigned), "{apr:?}");
    assert!(apr[0].1.contains("not signed"), "{apr:?}");
    sb.git_ok(&["checkout", "-q", "main"]);
}

#[test]
fn verdicts_are_kept_between_runs_and_dropped_with_a_rewritten_history() {
    let (sb, keys) = repository();
    let root = sb.root().to_owned();
    let chg = change(&sb, "Cachad");
    approve_uncommitted(&sb, &ASA, &chg);
    commit(&sb, &root, &ASA, Some(&keys.join(ASA.handle)), "approve");
    assert_eq!(unverified(&sb), Vec::new());
    let cache = sb.git_path("arende-approvals");
    let kept = std::fs::read_to_string(&cache).expect("the verdicts are kept");
    assert!(kept.starts_with("arende-approvals 1\n"), "{kept}");
    assert!(kept.lines().any(|l| l.starts_with("I\t")), "{kept}");
    assert!(kept.lines().any(|l| l.starts_with("S\t")), "{kept}");
    // The same verdicts from the cache.
    assert_eq!(unverified(&sb), Vec::new());
    // The approval's commit made again, unsigned: the kept verdict is not
    // the new commit's.
    sb.git_ok(&[
        "-c",
        "user.name=Åsa Forum",
        "-c",
        "user.email=asa@inera.example",
        "commit",
        "-q",
        "--amend",
        "--no-edit",
        "--no-gpg-sign",
        "--author=Åsa Forum <asa@inera.example>",
    ]);
    let found = unverified(&sb);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("not signed"), "{found:?}");
    // A damaged cache is made anew, with the same verdict.
    std::fs::write(&cache, "arende-approvals 1\nI\tgarbage\n").unwrap();
    assert_eq!(unverified(&sb), found);
    std::fs::write(&cache, [0xff, 0x00, 0x12]).unwrap();
    assert_eq!(unverified(&sb), found);
    sb.leaves_dangling_commits("the signed approval commit was replaced by --amend");
}
