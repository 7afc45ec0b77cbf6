//! The repository rules one changed record can break, found from that record
//! and what it reaches, without reading the whole repository: what a command
//! checks before it commits, so that none commits a dangling reference, a
//! dependency cycle or one version package too many in production that
//! `validate` would then report over the whole repository.

use std::collections::BTreeSet;

use super::checks::{self, Check};
use super::engine::Violation;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::record::{Body, Record, ReleaseStatus};
use crate::workspace::Workspace;

/// The version package a release belongs to: `X.Y` of `X.Y` or `X.Y.Z`
/// (003 Releasehantering: an internal release belongs to its external one).
pub fn version_package(version: &str) -> &str {
    let mut dots = version.match_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((second, _))) => &version[..second],
        _ => version,
    }
}

/// The IDs a record refers to outside `links`, with the field naming them.
pub fn references(record: &Record) -> Vec<(&'static str, &RecordId)> {
    match &record.body {
        Body::ConfigurationItem(ci) => ci.depends_on.iter().map(|d| ("depends_on", d)).collect(),
        Body::CapacityReview(cap) => cap
            .configuration_item
            .iter()
            .map(|c| ("configuration_item", c))
            .collect(),
        _ => Vec::new(),
    }
}

fn violation(check: Check, field: String, message: String, help: String) -> Violation {
    Violation {
        rule: check.id.into(),
        severity: check.severity,
        field,
        message,
        help: Some(help),
        clause: None,
    }
}

/// The repository rules `record` breaks, as the record would be written
/// in a commit that also writes `landing`.
pub fn errors(
    ws: &Workspace,
    landing: &[(RecordId, crate::yaml::Value)],
    record: &Record,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let exists = |id: &RecordId| {
        id == record.id() || landing.iter().any(|(l, _)| l == id) || ws.store().exists(id)
    };
    for (field, id) in references(record) {
        if !exists(id) {
            out.push(violation(
                checks::DANGLING_LINK,
                field.into(),
                format!("{field} names {id}, which does not exist"),
                format!("name a configuration item that exists (`arende list configuration_item`), or file {id} first"),
            ));
        }
    }
    for id in record.common.links.all() {
        if !exists(id) {
            out.push(violation(
                checks::DANGLING_LINK,
                format!("links.{}", id.kind().link_key()),
                format!("links to {id}, which does not exist"),
                format!("remove the link to {id}, or file that record first"),
            ));
        }
    }
    if let Some(cycle) = cycle_through(ws, record) {
        out.push(violation(
            checks::DEPENDENCY_CYCLE,
            "depends_on".into(),
            format!("depends on itself: {}", cycle.join(" → ")),
            format!(
                "remove one dependency of the cycle, e.g. {} from {}'s depends_on",
                cycle[1], cycle[0]
            ),
        ));
    }
    if let Some(v) = too_many_deployed(ws, record) {
        out.push(v);
    }
    out
}

/// A path of dependencies from `record` back to itself, if there is one.
fn cycle_through(ws: &Workspace, record: &Record) -> Option<Vec<String>> {
    let Body::ConfigurationItem(ci) = &record.body else {
        return None;
    };
    let start = record.id();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(RecordId, Vec<String>)> = ci
        .depends_on
        .iter()
        .map(|d| (d.clone(), vec![start.to_string(), d.to_string()]))
        .collect();
    while let Some((node, path)) = stack.pop() {
        if node == *start {
            return Some(path);
        }
        if !seen.insert(node.clone()) || node.kind() != Kind::ConfigurationItem {
            continue;
        }
        // A dependency that cannot be read is its own finding, not a cycle.
        let Ok((entry, _)) = ws.load(&node) else {
            continue;
        };
        if let Body::ConfigurationItem(next) = &entry.record.body {
            for d in &next.depends_on {
                let mut p = path.clone();
                p.push(d.to_string());
                stack.push((d.clone(), p));
            }
        }
    }
    None
}

/// REPO006 for a release about to be deployed: more version packages in
/// production than the policy allows.
fn too_many_deployed(ws: &Workspace, record: &Record) -> Option<Violation> {
    let Body::Release(release) = &record.body else {
        return None;
    };
    if release.status != ReleaseStatus::Deployed {
        return None;
    }
    let max = ws.policy().release_scheme.as_ref()?.max_deployed?;
    let package_of = |r: &Record| match &r.body {
        Body::Release(rel) => rel
            .version
            .as_deref()
            .map_or_else(|| r.id().to_string(), |v| version_package(v).to_owned()),
        _ => String::new(),
    };
    let mut packages: BTreeSet<String> = ws
        .scan(&[Kind::Release])
        .entries
        .iter()
        .filter(|e| e.record.id() != record.id())
        .filter(
            |e| matches!(&e.record.body, Body::Release(r) if r.status == ReleaseStatus::Deployed),
        )
        .map(|e| package_of(&e.record))
        .collect();
    packages.insert(package_of(record));
    (packages.len() > max).then(|| {
        violation(
            checks::TOO_MANY_DEPLOYED,
            "status".into(),
            format!(
                "{} version packages would be in production at once ({}); the {} policy allows {max}",
                packages.len(),
                packages.iter().cloned().collect::<Vec<_>>().join(", "),
                ws.policy().name
            ),
            "retire a release of the oldest package in production first (arende status ID retired)".into(),
        )
    })
}
