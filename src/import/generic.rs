//! CSV, JSON and YAML in the record model's own field names (dotted column
//! names for nested fields: `reporter.party`), or in another tool's names
//! through a mapping. One row is one record.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::candidate::{Candidate, Fields, Key, Note, Origin, Shared};
use super::env::{Env, Tally};
use super::error::{RowError, Unit};
use super::mapping::ImportMapping;
use super::table::Table;
use super::values::{self, CellError, CoerceNote, Placement};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::record::document;
use crate::schema;
use crate::yaml::{Mapping, Value};

/// A cell: text from CSV, or a value from JSON/YAML.
enum Cell {
    Text(String),
    Value(Value),
}

/// One row, as (column, field, cell), in the input's order.
struct Row {
    unit: Unit,
    row: usize,
    line: Option<u64>,
    cells: Vec<(Arc<str>, Arc<str>, Cell)>,
}

/// Candidates from CSV rows; each row is given back once mapped.
pub fn from_table(
    table: Table,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> (Vec<Candidate>, Vec<RowError>) {
    // Shared by every row's cells and the candidates' origins.
    let columns: Vec<Arc<str>> = table
        .columns
        .iter()
        .map(|c| Arc::from(c.as_str()))
        .collect();
    let mut fields: Vec<Option<Arc<str>>> = Vec::with_capacity(table.columns.len());
    let mut unmapped = Vec::new();
    for column in &table.columns {
        fields.push(match mapping {
            None => Some(Arc::from(column.as_str())),
            Some(m) => match m.field_of(column) {
                Some(f) => f.map(Arc::from),
                None => {
                    unmapped.push(column.clone());
                    None
                }
            },
        });
    }
    if !unmapped.is_empty() {
        tally.add(
            format!(
                "columns the mapping does not name were ignored: {} (map them, or to ~ to silence this)",
                listing(&unmapped)
            ),
            String::new(),
        );
    }
    let rows = table.rows.into_iter().map(|r| Row {
        unit: Unit::Row,
        row: r.row,
        line: Some(r.line),
        cells: columns
            .iter()
            .zip(&fields)
            .enumerate()
            .filter_map(|(i, (column, field))| {
                let field = field.as_ref()?;
                let text = r.cell(i);
                (!text.trim().is_empty()).then(|| {
                    (
                        Arc::clone(column),
                        Arc::clone(field),
                        Cell::Text(text.to_owned()),
                    )
                })
            })
            .collect(),
    });
    build(rows, mapping, env, tally, true)
}

/// Candidates from JSON or YAML records.
pub fn from_items(
    items: Vec<(usize, Mapping)>,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
) -> (Vec<Candidate>, Vec<RowError>) {
    let mut unmapped = BTreeSet::new();
    let mut rows = Vec::with_capacity(items.len());
    for (n, item) in items {
        let mut leaves = Vec::new();
        flatten("", &item, &mut leaves);
        let mut cells = Vec::new();
        for (path, value) in leaves {
            if value.is_null() {
                continue;
            }
            let field = match mapping {
                None => Some(path.clone()),
                Some(m) => match m.field_of(&path) {
                    Some(f) => f.map(str::to_owned),
                    None => {
                        unmapped.insert(path.clone());
                        None
                    }
                },
            };
            if let Some(field) = field {
                cells.push((path.into(), field.into(), Cell::Value(value)));
            }
        }
        rows.push(Row {
            unit: Unit::Record,
            row: n,
            line: None,
            cells,
        });
    }
    if !unmapped.is_empty() {
        tally.add(
            format!(
                "fields the mapping does not name were ignored: {}",
                listing(&unmapped.into_iter().collect::<Vec<_>>())
            ),
            String::new(),
        );
    }
    build(rows.into_iter(), mapping, env, tally, false)
}

/// Leaves of a mapping by dotted path; lists are leaves.
fn flatten(prefix: &str, map: &Mapping, out: &mut Vec<(String, Value)>) {
    for (k, v) in map {
        let key = match k {
            Value::String(s) => s.clone(),
            other => document::display(other),
        };
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match v {
            Value::Mapping(m) if !m.is_empty() => flatten(&path, m, out),
            other => out.push((path, other.clone())),
        }
    }
}

/// What building the rows' candidates shares from row to row.
struct Builder<'a> {
    mapping: Option<&'a ImportMapping>,
    env: &'a Env<'a>,
    tally: &'a Tally,
    from_csv: bool,
    /// Fields of no kind's model, reported once each at the end.
    unknown: BTreeSet<(Kind, String)>,
    shapes: Shapes,
    shared: Shared,
}

