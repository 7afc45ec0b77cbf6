//! Records merge like code: the `arende merge-file` git merge driver.
//!
//! Two people who changed different fields of one record on two branches
//! should not have to hand-merge YAML. The driver merges base, ours and
//! theirs field by field ([`tree`]), takes `history` and `approvals` as unions
//! ordered by time, re-classifies the result with the policy and checks its
//! status against the status machine. Only a field both sides changed
//! differently is a conflict, and only that field's lines get git's conflict
//! markers, so `validate` and `show` point at the one line to decide.
//! Text arende cannot rewrite faithfully (unparsable, or with comments past
//! the leading block) goes to git's own text merge instead ([`setup`]).

pub mod setup;
pub mod tree;

use std::path::Path;

use crate::record::{Event, Record, document};
use crate::workspace::Workspace;
use crate::yaml::{self, Mapping, Value};

pub use tree::{Conflict, merge_documents};

/// The merge of one record file.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged file: with conflict markers around each conflicted field.
    pub text: String,
    /// The fields left for a person to decide.
    pub conflicts: Vec<Conflict>,
    /// What the merge did beside merging (a priority re-derived) or found
    /// (a history the status machine does not allow), one line each.
    pub notes: Vec<String>,
}

impl Merged {
    /// Whether nothing is left to decide.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// Why a file is not merged as a record (it goes to git's text merge).
#[derive(Debug, Clone, PartialEq)]
pub struct NotARecord(pub String);

/// Merges the three versions of the record file at `path` (relative to the
/// record repository). `base` is empty when both sides added the file.
/// With a `store`, the result is re-classified and checked against its
/// policy's status machine.
pub fn merge_record(
    ws: Option<&Workspace>,
    path: &Path,
    base: &str,
    ours: &str,
    theirs: &str,
) -> Result<Merged, NotARecord> {
    let parse = |side: &str, text: &str| -> Result<Mapping, NotARecord> {
        if text.trim().is_empty() {
            return Ok(Mapping::new());
        }
        let doc = yaml::parse_mapping(path, text)
            .map_err(|e| NotARecord(format!("{side} does not parse: {e}")))?;
        if let Some(line) = yaml::lost_comment_line(text, &doc) {
            return Err(NotARecord(format!(
                "{side} has a comment on line {line}, which a rewrite would lose"
            )));
        }
        Ok(doc)
    };
    let b = parse("the base", base)?;
    let o = parse("ours", ours)?;
    let t = parse("theirs", theirs)?;
    let (mut doc, mut conflicts) = merge_documents(&b, &o, &t);
    let mut notes = Vec::new();
    // The fields still in conflict, by index into `conflicts`: a derived one
    // (a priority both sides re-derived) is settled by deriving it again.
    let mut open: Vec<usize> = (0..conflicts.len()).collect();
    if let Some(ws) = ws {
        settle_derived(ws, path, &mut doc, &conflicts, &mut open, &mut notes);
        if open.is_empty() {
            reclassify(ws, path, &mut doc, &mut notes);
        }
        if !open.iter().any(|&i| conflicts[i].field == "status")
            && let Some(problem) = status_problem(ws, path, &b, &doc, &conflicts, &open)
        {
            notes.push(problem);
            let i = conflicts.len();
            conflicts.push(Conflict {
                field: "status".into(),
                key: Value::String("status".into()),
                ours: o.get("status").cloned(),
                theirs: t.get("status").cloned(),
            });
            doc.insert("status".into(), tree::placeholder(i));
            open.push(i);
        }
    }
    let header = match yaml::leading_comments(ours) {
        "" => yaml::leading_comments(theirs),
        h => h,
    };
    let text = render(header, &doc, &conflicts);
    Ok(Merged {
        text,
        conflicts: open.into_iter().map(|i| conflicts[i].clone()).collect(),
        notes,
    })
}

/// Derives the policy's values again from the merged record, noting each
/// one that changed, or why it could not be done.
fn reclassify(ws: &Workspace, path: &Path, doc: &mut Mapping, notes: &mut Vec<String>) {
    let mut value = Value::Mapping(std::mem::take(doc));
    match crate::classify::apply_classification(ws.policy(), path, &mut value) {
        Ok(changes) => notes.extend(changes.iter().map(|c| {
            format!(
                "{} re-derived by the {} policy: {} → {}",
                c.field,
                ws.policy().name,
                shown(c.from.as_ref()),
                shown(c.to.as_ref())
            )
        })),
        Err(e) => notes.push(format!("not re-classified: {e}")),
    }
    // Classification sets fields of a mapping; it never makes it another value.
    *doc = std::mem::take(document::mapping_mut(&mut value));
}

fn shown(v: Option<&Value>) -> String {
    v.map(document::display).unwrap_or_else(|| "–".into())
}

/// The document with each open conflict's field set to our value, for
/// reading a typed view before the conflicts are decided.
fn tentative(doc: &Mapping, conflicts: &[Conflict], open: &[usize]) -> Mapping {
    let mut doc = doc.clone();
    take_ours(&mut doc, conflicts, open);
    doc
}

/// Puts our value where each open conflict's placeholder stands, at any
/// depth, and drops the key where we removed the field. The placeholder,
/// not the conflict's dotted name, says where: so nothing can fail. (A
/// dotted name would lead elsewhere for a key with a dot in it or one that
/// is not a string, and setting it fails where a step is not a mapping.)
fn take_ours(map: &mut Mapping, conflicts: &[Conflict], open: &[usize]) {
    map.retain(|_, value| {
        let conflict = value
            .as_str()
            .and_then(tree::placeholder_index)
            .filter(|i| open.contains(i));
        match conflict.map(|i| &conflicts[i].ours) {
            Some(Some(ours)) => *value = ours.clone(),
            Some(None) => return false,
            None => {
                if let Value::Mapping(inner) = value {
                    take_ours(inner, conflicts, open);
                }
            }
        }
        true
    });
}

/// Settles the conflicts on fields the policy derives (both sides
/// re-derived a priority from an input each changed): the merged inputs
/// give the value.
fn settle_derived(
    ws: &Workspace,
    path: &Path,
    doc: &mut Mapping,
    conflicts: &[Conflict],
    open: &mut Vec<usize>,
    notes: &mut Vec<String>,
) {
    if open.is_empty() {
        return;
    }
    let trial = Value::Mapping(tentative(doc, conflicts, open));
    let Ok(record) = Record::from_doc(path, None, &trial) else {
        return;
    };
    let derived = crate::classify::derive(ws.policy(), &record);
    open.retain(|&i| {
        let c = &conflicts[i];
        match derived.iter().find(|d| d.field == c.field) {
            Some(d) if document::set(doc, &c.field, d.value.clone()).is_ok() => {
                notes.push(format!(
                    "{} changed on both sides; re-derived from the merged record: {} ({})",
                    c.field,
                    document::display(&d.value),
                    d.reason
                ));
                false
            }
            _ => true,
        }
    });
}

/// What is wrong with the merged record's status against the policy's
/// status machine: a history whose moves the machine does not allow (two
/// branches each moved it), or a status its history does not end in. Only
/// the moves the branches made count: a base that was already off the
/// machine (an imported history) is not the merge's to judge.
fn status_problem(
    ws: &Workspace,
    path: &Path,
    base: &Mapping,
    doc: &Mapping,
    conflicts: &[Conflict],
    open: &[usize],
) -> Option<String> {
    let trial = Value::Mapping(tentative(doc, conflicts, open));
    let record = Record::from_doc(path, None, &trial).ok()?;
    let machine = ws.policy().machine(record.kind());
    // A base whose history does not read as events gives no way to tell
    // the branches' moves from its own: not the merge's to judge.
    let before: Vec<Event> = match base.get("history") {
        None | Some(Value::Null) => Vec::new(),
        Some(h) => yaml::from_value(h).ok()?,
    };
    let mut last: Option<&str> = None;
    let mut last_is_new = false;
    for event in &record.common.history {
        let Some(to) = event.status.as_deref() else {
            continue;
        };
        let new = !before.contains(event);
        if let Some(from) = last
            && new
            && from != to
            && !machine.allows(from, to)
        {
            return Some(format!(
                "the merged history moves {from} → {to} ({} at {}), which the {} policy's status machine does not allow; decide the status",
                event.by,
                event.at.to_rfc3339(),
                ws.policy().name
            ));
        }
        last = Some(to);
        last_is_new = new;
    }
    match last {
        Some(end) if last_is_new && end != record.status() => Some(format!(
            "the merged status is {} but the merged history ends in {end}; decide the status",
            record.status()
        )),
        _ => None,
    }
}

/// Marks that open and close a conflict, as git writes them.
pub const OURS_MARK: &str = "<<<<<<< ours";
/// The line between the two sides of a conflict.
pub const SPLIT_MARK: &str = "=======";
/// The line that closes a conflict.
pub const THEIRS_MARK: &str = ">>>>>>> theirs";

/// The merged document as text: the leading comment block, then the YAML,
/// with each placeholder line replaced by the two sides' lines between
/// conflict markers.
fn render(header: &str, doc: &Mapping, conflicts: &[Conflict]) -> String {
    let body = yaml::to_string(doc);
    let mut out = String::from(header);
    for line in body.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        let conflict = bare
            .rsplit_once(": ")
            .and_then(|(_, v)| tree::placeholder_index(v))
            .and_then(|i| conflicts.get(i));
        let Some(c) = conflict else {
            out.push_str(line);
            continue;
        };
        let indent = &bare[..bare.len() - bare.trim_start().len()];
        out.push_str(OURS_MARK);
        out.push('\n');
        side(&mut out, indent, &c.key, c.ours.as_ref());
        out.push_str(SPLIT_MARK);
        out.push('\n');
        side(&mut out, indent, &c.key, c.theirs.as_ref());
        out.push_str(THEIRS_MARK);
        out.push('\n');
    }
    out
}

