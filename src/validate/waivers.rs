//! The waivers applied to a validation: each error a waiver of
//! `policy/waivers.yaml` accepts is marked waived, and each waiver that
//! accepts no error is reported (WAI002), so the file does not rot. A file
//! that cannot be read as waivers is an error of its own (WAI001) and
//! waives nothing.

use std::path::{Path, PathBuf};

use super::{Finding, Waived, checks, file_finding, repo_finding};
use crate::id::RecordId;
use crate::policy::Severity;
use crate::policy::waivers::{WAIVERS_FILE, Waivers};

/// Marks the errors of `findings` the repository's waivers accept, and
/// adds a finding for each waiver that accepts none (or for the file, if
/// it cannot be read as waivers).
pub fn apply(root: &Path, findings: &mut Vec<Finding>) {
    match Waivers::read(root) {
        Ok(None) => {}
        Ok(Some((waivers, text))) => {
            let used = mark(&waivers, &text, findings);
            findings.extend(stale(&waivers, &text, &used));
        }
        Err(e) => {
            let mut finding = file_finding(e);
            finding.rule = checks::WAIVERS.id.into();
            finding.severity = checks::WAIVERS.severity;
            findings.push(finding);
        }
    }
}

/// Marks each error of `findings` a waiver accepts (the first that does);
/// returns which waivers accepted one.
pub fn mark(waivers: &Waivers, text: &str, findings: &mut [Finding]) -> Vec<bool> {
    let mut used = vec![false; waivers.waivers.len()];
    let index = waivers.index();
    for f in findings.iter_mut() {
        if f.severity != Severity::Error || f.waived.is_some() {
            continue;
        }
        let Some(id) = record_of(&f.path) else {
            continue;
        };
        if let Some((i, w)) = index.find(&id, &f.rule) {
            used[i] = true;
            f.waived = Some(Waived {
                reason: w.reason.clone(),
                who: w.who.clone(),
                when: w.when,
                line: Waivers::place_of(text, i).map(|(line, _)| line),
            });
        }
    }
    used
}

/// The record a finding's file holds, by the file's name.
fn record_of(path: &Path) -> Option<RecordId> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| RecordId::parse(s).ok())
}

/// A warning for each waiver that accepted no error, at its line.
fn stale(waivers: &Waivers, text: &str, used: &[bool]) -> Vec<Finding> {
    waivers
        .waivers
        .iter()
        .zip(used)
        .enumerate()
        .filter(|(_, (_, used))| !**used)
        .map(|(i, (w, _))| {
            let mut f = repo_finding(
                checks::STALE_WAIVER,
                &PathBuf::from(WAIVERS_FILE),
                &format!("waivers[{i}]"),
                format!(
                    "the waiver of {} on {} is stale: {} does not break {}",
                    w.rule, w.record, w.record, w.rule
                ),
                format!(
                    "remove the waiver from {WAIVERS_FILE}; the error was mended, or the record or the rule is gone"
                ),
            );
            if let Some((line, column)) = Waivers::place_of(text, i) {
                f.line = Some(line);
                f.column = Some(column);
            }
            f
        })
        .collect()
}
