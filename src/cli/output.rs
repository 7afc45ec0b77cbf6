//! Printing: formats, tables, JSON, and error reports.

use std::io::{IsTerminal, Write};

use arende::error::{Error, Result};
use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets};

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
    /// A ServiceNow incident event log (`arende import` reads it).
    Servicenow,
    /// A self-contained HTML page.
    Html,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
}

impl Format {
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// Where output goes, and how it looks.
pub struct Ui {
    pub global: Global,
    color: bool,
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
        }
    }

    /// The format asked for, if the command has it; `default` if none was asked.
    pub fn format(&self, allowed: &[Format], default: Format) -> Result<Format> {
        match self.global.format {
            None => Ok(default),
            Some(f) if allowed.contains(&f) => Ok(f),
            Some(f) => Err(Error::usage(
                format!("this command has no --format {}", f.name()),
                Some(format!(
                    "use one of: {}",
                    allowed
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            )),
        }
    }

    /// Prints a result to standard output. A closed pipe (`| head`) ends
    /// the process quietly, as other Unix tools do.
    pub fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let ok = out.write_all(text.as_bytes()).and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        });
        if let Err(e) = ok.and_then(|()| out.flush())
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            std::process::exit(0);
        }
    }

    /// Prints JSON to standard output.
    pub fn print_json(&self, value: &serde_json::Value) {
        self.print(&serde_json::to_string_pretty(value).unwrap_or_default());
    }

    /// Tells the person what happened, on standard error, unless `-q`.
    pub fn info(&self, text: &str) {
        if !self.global.quiet {
            eprintln!("{text}");
        }
    }

    /// A table in the house style.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if !std::io::stdout().is_terminal() {
            table
                .load_style(presets::ASCII_MARKDOWN)
                .set_content_arrangement(ContentArrangement::Disabled);
        }
        if !self.color {
            table.force_no_tty();
        }
        table.set_header(header.iter().copied());
        table
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
        if handler.render_report(&mut out, error).is_ok() {
            eprint!("{out}");
        } else {
            eprintln!("error: {error}");
        }
    }
}

/// A YAML document as JSON.
pub fn to_json(value: &arende::yaml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Reports what a changing command did: the record (JSON) on standard
/// output with `--format json`, else one line on standard error.
pub fn report_outcome(ui: &Ui, format: Format, outcome: &arende::actions::Outcome, what: &str) {
    if format == Format::Json {
        let records: Vec<serde_json::Value> = outcome
            .records
            .iter()
            .map(|(_, doc)| to_json(doc))
            .collect();
        ui.print_json(&serde_json::json!({
            "changed": outcome.changed,
            "commit": outcome.commit.map(|c| c.to_string()),
            "records": records,
        }));
        return;
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
}
