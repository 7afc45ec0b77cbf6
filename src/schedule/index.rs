//! An interval index: the bookings of each key (an item, a person) sorted
//! by start, with the running maximum of their ends, so the bookings that
//! overlap a time are found by a binary search and a walk back that stops
//! as soon as no earlier booking can reach the time — never by comparing
//! every pair.

use std::collections::HashMap;
use std::hash::Hash;

use super::Span;

/// Bookings by key; each booking is a slot number the caller gives.
#[derive(Debug)]
pub struct IntervalIndex<K> {
    by_key: HashMap<K, Sorted>,
}

impl<K> Default for IntervalIndex<K> {
    fn default() -> Self {
        IntervalIndex {
            by_key: HashMap::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Sorted {
    /// (span, slot), by start.
    items: Vec<(Span, usize)>,
    /// `max_end[i]`: the latest end among `items[..=i]`.
    max_end: Vec<crate::time::Timestamp>,
}

impl<K: Hash + Eq> IntervalIndex<K> {
    /// The index of `bookings`: (key, span, slot).
    pub fn new(bookings: impl IntoIterator<Item = (K, Span, usize)>) -> IntervalIndex<K> {
        let mut by_key: HashMap<K, Sorted> = HashMap::new();
        for (key, span, slot) in bookings {
            by_key.entry(key).or_default().items.push((span, slot));
        }
        for sorted in by_key.values_mut() {
            sorted.items.sort_by_key(|(span, slot)| (span.start, *slot));
            let mut latest = None;
            sorted.max_end = sorted
                .items
                .iter()
                .map(|(span, _)| {
                    let end = latest.map_or(span.end, |l: crate::time::Timestamp| l.max(span.end));
                    latest = Some(end);
                    end
                })
                .collect();
        }
        IntervalIndex { by_key }
    }

    /// The slots of `key` whose span overlaps `span` (a half-open
    /// interval: one ending as another starts does not overlap it).
    pub fn overlapping(&self, key: &K, span: &Span) -> Vec<usize> {
        let Some(sorted) = self.by_key.get(key) else {
            return Vec::new();
        };
        // Those starting before `span` ends, walked back while any earlier
        // one can still end after `span` starts.
        let before_end = sorted.items.partition_point(|(s, _)| s.start < span.end);
        let mut out = Vec::new();
        for i in (0..before_end).rev() {
            if sorted.max_end[i] <= span.start {
                break;
            }
            let (s, slot) = &sorted.items[i];
            if s.end > span.start {
                out.push(*slot);
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn span(a: i64, b: i64) -> Span {
        let t = |m: i64| {
            chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00+01:00").unwrap()
                + chrono::Duration::minutes(m)
        };
        Span {
            start: t(a),
            end: t(b),
        }
    }

    proptest! {
        /// The index finds exactly what comparing every pair finds.
        #[test]
        fn the_index_agrees_with_every_pair(
            spans in proptest::collection::vec((0i64..500, 1i64..120, 0u8..3), 0..60),
            query in (0i64..500, 1i64..120, 0u8..3),
        ) {
            let spans: Vec<(u8, Span)> = spans.iter().map(|(a, l, k)| (*k, span(*a, a + l))).collect();
            let index = IntervalIndex::new(spans.iter().enumerate().map(|(i, (k, s))| (*k, *s, i)));
            let q = span(query.0, query.0 + query.1);
            let want: Vec<usize> = spans
                .iter()
                .enumerate()
                .filter(|(_, (k, s))| *k == query.2 && s.start < q.end && q.start < s.end)
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(index.overlapping(&query.2, &q), want);
        }
    }
}
