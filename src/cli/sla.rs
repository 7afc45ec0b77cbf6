//! `arende sla`: every open ticket's SLA clocks.

use arende::calendar::BusinessCalendar;
use arende::error::{Error, ExitCode, Result};
use arende::sla::{ClockState, clocks, crisis_outage, human, is_major_incident};
use arende::store::cache::Docs;
use chrono::Duration;
use serde_json::json;

use super::{Format, Formats, Ui};

/// Show every open ticket's SLA clocks: target, due time, time left or
/// overdue, running or paused; major incidents and outages that call for a
/// crisis assessment.
#[derive(Debug, clap::Args)]
pub struct SlaArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The moment to look from [default: now].
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Only clocks past their target.
    #[arg(long)]
    breached: bool,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Human, Format::Json]);

pub fn cmd_sla(ui: &Ui, args: &SlaArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let store = ui.store()?;
    let policy = store.policy();
    let Some(levels) = &policy.service_levels else {
        return Err(Error::usage(
            format!("the {} policy sets no service levels", policy.name),
            None,
        ));
    };
    let calendar = BusinessCalendar::new(levels.calendar.clone())
        .map_err(|m| Error::usage(format!("service_levels.calendar: {m}"), None))?;
    let at = match &args.at {
        Some(t) => arende::clock::parse_time(t)?
            .with_timezone(&store.tz())
            .fixed_offset(),
        None => arende::clock::now(ui.global.now.as_deref(), store.tz())?,
    };
    // Resolved and closed tickets have no running clock: they are not decoded.
    let (scan, _) = store.records(&[], &|b| !settled(b.status), Docs::Drop);
    let mut rows = Vec::new();
    for e in &scan.entries {
        let record = &e.record;
        if settled(record.status()) || record.common.opened_at > at {
            continue;
        }
        let major = is_major_incident(policy, record);
        let crisis = crisis_outage(policy, record, at);
        let ticket_clocks = clocks(policy, &calendar, record, at);
        let uncovered = !arende::sla::covered(record)
            && record.priority().is_some_and(|p| {
                levels
                    .clocks
                    .iter()
                    .any(|c| c.kinds.contains(&record.kind()) && c.priorities.contains(&p.get()))
            });
        if ticket_clocks.is_empty() && !args.breached && (major || crisis.is_some() || uncovered) {
            // Flagged tickets show even without a clock of their own.
            rows.push((record, None, major, crisis));
        }
        for c in ticket_clocks {
            if !args.breached || c.state == ClockState::Breached {
                rows.push((record, Some(c), major, crisis));
            }
        }
    }
    let tz = store.tz();
    if format == Format::Json {
        let items: Vec<_> = rows
            .iter()
            .map(|(r, c, major, crisis)| {
                json!({
                    "id": r.id().as_str(),
                    "priority": r.priority().map(|p| p.get()),
                    "status": r.status(),
                    "title": r.common.title,
                    "clock": c.as_ref().map(|c| serde_json::to_value(c).unwrap_or_default()),
                    "due": c.as_ref().and_then(|c| c.due).map(|d| d.with_timezone(&tz).to_rfc3339()),
                    "major_incident": major,
                    "crisis_assessment": crisis.is_some(),
                    "covered": arende::sla::covered(r),
                    "outage_minutes": crisis.map(|d| d.num_minutes()),
                })
            })
            .collect();
        ui.print_json(&json!({ "at": at.to_rfc3339(), "clocks": items }));
    } else {
        let mut table = ui.table(&[
            "id", "prio", "status", "clock", "target", "due", "left", "state", "flags",
        ]);
        for (r, c, major, crisis) in &rows {
            let mut flags = Vec::new();
            if *major {
                flags.push("major incident".to_owned());
            }
            if let Some(d) = crisis {
                flags.push(format!("crisis assessment (outage {})", human(*d)));
            }
            if c.is_none() && !arende::sla::covered(r) {
                flags.push("not covered (incomplete at registration)".to_owned());
            }
            if c.as_ref().is_some_and(|c| c.at_risk) {
                flags.push("at risk".to_owned());
            }
            let mut row = vec![
                r.id().to_string(),
                r.priority()
                    .map(|p| p.get().to_string())
                    .unwrap_or_default(),
                r.status().to_owned(),
            ];
            row.extend(match c {
                Some(c) => clock_cells(c, tz),
                None => vec![String::new(); 5],
            });
            row.push(flags.join(", "));
            table.add_row(row);
        }
        ui.print(&table.to_string());
        ui.info(&format!(
            "{} at {}",
            super::output::counted(rows.len(), "clock", "clocks"),
            at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
        ));
    }
    for e in &scan.errors {
        ui.error_ref(e);
    }
    let code = if scan.errors.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    };
    // The process ends after this: handing every record back to the
    // allocator one by one was a twentieth of the run at 100 000 records.
    std::mem::forget(scan);
    Ok(code)
}

/// Whether a ticket in `status` is done with: no clock of it runs. The
/// cache's filter and the listing ask the same question.
fn settled(status: &str) -> bool {
    matches!(status, "resolved" | "closed")
}

fn working_hours(d: Duration) -> String {
    let minutes = d.num_minutes();
    format!("{} h {:02} min working time", minutes / 60, minutes % 60)
}

fn state_name(s: ClockState) -> &'static str {
    match s {
        ClockState::NotStarted => "not started (incomplete)",
        ClockState::Running => "running",
        ClockState::Paused => "paused",
        ClockState::Met => "met",
        ClockState::Breached => "breached",
    }
}

/// clock, target, due, left, state.
fn clock_cells(c: &arende::sla::ClockStatus, tz: chrono_tz::Tz) -> Vec<String> {
    let span = |d: Duration| match c.hours {
        // Office time is counted in working hours; "3 d" would read as calendar days.
        arende::policy::ClockHours::Office => working_hours(d),
        arende::policy::ClockHours::Always => human(d),
    };
    let left = Duration::seconds(c.left_seconds);
    let left = if c.state == ClockState::NotStarted {
        String::new()
    } else if left < Duration::zero() {
        format!("overdue {}", span(-left))
    } else {
        span(left)
    };
    vec![
        c.clock.clone(),
        c.target.clone(),
        c.due
            .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        left,
        state_name(c.state).to_owned(),
    ]
}
