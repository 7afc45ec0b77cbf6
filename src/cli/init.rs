//! `arende init`: make (or adopt) a record repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use arende::config::{CONFIG_FILE, RepoConfig};
use arende::error::{Error, ExitCode, Result};
use arende::kind::Kind;
use arende::merge::setup;
use arende::policy::Policy;
use arende::store::{Author, Store, write_atomic};
use arende::validate::REGISTER;
use serde_json::json;

use super::{Format, Formats, Ui};

/// Create a record repository: arende.yaml, the record folders, and a git
/// repository if there is none.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The policy pack: inera, ehm or stockholm.
    #[arg(long, default_value = "inera")]
    policy: String,
    /// The organisation keeping the records.
    #[arg(long)]
    organisation: Option<String>,
    /// Start every new record with the `# yaml-language-server: $schema=…`
    /// modeline, so editors check it against its kind's schema.
    #[arg(long)]
    modeline: bool,
    /// Where [default: the current folder].
    #[arg(value_name = "DIR")]
    path: Option<PathBuf>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_init(ui: &Ui, args: &InitArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    Policy::load(&args.policy, None)?;
    let base = ui.global.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = match &args.path {
        Some(d) => base.join(d),
        None => base,
    };
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        let existing = RepoConfig::read(&dir)?;
        if existing.policy != args.policy {
            return Err(Error::usage(
                format!(
                    "{} already follows the {} policy",
                    config_path.display(),
                    existing.policy
                ),
                Some("edit arende.yaml to change the policy of an existing repository".to_owned()),
            ));
        }
        ui.info(&format!(
            "{} is already an arende repository ({} policy)",
            dir.display(),
            existing.policy
        ));
        if let Some(problem) = setup::driver_problem(&dir) {
            ui.info(&problem);
        }
        report(ui, format, &dir, &existing.policy, None);
        return Ok(ExitCode::Ok);
    }
    // The first commit needs an author: asked before anything is made, so
    // a missing identity leaves the folder as it was.
    let author = if ui.global.no_commit {
        None
    } else {
        Some(Author::resolve(ui.global.author.as_deref(), &dir)?)
    };
    let made = Made::before(&dir);
    match make(ui, args, &dir, author.as_ref()) {
        Ok(commit) => {
            report(ui, format, &dir, &args.policy, commit);
            Ok(ExitCode::Ok)
        }
        Err(e) => {
            // An init that failed leaves nothing it made behind, and only that.
            made.undo();
            Err(e)
        }
    }
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
    ui: &Ui,
    args: &InitArgs,
    dir: &Path,
    author: Option<&Author>,
) -> Result<Option<git2::Oid>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    if git2::Repository::discover(dir).is_err() {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        git2::Repository::init_opts(dir, &opts)?;
    }
    let config = RepoConfig {
        policy: args.policy.clone(),
        organisation: args.organisation.clone(),
        timezone: None,
        modeline: args.modeline,
    };
    write_atomic(&dir.join(CONFIG_FILE), config.to_yaml().as_bytes(), true)?;
    commit_skeleton(ui, dir, author)
}

/// The standard-change register a new repository starts with: empty, with
/// an entry in the register's format as a comment to copy.
const REGISTER_TEMPLATE: &str = "\
# Register of standard changes (standardändringar: förhandsgodkända, 000 §3.4
# \"överenskommit med beställaren i förväg\"). A change filed with
# category=standard names an entry here in standard_ref. An entry counts once
# it says who agreed it and when (agreed_by, agreed_at). For example:
#
#   - id: STD-01
#     title: Månatlig säkerhetsuppdatering av servrar
#     description: Säkerhetsuppdateringar inom publicerat servicefönster.
#     agreed_by: Ändringsforum
#     agreed_at: 2026-01-15
changes: []
";

fn commit_skeleton(ui: &Ui, dir: &Path, author: Option<&Author>) -> Result<Option<git2::Oid>> {
    let store = Store::open(dir)?;
    let mut tx = store.begin()?;
    tx.write_file(CONFIG_FILE.into(), store.config().to_yaml().into_bytes());
    for kind in Kind::ALL {
        tx.write_file(Path::new(kind.dir()).join(".gitkeep"), Vec::new());
    }
    if !dir.join(REGISTER).exists() {
        tx.write_file(REGISTER.into(), REGISTER_TEMPLATE.as_bytes().to_vec());
    }
    if let Some(bytes) = setup::attributes_update(dir)? {
        tx.write_file(setup::ATTRIBUTES_FILE.into(), bytes);
    }
    super::setup::configure(dir)?;
    arende::editor::add_to(&mut tx, dir)?;
    let Some(author) = author else {
        return tx.write_only().map(|()| None);
    };
    tx.commit(
        &format!("arende init: {} policy", store.policy().name),
        author,
        &now(ui, &store)?,
    )
}

fn now(ui: &Ui, store: &Store) -> Result<arende::record::Timestamp> {
    arende::clock::now(ui.global.now.as_deref(), store.tz())
}

fn report(ui: &Ui, format: Format, dir: &Path, policy: &str, commit: Option<git2::Oid>) {
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    if format == Format::Json {
        ui.print_json(&json!({
            "root": root.display().to_string(),
            "policy": policy,
            "commit": commit.map(|c| c.to_string()),
        }));
    } else if let Some(c) = commit {
        ui.info(&format!(
            "initialised {} with the {policy} policy (commit {:.7})",
            root.display(),
            c.to_string()
        ));
    }
}
