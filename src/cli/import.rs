//! `arende import`: bulk import, all or nothing, one commit.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::fs;
use arende::import::{
    ImportError, ImportMapping, ImportOptions, Input, InputFormat, MAX_INPUT_BYTES, Progress,
    Summary, import,
};
use arende::yaml;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Format, Formats, Ui};

/// Import records from a CSV, JSON or YAML file or a ServiceNow incident
/// event log: every row is checked before anything is written; nothing is
/// written if any row is bad; one commit; a second run changes nothing.
///
/// --input csv|json|yaml take the record fields' names (dotted columns for
/// nested fields: reporter.party); --input servicenow reads the incident
/// event log as ServiceNow exports it. Without --input the file's extension
/// (or first line) decides. --format json prints the summary as JSON.
///
/// A record that would break an error rule of the policy refuses the
/// import, unless a waiver in policy/waivers.yaml accepts it; --waive
/// REASON writes those waivers (who: you, when: now) in the same commit.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The file to import (- for standard input).
    file: PathBuf,
    /// What the file is [default: by its extension, else its first line].
    #[arg(long, value_enum, value_name = "FORMAT")]
    input: Option<InputKind>,
    /// How another tool's columns become fields (YAML: kind, system,
    /// columns, values, date_format, party, defaults).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Check everything and report what would be done; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply rows that changed since the last import to the records they made.
    #[arg(long)]
    update: bool,
    /// Report a record that would break an error rule of the policy as a bad
    /// row (exit 2), whatever the waivers say.
    #[arg(long, conflicts_with = "waive")]
    strict: bool,
    /// Accept the errors of the policy's rules the imported records break
    /// (facts of the source data): a waiver with this reason for each is
    /// written to policy/waivers.yaml in the import's commit.
    #[arg(long, value_name = "REASON", value_parser = non_empty)]
    waive: Option<String>,
    /// Import text holding a Swedish personal identity number.
    #[arg(long)]
    force: bool,
}

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InputKind {
    /// CSV with the record fields' names, or mapped with --mapping.
    Csv,
    /// A JSON list of records (`arende export` writes it).
    Json,
    /// A YAML list of records.
    Yaml,
    /// A ServiceNow incident event log (CSV).
    Servicenow,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_import(ui: &Ui, args: &ImportArgs) -> Result<ExitCode> {
    let output = ui.format(FORMATS, args.format)?;
    let format = args.input.map(|k| match k {
        InputKind::Csv => InputFormat::Csv,
        InputKind::Json => InputFormat::Json,
        InputKind::Yaml => InputFormat::Yaml,
        InputKind::Servicenow => InputFormat::ServiceNow,
    });
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let input = if args.file == Path::new("-") {
        read_stdin()?
    } else {
        Input::read(&args.file)?
    };
    let mapping = match &args.mapping {
        Some(path) => Some(ImportMapping::parse(
            path,
            &fs::read_text(path, yaml::MAX_RECORD_BYTES)?,
        )?),
        None => None,
    };
    let options = ImportOptions {
        format,
        mapping,
        dry_run: args.dry_run,
        update: args.update,
        strict: args.strict,
        waive: args.waive.clone(),
        force: args.force,
    };
    let bar = Bar::new(!ui.global.quiet && std::io::stderr().is_terminal());
    let result = import(&cx, &input, &options, &bar);
    bar.clear();
    match result {
        Ok(summary) if output == Format::Json => {
            ui.print_json(&summary.to_json());
            Ok(ExitCode::Ok)
        }
        Ok(summary) => {
            print_summary(ui, &summary);
            Ok(ExitCode::Ok)
        }
        Err(ImportError::Rows { input, errors }) => {
            for e in &errors {
                eprintln!("{}: {e}", input.display());
            }
            Err(ImportError::Rows { input, errors }.into_error())
        }
        Err(e) => Err(e.into_error()),
    }
}

/// A reason is words: `--waive ""` would accept errors without one.
fn non_empty(text: &str) -> std::result::Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("give the reason the errors stand, e.g. --waive \"migrerad från ServiceNow: fältet saknas där\"".into())
    } else {
        Ok(text.to_owned())
    }
}

