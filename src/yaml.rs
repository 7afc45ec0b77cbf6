//! The one place YAML is parsed and written.
//!
//! serde_yaml bounds alias expansion and nesting depth itself; it does not
//! bound the size of a file, so files are read through [`crate::fs`], with a
//! size cap, before their text comes here.
//! Records are handled as an ordered [`Mapping`] so that keys the tool does not
//! know, and the order a person wrote them in, survive every rewrite.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, FileSpan, Result};

pub use serde_yaml::{Mapping, Value};

/// The largest record file arende reads (1 MiB). A ticket is a page of text;
/// anything far larger is a mistake or an attack, and is refused before parsing.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The 1-based line of the first git conflict marker in `text`, if any.
pub fn conflict_marker_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>") || l == "=======")
        .map(|i| i + 1)
}

/// How deep `[`/`{` may nest. serde_yaml stops at 128 levels, but only
/// after libyaml has scanned the whole file, which is quadratic in the
/// nesting (100 000 `[` take 17 s): so the text is measured first, in one pass.
pub const MAX_FLOW_DEPTH: usize = 64;

/// The line and column where flow nesting first passes [`MAX_FLOW_DEPTH`].
/// Quoted strings and comments are skipped; a bracket inside a plain scalar
/// counts, which can only make the check stricter on text no one writes.
pub fn too_deep(text: &str) -> Option<(usize, usize)> {
    // Nesting needs as many open brackets as it is deep: most records have
    // none or a few, and a byte count is far cheaper than the walk below.
    if text.bytes().filter(|&b| b == b'[' || b == b'{').count() <= MAX_FLOW_DEPTH {
        return None;
    }
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = ' ';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = c;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if comment => {}
            None => match c {
                '#' if prev.is_whitespace() => comment = true,
                '\'' | '"' if matches!(prev, ' ' | '[' | '{' | ',' | ':' | '\n') => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((line, col));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

fn parse_value(path: &Path, text: &str) -> Result<Value> {
    if let Some((line, column)) = too_deep(text) {
        return Err(yaml_error(
            path,
            text,
            format!("nested more than {MAX_FLOW_DEPTH} levels deep"),
            Some((line, column)),
        ));
    }
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        let loc = e.location().map(|l| (l.line(), l.column()));
        yaml_error(path, text, strip_location(&e.to_string()), loc)
    })
}

/// Parses a YAML document whose top level must be a mapping.
pub fn parse_mapping(path: &Path, text: &str) -> Result<Mapping> {
    if let Some(line) = conflict_marker_line(text) {
        return Err(Error::MergeConflict {
            path: path.to_owned(),
            line,
        });
    }
    match parse_value(path, text) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Err(yaml_error(
            path,
            text,
            "the file is empty; a record is a mapping of fields".into(),
            Some((1, 1)),
        )),
        Ok(_) => Err(yaml_error(
            path,
            text,
            "the top level must be a mapping of fields (`key: value` lines)".into(),
            Some((1, 1)),
        )),
        Err(e) => Err(e),
    }
}

fn yaml_error(path: &Path, text: &str, message: String, loc: Option<(usize, usize)>) -> Error {
    let at = loc.map(|(l, c)| FileSpan::at(path, text, l, c, 1));
    let span = at.as_ref().map(|a| a.span);
    Error::Yaml {
        path: path.to_owned(),
        message,
        at,
        span,
    }
}

/// serde_yaml appends " at line L column C" to its messages; arende puts the
/// place first, as `file:line:col`, so the tail is dropped.
fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// A parsed value that does not have the shape a typed view wants. Its
/// text is serde's, without the place: the caller puts the file first.
#[derive(Debug, thiserror::Error)]
#[error("{}", strip_location(&.0.to_string()))]
pub struct ShapeError(serde_yaml::Error);

/// Deserializes a typed view from an already parsed value.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> std::result::Result<T, ShapeError> {
    T::deserialize(value).map_err(ShapeError)
}

/// Deserializes a typed view straight from text, for the message (with the
/// field's dotted path) and place of an error: called only after
/// [`from_value`] failed, so the fast path parses once.
pub fn type_error<T: DeserializeOwned>(text: &str) -> Option<(String, Option<(usize, usize)>)> {
    match serde_yaml::from_str::<T>(text) {
        Ok(_) => None,
        Err(e) => Some((
            strip_location(&e.to_string()),
            e.location().map(|l| (l.line(), l.column())),
        )),
    }
}

/// Serializes a value to a YAML [`Value`].
pub fn to_value<T: Serialize>(value: &T) -> Value {
    // Serializing plain data structs into a Value cannot fail: no I/O, and
    // every key arende writes is a string.
    serde_yaml::to_value(value).unwrap_or(Value::Null)
}

