//! `arende completions`: shell completions.

use arende::error::{ExitCode, Result};
use clap::CommandFactory;

use super::{Cli, Ui};

/// Print shell completions.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    shell: clap_complete::Shell,
}

pub fn cmd_completions(ui: &Ui, args: &CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    // clap_complete panics when its writer fails; a Vec does not.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "arende", &mut script);
    ui.print_bytes(&script);
    Ok(ExitCode::Ok)
}
