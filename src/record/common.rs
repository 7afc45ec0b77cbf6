//! Field types shared by several kinds of record.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use crate::id::RecordId;
use crate::time::Timestamp;
use crate::yaml::Value;

/// A degree of impact, urgency or risk (*hög, medel, låg*), highest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// *hög*
    High,
    /// *medel*
    Medium,
    /// *låg*
    Low,
}

impl Level {
    /// Every level, highest first.
    pub const ALL: [Level; 3] = [Level::High, Level::Medium, Level::Low];

    /// The value as written in a record.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }
}

/// An incident or request priority, 1 (most urgent) to 5. Which levels a
/// policy uses, and what they mean, is the policy's: Inera has 1–4,
/// Stockholm and E-hälsomyndigheten 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[schemars(transparent)]
pub struct Priority(#[schemars(range(min = 1, max = 5))] u8);

impl Priority {
    /// A priority from its number, if it is 1–5.
    pub fn new(n: u8) -> Option<Priority> {
        (1..=5).contains(&n).then_some(Priority(n))
    }

    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        u8::try_from(n).ok().and_then(Priority::new).ok_or_else(|| {
            serde::de::Error::custom(format!("priority {n} is not one of 1, 2, 3, 4, 5"))
        })
    }
}

/// A problem class or the fault class a change fixes: 1 kritisk, 2 hög,
/// 3 medium, 4 låg (seed 000 §3.3, §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[schemars(transparent)]
pub struct FaultClass(#[schemars(range(min = 1, max = 4))] u8);

impl FaultClass {
    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for FaultClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        match u8::try_from(n) {
            Ok(c @ 1..=4) => Ok(FaultClass(c)),
            _ => Err(serde::de::Error::custom(format!(
                "class {n} is not one of 1 (kritisk), 2 (hög), 3 (medium), 4 (låg)"
            ))),
        }
    }
}

/// A service's availability class (seed 003 §3.1: A 99.9 %, B 98 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ServiceClass {
    /// A-klassat system.
    A,
    /// B-klassat system.
    B,
}

/// How a ticket reached the service desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// *telefon*: required for Inera priority 1.
    Phone,
    /// *e-post*
    Email,
    /// a web form
    Web,
    /// automatic monitoring (*övervakning*)
    Monitoring,
}

/// Who reported a ticket. `party` is one of the policy's parties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reporter {
    /// The reporting party, from the policy (Inera: kund, agent, slutkund, …).
    pub party: Option<String>,
    /// The reporting organisation.
    pub organisation: Option<String>,
    /// The person.
    pub name: Option<String>,
}

/// A decision on an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// *godkänd*
    Approved,
    /// *avslagen*
    Rejected,
}

impl Decision {
    /// The value as written in a record.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }
}

/// An approval (*godkännande*, the G of seed 002's tables) by a party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Approval {
    /// The approving party or body (e.g. `andringsforum`, `staden`).
    pub by: String,
    /// The person who decided for it, by their handle in
    /// `policy/people.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Approved or rejected.
    pub decision: Decision,
    /// When.
    pub at: Timestamp,
    /// What the approval is for, where a policy asks for approvals of
    /// separate steps (e.g. `classification`, `proposal`, `closing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// A remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the decision saw: a digest of each field the step covers, so a
    /// later change of one of them makes the approval stale.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub covers: std::collections::BTreeMap<String, String>,
}

/// One field's change inside a history event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    /// Dotted field name.
    pub field: String,
    /// The value before (absent: the field was not set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub from: Option<Value>,
    /// The value after (absent: the field was removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub to: Option<Value>,
}

/// An entry in a record's `history`, appended by every command that changes
/// the record. SLA clocks are computed from these, not from commit times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// Who did it (`Name <email>`).
    pub by: String,
    /// The status the record moved to, if it moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The fields that changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// The note was told to the customer (a reply), not an internal work
    /// note: a reply can stop a feedback clock, and a public page shows
    /// replies only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub to_customer: bool,
    /// What a partner organisation did, as `arende sync` read it from the
    /// partner's repository (absent: it happened here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<Remote>,
}

/// A partner organisation's event on its own record, as `arende sync`
/// carried it here: which party did what on which of its records, and the
/// partner's commit it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Remote {
    /// The partner it was read from, by its name in `arende.yaml`.
    pub partner: String,
    /// The party that did it: the partner's, or, for an event the partner
    /// relayed from its own partner, that one's.
    pub party: String,
    /// The record it happened on, in that party's repository.
    pub record: String,
    /// When it happened there.
    pub at: Timestamp,
    /// The partner's commit it was read from.
    pub commit: String,
    /// The status the record moved to there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The team the record was given to there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The person it was given to there, where the exchange profile lets
    /// person names cross.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The event's note was a reply to that party's customer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reply: bool,
    /// What became of a report between the two (`arende send`, `intake`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Disposition>,
}

