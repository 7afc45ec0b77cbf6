//! `arende init`: make (or adopt) a record repository.

use std::path::{Path, PathBuf};

use super::exit::ExitCode;
use arende::actions::{InitOptions, init};
use arende::config::{CONFIG_FILE, RepoConfig};
use arende::error::{Error, Result};
use arende::merge::setup;
use arende::policy::Policy;
use arende::store::Author;
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
    let options = InitOptions {
        policy: args.policy.clone(),
        organisation: args.organisation.clone(),
        modeline: args.modeline,
        driver: super::setup::driver(),
    };
    let commit = init(&dir, &options, author.as_ref(), ui.global.now.as_deref())?;
    report(ui, format, &dir, &args.policy, commit);
    Ok(ExitCode::Ok)
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
