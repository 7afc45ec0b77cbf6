//! Approval steps (*godkännanden*): what a pack lets which party approve, the
//! status each approval gates and the fields it covers.
//!
//! An approval recorded on a record names its step and carries a digest of
//! every covered field as it was when the party decided. The latest decision
//! of each party for a step is the one in force, so a rejection revokes; and
//! an approval whose covered fields have changed since is stale and counts
//! for nothing, so an approved change cannot be moved to another service
//! window, or an approved problem re-classified, without a new decision.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Clause, PackError, Predicate, Status};
use crate::kind::Kind;
use crate::record::{Approval, Decision, document};
use crate::yaml::{Mapping, Value};

/// An approval step of a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalStep {
    /// Stable ID, used as `arende approve --step ID` (e.g. `change_forum`).
    pub id: String,
    /// The kind of record it applies to.
    pub kind: Kind,
    /// What is approved, in the agreement's language.
    pub title: String,
    /// The parties that may give it.
    pub parties: Vec<String>,
    /// Every party must approve (002 §4.2 task 8: G for both), not just one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_parties: bool,
    /// The status the approval must be in force for the record to enter.
    pub gates: Status,
    /// When the step applies at all (all must hold; none: always).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Predicate>,
    /// The dotted fields the decision rests on: a change of any of them
    /// after the approval makes it stale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
    /// The cell of seed 002's responsibility tables it implements, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raci: Option<RaciCell>,
    /// Where the pack fills a value the seed leaves open: what and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// Who may not give it (segregation of duties), if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segregation: Option<Segregation>,
    /// Where it comes from.
    pub clause: Clause,
}

/// Segregation of duties for an approval step: whose approval does not
/// count, with the clause that says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segregation {
    /// The person who filed the record, or who last changed a field the
    /// step covers, may not give it: nobody approves their own request.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_self: bool,
    /// The approver may not act for this party: the one responsible for
    /// the task (seed 002's "A"), where the approval is "andra Partens
    /// godkännande", the other party's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_than: Option<String>,
    /// Where the pack reads more into the clause than it says: what and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// Where it comes from.
    pub clause: Clause,
}

/// A row of a responsibility table (`process: change, nr: 7`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaciCell {
    /// The table's process (`incident`, `problem`, …).
    pub process: String,
    /// The row's number.
    pub nr: u32,
}

/// Where an approval step stands on a record.
#[derive(Debug, Clone, PartialEq)]
pub enum StepState<'a> {
    /// In force: approved, and nothing it covers has changed since.
    Approved(&'a Approval),
    /// No decision yet (by every party the step needs).
    Missing {
        /// The parties still to decide.
        parties: Vec<String>,
    },
    /// The decision in force is a rejection.
    Rejected(&'a Approval),
    /// Approved, but a covered field changed afterwards.
    Stale {
        /// The approval.
        approval: &'a Approval,
        /// The covered fields that moved.
        fields: Vec<String>,
    },
}

impl StepState<'_> {
    /// Whether the step is in force.
    pub fn is_approved(&self) -> bool {
        matches!(self, StepState::Approved(_))
    }

    /// Why the step is not in force, in a phrase (empty when it is).
    pub fn explain(&self, step: &ApprovalStep) -> String {
        match self {
            StepState::Approved(_) => String::new(),
            StepState::Missing { parties } => {
                format!("no approval of `{}` by {}", step.id, parties.join(" and "))
            }
            StepState::Rejected(a) => format!(
                "`{}` was rejected by {} at {}",
                step.id,
                a.by,
                a.at.to_rfc3339()
            ),
            StepState::Stale { approval, fields } => format!(
                "the approval of `{}` by {} at {} is stale: {} changed since",
                step.id,
                approval.by,
                approval.at.to_rfc3339(),
                fields.join(", ")
            ),
        }
    }
}

