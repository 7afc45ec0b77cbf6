//! `arende man`: the manual pages, from the same definitions as `--help`,
//! with the sections clap knows nothing of: EXIT STATUS, ENVIRONMENT and
//! EXAMPLES.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        write_pages(&cmd, &[], dir)?;
        ui.info(&format!("wrote the man pages into {}", dir.display()));
        return Ok(ExitCode::Ok);
    }
    ui.print_bytes(page(&cmd, &[])?.as_bytes());
    Ok(ExitCode::Ok)
}

/// Writes the page of `cmd` (reached from `arende` through `path`) and of
/// each of its visible subcommands, as clap_mangen's `generate_to` names
/// them: `arende-policy-show.1`.
fn write_pages(cmd: &clap::Command, path: &[&str], dir: &Path) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut deeper = path.to_vec();
        deeper.push(sub.get_name());
        write_pages(sub, &deeper, dir)?;
    }
    let file = dir.join(clap_mangen::Man::new(cmd.clone()).get_filename());
    std::fs::write(&file, page(cmd, path)?).map_err(|e| Error::io(&file, e))
}

/// One command's page: clap_mangen's sections, then ours before VERSION
/// (where man-pages(7) puts them: after OPTIONS, before the trailing
/// sections).
fn page(cmd: &clap::Command, path: &[&str]) -> Result<String> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut roff)
        .map_err(|e| Error::io("<man page>", e))?;
    let roff = String::from_utf8_lossy(&roff).into_owned();
    let ours = sections(&path.join(" "));
    Ok(match roff.find(".SH VERSION") {
        Some(at) => format!("{}{ours}{}", &roff[..at], &roff[at..]),
        None => roff + &ours,
    })
}

/// What each exit code means, as SPEC §4 and the guide say.
const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success."),
    (
        "1",
        "The records break rules: validate found an error (or, with --strict, a warning), classify --check found a stored value the policy disagrees with, review found an error, or the policy refused a transition or change.",
    ),
    (
        "2",
        "Bad usage or bad input: an unknown option, a file that cannot be parsed, an unknown ID, field or value.",
    ),
    (
        "3",
        "The repository or the filesystem failed: not a record repository, the lock is held, a git or disk error.",
    ),
];

/// Every environment variable arende reads (a test greps the sources for
/// them).
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "ARENDE_DIR",
        "The record repository, as -C gives it: run as if started in that folder.",
    ),
    (
        "ARENDE_AUTHOR",
        "The author of commits and history events, \"Name <email>\", as --author gives it.",
    ),
    (
        "ARENDE_NOW",
        "The clock, as --now gives it: a time (2026-12-04T14:00:00+01:00, 2026-12-04 14:00) or one relative to the real clock (yesterday 14:00, -2h), for reproducible runs and scripts.",
    ),
    (
        "ARENDE_NO_CACHE",
        "When set (and not 0), read every record from its file instead of the record summary cache.",
    ),
    (
        "ARENDE_LOCK_TIMEOUT",
        "How many seconds a command waits for another's lock on the repository before it gives up (exit 3).",
    ),
    (
        "PATH",
        "Where git finds arende when it runs the merge driver and the pre-commit hook, which call it by name; init, setup and hook install say so when it is not there.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, no colour unless --color always asks for it.",
    ),
    (
        "VISUAL, EDITOR",
        "The editor new opens for the fields a record still needs, on a terminal (vi if neither is set).",
    ),
    (
        "GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL",
        "The author when neither --author nor ARENDE_AUTHOR gives one, before git's user.name and user.email.",
    ),
    (
        "GIT_DIR, GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY",
        "As git sets them for a hook: validate --staged and the merge driver read the repository, index and objects they name.",
    ),
];

/// An example of a page: what it does, and the shell lines that do it, run
/// in a copy of `fixtures/inera` by the tests.
struct Example {
    what: &'static str,
    lines: &'static str,
}

const fn ex(what: &'static str, lines: &'static str) -> Example {
    Example { what, lines }
}

