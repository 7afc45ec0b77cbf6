//! `arende hook install`: a plain git pre-commit hook that validates.

use arende::error::{Error, ExitCode, Result};

use super::{Format, Ui};

/// Git hooks for a record repository.
#[derive(Debug, clap::Subcommand)]
pub enum HookCommand {
    /// Write a pre-commit hook that runs `arende validate` before every commit.
    Install(InstallArgs),
}

/// Whether to replace a hook that is there.
#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Replace an existing pre-commit hook.
    #[arg(long)]
    force: bool,
}

/// The hook. It validates the working tree, so a commit of records that
/// break the policy's errors is stopped before it is made.
const HOOK: &str = "#!/bin/sh\n# Installed by `arende hook install`: check the records before every commit.\nexec arende validate -q\n";

pub fn cmd_hook(ui: &Ui, command: &HookCommand) -> Result<ExitCode> {
    let HookCommand::Install(args) = command;
    let format = ui.format(&[Format::Human, Format::Json], Format::Human)?;
    let store = ui.store()?;
    let repo = git2::Repository::discover(store.root()).map_err(|_| Error::NoGit {
        dir: store.root().to_owned(),
    })?;
    let hooks = repo.path().join("hooks");
    let path = hooks.join("pre-commit");
    if path.exists() && !args.force {
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        if existing != HOOK {
            return Err(Error::usage(
                format!("{} exists and is not arende's", path.display()),
                Some("pass --force to replace it, or call `arende validate -q` from it".to_owned()),
            ));
        }
    }
    arende::store::write_atomic(&path, HOOK.as_bytes(), true)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&path, e))?;
    }
    if format == Format::Json {
        ui.print_json(&serde_json::json!({ "hook": path.display().to_string() }));
    } else {
        ui.info(&format!("installed {}", path.display()));
    }
    Ok(ExitCode::Ok)
}
