//! `arende status`: move a record to another status.

use super::exit::ExitCode;
use arende::actions::change_status;
use arende::error::Result;
use arende::id::RecordId;

use super::output::{report_notes, report_outcome};
use super::{Format, Formats, Ui};

/// Move a record to another status, as the policy's status machine allows.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record's ID.
    id: String,
    /// The new status.
    status: String,
    /// A note for the history event.
    #[arg(long)]
    note: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_status(ui: &Ui, args: &StatusArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let id = RecordId::parse(&args.id)?;
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let outcome = change_status(&cx, &id, &args.status, args.note.clone())?;
    report_outcome(ui, format, &outcome, &format!("now {}", args.status))?;
    if format != Format::Json {
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}
