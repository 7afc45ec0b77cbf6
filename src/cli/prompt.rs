//! Asking a person at a terminal what a new record still lacks: the
//! questions come from the library ([`arende::actions::prompt`]); here they
//! are printed on stderr and answered on stdin, one at a time, since one
//! answer (the reporting party) can raise the next question (its ticket
//! number). And the `$EDITOR` path: the same questions as a commented
//! template.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::PathBuf;

use arende::actions::prompt::{self, Question};
use arende::actions::{NewRecord, draft};
use arende::error::{Error, Result};
use arende::kind::Kind;
use arende::workspace::Context;
use miette::Diagnostic;

/// More rounds than any pack has questions: a guard against a rule that no
/// answer satisfies, not a limit a person meets.
const MAX_ROUNDS: usize = 40;

/// Whether a new record as `input` has it leaves anything to ask.
pub fn anything_to_ask(cx: &Context<'_>, kind: Kind, input: &NewRecord) -> Result<bool> {
    Ok(!prompt::questions(cx, kind, input, &BTreeSet::new())?.is_empty())
}

/// Asks, on stderr, every question the policy has for the record, adding
/// each answer to `input` as an assignment. An empty answer takes the
/// default or skips; a bad answer is asked again with the error's help.
pub fn ask_missing(cx: &Context<'_>, kind: Kind, input: &mut NewRecord) -> Result<()> {
    let policy = cx.ws.policy();
    let mut answered = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    for _ in 0..MAX_ROUNDS {
        let settled: BTreeSet<String> = answered.union(&skipped).cloned().collect();
        let Some(q) = prompt::questions(cx, kind, input, &settled)?
            .into_iter()
            .find(|q| !skipped.contains(&q.field))
        else {
            break;
        };
        show(&q);
        loop {
            let line = read_answer(&mut lines, &q)?;
            match prompt::answer(cx, kind, &q, &line) {
                Ok(Some(assignment)) => {
                    input.assignments.push(assignment);
                    answered.insert(q.field.clone());
                    break;
                }
                Ok(None) => {
                    skipped.insert(q.field.clone());
                    break;
                }
                Err(e) => {
                    eprintln!("  {e}");
                    if let Some(help) = e.help() {
                        eprintln!("  help: {help}");
                    }
                }
            }
        }
        if matches!(q.field.as_str(), "impact" | "urgency")
            && let Ok(doc) = draft(cx, kind, input)
            && let Some(meaning) = prompt::priority_meaning(policy, &doc)
        {
            eprintln!("  → {meaning}");
        }
    }
    Ok(())
}

fn show(q: &Question) {
    eprintln!();
    eprintln!("{}", q.label);
    for line in &q.help {
        eprintln!("  {line}");
    }
    let width = q.choices.iter().map(|c| c.value.len()).max().unwrap_or(0);
    for c in &q.choices {
        if c.meaning.is_empty() {
            eprintln!("  {}", c.value);
        } else {
            eprintln!("  {:width$}  {}", c.value, c.meaning);
        }
    }
}

fn read_answer(lines: &mut impl BufRead, q: &Question) -> Result<String> {
    match &q.default {
        Some(d) => eprint!("{} [{d}]: ", q.field),
        None if q.required => eprint!("{}: ", q.field),
        None => eprint!("{} (Enter skips): ", q.field),
    }
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let read = lines
        .read_line(&mut line)
        .map_err(|e| Error::io("<stdin>", e))?;
    if read == 0 {
        eprintln!();
        return Err(Error::usage(
            "the input ended before the questions were answered; nothing was filed",
            Some("answer the questions, or give the fields with --set key=value".to_owned()),
        ));
    }
    Ok(line)
}

/// How an editor session ended.
pub enum Edited {
    /// The person saved a record: its fields.
    Saved(arende::yaml::Mapping, tempfile::TempPath),
    /// Nothing to file: why.
    Nothing(String),
}

/// Opens `$VISUAL`/`$EDITOR` (else `vi`) on a template of the record with
/// every question as a commented field, and reads it back. A save that
/// does not parse keeps the file and names it.
pub fn edit(cx: &Context<'_>, kind: Kind, input: &NewRecord) -> Result<Edited> {
    let given = draft(cx, kind, input)?;
    let mut questions = prompt::questions(cx, kind, input, &BTreeSet::new())?;
    for q in prompt::conditional(cx, kind, input)? {
        if !questions.iter().any(|o| o.field == q.field) {
            questions.push(q);
        }
    }
    let template = prompt::template(kind, &given, &questions);
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned());
    let mut file = tempfile::Builder::new()
        .prefix(&format!("arende-new-{}-", kind.name()))
        .suffix(".yaml")
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    file.write_all(template.as_bytes())
        .map_err(|e| Error::io(file.path(), e))?;
    let path = file.into_temp_path();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|e| Error::io(PathBuf::from(&editor), e))?;
    if !status.success() {
        return Ok(Edited::Nothing(format!(
            "the editor (`{editor}`) exited with {status}"
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(path.to_path_buf(), e))?;
    match prompt::read_template(&path, &template, &text) {
        Ok(Some(fields)) => Ok(Edited::Saved(fields, path)),
        Ok(None) => Ok(Edited::Nothing(
            "the template was saved empty or unchanged".to_owned(),
        )),
        Err(e) => {
            let kept = keep(path);
            eprintln!(
                "arende: your text is kept in {kept}; fix it and file it with `arende new {kind} --from {kept}`"
            );
            Err(e)
        }
    }
}

/// Keeps an edited file past the command, for the person to fix and file
/// with `--from`; returns its name.
pub fn keep(path: tempfile::TempPath) -> String {
    match path.keep() {
        Ok(p) => p.display().to_string(),
        Err(e) => format!("{} (could not be kept: {})", e.path.display(), e.error),
    }
}
