//! Editor support: `arende init` puts the record schemas and a VS Code
//! mapping into the repository; commands keep the schemas current;
//! `arende schema` prints or writes them.

use std::path::Path;

use crate::support::*;

const KINDS: [(&str, &str); 7] = [
    ("incidents", "incident"),
    ("problems", "problem"),
    ("changes", "change"),
    ("releases", "release"),
    ("requests", "service_request"),
    ("configuration", "configuration_item"),
    ("capacity", "capacity_review"),
];

fn shipped(kind: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{kind}.schema.json")),
    )
    .unwrap()
}

#[test]
fn init_maps_every_record_folder_to_its_schema_for_vs_code() {
    let sb = Sandbox::with_repo();
    let settings: serde_json::Value = serde_json::from_slice(
        &sb.git()
            .head_file(".vscode/settings.json")
            .expect("committed"),
    )
    .unwrap();
    let map = settings["yaml.schemas"].as_object().expect("yaml.schemas");
    for (dir, kind) in KINDS {
        let key = format!("./.arende/schemas/{kind}.schema.json");
        let globs = map[&key].as_array().unwrap_or_else(|| panic!("no {key}"));
        assert!(
            globs.iter().any(|g| g == &format!("{dir}/**/*.yaml")),
            "{globs:?}"
        );
        let committed = sb
            .git()
            .head_file(&format!(".arende/schemas/{kind}.schema.json"))
            .expect("the schema is committed");
        assert_eq!(String::from_utf8(committed).unwrap(), shipped(kind));
    }
}

#[test]
fn a_stale_schema_is_rewritten_by_the_next_command() {
    let sb = Sandbox::with_repo();
    let path = sb.root().join(".arende/schemas/incident.schema.json");
    std::fs::write(&path, "{}\n").unwrap();
    let out = sb.run(&["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("incident.schema.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), shipped("incident"));
    // Once current, nothing more is said.
    let out = sb.run(&["list"]);
    assert!(!stderr(&out).contains("schema"), "{}", stderr(&out));
}

#[test]
fn schema_prints_one_and_writes_all() {
    let sb = Sandbox::new();
    assert_eq!(sb.ok(&["schema", "change"]), shipped("change"));
    let dir = sb.root().join("out/schemas");
    sb.ok(&["schema", "--write", dir.to_str().unwrap()]);
    for (_, kind) in KINDS {
        assert_eq!(
            std::fs::read_to_string(dir.join(format!("{kind}.schema.json"))).unwrap(),
            shipped(kind)
        );
    }
    assert_eq!(code(&sb.run(&["schema", "nonsense"])), 2);
}
