//! Each command's `--format` offers its own formats: in `--help`, in the
//! shell completions, and in what it accepts.

use crate::support::*;

/// The formats each command has, the default first; the same table as the
/// commands' own, written out so that a format added or lost is a visible
/// change here too.
const FORMATS: &[(&[&str], &[&str])] = &[
    (
        &["validate"],
        &["human", "json", "github", "junit", "sarif", "gitlab"],
    ),
    (&["list"], &["table", "human", "json", "csv"]),
    (&["show"], &["yaml", "json", "table", "human"]),
    (&["export"], &["json", "jsonl", "csv", "ics"]),
    (&["report"], &["table", "human", "json", "markdown", "html"]),
    (&["review"], &["markdown", "human", "json"]),
    (&["sla"], &["table", "human", "json"]),
    (&["log"], &["table", "human", "json"]),
    (&["new"], &["human", "json"]),
    (&["import"], &["human", "json"]),
    (&["policy", "show"], &["human", "yaml", "json"]),
    (&["policy", "explain"], &["human", "json", "yaml"]),
    (&["hook", "install"], &["human", "json"]),
];

#[test]
fn help_and_completion_list_only_the_commands_formats() {
    let sb = Sandbox::with_repo();
    for (path, formats) in FORMATS {
        let mut args: Vec<&str> = path.to_vec();
        args.push("--help");
        let help = sb.ok(&args);
        let section = help
            .split("--format <FORMAT>")
            .nth(1)
            .unwrap_or_else(|| panic!("{path:?} --help has no --format:\n{help}"));
        // Up to the next option (indented less than the value list).
        let section: String = section
            .lines()
            .skip(1)
            .take_while(|l| {
                !(l.trim_start().starts_with('-') && l.len() - l.trim_start().len() <= 6)
            })
            .collect::<Vec<_>>()
            .join("\n");
        for name in [
            "human", "table", "json", "yaml", "csv", "markdown", "html", "github",
        ]
        .iter()
        .chain(&["junit", "sarif", "gitlab", "ics", "jsonl"])
        {
            let listed = section.contains(&format!("- {name}:"));
            assert_eq!(
                listed,
                formats.contains(name),
                "{path:?} --help and `{name}`:\n{section}"
            );
        }
        let mut words = vec!["arende"];
        words.extend(path.iter());
        words.extend(["--format", ""]);
        let mut offered = completions(&sb, &words);
        offered.sort();
        let mut want: Vec<String> = formats.iter().map(|f| f.to_string()).collect();
        want.sort();
        assert_eq!(offered, want, "completion of {path:?} --format");
    }
}

#[test]
fn a_format_the_command_lacks_is_refused_naming_the_ones_it_has() {
    let sb = Sandbox::with_repo();
    let out = sb
        .cmd()
        .args(["list", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("table, human, json, csv"),
        "{}",
        stderr(&out)
    );
    // Given before the command it is checked against the same list.
    let out = sb
        .cmd()
        .args(["--format", "sarif", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("use one of: table, human, json, csv"),
        "{}",
        stderr(&out)
    );
    let out = sb.ok(&["--format", "json", "list"]);
    assert!(out.trim_start().starts_with('['), "{out}");
    // The command's own wins over the one before it.
    let out = sb.ok(&["--format", "csv", "list", "--format", "json"]);
    assert!(out.trim_start().starts_with('['), "{out}");
}

#[test]
fn commands_without_a_format_take_none() {
    let sb = Sandbox::with_repo();
    let out = sb.cmd().args(["man", "--format", "json"]).output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