fn read_stdin() -> Result<Input> {
    let name = PathBuf::from("-");
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("<stdin>", e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::TooLarge {
            path: name,
            size: bytes.len() as u64,
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(Input {
        text: fs::text_from_bytes(Path::new("<stdin>"), bytes)?,
        name,
    })
}

/// A progress bar on a terminal; nothing on a pipe. Each stage gets a bar
/// of its own, cleared when the stage ends: a finished bar would stay on
/// screen showing whatever count it last drew.
struct Bar {
    on: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Bar {
    fn new(on: bool) -> Bar {
        Bar {
            on,
            current: Mutex::new(None),
        }
    }

    fn clear(&self) {
        if let Some(b) = self.take() {
            b.finish_and_clear();
        }
    }

    fn take(&self) -> Option<ProgressBar> {
        match self.current.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

impl Progress for Bar {
    fn start(&self, stage: &'static str, total: u64) {
        self.clear();
        if !self.on {
            return;
        }
        let b = ProgressBar::with_draw_target(
            (total > 0).then_some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if total == 0 {
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(120));
        } else {
            b.set_style(
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
        }
        b.set_message(stage);
        if let Ok(mut guard) = self.current.lock() {
            *guard = Some(b);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(guard) = self.current.lock()
            && let Some(b) = guard.as_ref()
        {
            b.inc(n);
        }
    }

    fn finish(&self) {
        self.clear();
    }
}

/// The summary, on standard output: it is the command's result.
fn print_summary(ui: &Ui, s: &Summary) {
    let mut out = String::new();
    let verb = if s.dry_run { "would be " } else { "" };
    out.push_str(&format!(
        "{}: {} {} read ({})\n",
        s.input.display(),
        s.rows,
        match (
            matches!(s.format, InputFormat::Json | InputFormat::Yaml),
            s.rows
        ) {
            (true, 1) => "record",
            (true, _) => "records",
            (false, 1) => "row",
            (false, _) => "rows",
        },
        s.format.name()
    ));
    out.push_str(&format!(
        "records: {} — {verb}created {}, {verb}updated {}, unchanged {}{}\n",
        s.records,
        s.created.len(),
        s.updated.len(),
        s.unchanged,
        if s.differing.is_empty() {
            String::new()
        } else {
            format!(
                ", changed in the input but not updated {}",
                s.differing.len()
            )
        }
    ));
    out.push_str(&match (s.dry_run, s.commit) {
        (true, _) => "commit: none (--dry-run: nothing was written; a new record is named by its source row, since its ID is drawn when the import runs)\n".to_owned(),
        (false, Some(c)) => format!("commit: {c}\n"),
        (false, None) if s.created.is_empty() && s.updated.is_empty() => {
            "commit: none (nothing to change)\n".to_owned()
        }
        (false, None) => "commit: none (--no-commit: files written, not committed)\n".to_owned(),
    });
    if !s.waived.is_empty() {
        out.push_str(&format!(
            "waivers: {} {verb}written to policy/waivers.yaml ({})\n",
            s.waived.len(),
            waived_rules(s)
        ));
    }
    let warnings = warnings(s);
    if warnings.is_empty() {
        out.push_str("warnings: none\n");
    } else {
        out.push_str(&format!("warnings: {}\n", warnings.len()));
        for w in warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    ui.print(&out);
}

/// The rules waived, each with its count: `INC022 × 15`.
fn waived_rules(s: &Summary) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, rule) in &s.waived {
        *counts.entry(rule.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(rule, n)| format!("{rule} × {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The summary's warnings, each a line: priorities, rules, the rest.
fn warnings(s: &Summary) -> Vec<String> {
    let mut warnings: Vec<String> = Vec::new();
    if !s.priority_diffs.is_empty() {
        let examples: Vec<String> = s
            .priority_diffs
            .iter()
            .take(5)
            .map(|d| format!("{} {}: {} → {}", d.source, d.id, d.given, d.policy))
            .collect();
        warnings.push(format!(
            "the policy's priority differs from the input's for {} record(s); the policy's is kept (input → policy: {}{})",
            s.priority_diffs.len(),
            examples.join(", "),
            if s.priority_diffs.len() > 5 { ", …" } else { "" }
        ));
    }
    for r in &s.rules {
        let waived = s.waived.iter().any(|(_, rule)| *rule == r.rule);
        warnings.push(format!(
            "{} ({}) is broken by {} record(s): {} (e.g. {}{}); `arende validate` will report them{}",
            r.rule,
            r.severity.as_str(),
            r.records.len(),
            r.message,
            r.examples
                .iter()
                .take(3)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            if r.records.len() > 3 { ", …" } else { "" },
            if waived { " as waived" } else { "" }
        ));
    }
    for w in &s.warnings {
        let examples = if w.examples.is_empty() {
            String::new()
        } else {
            format!(
                " ({}: {}{})",
                w.examples.len(),
                w.examples
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                if w.examples.len() > 5 { ", …" } else { "" }
            )
        };
        warnings.push(format!("{}{examples}", w.message));
    }
    warnings
}