fn side(out: &mut String, indent: &str, key: &Value, value: Option<&Value>) {
    let Some(value) = value else { return };
    let mut one = Mapping::new();
    one.insert(key.clone(), value.clone());
    for line in yaml::to_string(&one).lines() {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "id: X\ntickets:\n  kund: '1'\n  agent: A\ntitle: t\n";

    fn merge(ours: &str, theirs: &str) -> Merged {
        merge_record(None, Path::new("incidents/X.yaml"), BASE, ours, theirs).unwrap()
    }

    #[test]
    fn a_nested_conflict_marks_only_its_own_lines() {
        let m = merge(
            "id: X\ntickets:\n  kund: '2'\n  agent: A\ntitle: t\n",
            "id: X\ntickets:\n  kund: '3'\n  agent: B\ntitle: t\n",
        );
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].field, "tickets.kund");
        assert_eq!(
            m.text,
            "id: X\ntickets:\n<<<<<<< ours\n  kund: '2'\n=======\n  kund: '3'\n>>>>>>> theirs\n  agent: B\ntitle: t\n"
        );
        assert_eq!(yaml::conflict_marker_line(&m.text), Some(3));
    }

    #[test]
    fn a_removal_against_an_edit_is_a_conflict_with_one_empty_side() {
        let m = merge(
            "id: X\ntickets:\n  kund: '1'\n  agent: A\n",
            "id: X\ntickets:\n  kund: '1'\n  agent: A\ntitle: new\n",
        );
        assert_eq!(m.conflicts.len(), 1);
        assert!(
            m.text
                .ends_with("<<<<<<< ours\n=======\ntitle: new\n>>>>>>> theirs\n"),
            "{}",
            m.text
        );
    }

    #[test]
    fn comments_past_the_header_and_broken_yaml_go_to_the_text_merge() {
        let commented = "# schema\nid: X\n# note\ntitle: t\n";
        let e = merge_record(None, Path::new("x.yaml"), BASE, commented, BASE).unwrap_err();
        assert!(e.0.contains("line 3"), "{e:?}");
        assert!(merge_record(None, Path::new("x.yaml"), BASE, "a: [", BASE).is_err());
    }

    #[test]
    fn our_side_stands_in_for_a_conflict_whatever_its_key() {
        let map = |text: &str| yaml::parse_mapping(Path::new("x.yaml"), text).unwrap();
        let base = map("a: 1\na.b: '1'\nc: '1'\n");
        let ours = map("a: 1\na.b: '2'\n");
        let theirs = map("a: 1\na.b: '3'\nc: '3'\n");
        let (doc, conflicts) = merge_documents(&base, &ours, &theirs);
        assert_eq!(conflicts.len(), 2, "{conflicts:?}");
        let trial = tentative(&doc, &conflicts, &[0, 1]);
        assert_eq!(trial, map("a: 1\na.b: '2'\n"));
    }

    #[test]
    fn the_leading_comment_block_is_kept() {
        let ours = "# yaml-language-server: $schema=x\nid: X\ntickets:\n  kund: '1'\n  agent: A\ntitle: u\n";
        let m = merge(ours, BASE);
        assert!(m.is_clean());
        assert!(
            m.text
                .starts_with("# yaml-language-server: $schema=x\nid: X\n"),
            "{}",
            m.text
        );
    }
}
