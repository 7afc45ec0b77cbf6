//! `arende man`: the manual page, from the same definitions as `--help`.

use std::path::PathBuf;

use super::exit::ExitCode;
use arende::error::{Error, Result};
use clap::CommandFactory;

use super::{Cli, Ui};

/// Print arende's man page (roff), or write one page per command into a
/// folder.
///
/// Install: `arende man > ~/.local/share/man/man1/arende.1` (then `man
/// arende`), or `arende man --dir ~/.local/share/man/man1` for a page per
/// command as well (`man arende-validate`).
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write arende.1 and arende-<command>.1 into DIR instead.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn cmd_man(ui: &Ui, args: &ManArgs) -> Result<ExitCode> {
    let cmd = Cli::command();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        clap_mangen::generate_to(cmd, dir).map_err(|e| Error::io(dir, e))?;
        ui.info(&format!("wrote the man pages into {}", dir.display()));
        return Ok(ExitCode::Ok);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Error::io("<stdout>", e))?;
    ui.print_bytes(&page);
    Ok(ExitCode::Ok)
}
