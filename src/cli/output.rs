//! Printing: formats, tables, JSON, and error reports. Every byte for
//! standard output goes through [`Ui::print`] (or [`Ui::print_bytes`]), so a
//! write that fails is noticed once, in one place.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, PoisonError};

use arende::error::{Error, Result};
use arende::render::table::{Style, Table};
use clap::ValueEnum;

use super::{ColorChoice, Global};

/// Every output format; each command accepts the ones it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people at a terminal.
    Human,
    /// A table.
    Table,
    /// JSON, for programs.
    Json,
    /// YAML.
    Yaml,
    /// CSV, for spreadsheets.
    Csv,
    /// Markdown.
    Markdown,
    /// A self-contained HTML page.
    Html,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
    /// SARIF 2.1.0, for code scanning (GitHub and others).
    Sarif,
    /// GitLab Code Quality JSON, shown in merge requests.
    Gitlab,
    /// iCalendar, for calendars (change windows).
    Ics,
    /// JSON Lines: one JSON document a line.
    Jsonl,
}

/// `value` as JSON, for [`Ui::print_json`]. A value JSON cannot hold (a
/// path that is not UTF-8, a map keyed by a list) is an error on standard
/// output, never a `null` printed in its place.
pub fn json_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| Error::io("standard output", not_json(e)))
}

/// A value JSON cannot hold, as the failure of the output it was for.
fn not_json(e: serde_json::Error) -> std::io::Error {
    std::io::Error::other(format!("cannot be written as JSON: {e}"))
}

impl Format {
    fn name(self) -> String {
        // Only a variant clap skips has no value; no format is skipped.
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// The output formats one command has, its default first. It is also the
/// parser of that command's `--format`, so its `--help` and the shell
/// completions offer just these.
#[derive(Debug, Clone, Copy)]
pub struct Formats(pub &'static [Format]);

impl Formats {
    /// The format used when none is asked for.
    fn default(self) -> Format {
        self.0.first().copied().unwrap_or(Format::Json)
    }
}

impl clap::builder::TypedValueParser for Formats {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<Format, clap::Error> {
        let name = clap::builder::PossibleValuesParser::new(
            self.0.iter().filter_map(|f| f.to_possible_value()),
        )
        .parse_ref(cmd, arg, value)?;
        Format::from_str(&name, false)
            .map_err(|_| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().filter_map(|f| f.to_possible_value()),
        ))
    }
}

/// `1 clock`, `2 clocks`: a count with its noun in the right number.
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where output goes, and how it looks.
pub struct Ui {
    pub global: Global,
    color: bool,
    stdout: Mutex<Stdout>,
}

/// What became of standard output.
#[derive(Debug)]
enum Stdout {
    /// Every write so far went through.
    Open,
    /// The reader went away (`| head`): the rest is not wanted, and that
    /// is no failure.
    Closed,
    /// A write failed (a full disk, an I/O error); nothing more is written.
    Failed(std::io::Error),
}

/// A write to standard output failed: the output is incomplete.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("could not write to standard output: {reason}")]
#[diagnostic(
    code("arende::stdout"),
    help(
        "the output is incomplete; make room where standard output goes (a full disk?), or send it elsewhere, and run the command again"
    )
)]
pub struct WriteError {
    reason: String,
}

impl WriteError {
    fn new(e: &std::io::Error) -> WriteError {
        // "No space left on device (os error 28)": the number tells a person nothing.
        let text = e.to_string();
        let reason = match text.rfind(" (os error ") {
            Some(i) if text.ends_with(')') => text[..i].to_owned(),
            _ => text,
        };
        WriteError { reason }
    }
}

