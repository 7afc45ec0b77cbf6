//! The shell side: the man page (roff, read by groff when it is installed
//! and by a minimal check of its own always) and the dynamic completions.

use crate::support::*;

/// The completion's candidates for values, options left out.
fn complete(sb: &Sandbox, words: &[&str]) -> Vec<String> {
    completions(sb, words)
        .into_iter()
        .filter(|c| !c.starts_with('-'))
        .collect()
}

#[test]
fn completion_offers_ids_next_statuses_kinds_fields_and_packs() {
    let sb = Sandbox::with_repo();
    let id = sb.journal_incident();
    let other = sb.new_incident("Fel i journalen", &["impact=low", "urgency=low"]);
    let ids = complete(&sb, &["arende", "show", "INC-"]);
    assert!(ids.contains(&id) && ids.contains(&other), "{ids:?}");
    assert!(complete(&sb, &["arende", "show", "CHG-"]).is_empty());
    // A new incident may only be assigned (the inera machine).
    assert_eq!(complete(&sb, &["arende", "status", &id, ""]), ["assigned"]);
    sb.ok(&["status", &id, "assigned", "--group", "servicedesk"]);
    assert_eq!(
        complete(&sb, &["arende", "status", &id, ""]),
        ["in_progress"]
    );
    let kinds = complete(&sb, &["arende", "new", ""]);
    for k in ["incident", "change", "ci", "request"] {
        assert!(kinds.iter().any(|c| c == k), "{kinds:?}");
    }
    assert!(complete(&sb, &["arende", "set", &id, "urg"]).contains(&"urgency=".to_owned()));
    // What `set` writes: the members of a group, never a field it refuses.
    let fields = complete(&sb, &["arende", "set", &id, ""]);
    for f in ["reporter.party=", "assignment.group=", "tickets.kund="] {
        assert!(fields.iter().any(|c| c == f), "{f} in {fields:?}");
    }
    for f in ["id=", "kind=", "history=", "status=", "reporter=", "links="] {
        assert!(!fields.iter().any(|c| c == f), "{f} in {fields:?}");
    }
    assert_eq!(
        complete(&sb, &["arende", "init", "--policy", ""]),
        ["inera", "ehm", "stockholm"]
    );
    let rules = complete(&sb, &["arende", "policy", "explain", "REC00"]);
    assert!(rules.contains(&"REC001".to_owned()), "{rules:?}");
}

#[test]
fn the_completion_script_calls_arende_back() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = sb.ok(&["completions", shell]);
        assert!(script.contains("COMPLETE="), "{shell}:\n{script}");
        assert!(script.contains("arende"), "{shell}");
    }
}

/// The roff requests a man page needs, checked without any tool: a title,
/// the NAME section in the `name \- summary` form `whatis` reads, every
/// request line a known macro, no raw non-ASCII control characters.
fn check_roff(page: &str) {
    let lines: Vec<&str> = page.lines().collect();
    let th = lines
        .iter()
        .find(|l| l.starts_with(".TH "))
        .expect("a .TH title");
    assert!(th.starts_with(".TH arende 1"), "{th}");
    let name = lines
        .iter()
        .position(|l| *l == ".SH NAME")
        .expect("a NAME section");
    assert!(
        lines[name + 1].starts_with("arende \\- "),
        "{}",
        lines[name + 1]
    );
    for section in ["SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUBCOMMANDS"] {
        assert!(
            lines.contains(&format!(".SH {section}").as_str()),
            "no {section}"
        );
    }
    const MACROS: &[&str] = &[
        "TH", "SH", "SS", "TP", "PP", "LP", "P", "IP", "RS", "RE", "br", "B", "I", "BR", "IR",
        "ie", "el", "ds", "nf", "fi", "sp", "in", "ti", "HP", "EX", "EE",
    ];
    for l in &lines {
        if let Some(request) = l.strip_prefix('.') {
            let name = request.split([' ', '\\']).next().unwrap_or_default();
            assert!(MACROS.contains(&name), "an unknown request: {l}");
        }
        assert!(
            !l.chars().any(|c| c.is_control() && c != '\t'),
            "a control character in {l:?}"
        );
    }
    for sub in ["validate", "import", "export", "man", "schema", "hook"] {
        assert!(page.contains(&format!("arende\\-{sub}(1)")), "no {sub}");
    }
}

#[test]
fn man_prints_a_page_that_roff_reads() {
    let sb = Sandbox::new();
    let page = sb.ok(&["man"]);
    check_roff(&page);
    // groff, where installed, renders it without a warning (-k: the
    // input is UTF-8, as man-db passes it through preconv).
    let file = sb.root().join("arende.1");
    std::fs::write(&file, &page).unwrap();
    if let Ok(out) = std::process::Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-ww"])
        .arg(&file)
        .output()
    {
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Bold and underline are overstruck (`N\bN`): keep the last of each.
        let mut text = String::new();
        for c in String::from_utf8_lossy(&out.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        assert!(
            text.contains("NAME") && text.contains("arende-validate(1)"),
            "{text}"
        );
    }
    let dir = sb.root().join("man1");
    sb.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let validate = std::fs::read_to_string(dir.join("arende-validate.1")).unwrap();
    assert!(validate.contains("\\-\\-staged"), "{validate}");
}
