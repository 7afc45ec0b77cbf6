//! `arende schema`: the JSON Schemas of the record kinds, the people
//! registry and the waivers, for editors and other tools.

use std::path::PathBuf;

use super::exit::ExitCode;
use arende::editor::SchemaFile;
use arende::error::{Error, Result};

use super::{Format, Formats, Ui};

/// Print a record kind's JSON Schema (or the people registry's, or the waivers'), or write all of them into a folder.
///
/// `arende init` puts them in `.arende/schemas/` with a VS Code
/// `.vscode/settings.json` mapping each record folder, and
/// `policy/people.yaml` and `policy/waivers.yaml`, to its schema; every command rewrites them there
/// when an upgrade changed the record model.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The kind whose schema to print, `people` for the people registry's,
    /// `waivers` for the waivers', or `calendar` for the change calendar's.
    #[arg(required_unless_present = "write")]
    kind: Option<String>,
    /// Write the schema files (`<kind>.schema.json`, `people.schema.json`,
    /// `waivers.schema.json`, `calendar.schema.json`) into DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "kind")]
    write: Option<PathBuf>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_schema(ui: &Ui, args: &SchemaArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    if let Some(dir) = &args.write {
        let paths = arende::editor::write_schemas(dir)?;
        if format == Format::Json {
            let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            ui.print_json(&serde_json::json!({ "written": list }));
        } else {
            for p in &paths {
                ui.info(&format!("wrote {}", p.display()));
            }
        }
        return Ok(ExitCode::Ok);
    }
    // clap requires KIND without --write; were it missing, "" is no kind
    // and the error below says which there are.
    let name = args.kind.as_deref().unwrap_or_default();
    let file = SchemaFile::parse(name).ok_or_else(|| {
        Error::usage(
            format!("`{name}` is not a kind of record, nor `people` or `waivers`"),
            Some(format!(
                "use one of: {}",
                SchemaFile::ALL.map(|f| f.name()).join(", ")
            )),
        )
    })?;
    ui.print(&file.text());
    Ok(ExitCode::Ok)
}
