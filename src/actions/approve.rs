//! `arende approve`: record an approval (*godkännande*).

use super::edit::{Edit, land};
use super::{Loaded, Outcome, append_event, load_for_rewrite};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::policy::ApprovalStep;
use crate::record::document::mapping_mut;
use crate::record::{Approval, Decision};
use crate::workspace::Context;
use crate::yaml::{self, Value};

/// An approval to record.
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    /// The approving party (must approve under the policy).
    pub by: String,
    /// Approved or rejected.
    pub decision: Decision,
    /// What is approved, where the policy separates steps.
    pub step: Option<String>,
    /// A remark.
    pub note: Option<String>,
}

/// Adds an approval to a record's `approvals`, and an event to its history.
/// The step is the one named, or the one pending for the party; the
/// approval records a digest of every field the step covers.
pub fn approve(cx: &Context<'_>, id: &RecordId, mut request: ApprovalRequest) -> Result<Outcome> {
    // The party by its ID, label or alias (`Ändringsforum`, `change forum`).
    if let Some(Ok(party)) = cx.ws.policy().word(id.kind(), "by", &request.by) {
        request.by = party;
    }
    approving_party(cx, &request.by)?;
    let approver = crate::approvals::approver(cx.ws, &cx.author, &request.by)?;
    let mut tx = cx.ws.begin()?;
    let entry = load_for_rewrite(cx.ws, &mut tx, id)?;
    let step = pick_step(cx, &entry, &request)?;
    // A rejection is no approval of one's own request: anyone of the
    // party may stop a change.
    if request.decision == Decision::Approved {
        crate::approvals::duties(step, &entry.record, &approver)?;
    }
    let mut doc = entry.doc.clone();
    let covers = doc
        .as_mapping()
        .map(|m| step.covered(m))
        .unwrap_or_default();
    let approval = Approval {
        by: request.by.clone(),
        person: approver.person.map(|p| p.handle),
        decision: request.decision,
        at: cx.now,
        step: Some(step.id.clone()),
        note: request.note.clone(),
        covers,
    };
    let map = mapping_mut(&mut doc);
    let list = map
        .entry("approvals".into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    match list {
        Value::Sequence(seq) => seq.push(yaml::to_value(&approval)),
        _ => {
            return Err(Error::field(
                entry.path.clone(),
                "approvals",
                "is not a list",
                Some("approvals is a list of {by, step, decision, at}".into()),
                None,
            ));
        }
    }
    let what = format!("{} {} {}", request.by, request.decision.as_str(), step.id);
    append_event(
        &mut doc,
        &super::event(
            cx,
            None,
            Some(match request.note {
                Some(n) => format!("approval: {what}: {n}"),
                None => format!("approval: {what}"),
            }),
            Vec::new(),
        ),
    );
    let message = format!("{id}: {what}");
    land(
        cx,
        tx,
        vec![Edit::of(cx, &entry, doc)?],
        &message,
        &[],
        Vec::new(),
    )
}

/// Refuses a party the pack does not let approve.
fn approving_party(cx: &Context<'_>, party: &str) -> Result<()> {
    let policy = cx.ws.policy();
    if policy.party(party).is_some_and(|p| p.approves) {
        return Ok(());
    }
    let approvers: Vec<&str> = policy
        .parties
        .iter()
        .filter(|p| p.approves)
        .map(|p| p.id.as_str())
        .collect();
    let suggestion = crate::suggest::did_you_mean(party, approvers.iter().copied());
    Err(Error::usage(
        format!("`{party}` cannot approve under the {} policy", policy.name),
        Some(format!(
            "{suggestion}give --by one of the approving parties: {}",
            approvers.join(", ")
        )),
    ))
}

/// The step an approval is for: the one named (it must exist for the kind
/// and the party must be one that gives it), or else the one step of the
/// party that is pending for the record's state.
fn pick_step<'p>(
    cx: &Context<'p>,
    entry: &Loaded,
    request: &ApprovalRequest,
) -> Result<&'p ApprovalStep> {
    let policy = cx.ws.policy();
    let kind = entry.record.kind();
    let steps: Vec<&ApprovalStep> = policy.steps(kind).collect();
    // Step conditions are rules' predicates: judged like validate does, with
    // the register read once.
    let register = crate::validate::StandardRegister::load(cx.ws)?;
    let lookup = crate::validate::StoreLookup(cx.ws);
    let vcx = crate::validate::Context {
        policy,
        register: &register,
        lookup: &lookup,
        people: None,
        calendar: None,
    };
    if steps.is_empty() {
        return Err(Error::usage(
            format!(
                "the {} policy asks for no approval of {}",
                policy.name,
                kind.with_article()
            ),
            Some("approvals are recorded only for the steps a pack declares: `arende policy show` lists them".into()),
        ));
    }
    match &request.step {
        Some(name) => named_step(&vcx, entry, request, &steps, name),
        None => pending_step(&vcx, entry, request, &steps),
    }
}

