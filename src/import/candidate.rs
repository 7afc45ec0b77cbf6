//! What the map stage hands on: a record as the input gives it, before it
//! meets the repository, with its fields held compactly as typed leaves.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::error::{RowError, Unit};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::yaml::{Mapping, Value};
use serde_yaml::Number;

/// A record as the input gives it, before it meets the repository.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub unit: Unit,
    /// The row to name for the record as a whole.
    pub row: usize,
    pub line: Option<u64>,
    pub kind: Kind,
    pub key: Key,
    /// The ID the input gives (arende's own export).
    pub keep_id: Option<RecordId>,
    /// The fields, in the input's order; `status` and `history` if given.
    pub fields: Fields,
    /// Where each field came from, to point errors at the input.
    pub origin: Origin,
    /// The priority the input gave.
    pub source_priority: Option<u8>,
    /// Put a new record's keys in the usual order.
    pub reorder: bool,
    /// A top-level key the import owns whole (`servicenow`): on update, keys
    /// gone from the source are removed from it.
    pub owned_block: Option<String>,
}

/// A record's fields as leaves in document order, each under its path of
/// keys and list positions. The paths are shared by every row that has
/// them, and a leaf holds its scalar without a map around it: at 100 000
/// rows the rows' YAML maps were most of an import's memory (a map of a
/// dozen fields takes some kilobytes, these leaves a few hundred bytes).
/// Lists are taken apart too: a ServiceNow incident's history, kept whole,
/// was 40 % of the peak of an import of its event log.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(Box<[(Path, Leaf)]>);

/// The steps from the top of a document down to a leaf.
pub(crate) type Path = Arc<[Step]>;

/// One step of a path: a mapping's key, or a position in a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Step {
    Key(Value),
    Item(usize),
}

/// A value at the end of a path.
#[derive(Debug, Clone)]
pub(crate) enum Leaf {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    /// A short text, shared with every row that has it (statuses, levels,
    /// groups repeat from row to row).
    Shared(Arc<str>),
    /// A mapping with no keys (a leaf, as there is nothing below it).
    EmptyMapping,
    /// A list with no items.
    EmptySequence,
    /// A tagged value, whole.
    Other(Box<Value>),
}

/// What the rows' candidates share: paths, origins and short texts, each
/// made once.
#[derive(Default)]
pub(crate) struct Shared {
    paths: HashMap<Vec<Step>, Path>,
    origins: HashSet<Arc<[Note]>>,
    texts: HashSet<Arc<str>>,
}

/// Texts up to this long are shared; longer ones are seldom the same twice.
const SHARED_TEXT: usize = 64;

impl Shared {
    fn path(&mut self, keys: &[Step]) -> Path {
        if let Some(p) = self.paths.get(keys) {
            return Arc::clone(p);
        }
        let p: Path = keys.into();
        self.paths.insert(keys.to_vec(), Arc::clone(&p));
        p
    }

    fn text(&mut self, s: String) -> Leaf {
        if s.len() > SHARED_TEXT {
            return Leaf::String(s.into_boxed_str());
        }
        if let Some(t) = self.texts.get(s.as_str()) {
            return Leaf::Shared(Arc::clone(t));
        }
        let t: Arc<str> = s.into();
        self.texts.insert(Arc::clone(&t));
        Leaf::Shared(t)
    }
}

impl Fields {
    /// The leaves of `doc`, in its order.
    pub fn new(doc: Mapping, shared: &mut Shared) -> Fields {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        flatten(doc, &mut keys, shared, &mut out);
        Fields(out.into_boxed_slice())
    }

    /// The document again, keys and items in the order they were given.
    pub fn to_mapping(&self) -> Mapping {
        let mut doc = Value::Mapping(Mapping::new());
        for (path, leaf) in &self.0 {
            place(&mut doc, path, leaf.to_value());
        }
        match doc {
            Value::Mapping(m) => m,
            _ => unreachable!("a document's leaves are under its keys"),
        }
    }

    /// The value of a top-level field that is a leaf (`opened_at`, `status`).
    pub fn top(&self, name: &str) -> Option<Value> {
        self.0
            .iter()
            .find(|(p, _)| p.len() == 1 && is_key(&p[0], name))
            .map(|(_, leaf)| leaf.to_value())
    }

    /// Every leaf under a top-level field, as values (`links`).
    pub fn under<'a>(&'a self, name: &'a str) -> impl Iterator<Item = Value> + 'a {
        self.0
            .iter()
            .filter(move |(p, _)| p.first().is_some_and(|s| is_key(s, name)))
            .map(|(_, leaf)| leaf.to_value())
    }
}

fn is_key(step: &Step, name: &str) -> bool {
    matches!(step, Step::Key(k) if k.as_str() == Some(name))
}