/// Renders a mapping as a YAML document. serde_yaml fails only on a tag
/// inside a tag (and on bytes, which a `Value` cannot hold), which no
/// parsed document holds and arende never builds.
pub fn to_string(doc: &Mapping) -> String {
    serde_yaml::to_string(doc).unwrap_or_default()
}

/// Parses a single scalar the way it would read in a YAML file (`3` is a
/// number, `true` a boolean, anything else a string).
pub fn parse_scalar(text: &str) -> Value {
    match serde_yaml::from_str::<Value>(text) {
        Ok(v @ (Value::Bool(_) | Value::Number(_) | Value::Null)) => v,
        Ok(Value::Sequence(s)) => Value::Sequence(s),
        _ => Value::String(text.to_owned()),
    }
}

/// Parses any YAML document (for `--from FILE` and imports).
pub fn parse_any(path: &Path, text: &str) -> Result<Value> {
    parse_value(path, text)
}

/// The comment block a file starts with (the `# yaml-language-server:
/// $schema=…` modeline editors read, a licence line): its lines, each a
/// comment at the start of the line or blank, up to the first other line.
/// Every rewrite keeps it verbatim; empty when there is none.
pub fn leading_comments(text: &str) -> &str {
    let (mut offset, mut end) = (0, 0);
    for line in text.split_inclusive('\n') {
        offset += line.len();
        if line.starts_with('#') {
            // Blank lines after the last comment belong to the body.
            end = offset;
        } else if !line.trim().is_empty() {
            break;
        }
    }
    &text[..end]
}

/// `doc` as a record file: the `header` comment block (see
/// [`leading_comments`]) and then the YAML.
pub fn to_string_with_header(header: &str, doc: &Mapping) -> String {
    let mut out = String::from(header);
    out.push_str(&to_string(doc));
    out
}

/// The line of a comment in `text` that a rewrite of `parsed` would lose.
/// The leading comment block is kept by every rewrite, so it does not count.
///
/// A rewrite emits every string the document holds, so every `#` that is part
/// of a value survives. If the text has more `#` characters than the values
/// hold, the rest are comments (or YAML syntax that would not survive either).
pub fn lost_comment_line(text: &str, parsed: &Mapping) -> Option<usize> {
    let header = leading_comments(text);
    let skipped = header.matches('\n').count();
    let text = &text[header.len()..];
    let in_text = text.matches('#').count();
    if in_text == 0 {
        return None;
    }
    let mut in_values = 0;
    count_hashes_in_mapping(parsed, &mut in_values);
    if in_text <= in_values {
        return None;
    }
    let line = text
        .lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with('#') || l.contains(" #")
        })
        .or_else(|| text.lines().position(|l| l.contains('#')))
        .unwrap_or(0);
    Some(skipped + line + 1)
}