/// One row's fields as they are built.
struct Built {
    doc: Mapping,
    origin: Vec<Note>,
    keep_id: Option<RecordId>,
    note: CoerceNote,
    errors: Vec<RowError>,
}

fn build(
    rows: impl Iterator<Item = Row>,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
    from_csv: bool,
) -> (Vec<Candidate>, Vec<RowError>) {
    let mut builder = Builder {
        mapping,
        env,
        tally,
        from_csv,
        unknown: BTreeSet::new(),
        shapes: Shapes::default(),
        shared: Shared::default(),
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for row in rows {
        match builder.candidate(row) {
            Ok(c) => out.push(c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    warn_unknown(builder.unknown, tally);
    (out, errors)
}

/// Each field of no model its own warning with a suggestion, up to a
/// point: past it, one line with a count stands for the rest.
fn warn_unknown(unknown: BTreeSet<(Kind, String)>, tally: &Tally) {
    let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    for (kind, column) in unknown {
        by_kind.entry(kind).or_default().push(column);
    }
    for (kind, columns) in by_kind {
        let fields = schema::top_level_fields(kind);
        for column in columns.iter().take(MAX_LISTED) {
            let suggestion = suggest(&fields, column)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            tally.add(
                format!(
                    "`{column}` is not in the {kind} record model; it is kept as an unknown key{suggestion}"
                ),
                String::new(),
            );
        }
        if columns.len() > MAX_LISTED {
            tally.add(
                format!(
                    "{} more fields are not in the {kind} record model and are kept as unknown keys (first: `{}`, last: `{}`)",
                    columns.len() - MAX_LISTED,
                    columns.get(MAX_LISTED).map_or("", String::as_str),
                    columns.last().map_or("", String::as_str),
                ),
                String::new(),
            );
        }
    }
}

/// How many names a warning lists one by one; a count stands for the rest,
/// so a file with a hundred thousand columns gets a short report.
const MAX_LISTED: usize = 20;

/// Names joined by commas, the list cut at [`MAX_LISTED`] with a count of the rest.
fn listing(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(MAX_LISTED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().checked_sub(MAX_LISTED) {
        Some(rest) if rest > 0 => format!("{shown} and {rest} more"),
        _ => shown,
    }
}

/// Field shapes, looked up once per kind and field.
#[derive(Default)]
struct Shapes(HashMap<(Kind, String), Option<schema::FieldShape>>);

impl Shapes {
    fn get(&mut self, kind: Kind, field: &str) -> Option<schema::FieldShape> {
        self.0
            .entry((kind, field.to_owned()))
            .or_insert_with(|| schema::field_shape(kind, field))
            .clone()
    }
}

impl Row {
    fn error(&self, column: &str, reason: String) -> RowError {
        RowError {
            unit: self.unit,
            row: self.row,
            line: self.line,
            column: Some(column.to_owned()),
            reason,
        }
    }

    fn whole(&self, reason: String) -> RowError {
        RowError {
            unit: self.unit,
            row: self.row,
            line: self.line,
            column: None,
            reason,
        }
    }

    /// The kind first: it decides what every other field means.
    fn kind(&self, mapping: Option<&ImportMapping>) -> Result<Kind, RowError> {
        let kind_cell = self.cells.iter().find(|(_, f, _)| &**f == "kind");
        let kind_text = match kind_cell {
            Some((_, _, Cell::Text(t))) => Some(t.trim().to_owned()),
            Some((_, _, Cell::Value(v))) => Some(document::display(v)),
            None => mapping.and_then(|m| m.kind.clone()),
        };
        match kind_text.as_deref().map(|k| (k, Kind::parse(k))) {
            Some((_, Some(k))) => Ok(k),
            Some((text, None)) => Err(self.error(
                kind_cell.map_or("kind", |(c, _, _)| &**c),
                format!(
                    "`{text}` is not a kind of record (incident, problem, change, release, request, ci, capacity)"
                ),
            )),
            None => Err(self.whole(
                "no `kind`: add a kind column, or give --mapping with `kind: incident`".to_owned(),
            )),
        }
    }
}

impl Builder<'_> {
    fn candidate(&mut self, row: Row) -> Result<Candidate, Vec<RowError>> {
        let kind = row.kind(self.mapping).map_err(|e| vec![e])?;
        let mut built = Built {
            doc: Mapping::new(),
            origin: Vec::new(),
            keep_id: None,
            note: CoerceNote::default(),
            errors: Vec::new(),
        };
        for (column, field, cell) in &row.cells {
            self.cell(&row, kind, column, field, cell, &mut built);
        }
        self.note_placement(&row, &built.note);
        if let Some(m) = self.mapping {
            let unset = m.fill(kind, &mut built.doc);
            built
                .errors
                .extend(unset.into_iter().map(|e| row.whole(e.to_string())));
        }
        if built.errors.is_empty() && too_large(&row, &built.doc) {
            built.errors.push(row.whole(format!(
                "would make a record file larger than the {} bytes arende reads back; import fewer or shorter fields (map the columns you do not need to ~)",
                crate::yaml::MAX_RECORD_BYTES
            )));
        }
        if !built.errors.is_empty() {
            return Err(built.errors);
        }
        let key = key(&row, &mut built, self.mapping).map_err(|e| vec![e])?;
        let source_priority = built
            .doc
            .get("priority")
            .and_then(Value::as_u64)
            .and_then(|p| u8::try_from(p).ok());
        let origin = Origin::new(built.origin, &mut self.shared);
        Ok(Candidate {
            unit: row.unit,
            row: row.row,
            line: row.line,
            kind,
            key,
            // arende's own records (JSON/YAML with an ID) keep their key order.
            reorder: self.from_csv || built.keep_id.is_none(),
            keep_id: built.keep_id,
            fields: Fields::new(built.doc, &mut self.shared),
            origin,
            source_priority,
            owned_block: None,
        })
    }

    /// Sets one cell's field, or notes the cell's error.
    fn cell(
        &mut self,
        row: &Row,
        kind: Kind,
        column: &Arc<str>,
        field_name: &Arc<str>,
        cell: &Cell,
        built: &mut Built,
    ) {
        let field = &**field_name;
        if field == "kind" {
            built
                .doc
                .insert("kind".into(), Value::String(kind.name().to_owned()));
            return;
        }
        if field == "id" {
            match read_id(kind, cell) {
                Ok(id) => {
                    built.doc.insert("id".into(), Value::String(id.to_string()));
                    built.keep_id = Some(id);
                }
                Err(reason) => built.errors.push(row.error(column, reason.to_string())),
            }
            return;
        }
        match self.value(kind, field, cell, &mut built.note) {
            Ok(v) => match document::set(&mut built.doc, field, v) {
                Err(e) => built.errors.push(row.error(column, e.to_string())),
                Ok(_) => built
                    .origin
                    .push((Arc::clone(field_name), Arc::clone(column))),
            },
            Err(reason) => built.errors.push(row.error(column, reason.to_string())),
        }
    }

    /// A cell's value as its field's type: the mapping's, the pack's word
    /// for it, or the text read as the field's shape says.
    fn value(
        &mut self,
        kind: Kind,
        field: &str,
        cell: &Cell,
        note: &mut CoerceNote,
    ) -> Result<Value, CellError> {
        let shape = self.shapes.get(kind, field);
        if shape.is_none() && !field.starts_with("source.") {
            self.unknown.insert((kind, field.to_owned()));
        }
        let mapped = match cell {
            Cell::Text(t) | Cell::Value(Value::String(t)) => {
                self.mapping.and_then(|m| m.map_value(field, t)).cloned()
            }
            Cell::Value(_) => None,
        };
        let rules = &self.env.rules;
        match (mapped, cell) {
            (Some(v), _) => Ok(v),
            (None, Cell::Text(t)) => match self.env.policy.named_value(kind, field, t) {
                // The pack's words for its levels and categories (`Kritisk`, `Vanlig förändring`).
                Some(named) if !t.trim().is_empty() => Ok(named?),
                _ => values::coerce(t, shape.as_ref(), rules, note),
            },
            (None, Cell::Value(Value::String(t)))
                if shape.as_ref().is_some_and(|s| {
                    s.format.is_some() || !s.accepts("string") || !s.values.is_empty()
                }) =>
            {
                values::coerce(t, shape.as_ref(), rules, note)
            }
            (None, Cell::Value(v)) => Ok(v.clone()),
        }
    }

    fn note_placement(&self, row: &Row, note: &CoerceNote) {
        let message = match note.placement {
            Some(Placement::Ambiguous) => {
                "local times in the hour the clocks go back were read as the first of the two (summer time)"
            }
            Some(Placement::InGap) => {
                "local times in the hour the clocks go forward do not exist; they were read one hour later"
            }
            _ => return,
        };
        self.tally
            .add(message, format!("{} {}", unit_name(row.unit), row.row));
    }
}

/// The ID a row keeps: one of its kind.
fn read_id(kind: Kind, cell: &Cell) -> Result<RecordId, CellError> {
    let text = match cell {
        Cell::Text(t) => t.clone(),
        Cell::Value(v) => document::display(v),
    };
    match RecordId::parse(&text) {
        Ok(id) if id.kind() == kind => Ok(id),
        Ok(id) => Err(CellError::IdOfOtherKind { id, kind }),
        Err(e) => Err(CellError::Id(Box::new(e))),
    }
}

/// What finds the record again on the next run: its source, else its ID.
fn key(row: &Row, built: &mut Built, mapping: Option<&ImportMapping>) -> Result<Key, RowError> {
    let doc = &mut built.doc;
    let source_id = document::get(doc, "source.id").map(document::display);
    let Some(id) = source_id.filter(|id| !id.trim().is_empty()) else {
        return match &built.keep_id {
            Some(id) => Ok(Key::Id(id.clone())),
            None => Err(row.whole(
                "has neither an `id` nor a `source.id`, so a second run could not tell it was imported already; add a column with the other system's key as source.id (in a mapping: `columns: {KEY: source.id}`)".to_owned(),
            )),
        };
    };
    let system = match document::get(doc, "source.system").map(document::display) {
        Some(s) if !s.trim().is_empty() => s,
        _ => match mapping.and_then(|m| m.system.clone()) {
            Some(s) => {
                // `source.id` was found, so `source` is a mapping to add to.
                if let Some(Value::Mapping(source)) = doc.get_mut("source") {
                    source.insert("system".into(), Value::String(s.clone()));
                }
                s
            }
            None => {
                return Err(row.whole(
                    "has a `source.id` but no `source.system`: add a source.system column, or give --mapping with `system: NAME`".to_owned(),
                ));
            }
        },
    };
    // `source` reads system first, as arende writes it.
    if let Some(Value::Mapping(src)) = doc.get_mut("source") {
        let mut ordered = Mapping::new();
        for k in ["system", "id"] {
            if let Some(v) = src.remove(k) {
                ordered.insert(k.into(), v);
            }
        }
        ordered.extend(std::mem::take(src));
        *src = ordered;
    }
    Ok(Key::Source(system, id))
}

/// Whether the record a row builds would be larger than a record file may
/// be (the store refuses to read such a file, so the import must not write
/// it). The text of the cells is a cheap lower bound; only a row near the
/// limit, or with nested values, is written out to measure it.
fn too_large(row: &Row, doc: &Mapping) -> bool {
    let limit = usize::try_from(crate::yaml::MAX_RECORD_BYTES).unwrap_or(usize::MAX);
    let estimate = row
        .cells
        .iter()
        .map(|(column, _, cell)| {
            column.len()
                + match cell {
                    Cell::Text(t) | Cell::Value(Value::String(t)) => t.len(),
                    Cell::Value(Value::Sequence(_) | Value::Mapping(_) | Value::Tagged(_)) => limit,
                    Cell::Value(_) => 8,
                }
        })
        .fold(0usize, usize::saturating_add);
    estimate > limit / 2 && crate::yaml::to_string(doc).len() > limit
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Row => "row",
        Unit::Record => "record",
    }
}

/// A field of the kind (its top-level `fields`) close to a misspelt one.
fn suggest(fields: &[String], column: &str) -> Option<String> {
    let top = column.split('.').next().unwrap_or(column);
    fields
        .iter()
        .filter(|f| f.as_str() != top)
        .map(|f| (crate::suggest::edit_distance(f, top), f))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, f)| f.clone())
}
