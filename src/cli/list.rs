//! `arende list`: records as a table.

use std::io::Write as _;

use super::exit::ExitCode;
use arende::config::View;
use arende::error::{Error, Result};
use arende::kind::Kind;
use arende::listing::{self, Request};
use arende::render;
use arende::render::list::{Columns, cells, header, json_element};
use arende::workspace::cache::{Docs, Records};

use super::{Format, Formats, Ui};

/// List records, filtered and sorted; a desk's queues with --mine, --group,
/// --unassigned and --open; a listing saved in arende.yaml with --view.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// Only this kind (incident, problem, change, release, request, ci, capacity).
    kind: Option<String>,
    /// Only records in this status (repeat for several).
    #[arg(long)]
    status: Vec<String>,
    /// Only records of this priority.
    #[arg(long)]
    priority: Option<u8>,
    /// Only records whose field has this value, as key=value (dotted keys;
    /// key= for records without the field).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    filters: Vec<String>,
    /// Sort by this field (prefix - for descending), or `due` (the earliest
    /// running SLA clock's target) [default: id; priority for a queue].
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
    /// Only tickets assigned to you (by your e-mail in policy/people.yaml).
    #[arg(long, conflicts_with = "unassigned")]
    mine: bool,
    /// Only tickets of this team.
    #[arg(long, value_name = "TEAM")]
    group: Option<String>,
    /// Only tickets no person has.
    #[arg(long)]
    unassigned: bool,
    /// Only records not settled (by the policy: their clocks' stop statuses,
    /// or the status machine's settled ones).
    #[arg(long)]
    open: bool,
    /// Run a listing saved under `views:` in arende.yaml; options given
    /// beside it add to it.
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
}

impl ListArgs {
    /// Whether the listing reads the clock: sorted by due time, or a
    /// saved view (which may be).
    pub fn reads_clock(&self) -> bool {
        self.view.is_some()
            || self
                .sort
                .as_deref()
                .is_some_and(|s| s.trim_start_matches('-') == "due")
    }
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Human, Format::Json, Format::Csv]);

pub fn cmd_list(ui: &Ui, args: &ListArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let request = request(&ws, args)?;
    let v = &request.view;
    let kind = v.kind.as_deref().map(parse_kind).transpose()?;
    let filters = v
        .filters
        .iter()
        .map(|f| arende::actions::assign::split(f))
        .collect::<Result<Vec<_>>>()?;
    let plan = request
        .plan(&ws, filters, kind, ui.now(&ws)?, || ui.author(&ws))
        .map_err(|e| match e {
            listing::PlanError::Listing(e) => Error::usage(e.to_string(), Some(e.help())),
            listing::PlanError::Other(e) => e,
        })?;
    // Status and priority are in the cache's brief: only matching records are decoded.
    let records = ws.select(kind.as_slice(), &|b| plan.keeps(b));
    let order = plan.order(&records);
    let listed = Listed {
        records: &records,
        order: &order,
        columns: Columns {
            one_kind: kind.is_some(),
            assigned: request.is_queue(),
        },
        tz: ws.tz(),
    };
    match format {
        Format::Json => listed.json(ui),
        Format::Csv => listed.csv(ui),
        _ => listed.table(ui),
    }
    for error in records.errors() {
        ui.error_ref(error);
    }
    Ok(if records.errors().is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::BadInput
    })
}

/// The listing asked for: the options, over the saved view they name.
fn request(ws: &arende::workspace::Workspace, args: &ListArgs) -> Result<Request> {
    let given = Request {
        view: View {
            kind: args.kind.clone(),
            status: args.status.clone(),
            priority: args.priority,
            filters: args.filters.clone(),
            sort: args.sort.clone(),
            mine: args.mine,
            group: args.group.clone(),
            unassigned: args.unassigned,
            open: args.open,
        },
    };
    let Some(name) = &args.view else {
        return Ok(given);
    };
    let saved = Request::saved(&ws.store().config().views, name)?;
    Ok(given.over(saved))
}

fn parse_kind(k: &str) -> Result<Kind> {
    Kind::parse(k).ok_or_else(|| {
        Error::usage(
            format!("`{k}` is not a kind of record"),
            Some("kinds: incident, problem, change, release, request, ci, capacity".to_owned()),
        )
    })
}

/// The records to print, in the order to print them.
struct Listed<'a> {
    records: &'a Records,
    order: &'a [usize],
    columns: Columns,
    tz: chrono_tz::Tz,
}

impl Listed<'_> {
    fn json(&self, ui: &Ui) {
        ui.stream(|out| {
            let mut array = render::json::Array::open(out, 0)?;
            self.records.visit(
                self.order,
                Docs::Drop,
                |e| json_element(&e),
                |item| array.element(&item?),
            )?;
            array.close()?;
            out.write_all(b"\n")
        });
    }

    fn csv(&self, ui: &Ui) {
        ui.stream(|out| {
            let dialect = render::csv::Dialect::default();
            let mut csv = render::csv::Writer::new(out, dialect, &header(self.columns))?;
            let cells = |e| cells(e, self.columns, self.tz);
            self.records
                .visit(self.order, Docs::Drop, cells, |row| csv.row(&row))?;
            csv.finish()
        });
    }

    fn table(&self, ui: &Ui) {
        let mut table = ui.table(&header(self.columns));
        let mut shown = 0;
        let cells = |e| cells(e, self.columns, self.tz);
        let Ok(()) = self.records.visit(self.order, Docs::Drop, cells, |row| {
            table.add_row(row);
            shown += 1;
            Ok::<(), std::convert::Infallible>(())
        });
        ui.print(&table.to_string());
        ui.info(&format!(
            "{shown} of {}",
            super::output::counted(self.records.total(), "record", "records")
        ));
    }
}
