//! Between check and write: the errors of the policy's rules the records
//! about to be written break. SPEC §5: no command commits a state
//! `validate` rejects with an error that was not there before. An import
//! brings another system's history, and a rule that needs data the other
//! system never kept (a major incident manager) cannot be met without
//! inventing it; so an error no waiver of `policy/waivers.yaml` accepts
//! refuses the import, unless `--waive REASON` asks that the waivers be
//! written, in the same commit, by the author at the import's time.

use std::collections::BTreeSet;

use super::summary::RuleTally;
use super::{ImportOptions, Input};
use crate::error::Error;
use crate::id::RecordId;
use crate::people::Registry;
use crate::policy::Severity;
use crate::policy::waivers::{WAIVERS_FILE, Waiver, Waivers};
use crate::validate::checks::PERSONAL_NUMBER;
use crate::workspace::Context;

/// The waivers an import writes: the file's new text, and what they waive.
pub(crate) struct NewWaivers {
    /// The waivers file as it will be written.
    pub text: String,
    /// The errors waived: record and rule.
    pub waived: Vec<(RecordId, String)>,
}

/// The waivers the import must write for the errors in `rules` that no
/// waiver of the repository accepts: none if there are no such errors;
/// the refusal if there are and `--waive` was not given.
pub(crate) fn plan(
    cx: &Context<'_>,
    rules: &[RuleTally],
    input: &Input,
    options: &ImportOptions,
) -> Result<Option<NewWaivers>, Error> {
    let existing = Waivers::read(cx.ws.root())?;
    let index = existing.as_ref().map(|(w, _)| w.index());
    let accepted = |id: &RecordId, rule: &str| {
        index
            .as_ref()
            .is_some_and(|index| index.find(id, rule).is_some())
    };
    let mut open: Vec<(&RuleTally, Vec<&RecordId>)> = Vec::new();
    // A personal identity number imported with `force` was forced, as
    // `new --force` forces it: validate reports it, no waiver is asked.
    let forced = |t: &RuleTally| options.force && t.rule == PERSONAL_NUMBER.id;
    for tally in rules
        .iter()
        .filter(|t| t.severity == Severity::Error && !forced(t))
    {
        let ids: BTreeSet<&RecordId> = tally
            .records
            .iter()
            .filter(|id| !accepted(id, &tally.rule))
            .collect();
        if !ids.is_empty() {
            open.push((tally, ids.into_iter().collect()));
        }
    }
    if open.is_empty() {
        return Ok(None);
    }
    let Some(reason) = options.waive.as_deref() else {
        return Err(refusal(input, &open));
    };
    let who = who(cx);
    let new: Vec<Waiver> = open
        .iter()
        .flat_map(|(tally, ids)| {
            ids.iter().map(|id| Waiver {
                record: (*id).clone(),
                rule: tally.rule.clone(),
                reason: reason.to_owned(),
                who: who.clone(),
                when: cx.now,
            })
        })
        .collect();
    let text = Waivers::append(existing.as_ref().map(|(_, t)| t.as_str()), &new)?;
    Ok(Some(NewWaivers {
        text,
        waived: new.into_iter().map(|w| (w.record, w.rule)).collect(),
    }))
}

/// Who waives: the author's handle in the people registry, where it names
/// them by their address, else the author as git names them.
fn who(cx: &Context<'_>) -> String {
    Registry::read(cx.ws.root())
        .ok()
        .flatten()
        .and_then(|(r, _)| r.by_email(&cx.author.email).map(|p| p.handle.clone()))
        .unwrap_or_else(|| format!("{} <{}>", cx.author.name, cx.author.email))
}

/// The refusal: which rules, on which records (a few named), and how to
/// import all the same.
fn refusal(input: &Input, open: &[(&RuleTally, Vec<&RecordId>)]) -> Error {
    let total: usize = open.iter().map(|(_, ids)| ids.len()).sum();
    let rules: Vec<String> = open
        .iter()
        .map(|(tally, ids)| {
            // Named as the input names them: a new record's ID is drawn
            // anew by every run, and this one writes nothing.
            let examples: Vec<&str> = tally
                .records
                .iter()
                .zip(&tally.sources)
                .filter(|(id, _)| ids.contains(id))
                .map(|(_, e)| e.as_str())
                .take(3)
                .collect();
            format!(
                "{} on {} record(s) ({}{}): {}",
                tally.rule,
                ids.len(),
                examples.join(", "),
                if ids.len() > 3 { ", …" } else { "" },
                tally.message
            )
        })
        .collect();
    Error::refused(
        format!(
            "{}: the import would commit {total} error(s) of the policy's rules, which `arende validate` would then report; nothing was imported\n  {}",
            input.name.display(),
            rules.join("\n  ")
        ),
        Some(format!(
            "if the errors are facts of the source data, import with --waive \"REASON\": a waiver for each is written to {WAIVERS_FILE} in the same commit, and validate reports them as waived; else mend the rows"
        )),
    )
}
