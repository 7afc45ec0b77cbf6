//! Dotted-path access to a record's YAML document.
//!
//! Commands change records by editing the parsed document in place, never by
//! re-serializing a typed struct: that way keys the tool does not know, and
//! their order, survive every rewrite.

use crate::yaml::{Mapping, Value};

/// The value at a dotted path (`tickets.kund`), if there is one.
pub fn get<'a>(doc: &'a Mapping, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut current = doc.get(parts.next()?)?;
    for part in parts {
        current = current.as_mapping()?.get(part)?;
    }
    Some(current)
}

/// Sets the value at a dotted path, making the mappings on the way. Returns
/// the value it replaced. Fails, naming the key, where a step on the way is
/// not a mapping.
pub fn set(doc: &mut Mapping, path: &str, value: Value) -> Result<Option<Value>, String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last().ok_or("an empty field name")?;
    let mut current = doc;
    let mut walked = String::new();
    for part in parents {
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(part);
        let entry = current
            .entry(Value::String((*part).to_owned()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if entry.is_null() {
            *entry = Value::Mapping(Mapping::new());
        }
        current = entry
            .as_mapping_mut()
            .ok_or_else(|| format!("`{walked}` is not a mapping, so `{path}` cannot be set"))?;
    }
    Ok(current.insert(Value::String((*last).to_owned()), value))
}

/// Removes the value at a dotted path, returning it.
pub fn remove(doc: &mut Mapping, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last()?;
    let mut current = doc;
    for part in parents {
        current = current.get_mut(*part)?.as_mapping_mut()?;
    }
    current.remove(*last)
}

/// Renders a scalar for a table cell or a filter comparison.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(s) => s.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Mapping(_) | Value::Tagged(_) => crate::yaml::to_string(&{
            let mut m = Mapping::new();
            m.insert(Value::String("v".into()), value.clone());
            m
        })
        .trim_start_matches("v:")
        .trim()
        .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_makes_the_way_and_keeps_siblings() {
        let mut doc = Mapping::new();
        set(&mut doc, "tickets.kund", Value::String("K-1".into())).unwrap();
        set(&mut doc, "tickets.agent", Value::String("A-1".into())).unwrap();
        assert_eq!(
            get(&doc, "tickets.kund"),
            Some(&Value::String("K-1".into()))
        );
        assert_eq!(
            get(&doc, "tickets.agent"),
            Some(&Value::String("A-1".into()))
        );
        set(&mut doc, "title", Value::String("x".into())).unwrap();
        assert!(set(&mut doc, "title.sub", Value::Null).is_err());
        assert_eq!(
            remove(&mut doc, "tickets.kund"),
            Some(Value::String("K-1".into()))
        );
        assert_eq!(get(&doc, "tickets.kund"), None);
    }
}
