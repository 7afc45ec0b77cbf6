//! `arende sla`: every open ticket's SLA clocks.

use arende::calendar::BusinessCalendar;
use arende::error::{Error, ExitCode, Result};
use std::io::Write as _;

use arende::record::Record;
use arende::render;
use arende::sla::{ClockState, ClockStatus, clocks, crisis_outage, human, is_major_incident};
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
    let records = store.select(&[], &|b| !settled(b.status));
    let tz = store.tz();
    let rows_of = |record: &Record| -> Vec<(Option<ClockStatus>, bool, Option<Duration>)> {
        if settled(record.status()) || record.common.opened_at > at {
            return Vec::new();
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
        let mut rows = Vec::new();
        if ticket_clocks.is_empty() && !args.breached && (major || crisis.is_some() || uncovered) {
            // Flagged tickets show even without a clock of their own.
            rows.push((None, major, crisis));
        }
        for c in ticket_clocks {
            if !args.breached || c.state == ClockState::Breached {
                rows.push((Some(c), major, crisis));
            }
        }
        rows
    };
    if format == Format::Json {
        ui.stream(|out| {
            write!(
                out,
                "{{\n  \"at\": {},\n  \"clocks\": ",
                serde_json::Value::from(at.to_rfc3339())
            )?;
            let mut array = render::json::Array::open(out, 1)?;
            records.visit_all(
                Docs::Drop,
                |e| {
                    Row::all(&e.record, rows_of(&e.record))
                        .map(|row| render::json::pretty_at(&row.json(tz), 2))
                        .collect::<std::io::Result<Vec<_>>>()
                },
                |items| items?.iter().try_for_each(|item| array.element(item)),
            )?;
            array.close()?;
            out.write_all(b"\n}\n")
        });
    } else {
        let mut table = ui.table(&[
            "id", "prio", "status", "clock", "target", "due", "left", "state", "flags",
        ]);
        let mut shown = 0;
        let Ok(()) = records.visit_all(
            Docs::Drop,
            |e| {
                Row::all(&e.record, rows_of(&e.record))
                    .map(|row| row.cells(tz))
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
    for e in records.errors() {
        ui.error_ref(e);
    }
    Ok(if records.errors().is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    })
}

/// One line of the listing: a ticket's clock, or a flagged ticket without one.
struct Row<'r> {
    record: &'r Record,
    clock: Option<ClockStatus>,
    major: bool,
    crisis: Option<Duration>,
}

impl<'r> Row<'r> {
    /// The lines of one record: each clock (or none) with its flags.
    fn all(
        record: &'r Record,
        rows: Vec<(Option<ClockStatus>, bool, Option<Duration>)>,
    ) -> impl Iterator<Item = Row<'r>> {
        rows.into_iter().map(move |(clock, major, crisis)| Row {
            record,
            clock,
            major,
            crisis,
        })
    }

    fn json(&self, tz: chrono_tz::Tz) -> serde_json::Value {
        let (r, c, crisis) = (self.record, &self.clock, self.crisis);
        json!({
            "id": r.id().as_str(),
            "priority": r.priority().map(|p| p.get()),
            "status": r.status(),
            "title": r.common.title,
            "clock": c.as_ref().map(|c| serde_json::to_value(c).unwrap_or_default()),
            "due": c.as_ref().and_then(|c| c.due).map(|d| d.with_timezone(&tz).to_rfc3339()),
            "major_incident": self.major,
            "crisis_assessment": crisis.is_some(),
            "covered": arende::sla::covered(r),
            "outage_minutes": crisis.map(|d| d.num_minutes()),
        })
    }

    fn cells(&self, tz: chrono_tz::Tz) -> Vec<String> {
        let (r, c) = (self.record, &self.clock);
        let mut flags = Vec::new();
        if self.major {
            flags.push("major incident".to_owned());
        }
        if let Some(d) = self.crisis {
            flags.push(format!("crisis assessment (outage {})", human(d)));
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
        row
    }
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