/// What became of a report one organisation made to another: sent (our
/// own event, by `arende send`), or the receiver's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Put on the partner's intake branch.
    Sent,
    /// Filed by the receiver under its own ID.
    Accepted,
    /// Refused by the receiver, with its reasons.
    Refused,
    /// Referred elsewhere (001: Inera *hänvisar* a Slutkund that reported
    /// without local troubleshooting to its Agent).
    Referred,
}

impl Disposition {
    /// The value as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Sent => "sent",
            Disposition::Accepted => "accepted",
            Disposition::Refused => "refused",
            Disposition::Referred => "referred",
        }
    }
}

impl std::fmt::Display for Disposition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Remote {
    /// Whether two records of a partner's event are the same event,
    /// whichever clone read it and from whichever of the partner's commits:
    /// what makes `arende sync` idempotent and two clones' syncs merge into
    /// one event.
    pub fn same_event(&self, other: &Remote) -> bool {
        self.party == other.party
            && self.record == other.record
            && self.at == other.at
            && self.status == other.status
            && self.group == other.group
            && self.verdict == other.verdict
            && self.reply == other.reply
    }
}

/// An identifier another organisation holds for the same matter (TM Forum
/// TMF621's `externalIdentifier`): a ticket number at a partner, kept at
/// every hop of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct External {
    /// The identifier there.
    pub id: String,
    /// The organisation that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The party that organisation is in the exchange (`slutkund`, `agent`,
    /// `inera`), which is also the kind of ticket number it is.
    #[serde(rename = "type")]
    pub party: String,
}

impl Event {
    /// Whether the event is a reply to the customer.
    pub fn is_reply(&self) -> bool {
        self.to_customer && self.note.is_some()
    }
}

/// Who has a ticket (002 §2.2 task 7, *tilldela ansvar*): a team and a
/// person of the people registry, by team ID and handle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The team (assignment group), by its ID in `policy/people.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The person, by handle, a member of the team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
}

/// The events `now` has beyond those of `before`, and whether `now` lost or
/// reordered one of `before`'s (a rewrite of the append-only history).
/// An event inserted among the old ones in time order is no rewrite: that
/// is how a merge or a rebase of two branches' events reads.
pub fn history_added<'a>(before: &[Event], now: &'a [Event]) -> (Vec<&'a Event>, bool) {
    let mut pending = before.iter().peekable();
    let mut added = Vec::new();
    for e in now {
        if pending.peek() == Some(&e) {
            pending.next();
        } else {
            added.push(e);
        }
    }
    if pending.peek().is_none() {
        return (added, false);
    }
    let added = now.iter().filter(|e| !before.contains(e)).collect();
    (added, true)
}

/// Links to other records, kept in both directions by `arende link`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Links {
    /// Linked incidents.
    #[serde(default)]
    pub incidents: Vec<RecordId>,
    /// Linked problems.
    #[serde(default)]
    pub problems: Vec<RecordId>,
    /// Linked changes.
    #[serde(default)]
    pub changes: Vec<RecordId>,
    /// Linked releases.
    #[serde(default)]
    pub releases: Vec<RecordId>,
    /// Linked configuration items.
    #[serde(default)]
    pub configuration_items: Vec<RecordId>,
    /// Linked service requests.
    #[serde(default)]
    pub requests: Vec<RecordId>,
    /// Linked capacity reviews.
    #[serde(default)]
    pub capacity_reviews: Vec<RecordId>,
}

impl Links {
    /// Every linked ID.
    pub fn all(&self) -> impl Iterator<Item = &RecordId> {
        self.incidents
            .iter()
            .chain(&self.problems)
            .chain(&self.changes)
            .chain(&self.releases)
            .chain(&self.configuration_items)
            .chain(&self.requests)
            .chain(&self.capacity_reviews)
    }
}

/// Where an imported record came from, so a re-run of the import is a no-op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// The other system (`servicenow`, …).
    pub system: String,
    /// The record's ID there.
    pub id: String,
}

/// A start and an end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Window {
    /// Start.
    pub start: Option<Timestamp>,
    /// End.
    pub end: Option<Timestamp>,
}

/// A local ticket number (*ärendenummer*). People write `kund: 4711` without
/// quotes, so a number is read as its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(transparent)]
pub struct TicketNumber(#[schemars(with = "TicketNumberSchema")] pub String);

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only describes the schema: a string or a whole number
enum TicketNumberSchema {
    Text(String),
    Number(u64),
}

impl<'de> Deserialize<'de> for TicketNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(TicketNumber(s)),
            Value::Number(n) if n.is_u64() || n.is_i64() => Ok(TicketNumber(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "a ticket number is text or a whole number, not {}",
                crate::record::describe(&other)
            ))),
        }
    }
}
