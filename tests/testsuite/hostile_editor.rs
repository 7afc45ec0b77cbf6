//! Hostile clones (issue 21): the files arende reads or writes at start-up —
//! the editor schemas every command refreshes, the VS Code settings `init`
//! merges into, `arende.yaml` that finds the repository — are opened as
//! records are: never through a symbolic link, regular files only, bounded,
//! never a blocking open. Every command here runs under a deadline, so a
//! regression that blocks on a FIFO fails instead of hanging the suite.

use std::fs::File;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;
use tempfile::TempDir;

/// Far longer than any of these commands takes, even on a busy machine.
const DEADLINE: Duration = Duration::from_secs(10);

/// A sandbox whose hostile files are planted by hand and left: git's
/// status is not judged at the end (it would hang on a FIFO itself).
fn hostile_with_repo() -> Sandbox {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the hostile files (links, FIFOs, huge files) are planted by hand and left");
    sb
}

/// [`hostile_with_repo`] without a repository yet.
fn hostile_new() -> Sandbox {
    let sb = Sandbox::new();
    sb.leaves_changes("the hostile files (links, FIFOs, huge files) are planted by hand and left");
    sb
}

/// Runs `arende ARGS` in `dir`, killing it if it has not finished by the
/// deadline. Its output goes to files, not pipes, so a chatty command
/// cannot block on a full pipe while it is polled.
fn run_in(sb: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    let out_dir = TempDir::new().unwrap();
    let out_path = out_dir.path().join("stdout");
    let err_path = out_dir.path().join("stderr");
    let mut child = sb
        .std_cmd_in(dir)
        .args(args)
        .stdout(Stdio::from(File::create(&out_path).unwrap()))
        .stderr(Stdio::from(File::create(&err_path).unwrap()))
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "arende {args:?} still running after {DEADLINE:?}: it blocked\nstderr so far:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        status,
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    assert_no_panic(&out);
    out
}

