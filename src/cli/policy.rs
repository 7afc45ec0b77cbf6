//! `arende policy`: the policy pack in force.

use arende::error::{ExitCode, Result};
use arende::kind::Kind;
use arende::policy::Policy;
use arende::yaml;

use super::{Format, Ui};

/// Show the policy pack in force.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Print the pack in force (the built-in pack with the repository's overrides).
    Show(ShowPolicyArgs),
}

/// Which pack to show.
#[derive(Debug, clap::Args)]
pub struct ShowPolicyArgs {
    /// A built-in pack by name, instead of the repository's.
    #[arg(long)]
    pack: Option<String>,
}

pub fn cmd_policy(ui: &Ui, command: &PolicyCommand) -> Result<ExitCode> {
    match command {
        PolicyCommand::Show(args) => show(ui, args),
    }
}

fn show(ui: &Ui, args: &ShowPolicyArgs) -> Result<ExitCode> {
    let format = ui.format(&[Format::Human, Format::Yaml, Format::Json], Format::Human)?;
    let policy = match &args.pack {
        Some(name) => Policy::load(name, None)?,
        None => ui.store()?.policy().clone(),
    };
    match format {
        Format::Json => ui.print_json(&serde_json::to_value(&policy).unwrap_or_default()),
        Format::Yaml => {
            let value = yaml::to_value(&policy);
            ui.print(&value.as_mapping().map(yaml::to_string).unwrap_or_default());
        }
        _ => ui.print(&human(ui, &policy)),
    }
    Ok(ExitCode::Ok)
}

fn human(ui: &Ui, p: &Policy) -> String {
    let mut out = format!("{} ({})\n", p.title, p.name);
    for s in &p.sources {
        out.push_str(&format!("  source: {} – {}\n", s.file, s.title));
    }
    out.push_str("\nPriorities\n");
    let mut t = ui.table(&["prio", "label", "definition", "clause"]);
    for l in &p.priorities {
        t.add_row(vec![l.level.to_string(), l.label.clone(), l.definition.clone(), l.clause.clone()]);
    }
    out.push_str(&format!("{t}\n"));
    out.push_str(&format!("\nPriority matrix: impact × urgency ({})\n", p.matrix.clause));
    let mut t = ui.table(&["impact \\ urgency", "high", "medium", "low"]);
    for impact in ["high", "medium", "low"] {
        let row = &p.matrix.cells[impact];
        t.add_row(vec![impact.to_owned(), row["high"].to_string(), row["medium"].to_string(), row["low"].to_string()]);
    }
    out.push_str(&format!("{t}\n"));
    if let Some(r) = p.request_priority {
        out.push_str(&format!("Service requests: priority {r}\n"));
    }
    if !p.problem_classes.is_empty() {
        out.push_str("\nProblem classes\n");
        let mut t = ui.table(&["class", "label", "definition", "clause"]);
        for c in &p.problem_classes {
            t.add_row(vec![c.class.to_string(), c.label.clone(), c.definition.clone(), c.clause.clone()]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str("\nParties\n");
    let mut t = ui.table(&["party", "label", "reports", "approves", "clause"]);
    for party in &p.parties {
        t.add_row(vec![
            party.id.clone(),
            party.label.clone(),
            yes_no(party.reports),
            yes_no(party.approves),
            party.clause.clone(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    out.push_str("\nStatus machines\n");
    for kind in Kind::ALL {
        let m = p.machine(kind);
        let moves: Vec<String> = m.transitions.iter().map(|(from, to)| format!("{from} → {}", to.join(" | "))).collect();
        out.push_str(&format!("  {kind} (starts {}): {}\n", m.initial, moves.join(", ")));
    }
    out
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}
