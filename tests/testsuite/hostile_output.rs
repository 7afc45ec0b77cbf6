//! Record text is written by anyone who can commit, so every output must
//! keep it from acting: no formula in a spreadsheet, no HTML, image or
//! mention in a pull-request comment, no escape sequence on a terminal, no
//! character that makes JUnit XML unreadable, no forged workflow command.
//! And output that cannot be written is an error (exit 3), while a reader
//! that goes away (`| head`) ends the command quietly.

use std::fs::File;
use std::process::Stdio;

use crate::support::*;

/// A title as a hand edit writes it in YAML: a spreadsheet formula first,
/// then terminal escapes (colour, an OSC 8 hyperlink, an 8-bit CSI that
/// clears the screen, a carriage return) and Markdown that would render.
const HOSTILE_TITLE: &str = r#"title: "=HYPERLINK(\"http://evil\") \e[31mRED\e[0m \e]8;;http://x\aLINK\e]8;;\a \x9b2J\r <img src=x onerror=alert(1)> <!-- hidden --> ![x](http://track) @octocat | pipe""#;

/// A commit message that a terminal would act on.
const HOSTILE_COMMIT: &str = "edit \u{1b}]0;pwned\u{7}\u{1b}[2Jtitle";

/// A repository whose one incident got the hostile title on a branch, by
/// hand; returns the sandbox, the incident and the commit before the edit.
fn hostile_repo() -> (Sandbox, String, String) {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let base = sb.rev("HEAD");
    sb.branch("hostile");
    sb.edit_record(&id, "title: Journal nere", HOSTILE_TITLE);
    sb.hand_commit(HOSTILE_COMMIT);
    (sb, id, base)
}

/// Terminal output with `--color never` holds no control character but
/// line feeds (and tabs): every escape sequence came from record text.
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(
        bad.is_empty(),
        "{what} printed control characters {bad:?}:\n{text}"
    );
}

fn cells_of(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn assert_no_formula(what: &str, csv_text: &str) {
    let cells = cells_of(csv_text);
    assert!(cells.len() >= 2, "{what}: no rows in\n{csv_text}");
    for cell in cells.iter().flatten() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{what}: a spreadsheet would run {cell:?}"
        );
    }
    assert!(
        cells
            .iter()
            .flatten()
            .any(|c| c.starts_with("'=HYPERLINK(\"http://evil\")")),
        "{what}: the title is not there, neutralised:\n{csv_text}"
    );
}

#[test]
fn csv_cells_that_start_a_formula_are_neutralised() {
    let (sb, _, _) = hostile_repo();
    assert_no_formula("list", &sb.ok(&["list", "--format", "csv"]));
    assert_no_formula("export", &sb.ok(&["export", "--format", "csv"]));
}

#[test]
fn terminal_output_carries_no_escape_sequence_from_records() {
    let (sb, id, base) = hostile_repo();
    for args in [
        vec!["list"],
        vec!["list", "incident"],
        vec!["show", id.as_str(), "--format", "table"],
        vec!["log", id.as_str()],
        vec!["review", base.as_str(), "--format", "human"],
    ] {
        let mut all = args.clone();
        all.extend(["--color", "never"]);
        let out = sb.run(&all);
        assert_terminal_safe(&format!("arende {args:?}"), &stdout(&out));
        assert_terminal_safe(&format!("arende {args:?} (stderr)"), &stderr(&out));
    }
    // The text itself is still there, without its escapes.
    let table = sb.ok(&["show", &id, "--format", "table"]);
    assert!(
        table.contains("REDLINK") || table.contains("RED LINK"),
        "{table}"
    );
    let log = sb.ok(&["log", &id]);
    assert!(log.contains("edit title"), "{log}");
}

