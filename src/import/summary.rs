//! What an import did (or, with `dry_run`, would do): the summary the CLI
//! prints, and the facts it is made of.

use std::path::PathBuf;

use git2::Oid;

use super::InputFormat;
use crate::id::RecordId;
use crate::policy::Severity;

/// Where the policy's priority differs from the one the input gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityDiff {
    /// The record.
    pub id: RecordId,
    /// Its key in the other system.
    pub source: String,
    /// The input's priority.
    pub given: u8,
    /// The policy's.
    pub policy: u8,
}

/// A rule of the policy that imported records break.
#[derive(Debug, Clone)]
pub struct RuleTally {
    /// The rule.
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// What it says.
    pub message: String,
    /// The records that break it.
    pub records: Vec<RecordId>,
    /// How to name each of `records` to a person: its ID, or, in a dry run,
    /// the source row of a record whose ID is not made yet (the dry run's
    /// IDs are drawn at random and the real import draws others).
    pub examples: Vec<String>,
    /// Each of `records` as the input names it: its key in the other
    /// system and its row (`servicenow INC0001 (row 2)`), or its ID.
    pub sources: Vec<String>,
}

/// A warning, with the rows or records it concerns.
#[derive(Debug, Clone)]
pub struct Warning {
    /// What happened.
    pub message: String,
    /// Examples: source IDs or rows (empty for warnings about the whole input).
    pub examples: Vec<String>,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone)]
pub struct Summary {
    /// The input.
    pub input: PathBuf,
    /// Its format.
    pub format: InputFormat,
    /// Rows (or records) read.
    pub rows: usize,
    /// Records they make.
    pub records: usize,
    /// Records created.
    pub created: Vec<RecordId>,
    /// Records updated.
    pub updated: Vec<RecordId>,
    /// Records found as they are.
    pub unchanged: usize,
    /// Records whose rows changed, left alone because `update` was not asked.
    pub differing: Vec<RecordId>,
    /// The commit made.
    pub commit: Option<Oid>,
    /// Whether nothing was written because of `dry_run`.
    pub dry_run: bool,
    /// Where the policy's priority differs from the input's.
    pub priority_diffs: Vec<PriorityDiff>,
    /// Rules of the policy the written records break.
    pub rules: Vec<RuleTally>,
    /// The errors waived by the waivers the import wrote (`waive`): record and rule.
    pub waived: Vec<(RecordId, String)>,
    /// Everything else worth knowing.
    pub warnings: Vec<Warning>,
}

impl Summary {
    /// The summary for scripts: the same facts the human summary prints.
    pub fn to_json(&self) -> serde_json::Value {
        let ids = |v: &[RecordId]| {
            v.iter()
                .map(|id| id.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        serde_json::json!({
            "input": self.input.display().to_string(),
            "input_format": self.format.name(),
            "rows": self.rows,
            "records": self.records,
            "created": ids(&self.created),
            "updated": ids(&self.updated),
            "unchanged": self.unchanged,
            "differing": ids(&self.differing),
            "dry_run": self.dry_run,
            "commit": self.commit.map(|c| c.to_string()),
            "priority_differences": self.priority_diffs.iter().map(|d| serde_json::json!({
                "id": d.id.as_str(),
                "source": d.source,
                "given": d.given,
                "policy": d.policy,
            })).collect::<Vec<_>>(),
            "rules": self.rules.iter().map(|r| serde_json::json!({
                "rule": r.rule,
                "severity": r.severity.as_str(),
                "message": r.message,
                "count": r.records.len(),
                "records": ids(&r.records),
                "examples": r.examples,
            })).collect::<Vec<_>>(),
            "waived": self.waived.iter().map(|(id, rule)| serde_json::json!({
                "record": id.as_str(),
                "rule": rule,
            })).collect::<Vec<_>>(),
            "warnings": self.warnings.iter().map(|w| serde_json::json!({
                "message": w.message,
                "examples": w.examples,
            })).collect::<Vec<_>>(),
        })
    }
}
