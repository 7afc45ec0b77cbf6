//! `arende intake`: what partners pushed here, filed under our own IDs or
//! answered on their branches.

use std::collections::{BTreeMap, HashMap};

use super::super::append_event;
use super::super::edit::{Edit, land};
use crate::classify::apply_classification;
use crate::error::{Error, Result};
use crate::exchange::intake::{self, Intake, Verdict};
use crate::exchange::{self, Partner, outgoing};
use crate::id::RecordId;
use crate::record::Disposition;
use crate::schema;
use crate::store::remote;
use crate::validate;
use crate::workspace::Context;
use crate::yaml::Value;

/// An intake branch and where it stands here.
#[derive(Debug, Clone)]
pub struct IntakeState {
    /// The branch.
    pub intake: Intake,
    /// What became of it, or would.
    pub state: State,
}

/// Where an intake stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// It would be filed as it is.
    Ready,
    /// Filed here, under this ID.
    Filed(RecordId),
    /// A verdict is on the branch, or would be written (`would`).
    Answered {
        /// The verdict.
        verdict: Verdict,
        /// Not written yet: what `accept` would answer.
        would: bool,
    },
}

/// Where an intake stands before it is judged.
#[derive(Debug, Clone)]
enum Standing {
    /// Filed here, under this ID.
    Filed(RecordId),
    /// Answered on its branch.
    Answered(Verdict),
    /// Waiting for a judgement.
    Waiting,
}

/// Every intake branch (fetched from the inbox with `refresh`), and where
/// each stands, unjudged.
fn survey(cx: &Context<'_>, refresh: bool) -> Result<Vec<(Intake, Standing)>> {
    let found = intake::list(cx.ws.root(), cx.ws.store().config(), refresh)?;
    let mut filed: BTreeMap<String, HashMap<String, RecordId>> = BTreeMap::new();
    let mut out = Vec::with_capacity(found.len());
    for item in found {
        let links = filed
            .entry(item.party.clone())
            .or_insert_with(|| exchange::links(cx.ws, &item.party, &[]));
        let standing = match (links.get(&item.sender), item.verdict()) {
            (Some(id), _) => Standing::Filed(id.clone()),
            (None, Some(verdict)) => Standing::Answered(verdict),
            (None, None) => Standing::Waiting,
        };
        out.push((item, standing));
    }
    Ok(out)
}

/// Every intake branch, fetched from the inbox, and what `accept` would do
/// with each.
pub fn intakes(cx: &Context<'_>, refresh: bool) -> Result<Vec<IntakeState>> {
    let partners = Partner::all(cx.ws.root(), cx.ws.store().config())?;
    let mut out = Vec::new();
    for (item, standing) in survey(cx, refresh)? {
        let state = match standing {
            Standing::Filed(id) => State::Filed(id),
            Standing::Answered(verdict) => State::Answered {
                verdict,
                would: false,
            },
            Standing::Waiting => match judge(cx, &partners, &item)? {
                Judged::Ready(_) => State::Ready,
                Judged::Answer(verdict) => State::Answered {
                    verdict,
                    would: true,
                },
            },
        };
        out.push(IntakeState {
            intake: item,
            state,
        });
    }
    Ok(out)
}

/// The party this repository answers as: `exchange.party`, else its pack.
fn receiver(cx: &Context<'_>) -> String {
    let config = cx.ws.store().config();
    config
        .exchange
        .party
        .clone()
        .unwrap_or_else(|| cx.ws.policy().name.clone())
}

/// What judging an intake gives: the record to file, or the answer.
enum Judged {
    Ready(Box<Edit>),
    Answer(Verdict),
}