fn count_hashes(v: &Value, n: &mut usize) {
    match v {
        Value::String(s) => *n += s.matches('#').count(),
        Value::Sequence(seq) => seq.iter().for_each(|x| count_hashes(x, n)),
        Value::Mapping(m) => count_hashes_in_mapping(m, n),
        Value::Tagged(t) => {
            *n += t.tag.to_string().matches('#').count();
            count_hashes(&t.value, n)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn count_hashes_in_mapping(m: &Mapping, n: &mut usize) {
    for (k, v) in m {
        count_hashes(k, n);
        count_hashes(v, n);
    }
}

/// Finds the line and column of a (possibly nested) key in block-style YAML,
/// for pointing a report at it. A step of `path` may name an entry of a
/// list, `people[2]`: then the entry's first key is where the next step
/// starts. Returns `None` when the key cannot be found by its indentation
/// (flow style, anchors), in which case a report points at the file as a
/// whole.
pub fn locate_key(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    // Where the search goes on: the first line, whether that line may sit
    // at the parent's column (an entry's own line, `- handle: x`), and the
    // parent's column.
    let mut start = 0;
    let mut same_line = false;
    let mut parent_column: Option<usize> = None;
    let mut found = None;
    for step in path {
        let (key, entry) = match step.strip_suffix(']').and_then(|s| s.split_once('[')) {
            Some((key, n)) => (key, Some(n.parse::<usize>().ok()?)),
            None => (*step, None),
        };
        found = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let own_line = same_line && i == start;
            if !own_line && parent_column.is_some_and(|p| indent <= p) {
                break; // left the parent's block
            }
            let body = trimmed.strip_prefix("- ").unwrap_or(trimmed);
            let column = indent + (trimmed.len() - body.len());
            if parent_column.is_none() && column != 0 {
                continue;
            }
            let quoted = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
            if quoted.iter().any(|k| {
                body.strip_prefix(k.as_str())
                    .is_some_and(|r| r.starts_with(':'))
            }) {
                found = Some((i + 1, column + 1));
                start = i + 1;
                same_line = false;
                parent_column = Some(column);
                break;
            }
        }
        found?;
        if let Some(n) = entry {
            let (line, column) = list_entry(&lines, start, parent_column?, n)?;
            found = Some((line + 1, column + 1));
            start = line;
            same_line = true;
            parent_column = Some(column.saturating_sub(2));
        }
    }
    found
}

/// The `n`th entry (from 0) of the block list that follows a key at
/// `key_column`, from line index `start`: its line index and the column of
/// its content (after `- `). The dashes may stand at the key's own column,
/// as YAML allows and the writer does.
fn list_entry(lines: &[&str], start: usize, key_column: usize, n: usize) -> Option<(usize, usize)> {
    let mut dash_column = None;
    let mut seen = 0;
    for (i, line) in lines.iter().enumerate().skip(start) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let dash = trimmed == "-" || trimmed.starts_with("- ");
        if indent < key_column || (indent == key_column && !dash) {
            return None;
        }
        if !dash || dash_column.is_some_and(|d| d != indent) {
            continue;
        }
        dash_column = Some(indent);
        if seen == n {
            return Some((i, indent + 2));
        }
        seen += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> Mapping {
        parse_mapping(Path::new("t.yaml"), text).unwrap()
    }

    #[test]
    fn hash_inside_values_is_not_a_comment() {
        let text = "title: \"issue #4\"\nnote: |\n  # not a comment\n";
        assert_eq!(lost_comment_line(text, &map(text)), None);
    }

    #[test]
    fn comment_lines_are_found() {
        let text = "title: x\n# keep me\nstatus: new\n";
        assert_eq!(lost_comment_line(text, &map(text)), Some(2));
        let text = "title: x # trailing\n";
        assert_eq!(lost_comment_line(text, &map(text)), Some(1));
    }

    #[test]
    fn a_leading_comment_block_is_kept_not_lost() {
        let text = "# yaml-language-server: $schema=../schemas/incident.json\n# second\n\nid: X\n";
        assert_eq!(
            leading_comments(text),
            "# yaml-language-server: $schema=../schemas/incident.json\n# second\n"
        );
        assert_eq!(lost_comment_line(text, &map(text)), None);
        let text = "# head\nid: X\n# later\n";
        assert_eq!(lost_comment_line(text, &map(text)), Some(3));
        assert_eq!(leading_comments("id: X\n# c\n"), "");
    }

    #[test]
    fn conflict_markers_are_a_merge_conflict() {
        let text = "title: a\n<<<<<<< HEAD\nstatus: new\n=======\nstatus: closed\n>>>>>>> b\n";
        assert!(matches!(
            parse_mapping(Path::new("x"), text),
            Err(Error::MergeConflict { line: 2, .. })
        ));
    }

    #[test]
    fn nested_keys_are_located() {
        let text = "id: X\ntickets:\n  agent: A1\n  kund: 12\nreporter:\n  kund: no\n";
        assert_eq!(locate_key(text, &["tickets", "kund"]), Some((4, 3)));
        assert_eq!(locate_key(text, &["reporter", "kund"]), Some((6, 3)));
        assert_eq!(locate_key(text, &["missing"]), None);
    }

    #[test]
    fn entries_of_lists_are_found() {
        let text = "people:\n- handle: a\n  keys:\n  - ssh: x\n- handle: b\n  emails:\n    - b@x.se\n    - c@x.se\nteams: []\n";
        assert_eq!(locate_key(text, &["people[0]", "handle"]), Some((2, 3)));
        assert_eq!(locate_key(text, &["people[0]", "keys[0]"]), Some((4, 5)));
        assert_eq!(locate_key(text, &["people[1]", "handle"]), Some((5, 3)));
        assert_eq!(locate_key(text, &["people[1]", "emails[1]"]), Some((8, 7)));
        assert_eq!(locate_key(text, &["people[1]", "keys"]), None);
        assert_eq!(locate_key(text, &["people[2]", "handle"]), None);
        let nested = "people:\n  - handle: a\n    name: A\n";
        assert_eq!(locate_key(nested, &["people[0]", "name"]), Some((3, 5)));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_errors_not_crashes() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse_mapping(Path::new("x"), &bomb).is_err());
        let deep = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_mapping(Path::new("x"), &deep)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nested more than 64"), "{err}");
        let fine = "a: [[1, 2], {b: '[[[[', c: \"{{{{\"}]\n# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n";
        assert_eq!(too_deep(fine), None);
    }

    #[test]
    fn scalars_parse_like_yaml() {
        assert_eq!(parse_scalar("3"), Value::Number(3.into()));
        assert_eq!(parse_scalar("true"), Value::Bool(true));
        assert_eq!(
            parse_scalar("hello world"),
            Value::String("hello world".into())
        );
        assert_eq!(parse_scalar("a: b"), Value::String("a: b".into()));
    }
}