/// Puts a leaf at its path under `at`, making the mappings and list items
/// on the way: leaves come in document order, so an item's position is
/// either one already made or the next.
fn place(at: &mut Value, path: &[Step], leaf: Value) {
    let Some((step, rest)) = path.split_first() else {
        *at = leaf;
        return;
    };
    let next = match step {
        Step::Key(key) => {
            if !at.is_mapping() {
                *at = Value::Mapping(Mapping::new());
            }
            let Value::Mapping(m) = at else {
                unreachable!("made a mapping just above")
            };
            m.entry(key.clone()).or_insert(Value::Null)
        }
        Step::Item(i) => {
            if !at.is_sequence() {
                *at = Value::Sequence(Vec::new());
            }
            let Value::Sequence(items) = at else {
                unreachable!("made a list just above")
            };
            if items.len() <= *i {
                items.resize(i + 1, Value::Null);
            }
            &mut items[*i]
        }
    };
    place(next, rest, leaf);
}

fn flatten(doc: Mapping, keys: &mut Vec<Step>, shared: &mut Shared, out: &mut Vec<(Path, Leaf)>) {
    for (k, v) in doc {
        keys.push(Step::Key(k));
        flatten_value(v, keys, shared, out);
        keys.pop();
    }
}

fn flatten_value(v: Value, keys: &mut Vec<Step>, shared: &mut Shared, out: &mut Vec<(Path, Leaf)>) {
    match v {
        Value::Mapping(m) if !m.is_empty() => flatten(m, keys, shared, out),
        Value::Sequence(items) if !items.is_empty() => {
            for (i, item) in items.into_iter().enumerate() {
                keys.push(Step::Item(i));
                flatten_value(item, keys, shared, out);
                keys.pop();
            }
        }
        Value::String(s) => out.push((shared.path(keys), shared.text(s))),
        other => out.push((shared.path(keys), Leaf::new(other))),
    }
}

impl Leaf {
    fn new(v: Value) -> Leaf {
        match v {
            Value::Null => Leaf::Null,
            Value::Bool(b) => Leaf::Bool(b),
            Value::Number(n) => Leaf::Number(n),
            Value::String(s) => Leaf::String(s.into_boxed_str()),
            Value::Mapping(_) => Leaf::EmptyMapping,
            Value::Sequence(_) => Leaf::EmptySequence,
            other => Leaf::Other(Box::new(other)),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Leaf::Null => Value::Null,
            Leaf::Bool(b) => Value::Bool(*b),
            Leaf::Number(n) => Value::Number(n.clone()),
            Leaf::String(s) => Value::String(s.to_string()),
            Leaf::Shared(s) => Value::String(s.to_string()),
            Leaf::EmptyMapping => Value::Mapping(Mapping::new()),
            Leaf::EmptySequence => Value::Sequence(Vec::new()),
            Leaf::Other(v) => (**v).clone(),
        }
    }
}

/// That a field came from a column. A row's notes are appended without a
/// search: a row of 100 000 columns made a search per column quadratic
/// (over a minute); a field is noted again only where a mapping sends two
/// columns to it, and then the last note wins.
pub(crate) type Note = (Arc<str>, Arc<str>);

/// Where a candidate's fields came from: (dotted field, column), all on the
/// candidate's row. Rows with the same columns filled share one list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin(Arc<[Note]>);

impl Origin {
    /// The notes of one row, shared with the rows that have the same.
    pub fn new(notes: Vec<Note>, shared: &mut Shared) -> Origin {
        if let Some(o) = shared.origins.get(notes.as_slice()) {
            return Origin(Arc::clone(o));
        }
        let o: Arc<[Note]> = notes.into();
        shared.origins.insert(Arc::clone(&o));
        Origin(o)
    }

    /// Where `field` came from: its last note. Asked only for a row error.
    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(f, _)| &**f == field)
            .map(|(_, column)| &**column)
    }
}

/// What identifies a record across runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// `source: {system, id}`.
    Source(String, String),
    /// arende's own ID.
    Id(RecordId),
}

impl Key {
    /// As a person reads it: `servicenow INC0001`, or the ID.
    pub fn describe(&self) -> String {
        match self {
            Key::Source(s, id) => format!("{s} {id}"),
            Key::Id(id) => id.to_string(),
        }
    }
}

impl Candidate {
    /// The system the record came from, for the history's notes.
    pub fn system(&self) -> String {
        match &self.key {
            Key::Source(s, _) => s.clone(),
            Key::Id(_) => "arende".to_owned(),
        }
    }

    /// A row error pointing at the column a field came from.
    pub fn field_error(&self, field: &str, reason: String) -> RowError {
        let parts: Vec<&str> = field.split('.').collect();
        let column = (1..=parts.len())
            .rev()
            .find_map(|n| self.origin.get(&parts[..n].join(".")))
            .unwrap_or(field);
        RowError {
            unit: self.unit,
            row: self.row,
            line: self.line,
            column: Some(column.to_owned()),
            reason,
        }
    }

    /// A row error for a library error, at its field where it names one.
    pub fn error(&self, e: crate::error::Error) -> RowError {
        match e {
            crate::error::Error::Field { field, message, .. } => self.field_error(&field, message),
            other => RowError::row(self.unit, self.row, other.to_string()),
        }
    }
}