/// Reads an intake as a new record of this repository and judges it
/// against this repository's pack: the record, or a refusal with every
/// error rule it breaks, or the referral the pack's `referral` asks for.
fn judge(cx: &Context<'_>, partners: &[Partner], item: &Intake) -> Result<Judged> {
    let policy = cx.ws.policy();
    let by = receiver(cx);
    let answer = |decision: Disposition, reasons: Vec<String>| {
        Ok(Judged::Answer(intake::verdict(
            decision, &by, &cx.now, reasons,
        )))
    };
    let profile = intake::profile_for(partners, &item.party);
    let (kind, mut doc) = match intake::draft(item, &profile) {
        Ok(d) => d,
        Err(reason) => return answer(Disposition::Refused, vec![reason]),
    };
    if doc
        .get("title")
        .and_then(Value::as_str)
        .is_none_or(|t| t.trim().is_empty())
    {
        return answer(Disposition::Refused, vec!["the report has no title".into()]);
    }
    let machine = policy.machine(kind);
    doc.insert("status".into(), Value::String(machine.initial.to_string()));
    doc.insert(
        "opened_at".into(),
        Value::String(crate::time::rfc3339(&cx.now)),
    );
    let id = super::super::new::fresh_id(cx, kind, None);
    doc.insert("id".into(), Value::String(id.to_string()));
    doc.insert("kind".into(), Value::String(kind.name().into()));
    let path = cx.ws.store().rel_path(&id);
    let mut doc = Value::Mapping(doc);
    apply_classification(policy, &path, &mut doc)?;
    let mut doc = Value::Mapping(schema::canonical_order(
        kind,
        doc.as_mapping().cloned().unwrap_or_default(),
    ));
    let short = &item.commit.to_string()[..10];
    append_event(
        &mut doc,
        &super::super::event(
            cx,
            Some(machine.initial.to_string()),
            Some(format!(
                "received from {} as {} ({}, {short})",
                item.party, item.sender, item.branch
            )),
            Vec::new(),
        ),
    );
    let referred = policy.referral.as_ref().is_some_and(|r| {
        r.party == item.party
            && r.to != by
            && doc.get("refer_to_agent").and_then(Value::as_bool) == Some(true)
    });
    if let Some(referral) = policy.referral.as_ref().filter(|_| referred) {
        return answer(
            Disposition::Referred,
            vec![format!(
                "refer to {to}: a {} reports to its {to}, after local troubleshooting there and at the {to}, before it reports here ({})",
                referral.party,
                referral.clause,
                to = referral.to
            )],
        );
    }
    let edit = match Edit::new(id.clone(), path.clone(), doc) {
        Ok(edit) => edit,
        Err(e) => return answer(Disposition::Refused, vec![e.to_string()]),
    };
    let landing = validate::Landing::new(cx.ws, vec![(id, edit.after().clone())])?;
    let errors = validate::new_errors(cx.ws, &landing, None, (edit.after(), edit.record()), false)?;
    if !errors.is_empty() {
        let reasons = errors
            .iter()
            .map(|v| format!("{} {} (`{}`)", v.rule, v.message, v.field))
            .collect();
        return answer(Disposition::Refused, reasons);
    }
    Ok(Judged::Ready(Box::new(edit)))
}

/// What became of one intake `accept` or `refuse` was given.
#[derive(Debug, Clone)]
pub struct Handled {
    /// The branch.
    pub branch: String,
    /// Filed here under this ID (now or before).
    pub filed: Option<RecordId>,
    /// The verdict written back, if one was.
    pub verdict: Option<Verdict>,
    /// Whether anything changed.
    pub changed: bool,
}

/// Files each selected intake that this repository's pack accepts, as a new
/// record with its own ID and the sender's identifiers, and removes its
/// branch; answers each it does not, on its branch. `selected` names
/// branches or senders' IDs; empty means every intake waiting.
pub fn accept(cx: &Context<'_>, selected: &[String]) -> Result<Vec<Handled>> {
    let partners = Partner::all(cx.ws.root(), cx.ws.store().config())?;
    let mut out = Vec::new();
    for (item, standing) in pick(survey(cx, true)?, selected)? {
        let (filed, verdict, changed) = match standing {
            Standing::Filed(id) => {
                remove_branch(cx, &item)?;
                (Some(id), None, true)
            }
            Standing::Answered(verdict) => (None, Some(verdict), false),
            Standing::Waiting => match judge(cx, &partners, &item)? {
                Judged::Answer(verdict) => {
                    answer(cx, &item, &verdict)?;
                    (None, Some(verdict), true)
                }
                Judged::Ready(edit) => (Some(file(cx, &item, *edit)?), None, true),
            },
        };
        out.push(Handled {
            branch: item.branch,
            filed,
            verdict,
            changed,
        });
    }
    Ok(out)
}

