//! REC005: every party a record names is a party of the policy, in a role the
//! policy gives it, and every approval names a step the pack declares for the
//! record's kind and the party. A typo in a party (`kunden` for `kund`) would
//! otherwise switch off every rule keyed on it without a word.

use super::checks;
use super::engine::Violation;
use crate::policy::Policy;
use crate::record::{Record, document};
use crate::suggest::did_you_mean;
use crate::yaml::Mapping;

/// The party findings of one record.
pub fn check(policy: &Policy, doc: &Mapping, record: &Record) -> Vec<Violation> {
    let mut out = Vec::new();
    let finding = |field: String, message: String, help: String| Violation {
        rule: checks::PARTY.id.into(),
        severity: checks::PARTY.severity,
        field,
        message,
        help: Some(help),
        clause: None,
    };
    let listing = |pred: &dyn Fn(&crate::policy::Party) -> bool| {
        policy
            .parties
            .iter()
            .filter(|p| pred(p))
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
    };
    if let Some(party) = document::get(doc, "reporter.party").map(document::display) {
        let reporters = listing(&|p| p.reports);
        if !reporters.contains(&party.as_str()) {
            out.push(finding(
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
            ));
        }
    }
    if let Some(owner) = document::get(doc, "owner").map(document::display) {
        let all = listing(&|_| true);
        if !all.contains(&owner.as_str()) {
            out.push(finding(
                "owner".into(),
                format!("`{owner}` is not a party of the {} policy", policy.name),
                format!(
                    "{}set `owner` to one of the parties: {}",
                    did_you_mean(&owner, all.iter().copied()),
                    all.join(", ")
                ),
            ));
        }
    }
    let kind = record.kind();
    let steps: Vec<&str> = policy.steps(kind).map(|s| s.id.as_str()).collect();
    for (i, a) in record.common.approvals.iter().enumerate() {
        let approvers = listing(&|p| p.approves);
        if !approvers.contains(&a.by.as_str()) {
            out.push(finding(
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
            continue;
        }
        let Some(name) = &a.step else {
            out.push(finding(
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
            continue;
        };
        match policy.step(kind, name) {
            None => out.push(finding(
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
            Some(step) if !step.allows(&a.by) => out.push(finding(
                format!("approvals[{i}].by"),
                format!("{} does not give the approval `{name}`", a.by),
                format!(
                    "`{name}` is given by {}: correct `approvals[{i}].by`, or record the approval anew (arende approve ID --by {} --step {name})",
                    step.parties.join(" and "),
                    step.parties.join("|")
                ),
            )),
            Some(_) => {}
        }
    }
    out
}
