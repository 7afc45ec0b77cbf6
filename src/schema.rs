//! JSON Schemas of the record kinds, generated from the record model so they
//! can never drift from it. `schemas/` in the repository holds them for
//! editors; a test keeps those files equal to what this module generates.
//! The same schemas tell `arende set` what type a field has.

use schemars::{JsonSchema, schema_for};
use serde_json::{Value as Json, json};

use crate::kind::Kind;
use crate::record::{
    CapacityReview, Change, Common, ConfigurationItem, Incident, Problem, Release, ServiceRequest,
};
use crate::yaml::{Mapping, Value};

#[derive(JsonSchema)]
#[allow(dead_code)] // only describes a whole record: common fields and the kind's own
struct RecordSchema<T> {
    #[serde(flatten)]
    common: Common,
    #[serde(flatten)]
    body: T,
}

/// The JSON Schema of a whole record of `kind`.
pub fn json_schema(kind: Kind) -> Json {
    cached(kind).clone()
}

/// Schemas are generated once per process: `set`, pack checks and rule
/// evaluation look fields up often.
fn cached(kind: Kind) -> &'static Json {
    static SCHEMAS: [std::sync::OnceLock<Json>; 7] = [const { std::sync::OnceLock::new() }; 7];
    let slot = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    SCHEMAS[slot].get_or_init(|| generate(kind))
}

fn generate(kind: Kind) -> Json {
    let schema = match kind {
        Kind::Incident => schema_for!(RecordSchema<Incident>),
        Kind::Problem => schema_for!(RecordSchema<Problem>),
        Kind::Change => schema_for!(RecordSchema<Change>),
        Kind::Release => schema_for!(RecordSchema<Release>),
        Kind::ServiceRequest => schema_for!(RecordSchema<ServiceRequest>),
        Kind::ConfigurationItem => schema_for!(RecordSchema<ConfigurationItem>),
        Kind::CapacityReview => schema_for!(RecordSchema<CapacityReview>),
    };
    let mut value = schema.to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            json!(format!(
                "https://arende.dev/schemas/{}.schema.json",
                kind.name()
            )),
        );
        obj.insert(
            "title".into(),
            json!(format!("arende {} record", kind.name().replace('_', " "))),
        );
        if let Some(props) = obj.get_mut("properties").and_then(Json::as_object_mut) {
            props.insert(
                "kind".into(),
                json!({ "const": kind.name(), "description": "The kind." }),
            );
        }
    }
    value
}

/// What the schema says a field may hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldShape {
    /// JSON types allowed (`string`, `integer`, `number`, `boolean`, `array`, `object`).
    pub types: Vec<String>,
    /// The allowed values, for enumerations.
    pub values: Vec<String>,
    /// The string format, where the schema names one (`date-time`).
    pub format: Option<String>,
}

impl FieldShape {
    /// The field accepts this JSON type.
    pub fn accepts(&self, ty: &str) -> bool {
        self.types.iter().any(|t| t == ty)
    }
}

/// The shape of a dotted field of a `kind` record, or `None` if the kind has
/// no such field.
pub fn field_shape(kind: Kind, dotted: &str) -> Option<FieldShape> {
    let root = cached(kind);
    let mut node = root;
    for part in dotted.split('.') {
        node = alternatives(root, node)
            .into_iter()
            .find_map(|n| n.get("properties").and_then(|p| p.get(part)))?;
    }
    let mut shape = FieldShape::default();
    for n in alternatives(root, node) {
        match n.get("type") {
            Some(Json::String(t)) => shape.types.push(t.clone()),
            Some(Json::Array(ts)) => shape
                .types
                .extend(ts.iter().filter_map(|t| t.as_str().map(str::to_owned))),
            _ => {}
        }
        if let Some(values) = n.get("enum").and_then(Json::as_array) {
            shape.types.push("string".into());
            shape
                .values
                .extend(values.iter().filter_map(|v| v.as_str().map(str::to_owned)));
        }
        if let Some(f) = n.get("format").and_then(Json::as_str) {
            shape.format.get_or_insert_with(|| f.to_owned());
        }
        if let Some(c) = n.get("const").and_then(Json::as_str) {
            shape.types.push("string".into());
            shape.values.push(c.to_owned());
        }
    }
    shape.types.retain(|t| t != "null");
    shape.types.dedup();
    Some(shape)
}

