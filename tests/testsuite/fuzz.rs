//! A seeded mutator over the fixture records (issue 9): thousands of broken
//! record files through parse, validate and the SLA clocks in the library,
//! and a sample of them through `arende set` and `arende review` — no
//! panic, no hang.
//!
//! The mutations are byte flips, truncation, duplicated and deleted lines,
//! values swapped between keys, hostile scalars (huge numbers, `.nan`, `~`,
//! tags, anchors and aliases, deep nesting, control characters, very long
//! strings, non-ASCII digits), invalid UTF-8 and type confusion (a mapping
//! where a scalar belongs and back). The seed is fixed, so a failure names
//! a case that reproduces.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::support::bounded;
use crate::support::*;
use arende::calendar::BusinessCalendar;
use arende::id::RecordId;
use arende::policy::Policy;
use arende::record::Record;
use arende::validate::engine::{Context, Lookup};
use arende::yaml::Value;

/// Library cases (each fixture record mutated this many times over).
const LIBRARY_CASES: usize = 3000;
/// Binary cases per pack: each runs `set` and `review` on a committed mutation.
const BINARY_CASES_PER_PACK: usize = 30;
/// How long one case may take before it counts as a hang.
const BOUND: Duration = Duration::from_secs(20);
/// The fixture packs.
const PACKS: [&str; 3] = ["inera", "ehm", "stockholm"];
/// The folders records live in.
const RECORD_DIRS: [&str; 7] = [
    "incidents",
    "problems",
    "changes",
    "releases",
    "requests",
    "configuration",
    "capacity",
];

/// A small, fast, seeded generator (SplitMix64): the same seed gives the
/// same cases on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Scalars that have broken parsers before.
fn hostile_scalars() -> Vec<String> {
    let mut out: Vec<String> = [
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551616",
        "340282366920938463463374607431768211456",
        "1e400",
        "-1e400",
        ".nan",
        ".inf",
        "-.inf",
        "~",
        "null",
        "-0",
        "0x7fffffffffffffff",
        "0o777",
        "1_000_000",
        "yes",
        "no",
        "''",
        "\"\"",
        "!!binary aGVsbG8gd29ybGQ=",
        "!!str 12",
        "!!int x",
        "!!float .nan",
        "!custom {a: 1}",
        "&anchor value",
        "*anchor",
        "*undefined_alias",
        "[]",
        "{}",
        "[a, [b, [c]]]",
        "{kind: incident, id: INC-20260101-AAAAAA}",
        "\"\\u0000\\u0007\\u001b[31m\"",
        "\"\\t\\r\\n\"",
        "\"\\ud800\"",
        "'2026-02-30T10:00:00+01:00'",
        "'0001-01-01T00:00:00Z'",
        "'9999-12-31T23:59:59+14:00'",
        "'+262142-12-31T00:00:00Z'",
        "'2026-13-01'",
        "2026-11-22T09:30:00+01:00",
        "INC-99999999-ZZZZZZ",
        "CHG-20260101-aaaaaa",
        "\"\u{202e}gnp.exe\"",
        "\"🦀 ärende ÅÄÖ\"",
        "\"\u{feff}bom\"",
        "19121212-1212",
        "\"121212-1212\"",
        "８１１２１８-９８７６",
        "\"١٢١٢١٢-١٢١٢\"",
        "|\n  block\n  text",
        ">-\n  folded",
        "? complex\n: key",
        "- a\n- b",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    out.push(format!("\"{}\"", "x".repeat(200_000)));
    out.push(format!("{}x{}", "[".repeat(300), "]".repeat(300)));
    out.push(format!("{}x{}", "{a: ".repeat(300), "}".repeat(300)));
    out.push("9".repeat(5000));
    out
}

/// Block-nested mappings far deeper than any record.
fn deep_block(depth: usize) -> String {
    let mut out = String::new();
    for i in 0..depth {
        out.push_str(&" ".repeat(i));
        out.push_str("a:\n");
    }
    out
}

/// Anchors that expand exponentially (a "billion laughs").
fn laughs() -> String {
    let mut out = String::from("lol0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*l{}", i - 1);
        out.push_str(&format!(
            "lol{i}: &l{i} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    out
}

/// Where each line's value starts (`key: value` lines only).
fn value_lines(lines: &[Vec<u8>]) -> Vec<(usize, usize)> {
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let colon = l.windows(2).position(|w| w == b": ")?;
            Some((i, colon + 2))
        })
        .collect()
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// One mutation of a record file's bytes; the name says which, for the report.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, scalars: &[String]) -> &'static str {
    let scalar = rng.pick(scalars).clone();
    let mut lines = split_lines(bytes);
    let values = value_lines(&lines);
    let name = match rng.below(12) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
            return "byte flip";
        }
        1 => {
            let keep = rng.below(bytes.len() + 1);
            bytes.truncate(keep);
            return "truncation";
        }
        2 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
            "duplicated line"
        }
        3 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            lines.remove(i);
            "deleted line"
        }
        4 if values.len() >= 2 => {
            let (a, sa) = *rng.pick(&values);
            let (b, sb) = *rng.pick(&values);
            let va = lines[a][sa..].to_vec();
            let vb = lines[b][sb..].to_vec();
            lines[a].truncate(sa);
            lines[a].extend(vb);
            lines[b].truncate(sb);
            lines[b].extend(va);
            "swapped values"
        }
        5 | 6 if !values.is_empty() => {
            let (i, start) = *rng.pick(&values);
            lines[i].truncate(start);
            lines[i].extend(scalar.as_bytes());
            lines[i].push(b'\n');
            "hostile scalar"
        }
        7 if !values.is_empty() => {
            // Type confusion: a scalar becomes a list or a mapping, or a
            // key that holds a block becomes a scalar.
            let (i, start) = *rng.pick(&values);
            let value = String::from_utf8_lossy(&lines[i][start..])
                .trim()
                .to_owned();
            let confused = match rng.below(3) {
                0 => format!("[{value}]"),
                1 => format!("{{{value}: {value}}}"),
                _ => "\n  - 1\n  - 2".to_owned(),
            };
            lines[i].truncate(start);
            lines[i].extend(confused.as_bytes());
            lines[i].push(b'\n');
            "type confusion"
        }
        8 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            let insert: &[u8] = match rng.below(5) {
                0 => b"\t",
                1 => b"\xff\xfe",
                2 => b"\xc3",
                3 => b"\x00\x07\x1b",
                _ => "\u{2028}".as_bytes(),
            };
            let at = rng.below(lines[i].len() + 1);
            lines[i].splice(at..at, insert.iter().copied());
            "control or invalid bytes"
        }
        9 => {
            // The parser stops an alias bomb at its repetition limit, but
            // only after a few hundred milliseconds in a debug build: rarer.
            let block = if rng.below(8) == 0 {
                laughs()
            } else {
                deep_block(200)
            };
            let i = rng.below(lines.len() + 1);
            lines.insert(i, block.into_bytes());
            "deep nesting or aliases"
        }
        10 if !lines.is_empty() => {
            // A list item or block key turned into something else.
            let i = rng.below(lines.len());
            let indent = lines[i].iter().take_while(|b| **b == b' ').count();
            let mut line = vec![b' '; indent];
            line.extend(format!("{scalar}\n").as_bytes());
            lines[i] = line;
            "line replaced by a scalar"
        }
        _ => {
            let i = rng.below(lines.len() + 1);
            lines.insert(
                i,
                format!("unknown_{}: {scalar}\n", rng.below(100)).into_bytes(),
            );
            "unknown key"
        }
    };
    *bytes = lines.concat();
    name
}

