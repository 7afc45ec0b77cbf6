//! `arende people`: the people registry (`policy/people.yaml`).

use arende::error::Result;
use arende::people::{PEOPLE_FILE, Registry, SigningKey};
use serde_json::json;

use super::exit::ExitCode;
use super::{Format, Formats, Ui};

/// List the people and teams of the registry, and what is wrong in it.
#[derive(Debug, clap::Args)]
pub struct PeopleArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
}

/// The output formats of this command; the first is the default.
const FORMATS: Formats = Formats(&[Format::Table, Format::Json]);

pub fn cmd_people(ui: &Ui, args: &PeopleArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let Some((registry, text)) = Registry::read(ws.root())? else {
        ui.info(&format!(
            "no people registry: {PEOPLE_FILE} does not exist (see \"Approvals you can audit\" in docs/guide.md)"
        ));
        if format == Format::Json {
            ui.print_json(&json!({"people": [], "teams": []}));
        }
        return Ok(ExitCode::Ok);
    };
    match format {
        Format::Json => ui.print_json(&as_json(&registry)),
        _ => print_tables(ui, &registry),
    }
    let faults = registry.faults(ws.policy());
    let code = if faults.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::RulesBroken
    };
    for fault in faults {
        ui.error(fault.into_error(&text));
    }
    Ok(code)
}

/// Every person with the parties they act for (their own and their teams'),
/// and every team.
fn as_json(registry: &Registry) -> serde_json::Value {
    let people: Vec<serde_json::Value> = registry
        .people
        .iter()
        .map(|p| {
            json!({
                "handle": p.handle,
                "name": p.name,
                "emails": p.emails,
                "keys": p.keys,
                "parties": p.parties,
                "teams": p.teams,
                "acts_for": registry.parties_of(p),
            })
        })
        .collect();
    json!({"people": people, "teams": registry.teams})
}

fn print_tables(ui: &Ui, registry: &Registry) {
    let mut table = ui.table(&["handle", "name", "acts for", "teams", "emails", "keys"]);
    for p in &registry.people {
        let keys: Vec<&str> = p
            .keys
            .iter()
            .map(|k| match k {
                SigningKey::Ssh(text) => text.split_whitespace().next().unwrap_or("ssh"),
                SigningKey::Openpgp(_) => "openpgp",
            })
            .collect();
        table.add_row([
            p.handle.clone(),
            p.name.clone(),
            registry.parties_of(p).join(", "),
            p.teams.join(", "),
            p.emails.join(", "),
            keys.join(", "),
        ]);
    }
    ui.print(&table.to_string());
    if !registry.teams.is_empty() {
        let mut teams = ui.table(&["team", "name", "party", "members"]);
        for t in &registry.teams {
            let members: Vec<&str> = registry
                .people
                .iter()
                .filter(|p| p.teams.contains(&t.id))
                .map(|p| p.handle.as_str())
                .collect();
            teams.add_row([
                t.id.clone(),
                t.name.clone(),
                t.party.clone(),
                members.join(", "),
            ]);
        }
        ui.print(&teams.to_string());
    }
}
