//! `arende status`: move a record to another status.

use super::exit::ExitCode;
use arende::actions::{AssignRequest, Assignee, change_status};
use arende::error::Result;

use super::output::{report_notes, report_outcome};
use super::{Format, Formats, Ui};

/// Move a record to another status, as the policy's status machine allows.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record: its ID (any case, O for 0, I or L for 1), the end of its
    /// ID after a dash where only one record ends so, or its file's path.
    id: String,
    /// The new status.
    status: String,
    /// A note for the history event.
    #[arg(long)]
    note: Option<String>,
    /// Give the ticket to this person in the same event (`me` for you).
    #[arg(long, value_name = "PERSON")]
    to: Option<String>,
    /// Give the ticket to this team in the same event.
    #[arg(long, value_name = "TEAM")]
    group: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_status(ui: &Ui, args: &StatusArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let cx = ui.context(&ws)?;
    let assign = AssignRequest {
        group: args.group.clone(),
        to: args.to.as_deref().map(Assignee::parse),
    };
    let outcome = change_status(&cx, &id, &args.status, args.note.clone(), Some(&assign))?;
    let now = outcome
        .records
        .first()
        .and_then(|(_, doc)| doc.get("status"))
        .and_then(|s| s.as_str())
        .unwrap_or(&args.status)
        .to_owned();
    report_outcome(ui, format, &outcome, &format!("now {now}"))?;
    if format != Format::Json {
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}
