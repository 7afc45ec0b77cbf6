//! `arende setup`: what a clone needs that git does not carry (the merge
//! driver's configuration lives in `.git/config`, which is not cloned).

use std::path::PathBuf;

use super::exit::ExitCode;
use arende::error::{Error, Result};
use arende::merge::setup;
use arende::workspace::Workspace;
use serde_json::json;

use super::{Format, Formats, Ui};

/// Configure this clone for arende: the record merge driver in
/// `.git/config`, and the `.gitattributes` lines that use it if they are
/// missing (commit those).
#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
    /// The arende program the driver runs [default: this one, by its full path].
    /// Give `arende` where the binary's place differs between machines that
    /// share the configuration but is on every PATH.
    #[arg(long, value_name = "PROGRAM")]
    program: Option<PathBuf>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_setup(ui: &Ui, args: &SetupArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let start = match &ui.global.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    // Opened without the notice hook: the one notice it would give is
    // "run arende setup".
    let ws = Workspace::discover(&start)?;
    let root = ws.root();
    let attributes = setup::attributes_update(root)?;
    if let Some(bytes) = &attributes {
        setup::write_attributes(root, bytes)?;
    }
    let command = match &args.program {
        Some(p) => setup::driver_command(p),
        None => setup::driver_command(&program()),
    };
    setup::configure_driver(root, &command)?;
    if format == Format::Json {
        ui.print_json(&json!({
            "driver": command,
            "attributes_written": attributes.is_some(),
        }));
    } else {
        ui.info(&format!("merge driver configured: {command}"));
        if attributes.is_some() {
            ui.info(&format!(
                "wrote {} in {}; commit it so every clone merges records field by field",
                setup::ATTRIBUTES_FILE,
                root.display()
            ));
        }
    }
    Ok(ExitCode::Ok)
}

/// The merge driver command for git: this binary's `merge-file`.
pub fn driver() -> String {
    setup::driver_command(&program())
}

/// The running binary, by its full path; plain `arende` (found on PATH)
/// if the system cannot say.
fn program() -> PathBuf {
    std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .unwrap_or_else(|_| PathBuf::from("arende"))
}
