//! `arende intake`: what partners sent to this repository, filed under our
//! own IDs or answered on their branches.

use arende::actions::exchange::{self, Handled, IntakeState, State};
use arende::error::Result;
use serde_json::json;

use super::exit::ExitCode;
use super::{Format, Formats, Ui};

/// List, accept or refuse the intake branches partners pushed here
/// (intake/<their party>/<their ID>).
#[derive(Debug, clap::Args)]
pub struct IntakeArgs {
    #[command(subcommand)]
    action: Option<IntakeAction>,
    /// Read only the intake branches already fetched.
    #[arg(long, global = true)]
    no_fetch: bool,
    /// Output format.
    #[arg(long, value_name = "FORMAT", value_parser = FORMATS, global = true)]
    format: Option<Format>,
}

#[derive(Debug, clap::Subcommand)]
enum IntakeAction {
    /// List the intake branches and what accepting each would do (the default).
    List,
    /// File each named intake (all waiting, if none is named) that this
    /// repository's pack accepts, as a new record with the sender's
    /// identifiers; answer each it does not, with the reasons, on its branch.
    Accept {
        /// Branches or senders' IDs.
        intakes: Vec<String>,
    },
    /// Refuse intakes, with a reason written back on each branch.
    Refuse {
        /// Branches or senders' IDs.
        #[arg(required = true)]
        intakes: Vec<String>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

const FORMATS: Formats = Formats(&[Format::Human, Format::Json]);

pub fn cmd_intake(ui: &Ui, args: &IntakeArgs) -> Result<ExitCode> {
    let format = ui.format(FORMATS, args.format)?;
    let ws = ui.workspace()?;
    let cx = ui.context(&ws)?;
    let handled = match &args.action {
        None | Some(IntakeAction::List) => {
            let states = exchange::intakes(&cx, !args.no_fetch)?;
            print_list(ui, format, &states);
            return Ok(ExitCode::Ok);
        }
        Some(IntakeAction::Accept { intakes }) => exchange::accept(&cx, intakes)?,
        Some(IntakeAction::Refuse { intakes, reason }) => exchange::refuse(&cx, intakes, reason)?,
    };
    // `accept` leaves an intake unfiled only when the pack refuses it; a
    // refusal asked for is done as asked.
    let accepting = matches!(args.action, Some(IntakeAction::Accept { .. }));
    let refused = accepting && handled.iter().any(|h| h.filed.is_none());
    print_handled(ui, format, &handled);
    Ok(if refused {
        ExitCode::RulesBroken
    } else {
        ExitCode::Ok
    })
}

fn state_words(state: &State) -> (String, Vec<String>) {
    match state {
        State::Ready => ("ready".into(), Vec::new()),
        State::Filed(id) => (format!("filed as {id}"), Vec::new()),
        State::Answered { verdict, would } => {
            let word = if *would {
                format!("would be {}", verdict.decision)
            } else {
                verdict.decision.to_string()
            };
            (word, verdict.reasons.clone())
        }
    }
}

fn print_list(ui: &Ui, format: Format, states: &[IntakeState]) {
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = states
            .iter()
            .map(|s| {
                let (state, reasons) = state_words(&s.state);
                json!({
                    "branch": s.intake.branch,
                    "party": s.intake.party,
                    "sender": s.intake.sender,
                    "kind": s.intake.kind().map(|k| k.name()),
                    "title": s.intake.title(),
                    "commit": s.intake.commit.to_string(),
                    "state": state,
                    "reasons": reasons,
                })
            })
            .collect();
        ui.print_json(&json!({"intakes": rows}));
        return;
    }
    if states.is_empty() {
        ui.info("no intake branches");
        return;
    }
    let mut table = ui.table(&["branch", "kind", "title", "state"]);
    for s in states {
        let (state, reasons) = state_words(&s.state);
        let state = std::iter::once(state).chain(reasons).collect::<Vec<_>>();
        table.add_row([
            s.intake.branch.clone(),
            s.intake.kind().map(|k| k.name()).unwrap_or("?").to_owned(),
            s.intake.title().unwrap_or_default().to_owned(),
            state.join("\n"),
        ]);
    }
    ui.print(&table.to_string());
}

fn print_handled(ui: &Ui, format: Format, handled: &[Handled]) {
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = handled
            .iter()
            .map(|h| {
                json!({
                    "branch": h.branch,
                    "filed": h.filed.as_ref().map(|id| id.as_str()),
                    "verdict": h.verdict.as_ref().map(|v| v.decision.as_str()),
                    "reasons": h.verdict.as_ref().map(|v| v.reasons.clone()).unwrap_or_default(),
                    "changed": h.changed,
                })
            })
            .collect();
        ui.print_json(&json!({"intakes": rows}));
        return;
    }
    for h in handled {
        let line = match (&h.filed, &h.verdict) {
            (Some(id), _) => format!("{}: filed as {id}", h.branch),
            (None, Some(v)) => format!("{}: {}: {}", h.branch, v.decision, v.reasons.join("; ")),
            (None, None) => format!("{}: unchanged", h.branch),
        };
        ui.print(&arende::render::terminal(&line));
    }
}