/// The field names of a kind, top level, in the order records list them.
/// Every kind's schema is an object with `properties` (the schema tests
/// check each), so the empty list is never the answer.
pub fn top_level_fields(kind: Kind) -> Vec<String> {
    cached(kind)
        .get("properties")
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The fields of a kind a value is written to, dotted: a group of fields
/// (`reporter`) stands for its members (`reporter.party`, `reporter.name`,
/// …), in the order records list them.
pub fn leaf_fields(kind: Kind) -> Vec<String> {
    let root = cached(kind);
    let mut out = Vec::new();
    let mut stack: Vec<(String, &Json)> = vec![(String::new(), root)];
    while let Some((prefix, node)) = stack.pop() {
        let props: Vec<(&String, &Json)> = alternatives(root, node)
            .into_iter()
            .filter_map(|n| n.get("properties").and_then(Json::as_object))
            .flat_map(|p| p.iter())
            .collect();
        let mut deeper = Vec::new();
        for (name, child) in props {
            let dotted = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            let grouped = field_shape(kind, &dotted)
                .is_some_and(|s| s.types.iter().all(|t| t == "object") && !s.types.is_empty());
            if grouped && dotted.matches('.').count() < 3 {
                deeper.push((dotted, child));
            } else {
                out.push(dotted);
            }
        }
        // Depth first, in the order of the properties.
        stack.extend(deeper.into_iter().rev());
    }
    out
}

/// A node and what it stands for: `$ref` followed, `anyOf`/`oneOf`/`allOf`
/// branches listed.
fn alternatives<'a>(root: &'a Json, node: &'a Json) -> Vec<&'a Json> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if out.len() > 32 {
            break;
        }
        out.push(n);
        if let Some(r) = n.get("$ref").and_then(Json::as_str)
            && let Some(target) = r
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name))
        {
            stack.push(target);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(branches) = n.get(key).and_then(Json::as_array) {
                stack.extend(branches.iter().rev());
            }
        }
    }
    out
}

/// Orders a new record's keys the way people read them: identity first,
/// the kind's own fields in the model's order, links and history last.
pub fn canonical_order(kind: Kind, mut doc: Mapping) -> Mapping {
    const HEAD: &[&str] = &["id", "kind", "title", "description", "status", "opened_at"];
    const TAIL: &[&str] = &["links", "approvals", "source"];
    let mut out = Mapping::new();
    let mut take = |name: &str, out: &mut Mapping| {
        if let Some(v) = doc.remove(name) {
            out.insert(Value::String(name.to_owned()), v);
        }
    };
    for name in HEAD {
        take(name, &mut out);
    }
    for name in top_level_fields(kind) {
        if !TAIL.contains(&name.as_str()) && name != "history" {
            take(&name, &mut out);
        }
    }
    for name in TAIL {
        take(name, &mut out);
    }
    let history = doc.remove("history");
    out.extend(doc);
    if let Some(h) = history {
        out.insert("history".into(), h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_shapes_follow_refs_and_options() {
        assert!(
            field_shape(Kind::Incident, "priority")
                .unwrap()
                .accepts("integer")
        );
        let impact = field_shape(Kind::Incident, "impact").unwrap();
        assert_eq!(impact.values, ["high", "medium", "low"]);
        assert!(
            field_shape(Kind::Incident, "tickets.kund")
                .unwrap()
                .accepts("string")
        );
        assert!(
            field_shape(Kind::Incident, "local_troubleshooting")
                .unwrap()
                .accepts("boolean")
        );
        assert!(
            field_shape(Kind::Incident, "title")
                .unwrap()
                .accepts("string")
        );
        assert!(
            field_shape(Kind::Change, "interfaces")
                .unwrap()
                .accepts("array")
        );
        assert_eq!(field_shape(Kind::Incident, "priorty"), None);
        assert_eq!(field_shape(Kind::Incident, "tickets.nobody"), None);
    }
}
