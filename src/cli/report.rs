//! `arende report`: the period report, as tables, JSON, Markdown or a
//! self-contained HTML page.

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::render;
use arende::report::{Period, Scope};
use arende::time::Timestamp;
use arende::workspace::cache::Docs;
use chrono_tz::Tz;

use super::output::json_value;
use super::{Format, Formats, Ui};

/// Report on a quarter or a range of dates: tickets registered by kind and
/// priority, SLA compliance per priority, availability per service against
/// its class's target, major incidents and crisis candidates.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("period").required(true).args(["quarter", "from"])))]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The quarter, e.g. 2026Q3 (Q1 is January–March).
    #[arg(long, value_name = "YYYYQN", conflicts_with_all = ["from", "to"])]
    quarter: Option<String>,
    /// The first day of the period, as a record's time field takes it or
    /// relative to the clock (2026-07-01, 1/7/2026, -1w) (needs --to).
    #[arg(long, value_name = "DATE", requires = "to", allow_hyphen_values = true)]
    from: Option<String>,
    /// The last day of the period, included (needs --from).
    #[arg(
        long,
        value_name = "DATE",
        requires = "from",
        allow_hyphen_values = true
    )]
    to: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[
    Format::Table,
    Format::Human,
    Format::Json,
    Format::Markdown,
    Format::Html,
]);

pub fn cmd_report(ui: &Ui, args: &ReportArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let tz = ws.tz();
    let now = arende::clock::now(ui.global.now.as_deref(), tz)?;
    let period = period(args, tz, now)?;
    let records = ws.select(
        &[arende::Kind::Incident, arende::Kind::ServiceRequest],
        &|_| true,
    );
    let scope = Scope::new(ws.policy(), tz, &period, now);
    let mut builder = scope.builder();
    let Ok(()) = records.visit_all(
        Docs::Drop,
        |e| scope.part(e.record),
        |part| {
            builder.add(part);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let mut report = builder.finish();
    report.organisation = ws.store().config().organisation.clone();
    match format {
        Format::Json => ui.print_json(&json_value(&report)?),
        Format::Markdown => ui.print(&render::report::markdown(&report, tz)),
        Format::Html => ui.print(&render::report::html(&report, tz)),
        _ => ui.print(&render::report::tables(&report, tz, ui.table_style())),
    }
    let errors = records.errors();
    for e in errors {
        ui.error_ref(e);
    }
    if !errors.is_empty() {
        ui.info(&format!(
            "{} could not be read and {} not in the report",
            super::output::counted(errors.len(), "record file", "record files"),
            if errors.len() == 1 { "is" } else { "are" }
        ));
    }
    Ok(if errors.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    })
}

fn period(args: &ReportArgs, tz: Tz, now: Timestamp) -> Result<Period> {
    let usage = |e: arende::report::PeriodError| Error::usage(e.to_string(), None);
    // The period is of whole days: a time names the day it falls on.
    let date = |name: &str, text: &str| {
        arende::clock::option(name, text, tz, now).map(|t| t.with_timezone(&tz).date_naive())
    };
    match (&args.quarter, &args.from, &args.to) {
        (Some(q), _, _) => Period::quarter(q).map_err(usage),
        (None, Some(from), Some(to)) => {
            Period::between(date("--from", from)?, date("--to", to)?).map_err(usage)
        }
        // clap's group and `requires` make this unreachable from the command line.
        _ => Err(Error::usage(
            "give --quarter, or both --from and --to",
            None,
        )),
    }
}
