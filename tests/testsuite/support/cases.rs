//! The rule case files of `tests/rules/<pack>/<RULE>.yaml` (their format is
//! described in `tests/testsuite/rules.rs`), read and laid into a repository the same
//! way by every test that uses them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml::{Mapping, Value};

/// One case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub rule: String,
    #[serde(default)]
    #[allow(dead_code)] // read by people
    pub note: Option<String>,
    pub record: Mapping,
    #[serde(default)]
    pub others: Vec<Mapping>,
    #[serde(default)]
    pub register: Vec<Value>,
    /// The change calendar, `policy/calendar.yaml`, if the case needs one.
    #[serde(default)]
    pub calendar: Option<Mapping>,
    #[serde(rename = "break")]
    pub brk: Mapping,
    #[serde(default)]
    pub break_others: BTreeMap<String, Mapping>,
}

/// The case file of `rule` in `pack`.
pub fn case_path(pack: &str, rule: &str) -> PathBuf {
    cases_dir().join(pack).join(format!("{rule}.yaml"))
}

/// The folder of the case files, one folder a pack.
pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules")
}

/// Reads a case file.
pub fn load_case(path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_yaml::from_str(&text).map_err(|e| format!("not a case file: {e}"))
}

/// Sets (or with a null value removes) the value at a dotted path. Numeric
/// parts index lists; mappings on the way are made as needed.
pub fn apply(doc: &mut Value, path: &str, value: &Value) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last().ok_or("empty key")?;
    let mut current = doc;
    for part in parents {
        current = match current {
            Value::Mapping(m) => {
                let entry = m
                    .entry(Value::String((*part).to_owned()))
                    .or_insert(Value::Null);
                if entry.is_null() {
                    *entry = Value::Mapping(Mapping::new());
                }
                entry
            }
            Value::Sequence(s) => {
                let i: usize = part
                    .parse()
                    .map_err(|_| format!("`{path}`: `{part}` indexes a list"))?;
                s.get_mut(i)
                    .ok_or_else(|| format!("`{path}`: no entry {i}"))?
            }
            _ => return Err(format!("`{path}`: `{part}` is not in a mapping or a list")),
        };
    }
    match current {
        Value::Mapping(m) => {
            if value.is_null() {
                m.remove(*last)
                    .ok_or_else(|| format!("`{path}`: nothing to remove"))?;
            } else {
                m.insert(Value::String((*last).to_owned()), value.clone());
            }
        }
        Value::Sequence(s) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("`{path}`: `{last}` indexes a list"))?;
            if i >= s.len() {
                return Err(format!("`{path}`: no entry {i}"));
            }
            if value.is_null() {
                s.remove(i);
            } else {
                s[i] = value.clone();
            }
        }
        _ => return Err(format!("`{path}`: the parent is not a mapping or a list")),
    }
    Ok(())
}

/// `record` with every dotted key of `overrides` applied.
pub fn apply_all(record: &Mapping, overrides: &Mapping) -> Result<Mapping, String> {
    let mut doc = Value::Mapping(record.clone());
    for (k, v) in overrides {
        let key = k.as_str().ok_or("a break key is not text")?;
        apply(&mut doc, key, v)?;
    }
    match doc {
        Value::Mapping(m) => Ok(m),
        _ => unreachable!(),
    }
}

/// The record's `id`.
pub fn record_id(record: &Mapping) -> Result<String, String> {
    record
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "a record without an `id`".to_owned())
}

/// Where a record lives, relative to the root: its kind's folder and the
/// month folder of its ID, as `arende new` files it.
pub fn record_rel(record: &Mapping) -> Result<String, String> {
    let id = record_id(record)?;
    if !["INC-", "PRB-", "CHG-", "REL-", "SR-", "CI-", "CAP-"]
        .iter()
        .any(|p| id.starts_with(p))
    {
        return Err(format!("{id}: not the ID of a kind of record"));
    }
    Ok(super::rel_path(&id))
}

/// Writes `record` at its place under `root`.
pub fn write_record(root: &Path, record: &Mapping) -> Result<(), String> {
    let text = serde_yaml::to_string(record).map_err(|e| e.to_string())?;
    let path = root.join(record_rel(record)?);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, text).map_err(|e| e.to_string())
}

/// Writes the case's standard-change register and change calendar, where
/// it has them.
pub fn write_register(root: &Path, case: &Case) -> Result<(), String> {
    if let Some(calendar) = &case.calendar {
        std::fs::create_dir_all(root.join("policy")).map_err(|e| e.to_string())?;
        let text = serde_yaml::to_string(calendar).map_err(|e| e.to_string())?;
        std::fs::write(root.join("policy/calendar.yaml"), text).map_err(|e| e.to_string())?;
    }
    if case.register.is_empty() {
        return Ok(());
    }
    let mut register = Mapping::new();
    register.insert("changes".into(), Value::Sequence(case.register.clone()));
    std::fs::create_dir_all(root.join("policy")).map_err(|e| e.to_string())?;
    let text = serde_yaml::to_string(&register).map_err(|e| e.to_string())?;
    std::fs::write(root.join("policy/standard-changes.yaml"), text).map_err(|e| e.to_string())
}
