//! Keys that are a slip of a field's name (`impcat` for `impact`). A record
//! may carry keys of its owner's own, which arende keeps and ignores; one a
//! key or two away from a field of the model is almost surely that field
//! mistyped, and the field it meant is then empty to every rule that reads
//! it, without a word. So it is a warning, with the field it meant.

use crate::record::Record;
use crate::schema::Keys;
use crate::suggest;
use crate::yaml::Value;

use super::Violation;
use super::checks::NEAR_MISS;

/// Every key of the record, at any depth the model describes, that is not
/// a field there but a near miss of one.
pub fn check(doc: &Value, record: &Record) -> Vec<Violation> {
    let mut out = Vec::new();
    walk(
        record,
        crate::schema::keys(record.kind()),
        doc,
        "",
        &mut out,
    );
    out
}

/// `keys`: what the model knows where `value` is; `dotted`: where that is,
/// as a finding names a field (`history[2].stauts`).
fn walk(record: &Record, keys: &Keys, value: &Value, dotted: &str, out: &mut Vec<Violation>) {
    match value {
        Value::Mapping(map) => {
            let Some(known) = &keys.known else {
                return;
            };
            for (key, child) in map {
                let Some(key) = key.as_str() else { continue };
                // Named only where needed: most keys are known scalars.
                let field = || {
                    if dotted.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{dotted}.{key}")
                    }
                };
                match keys.field(key) {
                    Some(below) if matches!(child, Value::Mapping(_) | Value::Sequence(_)) => {
                        walk(record, below, child, &field(), out);
                    }
                    Some(_) => {}
                    None => {
                        if let Some(meant) =
                            suggest::near_miss(key, known.iter().map(String::as_str))
                        {
                            out.push(violation(record, &field(), key, meant));
                        }
                    }
                }
            }
        }
        Value::Sequence(items) => {
            let Some(each) = keys.items() else {
                return;
            };
            for (i, item) in items.iter().enumerate() {
                walk(record, each, item, &format!("{dotted}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn violation(record: &Record, field: &str, key: &str, meant: &str) -> Violation {
    let at = field.strip_suffix(key).unwrap_or_default();
    Violation {
        rule: NEAR_MISS.id.into(),
        severity: NEAR_MISS.severity,
        field: field.to_owned(),
        message: format!(
            "`{field}` is no {kind} field; did you mean `{at}{meant}`?",
            kind = record.kind().name().replace('_', " "),
        ),
        help: Some(format!(
            "rename the key to `{meant}` if that is what it means; a key of your own is kept as it is, but no rule reads it"
        )),
        clause: None,
    }
}
