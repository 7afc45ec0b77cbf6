//! The receiving side: the intake branches partners pushed into this
//! repository (`intake/<party>/<their ID>`), each read from git's objects
//! (never checked out), and what this repository would file from one.

use std::collections::BTreeMap;
use std::path::Path;

use git2::Oid;
use serde::{Deserialize, Serialize};

use super::{Partner, Profile, outgoing, plain_name};
use crate::config::RepoConfig;
use crate::error::Result;
use crate::kind::Kind;
use crate::record::{Disposition, External, document};
use crate::schema;
use crate::store::remote::{self, Address};
use crate::time::Timestamp;
use crate::yaml::{self, Mapping, Value};

/// One intake branch.
#[derive(Debug, Clone)]
pub struct Intake {
    /// The branch: `intake/<party>/<their ID>`.
    pub branch: String,
    /// The reference it was read from (`refs/remotes/origin/intake/…`, or
    /// `refs/heads/intake/…` where partners push into this repository).
    pub refname: String,
    /// Whether it came from the inbox remote (so a verdict goes back there).
    pub from_inbox: bool,
    /// The sending party.
    pub party: String,
    /// The sender's ID for the record.
    pub sender: String,
    /// The branch's tip.
    pub commit: Oid,
    /// The report, or why it could not be read.
    pub report: std::result::Result<Mapping, String>,
}

impl Intake {
    /// The verdict already written on the branch, if any.
    pub fn verdict(&self) -> Option<Verdict> {
        let doc = self.report.as_ref().ok()?;
        yaml::from_value(doc.get("verdict")?).ok()
    }

    /// Whether the branch's file is a verdict alone, on a report that
    /// could not be read.
    fn verdict_only(&self) -> bool {
        self.report
            .as_ref()
            .is_ok_and(|d| d.len() == 1 && d.contains_key("verdict"))
    }

    /// The kind of record it reports.
    pub fn kind(&self) -> Option<Kind> {
        let doc = self.report.as_ref().ok()?;
        Kind::parse(doc.get("kind")?.as_str()?)
    }

    /// Its title.
    pub fn title(&self) -> Option<&str> {
        self.report.as_ref().ok()?.get("title")?.as_str()
    }
}

/// A receiver's answer to a report it did not file, written back on the
/// branch for the sender's `sync` to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// Refused or referred.
    pub decision: Disposition,
    /// When.
    pub at: String,
    /// The receiving party.
    pub by: String,
    /// Why, one reason each.
    pub reasons: Vec<String>,
}

/// The remote partners push to, if this repository has it.
pub fn inbox(root: &Path, config: &RepoConfig) -> Result<Option<(String, Address)>> {
    let name = config.exchange.inbox.as_deref().unwrap_or("origin");
    let repo = crate::store::open_repo(root)?;
    let remote = match repo.find_remote(name) {
        Ok(r) => r,
        Err(_) => return Ok(None),
    };
    let Some(url) = remote.url().ok().map(str::to_owned) else {
        return Ok(None);
    };
    Ok(Some((name.to_owned(), Address::parse(root, &url))))
}

/// Fetches the inbox's intake branches (with `refresh`) and reads every
/// intake branch there and in this repository, the inbox's first.
pub fn list(root: &Path, config: &RepoConfig, refresh: bool) -> Result<Vec<Intake>> {
    let inbox = inbox(root, config)?;
    let mut prefixes: Vec<(String, bool)> = Vec::new();
    if let Some((name, address)) = &inbox {
        let into = format!("refs/remotes/{name}/intake/");
        if refresh {
            remote::fetch(root, address, &[format!("+refs/heads/intake/*:{into}*")])?;
        }
        prefixes.push((into, true));
    }
    prefixes.push(("refs/heads/intake/".to_owned(), false));
    let mut found: BTreeMap<String, Intake> = BTreeMap::new();
    for (prefix, from_inbox) in prefixes {
        for (refname, commit) in remote::refs_under(root, &prefix)? {
            let rest = refname[prefix.len()..].to_owned();
            let Some((party, sender)) = rest.split_once('/') else {
                continue;
            };
            if !plain_name(party) || !plain_name(sender) {
                continue;
            }
            let branch = outgoing::branch(party, sender);
            if found.contains_key(&branch) {
                continue;
            }
            let report = read_report(root, commit, party, sender);
            found.insert(
                branch.clone(),
                Intake {
                    branch,
                    refname,
                    from_inbox,
                    party: party.to_owned(),
                    sender: sender.to_owned(),
                    commit,
                    report,
                },
            );
        }
    }
    Ok(found.into_values().collect())
}

