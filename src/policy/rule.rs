//! Rules as data. A rule applies to one kind of record; when every `when`
//! predicate holds, every `require` predicate must hold too. The predicates
//! are a small fixed vocabulary (field values, approvals, links, the
//! register, classification), so a new rule is a new entry in a pack, never
//! new code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Status;
use crate::kind::Kind;
use crate::yaml::Value;

/// How bad breaking a rule is: the seeds' *ska* is an error, *i regel* and
/// *bör* a warning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Advice: reported, fails only with `--strict`.
    Warning,
    /// Breaks the agreement: fails validation, and commands refuse to make it.
    Error,
}

impl Severity {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where in the seeds a rule comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// The seed document, by its number (`000` … `004`).
    pub seed: String,
    /// The section, as the seed names it.
    pub section: String,
    /// The words the rule rests on, quoted in the original.
    pub words: String,
}

/// All linked records of one kind must satisfy a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedAll {
    /// The `links` key (`changes`, `problems`, …).
    pub links: String,
    /// The field of the linked record.
    pub field: String,
    /// The values it may have.
    pub one_of: Vec<serde_json::Value>,
    /// Where set, a linked record counts only when it is also later than
    /// another of the record's links: the *next* release is one planned
    /// after the incident (000 §3.2 Prio 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<LinkedAfter>,
}

/// A time of a linked record that must come after the earliest time of the
/// records linked under another key: `{field: planned_at, links: incidents,
/// than: opened_at}` reads "planned after the first linked incident was
/// opened".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedAfter {
    /// The time field of the linked record (`planned_at`).
    pub field: String,
    /// The other `links` key (`incidents`).
    pub links: String,
    /// The time field of those records (`opened_at`).
    pub than: String,
}

/// A field of the records linked under a key, the source of a value that
/// follows from a linked record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedField {
    /// The `links` key (`problems`, `incidents`, …).
    pub links: String,
    /// The field of the linked record.
    pub field: String,
}

/// Approval steps whose decision in force was given before the record
/// first reached a status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedBefore {
    /// The steps, any of which will do.
    pub steps: Vec<String>,
    /// The status the approval must precede.
    pub status: Status,
    /// A status the record must have reached (by its history) before the
    /// approval was given: an approval given earlier judged a record not
    /// yet ready for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Status>,
}

impl ApprovedBefore {
    /// When the approval must be given, as a help says it: `, once the
    /// record is testing, before the record is deployed`.
    fn window(&self) -> String {
        let after = self
            .after
            .map_or(String::new(), |s| format!(", once the record is {s}"));
        format!("{after}, before the record is {}", self.status)
    }
}

/// A time at least some days before the record first reached a status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeforeReached {
    /// The status.
    pub status: Status,
    /// How many whole days before, at least (0: before, or at the moment).
    pub days: u32,
}

/// One test on a record, as a pack writes it: `{field: status, one_of:
/// [approved, closed]}`. Read through [`RawPredicate`], so a predicate with
/// no test, two tests or an unknown key is refused when the pack loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPredicate", into = "RawPredicate")]
pub struct Predicate {
    /// The dotted field the test reads (tests of approvals and links read none).
    pub field: Option<String>,
    /// The test.
    pub test: Test,
}

/// The tests a predicate can make: the whole vocabulary of rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// The field has this value.
    Equals(Value),
    /// The field has one of these values.
    OneOf(Vec<Value>),
    /// The field is set (true) or absent (false). An empty text or list counts as absent.
    Present(bool),
    /// The field's text matches this regular expression.
    Matches(String),
    /// The field is a number no larger than the number in this other field.
    AtMostField(String),
    /// The field's value is an entry of the repository's standard-change register.
    InRegister,
    /// The field has the value the policy's classification derives.
    Derived,
    /// One of these approval steps of the pack is in force: its latest
    /// decision is `approved` and nothing it covers has changed since.
    Approved(Vec<String>),
    /// Every history event that changed the field from an earlier value
    /// gives a reason: a note, or another field changed beside it (a
    /// `<field>_reason`, or the impact or urgency the value follows from).
    NotedChanges,
    /// The record's history has been in this status (or the record is in it now).
    Reached(Status),
    /// The record links at least one record under this `links` key.
    Linked(String),
    /// Every record linked under a key has a field with one of some values.
    LinkedAll(LinkedAll),
    /// At least one record linked under a key has a field with one of some values.
    LinkedAny(LinkedAll),
    /// The field had one of these values when the record was registered
    /// (read back through the history of its changes).
    RegisteredOneOf(Vec<Value>),
    /// The field, where set, equals the value of at least one linked record
    /// that has a value in one of these sources (none with a value: holds).
    SameAsLinked(Vec<LinkedField>),
    /// The field is a list of at most this many entries.
    CountAtMost(usize),
    /// One of these steps is in force, decided before the record first
    /// reached the status (or, with no such event, before its last event).
    ApprovedBefore(ApprovedBefore),
    /// The field is a time at least some days before the record first reached a status.
    BeforeReached(BeforeReached),
    /// The record's time in the change calendar has no conflict of this kind.
    NoConflict(ConflictTest),
}

