//! `arende merge-file`: the merge driver git runs for record files.

use std::path::{Path, PathBuf};

use super::exit::ExitCode;
use arende::error::Result;
use arende::fs;
use arende::merge::{self, NotARecord, setup};
use arende::workspace::Workspace;
use arende::yaml;

use super::Ui;

/// Merge three versions of a record file, field by field (the merge driver:
/// `arende init` and `arende setup` configure git to run it). The result goes
/// into OURS; exit 0 when clean, 1 with conflict markers around each field
/// both sides changed differently.
#[derive(Debug, clap::Args)]
pub struct MergeFileArgs {
    /// The common ancestor's version (git's %O).
    base: PathBuf,
    /// Our version, where the result is written (git's %A).
    ours: PathBuf,
    /// Their version (git's %B).
    theirs: PathBuf,
    /// The file's path in the work tree (git's %P), for messages and the policy.
    path: Option<PathBuf>,
}

pub fn cmd_merge_file(ui: &Ui, args: &MergeFileArgs) -> Result<ExitCode> {
    let shown = args.path.clone().unwrap_or_else(|| args.ours.clone());
    let read = |p: &Path| fs::read_text(p, yaml::MAX_RECORD_BYTES);
    let texts = (read(&args.base), read(&args.ours), read(&args.theirs));
    let (ws, rel) = locate(ui, args.path.as_deref());
    let merged = match texts {
        (Ok(base), Ok(ours), Ok(theirs)) => {
            merge::merge_record(ws.as_ref(), &rel, &base, &ours, &theirs)
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(NotARecord(e.to_string())),
    };
    match merged {
        Ok(m) => {
            arende::fs::write_atomic(&args.ours, m.text.as_bytes(), false)?;
            for note in &m.notes {
                ui.info(&format!("{}: {note}", shown.display()));
            }
            for c in &m.conflicts {
                ui.info(&format!(
                    "{}: `{}` changed on both sides; the conflict markers are around that field only",
                    shown.display(),
                    c.field
                ));
            }
            Ok(if m.is_clean() {
                ExitCode::Ok
            } else {
                ExitCode::RulesBroken
            })
        }
        Err(NotARecord(reason)) => {
            ui.info(&format!(
                "{}: {reason}; merging it as text",
                shown.display()
            ));
            let clean = setup::text_merge(&args.base, &args.ours, &args.theirs)?;
            Ok(if clean {
                ExitCode::Ok
            } else {
                ExitCode::RulesBroken
            })
        }
    }
}

/// The record repository the file is in, and its path there. git runs the
/// driver at the top of the work tree, with the path relative to it.
fn locate(ui: &Ui, path: Option<&Path>) -> (Option<Workspace>, PathBuf) {
    let Some(path) = path else {
        return (None, PathBuf::from("record.yaml"));
    };
    let start = ui.global.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let abs = std::path::absolute(start.join(path)).unwrap_or_else(|_| path.to_owned());
    let dir = abs.parent().unwrap_or(Path::new("."));
    match Workspace::discover(dir) {
        Ok(ws) => {
            let root = std::fs::canonicalize(ws.root()).unwrap_or_else(|_| ws.root().into());
            let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.into());
            let rel = dir
                .strip_prefix(&root)
                .map(|d| d.join(abs.file_name().unwrap_or_default()))
                .unwrap_or_else(|_| path.to_owned());
            (Some(ws), rel)
        }
        Err(_) => (None, path.to_owned()),
    }
}
