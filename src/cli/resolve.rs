//! `arende resolve`: merge again, field by field, record files a merge
//! left conflicted (one made where the driver was not configured).

use std::path::{Path, PathBuf};

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::merge::setup::{self, Resolution};
use arende::workspace::Workspace;
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
    let ws = ui.workspace()?;
    let files = files(ui, &ws, &args.files)?;
    if files.is_empty() {
        ui.info("no record file is in conflict");
    }
    let mut report = Vec::new();
    let mut open = false;
    for rel in &files {
        let resolution = setup::resolve(&ws, rel, args.force)?;
        if let Resolution::Merged(m) = &resolution {
            for note in &m.notes {
                ui.info(&format!("{}: {note}", rel.display()));
            }
        }
        let outcome = Outcome::of(&resolution);
        open |= outcome.open;
        if format != Format::Json {
            ui.info(&format!("{}: {}", rel.display(), outcome.detail));
        }
        report.push(json!({
            "file": rel.display().to_string(),
            "state": outcome.state,
            "detail": outcome.detail,
        }));
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

/// The files to merge again, relative to the record repository: those
/// given, or every record file the index holds in conflict.
fn files(ui: &Ui, ws: &Workspace, given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let cwd = match &ui.global.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let root = std::fs::canonicalize(ws.root()).map_err(|e| Error::io(ws.root(), e))?;
    if given.is_empty() {
        return setup::conflicted_files(ws);
    }
    given
        .iter()
        .map(|f| in_repository(&root, &cwd, f))
        .collect()
}

/// `file`, given from `cwd`, relative to the repository at `root`.
fn in_repository(root: &Path, cwd: &Path, file: &Path) -> Result<PathBuf> {
    let help = || Some(format!("give files under {}", root.display()));
    let outside = || {
        Error::usage(
            format!("{} is not in the record repository", file.display()),
            help(),
        )
    };
    let abs = std::path::absolute(cwd.join(file)).map_err(|e| Error::io(file, e))?;
    // Only `/` has no parent: no repository's file.
    let parent = abs.parent().ok_or_else(outside)?;
    // A path ending in `..` names a folder.
    let name = abs
        .file_name()
        .ok_or_else(|| Error::usage(format!("{} names no file", file.display()), help()))?;
    let dir = std::fs::canonicalize(parent).map_err(|e| Error::io(file, e))?;
    let rel = dir.strip_prefix(root).map_err(|_| outside())?;
    Ok(rel.join(name))
}

/// What a person is told of one file.
struct Outcome {
    /// The state's name in the JSON report.
    state: &'static str,
    /// What happened, or what is left to do.
    detail: String,
    /// A person still has to act on the file.
    open: bool,
}

impl Outcome {
    fn of(resolution: &Resolution) -> Outcome {
        let open = |state, detail| Outcome {
            state,
            detail,
            open: true,
        };
        match resolution {
            Resolution::Merged(m) if m.is_clean() => Outcome {
                state: "merged",
                detail: "merged and staged".to_owned(),
                open: false,
            },
            Resolution::Merged(m) => {
                let fields: Vec<&str> = m.conflicts.iter().map(|c| c.field.as_str()).collect();
                open(
                    "conflict",
                    format!(
                        "changed on both sides: {}; decide between the markers, then `git add`",
                        fields.join(", ")
                    ),
                )
            }
            Resolution::DeletedOnOneSide { kept_by } => open(
                "deleted",
                format!(
                    "deleted on one side and changed on the other ({kept_by} kept it); keep it with `git add` or delete it with `git rm`"
                ),
            ),
            Resolution::AlreadyEdited => open(
                "edited",
                "has no conflict markers left, so it looks resolved by hand: `git add` it, or pass --force to merge it again".to_owned(),
            ),
            Resolution::NotARecord(reason) => {
                open("text", format!("{reason}; resolve git's markers by hand"))
            }
        }
    }
}
