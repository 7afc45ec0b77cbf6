//! The seven kinds of record and where each lives in the repository.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A kind of record (SPEC §1, §2).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An unplanned event that hinders normal work (*incident*).
    Incident,
    /// The cause of one or more incidents (*problem*).
    Problem,
    /// An addition, modification or removal (*ändring*).
    Change,
    /// A set of approved changes moved to test and production (*release*).
    Release,
    /// An order or question of IT nature (*service request*, *tjänsteförfrågan*).
    ServiceRequest,
    /// A configuration item in the CMDB (*konfigurationsobjekt*).
    ConfigurationItem,
    /// A capacity review with its measurements (*kapacitetshantering*).
    CapacityReview,
}

impl Kind {
    /// Every kind, in the order commands list them.
    pub const ALL: [Kind; 7] = [
        Kind::Incident,
        Kind::Problem,
        Kind::Change,
        Kind::Release,
        Kind::ServiceRequest,
        Kind::ConfigurationItem,
        Kind::CapacityReview,
    ];

    /// The ID prefix (`INC`, `PRB`, …).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Incident => "INC",
            Kind::Problem => "PRB",
            Kind::Change => "CHG",
            Kind::Release => "REL",
            Kind::ServiceRequest => "SR",
            Kind::ConfigurationItem => "CI",
            Kind::CapacityReview => "CAP",
        }
    }

    /// The folder the kind's records live in.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Incident => "incidents",
            Kind::Problem => "problems",
            Kind::Change => "changes",
            Kind::Release => "releases",
            Kind::ServiceRequest => "requests",
            Kind::ConfigurationItem => "configuration",
            Kind::CapacityReview => "capacity",
        }
    }

    /// The name used in records (`kind: incident`) and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Problem => "problem",
            Kind::Change => "change",
            Kind::Release => "release",
            Kind::ServiceRequest => "service_request",
            Kind::ConfigurationItem => "configuration_item",
            Kind::CapacityReview => "capacity_review",
        }
    }

    /// The name with its indefinite article, for messages: "an incident",
    /// "a change".
    pub fn with_article(self) -> String {
        let article = if self.name().starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.name())
    }

    /// The key under `links` that holds IDs of this kind.
    pub fn link_key(self) -> &'static str {
        match self {
            Kind::Incident => "incidents",
            Kind::Problem => "problems",
            Kind::Change => "changes",
            Kind::Release => "releases",
            Kind::ServiceRequest => "requests",
            Kind::ConfigurationItem => "configuration_items",
            Kind::CapacityReview => "capacity_reviews",
        }
    }

    /// The kind whose IDs start with `prefix`.
    pub fn from_prefix(prefix: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }

    /// Reads a kind as a person types it: its name, folder or prefix, or a
    /// short form (`request`, `ci`, `capacity`).
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.to_ascii_lowercase().replace('-', "_");
        Kind::ALL
            .into_iter()
            .find(|k| s == k.name() || s == k.dir() || s == k.prefix().to_ascii_lowercase())
            .or(match s.as_str() {
                "request" | "sr" => Some(Kind::ServiceRequest),
                "ci" | "configuration" | "config_item" => Some(Kind::ConfigurationItem),
                "capacity" | "cap" => Some(Kind::CapacityReview),
                _ => None,
            })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
