//! `arende set`: change fields.

use super::exit::ExitCode;
use arende::actions::set_fields;
use arende::error::Result;

use super::output::{report_notes, report_outcome};
use super::{Format, Formats, Ui};

/// Change fields of a record (re-classifies it and records the change in its history).
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record: its ID (any case, O for 0, I or L for 1), the end of its
    /// ID after a dash where only one record ends so, or its file's path.
    id: String,
    /// Fields as key=value (dotted keys for nesting; key= removes a field).
    #[arg(value_name = "KEY=VALUE")]
    assignments: Vec<String>,
    /// A note for the history event.
    #[arg(long)]
    note: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_set(ui: &Ui, args: &SetArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let cx = ui.context(&ws)?;
    let outcome = set_fields(&cx, &id, &args.assignments, args.note.clone())?;
    report_outcome(ui, format, &outcome, "updated")?;
    if format != Format::Json {
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}