/// Files a judged intake as a new record, in its own commit, and removes
/// its branch.
fn file(cx: &Context<'_>, item: &Intake, edit: Edit) -> Result<RecordId> {
    let id = edit.id.clone();
    let title = edit.record().common.title.clone();
    let message = format!(
        "{id}: new {} from {}'s {}: {}",
        id.kind(),
        item.party,
        item.sender,
        title.lines().next().unwrap_or_default()
    );
    land(cx, cx.ws.begin()?, vec![edit], &message, &[], Vec::new())?;
    remove_branch(cx, item)?;
    Ok(id)
}

/// Refuses each selected intake, with `reason`, on its branch.
pub fn refuse(cx: &Context<'_>, selected: &[String], reason: &str) -> Result<Vec<Handled>> {
    if selected.is_empty() {
        return Err(Error::usage(
            "say which intake to refuse",
            Some("name its branch or the sender's ID: arende intake refuse intake/agent/INC-… --reason \"…\"".to_owned()),
        ));
    }
    let by = receiver(cx);
    let mut out = Vec::new();
    for (item, standing) in pick(survey(cx, true)?, selected)? {
        if let Standing::Filed(id) = standing {
            return Err(Error::usage(
                format!("{} is filed here already, as {id}", item.branch),
                Some(format!("change {id} instead: arende status {id} …")),
            ));
        }
        let verdict = intake::verdict(Disposition::Refused, &by, &cx.now, vec![reason.to_owned()]);
        let same = item
            .verdict()
            .is_some_and(|v| v.decision == verdict.decision && v.reasons == verdict.reasons);
        if !same {
            answer(cx, &item, &verdict)?;
        }
        out.push(Handled {
            branch: item.branch,
            filed: None,
            verdict: Some(verdict),
            changed: !same,
        });
    }
    Ok(out)
}

/// The intakes `selected` names (all not answered yet, if none), or an
/// error naming one that is not there.
fn pick(all: Vec<(Intake, Standing)>, selected: &[String]) -> Result<Vec<(Intake, Standing)>> {
    if selected.is_empty() {
        return Ok(all
            .into_iter()
            .filter(|(_, s)| !matches!(s, Standing::Answered(_)))
            .collect());
    }
    let mut out = Vec::new();
    for wanted in selected {
        let wanted = wanted.trim_start_matches("refs/heads/");
        let found = all
            .iter()
            .find(|(i, _)| i.branch == wanted || i.sender.eq_ignore_ascii_case(wanted));
        match found {
            Some(s) => out.push(s.clone()),
            None => {
                return Err(Error::usage(
                    format!("no intake branch `{wanted}`"),
                    Some("`arende intake` lists the intake branches".to_owned()),
                ));
            }
        }
    }
    Ok(out)
}

/// Writes a verdict on an intake's branch, where the sender's `sync`
/// reads it.
fn answer(cx: &Context<'_>, item: &Intake, verdict: &Verdict) -> Result<()> {
    let root = cx.ws.root();
    let bytes = intake::with_verdict(item, verdict);
    let path = outgoing::path(&item.party, &item.sender);
    let message = format!(
        "{}: {} by {}: {}",
        item.branch,
        verdict.decision,
        verdict.by,
        verdict.reasons.join("; ")
    );
    let commit = remote::commit_files(
        root,
        item.commit,
        &[(path, bytes)],
        &message,
        &cx.author,
        &cx.now,
    )?;
    if item.from_inbox
        && let Some((_, address)) = intake::inbox(root, cx.ws.store().config())?
    {
        remote::push(
            root,
            &address,
            &[format!("{commit}:refs/heads/{}", item.branch)],
        )?;
    }
    remote::set_ref(root, &item.refname, commit, "arende intake")
}

/// Removes a filed intake's branch, in the inbox and here.
fn remove_branch(cx: &Context<'_>, item: &Intake) -> Result<()> {
    let root = cx.ws.root();
    if item.from_inbox
        && let Some((_, address)) = intake::inbox(root, cx.ws.store().config())?
    {
        remote::push(root, &address, &[format!(":refs/heads/{}", item.branch)])?;
    }
    remote::delete_ref(root, &item.refname)?;
    remote::delete_ref(root, &format!("refs/heads/{}", item.branch))
}
