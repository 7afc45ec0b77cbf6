//! `arende partner add`: another organisation's repository, in
//! `arende.yaml` with its exchange profile.

use std::path::Path;

use git2::Oid;

use crate::error::{Error, Result};
use crate::exchange;
use crate::workspace::Context;
use crate::yaml;

/// What `partner add` did.
#[derive(Debug, Clone)]
pub struct PartnerAdded {
    /// Whether `arende.yaml` changed.
    pub changed: bool,
    /// The commit made.
    pub commit: Option<Oid>,
}

/// Adds (or updates) a partner in `arende.yaml` with the default profile,
/// and a git remote of its name where there is none, and commits.
pub fn add_partner(
    cx: &Context<'_>,
    name: &str,
    url: &str,
    party: &str,
    as_party: Option<&str>,
    policy: Option<&str>,
) -> Result<PartnerAdded> {
    let root = cx.ws.root();
    if !exchange::plain_name(name) {
        return Err(Error::usage(
            format!("`{name}` is no partner name"),
            Some(
                "use letters, digits, `-` and `_`: arende partner add inera URL --party inera"
                    .to_owned(),
            ),
        ));
    }
    let config = cx.ws.store().config();
    let named_before = config
        .exchange
        .partners
        .get(name)
        .and_then(|p| p.policy.as_deref());
    let their_pack = policy.or(named_before).unwrap_or(&config.policy);
    let pack = crate::policy::Policy::load(their_pack, None).map_err(|_| {
        Error::usage(
            format!("`{their_pack}` is no pack arende has"),
            Some("name the partner's pack with --policy: inera, ehm or stockholm".to_owned()),
        )
    })?;
    // A party is named by the agreement between the two: one of the two
    // packs knows it (a slutkund on the Stockholm pack is a `slutkund` in
    // its agent's Inera pack).
    let ours = cx.ws.policy();
    for (what, p) in [("--party", Some(party)), ("--as", as_party)] {
        let Some(p) = p else { continue };
        let known = pack.party(p).is_some() || ours.party(p).is_some();
        if !known || !exchange::plain_name(p) {
            let mut ids: Vec<&str> = pack.parties.iter().map(|x| x.id.as_str()).collect();
            ids.extend(ours.parties.iter().map(|x| x.id.as_str()));
            ids.sort_unstable();
            ids.dedup();
            return Err(Error::usage(
                format!(
                    "{what} {p} is no party of the {} or the {} pack",
                    ours.name, pack.name
                ),
                Some(format!("the parties are {}", ids.join(", "))),
            ));
        }
    }
    let path = root.join(crate::config::CONFIG_FILE);
    let text = crate::fs::read_text(&path, yaml::MAX_RECORD_BYTES)?;
    let mut doc = yaml::parse_mapping(Path::new(crate::config::CONFIG_FILE), &text)?;
    if let Some(line) = yaml::lost_comment_line(&text, &doc) {
        return Err(Error::CommentWouldBeLost {
            path: crate::config::CONFIG_FILE.into(),
            line,
        });
    }
    let mut config = cx.ws.store().config().clone();
    let entry = config
        .exchange
        .partners
        .entry(name.to_owned())
        .or_insert_with(|| crate::config::PartnerConfig {
            url: url.to_owned(),
            party: party.to_owned(),
            policy: None,
            branch: None,
            keys: Vec::new(),
            send: exchange::Profile::default().written(),
            receive: exchange::Profile::default().written(),
        });
    entry.url = url.to_owned();
    entry.party = party.to_owned();
    // A pack named before stays unless another is named.
    if let Some(pack) = policy {
        entry.policy = Some(pack.to_owned());
    }
    if let Some(ours) = as_party {
        config.exchange.party = Some(ours.to_owned());
    }
    if config.exchange.party.is_none() {
        return Err(Error::usage(
            "say which party this organisation is to its partners",
            Some(format!(
                "add --as PARTY: arende partner add {name} {url} --party {party} --as agent"
            )),
        ));
    }
    let exchange_value = yaml::to_value(&config.exchange);
    doc.insert("exchange".into(), exchange_value);
    let new_text = yaml::to_string_with_header(yaml::leading_comments(&text), &doc);
    add_remote(root, name, url)?;
    if new_text == text {
        return Ok(PartnerAdded {
            changed: false,
            commit: None,
        });
    }
    let mut tx = cx.ws.begin()?;
    tx.write_file(crate::config::CONFIG_FILE.into(), new_text.into_bytes());
    let commit = tx.finish(
        cx.mode,
        &format!("arende.yaml: partner {name} ({party}, {url})"),
        &cx.author,
        &cx.now,
    )?;
    Ok(PartnerAdded {
        changed: true,
        commit,
    })
}

/// A git remote of the partner's name, for people's own `git fetch`; one
/// already there is left as it is.
fn add_remote(root: &Path, name: &str, url: &str) -> Result<()> {
    let repo = crate::store::open_repo(root)?;
    if repo.find_remote(name).is_ok() {
        return Ok(());
    }
    repo.remote(name, url)?;
    Ok(())
}
