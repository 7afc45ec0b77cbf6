//! Exchange between organisations' record repositories, over git (001: a
//! Kund, Agent or Slutkund *anmäler* incidents and changes to Inera with
//! its own ticket numbers "för enklare spårbarhet"; 002 task 8 and 10: the
//! Leverantör takes incidents from the service desk and reports their
//! handling back; 003: actors report to E-hälsomyndigheten).
//!
//! Each organisation keeps its own repository. A record crosses as a file
//! on a branch `intake/<sender's party>/<sender's ID>` pushed into the
//! receiver's repository ([`outgoing`]); the receiver files it under its
//! own ID or writes its refusal back on the branch ([`intake`]); each side
//! reads the other's repository for what happened to the records they
//! share and records it on its own ([`sync`]). Identifiers travel in
//! `external` (TMF621's `externalIdentifier`), so every hop keeps every
//! ticket number. What may cross, each way, is the partner's profile in
//! `arende.yaml` ([`profile`]); nothing from a partner's repository is run
//! or read as configuration.

pub mod intake;
pub mod outgoing;
pub mod profile;
pub mod sync;

use std::path::Path;

use crate::config::{PartnerConfig, RepoConfig};
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::store::remote::Address;

pub use profile::Profile;

/// The folder of an intake branch's one file: `intake/<party>/<ID>.yaml`.
pub const INTAKE_DIR: &str = "intake";

/// A partner as this repository's `arende.yaml` describes it, read once.
#[derive(Debug, Clone)]
pub struct Partner {
    /// Our name for it.
    pub name: String,
    /// Its repository.
    pub address: Address,
    /// The party it is.
    pub party: String,
    /// The pack its repository follows.
    pub policy: Policy,
    /// The branch its records are on.
    pub branch: String,
    /// The keys it signs commits with (allowed-signers lines).
    pub keys: Vec<String>,
    /// What may go to it.
    pub send: Profile,
    /// What is taken from it.
    pub receive: Profile,
}

impl Partner {
    /// The partner `name` of the repository at `root`.
    pub fn named(root: &Path, config: &RepoConfig, name: &str) -> Result<Partner> {
        let Some(found) = config.exchange.partners.get(name) else {
            let known: Vec<&str> = config
                .exchange
                .partners
                .keys()
                .map(String::as_str)
                .collect();
            return Err(Error::usage(
                format!("no partner `{name}` in arende.yaml"),
                Some(if known.is_empty() {
                    "add one: arende partner add NAME URL --party PARTY".to_owned()
                } else {
                    format!(
                        "the partners are {}; add another with arende partner add NAME URL --party PARTY",
                        known.join(", ")
                    )
                }),
            ));
        };
        Partner::from_config(root, config, name, found)
    }

    /// Every partner, in name order.
    pub fn all(root: &Path, config: &RepoConfig) -> Result<Vec<Partner>> {
        config
            .exchange
            .partners
            .iter()
            .map(|(name, found)| Partner::from_config(root, config, name, found))
            .collect()
    }

    fn from_config(
        root: &Path,
        config: &RepoConfig,
        name: &str,
        found: &PartnerConfig,
    ) -> Result<Partner> {
        let bad = |message: String, help: &str| Error::Config {
            path: root.join(crate::config::CONFIG_FILE),
            message: format!("exchange.partners.{name}: {message}"),
            help: Some(help.to_owned()),
        };
        let pack = found.policy.as_deref().unwrap_or(&config.policy);
        let policy = Policy::load(pack, None).map_err(|_| {
            bad(
                format!("`policy: {pack}` is no pack arende has"),
                "name the partner's pack: inera, ehm or stockholm",
            )
        })?;
        Ok(Partner {
            name: name.to_owned(),
            address: Address::parse(root, &found.url),
            party: found.party.clone(),
            branch: found.branch.clone().unwrap_or_else(|| "main".to_owned()),
            keys: found.keys.clone(),
            send: Profile::read(&found.send).map_err(|e| bad(e, PROFILE_HELP))?,
            receive: Profile::read(&found.receive).map_err(|e| bad(e, PROFILE_HELP))?,
            policy,
        })
    }

    /// Where a fetch of the partner keeps its branch of records.
    pub fn head_ref(&self) -> String {
        format!("refs/arende/partners/{}/head", self.name)
    }

    /// Where a fetch keeps the intake branches this repository sent to the
    /// partner (one per record, by our ID).
    pub fn intake_refs(&self) -> String {
        format!("refs/arende/partners/{}/intake/", self.name)
    }

    /// The partner's commit the last sync read.
    pub fn synced_ref(&self) -> String {
        format!("refs/arende/partners/{}/synced", self.name)
    }
}

const PROFILE_HELP: &str = "a profile is `kinds: [incident, change]` and `fields: [title, description, …]` (dotted names), and `names: true` to let person names cross; see docs/exchange.md";

/// This organisation's party to its partners (`exchange.party`).
pub fn our_party(root: &Path, config: &RepoConfig) -> Result<String> {
    config.exchange.party.clone().ok_or_else(|| Error::Config {
        path: root.join(crate::config::CONFIG_FILE),
        message: "`exchange.party` is not set: partners know this organisation by its party"
            .into(),
        help: Some(
            "say which party this organisation is in its partners' agreements: arende partner add NAME URL --party PARTY --as OUR_PARTY, or `exchange: {party: agent}` in arende.yaml".into(),
        ),
    })
}

/// Our organisation's name as partners see it: `organisation` in
/// `arende.yaml`, else our party.
pub fn our_owner(config: &RepoConfig) -> Option<String> {
    config
        .organisation
        .clone()
        .or_else(|| config.exchange.party.clone())
}

/// Checks a party or record name before it goes into a branch name: a
/// branch `intake/<party>/<ID>` must be one git takes and no other.
pub fn plain_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Our records that hold an identifier of `party`'s: that identifier →
/// our ID, for every kind `kinds` names. Reads only the files that have an
/// `external:` list at all.
pub fn links(
    ws: &crate::workspace::Workspace,
    party: &str,
    kinds: &[crate::kind::Kind],
) -> std::collections::HashMap<String, crate::id::RecordId> {
    use rayon::prelude::*;
    let root = ws.root();
    let (paths, _) = ws.store().record_paths(kinds);
    paths
        .par_iter()
        .filter_map(|rel| {
            let text = crate::fs::read_text(&root.join(rel), crate::yaml::MAX_RECORD_BYTES).ok()?;
            if !text.contains("\nexternal:") {
                return None;
            }
            let doc = crate::yaml::parse_mapping(rel, &text).ok()?;
            let id = crate::id::RecordId::parse(doc.get("id")?.as_str()?).ok()?;
            let external: Vec<crate::record::External> =
                crate::yaml::from_value(doc.get("external")?).ok()?;
            let theirs: Vec<(String, crate::id::RecordId)> = external
                .into_iter()
                .filter(|e| e.party == party)
                .map(|e| (e.id, id.clone()))
                .collect();
            Some(theirs)
        })
        .flatten()
        .collect()
}
