//! REC005: every party a record names is a party of the policy, in a role the
//! policy gives it, and every approval names a step the pack declares for the
//! record's kind and the party. A typo in a party (`kunden` for `kund`) would
//! otherwise switch off every rule keyed on it without a word.

use super::checks;
use super::engine::Violation;
use crate::kind::Kind;
use crate::policy::{Party, Policy};
use crate::record::{Approval, Record, document};
use crate::suggest::did_you_mean;
use crate::yaml::Mapping;

/// The party findings of one record.
pub fn check(policy: &Policy, doc: &Mapping, record: &Record) -> Vec<Violation> {
    let kind = record.kind();
    let steps: Vec<&str> = policy.steps(kind).map(|s| s.id.as_str()).collect();
    let approvals = record.common.approvals.iter().enumerate();
    reporter(policy, doc)
        .into_iter()
        .chain(owner(policy, doc))
        .chain(approvals.filter_map(|(i, a)| approval(policy, kind, &steps, i, a)))
        .collect()
}

/// A finding of REC005 at `field`.
fn finding(field: String, message: String, help: String) -> Violation {
    Violation {
        rule: checks::PARTY.id.into(),
        severity: checks::PARTY.severity,
        field,
        message,
        help: Some(help),
        clause: None,
    }
}

/// The IDs of the pack's parties that `role` allows, in the pack's order.
fn parties_where(policy: &Policy, role: impl Fn(&Party) -> bool) -> Vec<&str> {
    policy
        .parties
        .iter()
        .filter(|p| role(p))
        .map(|p| p.id.as_str())
        .collect()
}

/// The reporter's party, if given, must be one that reports.
fn reporter(policy: &Policy, doc: &Mapping) -> Option<Violation> {
    let party = document::get(doc, "reporter.party").map(document::display)?;
    let reporters = parties_where(policy, |p| p.reports);
    if reporters.contains(&party.as_str()) {
        return None;
    }
    Some(finding(
        "reporter.party".into(),
        format!(
            "`{party}` is not a reporting party of the {} policy",
            policy.name
        ),
        format!(
            "{}set `reporter.party` to one of the reporting parties: {}",
            did_you_mean(&party, reporters.iter().copied()),
            reporters.join(", ")
        ),
    ))
}

/// The owner, if given, must be a party of the pack.
fn owner(policy: &Policy, doc: &Mapping) -> Option<Violation> {
    let owner = document::get(doc, "owner").map(document::display)?;
    let all = parties_where(policy, |_| true);
    if all.contains(&owner.as_str()) {
        return None;
    }
    Some(finding(
        "owner".into(),
        format!("`{owner}` is not a party of the {} policy", policy.name),
        format!(
            "{}set `owner` to one of the parties: {}",
            did_you_mean(&owner, all.iter().copied()),
            all.join(", ")
        ),
    ))
}

/// The `i`th approval must be by an approving party, name a step of the
/// record's kind (`steps`), and that step must be one the party gives.
fn approval(
    policy: &Policy,
    kind: Kind,
    steps: &[&str],
    i: usize,
    a: &Approval,
) -> Option<Violation> {
    let approvers = parties_where(policy, |p| p.approves);
    if !approvers.contains(&a.by.as_str()) {
        return Some(finding(
            format!("approvals[{i}].by"),
            format!(
                "`{}` is not an approving party of the {} policy",
                a.by, policy.name
            ),
            format!(
                "{}write one of the approving parties in `approvals[{i}].by`: {}",
                did_you_mean(&a.by, approvers.iter().copied()),
                approvers.join(", ")
            ),
        ));
    }
    let Some(name) = &a.step else {
        return Some(finding(
            format!("approvals[{i}]"),
            format!("the approval by {} names no step", a.by),
            format!(
                "add the step it is for (`step:`): {}",
                if steps.is_empty() {
                    "the pack declares none for this kind".to_owned()
                } else {
                    steps.join(", ")
                }
            ),
        ));
    };
    match policy.step(kind, name) {
        None => Some(finding(
            format!("approvals[{i}].step"),
            format!(
                "`{name}` is not an approval step of {} in the {} policy",
                kind.with_article(),
                policy.name
            ),
            format!(
                "{}write one of the steps in `approvals[{i}].step`: {}",
                did_you_mean(name, steps.iter().copied()),
                if steps.is_empty() {
                    "none for this kind".to_owned()
                } else {
                    steps.join(", ")
                }
            ),
        )),
        Some(step) if !step.allows(&a.by) => Some(finding(
            format!("approvals[{i}].by"),
            format!("{} does not give the approval `{name}`", a.by),
            format!(
                "`{name}` is given by {}: correct `approvals[{i}].by`, or record the approval anew (arende approve ID --by {} --step {name})",
                step.parties.join(" and "),
                step.parties.join("|")
            ),
        )),
        Some(_) => None,
    }
}
