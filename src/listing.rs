//! Which records a listing shows and in what order, by the fields of their
//! documents (`arende list --where key=value --sort field`): a filter's
//! answer and a small sort key for each record, never its document.
//!
//! What a person asks for is checked first ([`Ask::check`]): a status,
//! priority, field or value no record of the kinds listed can have is an
//! error with a suggestion, never an empty table that looks like an answer.

use std::cmp::Ordering;

use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::document;
use crate::yaml::Value;

/// What `arende list` was asked for, as typed.
#[derive(Debug, Clone, Default)]
pub struct Ask<'a> {
    /// The kinds listed (all when empty).
    pub kinds: &'a [Kind],
    /// `--status`, each.
    pub statuses: &'a [String],
    /// `--priority`.
    pub priority: Option<u8>,
    /// `--where key=value`, each split.
    pub filters: Vec<(String, String)>,
    /// `--sort [-]field`.
    pub sort: Option<&'a str>,
}

/// A listing asked for something no record of its kinds can have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingError {
    /// A status of none of the kinds.
    #[error("`{given}` is not a status of {}", kinds.as_deref().unwrap_or("any kind of record"))]
    Status {
        /// As typed.
        given: String,
        /// The kinds listed, in words; `None`: every kind.
        kinds: Option<String>,
        /// The statuses there are.
        known: Vec<String>,
    },
    /// A priority the pack does not have.
    #[error("priority {given} is not one of the {pack} policy's")]
    Priority {
        /// As typed.
        given: u8,
        /// The pack's name.
        pack: String,
        /// Its levels.
        known: Vec<u8>,
    },
    /// A field none of the kinds has.
    #[error("{}", match kinds {
        Some(kinds) => format!("{kinds} has no field `{field}`"),
        None => format!("no kind of record has a field `{field}`"),
    })]
    Field {
        /// As typed.
        field: String,
        /// The kinds listed, in words; `None`: every kind.
        kinds: Option<String>,
        /// The top-level fields there are.
        known: Vec<String>,
    },
    /// A value the field cannot hold.
    #[error("`{value}` is not a value of `{field}`")]
    Value {
        /// The field.
        field: String,
        /// As typed.
        value: String,
        /// The values it takes.
        known: Vec<String>,
    },
}

impl ListingError {
    /// How to put it right: the nearest word, and the words there are.
    pub fn help(&self) -> String {
        let listed = |given: &str, known: &[String]| {
            format!("{}use one of: {}", nearest(given, known), known.join(", "))
        };
        match self {
            ListingError::Status { given, known, .. } => listed(given, known),
            ListingError::Priority { known, .. } => format!(
                "use one of: {}",
                known
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ListingError::Field { field, known, .. } => format!(
                "{}dotted keys reach into a field (`reporter.party`); `arende schema KIND` lists the fields",
                nearest(field, known)
            ),
            ListingError::Value { value, known, .. } => listed(value, known),
        }
    }
}

/// "did you mean `x`? ": a word that begins with what was typed (`prio` →
/// `priority`), else the nearest by edit distance.
fn nearest(given: &str, known: &[String]) -> String {
    let lower = given.to_lowercase();
    match known
        .iter()
        .find(|k| lower.len() >= 3 && k.to_lowercase().starts_with(&lower))
    {
        Some(k) => format!("did you mean `{k}`? "),
        None => crate::suggest::did_you_mean(given, known.iter().map(String::as_str)),
    }
}

impl Ask<'_> {
    /// The query and the statuses to keep (as the records spell them),
    /// once every word asked for is one the kinds listed know.
    pub fn check(self, policy: &Policy) -> Result<(Query, Vec<String>), ListingError> {
        let kinds: Vec<Kind> = if self.kinds.is_empty() {
            Kind::ALL.to_vec()
        } else {
            self.kinds.to_vec()
        };
        let named = (!self.kinds.is_empty()).then(|| {
            kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or ")
        });
        let statuses = self
            .statuses
            .iter()
            .map(|s| status(policy, &kinds, named.as_deref(), s))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(p) = self.priority {
            let known: Vec<u8> = policy.priorities.iter().map(|l| l.level).collect();
            if !known.contains(&p) {
                return Err(ListingError::Priority {
                    given: p,
                    pack: policy.name.clone(),
                    known,
                });
            }
        }
        let mut filters = Vec::with_capacity(self.filters.len());
        for (key, value) in self.filters {
            field(&kinds, named.as_deref(), &key)?;
            let value = if value.is_empty() {
                value
            } else {
                known_value(policy, &kinds, &key, value)?
            };
            filters.push((key, value));
        }
        if let Some(sort) = self.sort {
            field(
                &kinds,
                named.as_deref(),
                sort.strip_prefix('-').unwrap_or(sort),
            )?;
        }
        Ok((Query::new(filters, self.sort), statuses))
    }
}

