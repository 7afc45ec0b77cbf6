//! `arende setup`: what a clone needs that git does not carry (the merge
//! driver's configuration lives in `.git/config`, which is not cloned).

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
    setup::configure_driver(root)?;
    let missing = not_on_path("git cannot run the merge driver");
    if format == Format::Json {
        ui.print_json(&json!({
            "driver": setup::DRIVER_COMMAND,
            "attributes_written": attributes.is_some(),
            "on_path": missing.is_none(),
        }));
    } else {
        ui.info(&format!(
            "merge driver configured: {}",
            setup::DRIVER_COMMAND
        ));
        if attributes.is_some() {
            ui.info(&format!(
                "wrote {} in {}; commit it so every clone merges records field by field",
                setup::ATTRIBUTES_FILE,
                root.display()
            ));
        }
    }
    // Said after the rest, and registered all the same: the configuration
    // is right, the machine lacks the program (it may be installed next).
    if let Some(line) = missing {
        ui.info(&line);
    }
    Ok(ExitCode::Ok)
}

/// The line that says `arende` is missing from PATH (where git looks for
/// it by name), with what follows from it and the fix; `None` when PATH
/// has it.
pub fn not_on_path(consequence: &str) -> Option<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    if setup::find_program(setup::PROGRAM, &path).is_some() {
        return None;
    }
    let here = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| format!(" ({})", dir.display())))
        .unwrap_or_default();
    Some(format!(
        "`{}` is not on PATH, so {consequence}: install it with `cargo install --locked --path .` in a checkout of arende, or add this binary's folder{here} to PATH",
        setup::PROGRAM
    ))
}
