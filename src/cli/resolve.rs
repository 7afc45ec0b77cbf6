//! `arende resolve`: merge again, field by field, record files a merge
//! left conflicted (one made where the driver was not configured).

use std::path::PathBuf;

use arende::error::{Error, ExitCode, Result};
use arende::merge::setup::{self, Resolution};
use serde_json::json;

use super::{Format, Formats, Ui};

/// Re-merge record files that a merge left conflicted, as the merge driver
/// would have: the record merge of git's base, ours and theirs. A clean
/// result is written and staged; a conflicted one gets markers around the
/// fields both sides changed differently.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The files [default: every conflicted record file].
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Merge again even a file whose conflict markers are gone (someone's
    /// resolution, not staged yet, is replaced).
    #[arg(long)]
    force: bool,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_resolve(ui: &Ui, args: &ResolveArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let store = ui.store()?;
    let cwd = match &ui.global.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let root = std::fs::canonicalize(store.root()).map_err(|e| Error::io(store.root(), e))?;
    let files: Vec<PathBuf> = if args.files.is_empty() {
        setup::conflicted_files(&store)?
    } else {
        let mut out = Vec::new();
        for f in &args.files {
            let abs = std::path::absolute(cwd.join(f)).map_err(|e| Error::io(f, e))?;
            let dir = abs.parent().map(std::fs::canonicalize).transpose();
            let dir = dir.map_err(|e| Error::io(f, e))?.unwrap_or_default();
            let rel = dir
                .strip_prefix(&root)
                .map(|d| d.join(abs.file_name().unwrap_or_default()))
                .map_err(|_| {
                    Error::usage(
                        format!("{} is not in the record repository", f.display()),
                        Some(format!("give files under {}", root.display())),
                    )
                })?;
            out.push(rel);
        }
        out
    };
    if files.is_empty() {
        ui.info("no record file is in conflict");
    }
    let mut report = Vec::new();
    let mut open = false;
    for rel in &files {
        let (state, detail) = match setup::resolve(&store, rel, args.force)? {
            Resolution::Merged(m) => {
                for note in &m.notes {
                    ui.info(&format!("{}: {note}", rel.display()));
                }
                if m.is_clean() {
                    ("merged", "merged and staged".to_owned())
                } else {
                    open = true;
                    let fields: Vec<&str> = m.conflicts.iter().map(|c| c.field.as_str()).collect();
                    (
                        "conflict",
                        format!(
                            "changed on both sides: {}; decide between the markers, then `git add`",
                            fields.join(", ")
                        ),
                    )
                }
            }
            Resolution::DeletedOnOneSide { kept_by } => {
                open = true;
                (
                    "deleted",
                    format!(
                        "deleted on one side and changed on the other ({kept_by} kept it); keep it with `git add` or delete it with `git rm`"
                    ),
                )
            }
            Resolution::AlreadyEdited => {
                open = true;
                (
                    "edited",
                    "has no conflict markers left, so it looks resolved by hand: `git add` it, or pass --force to merge it again".to_owned(),
                )
            }
            Resolution::NotARecord(reason) => {
                open = true;
                ("text", format!("{reason}; resolve git's markers by hand"))
            }
        };
        if format != Format::Json {
            ui.info(&format!("{}: {detail}", rel.display()));
        }
        report.push(json!({ "file": rel.display().to_string(), "state": state, "detail": detail }));
    }
    if format == Format::Json {
        ui.print_json(&json!(report));
    }
    Ok(if open {
        ExitCode::RulesBroken
    } else {
        ExitCode::Ok
    })
}
