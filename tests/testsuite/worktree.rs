//! Records in a linked worktree (issue 21), judged by real git. A month
//! folder of a busy repository holds about 1 500 records, so the tree
//! `arende new` writes for it is a large one; in a linked worktree it must
//! land in the object store git reads (the common `.git/objects`), not in
//! the worktree's own `.git/worktrees/<name>/`, or `git fsck` finds the
//! commit's tree missing. The same test on a plain repository is the
//! control.

use crate::support::*;

/// Records already in the month folder.
const RECORDS: usize = 1500;

/// The month `NOW` falls in, where `new` files its record.
const MONTH: &str = "incidents/2026/11";

/// A six-character ID code for `i`, base 36 as arende's are.
fn code_of(mut i: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut code = [b'0'; 6];
    for slot in code.iter_mut().rev() {
        *slot = DIGITS[i % 36];
        i /= 36;
    }
    String::from_utf8(code.to_vec()).unwrap()
}

/// A new low-priority incident of 1 November 2026, as arende writes one.
fn record(i: usize) -> (String, String) {
    let id = format!("INC-20261101-{}", code_of(i));
    let text = format!(
        "id: {id}\nkind: incident\ntitle: Ärende {i}\nstatus: new\n\
         opened_at: 2026-11-01T08:15:00+01:00\nimpact: low\nurgency: low\npriority: 4\n\
         reporter:\n  party: kund\nreported_via: phone\nhistory:\n\
         - at: 2026-11-01T08:15:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: new\n  note: opened\n"
    );
    (format!("{MONTH}/{id}.yaml"), text)
}

both_layouts!(new_in_a_month_of_1500_records_leaves_git_clean);
/// `arende new` into a month folder of 1 500 records: the commit's trees
/// are where git finds them, and nothing is left uncommitted. In a linked
/// worktree this fails while arende writes a large tree into the
/// worktree's own git folder.
fn new_in_a_month_of_1500_records_leaves_git_clean(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    std::fs::create_dir_all(sb.root().join(MONTH)).unwrap();
    for i in 0..RECORDS {
        let (rel, text) = record(i);
        std::fs::write(sb.root().join(rel), text).unwrap();
    }
    sb.hand_commit("1 500 records of November");
    sb.assert_git_agrees();

    let id = sb.new_incident("x", &["impact=low", "urgency=low"]);
    let rel = rel_path(&id);
    assert!(rel.starts_with(&format!("{MONTH}/")), "{rel}");
    // Git's verdict first: it names what is wrong.
    sb.assert_git_agrees();
    // Real git reads the month's tree in HEAD, all of it.
    let listed = sb.git_ok(&["ls-tree", "--name-only", "HEAD", &format!("{MONTH}/")]);
    assert_eq!(listed.lines().count(), RECORDS + 1, "{rel}");
    assert!(listed.lines().any(|l| l == rel), "{rel} is not in HEAD");
    assert_eq!(sb.git().head_file(&rel).unwrap(), sb.record_bytes(&id));
}
