//! `arende approve`: record an approval (*godkännande*).

use super::{Context, Outcome, append_event, guard, load_for_rewrite, mapping_mut};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::record::{Approval, Decision, Event};
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
pub fn approve(cx: &Context<'_>, id: &RecordId, request: ApprovalRequest) -> Result<Outcome> {
    let policy = cx.store.policy();
    if !policy.party(&request.by).is_some_and(|p| p.approves) {
        let approvers: Vec<&str> = policy
            .parties
            .iter()
            .filter(|p| p.approves)
            .map(|p| p.id.as_str())
            .collect();
        return Err(Error::usage(
            format!(
                "`{}` cannot approve under the {} policy",
                request.by, policy.name
            ),
            Some(format!("approving parties: {}", approvers.join(", "))),
        ));
    }
    let mut tx = cx.store.begin()?;
    let entry = load_for_rewrite(cx.store, &mut tx, id)?;
    let mut doc = entry.doc.clone();
    let approval = Approval {
        by: request.by.clone(),
        decision: request.decision,
        at: cx.now,
        step: request.step.clone(),
        note: request.note.clone(),
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
                Some("approvals is a list of {by, decision, at}".into()),
                None,
            ));
        }
    }
    let what = match &request.step {
        Some(step) => format!("{} {} {step}", request.by, request.decision.as_str()),
        None => format!("{} {}", request.by, request.decision.as_str()),
    };
    append_event(
        &mut doc,
        &Event {
            at: cx.now,
            by: cx.author.to_string(),
            status: None,
            note: Some(match request.note {
                Some(n) => format!("approval: {what}: {n}"),
                None => format!("approval: {what}"),
            }),
            changes: Vec::new(),
        },
    );
    guard(cx.store, id, &entry.path, Some(&entry.doc), &doc)?;
    tx.write(id, &doc);
    let commit = tx.finish(cx.mode, &format!("{id}: {what}"), &cx.author, &cx.now)?;
    Ok(Outcome {
        records: vec![(id.clone(), doc)],
        commit,
        changed: true,
    })
}