/// A kind of conflict in the change calendar (see `crate::schedule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Another approved or scheduled change on one of the same items, at
    /// an overlapping time.
    SameItem,
    /// The same, on an item the change's items depend on or that depends
    /// on them (to the test's depth).
    Dependency,
    /// The window lies outside the maintenance windows of its items.
    OutsideMaintenance,
    /// The window overlaps a freeze window.
    InFreeze,
    /// The change's assignee is booked on another change at the same time.
    Assignee,
    /// A release's changes' windows lie outside its rollout window.
    Rollout,
}

impl ConflictKind {
    /// The kind of record a conflict of this kind is about.
    pub fn kind(self) -> crate::kind::Kind {
        match self {
            ConflictKind::Rollout => crate::kind::Kind::Release,
            _ => crate::kind::Kind::Change,
        }
    }

    /// Its name, as packs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::SameItem => "same_item",
            ConflictKind::Dependency => "dependency",
            ConflictKind::OutsideMaintenance => "outside_maintenance",
            ConflictKind::InFreeze => "in_freeze",
            ConflictKind::Assignee => "assignee",
            ConflictKind::Rollout => "rollout",
        }
    }
}

/// `no_conflict: same_item`, or `no_conflict: {kind: dependency, depth: 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawConflict", into = "RawConflict")]
pub struct ConflictTest {
    /// What is tested.
    pub kind: ConflictKind,
    /// For `dependency`: how many steps of `depends_on` away, either way
    /// (none: 1).
    pub depth: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum RawConflict {
    Kind(ConflictKind),
    Full {
        kind: ConflictKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        depth: Option<usize>,
    },
}

impl From<RawConflict> for ConflictTest {
    fn from(raw: RawConflict) -> ConflictTest {
        match raw {
            RawConflict::Kind(kind) => ConflictTest { kind, depth: None },
            RawConflict::Full { kind, depth } => ConflictTest { kind, depth },
        }
    }
}

impl From<ConflictTest> for RawConflict {
    fn from(t: ConflictTest) -> RawConflict {
        match t.depth {
            None => RawConflict::Kind(t.kind),
            Some(depth) => RawConflict::Full {
                kind: t.kind,
                depth: Some(depth),
            },
        }
    }
}

impl Test {
    /// The status the test names, if it names one.
    pub fn status(&self) -> Option<Status> {
        match self {
            Test::Reached(s) => Some(*s),
            Test::ApprovedBefore(a) => Some(a.status),
            Test::BeforeReached(b) => Some(b.status),
            _ => None,
        }
    }

    /// Whether the test reads the predicate's `field`.
    pub fn needs_field(&self) -> bool {
        !matches!(
            self,
            Test::Approved(_)
                | Test::Reached(_)
                | Test::Linked(_)
                | Test::LinkedAll(_)
                | Test::LinkedAny(_)
                | Test::ApprovedBefore(_)
                | Test::NoConflict(_)
        )
    }
}

/// A predicate as written in a pack: one optional key per test. Only the
/// wire form; the engine works on [`Predicate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPredicate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    equals: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    one_of: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    present: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    matches: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_most_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_register: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    derived: Option<bool>,
    /// One step, or a list of steps any one of which will do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approved: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    noted_changes: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reached: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    linked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    linked_all: Option<LinkedAll>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    linked_any: Option<LinkedAll>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registered_one_of: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    same_as_linked: Option<Vec<LinkedField>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count_at_most: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approved_before: Option<ApprovedBefore>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before_reached: Option<BeforeReached>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    no_conflict: Option<ConflictTest>,
}

/// `approved: change_forum` or `approved: [change_forum, fast_track]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One step.
    One(String),
    /// Any of these steps.
    Many(Vec<String>),
}