/// [`run_in`] the repository root.
fn run(sb: &Sandbox, args: &[&str]) -> Output {
    run_in(sb, sb.root(), args)
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Every file under `dir`, at any depth, with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir).unwrap() {
        let item = item.unwrap();
        let path = item.path();
        if item.file_type().unwrap().is_dir() {
            out.extend(contents(&path));
        } else {
            out.push((
                path.display().to_string(),
                std::fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    out.sort();
    out
}

/// The lines of stderr about the editor schemas: at most one is allowed.
fn schema_notices(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.contains("editor schemas") || l.contains(".schema.json"))
        .map(str::to_owned)
        .collect()
}

/// The one notice of a skipped refresh, which names `path` and what it is.
fn assert_skipped(out: &Output, path: &str, what: &str) {
    let notices = schema_notices(out);
    assert_eq!(notices.len(), 1, "one notice, not {notices:?}");
    let notice = &notices[0];
    assert!(notice.contains("left the editor schemas alone"), "{notice}");
    assert!(notice.contains(path), "{notice} does not name {path}");
    assert!(notice.contains(what), "{notice} does not say {what}");
}

fn schema(sb: &Sandbox, kind: &str) -> std::path::PathBuf {
    sb.root()
        .join(format!(".arende/schemas/{kind}.schema.json"))
}

// ------------------------------------------------ the schema refresh

/// A schema file that is a FIFO is not opened (the refresh used to block
/// on it for ever), and read-only commands go on with one notice. The
/// refresh is all or nothing: another stale schema is not rewritten either.
#[test]
fn a_schema_file_that_is_a_fifo_skips_the_refresh_and_never_blocks() {
    let sb = hostile_with_repo();
    let id = sb.journal_incident();
    std::fs::remove_file(schema(&sb, "incident")).unwrap();
    mkfifo(&schema(&sb, "incident"));
    std::fs::write(schema(&sb, "problem"), "{}\n").unwrap();

    for args in [vec!["list"], vec!["show", id.as_str()]] {
        let out = run(&sb, &args);
        assert_eq!(code(&out), 0, "arende {args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(&id),
            "arende {args:?}: {}",
            stdout(&out)
        );
        assert_skipped(
            &out,
            ".arende/schemas/incident.schema.json",
            "FIFO (named pipe)",
        );
    }
    assert!(is_fifo(&schema(&sb, "incident")));
    assert_eq!(std::fs::read(schema(&sb, "problem")).unwrap(), b"{}\n");
}

/// `.arende/schemas` linked to a folder outside the repository: nothing is
/// written there (the refresh used to write all seven schemas into it) or
/// read from it, and `list` exits 0 with one notice naming the link.
#[test]
fn a_schemas_folder_linked_out_of_the_repository_is_not_written_through() {
    let sb = hostile_with_repo();
    let outside = TempDir::new().unwrap();
    std::fs::write(outside.path().join("incident.schema.json"), "{}\n").unwrap();
    let before = contents(outside.path());
    let dir = sb.root().join(".arende/schemas");
    std::fs::remove_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(outside.path(), &dir).unwrap();

    let out = run(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_skipped(&out, ".arende/schemas", "symbolic link");
    assert_eq!(contents(outside.path()), before, "written outside");
    assert!(is_link(&dir));
}

/// `.arende` itself linked out: the same.
#[test]
fn an_arende_folder_linked_out_of_the_repository_is_not_written_through() {
    let sb = hostile_with_repo();
    let outside = TempDir::new().unwrap();
    std::fs::create_dir(outside.path().join("schemas")).unwrap();
    std::fs::write(outside.path().join("schemas/change.schema.json"), "{}\n").unwrap();
    let before = contents(outside.path());
    let dir = sb.root().join(".arende");
    std::fs::remove_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(outside.path(), &dir).unwrap();

    let out = run(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_skipped(&out, ".arende", "symbolic link");
    assert_eq!(contents(outside.path()), before, "written outside");

    // --quiet: not a word, and still nothing written.
    let out = run(&sb, &["--quiet", "list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(schema_notices(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(contents(outside.path()), before, "written outside");
}

/// A schema file linked to a file outside: neither read nor replaced.
#[test]
fn a_schema_file_linked_out_of_the_repository_is_left_alone() {
    let sb = hostile_with_repo();
    let outside = TempDir::new().unwrap();
    let target = outside.path().join("secret.json");
    std::fs::write(&target, "{}\n").unwrap();
    std::fs::remove_file(schema(&sb, "release")).unwrap();
    std::os::unix::fs::symlink(&target, schema(&sb, "release")).unwrap();

    let out = run(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_skipped(&out, ".arende/schemas/release.schema.json", "symbolic link");
    assert!(is_link(&schema(&sb, "release")));
    assert_eq!(std::fs::read(&target).unwrap(), b"{}\n");
}

/// `.arende` a plain file, and a schema "file" that is a folder: skipped
/// with the notice, not an error.
#[test]
fn an_arende_file_or_a_schema_folder_is_skipped_with_a_notice() {
    let sb = hostile_with_repo();
    std::fs::remove_file(schema(&sb, "incident")).unwrap();
    std::fs::create_dir(schema(&sb, "incident")).unwrap();
    let out = run(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_skipped(&out, ".arende/schemas/incident.schema.json", "a folder");

    std::fs::remove_dir_all(sb.root().join(".arende")).unwrap();
    std::fs::write(sb.root().join(".arende"), "x\n").unwrap();
    let out = run(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_skipped(&out, ".arende", "a regular file");
    assert_eq!(std::fs::read(sb.root().join(".arende")).unwrap(), b"x\n");
}

/// A huge schema file (sparse: 200 MB that take no disk) is stale, and is
/// replaced without being read into memory.
#[test]
fn a_huge_schema_file_is_replaced_without_being_read() {
    let sb = hostile_with_repo();
    let path = schema(&sb, "capacity_review");
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let out = run(&sb, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let notices = schema_notices(&out);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("updated .arende/schemas/capacity_review.schema.json"),
        "{notices:?}"
    );
    let shipped = sb.ok(&["schema", "capacity_review"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), shipped);
}

// ------------------------------------------------ init's VS Code settings

/// What `init` leaves in a folder it refused: nothing of its own.
fn assert_init_left_nothing(sb: &Sandbox) {
    assert!(
        std::fs::symlink_metadata(sb.root().join("arende.yaml")).is_err(),
        "init left arende.yaml behind"
    );
    assert!(
        std::fs::symlink_metadata(sb.root().join(".arende")).is_err(),
        "init left .arende behind"
    );
}

#[test]
fn init_refuses_a_settings_file_that_is_a_fifo() {
    let sb = hostile_new();
    let settings = sb.root().join(".vscode/settings.json");
    std::fs::create_dir(sb.root().join(".vscode")).unwrap();
    mkfifo(&settings);

    let out = run(&sb, &["init", "--policy", "inera"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".vscode/settings.json"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("FIFO"), "{}", stderr(&out));
    assert!(is_fifo(&settings));
    assert_init_left_nothing(&sb);
}

#[test]
fn init_refuses_a_settings_file_linked_out_of_the_folder() {
    let sb = hostile_new();
    let outside = TempDir::new().unwrap();
    let target = outside.path().join("settings.json");
    std::fs::write(&target, "{\"editor.tabSize\": 8}\n").unwrap();
    let settings = sb.root().join(".vscode/settings.json");
    std::fs::create_dir(sb.root().join(".vscode")).unwrap();
    std::os::unix::fs::symlink(&target, &settings).unwrap();

    let out = run(&sb, &["init", "--policy", "inera"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".vscode/settings.json"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"{\"editor.tabSize\": 8}\n"
    );
    assert!(is_link(&settings));
    assert_init_left_nothing(&sb);
}

#[test]
fn init_refuses_a_vscode_folder_linked_out_of_the_folder() {
    let sb = hostile_new();
    let outside = TempDir::new().unwrap();
    std::os::unix::fs::symlink(outside.path(), sb.root().join(".vscode")).unwrap();

    let out = run(&sb, &["init", "--policy", "inera"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains(".vscode"), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert!(contents(outside.path()).is_empty(), "written outside");
    assert_init_left_nothing(&sb);
}

/// A settings file far larger than settings are is refused before it is
/// read (sparse: 100 MB that take no disk).
#[test]
fn init_refuses_a_huge_settings_file() {
    let sb = hostile_new();
    std::fs::create_dir(sb.root().join(".vscode")).unwrap();
    let settings = sb.root().join(".vscode/settings.json");
    File::create(&settings).unwrap().set_len(100 << 20).unwrap();

    let out = run(&sb, &["init", "--policy", "inera"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(".vscode/settings.json"), "{err}");
    assert!(err.contains("104857600 bytes"), "{err}");
    assert!(
        !err.contains("record"),
        "a settings file is not a record: {err}"
    );
    assert_eq!(std::fs::metadata(&settings).unwrap().len(), 100 << 20);
    assert_init_left_nothing(&sb);
}

/// A settings file that is not UTF-8 is not plain JSON: left for its
/// owner, as one with comments is, and init goes on.
#[test]
fn init_leaves_a_settings_file_that_is_not_utf8_alone() {
    let sb = hostile_new();
    std::fs::create_dir(sb.root().join(".vscode")).unwrap();
    let settings = sb.root().join(".vscode/settings.json");
    std::fs::write(&settings, b"{\"a\": \"\xff\"}\n").unwrap();

    let out = run(&sb, &["init", "--policy", "inera"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&settings).unwrap(), b"{\"a\": \"\xff\"}\n");
    assert!(
        sb.root()
            .join(".arende/schemas/incident.schema.json")
            .is_file()
    );
}

// ------------------------------------------------ finding the repository

/// The precise refusal of a hostile `arende.yaml`: exit 2, naming the file
/// and what it is, never "not inside an arende repository" (exit 3).
fn assert_config_refused(out: &Output, config: &Path, what: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 2, "{err}");
    assert!(
        err.contains(&config.display().to_string()),
        "{err} does not name {}",
        config.display()
    );
    assert!(err.contains(what), "{err} does not say {what}");
    assert!(!err.contains("not inside"), "{err}");
}

#[test]
fn an_arende_yaml_that_is_a_fifo_is_refused_by_name() {
    let sb = hostile_with_repo();
    let config = sb.root().join("arende.yaml");
    std::fs::remove_file(&config).unwrap();
    mkfifo(&config);

    let out = run(&sb, &["list"]);
    assert_config_refused(&out, &config, "FIFO");
}

/// A linked `arende.yaml` is refused whatever it points at: a FIFO, a
/// repository configuration outside, or nothing.
#[test]
fn an_arende_yaml_that_is_a_link_is_refused_by_name() {
    let sb = hostile_with_repo();
    let config = sb.root().join("arende.yaml");
    let outside = TempDir::new().unwrap();
    let fifo = outside.path().join("fifo");
    mkfifo(&fifo);
    let yaml = outside.path().join("arende.yaml");
    std::fs::copy(&config, &yaml).unwrap();
    std::fs::remove_file(&config).unwrap();

    for target in [fifo, yaml, outside.path().join("gone")] {
        std::os::unix::fs::symlink(&target, &config).unwrap();
        let out = run(&sb, &["list"]);
        assert_config_refused(&out, &config, "symbolic link");
        std::fs::remove_file(&config).unwrap();
    }
}

/// In a subfolder of a repository, a FIFO (or a link) named `arende.yaml`
/// is where the search stops: refused, not passed over for the parent's
/// repository.
#[test]
fn a_hostile_arende_yaml_in_a_subfolder_does_not_climb_to_the_parent() {
    let sb = hostile_with_repo();
    sb.journal_incident();
    let sub = sb.root().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let config = sub.join("arende.yaml");

    mkfifo(&config);
    let out = run_in(&sb, &sub, &["list"]);
    assert_config_refused(&out, &config, "FIFO");
    assert!(!stdout(&out).contains("INC-"), "{}", stdout(&out));
    std::fs::remove_file(&config).unwrap();

    std::os::unix::fs::symlink("../arende.yaml", &config).unwrap();
    let out = run_in(&sb, &sub, &["list"]);
    assert_config_refused(&out, &config, "symbolic link");
    assert!(!stdout(&out).contains("INC-"), "{}", stdout(&out));
    std::fs::remove_file(&config).unwrap();

    // With nothing there, the parent is the repository, as before.
    let out = run_in(&sb, &sub, &["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("INC-"), "{}", stdout(&out));
}
