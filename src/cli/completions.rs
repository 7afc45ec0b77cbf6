//! `arende completions`: shell completions through clap_complete's dynamic
//! engine. The script a shell sources calls `arende` back (with `COMPLETE`
//! set) at every Tab, so candidates come from the repository at hand:
//! record IDs, the statuses a record may move to, kinds, fields, pack
//! names and rule IDs.

use std::ffi::OsStr;

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::id::RecordId;
use arende::policy::Policy;
use arende::workspace::Workspace;
use clap::CommandFactory;
use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;

use super::{Cli, Ui};

/// Print the shell script that sets up completion of arende's commands,
/// options, record IDs, statuses, kinds and pack names.
///
/// bash: `source <(arende completions bash)`; zsh: `source <(arende
/// completions zsh)`; fish: `arende completions fish | source`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

/// The variable that turns a run of `arende` into a completion request.
pub const VAR: &str = "COMPLETE";

pub fn cmd_completions(ui: &Ui, args: &CompletionsArgs) -> Result<ExitCode> {
    let name = args.shell.to_string();
    let shells = Shells::builtins();
    let shell = shells.completer(&name).ok_or_else(|| {
        Error::usage(
            format!("no dynamic completion for {name}"),
            Some("use bash, zsh, fish, elvish or powershell".to_owned()),
        )
    })?;
    let mut script = Vec::new();
    shell
        .write_registration(VAR, "arende", "arende", "arende", &mut script)
        .map_err(|e| Error::io("<stdout>", e))?;
    ui.print_bytes(&script);
    Ok(ExitCode::Ok)
}

/// Which argument of which command completes with what: the arguments
/// are declared in their own files; completion is wired here, in one place.
const WIRING: &[(&[&str], &str, Completer)] = &[
    (&["show"], "id", Completer::Ids),
    (&["set"], "id", Completer::Ids),
    (&["set"], "assignments", Completer::Fields),
    (&["log"], "id", Completer::Ids),
    (&["impact"], "id", Completer::Ids),
    (&["approve"], "id", Completer::Ids),
    (&["classify"], "ids", Completer::Ids),
    (&["status"], "id", Completer::Ids),
    (&["status"], "status", Completer::Statuses),
    (&["link"], "a", Completer::Ids),
    (&["link"], "b", Completer::Ids),
    (&["unlink"], "a", Completer::Ids),
    (&["unlink"], "b", Completer::Ids),
    (&["new"], "kind", Completer::Kinds),
    (&["list"], "kind", Completer::Kinds),
    (&["export"], "kind", Completer::Kinds),
    (&["schema"], "kind", Completer::Kinds),
    (&["init"], "policy", Completer::Packs),
    (&["policy", "show"], "pack", Completer::Packs),
    (&["policy", "explain"], "pack", Completer::Packs),
    (&["policy", "explain"], "rule", Completer::Rules),
];

#[derive(Debug, Clone, Copy)]
enum Completer {
    Ids,
    Fields,
    Statuses,
    Kinds,
    Packs,
    Rules,
}

impl Completer {
    fn attach(self, arg: clap::Arg) -> clap::Arg {
        match self {
            Completer::Ids => arg.add(ArgValueCompleter::new(record_ids)),
            Completer::Fields => arg.add(ArgValueCompleter::new(fields)),
            Completer::Statuses => arg.add(ArgValueCandidates::new(next_statuses)),
            Completer::Kinds => arg.add(ArgValueCandidates::new(kinds)),
            Completer::Packs => arg.add(ArgValueCandidates::new(packs)),
            Completer::Rules => arg.add(ArgValueCandidates::new(rules)),
        }
    }
}

/// The command line with the value completers attached.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    for (path, arg, completer) in WIRING {
        cmd = wire(cmd, path, arg, *completer);
    }
    cmd
}

/// Attaches a completer to `arg` of the subcommand at `path`; a name that
/// is not there changes nothing (a test holds the table to the commands).
fn wire(cmd: clap::Command, path: &[&str], arg: &str, completer: Completer) -> clap::Command {
    match path {
        [] => cmd.mut_args(|a| {
            if a.get_id() == arg {
                completer.attach(a)
            } else {
                a
            }
        }),
        [first, rest @ ..] => {
            if cmd.find_subcommand(first).is_none() {
                return cmd;
            }
            cmd.mut_subcommand(*first, |sub| wire(sub, rest, arg, completer))
        }
    }
}

