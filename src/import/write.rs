//! Stage 6, write: the checked records into the working tree and one
//! commit, through the store's transaction; and the summary of it all.

use std::path::PathBuf;

use super::check::{Checked, Ready};
use super::env::Tally;
use super::summary::Summary;
use super::waive::NewWaivers;
use super::{ImportOptions, Input, InputFormat, Progress};
use crate::error::Error;
use crate::policy::waivers::WAIVERS_FILE;
use crate::store::{CommitMode, FileState, Transaction};
use crate::workspace::Context;
use crate::workspace::Entry;

/// The files to write, and the summary of what they are.
pub(crate) struct Settled {
    pub summary: Summary,
    files: Vec<(PathBuf, Vec<u8>)>,
}

/// Sorts the checked records into the summary and the files to write.
/// "Unchanged" means unchanged in HEAD: a record the import owns whose file
/// is as the import would write it but is not committed (a killed
/// import's, a `--no-commit` one's) is committed now.
pub(crate) fn settle(
    cx: &Context<'_>,
    checked: Checked<'_>,
    input: &Input,
    format: InputFormat,
    options: &ImportOptions,
    tally: Tally,
) -> Result<Settled, Error> {
    let mut summary = Summary {
        input: input.name.clone(),
        format,
        rows: checked.rows,
        records: checked.records.len(),
        created: Vec::new(),
        updated: Vec::new(),
        unchanged: 0,
        differing: Vec::new(),
        commit: None,
        dry_run: options.dry_run,
        priority_diffs: checked.priority_diffs,
        rules: checked.rules,
        waived: Vec::new(),
        warnings: Vec::new(),
    };
    let mut files = Vec::new();
    let mut unchanged = Vec::new();
    for ready in checked.records {
        match ready {
            Ready::Create { id, file } => {
                summary.created.push(id);
                files.push(file);
            }
            Ready::Update { id, file } => {
                summary.updated.push(id);
                files.push(file);
            }
            Ready::Unchanged(entry) => {
                summary.unchanged += 1;
                unchanged.push(entry);
            }
            Ready::Differs { id } => summary.differing.push(id),
        }
    }
    catch_up(cx, unchanged, &mut summary, &mut files, &tally)?;
    if !summary.differing.is_empty() {
        tally.add(
            format!(
                "{} record(s) differ from their rows in the input and were left as they are; import again with --update to apply the rows",
                summary.differing.len()
            ),
            String::new(),
        );
    }
    summary.warnings = tally.into_warnings();
    Ok(Settled { summary, files })
}

/// Adds the records found as the import would write them but not
/// committed to the files to commit, as they are in the working tree.
fn catch_up(
    cx: &Context<'_>,
    unchanged: Vec<&Entry>,
    summary: &mut Summary,
    files: &mut Vec<(PathBuf, Vec<u8>)>,
    tally: &Tally,
) -> Result<(), Error> {
    let paths: Vec<PathBuf> = unchanged.iter().map(|e| e.path.clone()).collect();
    let states = if cx.mode == CommitMode::Commit {
        cx.ws.store().file_states(&paths)?
    } else {
        None
    };
    let mut carried = Vec::new();
    for (entry, state) in unchanged.into_iter().zip(states.into_iter().flatten()) {
        if state == FileState::Committed {
            continue;
        }
        let id = entry.record.id();
        summary.unchanged -= 1;
        if state == FileState::NotInHead {
            summary.created.push(id.clone());
        } else {
            summary.updated.push(id.clone());
            carried.push(id.to_string());
        }
        let abs = cx.ws.root().join(&entry.path);
        let text = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
        files.push((entry.path.clone(), text));
    }
    let message = format!(
        "{} record(s) the import made had changes in the working tree that were not committed; they are committed with this import (`git show HEAD` shows them)",
        carried.len()
    );
    for id in carried {
        tally.add(message.clone(), id);
    }
    Ok(())
}

/// Writes the files, and the waivers, in one commit, unless there are no
/// files or it is a dry run (whose summary says which waivers it would write).
pub(crate) fn write(
    cx: &Context<'_>,
    mut tx: Transaction<'_>,
    settled: Settled,
    waivers: Option<NewWaivers>,
    input: &Input,
    progress: &dyn Progress,
) -> Result<Summary, Error> {
    let Settled { mut summary, files } = settled;
    let waivers = waivers.map(|w| {
        summary.waived = w.waived;
        w.text
    });
    if summary.dry_run || files.is_empty() {
        return Ok(summary);
    }
    for (rel, bytes) in files {
        tx.write_file(rel, bytes);
    }
    if let Some(text) = waivers {
        tx.write_file(PathBuf::from(WAIVERS_FILE), text.into_bytes());
    }
    progress.start("committing", 0);
    let name = input.name.file_name().map_or_else(
        || input.name.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let message = format!(
        "import: {} created, {} updated from {name} ({})\n\n{} rows read; {} records: {} created, {} updated, {} unchanged.\n{}",
        summary.created.len(),
        summary.updated.len(),
        summary.format.name(),
        summary.rows,
        summary.records,
        summary.created.len(),
        summary.updated.len(),
        summary.unchanged,
        if summary.waived.is_empty() {
            String::new()
        } else {
            format!(
                "{} error(s) of the policy's rules waived in {WAIVERS_FILE}.\n",
                summary.waived.len()
            )
        },
    );
    let commit = tx.finish(cx.mode, &message, &cx.author, &cx.now);
    progress.finish();
    summary.commit = commit?;
    Ok(summary)
}