/// The status `given` means (its ID, Swedish label or alias, in any case),
/// if one of the kinds has it.
fn status(
    policy: &Policy,
    kinds: &[Kind],
    named: Option<&str>,
    given: &str,
) -> Result<String, ListingError> {
    if let Some(found) = kinds
        .iter()
        .find_map(|k| policy.word(*k, "status", given).and_then(Result::ok))
    {
        return Ok(found);
    }
    let mut known: Vec<String> = Vec::new();
    for kind in kinds {
        for s in crate::record::statuses(*kind) {
            if !known.iter().any(|k| k == s) {
                known.push((*s).to_owned());
            }
        }
    }
    Err(ListingError::Status {
        given: given.to_owned(),
        kinds: named.map(str::to_owned),
        known,
    })
}

/// Refuses a dotted field none of the kinds has.
fn field(kinds: &[Kind], named: Option<&str>, key: &str) -> Result<(), ListingError> {
    if kinds
        .iter()
        .any(|k| crate::schema::field_shape(*k, key).is_some())
    {
        return Ok(());
    }
    let mut known: Vec<String> = Vec::new();
    for kind in kinds {
        for f in crate::schema::top_level_fields(*kind) {
            if !known.contains(&f) {
                known.push(f);
            }
        }
    }
    Err(ListingError::Field {
        field: key.to_owned(),
        kinds: named.map(str::to_owned),
        known,
    })
}

/// The value of an enumerated field as the records spell it (`Hög` →
/// `high`, `Kund` → `kund`, `P1` → `1`), by the one rule for values of
/// [`Policy::named_value`]; a field that is not enumerated takes any text.
fn known_value(
    policy: &Policy,
    kinds: &[Kind],
    key: &str,
    value: String,
) -> Result<String, ListingError> {
    let mut known: Vec<String> = Vec::new();
    for kind in kinds {
        match policy.named_value(*kind, key, &value) {
            Some(Ok(v)) => return Ok(document::display(&v)),
            Some(Err(_)) => {
                let words = policy.vocabulary(*kind, key).unwrap_or_default();
                for w in words {
                    if !known.contains(&w.id) {
                        known.push(w.id);
                    }
                }
            }
            None if crate::schema::field_shape(*kind, key).is_some() => return Ok(value),
            None => {}
        }
    }
    Err(ListingError::Value {
        field: key.to_owned(),
        value,
        known,
    })
}

/// What `arende list` was asked for, owned: from its options, or from a
/// view saved in `arende.yaml` with the options given beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The listing's options, as a view spells them.
    pub view: crate::config::View,
}

impl Request {
    /// The options given on the command line over the saved view `saved`:
    /// statuses and filters add to it, the rest replaces it where given.
    pub fn over(self, saved: &crate::config::View) -> Request {
        let given = self.view;
        let mut view = saved.clone();
        view.kind = given.kind.or(view.kind);
        view.status.extend(given.status);
        view.priority = given.priority.or(view.priority);
        view.filters.extend(given.filters);
        view.sort = given.sort.or(view.sort);
        view.mine |= given.mine;
        view.group = given.group.or(view.group);
        view.unassigned |= given.unassigned;
        view.open |= given.open;
        Request { view }
    }