/// Each command's examples, by its path from `arende` ("" for arende
/// itself).
const EXAMPLES: &[(&str, &[Example])] = &[
    (
        "",
        &[
            ex(
                "File an incident, then find it among the open tickets:",
                "arende new incident --title \"Inloggningen nekas\" --set impact=high --set urgency=high --set reporter.party=kund --set tickets.kund=4711 --set reported_via=phone\narende list incident --open",
            ),
            ex(
                "Check every record against the policy pack, as CI does:",
                "arende validate",
            ),
        ],
    ),
    (
        "approve",
        &[ex(
            "File a change and record the change forum's approval, given by someone other than the person who filed it:",
            "id=$(arende new change --title \"Byte av lastbalanserare\" --set change_type=modification --set category=normal --set fault_class=3)\narende approve \"$id\" --by andringsforum --author \"Karin Ek <karin.ek@inera.se>\"",
        )],
    ),
    (
        "assign",
        &[ex(
            "Give an incident to a team:",
            "arende assign INC-20260618-YXNJNE --group drift",
        )],
    ),
    (
        "classify",
        &[
            ex(
                "Check that every stored priority and class is what the policy gives:",
                "arende classify --all --check",
            ),
            ex("Classify one incident:", "arende classify SND8QA"),
        ],
    ),
    (
        "completions",
        &[ex(
            "Complete commands, record IDs and statuses in bash:",
            "source <(arende completions bash)",
        )],
    ),
    (
        "export",
        &[
            ex(
                "Every incident, for a spreadsheet:",
                "arende export incident --format csv > incidenter.csv",
            ),
            ex(
                "The changes' windows as a calendar:",
                "arende export --format ics > ändringar.ics",
            ),
        ],
    ),
    (
        "hook",
        &[ex(
            "Validate the staged records before every commit:",
            "arende hook install",
        )],
    ),
    (
        "hook install",
        &[ex(
            "Validate the staged records before every commit:",
            "arende hook install",
        )],
    ),
    (
        "impact",
        &[ex(
            "What depends on the national service platform, and the open tickets on it:",
            "arende impact CI-20260108-DB3W0S",
        )],
    ),
    (
        "import",
        &[ex(
            "Check what importing a CSV file would do, writing nothing:",
            "arende export incident --format csv > incidenter.csv\narende import incidenter.csv --dry-run",
        )],
    ),
    (
        "init",
        &[ex(
            "Start a record repository under E-hälsomyndigheten's pack in a new folder:",
            "arende init --policy ehm register",
        )],
    ),
    (
        "intake",
        &[ex(
            "On the supplier's side, what partners sent and what accepting it would do:",
            "peer=$(mktemp -d)/lev && arende init -q --policy inera \"$peer\"\narende partner add lev \"$peer\" --party leverantor --as inera\narende send lev INC-20260210-K7KBK7\narende -C \"$peer\" intake",
        )],
    ),
    (
        "intake accept",
        &[ex(
            "File every report the supplier's pack accepts; answer the others on their branches:",
            "peer=$(mktemp -d)/lev && arende init -q --policy inera \"$peer\"\narende partner add lev \"$peer\" --party leverantor --as inera\narende send lev INC-20260210-K7KBK7\narende -C \"$peer\" intake accept",
        )],
    ),
    (
        "intake list",
        &[ex(
            "The intake branches already fetched, as JSON:",
            "peer=$(mktemp -d)/lev && arende init -q --policy inera \"$peer\"\narende partner add lev \"$peer\" --party leverantor --as inera\narende send lev INC-20260210-K7KBK7\narende -C \"$peer\" intake list --no-fetch --format json",
        )],
    ),
    (
        "intake refuse",
        &[ex(
            "Refuse a report, with the reason written back for the sender:",
            "peer=$(mktemp -d)/lev && arende init -q --policy inera \"$peer\"\narende partner add lev \"$peer\" --party leverantor --as inera\narende send lev INC-20260210-K7KBK7\narende -C \"$peer\" intake refuse INC-20260210-K7KBK7 --reason \"Gäller NTjP, inte vår tjänst\"",
        )],
    ),
    (
        "link",
        &[ex(
            "Link an incident to the problem behind it (both ways):",
            "arende link INC-20260415-MN1GDN PRB-20260211-NEG6RF",
        )],
    ),
    (
        "list",
        &[
            ex(
                "New and assigned incidents:",
                "arende list incident --status new --status assigned",
            ),
            ex(
                "Everything open, most urgent first, as JSON:",
                "arende list --open --sort priority --format json",
            ),
        ],
    ),
    (
        "log",
        &[ex(
            "An incident's history, from git and from the record:",
            "arende log INC-20260210-K7KBK7",
        )],
    ),
    (
        "man",
        &[ex(
            "Install a page per command:",
            "arende man --dir \"$HOME/.local/share/man/man1\"",
        )],
    ),
    (
        "merge-file",
        &[ex(
            "Merge three versions of a record by hand, as git's merge driver does (the result goes into ours.yaml):",
            "f=incidents/2026/03/INC-20260317-SND8QA.yaml\ngit show HEAD:$f > base.yaml; cp $f ours.yaml; cp $f theirs.yaml\narende merge-file base.yaml ours.yaml theirs.yaml $f",
        )],
    ),
    (
        "new",
        &[ex(
            "File an incident reported by phone; the ID is printed:",
            "arende new incident --title \"Inloggningen nekas\" --set impact=high --set urgency=high --set reporter.party=kund --set tickets.kund=4711 --set reported_via=phone",
        )],
    ),
    (
        "note",
        &[
            ex(
                "An internal work note:",
                "arende note INC-20260317-SND8QA \"Felsökning pågår hos agenten\"",
            ),
            ex(
                "A reply to the customer, which stops the feedback clock:",
                "arende note INC-20260317-SND8QA --customer \"Vi felsöker och återkommer i morgon\"",
            ),
        ],
    ),
    (
        "partner",
        &[ex(
            "Add the repository of a supplier Inera reports incidents to, then list the partners:",
            "arende partner add lev git@gitlab.example.se:lev/arenden.git --party leverantor --as inera\narende partner list",
        )],
    ),
    (
        "partner add",
        &[ex(
            "Add a supplier's record repository as a partner (Inera is `inera` to it):",
            "arende partner add lev https://gitlab.example.se/lev/arenden.git --party leverantor --as inera",
        )],
    ),
    (
        "partner list",
        &[ex(
            "What crosses to and from each partner, for a script:",
            "arende partner add lev git@gitlab.example.se:lev/arenden.git --party leverantor --as inera\narende partner list --format json",
        )],
    ),
    (
        "people",
        &[ex(
            "The people and teams of policy/people.yaml, and what is wrong in it:",
            "arende people",
        )],
    ),
    ("policy", &[ex("The pack in force:", "arende policy show")]),
    (
        "policy explain",
        &[ex(
            "What rule INC001 asks, and the seed words it rests on:",
            "arende policy explain INC001",
        )],
    ),
    (
        "policy show",
        &[ex("The pack in force:", "arende policy show")],
    ),
    (
        "report",
        &[
            ex(
                "The first quarter's report:",
                "arende report --quarter 2026Q1",
            ),
            ex(
                "A half year, as HTML:",
                "arende report --from 2026-01-01 --to 2026-06-30 --format html > rapport.html",
            ),
        ],
    ),
    (
        "resolve",
        &[ex(
            "After a merge left record files conflicted, merge them field by field:",
            "arende resolve",
        )],
    ),
    (
        "review",
        &[ex(
            "What a branch changes and which rules it breaks:",
            "git switch -q -c rättning\narende set INC-20260317-SND8QA urgency=low\narende review main..rättning",
        )],
    ),
    (
        "schedule",
        &[ex(
            "The changes, releases and freezes ahead, with their conflicts:",
            "arende schedule",
        )],
    ),
    (
        "schema",
        &[
            ex("The incident's JSON Schema:", "arende schema incident"),
            ex(
                "Every schema into a folder:",
                "arende schema --write schemas",
            ),
        ],
    ),
    (
        "send",
        &[ex(
            "Report an incident to a supplier's intake (here a scratch repository on disk):",
            "peer=$(mktemp -d)/lev && arende init -q --policy inera \"$peer\"\narende partner add lev \"$peer\" --party leverantor --as inera\narende send lev INC-20260210-K7KBK7",
        )],
    ),
    (
        "set",
        &[ex(
            "Raise an incident's urgency (the priority follows):",
            "arende set INC-20260317-SND8QA urgency=high",
        )],
    ),
    (
        "setup",
        &[ex(
            "Let git merge records field by field in this clone:",
            "arende setup",
        )],
    ),
    (
        "show",
        &[
            ex("An incident, by the end of its ID:", "arende show SND8QA"),
            ex(
                "A change as JSON:",
                "arende show CHG-20260413-HHPMGZ --format json",
            ),
        ],
    ),
    (
        "sla",
        &[
            ex("Every open ticket's clocks:", "arende sla"),
            ex("Only the breached ones:", "arende sla --breached"),
        ],
    ),
    (
        "site",
        &[
            ex(
                "The whole site, for the change forum and the auditors:",
                "arende site --out site",
            ),
            ex(
                "Only the public driftinformation, for the organisation's web:",
                "arende site --public --out public",
            ),
        ],
    ),
    (
        "status",
        &[ex(
            "Move a new incident on to a team, as the status machine allows:",
            "arende status INC-20260618-YXNJNE assigned --group drift",
        )],
    ),
    (
        "sync",
        &[ex(
            "After the supplier filed the report, record what it did on our incident:",
            "peer=$(mktemp -d)/lev && arende init -q --policy inera \"$peer\"\narende partner add lev \"$peer\" --party leverantor --as inera\narende send lev INC-20260210-K7KBK7\narende -C \"$peer\" intake accept\narende sync lev",
        )],
    ),
    (
        "unlink",
        &[ex(
            "Undo a link, both ways:",
            "arende link INC-20260415-MN1GDN PRB-20260211-NEG6RF\narende unlink INC-20260415-MN1GDN PRB-20260211-NEG6RF",
        )],
    ),
    (
        "validate",
        &[
            ex("Check every record:", "arende validate"),
            ex(
                "For GitHub code scanning:",
                "arende validate --format sarif > arende.sarif",
            ),
            ex(
                "One record file:",
                "arende validate incidents/2026/03/INC-20260317-SND8QA.yaml",
            ),
        ],
    ),
];

