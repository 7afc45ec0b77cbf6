//! The waivers, `policy/waivers.yaml`: errors of the rules a repository
//! accepts, each for one record, with the reason, who accepted it and
//! when. A ServiceNow migration brings incidents that broke a rule before
//! they came (a priority-1 incident without a major incident manager):
//! the facts of the source data cannot be mended without inventing them,
//! and a repository whose `validate` fails for ever on them has a CI that
//! nobody reads. A waiver says, once and in git, that a person looked at
//! the error and let it stand; `validate` then reports it as waived, not
//! as an error, and reports a waiver that no longer matches an error, so
//! the file does not rot.
//!
//! The file is data a person edits, so it is read as the people registry
//! is: never through a symbolic link, bounded, and a file that is not of
//! its shape is an error naming the file, the entry and its line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FileSpan, Result};
use crate::fs;
use crate::id::RecordId;
use crate::time::Timestamp;
use crate::yaml::{self, Mapping, Value};

/// Where the waivers are, relative to the repository root.
pub const WAIVERS_FILE: &str = "policy/waivers.yaml";

/// The JSON Schema of the waivers' file, for editors.
pub fn json_schema() -> serde_json::Value {
    let mut value = schemars::schema_for!(Waivers).to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://arende.dev/schemas/waivers.schema.json".into(),
        );
    }
    value
}

/// The waivers as their file holds them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "arende waivers")]
pub struct Waivers {
    /// The errors accepted, one record and one rule each.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// One error accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The record (`INC-20261102-AAAAAA`).
    pub record: RecordId,
    /// The rule or check whose error is accepted (`INC022`).
    pub rule: String,
    /// Why it stands: what the error is a fact of.
    pub reason: String,
    /// Who accepted it: a handle of the people registry, or `Name <email>`.
    pub who: String,
    /// When (RFC 3339).
    #[schemars(with = "String")]
    pub when: Timestamp,
}

impl Waivers {
    /// Reads the waivers of the repository at `root`, with the file's
    /// text; `None` when it has none. A file that is not YAML, or whose
    /// entry is not a waiver, is an error naming the file, the entry and
    /// its line.
    pub fn read(root: &Path) -> Result<Option<(Waivers, String)>> {
        let path = root.join(WAIVERS_FILE);
        match path.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        fs::check_folders(root, Path::new(WAIVERS_FILE))?;
        let rel = PathBuf::from(WAIVERS_FILE);
        let text = fs::read_text_as(&path, &rel, yaml::MAX_RECORD_BYTES)?;
        Ok(Some((Waivers::parse(&text)?, text)))
    }

    /// The waivers in `text`, the file's (see [`Waivers::read`]).
    pub fn parse(text: &str) -> Result<Waivers> {
        let rel = Path::new(WAIVERS_FILE);
        // An empty file, or one of comments only, waives nothing.
        if text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            return Ok(Waivers::default());
        }
        let doc = yaml::parse_mapping(rel, text)?;
        if let Some(key) = doc.keys().find(|k| k.as_str() != Some("waivers")) {
            let key = crate::record::document::display(key);
            return Err(shape_error(text, &key, format!("unknown key `{key}`")));
        }
        let entries = match doc.get("waivers") {
            None | Some(Value::Null) => return Ok(Waivers::default()),
            Some(Value::Sequence(entries)) => entries,
            Some(_) => {
                return Err(shape_error(
                    text,
                    "waivers",
                    "`waivers` is a list of waivers".into(),
                ));
            }
        };
        let waivers = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                yaml::from_value::<Waiver>(entry)
                    .map_err(|e| shape_error(text, &format!("waivers[{i}]"), e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Waivers { waivers })
    }

    /// The line and column (1-based) of the `index`th waiver in `text`,
    /// where it can be found by its indentation.
    pub fn place_of(text: &str, index: usize) -> Option<(usize, usize)> {
        yaml::locate_key(text, &[&format!("waivers[{index}]")])
    }

    /// The waivers by record and rule (rule IDs in any case, as `policy
    /// explain` takes them), to look up many errors: a migration's waivers
    /// run to thousands, and so do its errors.
    pub fn index(&self) -> Index<'_> {
        let mut by = HashMap::with_capacity(self.waivers.len());
        for (i, w) in self.waivers.iter().enumerate() {
            by.entry((&w.record, w.rule.to_ascii_uppercase()))
                .or_insert(i);
        }
        Index { waivers: self, by }
    }

    /// `text` (the file's, or `None` for a file not yet written) with
    /// `new` added at the end. The file's comments and layout are kept
    /// where the new entries can be appended to its text; else (a flow
    /// list, an empty `waivers:`) the file is written anew from what it
    /// holds.
    pub fn append(text: Option<&str>, new: &[Waiver]) -> Result<String> {
        let entries = block(new);
        let Some(text) = text else {
            return Ok(format!("{HEADER}waivers:\n{entries}"));
        };
        let old = Waivers::parse(text)?;
        let mut want = old.waivers.clone();
        want.extend(new.iter().cloned());
        let mut appended = text.to_owned();
        if !appended.is_empty() && !appended.ends_with('\n') {
            appended.push('\n');
        }
        appended.push_str(&entries);
        if Waivers::parse(&appended).is_ok_and(|w| w.waivers == want) {
            return Ok(appended);
        }
        let mut doc = Mapping::new();
        doc.insert(Value::from("waivers"), yaml::to_value(&want));
        Ok(format!("{HEADER}{}", yaml::to_string(&doc)))
    }
}

