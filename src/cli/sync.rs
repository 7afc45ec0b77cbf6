//! `arende sync`: record on our records what partners did on theirs.

use arende::actions::exchange::sync;
use arende::error::Result;
use serde_json::json;

use super::exit::ExitCode;
use super::output::counted;
use super::{Format, Formats, Ui};

/// Fetch partners' repositories and record, on each linked record here,
/// their status moves, assignments and replies since the last sync, and
/// every identifier they hold. Running it again records nothing twice.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The partners (default: all).
    partners: Vec<String>,
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
}

const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_sync(ui: &Ui, args: &SyncArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let done = sync(&cx, &args.partners)?;
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = done
            .iter()
            .map(|s| {
                json!({
                    "partner": s.partner,
                    "partner_commit": s.commit.map(|c| c.to_string()),
                    "read": s.read,
                    "records": s.records.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                    "events": s.events,
                    "identifiers": s.identifiers,
                    "commit": s.landed.map(|c| c.to_string()),
                })
            })
            .collect();
        ui.print_json(&json!({"partners": rows}));
        return Ok(ExitCode::Ok);
    }
    for s in &done {
        let at = s
            .commit
            .map(|c| format!(" at {}", &c.to_string()[..10]))
            .unwrap_or_default();
        ui.print(&format!(
            "{}{at}: read {}; {} and {} on {}",
            s.partner,
            counted(s.read, "record", "records"),
            counted(s.events, "event", "events"),
            counted(s.identifiers, "identifier", "identifiers"),
            counted(s.records.len(), "record", "records"),
        ));
    }
    Ok(ExitCode::Ok)
}
