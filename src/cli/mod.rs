//! The command line: one file per subcommand, each an `XxxArgs` struct and a
//! `cmd_xxx` function that parses nothing more, calls the library, and prints.

mod approve;
mod assign;
mod classify;
mod completions;
mod exit;
mod export;
mod hook;
mod impact;
mod import;
mod init;
mod input;
mod intake;
mod link;
mod list;
mod log;
mod man;
mod merge_file;
mod new;
mod note;
mod output;
mod partner;
mod people;
mod policy;
mod prompt;
mod report;
mod resolve;
mod review;
mod schedule;
mod schema;
mod send;
mod set;
mod setup;
mod show;
mod site;
mod sla;
mod status;
mod sync;
mod unlink;
mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use arende::editor::Refresh;
use arende::error::{Error, Result};
use arende::store::{Author, CommitMode, Store};
use arende::workspace::{Context, Workspace};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use exit::ExitCode as Code;

pub use output::{Format, Formats, Ui};

/// Keep IT service-management records as YAML files in git, held to the rules
/// of your ITIL agreement.
#[derive(Debug, Parser)]
#[command(name = "arende", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Run as if started in DIR.
    #[arg(short = 'C', global = true, env = "ARENDE_DIR", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Output format, for any command (`arende --format json list`); each
    /// command's own `--format` lists the formats it has.
    #[arg(long, value_enum, hide_possible_values = true, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the files but make no commit (the index is not touched either).
    #[arg(long, global = true)]
    pub no_commit: bool,
    /// The author of commits and history events, "Name <email>" [default: git config].
    #[arg(long, global = true, env = "ARENDE_AUTHOR", value_name = "AUTHOR")]
    pub author: Option<String>,
    /// The clock (for reproducible runs): a time as a record's time field
    /// takes it (RFC 3339, 2026-12-04 14:00, 4/12/2026) or relative to the
    /// real clock (yesterday 14:00, -2h).
    #[arg(
        long,
        global = true,
        env = "ARENDE_NOW",
        value_name = "TIME",
        allow_hyphen_values = true
    )]
    pub now: Option<String>,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing but results and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    New(new::NewArgs),
    Show(show::ShowArgs),
    List(list::ListArgs),
    Set(set::SetArgs),
    Status(status::StatusArgs),
    Approve(approve::ApproveArgs),
    Assign(assign::AssignArgs),
    Note(note::NoteArgs),
    People(people::PeopleArgs),
    Link(link::LinkArgs),
    Unlink(unlink::UnlinkArgs),
    Classify(classify::ClassifyArgs),
    Log(log::LogArgs),
    Export(export::ExportArgs),
    Import(import::ImportArgs),
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    Validate(validate::ValidateArgs),
    Review(review::ReviewArgs),
    Impact(impact::ImpactArgs),
    #[command(subcommand)]
    Hook(hook::HookCommand),
    Sla(sla::SlaArgs),
    Schedule(schedule::ScheduleArgs),
    Site(site::SiteArgs),
    #[command(subcommand)]
    Partner(partner::PartnerCommand),
    Send(send::SendArgs),
    Intake(intake::IntakeArgs),
    Sync(sync::SyncArgs),
    Report(report::ReportArgs),
    Schema(schema::SchemaArgs),
    Completions(completions::CompletionsArgs),
    MergeFile(merge_file::MergeFileArgs),
    Resolve(resolve::ResolveArgs),
    Setup(setup::SetupArgs),
    Man(man::ManArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    // A shell asking for completions (the script `arende completions`
    // prints sets COMPLETE) is answered here, and the process ends.
    clap_complete::CompleteEnv::with_factory(completions::command)
        .var(completions::VAR)
        .complete();
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(Code::BadInput as u8)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let ui = Ui::new(&cli.global);
    if matches.value_source("now") == Some(clap::parser::ValueSource::CommandLine)
        && let Some(name) = clock_free(&cli.command)
    {
        ui.error(Error::usage(
            format!("{name} does not read the clock: --now would change nothing"),
            Some("--now sets the time of the commands that change records (new, set, status, approve, link, …) and the moment sla and report look from; leave it out here".to_owned()),
        ));
        return ExitCode::from(Code::BadInput as u8);
    }
    let result = match &cli.command {
        Command::Init(a) => init::cmd_init(&ui, a),
        Command::New(a) => new::cmd_new(&ui, a),
        Command::Show(a) => show::cmd_show(&ui, a),
        Command::List(a) => list::cmd_list(&ui, a),
        Command::Set(a) => set::cmd_set(&ui, a),
        Command::Status(a) => status::cmd_status(&ui, a),
        Command::Approve(a) => approve::cmd_approve(&ui, a),
        Command::Assign(a) => assign::cmd_assign(&ui, a),
        Command::Note(a) => note::cmd_note(&ui, a),
        Command::People(a) => people::cmd_people(&ui, a),
        Command::Link(a) => link::cmd_link(&ui, a),
        Command::Unlink(a) => unlink::cmd_unlink(&ui, a),
        Command::Classify(a) => classify::cmd_classify(&ui, a),
        Command::Log(a) => log::cmd_log(&ui, a),
        Command::Export(a) => export::cmd_export(&ui, a),
        Command::Import(a) => import::cmd_import(&ui, a),
        Command::Policy(a) => policy::cmd_policy(&ui, a),
        Command::Validate(a) => validate::cmd_validate(&ui, a),
        Command::Review(a) => review::cmd_review(&ui, a),
        Command::Impact(a) => impact::cmd_impact(&ui, a),
        Command::Hook(a) => hook::cmd_hook(&ui, a),
        Command::Sla(a) => sla::cmd_sla(&ui, a),
        Command::Partner(a) => partner::cmd_partner(&ui, a),
        Command::Send(a) => send::cmd_send(&ui, a),
        Command::Intake(a) => intake::cmd_intake(&ui, a),
        Command::Sync(a) => sync::cmd_sync(&ui, a),
        Command::Schedule(a) => schedule::cmd_schedule(&ui, a),
        Command::Site(a) => site::cmd_site(&ui, a),
        Command::Report(a) => report::cmd_report(&ui, a),
        Command::Schema(a) => schema::cmd_schema(&ui, a),
        Command::Completions(a) => completions::cmd_completions(&ui, a),
        Command::MergeFile(a) => merge_file::cmd_merge_file(&ui, a),
        Command::Resolve(a) => resolve::cmd_resolve(&ui, a),
        Command::Setup(a) => setup::cmd_setup(&ui, a),
        Command::Man(a) => man::cmd_man(&ui, a),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            let code = exit::of(&e);
            ui.error(e);
            code
        }
    };
    // Output that did not arrive is a failure whatever the command thought.
    match ui.write_error() {
        Some(e) => {
            ui.diagnostic(&e);
            ExitCode::from(Code::Environment as u8)
        }
        None => ExitCode::from(code as u8),
    }
}

