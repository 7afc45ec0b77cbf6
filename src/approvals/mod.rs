//! Who decided: the person behind an approval, and the duties that keep an
//! approver apart from what they approve.
//!
//! `arende approve` finds the acting person with [`approver`]: the person
//! of the people registry (`policy/people.yaml`) whose git identity is the
//! author's, who must act for the approving party. [`duties`] then holds
//! the step's segregation of duties (declared per step in the pack, with
//! its clause) against the record: nobody approves what they filed or last
//! changed, and where the seed asks for "andra Partens godkännande", the
//! approver does not act for the party that did the task.

pub mod cache;
pub mod verify;

use crate::error::Error;
use crate::people::{PEOPLE_FILE, Person, Registry};
use crate::policy::ApprovalStep;
use crate::record::{Event, Record};
use crate::store::Author;
use crate::workspace::Workspace;

/// The person approving.
#[derive(Debug, Clone)]
pub struct Approver {
    /// The registered person; `None` in a repository without a registry.
    pub person: Option<Person>,
    /// The addresses they commit with (the author's alone without a
    /// registry): what the record's history names them by.
    pub emails: Vec<String>,
    /// The parties of the pack they act for, themselves or through a team
    /// (none known without a registry).
    pub parties: Vec<String>,
}

/// Why a person may not give an approval.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    /// The repository verifies approvals but has no registry to name people in.
    #[error(
        "this repository verifies approvals (`approvals: {{verify: true}}` in arende.yaml), but it has no people registry ({PEOPLE_FILE})"
    )]
    NoRegistry,
    /// The author is nobody of the registry.
    #[error("{author} is nobody in {PEOPLE_FILE}: an approval names the person who decides")]
    NotRegistered {
        /// The author, `Name <email>`.
        author: String,
        /// Their address.
        email: String,
    },
    /// An approval names a handle the registry does not have.
    #[error("the approval names {handle}, who is nobody in {PEOPLE_FILE}")]
    UnknownPerson {
        /// The handle named.
        handle: String,
    },
    /// The person does not act for the party.
    #[error("{handle} ({name}) does not act for {party}")]
    NotAMember {
        /// The person's handle.
        handle: String,
        /// Their name.
        name: String,
        /// The party.
        party: String,
        /// The handles of those who do.
        members: Vec<String>,
    },
    /// The approver filed the record, or last changed a field the step covers.
    #[error("{who} {did} {id}, so may not give its approval `{step}` ({clause})")]
    OwnRequest {
        /// The approver.
        who: String,
        /// What they did: `filed` or `last changed <field> of`.
        did: String,
        /// The record.
        id: String,
        /// The step.
        step: String,
        /// The clause of the segregation.
        clause: String,
    },
    /// The approver acts for the party responsible for the task.
    #[error(
        "{who} acts for {party}, the party responsible for the task; `{step}` is the other party's approval ({clause})"
    )]
    SameParty {
        /// The approver.
        who: String,
        /// The party they may not act for.
        party: String,
        /// The step.
        step: String,
        /// The clause of the segregation.
        clause: String,
    },
}

impl ApprovalError {
    /// How to put it right.
    pub fn help(&self) -> String {
        match self {
            ApprovalError::NoRegistry => format!(
                "write {PEOPLE_FILE} with the people who approve, their e-mail addresses and parties (docs/guide.md, \"Approvals you can audit\")"
            ),
            ApprovalError::UnknownPerson { handle } => format!(
                "an approval names the person who gave it by their handle in {PEOPLE_FILE}: add {handle} there, or give the approval again with `arende approve`"
            ),
            ApprovalError::NotRegistered { email, .. } => format!(
                "add {email} to the `emails:` of your entry in {PEOPLE_FILE}, or run with --author naming your registered git identity"
            ),
            ApprovalError::NotAMember { party, members, .. } if members.is_empty() => format!(
                "{PEOPLE_FILE} names nobody who acts for {party}: add {party} to the `parties:` of those who decide for it"
            ),
            ApprovalError::NotAMember { party, members, .. } => format!(
                "the approval is given by one who acts for {party} in {PEOPLE_FILE}: {}",
                members.join(", ")
            ),
            ApprovalError::OwnRequest { .. } => {
                "another person of the approving party gives this approval".to_owned()
            }
            ApprovalError::SameParty { .. } => {
                "a person who acts only for the approving party gives this approval".to_owned()
            }
        }
    }
}

impl From<ApprovalError> for Error {
    fn from(e: ApprovalError) -> Error {
        Error::refused(e.to_string(), Some(e.help()))
    }
}

