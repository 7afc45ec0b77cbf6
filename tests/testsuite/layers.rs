//! Dependencies run one way: every module of `src/` uses only modules of its
//! own layer or of the layers below it, and no two top-level modules use
//! each other, directly or round a circle. docs/architecture.md explains the
//! layers; [`LAYERS`] is its table, and a test keeps the two equal.
//!
//! The check reads the source as text, so it needs nothing but the files:
//! comments (doc links included: rustdoc resolves them, the compiler does
//! not) and string and character literals are blanked, and every path that
//! starts at `crate::`, `$crate::`, `super::` (climbing out of the
//! top-level module) or, in the binary, `arende::` is one use of the
//! top-level module it names. Run it alone with
//! `cargo test --test testsuite layers::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top first, and their top-level modules: a module may use
/// the modules of its own layer (without a circle) and of every layer
/// below it. The same table as in docs/architecture.md.
const LAYERS: &[(&str, &[&str])] = &[
    ("face", &["main", "cli"]),
    ("actions and renderers", &["actions", "render"]),
    (
        "domain",
        &[
            "validate",
            "review",
            "merge",
            "sla",
            "report",
            "import",
            "classify",
            "audit",
            "editor",
            "approvals",
            "listing",
            "schedule",
            "impact",
            "site",
            "exchange",
        ],
    ),
    (
        "model",
        &["workspace", "people", "policy", "record", "schema"],
    ),
    ("store", &["store"]),
    (
        "ground",
        &[
            "fs", "yaml", "error", "time", "calendar", "id", "kind", "clock", "config", "suggest",
        ],
    ),
];

/// The upward uses that are known and stay for now, each a file (or a
/// folder, ending in `/`) under `src/` and the module it may use. A new
/// upward use fails the test; so does an entry here that nothing uses any
/// more (remove it then).
const KNOWN_UPWARD: &[(&str, &str)] = &[];

