//! `arende approve`: record an approval.

use super::exit::ExitCode;
use arende::actions::{ApprovalRequest, approve};
use arende::error::Result;
use arende::record::Decision;

use super::output::report_outcome;
use super::{Format, Formats, Ui};

/// Record an approval (or a rejection) by a party.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The record: its ID (any case, O for 0, I or L for 1), the end of its
    /// ID after a dash where only one record ends so, or its file's path.
    id: String,
    /// The approving party (e.g. andringsforum, staden).
    #[arg(long)]
    by: String,
    /// The decision.
    #[arg(long, value_enum, default_value_t = DecisionArg::Approved)]
    decision: DecisionArg,
    /// What is approved, where the policy approves steps separately (e.g. closing).
    #[arg(long)]
    step: Option<String>,
    /// A remark.
    #[arg(long)]
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DecisionArg {
    Approved,
    Rejected,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_approve(ui: &Ui, args: &ApproveArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let cx = ui.context(&ws)?;
    let decision = match args.decision {
        DecisionArg::Approved => Decision::Approved,
        DecisionArg::Rejected => Decision::Rejected,
    };
    let request = ApprovalRequest {
        by: args.by.clone(),
        decision,
        step: args.step.clone(),
        note: args.note.clone(),
    };
    let outcome = approve(&cx, &id, request)?;
    report_outcome(
        ui,
        format,
        &outcome,
        &format!("{} by {}", decision.as_str(), args.by),
    )?;
    Ok(ExitCode::Ok)
}
