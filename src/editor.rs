//! Editor support in a record repository: the JSON Schemas of the files
//! people edit (each record kind's, the people registry's and the waivers') under
//! [`SCHEMA_DIR`], and a VS Code `.vscode/settings.json` that maps each
//! kind's folder (at any depth), `policy/people.yaml` and `policy/waivers.yaml`, to its schema, so
//! the YAML language server completes and checks fields as they are typed.
//!
//! The schema files are kept current: [`refresh`] rewrites them when they
//! differ from what this version of arende generates (after an upgrade),
//! and every command that opens a repository calls it.
//!
//! Both are read at start-up from a clone that may be hostile, so they are
//! opened as records are: never through a symbolic link (neither a linked
//! folder on the way nor a linked file), regular files only, read with a
//! size bound and without blocking (a FIFO is refused, not opened).

use std::fmt;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};
use crate::fs;
use crate::fs::write_atomic;
use crate::kind::Kind;
use crate::people::{self, PEOPLE_FILE};
use crate::policy::waivers::{self, WAIVERS_FILE};
use crate::policy::windows::{self, CALENDAR_FILE};
use crate::schema::json_schema;
use crate::store::Transaction;

/// Where the schemas live in a record repository.
pub const SCHEMA_DIR: &str = ".arende/schemas";

/// Where VS Code reads a workspace's settings.
pub const VSCODE_SETTINGS: &str = ".vscode/settings.json";

/// The largest `.vscode/settings.json` that `arende init` reads to merge
/// its mapping into (1 MiB): settings are a page of JSON, and a file far
/// larger is a mistake or an attack, refused before it is read.
pub const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// A file people edit that has a JSON Schema: a kind's records, the
/// people registry, or the waivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaFile {
    /// The records of a kind.
    Record(Kind),
    /// `policy/people.yaml`.
    People,
    /// `policy/waivers.yaml`.
    Waivers,
    /// `policy/calendar.yaml`.
    Calendar,
}

impl SchemaFile {
    /// Every one, the record kinds first.
    pub const ALL: [SchemaFile; 10] = [
        SchemaFile::Record(Kind::ALL[0]),
        SchemaFile::Record(Kind::ALL[1]),
        SchemaFile::Record(Kind::ALL[2]),
        SchemaFile::Record(Kind::ALL[3]),
        SchemaFile::Record(Kind::ALL[4]),
        SchemaFile::Record(Kind::ALL[5]),
        SchemaFile::Record(Kind::ALL[6]),
        SchemaFile::People,
        SchemaFile::Waivers,
        SchemaFile::Calendar,
    ];

    /// Its name: the kind's (`incident`), `people` or `waivers`.
    pub fn name(self) -> &'static str {
        match self {
            SchemaFile::Record(kind) => kind.name(),
            SchemaFile::People => "people",
            SchemaFile::Waivers => "waivers",
            SchemaFile::Calendar => "calendar",
        }
    }

    /// The one named `name` (a kind as [`Kind::parse`] reads it, `people`, `waivers` or `calendar`).
    pub fn parse(name: &str) -> Option<SchemaFile> {
        if name.eq_ignore_ascii_case("people") {
            return Some(SchemaFile::People);
        }
        if name.eq_ignore_ascii_case("waivers") {
            return Some(SchemaFile::Waivers);
        }
        if name.eq_ignore_ascii_case("calendar") {
            return Some(SchemaFile::Calendar);
        }
        Kind::parse(name).map(SchemaFile::Record)
    }

    /// Its schema file's name (`incident.schema.json`).
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// Its schema as the file holds it: pretty JSON and a final newline.
    pub fn text(self) -> String {
        let schema = match self {
            SchemaFile::Record(kind) => json_schema(kind),
            SchemaFile::People => people::json_schema(),
            SchemaFile::Waivers => waivers::json_schema(),
            SchemaFile::Calendar => windows::json_schema(),
        };
        // `{:#}` is `to_string_pretty`, which cannot fail for a `Value`.
        let mut text = format!("{schema:#}");
        text.push('\n');
        text
    }

    /// The globs of the files it describes: a kind's records at any depth
    /// under its folder, or the registry's one file.
    pub fn globs(self) -> Vec<String> {
        match self {
            SchemaFile::Record(kind) => vec![
                format!("{}/**/*.yaml", kind.dir()),
                format!("{}/**/*.yml", kind.dir()),
            ],
            SchemaFile::People => vec![PEOPLE_FILE.to_owned()],
            SchemaFile::Waivers => vec![WAIVERS_FILE.to_owned()],
            SchemaFile::Calendar => vec![CALENDAR_FILE.to_owned()],
        }
    }
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
        SchemaFile::Record(kind).file_name()
    )
}

