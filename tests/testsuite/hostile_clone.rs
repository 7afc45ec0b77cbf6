//! A clone whose own files are hostile: `.gitattributes`, `arende.yaml` and
//! `policy/` as symbolic links (out of the repository, to a FIFO, to
//! `/dev/zero`, to `/usr` or `/proc`), as FIFOs, or far too large. Each is
//! read as a record is (no link followed, no blocking open, a bounded size),
//! so every command finishes, within a deadline that kills it otherwise,
//! and says which file is wrong.

#![cfg(unix)]

use std::ffi::CString;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;
use tempfile::TempDir;

/// How long a command in a repository of a few files may take before it is
/// taken to hang: far beyond what one takes, even on a busy machine.
const DEADLINE: Duration = Duration::from_secs(10);

/// How much memory a command may hold before it is taken to be reading
/// something endless (`/dev/zero`): far beyond a small repository's needs.
const MAX_RSS_KIB: u64 = 512 * 1024;

/// A sandbox whose hostile files are planted by hand and left: git's
/// status is not judged at the end (it would hang on a FIFO itself).
fn hostile_with_repo() -> Sandbox {
    let sb = Sandbox::with_repo();
    sb.leaves_changes(
        "the hostile clone's files (links, FIFOs, huge files) are planted by hand and left",
    );
    sb
}

