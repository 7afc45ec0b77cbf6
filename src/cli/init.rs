//! `arende init`: make (or adopt) a record repository.

use std::path::{Path, PathBuf};

use arende::config::{CONFIG_FILE, RepoConfig};
use arende::error::{Error, ExitCode, Result};
use arende::kind::Kind;
use arende::merge::setup;
use arende::policy::Policy;
use arende::store::{Author, Store, write_atomic};
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
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
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
    if git2::Repository::discover(&dir).is_err() {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        git2::Repository::init_opts(&dir, &opts)?;
    }
    let config = RepoConfig {
        policy: args.policy.clone(),
        organisation: args.organisation.clone(),
        timezone: None,
        modeline: args.modeline,
    };
    write_atomic(&config_path, config.to_yaml().as_bytes(), true)?;
    match commit_skeleton(ui, &dir) {
        Ok(commit) => {
            report(ui, format, &dir, &args.policy, commit);
            Ok(ExitCode::Ok)
        }
        Err(e) => {
            // An init that failed leaves no half-made repository behind.
            let _ = std::fs::remove_file(&config_path);
            Err(e)
        }
    }
}

fn commit_skeleton(ui: &Ui, dir: &Path) -> Result<Option<git2::Oid>> {
    let store = Store::open(dir)?;
    let mut tx = store.begin()?;
    tx.write_file(CONFIG_FILE.into(), store.config().to_yaml().into_bytes());
    for kind in Kind::ALL {
        tx.write_file(Path::new(kind.dir()).join(".gitkeep"), Vec::new());
    }
    if let Some(bytes) = setup::attributes_update(dir)? {
        tx.write_file(setup::ATTRIBUTES_FILE.into(), bytes);
    }
    super::setup::configure(dir)?;
    arende::editor::add_to(&mut tx, dir)?;
    if ui.global.no_commit {
        return tx.write_only().map(|()| None);
    }
    let author = Author::resolve(ui.global.author.as_deref(), dir)?;
    tx.commit(
        &format!("arende init: {} policy", store.policy().name),
        &author,
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
