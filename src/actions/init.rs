//! Making a record repository: `arende.yaml`, the record folders, the
//! standard-change register, the merge driver and the editor schemas, in
//! one first commit. A failed init leaves nothing it made behind.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, RepoConfig};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::merge::setup;
use crate::store::Author;
use crate::validate::REGISTER;
use crate::workspace::Workspace;

/// What a new repository is made with.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The policy pack's name.
    pub policy: String,
    /// The organisation keeping the records.
    pub organisation: Option<String>,
    /// Whether new records start with the schema modeline.
    pub modeline: bool,
}

/// Makes the repository at `dir` (and the folder, and git, if missing) and
/// commits it as `author` at `now`; with no author, writes the files only.
/// On any failure, what it made is removed and nothing else.
pub fn init(
    dir: &Path,
    options: &InitOptions,
    author: Option<&Author>,
    now: Option<&str>,
) -> Result<Option<git2::Oid>> {
    let made = Made::before(dir);
    make(dir, options, author, now).inspect_err(|_| made.undo())
}

/// What was in the folder before `init`, so that a failed one removes what
/// it made and nothing else.
struct Made {
    /// The folder, if `init` makes it: its highest ancestor that was missing.
    created_root: Option<PathBuf>,
    dir: PathBuf,
    /// The top-level entries that were there.
    existing: BTreeSet<std::ffi::OsString>,
}

impl Made {
    fn before(dir: &Path) -> Made {
        let mut created_root = None;
        let mut probe = Some(dir);
        while let Some(p) = probe {
            if p.as_os_str().is_empty() || p.symlink_metadata().is_ok() {
                break;
            }
            created_root = Some(p.to_owned());
            probe = p.parent();
        }
        let existing = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.file_name()))
                    .collect()
            })
            .unwrap_or_default();
        Made {
            created_root,
            dir: dir.to_owned(),
            existing,
        }
    }

    fn undo(&self) {
        if let Some(root) = &self.created_root {
            let _ = std::fs::remove_dir_all(root);
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if self.existing.contains(&entry.file_name()) {
                continue;
            }
            let path = entry.path();
            let _ = if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

fn make(
    dir: &Path,
    options: &InitOptions,
    author: Option<&Author>,
    now: Option<&str>,
) -> Result<Option<git2::Oid>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if git2::Repository::discover(dir).is_err() {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        git2::Repository::init_opts(dir, &opts)?;
    }
    let config = RepoConfig {
        policy: options.policy.clone(),
        organisation: options.organisation.clone(),
        timezone: None,
        modeline: options.modeline,
        approvals: Default::default(),
        views: Default::default(),
        site: Default::default(),
        exchange: Default::default(),
    };
    crate::fs::write_atomic(&dir.join(CONFIG_FILE), config.to_yaml().as_bytes(), true)?;
    commit_skeleton(dir, author, now)
}

/// The standard-change register a new repository starts with: empty, with
/// an entry in the register's format as a comment to copy, agreed by the
/// party the pack says agrees the register.
fn register_template(policy: &crate::policy::Policy) -> String {
    let agreeing = policy
        .standard_register
        .as_ref()
        .and_then(|r| r.agreed_by.first())
        .and_then(|p| policy.party(p));
    let (counts, by) = match agreeing {
        Some(p) => (
            format!(
                "it says that {0} agreed it (agreed_by) and when (agreed_at), before the\n# change that names it was filed",
                p.label
            ),
            format!("{} (förvaltningsledare)", p.label),
        ),
        None => (
            "it says who agreed it and when (agreed_by, agreed_at)".to_owned(),
            "Ändringsforum".to_owned(),
        ),
    };
    format!(
        "\
# Register of standard changes (standardändringar: förhandsgodkända, 000 §3.4
# \"överenskommit med beställaren i förväg\"). A change filed with
# category=standard names an entry here in standard_ref. An entry counts once
# {counts}. For example:
#
#   - id: STD-01
#     title: Månatlig säkerhetsuppdatering av servrar
#     description: Säkerhetsuppdateringar inom publicerat servicefönster.
#     agreed_by: {by}
#     agreed_at: 2026-01-15
changes: []
"
    )
}

fn commit_skeleton(
    dir: &Path,
    author: Option<&Author>,
    now: Option<&str>,
) -> Result<Option<git2::Oid>> {
    let ws = Workspace::open(dir)?;
    let mut tx = ws.begin()?;
    tx.write_file(
        CONFIG_FILE.into(),
        ws.store().config().to_yaml().into_bytes(),
    );
    for kind in Kind::ALL {
        tx.write_file(Path::new(kind.dir()).join(".gitkeep"), Vec::new());
    }
    if !dir.join(REGISTER).exists() {
        tx.write_file(REGISTER.into(), register_template(ws.policy()).into_bytes());
    }
    if let Some(bytes) = setup::attributes_update(dir)? {
        tx.write_file(setup::ATTRIBUTES_FILE.into(), bytes);
    }
    setup::configure_driver(dir)?;
    crate::editor::add_to(&mut tx, dir)?;
    let Some(author) = author else {
        return tx.write_only().map(|()| None);
    };
    tx.commit(
        &format!("arende init: {} policy", ws.policy().name),
        author,
        &crate::clock::now(now, ws.tz())?,
    )
}