/// `settings` (the text of an existing `.vscode/settings.json`, if any)
/// with `yaml.schemas` mapping every record folder, the people registry
/// and the waivers to its schema in `schema_dir`; other settings and other
/// schema mappings are kept.
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
        for file in SchemaFile::ALL {
            map.insert(
                format!("./{schema_dir}/{}", file.file_name()),
                Json::from(file.globs()),
            );
        }
    }
    let mut text = format!("{:#}", Json::Object(root));
    text.push('\n');
    Some(text)
}

/// Adds the schema files and the VS Code settings to a new repository's
/// first commit (`arende init`).
///
/// An existing `.vscode/settings.json` is read as a record is: a linked
/// `.vscode` folder, a linked settings file or one that is not a regular
/// file (a FIFO) is refused with its typed error, and so is one over
/// [`MAX_SETTINGS_BYTES`], so `init` fails (exit 2, leaving nothing it
/// made) rather than hang, read outside the repository or write through a
/// link. A settings file that is not plain UTF-8 JSON is left alone, as
/// one with comments is.
pub fn add_to(tx: &mut Transaction<'_>, root: &Path) -> Result<()> {
    for file in SchemaFile::ALL {
        tx.write_file(
            Path::new(SCHEMA_DIR).join(file.file_name()),
            file.text().into_bytes(),
        );
    }
    let rel = Path::new(VSCODE_SETTINGS);
    let existing = match read_settings(root, rel)? {
        None => None,
        // Not UTF-8 is not plain JSON either: its owner edits it.
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => return Ok(()),
        },
    };
    if let Some(settings) = vscode_settings(existing.as_deref(), SCHEMA_DIR) {
        tx.write_file(rel.to_owned(), settings.into_bytes());
    }
    Ok(())
}

/// The bytes of the settings file at `rel` under `root`, `None` if it (or
/// its folder) is not there; see [`add_to`] for what is refused.
fn read_settings(root: &Path, rel: &Path) -> Result<Option<Vec<u8>>> {
    match folders(root, rel)? {
        Folders::Real => {}
        Folders::Missing => return Ok(None),
        Folders::Not(path, t) if t.is_symlink() => return Err(Error::SymlinkFolder { path }),
        Folders::Not(path, _) => return Err(Error::io(path, ErrorKind::NotADirectory.into())),
    }
    let abs = root.join(rel);
    match std::fs::symlink_metadata(&abs) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(rel, e)),
        Ok(_) => {}
    }
    match fs::read_bytes_as(&abs, rel, MAX_SETTINGS_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        // The record error's words (and help) are about records.
        Err(Error::TooLarge { size, .. }) => Err(Error::Config {
            path: rel.to_owned(),
            message: format!(
                "{size} bytes is more than the {MAX_SETTINGS_BYTES} bytes arende reads of an editor settings file"
            ),
            help: Some(format!(
                "editor settings are a page of JSON: trim {VSCODE_SETTINGS}, or move it away and run `arende init` again"
            )),
        }),
        Err(e) => Err(e),
    }
}

/// Writes the schema files (the seven kinds', the people registry's and the waivers')
/// into `dir` (made if missing); returns their paths.
pub fn write_schemas(dir: &Path) -> Result<Vec<PathBuf>> {
    SchemaFile::ALL
        .into_iter()
        .map(|file| {
            let path = dir.join(file.file_name());
            write_atomic(&path, file.text().as_bytes(), true)?;
            Ok(path)
        })
        .collect()
}

/// What [`refresh`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// The schema files are this version's, or the repository has no
    /// [`SCHEMA_DIR`]: nothing was written.
    Current,
    /// These schema files (relative to the root) were rewritten.
    Rewritten(Vec<PathBuf>),
    /// Something on the way to a schema file, or a schema file itself, is
    /// not what arende keeps there; nothing was read through it and
    /// nothing was written.
    Skipped(Skipped),
}

/// A folder or schema file [`refresh`] would not go through: a symbolic
/// link (which could point out of the repository), a FIFO (which would
/// block the read), or anything else but a real folder or regular file.
/// Its `Display` is the one-line notice a person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where, relative to the repository root.
    pub path: PathBuf,
    /// What it is ("a symbolic link", "a FIFO (named pipe)", …).
    pub what: &'static str,
    /// Whether a folder belongs there (else a schema file does).
    pub folder: bool,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        if self.folder {
            write!(
                f,
                "left the editor schemas alone: {path} is {what}, not a folder, and arende reads and writes nothing through it; make it a real folder (`rm {path} && mkdir -p {SCHEMA_DIR}`) and the next command writes the schemas into it",
                what = self.what
            )
        } else {
            write!(
                f,
                "left the editor schemas alone: {path} is {what}, not a regular file, and arende does not open it; remove it and the next command writes the schema there",
                what = self.what
            )
        }
    }
}

/// How the folders on the way to a file stand, looked at without
/// following links.
enum Folders {
    /// Every one is a real folder.
    Real,
    /// One is missing (so the file is not there either).
    Missing,
    /// This one, relative to the root, is a link or not a folder.
    Not(PathBuf, std::fs::FileType),
}