/// The person `author` is, approving for `party`: their registry entry,
/// which must act for the party. Without a registry, the author alone,
/// unless the repository verifies approvals.
pub fn approver(ws: &Workspace, author: &Author, party: &str) -> Result<Approver, Error> {
    let Some((registry, text)) = Registry::read(ws.root())? else {
        if ws.store().config().approvals.verify {
            return Err(ApprovalError::NoRegistry.into());
        }
        return Ok(Approver {
            person: None,
            emails: vec![author.email.clone()],
            parties: Vec::new(),
        });
    };
    registry.check(ws.policy(), &text)?;
    let person = member(&registry, author, party)?;
    Ok(Approver::of(ws.policy(), &registry, person))
}

impl Approver {
    /// `person` of `registry`, with the parties of `policy` they act for.
    pub fn of(policy: &crate::policy::Policy, registry: &Registry, person: &Person) -> Approver {
        Approver {
            emails: person.emails.clone(),
            parties: policy
                .parties
                .iter()
                .filter(|p| registry.acts_for(person, &p.id))
                .map(|p| p.id.clone())
                .collect(),
            person: Some(person.clone()),
        }
    }
}

/// The registry's person whose git identity is `author`'s, if they act
/// for `party`.
pub fn member<'r>(
    registry: &'r Registry,
    author: &Author,
    party: &str,
) -> Result<&'r Person, ApprovalError> {
    let person = registry
        .by_email(&author.email)
        .ok_or_else(|| ApprovalError::NotRegistered {
            author: author.to_string(),
            email: author.email.clone(),
        })?;
    if !registry.acts_for(person, party) {
        return Err(ApprovalError::NotAMember {
            handle: person.handle.clone(),
            name: person.name.clone(),
            party: party.to_owned(),
            members: registry
                .members(party)
                .map(|p| format!("{} ({})", p.handle, p.name))
                .collect(),
        });
    }
    Ok(person)
}

/// Holds `step`'s segregation of duties for `approver` on `record`, as it
/// is before the approval.
pub fn duties(
    step: &ApprovalStep,
    record: &Record,
    approver: &Approver,
) -> Result<(), ApprovalError> {
    held(step, record, &record.common.history, approver)
}

/// The segregation of the step `approval` names, held for `approver`
/// against the record's history up to the approval: how an approval
/// already given is judged (by `validate`, and against its commit).
fn held_at(
    policy: &crate::policy::Policy,
    record: &Record,
    approval: &crate::record::Approval,
    approver: &Approver,
) -> Result<(), ApprovalError> {
    let Some(step) = approval
        .step
        .as_deref()
        .and_then(|id| policy.steps(record.kind()).find(|st| st.id == id))
    else {
        return Ok(());
    };
    let before: Vec<Event> = record
        .common
        .history
        .iter()
        .filter(|e| e.at <= approval.at)
        .cloned()
        .collect();
    held(step, record, &before, approver)
}

/// [`duties`] judged on `history`, the record's events before the approval.
fn held(
    step: &ApprovalStep,
    record: &Record,
    history: &[Event],
    approver: &Approver,
) -> Result<(), ApprovalError> {
    let Some(seg) = &step.segregation else {
        return Ok(());
    };
    let clause = format!("{} {}", seg.clause.seed, seg.clause.section);
    let who = approver
        .person
        .as_ref()
        .map_or_else(|| approver.emails.join(", "), |p| p.handle.clone());
    if seg.not_self
        && let Some(did) = own_part(history, step, &approver.emails)
    {
        return Err(ApprovalError::OwnRequest {
            who,
            did,
            id: record.id().to_string(),
            step: step.id.clone(),
            clause,
        });
    }
    if let Some(party) = &seg.other_than
        && approver.parties.contains(party)
    {
        return Err(ApprovalError::SameParty {
            who,
            party: party.clone(),
            step: step.id.clone(),
            clause,
        });
    }
    Ok(())
}

/// What is wrong with the approvals `record` holds, each by its index in
/// `approvals`: a person who is nobody of the registry or does not act for
/// the party, or who the step's segregation of duties bars (judged on the
/// history before the approval). Only approvals that name a person are
/// judged, and only where there is a registry.
pub fn recorded(
    registry: &Registry,
    policy: &crate::policy::Policy,
    record: &Record,
) -> Vec<(usize, ApprovalError)> {
    let mut out = Vec::new();
    for (i, approval) in record.common.approvals.iter().enumerate() {
        let Some(handle) = &approval.person else {
            continue;
        };
        if approval.decision != crate::record::Decision::Approved {
            continue;
        }
        let Some(person) = registry.person(handle) else {
            out.push((
                i,
                ApprovalError::UnknownPerson {
                    handle: handle.clone(),
                },
            ));
            continue;
        };
        if !registry.acts_for(person, &approval.by) {
            out.push((
                i,
                ApprovalError::NotAMember {
                    handle: person.handle.clone(),
                    name: person.name.clone(),
                    party: approval.by.clone(),
                    members: registry
                        .members(&approval.by)
                        .map(|p| format!("{} ({})", p.handle, p.name))
                        .collect(),
                },
            ));
            continue;
        }
        let approver = Approver::of(policy, registry, person);
        if let Err(e) = held_at(policy, record, approval, &approver) {
            out.push((i, e));
        }
    }
    out
}

