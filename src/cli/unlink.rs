//! `arende unlink`: remove the link between two records, both ways.

use arende::actions::unlink;
use arende::error::{ExitCode, Result};
use arende::id::RecordId;

use super::output::report_outcome;
use super::{Format, Ui};

/// Remove the link between two records, both ways.
#[derive(Debug, clap::Args)]
pub struct UnlinkArgs {
    /// One record.
    a: String,
    /// The other.
    b: String,
}

pub fn cmd_unlink(ui: &Ui, args: &UnlinkArgs) -> Result<ExitCode> {
    let format = ui.format(&[Format::Human, Format::Json], Format::Human)?;
    let a = RecordId::parse(&args.a)?;
    let b = RecordId::parse(&args.b)?;
    let store = ui.store()?;
    let cx = ui.context(&store)?;
    let outcome = unlink(&cx, &a, &b)?;
    report_outcome(ui, format, &outcome, "unlinked");
    Ok(ExitCode::Ok)
}
