//! Editor support in a record repository: the JSON Schemas of the record
//! kinds under [`SCHEMA_DIR`], and a VS Code `.vscode/settings.json` that
//! maps each kind's folder (at any depth) to its schema, so the YAML
//! language server completes and checks fields as they are typed.
//!
//! The schema files are kept current: [`refresh`] rewrites them when they
//! differ from what this version of arende generates (after an upgrade),
//! and every command that opens a repository calls it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::schema::json_schema;
use crate::store::{Transaction, write_atomic};

/// Where the schemas live in a record repository.
pub const SCHEMA_DIR: &str = ".arende/schemas";

/// Where VS Code reads a workspace's settings.
pub const VSCODE_SETTINGS: &str = ".vscode/settings.json";

/// A kind's schema file name (`incident.schema.json`).
pub fn schema_file_name(kind: Kind) -> String {
    format!("{}.schema.json", kind.name())
}

/// A kind's schema as its file holds it: pretty JSON and a final newline.
pub fn schema_text(kind: Kind) -> String {
    let mut text = serde_json::to_string_pretty(&json_schema(kind)).unwrap_or_default();
    text.push('\n');
    text
}

/// The globs of a kind's record files, at any depth under its folder.
pub fn globs(kind: Kind) -> Vec<String> {
    vec![
        format!("{}/**/*.yaml", kind.dir()),
        format!("{}/**/*.yml", kind.dir()),
    ]
}

/// The modeline that points editors (the YAML language server) at the
/// schema of `kind`, which `arende init` writes into the repository, for a
/// record file at `rel` (relative to the root): the schema path climbs as
/// many folders as the file sits deep (`../../../` from
/// `incidents/2026/11/`, `../` from a flat `incidents/`).
pub fn modeline(kind: Kind, rel: &Path) -> String {
    let depth = rel.parent().map_or(0, |p| p.components().count());
    format!(
        "# yaml-language-server: $schema={}{SCHEMA_DIR}/{}\n",
        "../".repeat(depth),
        schema_file_name(kind)
    )
}

/// `settings` (the text of an existing `.vscode/settings.json`, if any)
/// with `yaml.schemas` mapping every record folder to its schema in
/// `schema_dir`; other settings and other schema mappings are kept.
/// `None` if the existing file is not plain JSON (VS Code allows comments;
/// a file with them is left for its owner to edit).
pub fn vscode_settings(settings: Option<&str>, schema_dir: &str) -> Option<String> {
    let mut root: Map<String, Json> = match settings {
        Some(text) if !text.trim().is_empty() => match serde_json::from_str(text) {
            Ok(Json::Object(m)) => m,
            _ => return None,
        },
        _ => Map::new(),
    };
    let schemas = root
        .entry("yaml.schemas")
        .or_insert_with(|| Json::Object(Map::new()));
    if !schemas.is_object() {
        *schemas = Json::Object(Map::new());
    }
    if let Json::Object(map) = schemas {
        for kind in Kind::ALL {
            map.insert(
                format!("./{schema_dir}/{}", schema_file_name(kind)),
                Json::from(globs(kind)),
            );
        }
    }
    let mut text = serde_json::to_string_pretty(&Json::Object(root)).unwrap_or_default();
    text.push('\n');
    Some(text)
}

/// Adds the schema files and the VS Code settings to a new repository's
/// first commit (`arende init`).
pub fn add_to(tx: &mut Transaction<'_>, root: &Path) -> Result<()> {
    for kind in Kind::ALL {
        tx.write_file(
            Path::new(SCHEMA_DIR).join(schema_file_name(kind)),
            schema_text(kind).into_bytes(),
        );
    }
    let existing = match std::fs::read_to_string(root.join(VSCODE_SETTINGS)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(root.join(VSCODE_SETTINGS), e)),
    };
    if let Some(settings) = vscode_settings(existing.as_deref(), SCHEMA_DIR) {
        tx.write_file(PathBuf::from(VSCODE_SETTINGS), settings.into_bytes());
    }
    Ok(())
}

/// Writes the seven schema files into `dir` (made if missing); returns
/// their paths.
pub fn write_schemas(dir: &Path) -> Result<Vec<PathBuf>> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let path = dir.join(schema_file_name(kind));
            write_atomic(&path, schema_text(kind).as_bytes(), true)?;
            Ok(path)
        })
        .collect()
}

/// Rewrites the repository's schema files if they differ from this
/// version's (the record model changed in an upgrade). Only a repository
/// that has [`SCHEMA_DIR`] is touched. Returns the files rewritten; the
/// rewrite is left in the working tree for a person to commit.
pub fn refresh(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(SCHEMA_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut rewritten = Vec::new();
    for kind in Kind::ALL {
        let path = dir.join(schema_file_name(kind));
        let want = schema_text(kind);
        let have = std::fs::read(&path).ok();
        if have.as_deref() != Some(want.as_bytes()) {
            write_atomic(&path, want.as_bytes(), true)?;
            rewritten.push(Path::new(SCHEMA_DIR).join(schema_file_name(kind)));
        }
    }
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modeline_climbs_as_deep_as_the_file_sits() {
        assert_eq!(
            modeline(
                Kind::Incident,
                Path::new("incidents/2026/11/INC-20261122-AAAAAA.yaml")
            ),
            "# yaml-language-server: $schema=../../../.arende/schemas/incident.schema.json\n"
        );
        assert_eq!(
            modeline(
                Kind::ConfigurationItem,
                Path::new("configuration/CI-X.yaml")
            ),
            "# yaml-language-server: $schema=../.arende/schemas/configuration_item.schema.json\n"
        );
    }

    #[test]
    fn settings_keep_what_was_there_and_map_every_folder() {
        let text = vscode_settings(
            Some(r#"{"editor.tabSize": 2, "yaml.schemas": {"other.json": "x.yaml"}}"#),
            SCHEMA_DIR,
        )
        .expect("plain JSON");
        let v: Json = serde_json::from_str(&text).expect("JSON");
        assert_eq!(v["editor.tabSize"], 2);
        assert_eq!(v["yaml.schemas"]["other.json"], "x.yaml");
        assert_eq!(
            v["yaml.schemas"]["./.arende/schemas/incident.schema.json"][0],
            "incidents/**/*.yaml"
        );
        assert_eq!(v["yaml.schemas"].as_object().map(|m| m.len()), Some(8));
    }

    #[test]
    fn settings_with_comments_are_left_alone() {
        assert!(vscode_settings(Some("// mine\n{}"), SCHEMA_DIR).is_none());
        assert!(vscode_settings(Some("[1]"), SCHEMA_DIR).is_none());
        assert!(vscode_settings(Some(""), SCHEMA_DIR).is_some());
    }
}