    /// The view saved as `name` among `views` (of `arende.yaml`).
    pub fn saved<'v>(
        views: &'v std::collections::BTreeMap<String, crate::config::View>,
        name: &str,
    ) -> crate::error::Result<&'v crate::config::View> {
        views.get(name).ok_or_else(|| {
            let names: Vec<&str> = views.keys().map(String::as_str).collect();
            crate::error::Error::usage(
                format!("arende.yaml has no view `{name}`"),
                Some(if names.is_empty() {
                    "save one under `views:` in arende.yaml, e.g. `views: {queue: {mine: true, open: true}}`".to_owned()
                } else {
                    format!(
                        "{}the views are: {}",
                        crate::suggest::did_you_mean(name, names.iter().copied()),
                        names.join(", ")
                    )
                }),
            )
        })
    }

    /// Whether it asks for a desk's queue, which is sorted by priority
    /// unless a sort is given.
    pub fn is_queue(&self) -> bool {
        let v = &self.view;
        v.mine || v.group.is_some() || v.unassigned || v.open
    }

    /// The `key=value` filters the queue options add, as the records spell
    /// the team and the person: `--mine` is the registry's person with the
    /// author's e-mail address; `--group` a team by ID or name (as written
    /// where the repository has no registry); `--unassigned` no person.
    pub fn queue_filters(
        &self,
        registry: Option<&crate::people::Registry>,
        author: impl FnOnce() -> crate::error::Result<crate::store::Author>,
    ) -> crate::error::Result<Vec<(String, String)>> {
        use crate::error::Error;
        let mut out = Vec::new();
        if self.view.mine {
            let author = author()?;
            let me = registry.and_then(|r| r.by_email(&author.email)).ok_or_else(|| {
                Error::usage(
                    format!("--mine lists the tickets of the person {author} is in {}, and there is none", crate::people::PEOPLE_FILE),
                    Some(format!("add {} to your entry's emails in {}, or list a person's tickets with --where assignment.person=HANDLE", author.email, crate::people::PEOPLE_FILE)),
                )
            })?;
            out.push(("assignment.person".to_owned(), me.handle.clone()));
        }
        if let Some(g) = &self.view.group {
            let team = match registry {
                Some(r) => r
                    .find_team(g)
                    .map_err(|e| Error::usage(e.to_string(), Some(e.help())))?
                    .id
                    .clone(),
                None => g.trim().to_owned(),
            };
            out.push(("assignment.group".to_owned(), team));
        }
        if self.view.unassigned {
            out.push(("assignment.person".to_owned(), String::new()));
        }
        Ok(out)
    }
}

/// A listing made ready: what to keep by the cache's brief, and how to
/// order what is kept.
pub struct Plan<'p> {
    query: Query,
    statuses: Vec<String>,
    priority: Option<u8>,
    /// `--open`: the statuses where work is done, left out.
    settled: Option<crate::sla::Settled>,
    due: Option<Due<'p>>,
}

/// Why a listing cannot be made.
#[derive(Debug)]
pub enum PlanError {
    /// It asked for a word no record can have.
    Listing(ListingError),
    /// Anything else (a view or a person not found, the registry unreadable).
    Other(crate::error::Error),
}

impl From<crate::error::Error> for PlanError {
    fn from(e: crate::error::Error) -> Self {
        PlanError::Other(e)
    }
}

impl Plan<'_> {
    /// Whether a record with this brief can be listed (its document may
    /// still be left out by the filters).
    pub fn keeps(&self, b: &crate::workspace::cache::Brief<'_>) -> bool {
        (self.statuses.is_empty() || self.statuses.iter().any(|s| s == b.status))
            && self.priority.is_none_or(|p| b.priority == Some(p))
            && !self
                .settled
                .as_ref()
                .is_some_and(|s| s.contains(b.kind, b.status))
    }

    /// The indexes of `records` to show, in order.
    pub fn order(&self, records: &crate::workspace::cache::Records) -> Vec<usize> {
        order(records, &self.query, self.due)
    }
}

