//! SARIF 2.1.0, which GitHub code scanning (and other hosts) show inline on
//! a pull request's files, with no cap on the number of annotations.
//!
//! Every string is a JSON string written by `serde_json`, so record text
//! cannot break the document; controls and escape sequences are dropped
//! first, since a host shows the messages to people.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::config::SiteUrl;
use crate::policy::{Policy, Severity};
use crate::validate::{Finding, Report, checks};

/// The schema a SARIF 2.1.0 log names.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A placeholder, not a working address: arende has no public home yet
/// (Cargo.toml names no `repository`). It stands for the tool's own URL in
/// `informationUri` and in the links to `docs/policies.md`, and is the one
/// line to change when arende is published.
pub const TOOL_URL_PLACEHOLDER: &str = "https://example.org/arende";

/// Where the log's links point: the tool's version, and the repository's
/// published `arende site`, if `arende.yaml` names one (`site.url`).
#[derive(Debug, Clone, Copy)]
pub struct Driver<'a> {
    /// arende's version.
    pub version: &'a str,
    /// The site's address; rule help then links to the site's rule pages.
    pub site: Option<&'a SiteUrl>,
}

/// What a report's reader is told about one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// What it checks, in one line.
    pub title: String,
    /// How to fix a finding of it.
    pub help: String,
    /// The seed clause it rests on, if it is a pack rule.
    pub clause: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// The pack it belongs to; `None` for a built-in check.
    pub pack: Option<String>,
}

/// Describes a rule of the pack or a built-in check by ID; `None` for an
/// ID neither knows.
pub fn rule_info(policy: &Policy, id: &str) -> Option<RuleInfo> {
    if let Some(rule) = policy.rules.iter().find(|r| r.id == id) {
        return Some(RuleInfo {
            title: rule.title.clone(),
            help: rule.help.clone().unwrap_or_else(|| rule.message.clone()),
            clause: Some(rule.grounds()),
            severity: rule.severity,
            pack: Some(policy.name.clone()),
        });
    }
    checks::find(id).map(|c| RuleInfo {
        title: c.title.to_owned(),
        help: c.why.to_owned(),
        clause: None,
        severity: c.severity,
        pack: None,
    })
}

/// The anchor of a rule's row in `docs/policies.md`: `inera-inc001` for a
/// pack's rule (IDs repeat across packs), `rec001` for a built-in check.
pub fn doc_anchor(pack: Option<&str>, id: &str) -> String {
    match pack {
        Some(p) => format!("{p}-{id}").to_lowercase(),
        None => id.to_lowercase(),
    }
}

/// A rule's friendly name, as SARIF asks: its title in PascalCase
/// ("An incident is registered with a priority" →
/// `AnIncidentIsRegisteredWithAPriority`), so hosts that show names show
/// words rather than the ID twice.
pub fn pascal_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(chars)
        })
        .collect()
}

/// The page that explains a rule: the site's page of a pack rule when the
/// repository publishes a site, else its row in arende's own
/// `docs/policies.md` (where the built-in checks always are, as the site
/// has pages for the packs' rules only).
fn help_uri(id: &str, info: &RuleInfo, site: Option<&SiteUrl>) -> String {
    match (site, &info.pack) {
        (Some(url), Some(_)) => url.page(&format!("rules/{id}.html")),
        _ => format!(
            "{TOOL_URL_PLACEHOLDER}/blob/HEAD/docs/policies.md#{}",
            doc_anchor(info.pack.as_deref(), id)
        ),
    }
}