/// The name of a command that reads no clock, where a `--now` typed on its
/// command line would be ignored without a word (`ARENDE_NOW`, set for a
/// whole session, is let be).
fn clock_free(command: &Command) -> Option<&'static str> {
    Some(match command {
        Command::Show(_) => "show",
        Command::List(a) if !a.reads_clock() => "list",
        Command::Log(_) => "log",
        Command::Export(_) => "export",
        Command::Validate(_) => "validate",
        Command::Review(_) => "review",
        Command::Impact(_) => "impact",
        Command::Policy(_) => "policy",
        Command::People(_) => "people",
        Command::Schema(_) => "schema",
        _ => return None,
    })
}

impl Ui {
    /// Opens the record repository the options point at.
    pub fn workspace(&self) -> Result<Workspace> {
        let start = match &self.global.dir {
            Some(dir) if !dir.is_dir() => {
                return Err(Error::usage(
                    format!("-C {}: there is no such folder", dir.display()),
                    Some("give -C (or ARENDE_DIR) a folder inside a record repository".to_owned()),
                ));
            }
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
        };
        // The store's side notes (a lock waited on, a killed command's
        // leftovers) go to stderr like the other information.
        let quiet = self.global.quiet;
        let store = Store::discover(&start)?.with_notices(move |notice| {
            if !quiet {
                eprintln!("arende: {notice}");
            }
        });
        let ws = Workspace::new(store)?.with_cwd(&start);
        // A clone whose `.gitattributes` asks for the merge driver git
        // would not run merges records as text: said as the store's
        // notices are, before anything else the command says.
        if !quiet && let Some(problem) = arende::merge::setup::driver_problem(ws.root()) {
            eprintln!("arende: {problem}");
        }
        // Editors read the schemas from the repository: after an upgrade
        // they are rewritten to this version's record model. A repository
        // that cannot be written to (a read-only CI checkout), or whose
        // schema folder is a link or a FIFO (a hostile clone), is still
        // read: the refresh is a convenience, told in one line and skipped.
        match arende::editor::refresh(ws.root()) {
            Ok(Refresh::Rewritten(rewritten)) => self.info(&format!(
                "updated {} to this version's record model; commit them",
                rewritten
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Ok(Refresh::Current) => {}
            Ok(Refresh::Skipped(skipped)) => self.info(&skipped.to_string()),
            Err(e) => self.info(&format!("could not update the editor schemas: {e}")),
        }
        Ok(ws)
    }

    /// The context a changing command runs in.
    /// The clock: `--now` or the system's.
    pub fn now(&self, ws: &Workspace) -> Result<arende::time::Timestamp> {
        arende::clock::now(self.global.now.as_deref(), ws.tz())
    }

    /// Who runs the command: `--author` or git's identity.
    pub fn author(&self, ws: &Workspace) -> Result<Author> {
        Author::resolve(self.global.author.as_deref(), ws.root())
    }

    pub fn context<'s>(&self, ws: &'s Workspace) -> Result<Context<'s>> {
        let now = arende::clock::now(self.global.now.as_deref(), ws.tz())?;
        let author = Author::resolve(self.global.author.as_deref(), ws.root())?;
        let mode = if self.global.no_commit {
            CommitMode::WorkingTreeOnly
        } else {
            CommitMode::Commit
        };
        Ok(Context {
            ws,
            author,
            now,
            mode,
        })
    }

    /// Whether standard input is a person at a terminal.
    pub fn interactive(&self) -> bool {
        std::io::stdin().is_terminal()
    }
}
