//! `arende policy`: the policy pack in force.

use super::exit::ExitCode;
use arende::error::Result;
use arende::policy::Policy;
use arende::render;
use arende::yaml;

use super::output::json_value;
use super::{Format, Formats, Ui};

/// Show the policy pack in force.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Print the pack in force (the built-in pack with the repository's overrides).
    Show(ShowPolicyArgs),
    /// Print a rule (or built-in check): what it asks, its severity and the seed clause.
    Explain(ExplainArgs),
}

/// Which rule to explain.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = EXPLAIN_FORMATS)]
    format: Option<Format>,
    /// The rule ID, e.g. INC002.
    rule: String,
    /// A built-in pack by name, instead of the repository's.
    #[arg(long)]
    pack: Option<String>,
}

/// Which pack to show.
#[derive(Debug, clap::Args)]
pub struct ShowPolicyArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = SHOW_FORMATS)]
    format: Option<Format>,
    /// A built-in pack by name, instead of the repository's.
    #[arg(long)]
    pack: Option<String>,
}

/// The output formats of `policy explain`; the first is the default.
const EXPLAIN_FORMATS: Formats = Formats(&[Format::Human, Format::Json, Format::Yaml]);

/// The output formats of `policy show`; the first is the default.
const SHOW_FORMATS: Formats = Formats(&[Format::Human, Format::Yaml, Format::Json]);

pub fn cmd_policy(ui: &Ui, command: &PolicyCommand) -> Result<ExitCode> {
    match command {
        PolicyCommand::Show(args) => show(ui, args),
        PolicyCommand::Explain(args) => explain(ui, args),
    }
}

fn explain(ui: &Ui, args: &ExplainArgs) -> Result<ExitCode> {
    let format = ui.format(EXPLAIN_FORMATS, args.format)?;
    let policy = match &args.pack {
        Some(name) => Policy::load(name, None)?,
        None => ui.workspace()?.policy().clone(),
    };
    if let Some(rule) = policy.rule(&args.rule) {
        match format {
            Format::Json => ui.print_json(&json_value(rule)?),
            Format::Yaml => {
                // A struct serializes to a mapping (see `yaml::to_value`).
                let value = yaml::to_value(rule);
                ui.print(&value.as_mapping().map(yaml::to_string).unwrap_or_default());
            }
            _ => ui.print(&render::policy::rule(&policy, rule)),
        }
        return Ok(ExitCode::Ok);
    }
    if let Some(check) = arende::validate::checks::find(&args.rule)
        .or_else(|| arende::review::checks::find(&args.rule))
    {
        if format == Format::Json {
            ui.print_json(&serde_json::json!({
                "id": check.id, "severity": check.severity.as_str(), "title": check.title, "why": check.why, "built_in": true,
            }));
        } else {
            ui.print(&render::policy::check(&check));
        }
        return Ok(ExitCode::Ok);
    }
    Err(arende::error::Error::usage(
        format!("the {} policy has no rule {}", policy.name, args.rule),
        Some(format!(
            "its rules are: {}",
            policy
                .rules
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    ))
}

fn show(ui: &Ui, args: &ShowPolicyArgs) -> Result<ExitCode> {
    let format = ui.format(SHOW_FORMATS, args.format)?;
    let policy = match &args.pack {
        Some(name) => Policy::load(name, None)?,
        None => ui.workspace()?.policy().clone(),
    };
    match format {
        Format::Json => ui.print_json(&json_value(&policy)?),
        Format::Yaml => {
            // A struct serializes to a mapping (see `yaml::to_value`).
            let value = yaml::to_value(&policy);
            ui.print(&value.as_mapping().map(yaml::to_string).unwrap_or_default());
        }
        _ => ui.print(&render::policy::pack(&policy, ui.table_style())),
    }
    Ok(ExitCode::Ok)
}
