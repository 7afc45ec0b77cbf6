//! `arende partner`: the other organisations' record repositories this one
//! exchanges records with.

use arende::actions::exchange::add_partner;
use arende::error::Result;
use arende::exchange::Partner;
use serde_json::json;

use super::exit::ExitCode;
use super::{Format, Formats, Ui};

/// Add or list partners: other organisations' record repositories.
#[derive(Debug, clap::Subcommand)]
pub enum PartnerCommand {
    /// Add a partner (or change its address or party): a git remote and an
    /// exchange profile in arende.yaml, committed.
    Add(AddArgs),
    /// List the partners and what crosses to and from each.
    List(ListArgs),
}

/// `arende partner add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Our name for the partner (letters, digits, `-`, `_`).
    name: String,
    /// Its record repository: a path, ssh://…, https://… or git@host:path.
    url: String,
    /// The party the partner is in the agreement (inera, agent, leverantor…).
    #[arg(long)]
    party: String,
    /// The party this organisation is to its partners (once; kept in
    /// `exchange.party`).
    #[arg(long = "as", value_name = "PARTY")]
    as_party: Option<String>,
    /// The pack the partner's repository follows (default: ours).
    #[arg(long, value_name = "PACK")]
    policy: Option<String>,
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS)]
    format: Option<Format>,
}

/// `arende partner list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = LIST_FORMATS)]
    format: Option<Format>,
}

const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);
const LIST_FORMATS: Formats = Formats(&[Format::Table, Format::Json]);

pub fn cmd_partner(ui: &Ui, command: &PartnerCommand) -> Result<ExitCode> {
    match command {
        PartnerCommand::Add(args) => add(ui, args),
        PartnerCommand::List(args) => list(ui, args),
    }
}

fn add(ui: &Ui, args: &AddArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let added = add_partner(
        &cx,
        &args.name,
        &args.url,
        &args.party,
        args.as_party.as_deref(),
        args.policy.as_deref(),
    )?;
    let commit = added.commit.map(|c| c.to_string());
    match format {
        Format::Json => ui.print_json(&json!({
            "partner": args.name,
            "changed": added.changed,
            "commit": commit,
        })),
        _ if added.changed => ui.print(&format!(
            "partner {} added ({}, {})",
            args.name, args.party, args.url
        )),
        _ => ui.print(&format!("partner {} is already so", args.name)),
    }
    Ok(ExitCode::Ok)
}

fn list(ui: &Ui, args: &ListArgs) -> Result<ExitCode> {
    let format = ui.format(LIST_FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let config = ws.store().config();
    let partners = Partner::all(ws.root(), config)?;
    let kinds =
        |p: &arende::exchange::Profile| -> Vec<&str> { p.kinds.iter().map(|k| k.name()).collect() };
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = partners
            .iter()
            .map(|p| {
                let url = &config.exchange.partners[&p.name].url;
                json!({
                    "name": p.name,
                    "party": p.party,
                    "url": url,
                    "policy": p.policy.name,
                    "branch": p.branch,
                    "send": {"kinds": kinds(&p.send), "names": p.send.names},
                    "receive": {"kinds": kinds(&p.receive), "names": p.receive.names},
                })
            })
            .collect();
        ui.print_json(&json!({"party": config.exchange.party, "partners": rows}));
        return Ok(ExitCode::Ok);
    }
    let mut table = ui.table(&["partner", "party", "pack", "url", "sends", "takes"]);
    for p in &partners {
        let url = &config.exchange.partners[&p.name].url;
        table.add_row([
            p.name.clone(),
            p.party.clone(),
            p.policy.name.clone(),
            url.clone(),
            kinds(&p.send).join(", "),
            kinds(&p.receive).join(", "),
        ]);
    }
    ui.print(&table.to_string());
    Ok(ExitCode::Ok)
}