impl Ui {
    /// Reads the global options.
    pub fn new(global: &Global) -> Ui {
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        };
        Ui {
            global: global.clone(),
            color,
            stdout: Mutex::new(Stdout::Open),
        }
    }

    /// The format asked for (the command's own `--format`, else the one
    /// given before the command), if the command has it; else its default.
    pub fn format(&self, formats: Formats, asked: Option<Format>) -> Result<Format> {
        match asked.or(self.global.format) {
            None => Ok(formats.default()),
            Some(f) if formats.0.contains(&f) => Ok(f),
            Some(f) => Err(Error::usage(
                format!("this command has no --format {}", f.name()),
                Some(format!(
                    "use one of: {}",
                    formats
                        .0
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            )),
        }
    }

    /// Prints a result to standard output, ending it with a line break if
    /// it has none. A failed write is kept for [`Ui::write_error`] and ends
    /// all output; a closed pipe (`| head`) ends it quietly.
    pub fn print(&self, text: &str) {
        if text.ends_with('\n') {
            self.print_bytes(text.as_bytes());
        } else {
            self.write(&[text.as_bytes(), b"\n"]);
        }
    }

    /// Writes bytes to standard output as they are.
    pub fn print_bytes(&self, bytes: &[u8]) {
        self.write(&[bytes]);
    }

    fn write(&self, parts: &[&[u8]]) {
        let mut state = self.stdout.lock().unwrap_or_else(PoisonError::into_inner);
        if !matches!(*state, Stdout::Open) {
            return;
        }
        let mut out = std::io::stdout().lock();
        let written = parts
            .iter()
            .try_for_each(|p| out.write_all(p))
            .and_then(|()| out.flush());
        if let Err(e) = written {
            *state = if e.kind() == std::io::ErrorKind::BrokenPipe {
                Stdout::Closed
            } else {
                Stdout::Failed(e)
            };
        }
    }

    /// Runs a renderer that writes to standard output as it goes, through
    /// a buffer, with the bytes it writes and no line break added. A failed
    /// write ends it: the failure is kept for [`Ui::write_error`] (a closed
    /// pipe ends it quietly), as [`Ui::print`] keeps it.
    pub fn stream(&self, render: impl FnOnce(&mut Out<'_>) -> std::io::Result<()>) {
        let mut out = Out {
            ui: self,
            buf: Vec::with_capacity(OUT_BUFFER),
        };
        if let Err(e) = render(&mut out).and_then(|()| out.flush()) {
            // A failure of the renderer's own, not of a write, is kept too.
            let mut state = self.stdout.lock().unwrap_or_else(PoisonError::into_inner);
            if matches!(*state, Stdout::Open) {
                *state = Stdout::Failed(e);
            }
        }
    }

    /// Writes `bytes` unless output has ended; an error if it has or does.
    fn write_checked(&self, bytes: &[u8]) -> std::io::Result<()> {
        self.write(&[bytes]);
        match &*self.stdout.lock().unwrap_or_else(PoisonError::into_inner) {
            Stdout::Open => Ok(()),
            Stdout::Closed => Err(std::io::ErrorKind::BrokenPipe.into()),
            Stdout::Failed(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// The write to standard output that failed, if one did (a closed
    /// pipe is not a failure).
    pub fn write_error(&self) -> Option<WriteError> {
        match &*self.stdout.lock().unwrap_or_else(PoisonError::into_inner) {
            Stdout::Failed(e) => Some(WriteError::new(e)),
            Stdout::Open | Stdout::Closed => None,
        }
    }

    /// Prints JSON to standard output.
    pub fn print_json(&self, value: &serde_json::Value) {
        // `{:#}` is `to_string_pretty`, which cannot fail for a `Value`.
        self.print(&format!("{value:#}"));
    }

    /// Tells the person what happened, on standard error, unless `-q`.
    pub fn info(&self, text: &str) {
        if !self.global.quiet {
            // Standard error is the last place to report anything; a
            // failure to write there has nowhere to go.
            let _ = writeln!(std::io::stderr(), "{}", self.clean(text));
        }
    }

    /// How tables are drawn: for a terminal if standard output is one.
    pub fn table_style(&self) -> Style {
        Style {
            terminal: std::io::stdout().is_terminal(),
            color: self.color,
        }
    }

    /// A table in the house style.
    pub fn table(&self, header: &[&str]) -> Table {
        Table::new(header, self.table_style())
    }

    /// Text for standard error: without colour, nothing in it can be an
    /// escape sequence of ours, so every one comes from record text and
    /// goes. With colour, miette's own sequences must stay.
    fn clean<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.color {
            std::borrow::Cow::Borrowed(text)
        } else {
            arende::render::terminal(text)
        }
    }

    /// Reports an error on standard error.
    pub fn error(&self, error: Error) {
        self.error_ref(&error);
    }

    /// Reports an error that is kept (one of many, as a scan finds them).
    pub fn error_ref(&self, error: &Error) {
        self.diagnostic(error);
    }

    /// Draws any diagnostic on standard error.
    pub fn diagnostic(&self, error: &dyn miette::Diagnostic) {
        let mut out = String::new();
        let handler = miette::GraphicalReportHandler::new_themed(if self.color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        })
        .with_links(false)
        .with_context_lines(1);
        let mut stderr = std::io::stderr();
        if handler.render_report(&mut out, error).is_ok() {
            let _ = write!(stderr, "{}", self.clean(&out));
        } else {
            let _ = writeln!(stderr, "error: {}", self.clean(&error.to_string()));
        }
    }
}

/// How much [`Out`] gathers before it writes to standard output.
const OUT_BUFFER: usize = 64 * 1024;

/// Standard output as a [`Write`] sink for a renderer (see [`Ui::stream`]).
pub struct Out<'a> {
    ui: &'a Ui,
    buf: Vec<u8>,
}

impl Write for Out<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= OUT_BUFFER {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let written = self.ui.write_checked(&self.buf);
        self.buf.clear();
        written
    }
}

/// A YAML document as JSON, for a renderer that streams. A mapping key
/// JSON cannot hold (`? [a, b]` in a field arende does not know) fails the
/// output, rather than print the record as `null`.
pub fn to_json(value: &arende::yaml::Value) -> std::io::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(not_json)
}

