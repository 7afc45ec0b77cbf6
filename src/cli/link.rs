//! `arende link`: link two records both ways.

use arende::actions::link;
use arende::error::{ExitCode, Result};
use arende::id::RecordId;

use super::output::report_outcome;
use super::{Format, Ui};

/// Link two records, both ways.
#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// One record.
    a: String,
    /// The other.
    b: String,
}

pub fn cmd_link(ui: &Ui, args: &LinkArgs) -> Result<ExitCode> {
    let format = ui.format(&[Format::Human, Format::Json], Format::Human)?;
    let a = RecordId::parse(&args.a)?;
    let b = RecordId::parse(&args.b)?;
    let store = ui.store()?;
    let cx = ui.context(&store)?;
    let outcome = link(&cx, &a, &b)?;
    report_outcome(ui, format, &outcome, "linked");
    Ok(ExitCode::Ok)
}
