//! `arende status`: move a record to another status.

use arende::actions::change_status;
use arende::error::{ExitCode, Result};
use arende::id::RecordId;

use super::output::{report_notes, report_outcome};
use super::{Format, Ui};

/// Move a record to another status, as the policy's status machine allows.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The record's ID.
    id: String,
    /// The new status.
    status: String,
    /// A note for the history event.
    #[arg(long)]
    note: Option<String>,
}

pub fn cmd_status(ui: &Ui, args: &StatusArgs) -> Result<ExitCode> {
    let format = ui.format(&[Format::Human, Format::Json], Format::Human)?;
    let id = RecordId::parse(&args.id)?;
    let store = ui.store()?;
    let cx = ui.context(&store)?;
    let outcome = change_status(&cx, &id, &args.status, args.note.clone())?;
    report_outcome(ui, format, &outcome, &format!("now {}", args.status));
    if format != Format::Json {
        report_notes(ui, &store, &outcome);
    }
    Ok(ExitCode::Ok)
}
