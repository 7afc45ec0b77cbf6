//! `arende schedule`: the forward schedule of change and the release
//! calendar, with the conflicts the pack's calendar rules find.

use super::exit::ExitCode;
use arende::error::Result;
use arende::render;
use arende::validate::forward;

use super::{Format, Formats, Ui};

/// Show the forward schedule of change: every change with a window and
/// every release in the period, the freeze and maintenance windows
/// (policy/calendar.yaml), and each one's conflicts.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// From this time (a date, a date and time, or relative: `today`,
    /// `-7d`) [default: today 00:00].
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    from: Option<String>,
    /// Up to this time [default: 90 days after --from].
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    to: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[
    Format::Table,
    Format::Json,
    Format::Ics,
    Format::Markdown,
    Format::Html,
]);

pub fn cmd_schedule(ui: &Ui, args: &ScheduleArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let tz = ws.tz();
    let now = arende::clock::now(ui.global.now.as_deref(), tz)?;
    let from = match &args.from {
        Some(t) => arende::clock::option("--from", t, tz, now)?,
        None => arende::clock::option("--from", "today", tz, now)?,
    };
    let to = match &args.to {
        Some(t) => arende::clock::option("--to", t, tz, now)?,
        None => from + chrono::Duration::days(90),
    };
    if to <= from {
        return Err(arende::error::Error::usage(
            format!("--to ({to}) is not after --from ({from})"),
            Some("give a --to later than --from, e.g. --from 2026-12-01 --to 2026-12-31".into()),
        ));
    }
    if to - from > chrono::Duration::days(3660) {
        return Err(arende::error::Error::usage(
            "the period is longer than ten years".to_owned(),
            Some("give --from and --to at most ten years apart; the schedule looks forward, a quarter at a time by default".into()),
        ));
    }
    let plan = forward::forward(&ws, from, to)?;
    match format {
        Format::Json => ui.print_json(&super::output::json_value(&plan)?),
        Format::Ics => ui.print(&render::ics::calendar(
            &plan.entries,
            env!("CARGO_PKG_VERSION"),
        )),
        Format::Markdown => ui.print(&render::schedule::markdown(&plan, tz)),
        Format::Html => ui.print(&render::schedule::html(&plan, tz)),
        _ => ui.print(&render::schedule::table(&plan, tz, ui.table_style())),
    }
    let errors = plan
        .changes
        .iter()
        .flat_map(|c| &c.conflicts)
        .chain(plan.releases.iter().flat_map(|r| &r.conflicts))
        .filter(|m| m.severity == "error")
        .count();
    Ok(if errors == 0 {
        ExitCode::Ok
    } else {
        ExitCode::RulesBroken
    })
}
