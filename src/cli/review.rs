//! `arende review`: what a branch does to the records, for its pull request.

use super::exit::ExitCode;
use arende::error::Result;
use arende::policy::Severity;
use arende::render;
use arende::review::review;

use super::output::json_value;
use super::{Format, Formats, Ui};

/// Review a branch: every record it adds, changes or deletes, field by field,
/// every rule its HEAD state breaks, and the rules only a difference can
/// break (illegal status jumps, deletions, rewritten history, removed
/// approvals, unexplained re-prioritisation, changed IDs). Exits 1 on errors.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// BASE or BASE..HEAD (e.g. origin/main..HEAD); compared from their merge base.
    range: String,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Markdown, Format::Human, Format::Json]);

pub fn cmd_review(ui: &Ui, args: &ReviewArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let review = review(&ws, &args.range)?;
    match format {
        Format::Json => ui.print_json(&json_value(&review)?),
        _ => ui.print(&render::review::markdown(&review)),
    }
    Ok(if review.count(Severity::Error) > 0 {
        ExitCode::RulesBroken
    } else {
        ExitCode::Ok
    })
}
