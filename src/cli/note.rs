//! `arende note`: write what was done on a ticket, or what the customer was told.

use super::exit::ExitCode;
use arende::actions::note;
use arende::error::Result;

use super::output::{report_notes, report_outcome};
use super::{Format, Formats, Ui};

/// Add a note to a record's history: an internal work note, or with
/// --customer a reply to the customer (which can stop a feedback clock).
#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record's ID.
    id: String,
    /// The note.
    text: String,
    /// What the customer was told, not an internal work note.
    #[arg(long, visible_alias = "reply")]
    customer: bool,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_note(ui: &Ui, args: &NoteArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let cx = ui.context(&ws)?;
    let outcome = note(&cx, &id, &args.text, args.customer)?;
    let done = if args.customer {
        "reply noted"
    } else {
        "note added"
    };
    report_outcome(ui, format, &outcome, done)?;
    if format != Format::Json {
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}