/// An approval as people read it in a table: `review` and `show`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// The step (`change_forum`), or `?` for an approval naming none.
    pub step: String,
    /// The party.
    pub party: String,
    /// The person's handle, if the approval names one.
    pub person: Option<String>,
    /// `approved` or `rejected`.
    pub decision: String,
    /// When, as RFC 3339.
    pub at: String,
    /// The covered fields that moved since: the approval counts for nothing.
    pub stale: Vec<String>,
    /// Whether it verified against the commit that introduced it, and if
    /// not why; `None` when it was not verified.
    pub verified: Option<std::result::Result<(), String>>,
    /// The approver's remark.
    pub note: Option<String>,
}

/// The rows of `record`'s approvals, in the record's order. `unverified`
/// holds what verification found, by approval index; `checked` says
/// whether verification ran at all. Only approvals in force are verified:
/// a superseded or stale one shows no verdict.
pub fn rows(
    policy: &crate::policy::Policy,
    record: &Record,
    doc: &crate::yaml::Mapping,
    unverified: &[(usize, String)],
    checked: bool,
) -> Vec<Row> {
    let approvals = &record.common.approvals;
    let in_force: Vec<&crate::record::Approval> = policy
        .steps(record.kind())
        .flat_map(|s| s.in_force(approvals, doc))
        .collect();
    approvals
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let step = a
                .step
                .as_deref()
                .and_then(|id| policy.steps(record.kind()).find(|s| s.id == id));
            let judged = checked && in_force.iter().any(|f| std::ptr::eq(*f, a));
            let verified = judged.then(|| match unverified.iter().find(|(at, _)| *at == i) {
                Some((_, why)) => Err(why.clone()),
                None => Ok(()),
            });
            Row {
                step: a.step.clone().unwrap_or_else(|| "?".into()),
                party: a.by.clone(),
                person: a.person.clone(),
                decision: a.decision.as_str().to_owned(),
                at: a.at.to_rfc3339(),
                stale: step.map(|s| s.moved_fields(a, doc)).unwrap_or_default(),
                verified,
                note: a.note.clone(),
            }
        })
        .collect()
}

/// What the person with `emails` did to the record that bars them from
/// approving `step`: filed it, or last changed a field the step covers.
fn own_part(history: &[Event], step: &ApprovalStep, emails: &[String]) -> Option<String> {
    let theirs =
        |by: &str| email_of(by).is_some_and(|e| emails.iter().any(|m| m.eq_ignore_ascii_case(e)));
    if history.first().is_some_and(|e| theirs(&e.by)) {
        return Some("filed".to_owned());
    }
    let last = history.iter().rev().find_map(|e| {
        e.changes
            .iter()
            .find(|c| step.covers.iter().any(|f| overlaps(f, &c.field)))
            .map(|c| (e, c))
    });
    match last {
        Some((e, c)) if theirs(&e.by) => Some(format!("last changed {} of", c.field)),
        _ => None,
    }
}

/// The address of `Name <email>`.
pub fn email_of(by: &str) -> Option<&str> {
    let (_, rest) = by.rsplit_once('<')?;
    rest.strip_suffix('>').map(str::trim)
}

/// Whether the dotted fields `a` and `b` are one, or one holds the other.
fn overlaps(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    within(a, b) || within(b, a)
}

/// Every record of `kinds` (all, if empty) that holds an approval, read
/// whole: what verifying approvals looks at, and nothing else.
pub fn records_with_approvals(
    ws: &Workspace,
    kinds: &[crate::kind::Kind],
) -> Vec<crate::workspace::Entry> {
    ws.select(kinds, &|_| true)
        .map(crate::workspace::cache::Docs::Keep, |e| {
            (!e.record.common.approvals.is_empty()).then_some(e)
        })
        .into_iter()
        .flatten()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_overlap_when_one_holds_the_other() {
        assert!(overlaps("schedule", "schedule.start"));
        assert!(overlaps("schedule.start", "schedule"));
        assert!(overlaps("priority", "priority"));
        assert!(!overlaps("schedule", "scheduled"));
        assert!(!overlaps("impact", "urgency"));
    }

    #[test]
    fn addresses_come_from_the_angle_brackets() {
        assert_eq!(email_of("Eva Ek <eva@x.se>"), Some("eva@x.se"));
        assert_eq!(email_of("Eva <Ek> <eva@x.se>"), Some("eva@x.se"));
        assert_eq!(email_of("nobody"), None);
    }
}