/// The fixture records of a pack: (path relative to the repository, bytes).
fn fixture_records(pack: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(pack);
    let mut out = Vec::new();
    for dir in RECORD_DIRS {
        for path in yaml_files_under(&root.join(dir)) {
            let rel = path.strip_prefix(&root).unwrap().to_owned();
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
    assert!(!out.is_empty(), "fixtures/{pack} has records");
    out
}

/// A pack's policy, its calendar and its fixture records.
type Pack = (Policy, BusinessCalendar, Vec<(PathBuf, Vec<u8>)>);

struct NoLookup;

impl Lookup for NoLookup {
    fn document(&self, _: &RecordId) -> Option<Value> {
        None
    }
}

/// Parse, validate and the clocks of one file's bytes, as the store and
/// `validate` run them. Errors are fine; a panic is not.
fn library_path(policy: &Policy, calendar: &BusinessCalendar, rel: &Path, bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(map) = arende::yaml::parse_mapping(rel, text) else {
        return;
    };
    let doc = Value::Mapping(map);
    let Ok(record) = Record::from_doc(rel, Some(text), &doc) else {
        return;
    };
    let register = arende::validate::StandardRegister::agreed(&["STD-03"], "Kund", "2025-09-15");
    let cx = Context {
        policy,
        register: &register,
        lookup: &NoLookup,
        people: None,
        calendar: None,
    };
    let _ = arende::validate::check_record(&cx, &doc, &record);
    let _ = arende::validate::history_problem(policy, &record);
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap();
    let _ = arende::sla::clocks(policy, calendar, &record, now);
    let _ = arende::sla::crisis_outage(policy, &record, now);
    let _ = arende::classify::derive(policy, &record);
}

#[test]
fn thousands_of_mutated_records_through_parse_and_validate_never_panic_or_hang() {
    let scalars = hostile_scalars();
    let mut rng = Rng(0x0A2E_4DE9);
    let mut cases = 0usize;
    let mut by_mutation: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut failures = Vec::new();
    let packs: Vec<Pack> = PACKS
        .iter()
        .map(|pack| {
            let policy = Policy::load(pack, None).unwrap();
            let calendar = policy
                .service_levels
                .as_ref()
                .map(|l| BusinessCalendar::new(l.calendar.clone()).unwrap())
                .unwrap_or_default();
            (policy, calendar, fixture_records(pack))
        })
        .collect();
    let total: usize = packs.iter().map(|(_, _, r)| r.len()).sum();
    let rounds = LIBRARY_CASES.div_ceil(total);
    for _ in 0..rounds {
        for (policy, calendar, records) in &packs {
            for (rel, original) in records {
                let mut bytes = original.clone();
                let mut names = Vec::new();
                for _ in 0..=rng.below(3) {
                    names.push(mutate(&mut rng, &mut bytes, &scalars));
                }
                for n in &names {
                    *by_mutation.entry(n).or_default() += 1;
                }
                let started = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    library_path(policy, calendar, rel, &bytes);
                }));
                let took = started.elapsed();
                cases += 1;
                if outcome.is_err() || took > BOUND {
                    failures.push(format!(
                        "case {cases} ({} after {names:?}): {} in {took:?}\n{}",
                        rel.display(),
                        if outcome.is_err() {
                            "panicked"
                        } else {
                            "too slow"
                        },
                        String::from_utf8_lossy(&bytes)
                            .chars()
                            .take(2000)
                            .collect::<String>()
                    ));
                }
            }
        }
    }
    eprintln!(
        "fuzz (library): {cases} cases, {} failures; mutations {by_mutation:?}",
        failures.len()
    );
    assert!(cases >= LIBRARY_CASES);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Runs the binary with a deadline; `None` if it ran past it.