/// Reports what a changing command did: the record (JSON) on standard
/// output with `--format json`, else one line on standard error.
pub fn report_outcome(
    ui: &Ui,
    format: Format,
    outcome: &arende::actions::Outcome,
    what: &str,
) -> Result<()> {
    if format == Format::Json {
        let records = outcome
            .records
            .iter()
            .map(|(_, doc)| json_value(doc))
            .collect::<Result<Vec<_>>>()?;
        ui.print_json(&serde_json::json!({
            "changed": outcome.changed,
            "commit": outcome.commit.map(|c| c.to_string()),
            "records": records,
        }));
        return Ok(());
    }
    let ids: Vec<String> = outcome
        .records
        .iter()
        .map(|(id, _)| id.to_string())
        .collect();
    let ids = ids.join(", ");
    match (outcome.changed, outcome.commit) {
        (false, _) => ui.info(&format!("{ids}: no change")),
        (true, Some(c)) => ui.info(&format!("{ids}: {what} (commit {:.7})", c.to_string())),
        (true, None) => ui.info(&format!("{ids}: {what} (not committed)")),
    }
    Ok(())
}

/// What a changing command tells besides its result, on stderr: values the
/// classification changed ("priority 3 → 2 (impact × urgency)") and the
/// warnings the records as written break, so nothing is filed silently.
pub fn report_notes(
    ui: &Ui,
    ws: &arende::workspace::Workspace,
    outcome: &arende::actions::Outcome,
) {
    for (id, change) in &outcome.derived {
        let show = |v: &Option<arende::yaml::Value>| {
            v.as_ref()
                .map_or_else(|| "none".to_owned(), arende::record::document::display)
        };
        let why = if change.field == "priority" {
            " (impact × urgency)"
        } else {
            " (derived by the policy)"
        };
        ui.info(&format!(
            "{id}: {} {} → {}{why}",
            change.field,
            show(&change.from),
            show(&change.to)
        ));
    }
    for (id, w) in outcome.warnings(ws) {
        let help = w.help.map(|h| format!(" — {h}")).unwrap_or_default();
        ui.info(&format!(
            "{id}: warning {} {} (`{}`){help}",
            w.rule, w.message, w.field
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_json_cannot_hold_is_an_error_not_null() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"r\xe4kna.yaml"));
        let err = json_value(&[path]).expect_err("a path that is not UTF-8");
        assert!(
            err.to_string()
                .starts_with("standard output: cannot be written as JSON: "),
            "{err}"
        );
        assert_eq!(
            json_value(&["ok"]).expect("text"),
            serde_json::json!(["ok"])
        );
    }
}
