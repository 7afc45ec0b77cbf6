//! `arende impact`: what depends on a configuration item.

use super::exit::ExitCode;
use arende::error::Result;
use arende::render;

use super::output::json_value;
use super::{Format, Formats, Ui};

/// Show what depends on a configuration item, transitively: the items (as a
/// tree), the services among them with their classes, and the open
/// incidents, problems, changes and requests on any of them.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    /// Output format (json: the fields `item`, `depth`, `dependents`,
    /// `services`, `open_records`).
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// Follow the dependencies at most N steps (default: all).
    #[arg(long, value_name = "N")]
    depth: Option<usize>,
    /// The configuration item: its ID (any case, O for 0, I or L for 1),
    /// the end of its ID after a dash, or its file's path.
    id: String,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Json, Format::Markdown]);

pub fn cmd_impact(ui: &Ui, args: &ImpactArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let id = ws.resolve(&args.id)?;
    let impact = arende::impact::impact(&ws, &id, args.depth)?;
    match format {
        Format::Json => ui.print_json(&json_value(&impact)?),
        Format::Markdown => ui.print(&render::impact::markdown(&impact)),
        _ => ui.print(&render::impact::table(&impact, ui.table_style())),
    }
    Ok(ExitCode::Ok)
}