impl Request {
    /// The listing over `ws` at `now` for the person `author` gives: the
    /// filters given (split), the queue's, and the sort (`due`, a field,
    /// or priority for a queue), each word checked against the pack.
    pub fn plan<'p>(
        &self,
        ws: &'p crate::workspace::Workspace,
        mut filters: Vec<(String, String)>,
        kind: Option<Kind>,
        now: crate::time::Timestamp,
        author: impl FnOnce() -> crate::error::Result<crate::store::Author>,
    ) -> Result<Plan<'p>, PlanError> {
        let v = &self.view;
        if self.is_queue() {
            let registry = crate::people::Registry::read(ws.root())?.map(|(r, _)| r);
            filters.extend(self.queue_filters(registry.as_ref(), author)?);
        }
        let by_due = v.sort.as_deref().map(|s| s.trim_start_matches('-')) == Some("due");
        let sort = match &v.sort {
            Some(_) if by_due => None,
            Some(s) => Some(s.as_str()),
            None if self.is_queue() => Some("priority"),
            None => None,
        };
        let ask = Ask {
            kinds: kind.as_slice(),
            statuses: &v.status,
            priority: v.priority,
            filters,
            sort,
        };
        let (query, statuses) = ask.check(ws.policy()).map_err(PlanError::Listing)?;
        Ok(Plan {
            query,
            statuses,
            priority: v.priority,
            settled: v.open.then(|| crate::sla::Settled::of(ws.policy())),
            due: by_due.then(|| Due {
                policy: ws.policy(),
                at: now,
                descending: v.sort.as_deref().is_some_and(|s| s.starts_with('-')),
            }),
        })
    }
}

/// `--sort due`: the clocks as they stand at `at`.
#[derive(Debug, Clone, Copy)]
pub struct Due<'p> {
    /// The policy whose clocks run.
    pub policy: &'p Policy,
    /// The moment.
    pub at: crate::time::Timestamp,
    /// Latest first.
    pub descending: bool,
}

/// The indexes of `records` to show, in order: those `query` keeps, by its
/// sort field, or by due time, or else in ID order (no document is read).
fn order(
    records: &crate::workspace::cache::Records,
    query: &Query,
    due: Option<Due<'_>>,
) -> Vec<usize> {
    use crate::workspace::cache::Docs;
    if let Some(due) = due {
        let keys = records.map(Docs::Keep, |e| {
            query
                .key(&e.doc)
                .map(|_| due_key(due.policy, &e.record, due.at))
        });
        let sort = if due.descending { "-due" } else { "due" };
        return Query::new(Vec::new(), Some(sort)).order(keys.into_iter().map(Option::flatten));
    }
    if query.by_id() {
        return (0..records.len()).collect();
    }
    let keys = records.map(Docs::Keep, |e| query.key(&e.doc));
    query.order(keys.into_iter().map(Option::flatten))
}

/// The sort key of `--sort due`: when the earliest running clock of the
/// record reaches its target, as seconds since the epoch. A record with no
/// clock running sorts after every one with one (`~` follows the digits).
pub fn due_key(
    policy: &Policy,
    record: &crate::record::Record,
    at: crate::time::Timestamp,
) -> String {
    let Some(calendar) = policy.calendar() else {
        return "~".into();
    };
    crate::sla::clocks(policy, calendar, record, at)
        .iter()
        .filter(|c| c.stopped.is_none())
        .filter_map(|c| c.due)
        .min()
        .map_or_else(|| "~".into(), |due| due.timestamp().to_string())
}

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

    /// A record's sort key, or `None` if a filter leaves it out. An empty
    /// value (`--where field=`) keeps the records without the field.
    pub fn key(&self, doc: &Value) -> Option<String> {
        let matches = self.filters.iter().all(|(key, want)| {
            let shown = shown(doc, key);
            if want.is_empty() {
                shown.is_none_or(|s| s.trim().is_empty())
            } else {
                shown.as_deref() == Some(want.as_str())
            }
        });
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