/// Runs `arende ARGS` in the repository root and returns its output,
/// failing the test (and killing the command) if it is not done within
/// [`DEADLINE`] or grows past [`MAX_RSS_KIB`], so a regression fails here
/// rather than hanging the suite or the machine.
fn run_bounded(sb: &Sandbox, args: &[&str]) -> Output {
    let mut child = sb
        .std_cmd_in(sb.root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained as the command runs: a full pipe would block it and look like a hang.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let rss = rss_kib(child.id());
        if start.elapsed() > DEADLINE || rss > MAX_RSS_KIB {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "arende {args:?} still running after {:?} holding {rss} KiB: it blocked or read without end",
                start.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert_no_panic(&out);
    out
}

/// The resident memory of process `pid` in KiB (0 where /proc cannot say).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a NUL-terminated path that lives across the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

fn symlink(target: &Path, link: &Path) {
    if std::fs::symlink_metadata(link).is_ok() {
        std::fs::remove_file(link).unwrap();
    }
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A FIFO outside the repository, which no one ever writes: opening it to
/// read blocks for ever.
fn outside_fifo() -> (TempDir, std::path::PathBuf) {
    let outside = TempDir::new().unwrap();
    let fifo = outside.path().join("pipe");
    mkfifo(&fifo);
    (outside, fifo)
}

/// The repository's `.gitattributes` replaced by a link to `target`,
/// committed as a clone would bring it.
fn attributes_link(sb: &Sandbox, target: &Path) {
    symlink(target, &sb.root().join(".gitattributes"));
    sb.hand_commit(".gitattributes is a link");
}

/// `list` and `new` go on, telling that `.gitattributes` is not read and
/// why (`why` is in the notice); `setup`, which would rewrite it, refuses.
fn commands_go_on_and_setup_refuses(sb: &Sandbox, why: &str) {
    let out = run_bounded(sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(".gitattributes: ") && err.contains(why),
        "{err}"
    );
    assert!(err.contains("arende setup"), "the fix is named: {err}");
    let notices: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(".gitattributes"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice, one line: {err}");
    assert!(notices[0].contains("1048576 bytes"), "the bound: {err}");

    let out = run_bounded(
        sb,
        &[
            "new",
            "incident",
            "--title",
            "Ny",
            "impact=low",
            "urgency=low",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(is_incident_id(stdout(&out).trim()), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(".gitattributes: "),
        "{}",
        stderr(&out)
    );

    let out = run_bounded(sb, &["setup"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(".gitattributes: ") && err.contains(why),
        "{err}"
    );
}

#[test]
fn gitattributes_linked_to_a_fifo_is_not_opened() {
    let sb = hostile_with_repo();
    sb.leaves_fsck_warnings("the clone commits a linked .gitattributes, which git warns about");
    let (_outside, fifo) = outside_fifo();
    attributes_link(&sb, &fifo);
    commands_go_on_and_setup_refuses(&sb, "is a symbolic link");
    assert!(is_symlink(&sb.root().join(".gitattributes")), "replaced");
}

#[test]
fn gitattributes_that_is_a_fifo_is_not_opened() {
    let sb = hostile_with_repo();
    let path = sb.root().join(".gitattributes");
    std::fs::remove_file(&path).unwrap();
    mkfifo(&path);
    // Not committed: git itself would block on it.
    commands_go_on_and_setup_refuses(&sb, "is a FIFO (named pipe), not a regular file");
}

#[test]
fn gitattributes_linked_to_dev_zero_is_not_read_without_end() {
    let sb = hostile_with_repo();
    sb.leaves_fsck_warnings("the clone commits a linked .gitattributes, which git warns about");
    attributes_link(&sb, Path::new("/dev/zero"));
    commands_go_on_and_setup_refuses(&sb, "is a symbolic link");
}

#[test]
fn gitattributes_linked_out_of_the_repository_is_neither_read_nor_written() {
    let sb = hostile_with_repo();
    sb.leaves_fsck_warnings("the clone commits a linked .gitattributes, which git warns about");
    let outside = TempDir::new().unwrap();
    let target = outside.path().join("attributes");
    // Asks for no driver: read through the link it would silence the notice.
    std::fs::write(&target, "*.txt text\n").unwrap();
    attributes_link(&sb, &target);

    commands_go_on_and_setup_refuses(&sb, "is a symbolic link");
    assert_eq!(std::fs::read(&target).unwrap(), b"*.txt text\n", "written");
    assert!(is_symlink(&sb.root().join(".gitattributes")), "replaced");
}

#[test]
fn gitattributes_far_too_large_is_refused_with_its_bound() {
    let sb = hostile_with_repo();
    let path = sb.root().join(".gitattributes");
    let mut text = std::fs::read_to_string(&path).unwrap();
    while text.len() < 5_000_000 {
        text.push_str("# padding a clone carries in its attributes\n");
    }
    std::fs::write(&path, &text).unwrap();
    sb.hand_commit("a 5 MB .gitattributes");

    commands_go_on_and_setup_refuses(&sb, "larger than the 1048576 bytes");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "rewritten");
}

#[test]
fn setup_still_writes_a_regular_gitattributes() {
    let sb = hostile_with_repo();
    let path = sb.root().join(".gitattributes");
    // Not UTF-8: git does not ask it to be, and setup keeps it byte for byte.
    std::fs::write(&path, b"# \xe5tg\xe4rder\n*.bin binary").unwrap();
    let out = run_bounded(&sb, &["setup"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.starts_with(b"# \xe5tg\xe4rder\n*.bin binary\n"),
        "{bytes:?}"
    );
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("incidents/** merge=arende"), "{text}");

    let out = run_bounded(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stderr(&out).contains(".gitattributes"),
        "no notice for a good .gitattributes: {}",
        stderr(&out)
    );
}

/// The repository's `policy` folder replaced by a link to `target`,
/// committed as a clone would bring it.
fn policy_link(sb: &Sandbox, target: &Path) {
    let policy = sb.root().join("policy");
    std::fs::remove_dir_all(&policy).unwrap();
    symlink(target, &policy);
    sb.hand_commit("policy is a link");
}

/// `list` and `new` refuse the repository at once, naming `policy`.
fn policy_refused(sb: &Sandbox, what: &str) {
    for args in [
        &["list"][..],
        &[
            "new",
            "incident",
            "--title",
            "Ny",
            "impact=low",
            "urgency=low",
        ],
    ] {
        let out = run_bounded(sb, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        let first = err.lines().find(|l| l.contains("policy")).unwrap_or("");
        assert!(
            first.contains(&format!("policy: {what}")),
            "{args:?}: the path and what it is on one line: {err}"
        );
        assert!(err.contains("folder"), "{args:?}: the fix: {err}");
    }
}

#[test]
fn policy_linked_to_usr_is_not_walked() {
    let sb = hostile_with_repo();
    policy_link(&sb, Path::new("/usr"));
    policy_refused(&sb, "is a symbolic link");
}

#[test]
fn policy_linked_to_proc_is_not_walked() {
    let sb = hostile_with_repo();
    policy_link(&sb, Path::new("/proc"));
    policy_refused(&sb, "is a symbolic link");
}

#[test]
fn policy_linked_to_a_folder_out_of_the_repository_is_refused() {
    let sb = hostile_with_repo();
    let outside = TempDir::new().unwrap();
    std::fs::write(
        outside.path().join("overrides.yaml"),
        "organisation: Utanför\n",
    )
    .unwrap();
    policy_link(&sb, outside.path());
    policy_refused(&sb, "is a symbolic link");
}

#[test]
fn policy_that_is_not_a_folder_is_refused() {
    let sb = hostile_with_repo();
    let policy = sb.root().join("policy");
    std::fs::remove_dir_all(&policy).unwrap();
    std::fs::write(&policy, "not a folder\n").unwrap();
    policy_refused(&sb, "is a regular file, not a folder");
}

#[test]
fn policy_overrides_that_are_a_fifo_are_not_opened() {
    let sb = hostile_with_repo();
    let (_outside, fifo) = outside_fifo();
    let overrides = sb.root().join("policy/overrides.yaml");
    symlink(&fifo, &overrides);
    let out = run_bounded(&sb, &["list"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("overrides.yaml: is a symbolic link"),
        "{}",
        stderr(&out)
    );

    std::fs::remove_file(&overrides).unwrap();
    mkfifo(&overrides);
    let out = run_bounded(&sb, &["list"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("overrides.yaml: is a FIFO (named pipe), not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_in_policy_that_is_a_fifo_or_links_out_is_not_opened_for_the_cache() {
    let sb = hostile_with_repo();
    sb.journal_incident();
    let (_outside, fifo) = outside_fifo();
    let policy = sb.root().join("policy");
    mkfifo(&policy.join("people.yaml"));
    symlink(&fifo, &policy.join("calendar.yaml"));
    symlink(Path::new("/proc"), &policy.join("waivers"));
    std::fs::write(policy.join("big.yaml"), vec![b'#'; 2 << 20]).unwrap();
    for _ in 0..2 {
        // The first run makes the cache, the second uses it.
        let out = run_bounded(&sb, &["list"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(stdout(&out).contains("Journal nere"), "{}", stdout(&out));
    }
}

#[test]
fn arende_yaml_linked_out_of_the_repository_is_refused() {
    let sb = hostile_with_repo();
    let outside = TempDir::new().unwrap();
    let target = outside.path().join("arende.yaml");
    let config = sb.root().join("arende.yaml");
    std::fs::rename(&config, &target).unwrap();
    symlink(&target, &config);
    for args in [&["list"][..], &["setup"]] {
        let out = run_bounded(&sb, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("arende.yaml: is a symbolic link"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn arende_yaml_that_is_a_fifo_or_links_to_one_is_not_opened() {
    let sb = hostile_with_repo();
    let (_outside, fifo) = outside_fifo();
    let config = sb.root().join("arende.yaml");
    for make in [
        &(|p: &Path| symlink(&fifo, p)) as &dyn Fn(&Path),
        &(|p: &Path| symlink(Path::new("/dev/zero"), p)),
        &mkfifo,
    ] {
        std::fs::remove_file(&config).unwrap();
        make(&config);
        for args in [&["list"][..], &["setup"]] {
            let out = run_bounded(&sb, args);
            assert_ne!(code(&out), 0, "{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("arende.yaml"),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
}