fn clean(s: &str) -> String {
    super::terminal(s).into_owned()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The validation report as a SARIF log with one run. `prefix` is where
/// the record repository sits in its git work tree: hosts read artifact
/// paths from the top of it.
pub fn log(report: &Report, policy: &Policy, prefix: &Path, driver: Driver) -> Value {
    // Rules in ID order, each once, so `ruleIndex` is stable across runs.
    let mut rules: BTreeMap<&str, Option<RuleInfo>> = BTreeMap::new();
    for f in &report.findings {
        rules
            .entry(f.rule.as_str())
            .or_insert_with(|| rule_info(policy, &f.rule));
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|(id, info)| descriptor(id, info.as_ref(), driver.site))
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            // Every finding's rule is in the index, built from the same findings.
            let rule_index = index.get(f.rule.as_str()).copied().unwrap_or(0);
            result(f, rule_index, prefix)
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "arende",
                "version": driver.version,
                "informationUri": TOOL_URL_PLACEHOLDER,
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A rule's `reportingDescriptor`. A rule neither the pack nor the
/// built-in checks know is named by its ID, counts as an error and has no
/// page.
fn descriptor(id: &str, info: Option<&RuleInfo>, site: Option<&SiteUrl>) -> Value {
    let (title, help, clause, severity) = match info {
        Some(i) => (
            i.title.clone(),
            i.help.clone(),
            i.clause.clone(),
            i.severity,
        ),
        None => (id.to_owned(), String::new(), None, Severity::Error),
    };
    let help_text = match &clause {
        Some(c) if help.is_empty() => c.clone(),
        Some(c) => format!("{help}\n{c}"),
        None => help.clone(),
    };
    let mut d = json!({
        "id": clean(id),
        "name": match info {
            Some(_) => pascal_name(&clean(&title)),
            None => format!("UnknownRule{}", pascal_name(&clean(id))),
        },
        "shortDescription": { "text": clean(&title) },
        "fullDescription": { "text": clean(&title) },
        "defaultConfiguration": { "level": level(severity) },
    });
    if let Some(i) = info {
        d["helpUri"] = json!(help_uri(id, i, site));
    }
    if !help_text.is_empty() {
        d["help"] = json!({ "text": clean(&help_text) });
    }
    if let Some(c) = clause {
        d["properties"] = json!({ "clause": clean(&c) });
    }
    d
}

/// A finding as a `result`: its message with the help under it, where it
/// is, and a fingerprint that follows it across runs.
fn result(f: &Finding, rule_index: usize, prefix: &Path) -> Value {
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push('\n');
        text.push_str(h);
    }
    let mut r = json!({
        "ruleId": clean(&f.rule),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": clean(&text) },
        "locations": [{ "physicalLocation": location(f, prefix) }],
        "partialFingerprints": {
            "arende/v1": super::gitlab::fingerprint(f),
        },
    });
    if let Some(field) = &f.field {
        r["properties"] = json!({ "field": clean(field) });
    }
    // SARIF's own word for an accepted result: hosts show it as suppressed.
    if let Some(w) = &f.waived {
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": clean(&w.describe()),
        }]);
    }
    r
}

/// A finding's `physicalLocation`: the file from the top of the work
/// tree, with `/` between folders whatever the platform, and the line and
/// column when the finding has them (SARIF counts both from 1).
fn location(f: &Finding, prefix: &Path) -> Value {
    let uri = prefix
        .join(&f.path)
        .display()
        .to_string()
        .replace('\\', "/");
    let mut physical = json!({ "artifactLocation": { "uri": uri } });
    if let Some(line) = f.line.filter(|&l| l >= 1) {
        let mut region = json!({ "startLine": line });
        if let Some(col) = f.column.filter(|&c| c >= 1) {
            region["startColumn"] = json!(col);
        }
        physical["region"] = region;
    }
    physical
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, message: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            path: "incidents/INC-1.yaml".into(),
            line: Some(3),
            column: Some(1),
            field: Some("title".into()),
            message: message.into(),
            help: Some("fix \u{1b}[31mit".into()),
            clause: None,
            waived: None,
        }
    }

    #[test]
    fn hostile_text_stays_inside_its_strings() {
        let policy = Policy::load("inera", None).expect("inera");
        let report = Report {
            files: 1,
            checked: vec!["incidents/INC-1.yaml".into()],
            findings: vec![finding("REC003", "\"},{\"x\u{0}\u{1b}]0;t\u{7}")],
        };
        let driver = Driver {
            version: "0",
            site: None,
        };
        let text = log(&report, &policy, Path::new(""), driver).to_string();
        let back: Value = serde_json::from_str(&text).expect("JSON");
        let result = &back["runs"][0]["results"][0];
        assert_eq!(result["message"]["text"], "\"},{\"x\nfix it");
        assert_eq!(back["runs"][0]["results"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            back["runs"][0]["tool"]["driver"]["rules"][0]["id"],
            "REC003"
        );
    }

    #[test]
    fn pack_rules_carry_their_clause() {
        let policy = Policy::load("inera", None).expect("inera");
        let rule = policy.rules.first().expect("a rule");
        let info = rule_info(&policy, &rule.id).expect("known");
        assert!(
            info.clause
                .is_some_and(|c| c.contains(&rule.clause.as_ref().unwrap().seed))
        );
        assert!(rule_info(&policy, "NOPE999").is_none());
    }

    #[test]
    fn names_are_titles_in_pascal_case() {
        assert_eq!(
            pascal_name("A priority-1 incident is reported by phone"),
            "APriority1IncidentIsReportedByPhone"
        );
        assert_eq!(pascal_name("ärendet är stängt"), "ÄrendetÄrStängt");
        assert_eq!(pascal_name(""), "");
    }
}
