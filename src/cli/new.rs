//! `arende new`: file a record.

use std::path::PathBuf;

use super::exit::ExitCode;
use arende::actions::{NewRecord, new_record};
use arende::error::{Error, Result};
use arende::kind::Kind;
use arende::workspace::Context;
use arende::yaml::Mapping;
use tempfile::TempPath;

use super::output::{json_value, report_notes, report_outcome};
use super::{Format, Formats, Ui, input, prompt};

/// File a new record: classify it, check it, commit it. Prints the new ID.
///
/// On a terminal, what the policy still needs (impact and urgency, party,
/// channel, the ticket numbers the party's rules ask for, …) is asked
/// question by question on stderr, or with --edit in $EDITOR. Off a
/// terminal nothing is asked.
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
    /// Fill the record in `$VISUAL`/`$EDITOR` (else `vi`): a template of
    /// the fields the policy asks for, with their meanings as comments.
    /// Without it, a terminal is asked question by question.
    #[arg(long, short = 'e')]
    edit: bool,
    /// File the record even if its text holds a Swedish personal identity number.
    #[arg(long)]
    force: bool,
    /// Link the new record to this one, both ways, in the same commit
    /// (repeat for several): a problem escalated from an incident.
    #[arg(long, value_name = "ID")]
    link: Vec<String>,
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
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let from = match &args.from {
        Some(path) => input::read_fields(path)?,
        None => Mapping::new(),
    };
    let mut input = NewRecord {
        from,
        assignments: args.set.iter().chain(&args.fields).cloned().collect(),
        title: args.title.clone(),
        note: args.note.clone(),
        force: args.force,
        links: args
            .link
            .iter()
            .map(|l| ws.resolve(l))
            .collect::<Result<_>>()?,
    };
    let kept = complete(ui, &cx, kind, &mut input, args.edit)?;
    // A person at a terminal is told; a script gets what it asked for.
    let unprioritised =
        ui.interactive() && arende::actions::prompt::lacks_priority(&cx, kind, &input);
    let outcome = new_record(&cx, kind, input).inspect_err(|_| {
        // What the person typed in the editor is not lost to a refusal.
        if let Some(path) = kept {
            let kept = prompt::keep(path);
            ui.info(&format!(
                "your text is kept in {kept}; fix it and file it with `arende new {kind} --from {kept}`"
            ));
        }
    })?;
    let (id, doc) = &outcome.records[0];
    if format == Format::Json {
        ui.print_json(&json_value(doc)?);
    } else {
        ui.print(id.as_str());
        let what = if args.link.is_empty() {
            "filed"
        } else {
            "filed and linked both ways"
        };
        report_outcome(ui, format, &outcome, what)?;
        if unprioritised {
            ui.info(&format!(
                "{id}: no impact and urgency, so no priority; \
                 give them with `arende set {id} impact=… urgency=…`"
            ));
        }
        report_notes(ui, &ws, &outcome);
    }
    Ok(ExitCode::Ok)
}

/// Fills in what the record still needs from the person at the terminal:
/// in the editor with `edit` (the text saved is given back, to be kept if
/// the record is refused), else question by question. Off a terminal
/// nothing is asked: the record is filed as given, or refused with what is
/// missing.
fn complete(
    ui: &Ui,
    cx: &Context<'_>,
    kind: Kind,
    input: &mut NewRecord,
    edit: bool,
) -> Result<Option<TempPath>> {
    if !edit {
        if ui.interactive() && prompt::anything_to_ask(cx, kind, input)? {
            prompt::ask_missing(cx, kind, input)?;
        }
        return Ok(None);
    }
    if !ui.interactive() {
        return Err(Error::usage(
            "--edit needs a terminal on standard input",
            Some("give the fields with --set key=value or --from FILE".to_owned()),
        ));
    }
    match prompt::edit(cx, kind, input)? {
        prompt::Edited::Saved(fields, path) => {
            input.from = fields;
            input.title = None;
            input.assignments.clear();
            Ok(Some(path))
        }
        prompt::Edited::Nothing(why) => Err(Error::usage(
            format!("{why}; nothing was filed"),
            Some(format!(
                "run `arende new {kind} --edit` again and save the fields, or give them with --set key=value"
            )),
        )),
    }
}
