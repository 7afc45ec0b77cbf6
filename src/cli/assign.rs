//! `arende assign`: give a ticket to a team, a person of it, or both.

use super::exit::ExitCode;
use arende::actions::{AssignRequest, Assignee, assign};
use arende::error::Result;

use super::output::{report_notes, report_outcome};
use super::{Format, Formats, Ui};

/// Give a record to a team (assignment group) and a person of it, from
/// policy/people.yaml (002 §2.2 task 7, tilldela ansvar).
#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record's ID.
    id: String,
    /// The team, by ID or name.
    #[arg(long, short = 'g', value_name = "TEAM")]
    group: Option<String>,
    /// The person, by handle, name or e-mail address; `me` for you,
    /// `nobody` to leave the ticket with its team.
    #[arg(long, short = 't', value_name = "PERSON")]
    to: Option<String>,
    /// A note for the history event.
    #[arg(long)]
    note: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_assign(ui: &Ui, args: &AssignArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let cx = ui.context(&ws)?;
    let request = AssignRequest {
        group: args.group.clone(),
        to: args.to.as_deref().map(Assignee::parse),
    };
    let outcome = assign(&cx, &id, &request, args.note.clone())?;
    report_outcome(ui, format, &outcome, "assigned")?;
    if format != Format::Json {
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}
