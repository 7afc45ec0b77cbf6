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
    /// The policy pack: inera, ehm or stockholm (required: the agreement
    /// the records are held to).
    #[arg(long)]
    policy: Option<String>,
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

/// The pack `--policy` names, in any case (`Inera`); none, or one that
/// does not exist, is a usage error naming the option and the packs.
fn pack_named(given: Option<&str>) -> Result<String> {
    let names: Vec<&str> = Policy::names().collect();
    let Some(given) = given else {
        return Err(Error::usage(
            "init needs --policy: the agreement the records are held to",
            Some(format!("give one of: {}", names.join(", "))),
        ));
    };
    let folded = arende::policy::fold(given);
    names
        .iter()
        .find(|n| **n == folded)
        .map(|n| (*n).to_owned())
        .ok_or_else(|| {
            Error::usage(
                format!("--policy: `{given}` is not a policy pack"),
                Some(format!(
                    "{}give one of: {}",
                    arende::suggest::did_you_mean(&folded, names.iter().copied()),
                    names.join(", ")
                )),
            )
        })
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_init(ui: &Ui, args: &InitArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let policy = pack_named(args.policy.as_deref())?;
    Policy::load(&policy, None)?;
    let base = ui.global.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = match &args.path {
        Some(d) => base.join(d),
        None => base,
    };
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        let existing = RepoConfig::read(&dir)?;
        if existing.policy != policy {
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
        policy: policy.clone(),
        organisation: args.organisation.clone(),
        modeline: args.modeline,
    };
    let commit = init(&dir, &options, author.as_ref(), ui.global.now.as_deref())?;
    report(ui, format, &dir, &policy, commit);
    if let Some(line) = super::setup::not_on_path("git cannot run the merge driver") {
        ui.info(&line);
    }
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
