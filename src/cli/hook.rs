//! `arende hook install`: a plain git pre-commit hook that validates.

use super::exit::ExitCode;
use arende::error::{Error, Result};

use super::{Format, Formats, Ui};

/// Git hooks for a record repository.
#[derive(Debug, clap::Subcommand)]
pub enum HookCommand {
    /// Write a pre-commit hook that runs `arende validate` before every commit.
    Install(InstallArgs),
}

/// Whether to replace a hook that is there.
#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// Replace an existing pre-commit hook.
    #[arg(long)]
    force: bool,
}

/// The hook. It validates the records staged in the index (what the commit
/// will hold, whatever the working tree says since), so a commit of records
/// that break the policy's errors is stopped before it is made. It runs
/// `arende` from PATH, so it survives the binary being moved or upgraded;
/// without one there it stops the commit and says why, as a check that
/// passed unseen would let broken records in.
const HOOK: &str = "#!/bin/sh
# Installed by `arende hook install`: check the staged records before every commit.
if ! command -v arende >/dev/null 2>&1; then
  echo 'arende pre-commit hook: `arende` is not on PATH, so the staged records cannot be checked and the commit is stopped; install it (`cargo install --locked --path .` in a checkout of arende) or add its folder to PATH' >&2
  exit 1
fi
exec arende validate --staged -q
";

/// The hook `template` for a record repository at `prefix` inside the
/// work tree: git runs hooks at the top of the work tree, so one below it
/// is named with `-C` (single-quoted for the shell).
fn hook_text(template: &str, prefix: &std::path::Path) -> String {
    if prefix.as_os_str().is_empty() {
        return template.to_owned();
    }
    let quoted = prefix.to_string_lossy().replace('\'', "'\\''");
    template.replace(
        "exec arende validate",
        &format!("exec arende -C '{quoted}' validate"),
    )
}

/// What earlier versions installed; replaced without --force.
const OLD_HOOKS: &[&str] = &[
    "#!/bin/sh\n# Installed by `arende hook install`: check the records before every commit.\nexec arende validate -q\n",
    "#!/bin/sh\n# Installed by `arende hook install`: check the staged records before every commit.\nexec arende validate --staged -q\n",
];

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_hook(ui: &Ui, command: &HookCommand) -> Result<ExitCode> {
    let HookCommand::Install(args) = command;
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let repo = arende::store::open_repo(ws.root())?;
    let prefix = arende::store::repo_prefix(&repo, ws.root())?;
    let hook = hook_text(HOOK, &prefix);
    let hooks = hooks_dir(&repo)?;
    std::fs::create_dir_all(&hooks).map_err(|e| Error::io(&hooks, e))?;
    let path = hooks.join("pre-commit");
    if path.exists() && !args.force {
        // Bytes, not text: a hook of someone else's need not be UTF-8, and
        // is then simply not arende's; one that does not read is an error.
        let existing = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let ours =
            |h: &str| existing == h.as_bytes() || existing == hook_text(h, &prefix).as_bytes();
        if !ours(HOOK) && !OLD_HOOKS.iter().copied().any(ours) {
            return Err(Error::usage(
                format!("{} exists and is not arende's", path.display()),
                Some(
                    "pass --force to replace it, or call `arende validate --staged -q` from it"
                        .to_owned(),
                ),
            ));
        }
    }
    arende::fs::write_atomic(&path, hook.as_bytes(), true)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&path, e))?;
    }
    let missing = super::setup::not_on_path("the hook stops every commit");
    if format == Format::Json {
        ui.print_json(&serde_json::json!({
            "hook": path.display().to_string(),
            "on_path": missing.is_none(),
        }));
    } else {
        ui.info(&format!("installed {}", path.display()));
    }
    if let Some(line) = missing {
        ui.info(&line);
    }
    Ok(ExitCode::Ok)
}

/// Where git runs hooks from: `core.hooksPath` if set (relative to the work
/// tree, as git reads it), else the repository's `hooks` folder.
/// A git configuration that does not read is an error: installing the hook
/// where git does not look would leave commits unchecked.
fn hooks_dir(repo: &git2::Repository) -> Result<std::path::PathBuf> {
    let configured = match repo.config()?.get_path("core.hooksPath") {
        Ok(p) => Some(p),
        Err(e) if e.code() == git2::ErrorCode::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    Ok(match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => repo.workdir().unwrap_or_else(|| repo.path()).join(p),
        None => repo.path().join("hooks"),
    })
}