/// The folders on the way from `root` to `rel`, its own name excluded.
fn folders(root: &Path, rel: &Path) -> Result<Folders> {
    let mut at = PathBuf::new();
    for folder in rel.parent().into_iter().flat_map(Path::components) {
        at.push(folder);
        match std::fs::symlink_metadata(root.join(&at)) {
            // `is_dir` of `symlink_metadata` is false for a link.
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) => return Ok(Folders::Not(at, meta.file_type())),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Folders::Missing),
            Err(e) => return Err(Error::io(at, e)),
        }
    }
    Ok(Folders::Real)
}

/// Rewrites the repository's schema files if they differ from this
/// version's (the record model changed in an upgrade). Only a repository
/// that has [`SCHEMA_DIR`] is touched; the rewrite is left in the working
/// tree for a person to commit.
///
/// Every command runs this, read-only ones too, in clones that may be
/// hostile, and the schemas are only a convenience for editors: so a
/// `.arende` or `.arende/schemas` that is a symbolic link or not a folder,
/// or a schema file that is a link, a FIFO or anything but a regular file,
/// is neither read nor written through, and the refresh is skipped as a
/// whole ([`Refresh::Skipped`], naming the first such path) for the
/// command to tell in one line and go on. Every file is looked at before
/// any is written, so a refresh writes all the stale files or none. A
/// schema file is read no further than the length of this version's text:
/// a longer one differs, and is rewritten without being read. An error
/// (a read-only checkout that cannot be written) is returned for the
/// command to tell and go on just the same.
pub fn refresh(root: &Path) -> Result<Refresh> {
    let probe = Path::new(SCHEMA_DIR).join(SchemaFile::Record(Kind::Incident).file_name());
    match folders(root, &probe)? {
        Folders::Real => {}
        Folders::Missing => return Ok(Refresh::Current),
        Folders::Not(path, t) => {
            return Ok(Refresh::Skipped(Skipped {
                path,
                what: fs::describe_file_type(t),
                folder: true,
            }));
        }
    }
    let mut stale = Vec::new();
    for file in SchemaFile::ALL {
        let rel = Path::new(SCHEMA_DIR).join(file.file_name());
        let want = file.text();
        match holds(root, &rel, want.as_bytes())? {
            Holds::Same => {}
            Holds::Differs => stale.push((rel, want)),
            Holds::Refused(skipped) => return Ok(Refresh::Skipped(skipped)),
        }
    }
    if stale.is_empty() {
        return Ok(Refresh::Current);
    }
    for (rel, want) in &stale {
        // Written beside the file and renamed over it: a schema file
        // swapped for a link since it was looked at is replaced, not
        // written through.
        write_atomic(&root.join(rel), want.as_bytes(), true)?;
    }
    Ok(Refresh::Rewritten(
        stale.into_iter().map(|(rel, _)| rel).collect(),
    ))
}

/// How a schema file stands against this version's text.
enum Holds {
    Same,
    /// Missing, or other bytes.
    Differs,
    /// Not a regular file: not opened.
    Refused(Skipped),
}

/// Whether the schema file at `rel` holds `want`, read without following
/// a link, without blocking, and no further than `want` is long.
fn holds(root: &Path, rel: &Path, want: &[u8]) -> Result<Holds> {
    let abs = root.join(rel);
    match std::fs::symlink_metadata(&abs) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Holds::Differs),
        Err(e) => return Err(Error::io(rel, e)),
        Ok(_) => {}
    }
    let refused = |what| {
        Ok(Holds::Refused(Skipped {
            path: rel.to_owned(),
            what,
            folder: false,
        }))
    };
    match fs::read_bytes_as(&abs, rel, want.len() as u64) {
        Ok(have) if have == want => Ok(Holds::Same),
        Ok(_) | Err(Error::TooLarge { .. }) => Ok(Holds::Differs),
        Err(Error::Symlink { .. }) => refused("a symbolic link"),
        Err(Error::NotAFile { what, .. }) => refused(what),
        Err(e) => Err(e),
    }
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
        assert_eq!(
            v["yaml.schemas"]["./.arende/schemas/people.schema.json"][0],
            "policy/people.yaml"
        );
        assert_eq!(
            v["yaml.schemas"]["./.arende/schemas/waivers.schema.json"][0],
            "policy/waivers.yaml"
        );
        assert_eq!(
            v["yaml.schemas"]["./.arende/schemas/calendar.schema.json"][0],
            "policy/calendar.yaml"
        );
        // The other one, seven kinds, the people registry, the waivers and
        // the change calendar.
        assert_eq!(v["yaml.schemas"].as_object().map(|m| m.len()), Some(11));
    }

    #[test]
    fn settings_with_comments_are_left_alone() {
        assert!(vscode_settings(Some("// mine\n{}"), SCHEMA_DIR).is_none());
        assert!(vscode_settings(Some("[1]"), SCHEMA_DIR).is_none());
        assert!(vscode_settings(Some(""), SCHEMA_DIR).is_some());
    }
}