/// The repository the completion runs in (`-C` is not seen here; the
/// shell's folder or `ARENDE_DIR` is).
fn ws() -> Option<Workspace> {
    let start = std::env::var_os("ARENDE_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::current_dir().ok())?;
    Workspace::discover(&start).ok()
}

/// The words of the command line being completed.
fn words() -> Vec<String> {
    std::env::args_os()
        .skip_while(|a| a != "--")
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Record IDs from the file names under the kind folders (at any depth the
/// store finds records): no record is parsed, so a Tab stays fast in a
/// large repository.
fn record_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(ws) = ws() else {
        return Vec::new();
    };
    let typed = current.to_string_lossy().to_ascii_uppercase();
    let (paths, _) = ws.store().record_paths(&[]);
    let mut out: Vec<CompletionCandidate> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter_map(|p| p.file_stem()?.to_str())
        .filter(|stem| stem.starts_with(&typed))
        .filter_map(|stem| {
            let id = RecordId::parse(stem).ok()?;
            Some(CompletionCandidate::new(stem).tag(Some(id.kind().name().into())))
        })
        .collect();
    out.sort_by(|a, b| a.get_value().cmp(b.get_value()));
    out
}

/// The statuses the record named on the line may move to.
fn next_statuses() -> Vec<CompletionCandidate> {
    let (Some(ws), Some(id)) = (ws(), words().iter().find_map(|w| RecordId::parse(w).ok())) else {
        return Vec::new();
    };
    let Ok((entry, _)) = ws.load(&id) else {
        return Vec::new();
    };
    let Some(machine) = ws.policy().status_machines.get(&entry.record.kind()) else {
        return Vec::new();
    };
    machine
        .next(entry.record.status())
        .iter()
        .map(|s| CompletionCandidate::new(s.as_str()))
        .collect()
}

/// The fields of the named record's kind that `set` writes, as `field=`
/// (`reporter.party=`, not `reporter=`; never `id=` or `history=`).
fn fields(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    if typed.contains('=') {
        return Vec::new();
    }
    let Some(kind) = words()
        .iter()
        .find_map(|w| RecordId::parse(w).ok())
        .map(|id| id.kind())
    else {
        return Vec::new();
    };
    let protected = |f: &str| {
        arende::actions::assign::PROTECTED
            .iter()
            .any(|(p, _)| f == *p || f.starts_with(&format!("{p}.")))
    };
    arende::schema::leaf_fields(kind)
        .into_iter()
        .filter(|f| !protected(f) && f.starts_with(typed.as_ref()))
        .map(|f| CompletionCandidate::new(format!("{f}=")))
        .collect()
}

fn kinds() -> Vec<CompletionCandidate> {
    [
        "incident", "problem", "change", "release", "request", "ci", "capacity",
    ]
    .into_iter()
    .map(CompletionCandidate::new)
    .collect()
}

fn packs() -> Vec<CompletionCandidate> {
    Policy::names().map(CompletionCandidate::new).collect()
}

/// Rule IDs of the repository's pack (else every built-in pack's) and the
/// built-in checks.
fn rules() -> Vec<CompletionCandidate> {
    let policies: Vec<Policy> = match ws() {
        Some(s) => vec![s.policy().clone()],
        None => Policy::names()
            .filter_map(|n| Policy::load(n, None).ok())
            .collect(),
    };
    let mut ids: Vec<(String, String)> = policies
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| (r.id.clone(), r.title.clone())))
        .chain(
            arende::validate::checks::ALL
                .iter()
                .map(|c| (c.id.to_owned(), c.title.to_owned())),
        )
        .collect();
    ids.sort();
    ids.dedup_by(|a, b| a.0 == b.0);
    ids.into_iter()
        .map(|(id, title)| CompletionCandidate::new(id).help(Some(title.into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wired_argument_exists() {
        let cmd = Cli::command();
        for (path, arg, _) in WIRING {
            let mut at = &cmd;
            for name in *path {
                at = at
                    .find_subcommand(name)
                    .unwrap_or_else(|| panic!("no subcommand {path:?}"));
            }
            assert!(
                at.get_arguments().any(|a| a.get_id() == *arg),
                "{path:?} has no argument {arg}"
            );
        }
    }
}
