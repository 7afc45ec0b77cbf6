//! `arende approve`: record an approval.

use arende::actions::{ApprovalRequest, approve};
use arende::error::{ExitCode, Result};
use arende::id::RecordId;
use arende::record::Decision;

use super::output::report_outcome;
use super::{Format, Ui};

/// Record an approval (or a rejection) by a party.
#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The record's ID.
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

pub fn cmd_approve(ui: &Ui, args: &ApproveArgs) -> Result<ExitCode> {
    let format = ui.format(&[Format::Human, Format::Json], Format::Human)?;
    let id = RecordId::parse(&args.id)?;
    let store = ui.store()?;
    let cx = ui.context(&store)?;
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
    );
    Ok(ExitCode::Ok)
}
