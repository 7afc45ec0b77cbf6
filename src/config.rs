//! `arende.yaml`: which policy pack a repository follows, and its settings.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fs;
use crate::yaml::{self, Value};

/// The name of the repository configuration file; it marks a record repository.
pub const CONFIG_FILE: &str = "arende.yaml";

/// The repository configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// The policy pack in force (`inera`, `ehm`, `stockholm`).
    pub policy: String,
    /// The organisation keeping the records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The timezone for business hours and display; the pack's if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Whether new records start with the `# yaml-language-server: $schema=…`
    /// modeline that points editors at their kind's schema in `schemas/`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub modeline: bool,
    /// How approvals are checked against the history that made them.
    #[serde(default, skip_serializing_if = "ApprovalSettings::is_default")]
    pub approvals: ApprovalSettings,
    /// Saved listings, run as `arende list --view NAME`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub views: std::collections::BTreeMap<String, View>,
}

/// A saved listing under `views:` in `arende.yaml`: the options of
/// `arende list`, by their long names. Options given on the command line
/// beside `--view` are added to it (statuses and `where`) or replace it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// Only this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Only these statuses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
    /// Only this priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// `key=value` filters.
    #[serde(default, rename = "where", skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<String>,
    /// The sort key (`-field` descending, `due`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Only tickets assigned to the person running it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    /// Only tickets of this team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Only tickets no person has.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unassigned: bool,
    /// Only records not settled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
}

/// `approvals:` in `arende.yaml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalSettings {
    /// `validate` checks every approval in force against the commit that
    /// introduced it (as `--verify-approvals` asks), and `approve` needs
    /// the people registry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verify: bool,
    /// That commit must carry a good signature by a key of the approving
    /// person's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed: bool,
}

impl ApprovalSettings {
    fn is_default(&self) -> bool {
        *self == ApprovalSettings::default()
    }
}

impl RepoConfig {
    /// Reads `arende.yaml` in `root`.
    pub fn read(root: &Path) -> Result<RepoConfig> {
        let path = root.join(CONFIG_FILE);
        let text = fs::read_text(&path, yaml::MAX_RECORD_BYTES)?;
        let doc = yaml::parse_mapping(&path, &text)?;
        yaml::from_value(&Value::Mapping(doc)).map_err(|e| Error::Config {
            path,
            message: e.to_string(),
            help: Some("arende.yaml holds `policy:` (inera, ehm or stockholm), and optionally `organisation:`, `timezone:`, `modeline: true`, `approvals: {verify: true, signed: true}` and `views:` (saved listings)".into()),
        })
    }

    /// The file's text.
    pub fn to_yaml(&self) -> String {
        // A struct serializes to a mapping (see `yaml::to_value`).
        let value = yaml::to_value(self);
        value.as_mapping().map(yaml::to_string).unwrap_or_default()
    }
}