/// The report on an intake branch: its one file, read from git's objects,
/// no larger than a record may be.
fn read_report(
    root: &Path,
    commit: Oid,
    party: &str,
    sender: &str,
) -> std::result::Result<Mapping, String> {
    let path = outgoing::path(party, sender);
    let limit = usize::try_from(yaml::MAX_RECORD_BYTES).unwrap_or(usize::MAX);
    let bytes = remote::blob_at(root, commit, &path, limit)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("the branch has no file {path} (or one over 1 MiB)"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8"))?;
    yaml::parse_mapping(Path::new(&path), &text).map_err(|e| e.to_string())
}

/// The profile an intake from `party` is read with: the partner of that
/// party's `receive`, else the defaults.
pub fn profile_for(partners: &[Partner], party: &str) -> Profile {
    partners
        .iter()
        .find(|p| p.party == party)
        .map(|p| p.receive.clone())
        .unwrap_or_default()
}

/// The fields of the record this repository would file from an intake:
/// what its profile takes, the sender's party as reporter, and every
/// identifier the report carries (the sender's own among them), with the
/// ticket numbers they give. `None` with the reason where the report is no
/// record of a kind this repository takes.
pub fn draft(intake: &Intake, profile: &Profile) -> std::result::Result<(Kind, Mapping), String> {
    let report = intake.report.as_ref().map_err(Clone::clone)?;
    if intake.verdict_only() {
        return Err("the report could not be read".to_owned());
    }
    let kind = intake
        .kind()
        .ok_or_else(|| "the report names no kind of record (`kind:`)".to_owned())?;
    if !profile.takes(kind) {
        return Err(format!("{kind}s are not taken from {}", intake.party));
    }
    let mut doc = profile.cut(kind, report);
    if schema::field_shape(kind, "reporter.party").is_some() {
        let _ = document::set(
            &mut doc,
            "reporter.party",
            Value::String(intake.party.clone()),
        );
    }
    let mut external: Vec<External> = match report.get("external") {
        None => Vec::new(),
        Some(v) => yaml::from_value(v).map_err(|e| format!("`external`: {e}"))?,
    };
    if !external.iter().any(|e| e.id == intake.sender) {
        external.push(External {
            id: intake.sender.clone(),
            owner: None,
            party: intake.party.clone(),
        });
    }
    for e in &external {
        let field = format!("tickets.{}", e.party);
        if schema::field_shape(kind, &field).is_some() {
            let _ = document::set(&mut doc, &field, Value::String(e.id.clone()));
        }
    }
    doc.insert("external".into(), yaml::to_value(&external));
    Ok((kind, doc))
}

/// The report with a verdict written into it; a report that could not be
/// read is replaced by the verdict alone (the branch's history keeps it).
pub fn with_verdict(intake: &Intake, verdict: &Verdict) -> Vec<u8> {
    let mut doc = intake.report.as_ref().cloned().unwrap_or_default();
    doc.insert("verdict".into(), yaml::to_value(verdict));
    yaml::to_string(&doc).into_bytes()
}

/// A verdict at `now` by `by`.
pub fn verdict(decision: Disposition, by: &str, now: &Timestamp, reasons: Vec<String>) -> Verdict {
    Verdict {
        decision,
        at: crate::time::rfc3339(now),
        by: by.to_owned(),
        reasons,
    }
}
