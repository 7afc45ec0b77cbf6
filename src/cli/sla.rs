//! `arende sla`: every open ticket's SLA clocks.

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::render::sla as render;
use arende::sla::Listing;
use arende::time::Timestamp;
use arende::workspace::Workspace;
use arende::workspace::cache::{Docs, Records};

use super::{Format, Formats, Ui};

/// Show every open ticket's SLA clocks: target, due time, time left or
/// overdue, running or paused; major incidents and outages that call for a
/// crisis assessment.
#[derive(Debug, clap::Args)]
pub struct SlaArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The moment to look from, as a record's time field takes it or
    /// relative to the clock (`yesterday 17:00`, `-2h`) [default: now].
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    at: Option<String>,
    /// Only clocks past their target.
    #[arg(long)]
    breached: bool,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Human, Format::Json]);

pub fn cmd_sla(ui: &Ui, args: &SlaArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let listing =
        Listing::new(ws.policy(), args.breached).map_err(|e| Error::usage(e.to_string(), None))?;
    let at = moment(ui, &ws, args.at.as_deref())?;
    // Settled tickets have no running clock: they are not decoded.
    let records = ws.select(&[], &|b| !listing.settled(b.kind, b.status));
    if format == Format::Json {
        print_json(ui, &ws, &listing, &records, at);
    } else {
        print_table(ui, &ws, &listing, &records, at);
    }
    for e in records.errors() {
        ui.error_ref(e);
    }
    Ok(if records.errors().is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    })
}

/// The moment `--at` names, in the repository's timezone, or now.
fn moment(ui: &Ui, ws: &Workspace, at: Option<&str>) -> Result<Timestamp> {
    let now = arende::clock::now(ui.global.now.as_deref(), ws.tz())?;
    Ok(match at {
        Some(t) => arende::clock::option("--at", t, ws.tz(), now)?
            .with_timezone(&ws.tz())
            .fixed_offset(),
        None => now,
    })
}

fn print_json(ui: &Ui, ws: &Workspace, listing: &Listing<'_>, records: &Records, at: Timestamp) {
    let tz = ws.tz();
    ui.stream(|out| {
        render::json_document(out, at, |array| {
            records.visit_all(
                Docs::Drop,
                |e| {
                    listing
                        .rows(&e.record, at)
                        .iter()
                        .map(|row| render::json_element(row, tz))
                        .collect::<std::io::Result<Vec<_>>>()
                },
                |items| items?.iter().try_for_each(|item| array.element(item)),
            )
        })
    });
}

fn print_table(ui: &Ui, ws: &Workspace, listing: &Listing<'_>, records: &Records, at: Timestamp) {
    let tz = ws.tz();
    let mut table = ui.table(&render::HEADER);
    let mut shown = 0;
    let Ok(()) = records.visit_all(
        Docs::Drop,
        |e| {
            listing
                .rows(&e.record, at)
                .iter()
                .map(|row| render::cells(row, tz))
                .collect::<Vec<_>>()
        },
        |rows| {
            shown += rows.len();
            for row in rows {
                table.add_row(row);
            }
            Ok::<(), std::convert::Infallible>(())
        },
    );
    ui.print(&table.to_string());
    ui.info(&format!(
        "{} at {}",
        super::output::counted(shown, "clock", "clocks"),
        at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
    ));
}