#[test]
fn review_markdown_renders_no_html_image_or_mention() {
    let (sb, _, base) = hostile_repo();
    let out = sb.run(&["review", &base]);
    let md = stdout(&out);
    assert_terminal_safe("review", &md);
    assert!(md.contains("HYPERLINK"), "the title is missing:\n{md}");
    for bad in ["![x]", "@octocat", "<img", "<!--"] {
        // Backslash-escaped, `\<img` is text; unescaped it is markup.
        let raw = md.match_indices(bad).any(|(i, _)| !md[..i].ends_with('\\'));
        assert!(!raw, "{bad:?} would render:\n{md}");
    }
    // Every row of the summary table keeps its five columns.
    let row = md
        .lines()
        .find(|l| l.contains("HYPERLINK"))
        .expect("a summary row");
    assert_eq!(row.replace("\\|", "").matches('|').count(), 6, "{row}");
}

/// A record whose enumerated field holds characters XML 1.0 forbids and a
/// terminal escape; validate's messages quote the value.
fn unreadable_value_repo() -> Sandbox {
    let sb = Sandbox::with_repo();
    sb.leaves_changes("the hostile value is a hand edit for validate to read, never committed");
    let id = sb.journal_incident();
    sb.edit_record(
        &id,
        "reported_via: phone",
        r#"reported_via: "\x01ph\x0bone\0\uFFFE\e[1m\n::error::forged""#,
    );
    sb
}

#[test]
fn junit_is_well_formed_xml_whatever_the_record_holds() {
    let sb = unreadable_value_repo();
    let out = sb.run(&["validate", "--format", "junit"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml)
        .unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{xml:?}"));
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("reported_via"),
        "{xml}"
    );
}

#[test]
fn github_annotations_cannot_forge_commands_or_escapes() {
    let sb = unreadable_value_repo();
    let out = sb.run(&["validate", "--format", "github"]);
    let text = stdout(&out);
    assert_terminal_safe("validate --format github", &text);
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning "),
            "{line}"
        );
    }
    assert!(text.contains("%0A::error::forged"), "{text}");
    // The person's report on standard error is cleaned too.
    let human = sb.run(&["validate", "--color", "never"]);
    assert_terminal_safe("validate (stderr)", &stderr(&human));
}

/// Runs `arende ARGS` with standard output on /dev/full.
fn run_into_full_disk(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let full = File::create("/dev/full").expect("/dev/full opens");
    let out = sb
        .std_cmd_in(sb.root())
        .args(args)
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_no_panic(&out);
    out
}

#[test]
fn a_full_disk_on_stdout_is_exit_3_with_a_sentence() {
    let (sb, id, base) = hostile_repo();
    sb.checkout("main");
    for args in [
        vec!["export"],
        vec!["export", "--format", "csv"],
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["list", "--format", "csv"],
        vec!["show", id.as_str()],
        vec!["show", id.as_str(), "--format", "table"],
        vec!["validate", "--format", "json"],
        vec!["validate", "--format", "junit"],
        vec!["review", "hostile"],
        vec!["review", base.as_str(), "--format", "json"],
        vec!["report", "--quarter", "2026Q4"],
        vec!["report", "--quarter", "2026Q4", "--format", "html"],
        vec!["log", id.as_str()],
        vec!["sla"],
        vec!["policy", "show"],
        vec!["policy", "explain", "INC001"],
        vec!["completions", "bash"],
    ] {
        let out = run_into_full_disk(&sb, &args);
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "arende {args:?} > /dev/full:\n{err}");
        assert!(
            err.contains("could not write to standard output: No space left on device"),
            "arende {args:?} > /dev/full:\n{err}"
        );
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let sb = Sandbox::with_repo();
    for id in 0..3 {
        sb.new_incident(&format!("Incident {id}"), &[]);
    }
    for args in [vec!["completions", "bash"], vec!["export"], vec!["list"]] {
        // The reader goes away before the command writes (as `| head -c1`
        // does once it has its byte; a pipe's buffer would hide a later one).
        let mut child = sb
            .std_cmd_in(sb.root())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_no_panic(&out);
        let err = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "arende {args:?} | head -c1: {:?}\n{err}",
            out.status
        );
        assert!(!err.contains("standard output"), "{err}");
    }
}