/// A predicate of a pack that is not one: serde reports its text with the
/// place in the pack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PredicateError {
    /// A flag test written `false`.
    #[error("`{0}: false` tests nothing; leave it out")]
    FalseFlag(&'static str),
    /// No test, or more than one.
    #[error(
        "each predicate makes exactly one test (equals, one_of, present, matches, at_most_field, in_register, derived, approved, noted_changes, reached, linked, linked_all, linked_any, registered_one_of, same_as_linked, count_at_most, approved_before, before_reached, no_conflict); this one makes {0}"
    )]
    TestCount(usize),
    /// An approval test naming no step.
    #[error("`approved` names no step")]
    NoStep,
    /// A test of a field without `field`.
    #[error("this test reads a field: give `field`")]
    NoField,
    /// A test of no field with `field`.
    #[error("this test reads no field; remove `field: {0}`")]
    NeedlessField(String),
}

impl TryFrom<RawPredicate> for Predicate {
    type Error = PredicateError;

    fn try_from(raw: RawPredicate) -> Result<Predicate, PredicateError> {
        let flag = |name: &'static str, v: Option<bool>| match v {
            Some(true) | None => Ok(()),
            Some(false) => Err(PredicateError::FalseFlag(name)),
        };
        flag("in_register", raw.in_register)?;
        flag("derived", raw.derived)?;
        flag("noted_changes", raw.noted_changes)?;
        let mut tests: Vec<Test> = Vec::new();
        tests.extend(raw.equals.map(Test::Equals));
        tests.extend(raw.one_of.map(Test::OneOf));
        tests.extend(raw.present.map(Test::Present));
        tests.extend(raw.matches.map(Test::Matches));
        tests.extend(raw.at_most_field.map(Test::AtMostField));
        tests.extend(raw.in_register.map(|_| Test::InRegister));
        tests.extend(raw.derived.map(|_| Test::Derived));
        tests.extend(raw.approved.map(|a| {
            Test::Approved(match a {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(v) => v,
            })
        }));
        tests.extend(raw.noted_changes.map(|_| Test::NotedChanges));
        tests.extend(raw.reached.map(Test::Reached));
        tests.extend(raw.linked.map(Test::Linked));
        tests.extend(raw.linked_all.map(Test::LinkedAll));
        tests.extend(raw.linked_any.map(Test::LinkedAny));
        tests.extend(raw.registered_one_of.map(Test::RegisteredOneOf));
        tests.extend(raw.same_as_linked.map(Test::SameAsLinked));
        tests.extend(raw.count_at_most.map(Test::CountAtMost));
        tests.extend(raw.approved_before.map(Test::ApprovedBefore));
        tests.extend(raw.before_reached.map(Test::BeforeReached));
        tests.extend(raw.no_conflict.map(Test::NoConflict));
        if tests.len() != 1 {
            return Err(PredicateError::TestCount(tests.len()));
        }
        let test = tests.remove(0);
        if let Test::Approved(steps) | Test::ApprovedBefore(ApprovedBefore { steps, .. }) = &test
            && steps.is_empty()
        {
            return Err(PredicateError::NoStep);
        }
        match (&raw.field, test.needs_field()) {
            (None, true) => Err(PredicateError::NoField),
            (Some(f), false) => Err(PredicateError::NeedlessField(f.clone())),
            _ => Ok(Predicate {
                field: raw.field,
                test,
            }),
        }
    }
}

impl From<Predicate> for RawPredicate {
    fn from(p: Predicate) -> RawPredicate {
        let mut raw = RawPredicate {
            field: p.field,
            ..RawPredicate::default()
        };
        match p.test {
            Test::Equals(v) => raw.equals = Some(v),
            Test::OneOf(v) => raw.one_of = Some(v),
            Test::Present(b) => raw.present = Some(b),
            Test::Matches(s) => raw.matches = Some(s),
            Test::AtMostField(s) => raw.at_most_field = Some(s),
            Test::InRegister => raw.in_register = Some(true),
            Test::Derived => raw.derived = Some(true),
            Test::Approved(mut steps) => {
                raw.approved = Some(if steps.len() == 1 {
                    OneOrMany::One(steps.remove(0))
                } else {
                    OneOrMany::Many(steps)
                })
            }
            Test::NotedChanges => raw.noted_changes = Some(true),
            Test::Reached(s) => raw.reached = Some(s),
            Test::Linked(s) => raw.linked = Some(s),
            Test::LinkedAll(l) => raw.linked_all = Some(l),
            Test::LinkedAny(l) => raw.linked_any = Some(l),
            Test::RegisteredOneOf(v) => raw.registered_one_of = Some(v),
            Test::SameAsLinked(l) => raw.same_as_linked = Some(l),
            Test::CountAtMost(n) => raw.count_at_most = Some(n),
            Test::ApprovedBefore(a) => raw.approved_before = Some(a),
            Test::BeforeReached(b) => raw.before_reached = Some(b),
            Test::NoConflict(c) => raw.no_conflict = Some(c),
        }
        raw
    }
}

