//! `arende link`: link two records both ways.

use super::exit::ExitCode;
use arende::actions::link;
use arende::error::Result;

use super::output::report_outcome;
use super::{Format, Formats, Ui};

/// Link two records, both ways.
#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// One record.
    a: String,
    /// The other.
    b: String,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_link(ui: &Ui, args: &LinkArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let a = ws.resolve(&args.a)?;
    let b = ws.resolve(&args.b)?;
    let cx = ui.context(&ws)?;
    let outcome = link(&cx, &a, &b)?;
    report_outcome(ui, format, &outcome, "linked")?;
    Ok(ExitCode::Ok)
}
