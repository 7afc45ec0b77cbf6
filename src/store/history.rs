//! Every record file's commits at once: one walk of the history from HEAD,
//! each commit compared with its first parent, for a reader that shows the
//! history of many records (the static site) and cannot afford a walk per
//! record.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::{Repository, Sort};

use super::git::{open_repo, repo_prefix};
use crate::error::Result;

/// One commit, as a history list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitBrief {
    /// The commit ID.
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// When it was authored.
    pub at: DateTime<FixedOffset>,
    /// The first line of its message.
    pub summary: String,
}

/// The commits that changed each file of the record repository, newest
/// first, and the commit HEAD names.
#[derive(Debug, Default)]
pub struct PathHistory {
    /// HEAD's commit ID (`None`: no commit yet).
    pub head: Option<String>,
    /// Whether the working tree's record files differ from HEAD.
    pub dirty: bool,
    commits: Vec<CommitBrief>,
    by_path: HashMap<PathBuf, Vec<u32>>,
}

impl PathHistory {
    /// The commits that changed `rel` (a path relative to the record
    /// repository), newest first.
    pub fn of(&self, rel: &Path) -> impl Iterator<Item = &CommitBrief> {
        self.by_path
            .get(rel)
            .into_iter()
            .flatten()
            .map(|&i| &self.commits[i as usize])
    }
}

/// Walks the history from HEAD once. A merge is compared with its first
/// parent: what it brought in shows at the merge, and the commits it
/// brought show where they were made.
pub fn path_histories(root: &Path) -> Result<PathHistory> {
    let repo = open_repo(root)?;
    let prefix = repo_prefix(&repo, root)?;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(PathHistory::default());
    };
    let mut history = PathHistory {
        head: Some(head.id().to_string()),
        dirty: dirty(&repo, &prefix)?,
        ..PathHistory::default()
    };
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    walk.push(head.id())?;
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let tree = commit.tree()?;
        let parent = match commit.parents().next() {
            Some(p) => Some(p.tree()?),
            None => None,
        };
        let diff = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None)?;
        let index = history.commits.len() as u32;
        let mut touched = false;
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().or(delta.old_file().path()) else {
                continue;
            };
            let Ok(rel) = path.strip_prefix(&prefix) else {
                continue;
            };
            history
                .by_path
                .entry(rel.to_owned())
                .or_default()
                .push(index);
            touched = true;
        }
        if touched {
            history.commits.push(brief(&commit));
        }
    }
    Ok(history)
}

fn brief(commit: &git2::Commit<'_>) -> CommitBrief {
    let author = commit.author();
    let when = author.when();
    let offset = FixedOffset::east_opt(when.offset_minutes() * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    CommitBrief {
        id: commit.id().to_string(),
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        at: offset
            .timestamp_opt(when.seconds(), 0)
            .single()
            .unwrap_or_else(|| offset.timestamp_opt(0, 0).single().expect("epoch")),
        summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
    }
}

/// Whether a file under `prefix` differs between HEAD and the working tree
/// (untracked files included): the site says it was made from more than
/// the commit it names.
fn dirty(repo: &Repository, prefix: &Path) -> Result<bool> {
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(false)
        .exclude_submodules(true);
    if !prefix.as_os_str().is_empty() {
        options.pathspec(prefix);
    }
    Ok(!repo.statuses(Some(&mut options))?.is_empty())
}