impl std::fmt::Display for Predicate {
    /// The test in a few words, for `policy show` and the docs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.shown_field();
        let show = crate::record::document::display;
        match &self.test {
            Test::Equals(v) => write!(f, "{field} = {}", show(v)),
            Test::OneOf(vs) => write!(
                f,
                "{field} in [{}]",
                vs.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            Test::Present(true) => write!(f, "{field} is set"),
            Test::Present(false) => write!(f, "{field} is not set"),
            Test::Matches(re) => write!(f, "{field} matches {re}"),
            Test::AtMostField(o) => write!(f, "{field} <= {o}"),
            Test::InRegister => write!(f, "{field} is in the standard-change register"),
            Test::Derived => write!(f, "{field} is what classification gives"),
            Test::Approved(steps) => write!(f, "approved ({})", steps.join(" or ")),
            Test::NotedChanges => write!(f, "every change of {field} has a reason"),
            Test::Reached(s) => write!(f, "has been {s}"),
            Test::Linked(k) => write!(f, "linked to {k}"),
            Test::LinkedAll(la) => write!(f, "every {}", linked(la)),
            Test::LinkedAny(la) => write!(f, "some {}", linked(la)),
            Test::RegisteredOneOf(vs) => write!(
                f,
                "{field} at registration in [{}]",
                vs.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            Test::SameAsLinked(sources) => write!(
                f,
                "{field} agrees with the {}",
                sources
                    .iter()
                    .map(|s| format!("{} of a linked {}", s.field, s.links))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Test::CountAtMost(n) => write!(f, "{field} has at most {n}"),
            Test::ApprovedBefore(a) => {
                write!(f, "approved ({})", a.steps.join(" or "))?;
                if let Some(after) = a.after {
                    write!(f, " after {after} and")?;
                }
                write!(f, " before {}", a.status)
            }
            Test::BeforeReached(b) => {
                write!(f, "{field} at least {} days before {}", b.days, b.status)
            }
            Test::NoConflict(c) => match c.depth {
                Some(d) => write!(f, "no {} conflict (depth {d})", c.kind.as_str()),
                None => write!(f, "no {} conflict", c.kind.as_str()),
            },
        }
    }
}

/// `linked changes has status in [approved, …]`, for [`Predicate`]'s display.
fn linked(la: &LinkedAll) -> String {
    let values: Vec<String> = la.one_of.iter().map(|v| v.to_string()).collect();
    let after = la.after.as_ref().map_or(String::new(), |a| {
        format!(
            " and {} after the first linked {} {}",
            a.field, a.links, a.than
        )
    });
    format!(
        "linked {} has {} in [{}]{after}",
        la.links,
        la.field,
        values.join(", ")
    )
}

/// A rule of a policy pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable ID, e.g. `INC003`.
    pub id: String,
    /// What the rule asks, in one line.
    pub title: String,
    /// Error (*ska*) or warning (*i regel*, *bör*).
    pub severity: Severity,
    /// The kind of record it applies to.
    pub kind: Kind,
    /// When it applies: all must hold (none: always).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Predicate>,
    /// What must then hold: all of them.
    pub require: Vec<Predicate>,
    /// What a report says when the rule is broken.
    pub message: String,
    /// How to fix it, where the fix made from the failed test (see
    /// [`Rule::fix`]) is not good enough; none or empty: that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where it comes from. Every rule has one, or else an `own_choice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<Clause>,
    /// Why the pack asks this where no clause of the seeds does: the pack's
    /// (or the repository's overrides') own choice, marked as such wherever
    /// the rule is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_choice: Option<String>,
    /// Where the pack fills a value the seed leaves open: what and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// The line under which `arende report` counts the tickets registered
    /// in its period that break the rule (`priority 1 not reported by
    /// phone`): a duty the desk cannot enforce but the agreement's
    /// follow-up reads. Such a rule is judged on what a ticket says of its
    /// registration: status, priority, impact, urgency, channel
    /// (`reported_via`) and reporting party (`reporter.party`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// What a broken rule's help can say of the record at hand, beyond the
/// rule itself: gathered by the engine, worded here, so every rule gets a
/// fix naming the field and the other records, whether or not its pack
/// wrote one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// `arende approve …` for each step the failed test names.
    pub approve: Vec<String>,
    /// The linked records the failed test reads: ID and their value of the
    /// field it reads (`None`: not set).
    pub linked: Vec<(String, Option<String>)>,
    /// The entries of the standard-change register that count.
    pub register: Vec<String>,
    /// Why the entry the record names does not count, where it does not.
    pub unagreed: Option<String>,
    /// The field's value now, as shown.
    pub value: Option<String>,
    /// The value classification gives the field, for `derived`.
    pub derived: Option<String>,
}

/// A help's commands with the record's ID in place of the `ID` placeholder,
/// so they can be run as printed.
pub fn with_id(help: &str, id: &str) -> String {
    [
        "set", "status", "approve", "classify", "link", "unlink", "show", "assign", "note",
    ]
    .iter()
    .fold(help.to_owned(), |help, cmd| {
        help.replace(&format!("arende {cmd} ID"), &format!("arende {cmd} {id}"))
    })
}

/// Where the standard-change register lives, as the help names it.
/// Where the standard-change register lives, relative to the root.
pub const REGISTER: &str = "policy/standard-changes.yaml";

impl Rule {
    /// What the rule rests on, in full: `seed 000 §3.4 …: "the words"`, or
    /// `the pack's own choice: why`.
    pub fn grounds(&self) -> String {
        match (&self.clause, &self.own_choice) {
            (Some(c), _) => format!("seed {} {}: \"{}\"", c.seed, c.section, c.words),
            (None, Some(why)) => format!("the pack's own choice (no seed clause): {why}"),
            (None, None) => "no seed clause".to_owned(),
        }
    }