/// Steps as a person chooses among them: ID, who gives it, what it is.
fn listing(steps: &[&ApprovalStep]) -> String {
    steps
        .iter()
        .map(|s| format!("{} (by {}: {})", s.id, s.parties.join(" and "), s.title))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The step named with `--step`: one of the kind's `steps`, given by the
/// deciding party, and applying to the record.
fn named_step<'p>(
    vcx: &crate::validate::Context<'_>,
    entry: &Loaded,
    request: &ApprovalRequest,
    steps: &[&'p ApprovalStep],
    name: &str,
) -> Result<&'p ApprovalStep> {
    let Some(step) = steps.iter().copied().find(|s| s.id == name) else {
        let suggestion = crate::suggest::did_you_mean(name, steps.iter().map(|s| s.id.as_str()));
        return Err(Error::usage(
            format!(
                "`{name}` is not an approval step of {} in the {} policy",
                entry.record.kind().with_article(),
                vcx.policy.name
            ),
            Some(format!("{suggestion}the steps: {}", listing(steps))),
        ));
    };
    if !step.allows(&request.by) {
        return Err(Error::usage(
            format!("{} does not give the approval `{}`", request.by, step.id),
            Some(format!(
                "`{}` is given by {}",
                step.id,
                step.parties.join(" and ")
            )),
        ));
    }
    if let Some(unmet) = step.when.iter().find(|p| !applies(vcx, entry, p)) {
        return Err(Error::usage(
            format!(
                "`{}` does not apply to {}: it is for records where {unmet}",
                step.id,
                entry.record.id()
            ),
            Some(format!("the steps: {}", listing(steps))),
        ));
    }
    Ok(step)
}

/// With no `--step`: the one step of the party's that applies to the record
/// and waits for this decision, or of several, the one that gates where the
/// record goes next.
fn pending_step<'p>(
    vcx: &crate::validate::Context<'_>,
    entry: &Loaded,
    request: &ApprovalRequest,
    steps: &[&'p ApprovalStep],
) -> Result<&'p ApprovalStep> {
    let record = &entry.record;
    let mine: Vec<&ApprovalStep> = steps
        .iter()
        .copied()
        .filter(|s| s.allows(&request.by))
        .collect();
    if mine.is_empty() {
        return Err(Error::usage(
            format!(
                "{} gives no approval of {}",
                request.by,
                record.kind().with_article()
            ),
            Some(format!("the steps: {}", listing(steps))),
        ));
    }
    let map = entry.doc.as_mapping().cloned().unwrap_or_default();
    let pending: Vec<&ApprovalStep> = mine
        .iter()
        .copied()
        .filter(|s| s.when.iter().all(|p| applies(vcx, entry, p)))
        // A rejection may withdraw a step in force; an approval is for one
        // not yet in force.
        .filter(|s| {
            request.decision == Decision::Rejected
                || !s.state(&record.common.approvals, &map).is_approved()
        })
        .collect();
    let status = record.status();
    match (
        pending.as_slice(),
        near(vcx.policy, record, &pending).as_slice(),
    ) {
        ([one], _) | (_, [one]) => Ok(one),
        ([], _) => Err(Error::usage(
            format!(
                "no approval by {} is pending for {} ({status})",
                request.by,
                record.id()
            ),
            Some(format!(
                "to decide again, name the step with --step: {}",
                listing(&mine)
            )),
        )),
        (several, _) => Err(Error::usage(
            format!(
                "{} has several approvals pending for {}: name one with --step",
                request.by,
                record.id()
            ),
            Some(format!("pending: {}", listing(several))),
        )),
    }
}

/// Of several pending steps, those that gate where the record goes next
/// (or where it is, for a step gone stale): the one meant, if there is one.
fn near<'p>(
    policy: &crate::policy::Policy,
    record: &crate::record::Record,
    pending: &[&'p ApprovalStep],
) -> Vec<&'p ApprovalStep> {
    let status = record.status();
    let next = policy.machine(record.kind()).next(status);
    pending
        .iter()
        .copied()
        .filter(|s| s.gates == status || next.contains(&s.gates))
        .collect()
}

/// Whether a step's condition holds for the record as it is.
fn applies(
    vcx: &crate::validate::Context<'_>,
    entry: &Loaded,
    p: &crate::policy::Predicate,
) -> bool {
    entry
        .doc
        .as_mapping()
        .is_some_and(|map| crate::validate::engine::holds(vcx, map, &entry.record, p))
}
