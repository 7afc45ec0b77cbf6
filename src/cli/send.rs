//! `arende send`: report a record to a partner organisation (the seeds'
//! *anmäla*), on an intake branch in the partner's repository.

use arende::actions::exchange::send;
use arende::error::Result;
use serde_json::json;

use super::exit::ExitCode;
use super::{Format, Formats, Ui};

/// Send a record to a partner's intake: the fields its profile lets cross,
/// translated to its pack, on the branch intake/<our party>/<ID> in its
/// repository, for its review.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The partner, by its name in arende.yaml (`arende partner list`).
    partner: String,
    /// The record's ID.
    id: String,
    /// Send it anew although the partner took it before.
    #[arg(long)]
    again: bool,
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
}

const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_send(ui: &Ui, args: &SendArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let cx = ui.context(&ws)?;
    let sent = send(&cx, &args.partner, &id, args.again)?;
    let findings: Vec<serde_json::Value> = sent
        .findings
        .iter()
        .map(|v| {
            json!({
                "rule": v.rule,
                "severity": v.severity.as_str(),
                "field": v.field,
                "message": v.message,
            })
        })
        .collect();
    if format == Format::Json {
        ui.print_json(&json!({
            "id": id.as_str(),
            "partner": args.partner,
            "branch": sent.branch,
            "pushed": sent.pushed.map(|c| c.to_string()),
            "unchanged": sent.unchanged,
            "partner_findings": findings,
            "commit": sent.outcome.as_ref().and_then(|o| o.commit).map(|c| c.to_string()),
        }));
        return Ok(ExitCode::Ok);
    }
    match (&sent.pushed, &sent.unchanged) {
        (Some(commit), _) => ui.print(&format!(
            "sent {id} to {}: {} ({})",
            args.partner,
            sent.branch,
            &commit.to_string()[..10]
        )),
        (None, Some(why)) => ui.print(&format!("{id}: nothing sent: {why}")),
        (None, None) => {}
    }
    for v in &sent.findings {
        ui.info(&format!(
            "{}'s pack: {} {} {} (`{}`)",
            args.partner,
            v.severity.as_str(),
            v.rule,
            v.message,
            v.field
        ));
    }
    Ok(ExitCode::Ok)
}
