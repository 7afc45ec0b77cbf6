//! GitLab Code Quality JSON, which GitLab shows inline in merge requests.
//!
//! Every string goes through `serde_json`, so record text cannot break the
//! document; controls and escape sequences are dropped first, since GitLab
//! shows the descriptions to people.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::policy::Severity;
use crate::validate::{Finding, Report};

/// A finding's identity, the same on every run while the finding stands:
/// the rule, the file, the field and the message, never the line (a line
/// moves when something above it changes). FNV-1a, twice with different
/// offsets, written as 32 hexadecimal digits: no cryptography is needed,
/// only a value that does not depend on the platform or the run.
pub fn fingerprint(f: &Finding) -> String {
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}",
        f.rule,
        f.path.display(),
        f.field.as_deref().unwrap_or(""),
        f.message
    );
    format!(
        "{:016x}{:016x}",
        fnv1a(key.as_bytes(), 0xcbf2_9ce4_8422_2325),
        fnv1a(key.as_bytes(), 0x6c62_272e_07bb_0142)
    )
}

fn fnv1a(bytes: &[u8], offset: u64) -> u64 {
    bytes.iter().fold(offset, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The validation report as a Code Quality report. `prefix` is where the
/// record repository sits in its git work tree: GitLab reads paths from
/// the top of it.
pub fn report(report: &Report, prefix: &Path) -> Value {
    // Two findings alike in all but their line would share a fingerprint,
    // and GitLab would show one; the second gets its ordinal appended.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let issues: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let base = fingerprint(f);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let fingerprint = if *n == 1 { base } else { format!("{base}-{n}") };
            let mut description = match &f.waived {
                Some(w) => format!("{} [{}]", f.message, w.describe()),
                None => f.message.clone(),
            };
            if let Some(h) = &f.help {
                description.push_str(" — ");
                description.push_str(h);
            }
            json!({
                "type": "issue",
                "description": super::terminal(&description).replace('\n', " "),
                "check_name": super::terminal(&f.rule),
                "categories": ["Compatibility"],
                "fingerprint": fingerprint,
                // A waived error is shown, as information: it fails nothing.
                "severity": match (f.severity, &f.waived) {
                    (Severity::Error, Some(_)) => "info",
                    (Severity::Error, None) => "major",
                    (Severity::Warning, _) => "minor",
                },
                "location": {
                    "path": prefix.join(&f.path).display().to_string().replace('\\', "/"),
                    "lines": { "begin": f.line.unwrap_or(1).max(1) },
                },
            })
        })
        .collect();
    Value::Array(issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, message: &str) -> Finding {
        Finding {
            rule: "INC003".into(),
            severity: Severity::Warning,
            path: "incidents/INC-1.yaml".into(),
            line: Some(line),
            column: None,
            field: None,
            message: message.into(),
            help: None,
            clause: None,
            waived: None,
        }
    }

    #[test]
    fn fingerprints_ignore_the_line_and_stay_unique() {
        assert_eq!(fingerprint(&finding(3, "m")), fingerprint(&finding(9, "m")));
        assert_ne!(fingerprint(&finding(3, "m")), fingerprint(&finding(3, "n")));
        let r = Report {
            files: 1,
            checked: vec![],
            findings: vec![finding(3, "m"), finding(4, "m")],
        };
        let out = report(&r, Path::new("records"));
        assert_ne!(out[0]["fingerprint"], out[1]["fingerprint"]);
        assert_eq!(out[0]["location"]["path"], "records/incidents/INC-1.yaml");
        assert_eq!(out[1]["location"]["lines"]["begin"], 4);
    }

    #[test]
    fn hostile_text_is_cleaned_and_quoted() {
        let r = Report {
            files: 1,
            checked: vec![],
            findings: vec![finding(1, "\"]\u{1b}[2J\nnext\u{0}")],
        };
        let text = report(&r, Path::new("")).to_string();
        let back: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(back[0]["description"], "\"] next");
    }
}
