//! The CI hosts' formats of `arende validate`, each read by its consumer's
//! rules: SARIF 2.1.0 against the OASIS schema (a copy in tests/schemas),
//! GitLab Code Quality with the keys GitLab requires, JUnit through a
//! strict XML parser.

use std::path::{Path, PathBuf};

use crate::support::*;
use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid")
}

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    copy_dir(&fixture_dir(), sb.root());
    sb
}

fn json_of(sb: &Sandbox, format: &str) -> (Value, Vec<Value>) {
    let out = sb.run(&["validate", "--format", format]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(&out)));
    let plain = sb.run(&["validate", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&plain)).unwrap();
    (doc, report["findings"].as_array().cloned().unwrap())
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    let sb = sandbox();
    let (log, findings) = json_of(&sb, "sarif");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    // `helpUri` and `informationUri` are `format: uri`: checked, not just typed.
    compiler.enable_format_assertions();
    let url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    compiler.add_resource(url, schema).unwrap();
    let at = compiler.compile(url, &mut schemas).unwrap();
    if let Err(e) = schemas.validate(&log, at) {
        panic!("not valid SARIF 2.1.0: {e:#}\n{log:#}");
    }
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "one result per finding");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at its rule");
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
    assert!(
        results.iter().any(
            |r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() > Some(1)
                && r["locations"][0]["physicalLocation"]["region"]["startColumn"].is_u64()
        ),
        "regions carry line and column"
    );
    for rule in rules {
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(
            rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
    }
    assert!(
        run["tool"]["driver"]["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")),
        "{run:#}"
    );
    let policies =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policies.md"))
            .unwrap();
    for rule in rules {
        let (id, name) = (rule["id"].as_str().unwrap(), rule["name"].as_str().unwrap());
        assert!(
            name != id && !name.is_empty() && name.chars().all(char::is_alphanumeric),
            "{rule}"
        );
        assert!(name.starts_with(char::is_uppercase), "{rule}");
        // Without a site, every rule's help is its row in docs/policies.md.
        let uri = rule["helpUri"].as_str().unwrap();
        let (page, anchor) = uri.split_once('#').unwrap();
        assert!(page.ends_with("/docs/policies.md"), "{uri}");
        assert!(
            policies.contains(&format!("<a id=\"{anchor}\"></a>{id} |")),
            "{uri}: no such anchor on {id}'s row of docs/policies.md"
        );
    }
    // A pack rule carries its seed clause.
    assert!(
        rules
            .iter()
            .any(|r| r["help"]["text"].as_str().unwrap().contains("seed 00")
                && r["properties"]["clause"].is_string()),
        "{rules:#?}"
    );
}

#[test]
fn sarif_rules_link_to_the_published_site_when_arende_yaml_names_one() {
    let sb = sandbox();
    let config = sb.root().join("arende.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("site:\n  url: https://itsm.example.se/arende/\n");
    std::fs::write(&config, text).unwrap();
    let (log, _) = json_of(&sb, "sarif");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let uri = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["helpUri"].as_str())
            .unwrap_or_else(|| panic!("no rule {id} with a helpUri: {rules:#?}"))
            .to_owned()
    };
    // A pack rule's page is the site's; a built-in check has none there.
    let pack_rule = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .find(|id| arende::validate::checks::find(id).is_none())
        .expect("a pack rule broken by the invalid fixture");
    assert_eq!(
        uri(pack_rule),
        format!("https://itsm.example.se/arende/rules/{pack_rule}.html")
    );
    assert!(uri("REC003").ends_with("/docs/policies.md#rec003"));
}

#[test]
fn a_site_url_that_is_no_web_address_is_a_usage_error() {
    let sb = sandbox();
    let config = sb.root().join("arende.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("site:\n  url: itsm.example.se\n");
    std::fs::write(&config, text).unwrap();
    let out = sb.run(&["validate", "--format", "sarif"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("site.url") && err.contains("itsm.example.se"),
        "{err}"
    );
    assert!(
        err.contains("site: {url: https://"),
        "the help names the key: {err}"
    );
}

#[test]
fn gitlab_code_quality_has_the_required_keys_and_stable_fingerprints() {
    let sb = sandbox();
    let (issues, findings) = json_of(&sb, "gitlab");
    let issues = issues.as_array().expect("an array of issues").clone();
    assert_eq!(issues.len(), findings.len());
    let mut prints = std::collections::BTreeSet::new();
    for i in &issues {
        assert!(
            i["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{i}"
        );
        assert!(
            i["check_name"].as_str().is_some_and(|d| !d.is_empty()),
            "{i}"
        );
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap()),
            "{i}"
        );
        assert!(
            i["location"]["path"]
                .as_str()
                .is_some_and(|p| !p.starts_with('/'))
        );
        assert!(
            i["location"]["lines"]["begin"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
        let fp = i["fingerprint"].as_str().unwrap();
        assert!(prints.insert(fp.to_owned()), "fingerprint {fp} twice");
    }
    // The same findings on another run, in another copy: the same prints.
    let again = sandbox();
    let (second, _) = json_of(&again, "gitlab");
    let second: std::collections::BTreeSet<String> = second
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(prints, second);
}

#[test]
fn junit_counts_failing_and_erroring_test_cases() {
    let sb = sandbox();
    let out = sb.run(&["validate", "--format", "junit"]);
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let failing = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    let erroring = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("error")))
        .count();
    assert_eq!(
        suite.attribute("failures"),
        Some(failing.to_string().as_str())
    );
    assert_eq!(
        suite.attribute("errors"),
        Some(erroring.to_string().as_str())
    );
    assert!(
        erroring >= 2,
        "the broken YAML and the conflict are errors:\n{xml}"
    );
    assert!(failing >= 1);
    for c in &cases {
        assert!(
            c.children().filter(|n| n.has_tag_name("failure")).count() <= 1,
            "one failure per test case"
        );
        let t: f64 = c.attribute("time").unwrap().parse().unwrap();
        assert!(t >= 0.0);
    }
    assert!(suite.attribute("time").unwrap().parse::<f64>().is_ok());
}
