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
    standard_formats_only(&mut value);
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

/// The `format`s JSON Schema 2020-12 defines; validators know these and
/// no others.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Drops every `format` the standard does not define. schemars names the
/// Rust type (`uint8`, `uint64`, `double`), which validators in strict
/// mode (ajv's, an editor's) refuse as unknown; the `minimum` and
/// `maximum` beside it already carry the bounds that matter.
pub fn standard_formats_only(node: &mut Json) {
    match node {
        Json::Object(obj) => {
            let unknown = obj
                .get("format")
                .and_then(Json::as_str)
                .is_some_and(|f| !STANDARD_FORMATS.contains(&f));
            if unknown {
                obj.remove("format");
            }
            obj.values_mut().for_each(standard_formats_only);
        }
        Json::Array(items) => items.iter_mut().for_each(standard_formats_only),
        _ => {}
    }
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

/// The keys the record model knows at every object of a kind's records:
/// the record's own, and below them each field's and each list item's.
#[derive(Debug, Default)]
pub struct Keys {
    /// The keys of this object; `None` where the model lists none: a free
    /// map (its keys are data, not fields), or no object.
    pub known: Option<Vec<String>>,
    fields: std::collections::BTreeMap<String, Keys>,
    items: Option<Box<Keys>>,
}

impl Keys {
    /// The keys within the value of `field` of this object.
    pub fn field(&self, field: &str) -> Option<&Keys> {
        self.fields.get(field)
    }

    /// The keys within each item, where this is a list.
    pub fn items(&self) -> Option<&Keys> {
        self.items.as_deref()
    }
}

/// The known keys of a `kind` record, built once per process from its
/// schema: every record `validate` reads is walked against them.
pub fn keys(kind: Kind) -> &'static Keys {
    static KEYS: [std::sync::OnceLock<Keys>; 7] = [const { std::sync::OnceLock::new() }; 7];
    let slot = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    KEYS[slot].get_or_init(|| {
        let root = cached(kind);
        keys_of(root, vec![root], 0)
    })
}

/// The keys of the objects `nodes` describe (together: the branches of one
/// field), and of their fields and items, to a depth no record reaches
/// (which also ends a schema that refers to itself).
fn keys_of(root: &Json, nodes: Vec<&Json>, depth: usize) -> Keys {
    let alts: Vec<&Json> = nodes
        .into_iter()
        .flat_map(|n| alternatives(root, n))
        .collect();
    let free = alts.iter().any(|n| {
        n.get("additionalProperties")
            .is_some_and(|a| a != &Json::Bool(false))
    });
    let mut names: Vec<String> = Vec::new();
    for props in alts
        .iter()
        .filter_map(|n| n.get("properties").and_then(Json::as_object))
    {
        names.extend(
            props
                .keys()
                .filter(|k| !names.contains(k))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    let mut keys = Keys::default();
    if depth > 8 {
        return keys;
    }
    for name in &names {
        let below: Vec<&Json> = alts
            .iter()
            .filter_map(|n| n.get("properties")?.get(name))
            .collect();
        keys.fields
            .insert(name.clone(), keys_of(root, below, depth + 1));
    }
    let items: Vec<&Json> = alts.iter().filter_map(|n| n.get("items")).collect();
    if !items.is_empty() {
        keys.items = Some(Box::new(keys_of(root, items, depth + 1)));
    }
    keys.known = (!free && !names.is_empty()).then_some(names);
    keys
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

    #[test]
    fn known_keys_follow_objects_and_lists_but_not_free_maps() {
        let record = keys(Kind::Incident);
        let top = record.known.as_ref().unwrap();
        assert!(top.iter().any(|k| k == "impact") && top.iter().any(|k| k == "history"));
        let reporter = record
            .field("reporter")
            .and_then(|k| k.known.as_ref())
            .unwrap();
        assert!(reporter.iter().any(|k| k == "party"), "{reporter:?}");
        let event = record
            .field("history")
            .and_then(Keys::items)
            .and_then(|k| k.known.as_ref())
            .unwrap();
        assert!(event.iter().any(|k| k == "status"), "{event:?}");
        assert_eq!(record.field("title").unwrap().known, None);
        assert!(record.field("nothing").is_none());
    }

    #[test]
    fn only_standard_formats_are_left() {
        let mut schema = json!({
            "properties": {
                "priority": { "type": "integer", "format": "uint8", "minimum": 1 },
                "at": { "type": "string", "format": "date-time" },
                "load": { "anyOf": [{ "type": "number", "format": "double" }] },
                "format": { "type": "string" },
            }
        });
        standard_formats_only(&mut schema);
        let props = &schema["properties"];
        assert_eq!(
            props["priority"],
            json!({ "type": "integer", "minimum": 1 })
        );
        assert_eq!(props["at"]["format"], "date-time");
        assert_eq!(props["load"]["anyOf"][0], json!({ "type": "number" }));
        assert_eq!(
            props["format"],
            json!({ "type": "string" }),
            "a field named format stays"
        );
    }
}
