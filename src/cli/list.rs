//! `arende list`: records as a table.

use std::io::Write as _;

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::kind::Kind;
use arende::listing::Ask;
use arende::render;
use arende::render::list::{cells, header, json_element};
use arende::workspace::cache::{Docs, Records};

use super::{Format, Formats, Ui};

/// List records, filtered and sorted.
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
    /// Only records whose field has this value, as key=value (dotted keys).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    filters: Vec<String>,
    /// Sort by this field (prefix - for descending) [default: id].
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    sort: Option<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Human, Format::Json, Format::Csv]);

pub fn cmd_list(ui: &Ui, args: &ListArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let kind = args.kind.as_deref().map(parse_kind).transpose()?;
    let filters = args
        .filters
        .iter()
        .map(|f| arende::actions::assign::split(f))
        .collect::<Result<Vec<_>>>()?;
    let ws = ui.workspace()?;
    let ask = Ask {
        kinds: kind.as_slice(),
        statuses: &args.status,
        priority: args.priority,
        filters,
        sort: args.sort.as_deref(),
    };
    let (query, statuses) = ask
        .check(ws.policy())
        .map_err(|e| Error::usage(e.to_string(), Some(e.help())))?;
    // Status and priority are in the cache's brief: only matching records are decoded.
    let records = ws.select(kind.as_slice(), &|b| {
        (statuses.is_empty() || statuses.iter().any(|s| s == b.status))
            && args.priority.is_none_or(|p| b.priority == Some(p))
    });
    let order = if query.by_id() {
        (0..records.len()).collect()
    } else {
        let keys = records.map(Docs::Keep, |e| query.key(&e.doc));
        query.order(keys.into_iter().map(Option::flatten))
    };
    let listed = Listed {
        records: &records,
        order: &order,
        one_kind: kind.is_some(),
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
    one_kind: bool,
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
            let mut csv = render::csv::Writer::new(out, dialect, header(self.one_kind))?;
            let cells = |e| cells(e, self.one_kind, self.tz);
            self.records
                .visit(self.order, Docs::Drop, cells, |row| csv.row(&row))?;
            csv.finish()
        });
    }

    fn table(&self, ui: &Ui) {
        let mut table = ui.table(header(self.one_kind));
        let mut shown = 0;
        let cells = |e| cells(e, self.one_kind, self.tz);
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