fn run_bounded(sb: &Sandbox, args: &[&str]) -> Option<(Output, Duration)> {
    let mut cmd = sb.std_cmd_in(sb.root());
    cmd.args(args);
    bounded::run(cmd, BOUND)
}

/// `set` and `review` on committed mutations of one pack's fixture.
fn binary_cases(pack: &str, seed: u64) -> (usize, Vec<String>) {
    let scalars = hostile_scalars();
    let sb = Sandbox::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(pack);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = sb.root().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    sb.git_ok(&["init", "-q", "-b", "main"]);
    let base = sb.hand_commit("fixture");
    let records = fixture_records(pack);
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in 0..BINARY_CASES_PER_PACK {
        let (rel, original) = rng.pick(&records);
        let mut bytes = original.clone();
        let mut names = Vec::new();
        for _ in 0..=rng.below(2) {
            names.push(mutate(&mut rng, &mut bytes, &scalars));
        }
        std::fs::write(sb.root().join(rel), &bytes).unwrap();
        sb.git().commit_all("mutation");
        let id = rel.file_stem().unwrap().to_string_lossy().into_owned();
        for args in [
            vec!["review", base.as_str()],
            vec!["set", id.as_str(), "title=Fuzz", "--note", "fuzz"],
        ] {
            runs += 1;
            let problem = match run_bounded(&sb, &args) {
                None => Some(format!("did not finish within {BOUND:?}")),
                Some((out, took)) => {
                    let err = stderr(&out);
                    let code = out.status.code();
                    (!matches!(code, Some(0..=3)) || err.contains("panicked")).then(|| {
                        format!(
                            "exited {code:?} in {took:?}\n{}",
                            err.chars().take(3000).collect::<String>()
                        )
                    })
                }
            };
            if let Some(problem) = problem {
                failures.push(format!(
                    "{pack} case {case} ({} after {names:?}): arende {args:?} {problem}\n--- file ---\n{}",
                    rel.display(),
                    String::from_utf8_lossy(&bytes).chars().take(2000).collect::<String>()
                ));
            }
        }
        sb.git_ok(&["reset", "-q", "--hard", &base]);
    }
    (runs, failures)
}

#[test]
fn mutated_records_through_set_and_review_exit_cleanly() {
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = PACKS
            .iter()
            .enumerate()
            .map(|(i, pack)| s.spawn(move || binary_cases(pack, 0x5EED + i as u64)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let runs: usize = results.iter().map(|(n, _)| n).sum();
    let failures: Vec<String> = results.into_iter().flat_map(|(_, f)| f).collect();
    eprintln!(
        "fuzz (binary): {} mutated files, {runs} runs of set and review, {} failures",
        BINARY_CASES_PER_PACK * PACKS.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
