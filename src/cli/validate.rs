//! `arende validate`: check every record, report every problem.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::exit::ExitCode;
use arende::error::{Error, FileSpan, Result};
use arende::policy::Severity;
use arende::render;
use arende::validate::staged::check_staged;
use arende::validate::{Finding, Report, check};
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

use super::output::{counted, json_value};
use super::{Format, Formats, Ui};

/// Check every record against the record model and the policy's rules, and
/// the repository as a whole. Exits 1 on errors (2 if a file cannot be read).
///
/// An error a waiver of policy/waivers.yaml accepts is reported as waived
/// and fails only with --strict. With -q, only what fails the run is printed, one
/// line each.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// Only report on these files or folders, or the records these IDs
    /// name [default: the whole repository].
    paths: Vec<PathBuf>,
    /// Warnings, and errors a waiver accepts, fail too.
    #[arg(long)]
    strict: bool,
    /// Check the record files staged for the next commit, as the git index
    /// holds them (what the pre-commit hook runs).
    #[arg(long, conflicts_with = "paths")]
    staged: bool,
    /// Check every approval in force against the commit that introduced it:
    /// its author acts for the party, and (with `approvals: {signed: true}`)
    /// signed it with their key [default: `approvals: {verify: true}` in arende.yaml].
    #[arg(long, conflicts_with = "staged")]
    verify_approvals: bool,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[
    Format::Human,
    Format::Json,
    Format::Github,
    Format::Junit,
    Format::Sarif,
    Format::Gitlab,
]);

pub fn cmd_validate(ui: &Ui, args: &ValidateArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let started = Instant::now();
    // A staged file's findings are shown in its staged text: the working
    // copy may say something else on the lines they point at.
    let (report, staged_texts) = if args.staged {
        let staged = check_staged(&ws)?;
        (staged.report, Some(staged.texts))
    } else {
        let only = args
            .paths
            .iter()
            .map(|p| ws.locate(p))
            .collect::<Result<Vec<_>>>()?;
        let verify = args.verify_approvals || ws.store().config().approvals.verify;
        (check(&ws, &only, verify)?, None)
    };
    let elapsed = started.elapsed();
    let prefix = || git_prefix(ws.root());
    match format {
        Format::Json => json(ui, &report)?,
        Format::Github => {
            ui.print_bytes(render::github::annotations(&report, &prefix()?).as_bytes())
        }
        Format::Junit => ui.print(&render::junit::report(&report, elapsed)),
        Format::Sarif => ui.print_json(&render::sarif::log(
            &report,
            ws.policy(),
            &prefix()?,
            render::sarif::Driver {
                version: env!("CARGO_PKG_VERSION"),
                site: ws.store().config().site.url.as_ref(),
            },
        )),
        Format::Gitlab => ui.print_json(&render::gitlab::report(&report, &prefix()?)),
        _ if ui.global.quiet => quiet(&report, args.strict),
        _ => human(ui, &report, |rel| match &staged_texts {
            Some(texts) => texts.get(rel).cloned(),
            // Only the snippet under a finding: a file that no longer reads
            // still has its findings printed, without the excerpt.
            None => std::fs::read_to_string(ws.root().join(rel)).ok(),
        }),
    }
    let (errors, warnings, waived) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.waived(),
    );
    if !matches!(format, Format::Json | Format::Sarif | Format::Gitlab) {
        ui.info(&format!(
            "checked {}: {}, {}{}",
            counted(report.files, "record file", "record files"),
            counted(errors, "error", "errors"),
            counted(warnings, "warning", "warnings"),
            if waived > 0 {
                format!(", {waived} waived")
            } else {
                String::new()
            },
        ));
    }
    Ok(if report.unreadable() {
        ExitCode::BadInput
    } else if errors > 0 || (args.strict && (warnings > 0 || waived > 0)) {
        ExitCode::RulesBroken
    } else {
        ExitCode::Ok
    })
}

/// The report as JSON, its lists written an element at a time (see
/// [`render::json`]): the bytes of the whole report printed at once.
fn json(ui: &Ui, report: &Report) -> Result<()> {
    let paths = report
        .checked
        .iter()
        .chain(report.findings.iter().map(|f| &f.path));
    // A path JSON cannot hold (a file name not UTF-8) made the whole report
    // `null`; now `json_value` fails, and says why, before anything is printed.
    if paths.clone().any(|p| p.to_str().is_none()) {
        ui.print_json(&json_value(report)?);
        return Ok(());
    }
    ui.stream(|out| {
        write!(out, "{{\n  \"files\": {},\n  \"checked\": ", report.files)?;
        let mut checked = render::json::Array::open(out, 1)?;
        for path in &report.checked {
            checked.element(&render::json::pretty_at(&serde_json::to_value(path)?, 2)?)?;
        }
        checked.close()?;
        out.write_all(b",\n  \"findings\": ")?;
        let mut findings = render::json::Array::open(out, 1)?;
        for f in &report.findings {
            findings.element(&render::json::pretty_at(&serde_json::to_value(f)?, 2)?)?;
        }
        findings.close()?;
        out.write_all(b"\n}\n")
    });
    Ok(())
}

