//! `arende set`: change fields.

use super::exit::ExitCode;
use arende::actions::set_fields;
use arende::error::Result;
use arende::id::RecordId;

use super::output::{report_notes, report_outcome};
use super::{Format, Formats, Ui};

/// Change fields of a record (re-classifies it and records the change in its history).
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record's ID.
    id: String,
    /// Fields as key=value (dotted keys for nesting; key= removes a field).
    #[arg(value_name = "KEY=VALUE", required = true)]
    assignments: Vec<String>,
    /// A note for the history event.
    #[arg(long)]
    note: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_set(ui: &Ui, args: &SetArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let id = RecordId::parse(&args.id)?;
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let outcome = set_fields(&cx, &id, &args.assignments, args.note.clone())?;
    report_outcome(ui, format, &outcome, "updated")?;
    if format != Format::Json {
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}
