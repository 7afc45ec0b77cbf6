//! `arende site`: the static site of the record repository, for readers
//! without a terminal; with `--public`, only the public *driftinformation*.

use std::path::PathBuf;

use super::exit::ExitCode;
use super::{Format, Formats, Ui};
use arende::error::Result;
use arende::render::site::{Frame, write};
use arende::site::Site;
use arende::site::output::Output;

/// Build a static HTML site of the repository: an overview, a page per
/// record, search, the change calendar, the dependency graph, the
/// reports, the policy and the public driftinformation. It needs no
/// server and requests nothing from elsewhere; a second run writes only
/// the pages that changed.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// The folder to write the site into (made if missing; one an earlier
    /// `arende site` wrote, or empty).
    #[arg(long, value_name = "DIR", default_value = "site")]
    out: PathBuf,
    /// Only the public driftinformation: no record pages, no names, no
    /// internal notes, only the fields the pack publishes.
    #[arg(long)]
    public: bool,
    /// Output format of the summary.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
}

const FORMATS: Formats = Formats(&[Format::Table, Format::Json]);

pub fn cmd_site(ui: &Ui, args: &SiteArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let tz = ws.tz();
    let now = arende::clock::now(ui.global.now.as_deref(), tz)?;
    let cwd = std::env::current_dir().map_err(|e| arende::error::Error::io(".", e))?;
    let out_dir = cwd.join(&args.out);
    let out = Output::open(&out_dir)?;
    let site = Site::gather(&ws, now, args.public)?;
    let frame = Frame::new(ws.policy(), tz, args.public);
    write(&ws, &site, &frame, &out)?;
    let written = out.finish()?;
    match format {
        Format::Json => ui.print_json(&serde_json::json!({
            "out": out_dir,
            "public": args.public,
            "records": site.items.len(),
            "written": written.written,
            "unchanged": written.unchanged,
            "removed": written.removed,
            "bytes": written.bytes,
        })),
        _ => ui.print(&format!(
            "wrote {} page(s) to {} ({} unchanged, {} removed; {:.1} MB in all){}\n",
            written.written,
            out_dir.display(),
            written.unchanged,
            written.removed,
            written.bytes as f64 / 1e6,
            if args.public {
                "; public driftinformation only"
            } else {
                ""
            },
        )),
    }
    Ok(ExitCode::Ok)
}
