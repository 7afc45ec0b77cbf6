//! The JSON Schemas under `schemas/` and the example repositories under
//! `fixtures/`.
//!
//! - `schemas/<kind>.schema.json`, `schemas/people.schema.json` and `schemas/waivers.schema.json` must equal
//!   what `arende::editor::SchemaFile` generates;
//!   `ARENDE_UPDATE_SCHEMAS=1 cargo test --test testsuite schemas::` rewrites them.
//! - Every record of every fixture must validate against its kind's schema, as
//!   an editor or another tool using the published schemas would check it.

use std::fs;
use std::path::{Path, PathBuf};

use arende::Kind;
use arende::editor::SchemaFile;
use arende::schema::json_schema;
use arende::yaml::{self, Value};
use serde_json::Value as Json;

/// The kind folders of a record repository and the kind each holds.
const FOLDERS: [(&str, Kind); 7] = [
    ("incidents", Kind::Incident),
    ("problems", Kind::Problem),
    ("changes", Kind::Change),
    ("releases", Kind::Release),
    ("requests", Kind::ServiceRequest),
    ("configuration", Kind::ConfigurationItem),
    ("capacity", Kind::CapacityReview),
];

const FIXTURES: [&str; 3] = ["inera", "ehm", "stockholm"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A compiled schema per kind, from the generated schemas (the schema files
/// are held equal to them by `schema_files_match_the_record_model`).
struct Validator {
    schemas: boon::Schemas,
    index: Vec<(Kind, boon::SchemaIndex)>,
}

impl Validator {
    fn new() -> Validator {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.set_default_draft(boon::Draft::V2020_12);
        // 2020-12 treats `format` as an annotation; the records' timestamps
        // and dates must really be RFC 3339 (only standard formats are
        // left: see `every_schema_compiles_in_ajv_strict_mode`).
        compiler.enable_format_assertions();
        let mut index = Vec::new();
        for (_, kind) in FOLDERS {
            let url = format!("https://arende.dev/schemas/{}.schema.json", kind.name());
            compiler
                .add_resource(&url, json_schema(kind))
                .unwrap_or_else(|e| panic!("{}: {e:#}", kind.name()));
            let at = compiler
                .compile(&url, &mut schemas)
                .unwrap_or_else(|e| panic!("the {} schema does not compile: {e:#}", kind.name()));
            index.push((kind, at));
        }
        Validator { schemas, index }
    }

    /// `Err` holds boon's message.
    fn validate(&self, kind: Kind, instance: &Json) -> Result<(), String> {
        let (_, at) = self
            .index
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("every kind is compiled");
        self.schemas
            .validate(instance, *at)
            .map_err(|e| format!("{e}"))
    }
}

/// A record file as JSON, the way the tool reads it.
fn record_as_json(path: &Path) -> Json {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mapping =
        yaml::parse_mapping(path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(Value::Mapping(mapping))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn schema_files_match_the_record_model() {
    let update = std::env::var("ARENDE_UPDATE_SCHEMAS").is_ok_and(|v| v == "1");
    let dir = root().join("schemas");
    if update {
        fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for file in SchemaFile::ALL {
        let path = dir.join(file.file_name());
        let want = file.text();
        if update {
            fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(have) if have == want => {}
            Ok(_) => stale.push(format!("{} differs from the model", path.display())),
            Err(e) => stale.push(format!("{}: {e}", path.display())),
        }
    }
    // No file in schemas/ that the model does not generate.
    let known: Vec<String> = SchemaFile::ALL.iter().map(|f| f.file_name()).collect();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !known.contains(&name) {
            stale.push(format!("schemas/{name} is not a schema arende generates"));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nrun `ARENDE_UPDATE_SCHEMAS=1 cargo test --test testsuite schemas::` to regenerate",
        stale.join("\n")
    );
}

#[test]
fn folders_are_the_kinds_folders() {
    for (folder, kind) in FOLDERS {
        assert_eq!(kind.dir(), folder);
    }
    assert_eq!(FOLDERS.len(), Kind::ALL.len());
}

#[test]
fn every_fixture_record_validates_against_its_schema() {
    let validator = Validator::new();
    let mut failures = Vec::new();
    for fixture in FIXTURES {
        let repo = root().join("fixtures").join(fixture);
        assert!(
            repo.join("arende.yaml").is_file(),
            "{} has no arende.yaml",
            repo.display()
        );
        let mut checked = 0;
        for (folder, kind) in FOLDERS {
            let dir = repo.join(folder);
            let files = yaml_files_in(&dir);
            assert!(
                !files.is_empty(),
                "fixtures/{fixture}/{folder} has no records"
            );
            for path in files {
                let record = record_as_json(&path);
                if let Err(message) = validator.validate(kind, &record) {
                    failures.push(format!("{}:\n{message}", path.display()));
                }
                checked += 1;
            }
        }
        assert!(checked > 0, "fixtures/{fixture}: no record checked");
        eprintln!("fixtures/{fixture}: {checked} records checked");
    }
    assert!(
        failures.is_empty(),
        "{} record file(s) break their schema:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn a_wrong_enum_value_breaks_the_schema() {
    let validator = Validator::new();
    let text = "\
id: INC-20260302-7XQ4TB
kind: incident
title: Inloggningen till 1177 är långsam
status: new
opened_at: 2026-03-02T08:15:00+01:00
impact: hgh
urgency: medium
";
    let mapping = yaml::parse_mapping(Path::new("INC-20260302-7XQ4TB.yaml"), text).unwrap();
    let mut record = serde_json::to_value(Value::Mapping(mapping)).unwrap();
    let message = validator
        .validate(Kind::Incident, &record)
        .expect_err("impact: hgh must be refused");
    assert!(
        message.contains("/impact"),
        "the message names the field: {message}"
    );

    // The same record with the right value passes, so it is the enum that failed.
    record["impact"] = Json::from("high");
    validator.validate(Kind::Incident, &record).unwrap();

    // Keys the model does not know are kept by the tool (SPEC §1), so the schema allows them.
    let mut extra = record.clone();
    extra["lokal_anteckning"] = Json::from("förs över till regionens ärendesystem");
    validator.validate(Kind::Incident, &extra).unwrap();

    // Other wrong values the schema must catch.
    for (field, bad) in [
        ("status", Json::from("open")),
        ("priority", Json::from(7)),
        ("opened_at", Json::from("2026-03-02 08:15")),
        ("kind", Json::from("problem")),
    ] {
        let mut wrong = record.clone();
        wrong[field] = bad.clone();
        assert!(
            validator.validate(Kind::Incident, &wrong).is_err(),
            "{field}: {bad} must be refused"
        );
    }
}

/// The `.yaml` files under `dir` at any depth (records sit in month
/// folders), sorted.
fn yaml_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(yaml_files_in(&path));
        } else if path.extension().is_some_and(|x| x == "yaml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A tool a test needs is missing: the test is skipped with a line saying
/// so, except in CI (`CI` set), where a skip would pass unseen.
fn missing_tool(what: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!(
            "{what}, and CI is set: a skipped check would pass unseen (run `npm ci --prefix tests/node`)"
        );
    }
    eprintln!("skipped: {what}");
}

#[test]
fn every_schema_compiles_in_ajv_strict_mode() {
    let node_dir = root().join("tests/node");
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return missing_tool("node is not installed");
    }
    if !node_dir.join("node_modules/ajv-formats").is_dir() {
        return missing_tool("ajv is not installed in tests/node/node_modules");
    }
    // What `arende schema` prints, beside the files in schemas/.
    let printed = tempfile::TempDir::new().unwrap();
    let names = Kind::ALL
        .iter()
        .map(|k| k.name())
        .chain(["people", "waivers", "calendar"]);
    for name in names {
        let out = assert_cmd::Command::cargo_bin("arende")
            .unwrap()
            .args(["schema", name])
            .current_dir(printed.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "arende schema {name}: {out:?}");
        fs::write(printed.path().join(format!("{name}.json")), &out.stdout).unwrap();
    }
    let out = std::process::Command::new("node")
        .arg(node_dir.join("ajv-strict.mjs"))
        .arg(root().join("schemas"))
        .arg(printed.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ajv in strict mode refuses a schema:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        fs::read_dir(root().join("schemas")).unwrap().count() + 10,
        "{report}"
    );
}