    /// Where it rests, short: `000 §3.4 …`, or `own choice`.
    pub fn grounds_short(&self) -> String {
        match &self.clause {
            Some(c) => format!("{} {}", c.seed, c.section),
            None => "own choice".to_owned(),
        }
    }

    /// How to mend the record that breaks this rule at `failed`: the pack's
    /// own `help` where it wrote one, else a fix made from the test; either
    /// way followed by what the record's links or the register say, so a
    /// rule about other records names them. Never empty.
    pub fn fix(&self, failed: &Predicate, facts: &Facts) -> String {
        let base = match self.help.as_deref().map(str::trim) {
            Some(h) if !h.is_empty() => h.to_owned(),
            _ => failed.fix(facts),
        };
        match failed.detail(facts) {
            Some(detail) => format!("{base} ({detail})"),
            None => base,
        }
    }
}

impl Predicate {
    /// The field the test reads, as its text names it. Every test that
    /// reads one has one (a pack is refused otherwise as it loads), and the
    /// texts of the others name none: the empty text is never shown.
    fn shown_field(&self) -> &str {
        self.field.as_deref().unwrap_or_default()
    }

    /// The fix for a record that fails this test, from the test alone: a
    /// table, one text per test of the vocabulary.
    pub fn fix(&self, facts: &Facts) -> String {
        let field = self.shown_field();
        let show = crate::record::document::display;
        let list = |vs: &[Value]| vs.iter().map(show).collect::<Vec<_>>().join(", ");
        match &self.test {
            Test::Equals(v) => format!(
                "set `{field}: {}` (arende set ID {field}={})",
                show(v),
                show(v)
            ),
            Test::OneOf(vs) => format!(
                "set `{field}` to one of: {} (arende set ID {field}=VALUE)",
                list(vs)
            ),
            Test::Present(true) => format!("fill in `{field}`: arende set ID {field}=VALUE"),
            Test::Present(false) => format!("remove `{field}`: arende set ID {field}="),
            Test::Matches(re) => format!(
                "write `{field}` in the form the pack asks (the pattern {re}): arende set ID {field}=VALUE"
            ),
            Test::AtMostField(other) => {
                format!("set `{field}` no larger than `{other}`, or raise `{other}`")
            }
            Test::InRegister => format!(
                "set `{field}` to an entry of the standard-change register {REGISTER}, add the entry there (with id, title, agreed_by and agreed_at), or make the change a normal one (arende set ID category=normal)"
            ),
            Test::Derived => match &facts.derived {
                Some(v) => format!(
                    "set `{field}` to {v}, the value the policy derives from the record: run `arende classify ID`"
                ),
                None => format!(
                    "give the policy what it derives `{field}` from, then run `arende classify ID`"
                ),
            },
            Test::Approved(_) => approval_fix("", facts),
            Test::ApprovedBefore(a) => approval_fix(&a.window(), facts),
            Test::NotedChanges => format!(
                "give a reason for each change of `{field}`: arende set ID {field}=VALUE --note \"why\", or set `{field}_reason`"
            ),
            Test::Reached(s) => format!(
                "move the record through `{s}` first (its `history` must show it): arende status ID {s}"
            ),
            Test::Linked(key) => {
                format!("link the record under `links.{key}`: arende link ID OTHER")
            }
            Test::LinkedAll(la) => format!(
                "every record under `links.{}` must have `{}` in [{}]: move those that do not on, or unlink them",
                la.links,
                la.field,
                json_list(&la.one_of)
            ),
            Test::LinkedAny(la) => format!(
                "link a record under `links.{}` whose `{}` is one of [{}]{} (arende link ID OTHER), or move a linked one on",
                la.links,
                la.field,
                json_list(&la.one_of),
                after_text(la)
            ),
            Test::RegisteredOneOf(vs) => format!(
                "`{field}` must have been one of {} when the record was registered: file it anew with `{field}` set at registration, or note why in the history",
                list(vs)
            ),
            Test::SameAsLinked(sources) => format!(
                "set `{field}` to the {}: arende set ID {field}=VALUE",
                sources
                    .iter()
                    .map(|s| format!("`{}` of a record under `links.{}`", s.field, s.links))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Test::CountAtMost(n) => {
                format!("keep no more than {n} in `{field}`; remove the others")
            }
            Test::BeforeReached(b) => format!(
                "set `{field}` to a time at least {} days before the record is {}, or move it to {} later",
                b.days, b.status, b.status
            ),
            Test::NoConflict(c) => conflict_fix(c.kind),
        }
    }

    /// What the record's other records or the register say, for the tests
    /// that read them.
    fn detail(&self, facts: &Facts) -> Option<String> {
        let field = self.shown_field();
        let linked = |what: &str| -> Option<String> {
            if facts.linked.is_empty() {
                return Some("no record is linked there".to_owned());
            }
            Some(
                facts
                    .linked
                    .iter()
                    .map(|(id, v)| match v {
                        Some(v) => format!("{id} has {what} {v}"),
                        None => format!("{id} has no {what}"),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        };
        match &self.test {
            Test::LinkedAll(la) | Test::LinkedAny(la) => linked(&format!("`{}`", la.field)),
            Test::SameAsLinked(_) => linked("the value").map(|d| match &facts.value {
                Some(v) => format!("`{field}` is {v}; {d}"),
                None => d,
            }),
            Test::Linked(_) => None,
            Test::InRegister => {
                let why = facts.unagreed.as_deref().unwrap_or("it is not there");
                Some(match (&facts.value, facts.register.is_empty()) {
                    (Some(v), true) => format!(
                        "`{v}` does not count: {why}; {REGISTER} has no entry that counts; add one with `changes: [{{id: {v}, title: …, agreed_by: …, agreed_at: YYYY-MM-DD}}]`"
                    ),
                    (Some(v), false) => format!(
                        "`{v}` does not count: {why}; the entries that do are {}",
                        facts.register.join(", ")
                    ),
                    (None, _) => format!("{REGISTER} holds {}", facts.register.join(", ")),
                })
            }
            _ => None,
        }
    }
}

/// The fix for a conflict in the change calendar.
fn conflict_fix(kind: ConflictKind) -> String {
    match kind {
        ConflictKind::SameItem | ConflictKind::Dependency => "move the window so it does not overlap the other change (arende set ID service_window.start=… service_window.end=…), or agree the order with the other change's owner and move that one; `arende schedule` shows the calendar".to_owned(),
        ConflictKind::OutsideMaintenance => "move the window inside a maintenance window of the items it touches (arende set ID service_window.start=… service_window.end=…); `arende schedule` lists them, policy/calendar.yaml holds them".to_owned(),
        ConflictKind::InFreeze => "move the window out of the freeze (arende set ID service_window.start=… service_window.end=…); policy/calendar.yaml says why the freeze is there".to_owned(),
        ConflictKind::Assignee => "give one of the changes to another person (arende assign ID --to PERSON), or move its window (arende set ID service_window.start=…)".to_owned(),
        ConflictKind::Rollout => "widen the release's rollout window (arende set ID rollout_window.start=… rollout_window.end=…), or move the changes' windows inside it".to_owned(),
    }
}

/// What a linked test's `after` adds to its fix: ` and whose … is after …`.
fn after_text(la: &LinkedAll) -> String {
    la.after.as_ref().map_or(String::new(), |a| {
        format!(
            " and whose `{}` is after the `{}` of the first record under `links.{}`",
            a.field, a.than, a.links
        )
    })
}

/// The fix for a missing approval (`when`: by when it is needed, or
/// empty): the `arende approve` commands the facts give, else its form.
fn approval_fix(when: &str, facts: &Facts) -> String {
    if facts.approve.is_empty() {
        format!(
            "record the approval in `approvals`{when}: arende approve ID --by PARTY --step STEP"
        )
    } else {
        format!(
            "record the approval in `approvals`{when}: {}",
            facts.approve.join(", or ")
        )
    }
}

fn json_list(vs: &[serde_json::Value]) -> String {
    vs.iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predicate(yaml: &str) -> Predicate {
        serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    /// Every test of the vocabulary, so a rule a pack writes without `help`
    /// still gets a fix that names what it reads.
    #[test]
    fn every_test_has_a_fix_naming_what_it_reads() {
        let cases = [
            ("{field: priority, equals: 1}", "priority"),
            ("{field: category, one_of: [normal]}", "category"),
            ("{field: workaround, present: true}", "workaround"),
            ("{field: workaround, present: false}", "workaround"),
            ("{field: tickets.kund, matches: '^[0-9]+$'}", "tickets.kund"),
            ("{field: level, at_most_field: limit}", "limit"),
            (
                "{field: standard_ref, in_register: true}",
                "standard-changes.yaml",
            ),
            ("{field: priority, derived: true}", "priority"),
            ("{approved: change_forum}", "approvals"),
            ("{field: priority, noted_changes: true}", "priority"),
            ("{reached: scheduled}", "scheduled"),
            ("{linked: changes}", "links.changes"),
            (
                "{linked_all: {links: changes, field: status, one_of: [approved]}}",
                "links.changes",
            ),
            (
                "{linked_any: {links: problems, field: status, one_of: [known_error]}}",
                "links.problems",
            ),
            ("{field: priority, registered_one_of: [1]}", "priority"),
            (
                "{field: fault_class, same_as_linked: [{links: problems, field: class}]}",
                "fault_class",
            ),
            ("{field: depends_on, count_at_most: 3}", "depends_on"),
            (
                "{approved_before: {steps: [test], status: deployed}}",
                "deployed",
            ),
            (
                "{approved_before: {steps: [test], status: deployed, after: testing}}",
                "once the record is testing",
            ),
            (
                "{field: planned_at, before_reached: {status: implemented, days: 5}}",
                "planned_at",
            ),
        ];
        for (yaml, names) in cases {
            let fix = predicate(yaml).fix(&Facts::default());
            assert!(fix.contains(names), "{yaml}: {fix}");
        }
    }

    #[test]
    fn a_rule_about_others_names_them() {
        let p = predicate("{linked_all: {links: changes, field: status, one_of: [approved]}}");
        let rule = Rule {
            id: "REL003".into(),
            title: "t".into(),
            severity: Severity::Error,
            kind: Kind::Release,
            when: Vec::new(),
            require: vec![p.clone()],
            message: "m".into(),
            help: Some("  ".into()),
            clause: Some(Clause {
                seed: "000".into(),
                section: "§3.6".into(),
                words: "w".into(),
            }),
            own_choice: None,
            chosen: None,
            report: None,
        };
        let facts = Facts {
            linked: vec![("CHG-20261102-CCCCCC".into(), Some("rejected".into()))],
            ..Facts::default()
        };
        let fix = rule.fix(&p, &facts);
        assert!(
            fix.contains("CHG-20261102-CCCCCC has `status` rejected"),
            "{fix}"
        );
        assert_eq!(
            with_id("arende status ID approved", "REL-1"),
            "arende status REL-1 approved"
        );
    }
}
