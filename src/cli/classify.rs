//! `arende classify`: derive priorities, release levels and capacity
//! recommendations from the policy.

use super::exit::ExitCode;
use arende::actions::classify::{Disagreement, apply, check};
use arende::error::{Error, Result};
use arende::record::document;
use serde_json::json;

use super::{Format, Formats, Ui};

/// Apply the policy's classification (priority from impact × urgency,
/// release level from the version, capacity recommendation), or with
/// --check only report stored values that disagree.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The records to classify.
    ids: Vec<String>,
    /// Every record.
    #[arg(long, conflicts_with = "ids")]
    all: bool,
    /// Change nothing; exit 1 where a stored value disagrees. With no IDs,
    /// every record of the repository is checked.
    #[arg(long)]
    check: bool,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_classify(ui: &Ui, args: &ClassifyArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    // A check changes nothing, so with no IDs it reads the whole
    // repository; a classification that writes must be asked for by name.
    if args.ids.is_empty() && !args.all && !args.check {
        return Err(Error::usage(
            "name the records to classify, or pass --all",
            Some("`arende classify --all` rewrites every record that disagrees; `arende classify --check` only lists them".to_owned()),
        ));
    }
    let ws = ui.workspace()?;
    let ids = args
        .ids
        .iter()
        .map(|t| ws.resolve(t))
        .collect::<Result<Vec<_>>>()?;
    let (found, commit) = if args.check {
        (check(&ws, &ids)?, None)
    } else {
        let cx = ui.context(&ws)?;
        apply(&cx, &ids)?
    };
    if format == Format::Json {
        ui.print_json(&json!({
            "check": args.check,
            "disagreements": found.iter().map(as_json).collect::<Vec<_>>(),
            "commit": commit.map(|c| c.to_string()),
        }));
    } else {
        for d in &found {
            let show = |v: &Option<arende::yaml::Value>| {
                v.as_ref()
                    .map(document::display)
                    .unwrap_or_else(|| "–".into())
            };
            ui.print(&format!(
                "{}: {}: {} → {} ({})",
                d.path.display(),
                d.change.field,
                show(&d.change.from),
                show(&d.change.to),
                d.reason
            ));
        }
        match (args.check, found.is_empty(), commit) {
            (_, true, _) => ui.info("every stored value agrees with the policy"),
            (true, false, _) => ui.info(&match found.len() {
                1 => "1 stored value disagrees with the policy".to_owned(),
                n => format!("{n} stored values disagree with the policy"),
            }),
            (false, false, Some(c)) => ui.info(&format!(
                "classified {} (commit {:.7})",
                super::output::counted(found.len(), "value", "values"),
                c.to_string()
            )),
            (false, false, None) => ui.info(&format!(
                "classified {} (not committed)",
                super::output::counted(found.len(), "value", "values")
            )),
        }
    }
    Ok(if args.check && !found.is_empty() {
        ExitCode::RulesBroken
    } else {
        ExitCode::Ok
    })
}

fn as_json(d: &Disagreement) -> serde_json::Value {
    json!({
        "id": d.id.as_str(),
        "path": d.path.display().to_string(),
        "field": d.change.field,
        "stored": d.change.from,
        "derived": d.change.to,
        "reason": d.reason,
    })
}