/// A finding as a miette diagnostic with its span in the record file.
#[derive(Debug)]
struct RuleDiagnostic {
    finding: Finding,
    source: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl std::fmt::Display for RuleDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = match (self.finding.line, self.finding.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.finding.path.display()),
            _ => self.finding.path.display().to_string(),
        };
        match &self.finding.waived {
            Some(_) => write!(f, "{place}: waived: {}", self.finding.message),
            None => write!(f, "{place}: {}", self.finding.message),
        }
    }
}

impl std::error::Error for RuleDiagnostic {}

impl Diagnostic for RuleDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.finding.rule.clone()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match (self.finding.severity, &self.finding.waived) {
            (Severity::Error, Some(_)) => miette::Severity::Advice,
            (Severity::Error, None) => miette::Severity::Error,
            (Severity::Warning, _) => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let mut text = match &self.finding.waived {
            Some(w) => format!("{}\n", w.describe()),
            None => String::new(),
        };
        text.push_str(self.finding.help.as_deref().unwrap_or_default());
        if let Some(c) = &self.finding.clause {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(c);
        }
        (!text.is_empty()).then(|| Box::new(text) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = self.finding.field.clone().unwrap_or_default();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

/// `-q`: only what fails the run, one line each, on standard error as
/// the findings always are: the errors no waiver accepts, and with
/// `--strict` the warnings and waived errors too.
fn quiet(report: &Report, strict: bool) {
    let mut err = std::io::stderr().lock();
    for f in report.findings.iter().filter(|f| strict || f.is_error()) {
        // Standard error is the last place to report anything.
        let _ = writeln!(err, "{}", one_line(f));
    }
}

/// A finding in one line, without its code frame: `path:line:col: error
/// RULE: message`, a waived error with its waiver.
fn one_line(f: &Finding) -> String {
    let place = match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path.display()),
        _ => f.path.display().to_string(),
    };
    let line = match &f.waived {
        Some(w) => format!(
            "{place}: waived {}: {} ({})",
            f.rule,
            f.message,
            w.describe()
        ),
        None => format!("{place}: {} {}: {}", f.severity.as_str(), f.rule, f.message),
    };
    render::terminal(&line).replace('\n', " ")
}

/// Prints each finding with its place in the text `text_of` gives for its file.
fn human(ui: &Ui, report: &Report, text_of: impl Fn(&Path) -> Option<String>) {
    // A file's findings come together: its text is read once for them all.
    let mut last: Option<(&Path, Option<String>)> = None;
    for f in &report.findings {
        // An accepted error is listed without its code frame: no news there.
        if f.waived.is_some() {
            ui.diagnostic(&RuleDiagnostic {
                finding: f.clone(),
                source: None,
                span: None,
            });
            continue;
        }
        let text = match &last {
            Some((path, text)) if *path == f.path.as_path() => text.clone(),
            _ if f.line.is_none() => None,
            _ => {
                let text = text_of(&f.path);
                last = Some((f.path.as_path(), text.clone()));
                text
            }
        };
        let (source, span) = match (f.line, f.column) {
            (Some(line), Some(column)) => match text {
                Some(text) => {
                    let key_len = f
                        .field
                        .as_deref()
                        .and_then(|x| x.rsplit('.').next())
                        .map_or(1, str::len);
                    let at = FileSpan::at(&f.path, &text, line, column, key_len);
                    (Some(at.source), Some(at.span))
                }
                None => (None, None),
            },
            _ => (None, None),
        };
        ui.diagnostic(&RuleDiagnostic {
            finding: f.clone(),
            source,
            span,
        });
    }
}

/// Where the record repository sits in its git work tree: GitHub reads
/// annotation paths from the top of the repository. A record repository
/// not in git at all (a copy without its history) is its own top; one in
/// git whose place in it cannot be told is an error, not the top.
fn git_prefix(root: &Path) -> Result<PathBuf> {
    match arende::store::open_repo(root) {
        Ok(repo) => arende::store::repo_prefix(&repo, root),
        Err(Error::NoGit { .. }) => Ok(PathBuf::new()),
        Err(e) => Err(e),
    }
}