/// The waivers by record and rule (see [`Waivers::index`]).
pub struct Index<'a> {
    waivers: &'a Waivers,
    by: HashMap<(&'a RecordId, String), usize>,
}

impl<'a> Index<'a> {
    /// The first waiver that accepts the error of `rule` on `record`, with
    /// its place in the file.
    pub fn find(&self, record: &RecordId, rule: &str) -> Option<(usize, &'a Waiver)> {
        let i = *self.by.get(&(record, rule.to_ascii_uppercase()))?;
        Some((i, &self.waivers.waivers[i]))
    }
}

/// What a new waivers file starts with.
const HEADER: &str = "# Errors of the rules this repository accepts, one record and one rule each:\n\
# `arende validate` reports them as waived, and a waiver that no longer\n\
# matches an error as stale. `arende schema waivers` prints the schema.\n";

/// The waivers as entries of the block list under `waivers:`.
fn block(waivers: &[Waiver]) -> String {
    let mut out = String::new();
    for w in waivers {
        let mut entry = Mapping::new();
        entry.insert(Value::from("record"), Value::from(w.record.to_string()));
        entry.insert(Value::from("rule"), Value::from(w.rule.clone()));
        entry.insert(Value::from("reason"), Value::from(w.reason.clone()));
        entry.insert(Value::from("who"), Value::from(w.who.clone()));
        entry.insert(
            Value::from("when"),
            Value::from(crate::time::rfc3339(&w.when)),
        );
        let text = yaml::to_string(&entry);
        for (i, line) in text.lines().enumerate() {
            out.push_str(if i == 0 { "  - " } else { "    " });
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The error of a file not of the waivers' shape, at `field`.
fn shape_error(text: &str, field: &str, message: String) -> Error {
    let at = yaml::locate_key(text, &[field])
        .map(|(line, column)| FileSpan::at(Path::new(WAIVERS_FILE), text, line, column, 1));
    Error::field(
        WAIVERS_FILE,
        field,
        message,
        Some(format!(
            "{WAIVERS_FILE} holds `waivers:`, a list of entries with record, rule, reason, who and when; `arende schema waivers` prints its schema"
        )),
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "# ours\nwaivers:\n  - record: INC-20261102-AAAAAA\n    rule: INC022\n    reason: migrerad\n    who: eva.ek\n    when: 2026-11-22T09:30:00+01:00\n";

    fn waiver(rule: &str) -> Waiver {
        Waiver {
            record: RecordId::parse("INC-20261102-BBBBBB").unwrap(),
            rule: rule.into(),
            reason: "från ServiceNow".into(),
            who: "Anna Berg <anna@example.se>".into(),
            when: chrono::DateTime::parse_from_rfc3339("2026-11-22T09:30:00+01:00").unwrap(),
        }
    }

    #[test]
    fn reads_a_waiver_and_finds_it_in_any_case() {
        let w = Waivers::parse(ONE).unwrap();
        let id = RecordId::parse("INC-20261102-AAAAAA").unwrap();
        let index = w.index();
        assert_eq!(index.find(&id, "inc022").map(|(i, _)| i), Some(0));
        assert!(index.find(&id, "INC023").is_none());
        assert_eq!(index.find(&id, "Inc022").map(|(i, _)| i), Some(0));
        assert_eq!(Waivers::place_of(ONE, 0), Some((3, 5)));
    }

    #[test]
    fn a_malformed_entry_names_the_file_the_entry_and_its_line() {
        let bad = ONE.replace("    who: eva.ek\n", "");
        let e = Waivers::parse(&bad).unwrap_err();
        let text = format!("{e:?}");
        assert!(text.contains("waivers[0]"), "{text}");
        assert!(text.contains("who"), "{text}");
        match e {
            Error::Field { path, at, .. } => {
                assert_eq!(path, Path::new(WAIVERS_FILE));
                assert_eq!(at.map(|a| a.line), Some(3));
            }
            other => panic!("{other:?}"),
        }
        assert!(Waivers::parse("waiver: []\n").is_err());
        assert!(Waivers::parse("waivers: {}\n").is_err());
        assert!(
            Waivers::parse("# nothing yet\n")
                .unwrap()
                .waivers
                .is_empty()
        );
    }

    #[test]
    fn appending_keeps_the_comments_and_reads_back() {
        let text = Waivers::append(Some(ONE), &[waiver("INC022")]).unwrap();
        assert!(text.starts_with("# ours\n"), "{text}");
        let w = Waivers::parse(&text).unwrap();
        assert_eq!(w.waivers.len(), 2);
        assert_eq!(w.waivers[1], waiver("INC022"));
        let flow = Waivers::append(Some("waivers: []\n"), &[waiver("A"), waiver("B")]).unwrap();
        assert_eq!(Waivers::parse(&flow).unwrap().waivers.len(), 2, "{flow}");
        let new = Waivers::append(None, &[waiver("A")]).unwrap();
        assert_eq!(Waivers::parse(&new).unwrap().waivers, vec![waiver("A")]);
    }
}
