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
    /// Where the repository's `arende site` is published.
    #[serde(default, skip_serializing_if = "SiteSettings::is_default")]
    pub site: SiteSettings,
    /// Exchange of records with other organisations' repositories.
    #[serde(default, skip_serializing_if = "Exchange::is_default")]
    pub exchange: Exchange,
}

/// `exchange:` in `arende.yaml`: who this organisation is to its partners,
/// and the partners' repositories with what may cross to and from each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The party this organisation is in its partners' agreements
    /// (`slutkund`, `agent`, `kund`): the middle of the intake branches it
    /// sends, `intake/<party>/<ID>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The remote partners push their intake branches to: this
    /// repository's own on its host (default `origin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox: Option<String>,
    /// The partners, by the name `send` and `sync` know them by.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub partners: std::collections::BTreeMap<String, PartnerConfig>,
}

impl Exchange {
    fn is_default(&self) -> bool {
        *self == Exchange::default()
    }
}

/// One partner under `exchange.partners`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// Its record repository: anything `git fetch` takes (a path, relative
    /// to this repository's root, `ssh://`, `https://`, `git@host:path`).
    pub url: String,
    /// The party the partner is in the agreement (`inera`, `agent`).
    pub party: String,
    /// The policy pack its repository follows, which what is sent to it is
    /// translated to (default: this repository's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The branch its records are on (default `main`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The keys its people sign commits with, as lines of git's
    /// allowed-signers file (`principal ssh-ed25519 AAAA…`): where this
    /// repository asks for signed approvals, `sync` takes a partner's
    /// events only from a commit signed with one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// What may cross to it (`arende send`).
    #[serde(default)]
    pub send: Crossing,
    /// What is taken from it (`arende intake`, `arende sync`).
    #[serde(default)]
    pub receive: Crossing,
}

/// One direction of an exchange profile: the kinds and the fields that may
/// cross. Empty lists mean the defaults (`exchange::profile`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crossing {
    /// The kinds of record (`incident`, `change`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// The fields, dotted (`reporter.organisation`); a field names all
    /// under it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Person names may cross (`reporter.name`, `assignment.person`, who
    /// wrote an event); withheld unless this says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub names: bool,
}

/// `site:` in `arende.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// The address the site is published at, so that what leaves the
    /// repository (a SARIF rule's help on a pull request) can link into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<SiteUrl>,
}

impl SiteSettings {
    fn is_default(&self) -> bool {
        *self == SiteSettings::default()
    }
}

/// An absolute `http` or `https` address, kept without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteUrl(String);

impl SiteUrl {
    /// The address of a page of the site, by its path from the top
    /// (`rules/INC001.html`).
    pub fn page(&self, path: &str) -> String {
        format!("{}/{}", self.0, path.trim_start_matches('/'))
    }

    /// The address itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SiteUrl {
    type Error = String;

    fn try_from(text: String) -> std::result::Result<SiteUrl, String> {
        let host = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .map(|rest| rest.split('/').next().unwrap_or_default());
        let fine = host.is_some_and(|h| !h.is_empty())
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if !fine {
            return Err(format!(
                "`site.url` is `{text}`, not an absolute http(s) address such as https://itsm.example.se/arende"
            ));
        }
        Ok(SiteUrl(text.trim_end_matches('/').to_owned()))
    }
}

impl From<SiteUrl> for String {
    fn from(url: SiteUrl) -> String {
        url.0
    }
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
            help: Some("arende.yaml holds `policy:` (inera, ehm or stockholm), and optionally `organisation:`, `timezone:`, `modeline: true`, `approvals: {verify: true, signed: true}`, `views:` (saved listings), `site: {url: https://…}` (where `arende site` is published) and `exchange:` (partners, see docs/exchange.md)".into()),
        })
    }

    /// The file's text.
    pub fn to_yaml(&self) -> String {
        // A struct serializes to a mapping (see `yaml::to_value`).
        let value = yaml::to_value(self);
        value.as_mapping().map(yaml::to_string).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_url_is_an_absolute_web_address() {
        let url = SiteUrl::try_from("https://itsm.example.se/arende/".to_owned()).expect("fine");
        assert_eq!(
            url.page("rules/INC001.html"),
            "https://itsm.example.se/arende/rules/INC001.html"
        );
        for bad in [
            "itsm.example.se",
            "https://",
            "ftp://x.se",
            "https://x.se/a b",
            "file:///tmp/site",
        ] {
            assert!(SiteUrl::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }
}
