//! What `validate` keeps of each record for the rules of the records that
//! link to it, so that a record whose rules look across links is judged
//! without reading the linked files again: the values of the few top-level
//! keys the policy's tests read of a linked record, taken while the first
//! pass has the record in hand. Not the whole document: `validate` must not
//! hold every record.

use std::collections::HashMap;

use super::Lookup;
use crate::id::RecordId;
use crate::policy::{Policy, Predicate, Test};
use crate::yaml::{Mapping, Value};

/// The top-level keys of a record that some test of the policy reads when
/// the record is linked to (a rule's, or an approval step's condition).
pub(super) struct Keys(Vec<String>);

impl Keys {
    /// The keys the policy's tests read of linked records.
    pub fn of(policy: &Policy) -> Keys {
        let predicates = policy
            .rules
            .iter()
            .flat_map(|r| r.when.iter().chain(&r.require))
            .chain(policy.approval_steps.iter().flat_map(|s| &s.when));
        let mut keys: Vec<String> = predicates
            .flat_map(linked_fields)
            .filter_map(|field| field.split('.').next())
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys.dedup();
        Keys(keys)
    }

    /// What of `doc` the records linking to it may read.
    pub fn project(&self, doc: &Value) -> Projection {
        Projection(
            self.0
                .iter()
                .map(|k| doc.get(k.as_str()).cloned())
                .collect(),
        )
    }

    /// The document linking records see: the projected keys that are set.
    fn document(&self, projection: &Projection) -> Value {
        let map: Mapping = self
            .0
            .iter()
            .zip(&projection.0)
            .filter_map(|(k, v)| Some((Value::String(k.clone()), v.clone()?)))
            .collect();
        Value::Mapping(map)
    }
}

/// The fields of a linked record a test reads. Every test is named, so that
/// a new test that reads linked records cannot be forgotten here.
fn linked_fields(p: &Predicate) -> Vec<&str> {
    match &p.test {
        Test::LinkedAll(la) | Test::LinkedAny(la) => std::iter::once(la.field.as_str())
            .chain(
                la.after
                    .iter()
                    .flat_map(|a| [a.field.as_str(), a.than.as_str()]),
            )
            .collect(),
        Test::SameAsLinked(sources) => sources.iter().map(|s| s.field.as_str()).collect(),
        Test::Equals(_)
        | Test::OneOf(_)
        | Test::Present(_)
        | Test::Matches(_)
        | Test::AtMostField(_)
        | Test::InRegister
        | Test::Derived
        | Test::Approved(_)
        | Test::NotedChanges
        | Test::Reached(_)
        | Test::Linked(_)
        | Test::RegisteredOneOf(_)
        | Test::CountAtMost(_)
        | Test::ApprovedBefore(_)
        | Test::BeforeReached(_)
        | Test::NoConflict(_) => Vec::new(),
    }
}

/// One record's values of the [`Keys`], in their order (`None`: not set).
/// (Boxed: one per record file; empty, it allocates nothing.)
pub(super) struct Projection(Box<[Option<Value>]>);

/// Finds linked records among the projections the first pass kept.
pub(super) struct Projected<'a> {
    keys: &'a Keys,
    /// Each ID's projection; of two files with one ID, the one a scan puts last.
    by_id: HashMap<&'a RecordId, &'a Projection>,
}

impl<'a> Projected<'a> {
    /// A lookup over `records`, in the scan's order.
    pub fn new(
        keys: &'a Keys,
        records: impl Iterator<Item = (&'a RecordId, &'a Projection)>,
    ) -> Projected<'a> {
        Projected {
            keys,
            by_id: records.collect(),
        }
    }
}

impl Lookup for Projected<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        self.by_id.get(id).map(|p| self.keys.document(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key a pack's tests read across links is kept, with the value
    /// the linked record has; a key no test reads across links is not.
    #[test]
    fn a_projection_keeps_what_the_tests_read_of_linked_records() {
        let mut read_across_links = false;
        for name in Policy::names() {
            let policy = Policy::load(name, None).expect("a built-in pack loads");
            let keys = Keys::of(&policy);
            let mut doc = Mapping::new();
            for key in &keys.0 {
                doc.insert(Value::String(key.clone()), Value::String(format!("{key}!")));
            }
            doc.insert("not_read_across_links".into(), Value::Bool(true));
            let projection = keys.project(&Value::Mapping(doc.clone()));
            let id = RecordId::parse("INC-20261103-A1B2C3").expect("an ID");
            let lookup = Projected::new(&keys, std::iter::once((&id, &projection)));
            doc.remove("not_read_across_links");
            assert_eq!(lookup.document(&id), Some(Value::Mapping(doc)), "{name}");
            let other = RecordId::parse("INC-20261103-A1B2C4").expect("an ID");
            assert_eq!(lookup.document(&other), None, "{name}");
            let unset = keys.document(&keys.project(&Value::Mapping(Mapping::new())));
            assert_eq!(unset, Value::Mapping(Mapping::new()), "{name}");
            read_across_links |= !keys.0.is_empty();
        }
        assert!(read_across_links, "some pack reads linked records");
    }
}
