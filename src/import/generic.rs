//! CSV, JSON and YAML in the record model's own field names (dotted column
//! names for nested fields: `reporter.party`), or in another tool's names
//! through a mapping. One row is one record.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::error::{RowError, Unit};
use super::mapping::ImportMapping;
use super::table::Table;
use super::values::{self, CoerceNote, Placement};
use super::{Candidate, Env, Key, Origin, Tally};
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

/// Candidates from CSV rows.
pub fn from_table(
    table: &Table,
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
    let rows = table.rows.iter().map(|r| Row {
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

fn build(
    rows: impl Iterator<Item = Row>,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
    from_csv: bool,
) -> (Vec<Candidate>, Vec<RowError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut unknown: BTreeSet<(Kind, String)> = BTreeSet::new();
    let mut shapes = Shapes::default();
    for row in rows {
        match candidate(
            row,
            mapping,
            env,
            tally,
            from_csv,
            &mut unknown,
            &mut shapes,
        ) {
            Ok(c) => out.push(c),
            Err(mut e) => errors.append(&mut e),
        }
    }
    let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    for (kind, column) in unknown {
        by_kind.entry(kind).or_default().push(column);
    }
    for (kind, columns) in by_kind {
        // Each column its own warning with a suggestion, up to a point:
        // past it, one line with a count stands for the rest.
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
    (out, errors)
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

fn candidate(
    row: Row,
    mapping: Option<&ImportMapping>,
    env: &Env<'_>,
    tally: &Tally,
    from_csv: bool,
    unknown: &mut BTreeSet<(Kind, String)>,
    shapes: &mut Shapes,
) -> Result<Candidate, Vec<RowError>> {
    let err = |column: &str, reason: String| RowError {
        unit: row.unit,
        row: row.row,
        line: row.line,
        column: Some(column.to_owned()),
        reason,
    };
    let whole = |reason: String| RowError {
        unit: row.unit,
        row: row.row,
        line: row.line,
        column: None,
        reason,
    };
    let mut errors = Vec::new();

    // The kind first: it decides what every other field means.
    let kind_cell = row.cells.iter().find(|(_, f, _)| &**f == "kind");
    let kind_text = match kind_cell {
        Some((_, _, Cell::Text(t))) => Some(t.trim().to_owned()),
        Some((_, _, Cell::Value(v))) => Some(document::display(v)),
        None => mapping.and_then(|m| m.kind.clone()),
    };
    let kind = match kind_text.as_deref().map(|k| (k, Kind::parse(k))) {
        Some((_, Some(k))) => k,
        Some((text, None)) => {
            return Err(vec![err(
                kind_cell.map_or("kind", |(c, _, _)| &**c),
                format!(
                    "`{text}` is not a kind of record (incident, problem, change, release, request, ci, capacity)"
                ),
            )]);
        }
        None => {
            return Err(vec![whole(
                "no `kind`: add a kind column, or give --mapping with `kind: incident`".to_owned(),
            )]);
        }
    };

    let mut doc = Mapping::new();
    let mut origin = Origin::default();
    let mut keep_id = None;
    let mut note = CoerceNote::default();
    for (column, field_name, cell) in &row.cells {
        let field = &**field_name;
        if field == "kind" {
            doc.insert("kind".into(), Value::String(kind.name().to_owned()));
            continue;
        }
        if field == "id" {
            let text = match cell {
                Cell::Text(t) => t.clone(),
                Cell::Value(v) => document::display(v),
            };
            match RecordId::parse(&text) {
                Ok(id) if id.kind() == kind => {
                    doc.insert("id".into(), Value::String(id.to_string()));
                    keep_id = Some(id);
                }
                Ok(id) => errors.push(err(
                    column,
                    format!(
                        "{id} is not the ID of {} (an ID of {} starts with {})",
                        kind.with_article(),
                        kind.with_article(),
                        kind.prefix()
                    ),
                )),
                Err(e) => errors.push(err(column, e.to_string())),
            }
            continue;
        }
        let shape = shapes.get(kind, field);
        if shape.is_none() && !field.starts_with("source.") {
            unknown.insert((kind, field.to_owned()));
        }
        let mapped = match cell {
            Cell::Text(t) => mapping.and_then(|m| m.map_value(field, t)).cloned(),
            Cell::Value(Value::String(t)) => mapping.and_then(|m| m.map_value(field, t)).cloned(),
            Cell::Value(_) => None,
        };
        let value = match (mapped, cell) {
            (Some(v), _) => Ok(v),
            (None, Cell::Text(t)) => match env.policy.named_value(kind, field, t) {
                // The pack's words for its levels and categories (`Kritisk`, `Vanlig förändring`).
                Some(named) if !t.trim().is_empty() => named,
                _ => values::coerce(t, shape.as_ref(), &env.rules, &mut note),
            },
            (None, Cell::Value(Value::String(t)))
                if shape.as_ref().is_some_and(|s| {
                    s.format.is_some() || !s.accepts("string") || !s.values.is_empty()
                }) =>
            {
                values::coerce(t, shape.as_ref(), &env.rules, &mut note)
            }
            (None, Cell::Value(v)) => Ok(v.clone()),
        };
        match value {
            Ok(v) => {
                if let Err(m) = document::set(&mut doc, field, v) {
                    errors.push(err(column, m));
                } else {
                    origin.insert(Arc::clone(field_name), row.row, Arc::clone(column));
                }
            }
            Err(reason) => errors.push(err(column, reason)),
        }
    }
    match note.placement {
        Some(Placement::Ambiguous) => tally.add(
            "local times in the hour the clocks go back were read as the first of the two (summer time)",
            format!("{} {}", unit_name(row.unit), row.row),
        ),
        Some(Placement::InGap) => tally.add(
            "local times in the hour the clocks go forward do not exist; they were read one hour later",
            format!("{} {}", unit_name(row.unit), row.row),
        ),
        _ => {}
    }
    if let Some(m) = mapping {
        if let Some(p) = &m.party
            && document::get(&doc, "reporter.party").is_none()
            && schema::field_shape(kind, "reporter.party").is_some()
        {
            let _ = document::set(&mut doc, "reporter.party", Value::String(p.clone()));
        }
        for (f, v) in &m.defaults {
            if document::get(&doc, f).is_none()
                && let Err(e) = document::set(&mut doc, f, v.clone())
            {
                errors.push(whole(format!("the mapping's default for `{f}`: {e}")));
            }
        }
    }
    if errors.is_empty() && too_large(&row, &doc) {
        errors.push(whole(format!(
            "would make a record file larger than the {} bytes arende reads back; import fewer or shorter fields (map the columns you do not need to ~)",
            crate::yaml::MAX_RECORD_BYTES
        )));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let source_id = document::get(&doc, "source.id").map(document::display);
    let key = match source_id {
        Some(id) if !id.trim().is_empty() => {
            let system = match document::get(&doc, "source.system").map(document::display) {
                Some(s) if !s.trim().is_empty() => s,
                _ => match mapping.and_then(|m| m.system.clone()) {
                    Some(s) => {
                        let _ = document::set(&mut doc, "source.system", Value::String(s.clone()));
                        s
                    }
                    None => {
                        return Err(vec![whole(
                            "has a `source.id` but no `source.system`: add a source.system column, or give --mapping with `system: NAME`".to_owned(),
                        )]);
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
            Key::Source(system, id)
        }
        _ => match &keep_id {
            Some(id) => Key::Id(id.clone()),
            None => {
                return Err(vec![whole(
                    "has neither an `id` nor a `source.id`, so a second run could not tell it was imported already; add a column with the other system's key as source.id (in a mapping: `columns: {KEY: source.id}`)".to_owned(),
                )]);
            }
        },
    };
    let source_priority = doc
        .get("priority")
        .and_then(Value::as_u64)
        .and_then(|p| u8::try_from(p).ok());
    Ok(Candidate {
        unit: row.unit,
        row: row.row,
        line: row.line,
        kind,
        key,
        keep_id: keep_id.clone(),
        doc,
        origin,
        source_priority,
        // arende's own records (JSON/YAML with an ID) keep their key order.
        reorder: from_csv || keep_id.is_none(),
        owned_block: None,
        held: Default::default(),
    }
    .packed())
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
