//! Rules as data. A rule applies to one kind of record; when every `when`
//! predicate holds, every `require` predicate must hold too. The predicates
//! are a small fixed vocabulary (field values, approvals, links, the
//! register, classification), so a new rule is a new entry in a pack, never
//! new code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
}

/// One test on a record. Exactly one of the tests is given; `field` names
/// the field the value tests look at.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Predicate {
    /// The dotted field the test reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The field has this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub equals: Option<Value>,
    /// The field has one of these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    pub one_of: Option<Vec<Value>>,
    /// The field is set (true) or absent (false). An empty text or list counts as absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// The field's text matches this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// The field is a number no larger than the number in this other field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most_field: Option<String>,
    /// The field's value is an entry of the repository's standard-change register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_register: Option<bool>,
    /// The field has the value the policy's classification derives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<bool>,
    /// An approval by this party, with decision `approved`, exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// With `approved_by`: the approval is for this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Every history event that changed the field from an earlier value
    /// gives a reason: a note, or another field changed beside it (a
    /// `<field>_reason`, or the impact or urgency the value follows from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noted_changes: Option<bool>,
    /// The record links at least one record under this `links` key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked: Option<String>,
    /// Every record linked under a key has a field with one of some values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_all: Option<LinkedAll>,
}

impl Predicate {
    /// How many tests the predicate gives (a well-formed one gives one).
    pub fn test_count(&self) -> usize {
        [
            self.equals.is_some(),
            self.one_of.is_some(),
            self.present.is_some(),
            self.matches.is_some(),
            self.at_most_field.is_some(),
            self.in_register.is_some(),
            self.derived.is_some(),
            self.approved_by.is_some(),
            self.noted_changes.is_some(),
            self.linked.is_some(),
            self.linked_all.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }

    /// Whether the test reads `field`.
    pub fn needs_field(&self) -> bool {
        self.approved_by.is_none() && self.linked.is_none() && self.linked_all.is_none()
    }
}

/// A rule of a policy pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// How to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where it comes from.
    pub clause: Clause,
    /// Where the pack fills a value the seed leaves open: what and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
}