/// One use of a top-level module.
#[derive(Debug, Clone)]
struct Use {
    /// The using file, relative to `src/`.
    file: String,
    line: usize,
    /// The top-level module the file belongs to.
    from: String,
    /// The top-level module used.
    to: String,
    /// The path as written, for the message.
    path: String,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// `text` with comments and the insides of string and character literals
/// replaced by spaces, line breaks kept, so positions and lines stay true.
fn blank_comments_and_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = c.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for ch in out.iter_mut().take(to.min(c.len())).skip(from) {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    };
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            let end = (i..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '/' && next == Some('*') {
            let (mut depth, mut j) = (0usize, i);
            while j < c.len() {
                if c[j] == '/' && c.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if c[j] == '*' && c.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if c[i] == 'r'
            && (i == 0 || !ident(c[i - 1]) || (c[i - 1] == 'b' && (i < 2 || !ident(c[i - 2]))))
            && {
                let hashes = (i + 1..c.len()).take_while(|&j| c[j] == '#').count();
                c.get(i + 1 + hashes) == Some(&'"')
            }
        {
            let hashes = (i + 1..c.len()).take_while(|&j| c[j] == '#').count();
            let body = i + 2 + hashes;
            let mut j = body;
            while j < c.len() {
                if c[j] == '"' && (j + 1..j + 1 + hashes).all(|k| c.get(k) == Some(&'#')) {
                    break;
                }
                j += 1;
            }
            blank(&mut out, body, j);
            i = j + 1 + hashes;
        } else if c[i] == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i + 1, j);
            i = j + 1;
        } else if c[i] == '\'' && next == Some('\\') {
            let end = (i + 3..c.len()).find(|&j| c[j] == '\'').unwrap_or(c.len());
            blank(&mut out, i + 1, end);
            i = end + 1;
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            blank(&mut out, i + 1, i + 2);
            i += 3;
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' || (ch == '$' && c.get(i + 1) == Some(&'c')) {
            let start = i;
            i += 1;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            out.push((Tok::Ident(word.trim_start_matches('$').to_owned()), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// Where a file's paths start from: its module path, and which crate it is in.
struct FileCx<'a> {
    /// The module path of the file (`["store", "cache", "de"]`).
    modules: Vec<String>,
    /// Whether the file is in the binary (`main.rs` and its modules).
    binary: bool,
    /// Names the library's root re-exports, and the module each comes from.
    root_names: &'a BTreeMap<String, String>,
}

/// The top-level modules (with the crate: `true` for the binary) each path
/// in `toks` names beyond the file's own, with the path's line and text.
fn uses_in(cx: &FileCx<'_>, toks: &[(Tok, usize)]) -> Vec<(bool, String, usize, String)> {
    let ident = |i: usize| match toks.get(i) {
        Some((Tok::Ident(w), _)) => Some(w.as_str()),
        _ => None,
    };
    let sep = |i: usize| matches!(toks.get(i), Some((Tok::PathSep, _)));
    let mut out = Vec::new();
    // Inline modules (`mod tests { … }`) deepen the path `super` climbs.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Punct('{') => {
                if i >= 2
                    && ident(i - 2) == Some("mod")
                    && let Some(name) = ident(i - 1)
                {
                    inline.push((name.to_owned(), depth));
                }
                depth += 1;
            }
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        let starts = i == 0 || !sep(i - 1);
        let line = toks[i].1;
        let (binary, mut at) = match ident(i) {
            Some("crate") if starts && sep(i + 1) => (cx.binary, i + 2),
            Some("arende") if starts && cx.binary && sep(i + 1) => (false, i + 2),
            Some("super") if starts && sep(i + 1) => {
                let mut climbs = 1;
                let mut j = i + 2;
                while ident(j) == Some("super") && sep(j + 1) {
                    climbs += 1;
                    j += 2;
                }
                let here = cx.modules.len() + inline.len();
                if climbs != here {
                    // Still inside the file's own top-level module.
                    i = j;
                    continue;
                }
                (cx.binary, j)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let head: String = toks[i..at]
            .iter()
            .map(|(t, _)| match t {
                Tok::Ident(w) => w.clone(),
                Tok::PathSep => "::".into(),
                Tok::Punct(p) => p.to_string(),
            })
            .collect();
        let mut names = Vec::new();
        if let Some(name) = ident(at) {
            names.push(name.to_owned());
            at += 1;
        } else if matches!(toks.get(at), Some((Tok::Punct('{'), _))) {
            // A group: the first name of each of its items.
            let mut level = 0;
            let mut first = true;
            while at < toks.len() {
                match &toks[at].0 {
                    Tok::Punct('{') => level += 1,
                    Tok::Punct('}') => {
                        level -= 1;
                        if level == 0 {
                            break;
                        }
                    }
                    Tok::Punct(',') if level == 1 => first = true,
                    Tok::Ident(w) if level == 1 && first => {
                        names.push(w.clone());
                        first = false;
                    }
                    _ => {}
                }
                at += 1;
            }
        }
        for name in names {
            let module = if binary {
                name.clone()
            } else {
                cx.root_names.get(&name).cloned().unwrap_or(name.clone())
            };
            out.push((binary, module, line, format!("{head}{name}")));
        }
        i = at.max(i + 1);
    }
    out
}

/// The library's root re-exports (`pub use error::{Error, Result};`): name
/// to module.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let toks = tokens(&blank_comments_and_literals(lib));
    let mut out = BTreeMap::new();
    for i in 0..toks.len() {
        let is = |k: usize, w: &str| matches!(toks.get(k), Some((Tok::Ident(x), _)) if x == w);
        if !(is(i, "pub") && is(i + 1, "use")) {
            continue;
        }
        let Some((Tok::Ident(module), _)) = toks.get(i + 2) else {
            continue;
        };
        let mut last = None;
        for (t, _) in &toks[i + 3..] {
            match t {
                Tok::Punct(';') => break,
                Tok::Ident(w) => last = Some(w.clone()),
                Tok::Punct(',') | Tok::Punct('}') => {
                    if let Some(w) = last.take() {
                        out.insert(w, module.clone());
                    }
                }
                _ => {}
            }
        }
        if let Some(w) = last {
            out.insert(w, module.clone());
        }
    }
    out
}

/// The `mod x;` declarations of a crate root.
fn declared_modules(root: &str) -> Vec<String> {
    let toks = tokens(&blank_comments_and_literals(root));
    toks.windows(3)
        .filter_map(|w| match w {
            [
                (Tok::Ident(m), _),
                (Tok::Ident(name), _),
                (Tok::Punct(';'), _),
            ] if m == "mod" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Every use of another top-level module, in every file of `src/`.
fn all_uses() -> Vec<Use> {
    let src = src();
    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let names = root_names(&read(&src.join("lib.rs")));
    let bin_modules = declared_modules(&read(&src.join("main.rs")));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut uses = Vec::new();
    for path in files {
        let rel = path.strip_prefix(&src).expect("under src");
        let file = rel.to_string_lossy().replace('\\', "/");
        let mut modules: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if modules
            .last()
            .is_some_and(|m| m == "mod" || m == "lib" || m == "main")
        {
            modules.pop();
        }
        let binary = file == "main.rs" || modules.first().is_some_and(|m| bin_modules.contains(m));
        let from = match modules.first() {
            Some(m) => m.clone(),
            None if binary => "main".to_owned(),
            None => continue, // lib.rs declares the modules and re-exports
        };
        let cx = FileCx {
            modules,
            binary,
            root_names: &names,
        };
        let toks = tokens(&blank_comments_and_literals(&read(&path)));
        for (in_binary, to, line, text) in uses_in(&cx, &toks) {
            // The binary's own items (`crate::cli::…` from main.rs) are
            // the face's; a use of the library from the binary is
            // downward by definition, and checked like any other.
            let to = if in_binary && !bin_modules.contains(&to) {
                "main".to_owned()
            } else {
                to
            };
            if to != from && layer_of(&to).is_some() {
                uses.push(Use {
                    file: file.clone(),
                    line,
                    from: from.clone(),
                    to,
                    path: text,
                });
            }
        }
    }
    uses
}

fn known(u: &Use) -> Option<usize> {
    KNOWN_UPWARD.iter().position(|(at, to)| {
        *to == u.to
            && if at.ends_with('/') {
                u.file.starts_with(at)
            } else {
                u.file == *at
            }
    })
}

#[test]
fn every_top_level_module_has_one_layer() {
    let src = src();
    let read = |p: &Path| std::fs::read_to_string(p).expect("crate root");
    let mut modules = declared_modules(&read(&src.join("lib.rs")));
    modules.extend(declared_modules(&read(&src.join("main.rs"))));
    modules.push("main".to_owned());
    let missing: Vec<&String> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "top-level modules in no layer of LAYERS (tests/testsuite/layers.rs) and docs/architecture.md: {missing:?}; place each in the layer of what it knows"
    );
    let listed: Vec<&str> = LAYERS
        .iter()
        .flat_map(|(_, ms)| ms.iter().copied())
        .collect();
    let twice: BTreeSet<&str> = listed
        .iter()
        .copied()
        .filter(|m| listed.iter().filter(|n| *n == m).count() > 1)
        .collect();
    assert!(twice.is_empty(), "modules in two layers: {twice:?}");
    let gone: Vec<&&str> = listed
        .iter()
        .filter(|m| !modules.iter().any(|n| n == *m))
        .collect();
    assert!(
        gone.is_empty(),
        "LAYERS names modules there are not: {gone:?}"
    );
}

#[test]
fn no_module_uses_one_above_it() {
    let uses = all_uses();
    let mut seen = vec![false; KNOWN_UPWARD.len()];
    let mut upward = Vec::new();
    for u in &uses {
        let (Some(from), Some(to)) = (layer_of(&u.from), layer_of(&u.to)) else {
            continue;
        };
        if to >= from {
            continue;
        }
        match known(u) {
            Some(k) => seen[k] = true,
            None => upward.push(format!(
                "src/{}:{}: `{}`: {} ({}) uses {} ({}), a layer above it",
                u.file, u.line, u.path, u.from, LAYERS[from].0, u.to, LAYERS[to].0
            )),
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run up a layer (see docs/architecture.md for where things go):\n{}",
        upward.join("\n")
    );
    let stale: Vec<_> = KNOWN_UPWARD
        .iter()
        .zip(&seen)
        .filter(|(_, seen)| !**seen)
        .map(|(k, _)| k)
        .collect();
    assert!(
        stale.is_empty(),
        "KNOWN_UPWARD entries nothing uses any more; remove them here and in docs/architecture.md: {stale:?}"
    );
}

#[test]
fn no_circle_between_top_level_modules() {
    let uses = all_uses();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in &uses {
        graph.entry(&u.from).or_default().insert(&u.to);
    }
    // The shortest way from `a` to `b` through the uses, if there is one.
    let way = |a: &str, b: &str| -> Option<Vec<String>> {
        let mut came: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([a]);
        while let Some(m) = queue.pop_front() {
            for &n in graph.get(m).into_iter().flatten() {
                if n != a && !came.contains_key(n) {
                    came.insert(n, m);
                    queue.push_back(n);
                }
            }
            if let Some(mut at) = came.get(b).copied().map(|_| b) {
                let mut back = vec![b.to_owned()];
                while at != a {
                    at = came[at];
                    back.push(at.to_owned());
                }
                back.reverse();
                return Some(back);
            }
        }
        None
    };
    let mut circles = Vec::new();
    for u in &uses {
        if let Some(back) = way(&u.to, &u.from) {
            circles.push(format!(
                "src/{}:{}: `{}`: {} uses {}, and {}",
                u.file,
                u.line,
                u.path,
                u.from,
                u.to,
                back.join(" → ")
            ));
        }
    }
    assert!(
        circles.is_empty(),
        "uses that close a circle between top-level modules:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_docs_have_this_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    let docs = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows: Vec<(String, Vec<String>)> = docs
        .lines()
        .filter(|l| l.starts_with('|') && l.contains('`'))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let layer = cells.get(1)?.trim_matches('*').to_owned();
            let modules = cells
                .get(2)?
                .split('`')
                .skip(1)
                .step_by(2)
                .map(|m| m.trim_end_matches(".rs").trim_end_matches('/').to_owned())
                .collect();
            Some((layer, modules))
        })
        .take(LAYERS.len())
        .collect();
    let want: Vec<(String, Vec<String>)> = LAYERS
        .iter()
        .map(|(l, ms)| (l.to_string(), ms.iter().map(|m| m.to_string()).collect()))
        .collect();
    assert_eq!(
        rows, want,
        "the first table of docs/architecture.md (layer, then each module in backquotes) differs from LAYERS"
    );
}

#[test]
fn the_reader_sees_paths_through_groups_and_past_comments() {
    let names = BTreeMap::from([("Error".to_owned(), "error".to_owned())]);
    let cx = FileCx {
        modules: vec!["store".into(), "transaction".into()],
        binary: false,
        root_names: &names,
    };
    let text = r##"
use crate::{yaml::{self, Value}, id::RecordId, Error};
// crate::commented::out
/// [`x`](crate::doc::link)
let s = "crate::in_a_string"; let r = r#"crate::raw"#; let c = '"';
let t = crate::time::now(); let q = '\''; let x = super::super::clock::now();
fn f<'a>(x: &'a str) -> crate::fs::Thing {}
mod tests { use super::*; use super::super::super::policy::Policy; }
"##;
    let found: Vec<(String, usize)> = uses_in(&cx, &tokens(&blank_comments_and_literals(text)))
        .into_iter()
        .map(|(_, m, line, _)| (m, line))
        .collect();
    let want: Vec<(String, usize)> = [
        ("yaml", 2),
        ("id", 2),
        ("error", 2),
        ("time", 6),
        ("clock", 6),
        ("fs", 7),
        ("policy", 8),
    ]
    .into_iter()
    .map(|(m, l)| (m.to_owned(), l))
    .collect();
    assert_eq!(found, want);
}
