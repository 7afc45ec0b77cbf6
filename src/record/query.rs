//! Which records a listing shows and in what order, by the fields of their
//! documents (`arende list --where key=value --sort field`): a filter's
//! answer and a small sort key for each record, never its document.

use std::cmp::Ordering;

use super::document;
use crate::yaml::Value;

/// The fields a listing filters on and the field it sorts by.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Dotted keys and the text each must show.
    filters: Vec<(String, String)>,
    /// The field to sort by, and whether from the largest down.
    sort: Option<(String, bool)>,
}

impl Query {
    /// Records whose every `filters` key shows its value, sorted by the
    /// `sort` field (`-field`: descending) or else kept in ID order.
    pub fn new(filters: Vec<(String, String)>, sort: Option<&str>) -> Query {
        let sort = sort.map(|s| match s.strip_prefix('-') {
            Some(field) => (field.to_owned(), true),
            None => (s.to_owned(), false),
        });
        Query { filters, sort }
    }

    /// Whether every record is shown in ID order, so no document need be read.
    pub fn by_id(&self) -> bool {
        self.filters.is_empty() && self.sort.is_none()
    }

    /// A record's sort key, or `None` if a filter leaves it out.
    pub fn key(&self, doc: &Value) -> Option<String> {
        let matches = self
            .filters
            .iter()
            .all(|(key, want)| shown(doc, key).as_deref() == Some(want.as_str()));
        matches.then(|| match &self.sort {
            // An absent field sorts as empty text.
            Some((field, _)) => shown(doc, field).unwrap_or_default(),
            None => String::new(),
        })
    }

    /// The indexes of the records to show, in order, given each record's
    /// [`key`](Self::key) (`None`: left out, or no longer readable). Records
    /// with equal keys keep their order.
    pub fn order(&self, keys: impl IntoIterator<Item = Option<String>>) -> Vec<usize> {
        let mut kept: Vec<(usize, String)> = keys
            .into_iter()
            .enumerate()
            .filter_map(|(i, k)| Some((i, k?)))
            .collect();
        if let Some((_, descending)) = self.sort {
            kept.sort_by(|(_, a), (_, b)| {
                let ord = compare(a, b);
                if descending { ord.reverse() } else { ord }
            });
        }
        kept.into_iter().map(|(i, _)| i).collect()
    }
}

/// The field at the dotted `key`, as people read it; `None` if absent.
fn shown(doc: &Value, key: &str) -> Option<String> {
    doc.as_mapping()
        .and_then(|m| document::get(m, key))
        .map(document::display)
}

/// Numbers as numbers, the rest as text.
fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> Value {
        Value::Mapping(crate::yaml::parse_mapping(std::path::Path::new("t.yaml"), yaml).unwrap())
    }

    #[test]
    fn filters_leave_records_out_and_the_sort_keeps_ties_in_order() {
        let q = Query::new(vec![("tickets.kund".into(), "4711".into())], Some("-prio"));
        let keys = [
            doc("prio: 2\ntickets: {kund: '4711'}\n"),
            doc("prio: 10\ntickets: {kund: '4711'}\n"),
            doc("prio: 3\n"),
            doc("prio: 2\ntickets: {kund: 4711}\n"),
        ]
        .iter()
        .map(|d| q.key(d))
        .collect::<Vec<_>>();
        assert_eq!(keys[2], None);
        assert_eq!(q.order(keys), [1, 0, 3]);
    }
}