/// EXIT STATUS, ENVIRONMENT and EXAMPLES of the command at `path`.
fn sections(path: &str) -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_STATUS {
        let _ = write!(roff, ".TP\n\\fB{code}\\fR\n{}\n", escape(meaning));
    }
    roff.push_str(".SH ENVIRONMENT\n");
    for (names, meaning) in ENVIRONMENT {
        let _ = write!(
            roff,
            ".TP\n\\fB{}\\fR\n{}\n",
            escape(names),
            escape(meaning)
        );
    }
    let examples = EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(&[][..], |(_, e)| e);
    if !examples.is_empty() {
        roff.push_str(".SH EXAMPLES\n");
    }
    for e in examples {
        let _ = write!(roff, ".PP\n{}\n.PP\n.RS 4\n.nf\n", escape(e.what));
        for line in e.lines.lines() {
            let _ = writeln!(roff, "{}", escape(line));
        }
        roff.push_str(".fi\n.RE\n");
    }
    roff
}

/// Text as roff shows it literally: backslashes and hyphens escaped, and a
/// line that would start with a control character guarded.
fn escape(text: &str) -> String {
    let body = text.replace('\\', "\\e").replace('-', "\\-");
    if body.starts_with(['.', '\'']) {
        format!("\\&{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_escapes_hyphens_backslashes_and_leading_dots() {
        assert_eq!(escape("--format a\\b"), "\\-\\-format a\\eb");
        assert_eq!(escape(".hidden"), "\\&.hidden");
    }

    fn paths(cmd: &clap::Command, path: &str, all: &mut Vec<String>) {
        all.push(path.to_owned());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let deeper = format!("{path} {}", sub.get_name());
            paths(sub, deeper.trim_start(), all);
        }
    }

    #[test]
    fn every_command_has_examples_and_every_example_a_command() {
        let mut cmd = Cli::command().disable_help_subcommand(true);
        cmd.build();
        let mut commands = Vec::new();
        paths(&cmd, "", &mut commands);
        for c in &commands {
            assert!(
                EXAMPLES.iter().any(|(p, e)| p == c && !e.is_empty()),
                "`arende {c}` has no examples in src/cli/man.rs EXAMPLES"
            );
        }
        for (p, _) in EXAMPLES {
            assert!(commands.iter().any(|c| c == p), "no command `arende {p}`");
        }
    }
}
