//! `arende man`: every page has EXIT STATUS, ENVIRONMENT (every variable
//! arende reads, found in its sources) and EXAMPLES, and every example,
//! read back out of the page, runs in a copy of `fixtures/inera`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::*;

fn man_pages(sb: &Sandbox) -> Vec<(String, String)> {
    let dir = sb.scratch().join("man");
    sb.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    pages.sort();
    pages
}

/// The text of section `title` of a roff page, up to the next section.
fn section<'a>(page: &'a str, title: &str) -> Option<&'a str> {
    let start = page.find(&format!(".SH {title}\n"))?;
    let body = &page[start + 1..];
    let end = body.find("\n.SH ").map_or(body.len(), |e| e + 1);
    Some(&body[..end])
}

/// roff's escapes of the pages undone: the text a reader sees.
fn plain(roff: &str) -> String {
    roff.replace("\\-", "-")
        .replace("\\e", "\\")
        .replace("\\&", "")
        .replace("\\fB", "")
        .replace("\\fR", "")
}

/// Every environment variable the sources read: names in `env = "…"`
/// (clap), in `var("…")`/`var_os("…")`, in a `…_VAR` constant, or in a
/// list a line or two above a `var(` call.
fn variables_read() -> BTreeSet<String> {
    let name = regex::Regex::new(r#""([A-Z][A-Z0-9_]{2,})""#).unwrap();
    let mut found = BTreeSet::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let reads = line.contains("env::var");
            let near_read = (i + 1..=i + 2)
                .filter_map(|j| lines.get(j))
                .any(|l| l.contains("env::var(k") || l.contains("env::var_os(k"));
            let declared = line.contains("env = \"") || line.contains("_VAR: &str");
            if reads || near_read || declared {
                found.extend(name.captures_iter(line).map(|c| c[1].to_owned()));
            }
        }
    }
    found
}

#[test]
fn every_page_has_exit_status_environment_and_examples() {
    let sb = Sandbox::new();
    let vars = variables_read();
    for expected in [
        "ARENDE_NOW",
        "ARENDE_DIR",
        "ARENDE_LOCK_TIMEOUT",
        "VISUAL",
        "GIT_INDEX_FILE",
    ] {
        assert!(
            vars.contains(expected),
            "the grep misses {expected}: {vars:?}"
        );
    }
    let mut pages = man_pages(&sb);
    pages.push(("arende (stdout)".into(), sb.ok(&["man"])));
    assert!(pages.len() > 30, "{} pages", pages.len());
    for (name, page) in &pages {
        let exit =
            section(page, "\"EXIT STATUS\"").unwrap_or_else(|| panic!("{name}: no EXIT STATUS"));
        for code in 0..=3 {
            assert!(
                exit.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                "{name}: exit {code}:\n{exit}"
            );
        }
        let env =
            plain(section(page, "ENVIRONMENT").unwrap_or_else(|| panic!("{name}: no ENVIRONMENT")));
        for var in &vars {
            assert!(
                env.contains(var.as_str()),
                "{name}: ENVIRONMENT does not name {var}"
            );
        }
        let examples = section(page, "EXAMPLES").unwrap_or_else(|| panic!("{name}: no EXAMPLES"));
        assert!(
            examples_of(page).iter().any(|e| e.contains("arende ")),
            "{name}: no command line among its examples:\n{examples}"
        );
        // Our sections come before clap's trailing VERSION.
        if let Some(version) = page.find(".SH VERSION") {
            assert!(page.find(".SH EXAMPLES").unwrap() < version, "{name}");
        }
    }
}

/// Each example of a page: the lines between `.nf` and `.fi`, as a reader
/// would type them.
fn examples_of(page: &str) -> Vec<String> {
    let Some(section) = section(page, "EXAMPLES") else {
        return Vec::new();
    };
    section
        .split(".nf\n")
        .skip(1)
        .map(|part| plain(&part[..part.find(".fi\n").unwrap()]))
        .collect()
}

fn fixture_copy() -> Sandbox {
    let sb = Sandbox::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/inera"),
        sb.root(),
    );
    sb.git_ok(&["init", "-q", "-b", "main"]);
    sb.hand_commit("the inera fixture");
    sb
}

#[test]
fn every_example_of_every_page_runs_on_the_inera_fixture() {
    let pages = man_pages(&Sandbox::new());
    let bin: PathBuf = assert_cmd::cargo::cargo_bin("arende")
        .parent()
        .unwrap()
        .to_owned();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut ran = 0;
    for (name, page) in &pages {
        let sb = fixture_copy();
        sb.leaves_changes("examples export files and register the merge driver, as a reader would");
        sb.leaves_dangling_commits(
            "the sync example's report was filed by the partner, whose intake branch is then removed, as a merged request's branch is",
        );
        for script in examples_of(page) {
            // The pinned environment of the sandbox's own commands, with
            // `arende` on PATH, as a reader runs it.
            let pinned = sb.std_cmd_in(sb.root());
            let mut cmd = std::process::Command::new("bash");
            for (k, v) in pinned.get_envs() {
                match v {
                    Some(v) => cmd.env(k, v),
                    None => cmd.env_remove(k),
                };
            }
            let out = cmd
                .args(["-e", "-o", "pipefail", "-c", &script])
                .env("PATH", &path)
                .current_dir(sb.root())
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name}: the example\n{script}\nfailed ({:?}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(
        ran >= pages.len(),
        "{ran} examples on {} pages",
        pages.len()
    );
}
