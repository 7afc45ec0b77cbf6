//! `arende new`: file a record.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use arende::actions::{NewRecord, new_record};
use arende::error::{Error, ExitCode, Result};
use arende::kind::Kind;
use arende::yaml::{self, Mapping, Value};

use super::output::{report_notes, report_outcome, to_json};
use super::{Format, Formats, Ui};

/// File a new record: classify it, check it, commit it. Prints the new ID.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// incident, problem, change, release, request, ci or capacity.
    kind: String,
    /// The title.
    #[arg(long, short)]
    title: Option<String>,
    /// A field, as key=value (dotted keys for nesting: tickets.kund=4711).
    #[arg(long = "set", short = 's', value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Read fields from a YAML file (- for standard input).
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// A note for the first history event.
    #[arg(long)]
    note: Option<String>,
    /// File the record even if its text holds a Swedish personal identity number.
    #[arg(long)]
    force: bool,
    /// More fields, as key=value.
    #[arg(value_name = "KEY=VALUE")]
    fields: Vec<String>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_new(ui: &Ui, args: &NewArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let kind = Kind::parse(&args.kind).ok_or_else(|| {
        Error::usage(
            format!("`{}` is not a kind of record", args.kind),
            Some("kinds: incident, problem, change, release, request, ci, capacity".to_owned()),
        )
    })?;
    let store = ui.store()?;
    let cx = ui.context(&store)?;
    let from = match &args.from {
        Some(path) => read_fields(path)?,
        None => Mapping::new(),
    };
    let mut input = NewRecord {
        from,
        assignments: args.set.iter().chain(&args.fields).cloned().collect(),
        title: args.title.clone(),
        note: args.note.clone(),
        force: args.force,
    };
    let has_title = input.title.is_some()
        || input.from.contains_key("title")
        || input.assignments.iter().any(|a| a.starts_with("title="));
    if !has_title && ui.interactive() {
        input.from = ask(kind, input.from)?;
    }
    let outcome = new_record(&cx, kind, input)?;
    let (id, doc) = &outcome.records[0];
    if format == Format::Json {
        ui.print_json(&to_json(doc));
    } else {
        ui.print(id.as_str());
        report_outcome(ui, format, &outcome, "filed");
        if format != Format::Json {
            report_notes(ui, &store, &outcome);
        }
    }
    Ok(ExitCode::Ok)
}

fn read_fields(path: &Path) -> Result<Mapping> {
    let shown = if path == Path::new("-") {
        Path::new("<stdin>")
    } else {
        path
    };
    let text = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(yaml::MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(shown, e))?;
        if bytes.len() as u64 > yaml::MAX_RECORD_BYTES {
            return Err(Error::TooLarge {
                path: shown.to_owned(),
                size: bytes.len() as u64,
                limit: yaml::MAX_RECORD_BYTES,
            });
        }
        yaml::text_from_bytes(shown, bytes)?
    } else {
        yaml::read_text(path, yaml::MAX_RECORD_BYTES).map_err(|e| match e {
            // A file the person named that is not there is bad input, not a broken disk.
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Error::usage(format!("{}: no such file", path.display()), None)
            }
            other => other,
        })?
    };
    yaml::parse_mapping(shown, &text)
}

/// Asks a person at a terminal for what is missing: in `$VISUAL`/`$EDITOR`
/// if one is set, else a prompt for the title.
fn ask(kind: Kind, mut fields: Mapping) -> Result<Mapping> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty());
    if let Some(editor) = editor {
        let mut file = tempfile::Builder::new()
            .prefix(&format!("arende-new-{}-", kind.name()))
            .suffix(".yaml")
            .tempfile()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let mut template = fields.clone();
        template.insert("title".into(), Value::String(String::new()));
        if !template.contains_key("description") {
            template.insert("description".into(), Value::String(String::new()));
        }
        file.write_all(yaml::to_string(&template).as_bytes())
            .map_err(|e| Error::io(file.path(), e))?;
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(file.path())
            .status()
            .map_err(|e| Error::io(file.path(), e))?;
        if !status.success() {
            return Err(Error::usage(
                "the editor exited with an error; nothing was filed",
                None,
            ));
        }
        return read_fields(file.path());
    }
    eprint!("Title: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("<stdin>", e))?;
    fields.insert("title".into(), Value::String(line.trim().to_owned()));
    Ok(fields)
}
