//! What can be wrong with a pack that its types cannot rule out: the faults
//! found once the merged pack is read (a rule naming a field its kind does
//! not have, a matrix cell without a priority level, …).
//!
//! Each message names the part of the pack at fault first, so a person can
//! find it in `arende policy show --format yaml`; the loader adds the file
//! and the help.

use super::Status;
use crate::kind::Kind;
use crate::record::{Level, statuses};

/// A fault of a pack found when it is loaded.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A `matches` pattern (or a release scheme) that is no regular expression.
    #[error("pattern `{pattern}`: {source}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// Why the regex crate refused it.
        source: regex::Error,
    },
    /// Two rules with one ID.
    #[error("rule {rule} is defined twice")]
    RuleTwice {
        /// The rule's ID.
        rule: String,
    },
    /// A rule whose `help` is blank, which would hide the fix made from its test.
    #[error(
        "rule {rule}: `help` is empty; write how to mend a record that breaks the rule, or leave `help` out to use the fix made from its test"
    )]
    EmptyHelp {
        /// The rule's ID.
        rule: String,
    },
    /// A calendar test on a kind of record it is not about.
    #[error("rule {rule}: `no_conflict: {conflict}` is about {}, not the rule's kind", .kind.with_article())]
    ConflictKind {
        /// The rule's ID.
        rule: String,
        /// The conflict named.
        conflict: &'static str,
        /// The kind it is about.
        kind: Kind,
    },
    /// A rule with neither a clause nor an own choice, or with both.
    #[error(
        "rule {rule}: give either the seed `clause` it rests on or, where no clause asks it, `own_choice` saying why the pack does (one of the two, not both)"
    )]
    RuleGrounds {
        /// The rule's ID.
        rule: String,
    },
    /// A rule's predicate on a field its kind does not have.
    #[error("rule {rule}: {kind} has no field `{field}`")]
    RuleField {
        /// The rule's ID.
        rule: String,
        /// The kind the rule is about.
        kind: Kind,
        /// The dotted field.
        field: String,
    },
    /// A rule asking for an approval step the pack does not define.
    #[error("rule {rule}: `{step}` is not an approval step of {kind} in the pack")]
    RuleStep {
        /// The rule's ID.
        rule: String,
        /// The step named.
        step: String,
        /// The kind the rule is about.
        kind: Kind,
    },
    /// A rule's test naming a status its kind does not have: it could never
    /// be reached.
    #[error("rule {rule}: `{status}` is not {} status", .kind.with_article())]
    RuleStatus {
        /// The rule's ID.
        rule: String,
        /// The status named.
        status: Status,
        /// The kind the rule is about.
        kind: Kind,
    },
    /// Two approval steps of one kind with one ID.
    #[error("approval step {step} of {kind} is defined twice")]
    StepTwice {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
    },
    /// An approval step no party may give.
    #[error("approval step {step} of {kind}: name the parties that may give it")]
    StepWithoutParties {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
    },
    /// An approval step given by a party that is not an approving party.
    #[error("approval step {step} of {kind}: `{party}` is not an approving party of the pack")]
    StepParty {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
        /// The party named.
        party: String,
    },
    /// An approval step's segregation that asks nothing.
    #[error(
        "approval step {step} of {kind}: its segregation names neither `not_self: true` nor `other_than: PARTY`"
    )]
    SegregationEmpty {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
    },
    /// An approval step whose "other party" is no party, or gives the step itself.
    #[error(
        "approval step {step} of {kind}: `other_than: {party}` must name a party of the pack that does not give the step"
    )]
    SegregationParty {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
        /// The party named.
        party: String,
    },
    /// An approval step gating a status its kind does not have.
    #[error("approval step {step} of {kind}: gates `{status}`, which is not {} status", .kind.with_article())]
    StepGate {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
        /// The status it gates.
        status: Status,
    },
    /// An approval step covering (or conditioned on) a field its kind does not have.
    #[error("approval step {step} of {kind}: {kind} has no field `{field}`")]
    StepField {
        /// The step's ID.
        step: String,
        /// Its kind of record.
        kind: Kind,
        /// The dotted field.
        field: String,
    },
    /// A cascade along a key that links no kind of record.
    #[error("cascade of {kind}: `{links}` is not a links key")]
    CascadeLinks {
        /// The kind whose status starts the cascade.
        kind: Kind,
        /// The key named.
        links: String,
    },
    /// A cascade naming a status the kind does not have.
    #[error("cascade of {kind}: `{status}` is not {} status", .of.with_article())]
    CascadeStatus {
        /// The kind whose status starts the cascade.
        kind: Kind,
        /// The status named.
        status: Status,
        /// The kind it should be a status of.
        of: Kind,
    },
    /// A responsibility table naming a party the pack does not have.
    #[error("raci {process} row {row}: `{party}` is not a party of the pack")]
    RaciParty {
        /// The table's process.
        process: String,
        /// The row's number.
        row: u32,
        /// The party named.
        party: String,
    },
    /// A party named in a section of the pack that is no party of it.
    #[error("{section}: `{party}` is not a party of the pack")]
    SectionParty {
        /// The pack's section (`takeover`, `standard_register`).
        section: &'static str,
        /// The party named.
        party: String,
    },
    /// A kind of record without a status machine.
    #[error("no status machine for {kind}")]
    NoStatusMachine {
        /// The kind.
        kind: Kind,
    },
    /// A status machine naming a status its kind does not have.
    #[error("status machine of {kind}: `{status}` is not {} status ({})", .kind.with_article(), statuses(*.kind).join(", "))]
    MachineStatus {
        /// The kind.
        kind: Kind,
        /// The status named.
        status: Status,
    },
    /// A cell of the impact × urgency matrix left empty.
    #[error("matrix: no priority for impact {} × urgency {}", .impact.as_str(), .urgency.as_str())]
    MatrixGap {
        /// The row.
        impact: Level,
        /// The column.
        urgency: Level,
    },
    /// A cell of the matrix holding a priority the pack has no level for.
    #[error("matrix: priority {priority} (impact {} × urgency {}) is not a priority level of the pack", .impact.as_str(), .urgency.as_str())]
    MatrixPriority {
        /// The priority in the cell.
        priority: u8,
        /// The row.
        impact: Level,
        /// The column.
        urgency: Level,
    },
    /// The service levels' business calendar cannot be built.
    #[error("service_levels.calendar: {0}")]
    Calendar(crate::calendar::CalendarError),
    /// A clock with no target, or more than one.
    #[error("clock {clock}: give exactly one of minutes, hours, working_days")]
    ClockTarget {
        /// The clock's ID.
        clock: String,
    },
    /// A clock counting working days around the clock.
    #[error("clock {clock}: working days are counted in office hours")]
    ClockWorkingDays {
        /// The clock's ID.
        clock: String,
    },
    /// A clock stopping or pausing at a status one of its kinds does not have.
    #[error("clock {clock}: `{status}` is not {} status", .kind.with_article())]
    ClockStatus {
        /// The clock's ID.
        clock: String,
        /// The status named.
        status: Status,
        /// The kind it should be a status of.
        kind: Kind,
    },
    /// The service requests' priority is not a level of the pack.
    #[error("request_priority {priority} is not a priority level of the pack")]
    RequestPriority {
        /// The priority given.
        priority: u8,
    },
}

/// A word given for a field whose values the pack names (a priority, a
/// problem class, an impact, a change category) that names none of them;
/// each lists the values there are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotNamed {
    /// Not one of the pack's change categories.
    #[error("`{text}` is not a change category of the {pack} pack; it has {categories}")]
    Category {
        /// The word given.
        text: String,
        /// The pack's name.
        pack: String,
        /// The categories, each `ID (label)`.
        categories: String,
    },
    /// Not a value of an enumerated field, by ID or word.
    #[error("`{text}` is not a value of `{field}`; {near}it takes {values}")]
    Word {
        /// "did you mean `x`? ", or nothing.
        near: String,
        /// The word given.
        text: String,
        /// The field.
        field: String,
        /// The values, each `ID (label)`.
        values: String,
    },
    /// Not a numbered level's label or alias (priorities, problem classes).
    #[error("`{text}` is not one of {values}")]
    Numbered {
        /// The word given.
        text: String,
        /// The levels, each `number (label)`.
        values: String,
    },
}
