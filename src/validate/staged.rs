//! Validation of what the next commit will hold: the record files staged in
//! the git index, read from the index, not from the working tree (which may
//! have been fixed, or broken, since `git add`).
//!
//! Only the staged records are checked, with the records they link to (and
//! linked to before, so a removed link that leaves a one-way link behind is
//! seen), and, when a staged record is a configuration item or a release,
//! the others of its kind (cycles and deployed releases cross them): a
//! commit of one record in a large repository reads a handful of files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use super::{
    Context, Finding, Lookup, Report, check_entries, checks, file_finding, links_of,
    standard_register,
};
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::record::Record;
use crate::store::{Entry, Store, repo_prefix};
use crate::yaml::{self, Value};

/// A record file in the index: its blob and kind.
struct Staged {
    oid: Oid,
    kind: Kind,
}

/// Record files in the index, by their path relative to the record root:
/// at any depth under a kind's folder, hidden folders skipped, as the
/// store reads the working tree.
fn index_records(repo: &Repository, prefix: &Path) -> Result<BTreeMap<PathBuf, Staged>> {
    let index = repo.index()?;
    let mut out = BTreeMap::new();
    for entry in index.iter() {
        let Ok(path) = std::str::from_utf8(&entry.path) else {
            continue;
        };
        let Ok(rel) = Path::new(path).strip_prefix(prefix) else {
            continue;
        };
        let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
        let [dir, folders @ .., name] = parts.as_slice() else {
            continue;
        };
        if !(name.ends_with(".yaml") || name.ends_with(".yml"))
            || folders.iter().any(|f| f.starts_with('.'))
        {
            continue;
        }
        if let Some(kind) = Kind::ALL.into_iter().find(|k| k.dir() == *dir) {
            out.insert(
                rel.to_owned(),
                Staged {
                    oid: entry.id,
                    kind,
                },
            );
        }
    }
    Ok(out)
}

fn parse(rel: &Path, bytes: Vec<u8>) -> Result<(Entry, String)> {
    if bytes.len() as u64 > yaml::MAX_RECORD_BYTES {
        return Err(Error::TooLarge {
            path: rel.to_owned(),
            size: bytes.len() as u64,
            limit: yaml::MAX_RECORD_BYTES,
        });
    }
    let text = yaml::text_from_bytes(rel, bytes)?;
    let doc = Value::Mapping(yaml::parse_mapping(rel, &text)?);
    let record = Record::from_doc(rel, Some(&text), &doc)?;
    Ok((
        Entry {
            path: rel.to_owned(),
            doc,
            record,
        },
        text,
    ))
}

struct Found(HashMap<RecordId, Value>);

impl Lookup for Found {
    fn document(&self, id: &RecordId) -> Option<Value> {
        self.0.get(id).cloned()
    }
}

/// Validates the record files staged for the next commit (those whose
/// index blob differs from HEAD's), as the commit will hold them.
pub fn validate_staged(store: &Store) -> Result<Report> {
    let repo = crate::store::open_repo(store.root())?;
    let prefix = repo_prefix(&repo, store.root())?;
    let in_index = index_records(&repo, &prefix)?;
    let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let head_blob = |rel: &Path| {
        head.as_ref()
            .and_then(|t| t.get_path(&prefix.join(rel)).ok())
            .map(|e| e.id())
    };
    let staged: BTreeSet<PathBuf> = in_index
        .iter()
        .filter(|(rel, s)| head_blob(rel) != Some(s.oid))
        .map(|(rel, _)| rel.clone())
        .collect();
    let read = |rel: &Path| -> Option<Result<(Entry, String)>> {
        let s = in_index.get(rel)?;
        Some(
            repo.find_blob(s.oid)
                .map_err(Error::from)
                .and_then(|b| parse(rel, b.content().to_vec())),
        )
    };
    let mut findings = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    for rel in &staged {
        match read(rel) {
            Some(Ok((entry, text))) => {
                texts.insert(rel.clone(), text);
                entries.push(entry);
            }
            Some(Err(e)) => findings.push(file_finding(e)),
            None => {}
        }
    }
    // The records the staged ones link to, and linked to in HEAD.
    let mut neighbours: BTreeSet<PathBuf> = BTreeSet::new();
    let mut linked: Vec<String> = entries
        .iter()
        .flat_map(|e| links_of(&e.doc))
        .flat_map(|(_, ids)| ids)
        .collect();
    for rel in &staged {
        let old = head
            .as_ref()
            .and_then(|t| t.get_path(&prefix.join(rel)).ok())
            .and_then(|e| repo.find_blob(e.id()).ok())
            .and_then(|b| parse(rel, b.content().to_vec()).ok());
        if let Some((old, _)) = old {
            linked.extend(links_of(&old.doc).into_iter().flat_map(|(_, ids)| ids));
        }
    }
    // A linked record may sit at any depth: find it by its file name.
    let mut by_name: HashMap<&std::ffi::OsStr, Vec<&PathBuf>> = HashMap::new();
    for rel in in_index.keys() {
        if let Some(name) = rel.file_name() {
            by_name.entry(name).or_default().push(rel);
        }
    }
    for id in linked {
        if let Ok(id) = RecordId::parse(&id) {
            let name = format!("{id}.yaml");
            if let Some(paths) = by_name.get(std::ffi::OsStr::new(&name)) {
                neighbours.extend(paths.iter().map(|p| (*p).clone()));
            }
        }
    }
    let whole_kinds: BTreeSet<Kind> = in_index
        .iter()
        .filter(|(rel, _)| staged.contains(*rel))
        .map(|(_, s)| s.kind)
        .filter(|k| matches!(k, Kind::ConfigurationItem | Kind::Release))
        .collect();
    neighbours.extend(
        in_index
            .iter()
            .filter(|(_, s)| whole_kinds.contains(&s.kind))
            .map(|(rel, _)| rel.clone()),
    );
    for rel in neighbours.difference(&staged) {
        if let Some(Ok((entry, _))) = read(rel) {
            entries.push(entry);
        }
    }
    let register = standard_register(store)?;
    let lookup = Found(
        entries
            .iter()
            .map(|e| (e.record.id().clone(), e.doc.clone()))
            .collect(),
    );
    let cx = Context {
        policy: store.policy(),
        register: &register,
        lookup: &lookup,
    };
    let link_rules = [checks::DANGLING_LINK.id, checks::ONE_WAY_LINK.id];
    findings.extend(check_entries(store, &cx, &entries).into_iter().filter(|f| {
        staged.contains(&f.path)
            || (neighbours.contains(&f.path) && link_rules.contains(&f.rule.as_str()))
    }));
    locate(&texts, &mut findings);
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    let checked: Vec<PathBuf> = staged.into_iter().collect();
    Ok(Report {
        files: checked.len(),
        checked,
        findings,
    })
}

/// Lines and columns of findings that name a field, from the staged text.
fn locate(texts: &HashMap<PathBuf, String>, findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| f.line.is_none()) {
        let (Some(field), Some(text)) = (f.field.clone(), texts.get(&f.path)) else {
            continue;
        };
        let parts: Vec<&str> = field
            .split('.')
            .filter_map(|p| p.split('[').next().filter(|k| !k.is_empty()))
            .collect();
        let found = (1..=parts.len())
            .rev()
            .find_map(|n| yaml::locate_key(text, &parts[..n]))
            .or_else(|| yaml::locate_key(text, &["id"]))
            .unwrap_or((1, 1));
        f.line = Some(found.0);
        f.column = Some(found.1);
    }
}