impl ApprovalStep {
    /// Where the step stands, given a record's approvals and its document.
    pub fn state<'a>(&self, approvals: &'a [Approval], doc: &Mapping) -> StepState<'a> {
        let mut approved = None;
        let mut stale = None;
        let mut missing = Vec::new();
        for party in &self.parties {
            match self.latest(approvals, party) {
                None => missing.push(party.clone()),
                Some(a) if a.decision == Decision::Rejected => return StepState::Rejected(a),
                Some(a) => {
                    let moved = self.moved_fields(a, doc);
                    if moved.is_empty() {
                        approved.get_or_insert(a);
                    } else {
                        stale.get_or_insert((a, moved));
                    }
                }
            }
        }
        let complete = !self.all_parties || (missing.is_empty() && stale.is_none());
        match (approved, stale) {
            (Some(a), _) if complete => StepState::Approved(a),
            (_, Some((approval, fields))) => StepState::Stale { approval, fields },
            _ => StepState::Missing { parties: missing },
        }
    }

    /// `party`'s decision in force for the step: the latest; among
    /// decisions at the same time, the one written last.
    fn latest<'a>(&self, approvals: &'a [Approval], party: &str) -> Option<&'a Approval> {
        approvals
            .iter()
            .filter(|a| a.by == party && a.step.as_deref() == Some(self.id.as_str()))
            .max_by(|a, b| a.at.cmp(&b.at))
    }

    /// The approvals in force for the step: each party's latest decision,
    /// where it is an approval and nothing it covers has moved since.
    pub fn in_force<'a>(&self, approvals: &'a [Approval], doc: &Mapping) -> Vec<&'a Approval> {
        self.parties
            .iter()
            .filter_map(|party| self.latest(approvals, party))
            .filter(|a| a.decision == Decision::Approved && self.moved_fields(a, doc).is_empty())
            .collect()
    }

    /// The covered fields whose value differs from the one the approval saw.
    /// An approval that recorded no digests (written by hand, or before
    /// arende kept them) cannot be checked, and is taken as it stands.
    pub fn moved_fields(&self, approval: &Approval, doc: &Mapping) -> Vec<String> {
        if approval.covers.is_empty() {
            return Vec::new();
        }
        self.covers
            .iter()
            .filter(|f| approval.covers.get(*f) != Some(&digest(document::get(doc, f))))
            .cloned()
            .collect()
    }

    /// The digests of the covered fields as they are in `doc`, for a new approval.
    pub fn covered(&self, doc: &Mapping) -> BTreeMap<String, String> {
        self.covers
            .iter()
            .map(|f| (f.clone(), digest(document::get(doc, f))))
            .collect()
    }

    /// Whether `party` may give this approval.
    pub fn allows(&self, party: &str) -> bool {
        self.parties.iter().any(|p| p == party)
    }
}

/// A short digest of a field's value (absent and null alike), stable across
/// platforms and runs: the first 12 hex digits of the SHA-1 of its JSON.
pub fn digest(value: Option<&Value>) -> String {
    let json = match value {
        None | Some(Value::Null) => "null".to_owned(),
        Some(v) => serde_json::to_string(v).unwrap_or_default(),
    };
    let oid = git2::Oid::hash_object(git2::ObjectType::Blob, json.as_bytes())
        .map(|o| o.to_string())
        .unwrap_or_default();
    oid.chars().take(12).collect()
}

impl super::Policy {
    /// A pack is data written by people: every step names parties that may
    /// approve, a status of its kind and fields its kind has.
    pub(super) fn check_approval_steps(&self) -> Result<(), PackError> {
        let mut seen = std::collections::BTreeSet::new();
        for step in &self.approval_steps {
            if !seen.insert((step.kind, step.id.as_str())) {
                return Err(PackError::StepTwice {
                    step: step.id.clone(),
                    kind: step.kind,
                });
            }
            if step.parties.is_empty() {
                return Err(PackError::StepWithoutParties {
                    step: step.id.clone(),
                    kind: step.kind,
                });
            }
            if let Some(p) = step
                .parties
                .iter()
                .find(|p| !self.party(p).is_some_and(|x| x.approves))
            {
                return Err(PackError::StepParty {
                    step: step.id.clone(),
                    kind: step.kind,
                    party: p.clone(),
                });
            }
            if let Some(seg) = &step.segregation {
                let party = seg.other_than.as_deref();
                if !seg.not_self && party.is_none() {
                    return Err(PackError::SegregationEmpty {
                        step: step.id.clone(),
                        kind: step.kind,
                    });
                }
                if let Some(p) = party.filter(|p| self.party(p).is_none() || step.allows(p)) {
                    return Err(PackError::SegregationParty {
                        step: step.id.clone(),
                        kind: step.kind,
                        party: p.to_owned(),
                    });
                }
            }
            if !step.gates.is_of(step.kind) {
                return Err(PackError::StepGate {
                    step: step.id.clone(),
                    kind: step.kind,
                    status: step.gates,
                });
            }
            let mut fields = step
                .covers
                .iter()
                .chain(step.when.iter().filter_map(|p| p.field.as_ref()));
            if let Some(f) = fields.find(|f| crate::schema::field_shape(step.kind, f).is_none()) {
                return Err(PackError::StepField {
                    step: step.id.clone(),
                    kind: step.kind,
                    field: f.clone(),
                });
            }
        }
        Ok(())
    }
}
