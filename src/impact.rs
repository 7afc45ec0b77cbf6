//! What depends on a configuration item (`arende impact CI-…`): the graph of
//! the items' `depends_on`, walked breadth first in either direction, and
//! for one item everything that depends on it, the services among them with
//! their classes, and the open records on any of them.
//!
//! The graph is built once from the items and answers every question
//! without reading a record again; a cycle (which `validate` reports as
//! REPO005) is walked once round and no further, so a repository with one
//! still gets an answer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::{Body, CiType, Record, ServiceClass};
use crate::sla::Settled;
use crate::workspace::Workspace;
use crate::workspace::cache::Docs;

/// The configuration items' dependencies, both ways.
#[derive(Debug, Clone, Default)]
pub struct CiGraph {
    /// Each item and the items it depends on, in ID order.
    depends_on: BTreeMap<RecordId, Vec<RecordId>>,
    /// Each item and the items that depend on it, in ID order.
    dependents: BTreeMap<RecordId, Vec<RecordId>>,
}

/// An item a walk reached: how many steps away, and the item one step
/// nearer the start it was reached through.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reached {
    id: RecordId,
    distance: usize,
    via: RecordId,
}

impl CiGraph {
    /// The graph of the configuration items among `records` (other kinds
    /// are passed over).
    pub fn new<'r>(records: impl IntoIterator<Item = &'r Record>) -> CiGraph {
        CiGraph::from_edges(records.into_iter().filter_map(|r| match &r.body {
            Body::ConfigurationItem(ci) => Some((r.id().clone(), ci.depends_on.clone())),
            _ => None,
        }))
    }

    /// The graph of items given as each item and the items it depends on
    /// (the change calendar builds it from what `validate` kept of them).
    pub fn from_edges(edges: impl IntoIterator<Item = (RecordId, Vec<RecordId>)>) -> CiGraph {
        let mut graph = CiGraph::default();
        for (id, depends_on) in edges {
            graph.add(&id, &depends_on);
        }
        for list in graph
            .depends_on
            .values_mut()
            .chain(graph.dependents.values_mut())
        {
            list.sort();
            list.dedup();
        }
        graph
    }

    fn add(&mut self, id: &RecordId, depends_on: &[RecordId]) {
        self.depends_on
            .entry(id.clone())
            .or_default()
            .extend(depends_on.iter().cloned());
        for d in depends_on {
            self.dependents
                .entry(d.clone())
                .or_default()
                .push(id.clone());
        }
    }

    /// The items that depend on `id`, directly or through others, each
    /// with its distance (1: names `id` in its `depends_on`), at most
    /// `depth` steps away (`None`: any), nearest first, then by ID.
    pub fn dependents(&self, id: &RecordId, depth: Option<usize>) -> Vec<(RecordId, usize)> {
        pairs(walk(&self.dependents, id, depth))
    }

    /// The items `id` depends on, directly or through others, as
    /// [`dependents`](Self::dependents) gives the other direction.
    pub fn dependencies(&self, id: &RecordId, depth: Option<usize>) -> Vec<(RecordId, usize)> {
        pairs(walk(&self.depends_on, id, depth))
    }

    /// The items related to `id` either way within `depth` steps: those
    /// that depend on it and those it depends on (not items that merely
    /// share a dependency with it), each at its shorter distance, nearest
    /// first, then by ID; `id` itself is left out, even on a cycle.
    pub fn within(&self, id: &RecordId, depth: Option<usize>) -> Vec<(RecordId, usize)> {
        let mut nearest: BTreeMap<RecordId, usize> = BTreeMap::new();
        for (other, d) in self
            .dependents(id, depth)
            .into_iter()
            .chain(self.dependencies(id, depth))
        {
            let at = nearest.entry(other).or_insert(d);
            *at = (*at).min(d);
        }
        let mut out: Vec<(RecordId, usize)> = nearest.into_iter().collect();
        out.sort_by(|(a, da), (b, db)| da.cmp(db).then_with(|| a.cmp(b)));
        out
    }
}

/// Breadth first from `start` along `edges`, at most `depth` steps: each
/// item once, at the first step that reaches it, through the first item
/// (by ID) of the step before that leads to it. The start is never
/// reached again, so a cycle ends the walk.
fn walk(
    edges: &BTreeMap<RecordId, Vec<RecordId>>,
    start: &RecordId,
    depth: Option<usize>,
) -> Vec<Reached> {
    let mut seen = BTreeSet::from([start.clone()]);
    let mut frontier = vec![start.clone()];
    let mut out = Vec::new();
    let mut distance = 0;
    while !frontier.is_empty() && depth.is_none_or(|d| distance < d) {
        distance += 1;
        let mut next: BTreeMap<RecordId, RecordId> = BTreeMap::new();
        for from in &frontier {
            for to in edges.get(from).into_iter().flatten() {
                if !seen.contains(to) {
                    next.entry(to.clone()).or_insert_with(|| from.clone());
                }
            }
        }
        seen.extend(next.keys().cloned());
        frontier = next.keys().cloned().collect();
        out.extend(
            next.into_iter()
                .map(|(id, via)| Reached { id, distance, via }),
        );
    }
    out
}

fn pairs(reached: Vec<Reached>) -> Vec<(RecordId, usize)> {
    reached.into_iter().map(|r| (r.id, r.distance)).collect()
}

/// What depends on one configuration item, as `arende impact` shows it.
///
/// Its JSON (`arende impact CI-… --format json`) has these fields, and
/// keeps them:
/// - `item`: the item asked about (`id`, `title`, `ci_type`, `status`,
///   `service_class`; the last two may be `null`);
/// - `depth`: the `--depth` asked for, or `null` for no limit;
/// - `dependents`: every item that depends on it within the depth, nearest
///   first, then by ID: `id`, `title`, `ci_type`, `status`,
///   `service_class`, `distance` (1: it names the item in `depends_on`)
///   and `via` (the item one step nearer that it depends on);
/// - `services`: the services (`ci_type: service`) among the item and its
///   dependents: `id`, `title`, `service_class`, `distance` (0: the item);
/// - `open_records`: the incidents, problems and changes not yet settled
///   that link the item or a dependent (`links.configuration_items`), and
///   the incidents and service requests whose `service` is a service's
///   title (in any case): `id`, `kind`, `status`, `title` and `on` (the
///   items it was found on, by ID).
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    /// The item asked about.
    pub item: Item,
    /// How many steps were walked (`None`: all).
    pub depth: Option<usize>,
    /// The items that depend on it.
    pub dependents: Vec<Dependent>,
    /// The services among the item and its dependents.
    pub services: Vec<Service>,
    /// The open records on any of them.
    pub open_records: Vec<OpenRecord>,
}

/// A configuration item, as the impact names it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Its ID.
    pub id: RecordId,
    /// Its title.
    pub title: String,
    /// What it is.
    pub ci_type: Option<CiType>,
    /// Where it is in its life.
    pub status: &'static str,
    /// Its availability class, if it has one.
    pub service_class: Option<ServiceClass>,
}

/// An item that depends on the one asked about.
#[derive(Debug, Clone, Serialize)]
pub struct Dependent {
    /// The item.
    #[serde(flatten)]
    pub item: Item,
    /// Steps from the item asked about.
    pub distance: usize,
    /// The item one step nearer, which this one depends on.
    pub via: RecordId,
}

/// A service the item's failure or change reaches.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// The service item's ID.
    pub id: RecordId,
    /// Its title (what tickets name in `service`).
    pub title: String,
    /// Its availability class.
    pub service_class: Option<ServiceClass>,
    /// Steps from the item asked about (0: the item itself).
    pub distance: usize,
}

/// A record still being worked on one of the items.
#[derive(Debug, Clone, Serialize)]
pub struct OpenRecord {
    /// Its ID.
    pub id: RecordId,
    /// Its kind.
    pub kind: &'static str,
    /// Its status.
    pub status: &'static str,
    /// Its title.
    pub title: String,
    /// The items it is on.
    pub on: Vec<RecordId>,
}

impl Item {
    fn of(record: &Record) -> Option<Item> {
        let Body::ConfigurationItem(ci) = &record.body else {
            return None;
        };
        Some(Item {
            id: record.id().clone(),
            title: record.common.title.clone(),
            ci_type: ci.ci_type,
            status: record.status(),
            service_class: ci.service_class,
        })
    }
}

/// The impact of the item `id` in `ws`, at most `depth` steps out. The
/// records are read once, through the summary cache: the items, and the
/// tickets that are not settled.
pub fn impact(ws: &Workspace, id: &RecordId, depth: Option<usize>) -> Result<Impact> {
    let (entry, _) = ws.load(id)?;
    // Before the scan, so a wrong ID is told at once in a large repository.
    if entry.record.kind() != Kind::ConfigurationItem {
        return Err(not_an_item(&entry.record));
    }
    let settled = Settled::of(ws.policy());
    let records = ws
        .select(&[], &|b| {
            b.kind == Kind::ConfigurationItem
                || (TICKETS.contains(&b.kind) && !settled.contains(b.kind, b.status))
        })
        .into_scan(Docs::Drop);
    let all: Vec<&Record> = records.entries.iter().map(|e| &e.record).collect();
    let graph = CiGraph::new(all.iter().copied());
    Impact::of(ws.policy(), &graph, &all, &entry.record, depth)
        .ok_or_else(|| not_an_item(&entry.record))
}

/// The kinds whose open records the impact lists.
const TICKETS: [Kind; 4] = [
    Kind::Incident,
    Kind::Problem,
    Kind::Change,
    Kind::ServiceRequest,
];

/// The usage error for an ID that names a record of another kind, with the
/// items it links as the ones meant.
fn not_an_item(record: &Record) -> Error {
    let linked = &record.common.links.configuration_items;
    let help = if linked.is_empty() {
        "`arende impact` takes a configuration item's ID; `arende list ci` lists them".to_owned()
    } else {
        let ids: Vec<String> = linked.iter().map(RecordId::to_string).collect();
        format!(
            "did you mean {}? it links {}; `arende impact` takes a configuration item's ID",
            ids[0],
            ids.join(", ")
        )
    };
    Error::usage(
        format!(
            "{} is {}, not a configuration item",
            record.id(),
            record.kind().with_article()
        ),
        Some(help),
    )
}

impl Impact {
    /// The impact of `item` among `records` (`graph` is theirs): what
    /// depends on it within `depth` steps, the services among them, and the
    /// records on any of them that `policy` does not count as settled.
    /// `None` if `item` is no configuration item.
    pub fn of(
        policy: &Policy,
        graph: &CiGraph,
        records: &[&Record],
        item: &Record,
        depth: Option<usize>,
    ) -> Option<Impact> {
        let root = Item::of(item)?;
        let by_id: BTreeMap<&RecordId, &Record> = records.iter().map(|r| (r.id(), *r)).collect();
        let dependents: Vec<Dependent> = walk(&graph.dependents, item.id(), depth)
            .into_iter()
            .filter_map(|r| {
                let found = Item::of(by_id.get(&r.id)?)?;
                Some(Dependent {
                    item: found,
                    distance: r.distance,
                    via: r.via,
                })
            })
            .collect();
        let services: Vec<Service> = std::iter::once((&root, 0))
            .chain(dependents.iter().map(|d| (&d.item, d.distance)))
            .filter(|(i, _)| i.ci_type == Some(CiType::Service))
            .map(|(i, distance)| Service {
                id: i.id.clone(),
                title: i.title.clone(),
                service_class: i.service_class,
                distance,
            })
            .collect();
        let items: BTreeSet<&RecordId> = std::iter::once(&root.id)
            .chain(dependents.iter().map(|d| &d.item.id))
            .collect();
        let open_records = open_on(policy, records, &items, &services);
        Some(Impact {
            item: root,
            depth,
            dependents,
            services,
            open_records,
        })
    }
}

/// The records among `records` not settled under `policy` that link one of
/// `items`, or name one of `services` as their `service`, in ID order.
fn open_on(
    policy: &Policy,
    records: &[&Record],
    items: &BTreeSet<&RecordId>,
    services: &[Service],
) -> Vec<OpenRecord> {
    let settled = Settled::of(policy);
    let mut out: Vec<OpenRecord> = records
        .iter()
        .filter(|r| !settled.contains(r.kind(), r.status()))
        .filter_map(|r| {
            let on = on_items(r, items, services);
            (!on.is_empty()).then(|| OpenRecord {
                id: r.id().clone(),
                kind: r.kind().name(),
                status: r.status(),
                title: r.common.title.clone(),
                on,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The items a record is on: those of `items` it links (incidents,
/// problems, changes), and the services whose title its `service` names
/// (incidents, requests).
fn on_items(record: &Record, items: &BTreeSet<&RecordId>, services: &[Service]) -> Vec<RecordId> {
    let mut on: BTreeSet<RecordId> = BTreeSet::new();
    if matches!(record.kind(), Kind::Incident | Kind::Problem | Kind::Change) {
        on.extend(
            record
                .common
                .links
                .configuration_items
                .iter()
                .filter(|id| items.contains(id))
                .cloned(),
        );
    }
    let service = match &record.body {
        Body::Incident(x) => x.service.as_deref(),
        Body::ServiceRequest(x) => x.service.as_deref(),
        _ => None,
    };
    if let Some(named) = service.map(str::trim).filter(|s| !s.is_empty()) {
        on.extend(
            services
                .iter()
                .filter(|s| s.title.trim().to_lowercase() == named.to_lowercase())
                .map(|s| s.id.clone()),
        );
    }
    on.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> RecordId {
        RecordId::parse(s).unwrap()
    }

    /// server ← database ← service, and two items depending on each other.
    fn graph() -> CiGraph {
        let mut g = CiGraph::default();
        g.add(&id("CI-SERVER"), &[]);
        g.add(&id("CI-DATABASE"), &[id("CI-SERVER")]);
        g.add(&id("CI-SERVICE"), &[id("CI-DATABASE")]);
        g.add(&id("CI-LOOPA"), &[id("CI-LOOPB")]);
        g.add(&id("CI-LOOPB"), &[id("CI-LOOPA"), id("CI-SERVER")]);
        g
    }

    #[test]
    fn dependents_are_found_two_steps_away_and_the_depth_cuts_them() {
        let g = graph();
        assert_eq!(
            g.dependents(&id("CI-SERVER"), None),
            [
                (id("CI-DATABASE"), 1),
                (id("CI-LOOPB"), 1),
                (id("CI-LOOPA"), 2),
                (id("CI-SERVICE"), 2),
            ]
        );
        assert_eq!(
            g.dependents(&id("CI-SERVER"), Some(1)),
            [(id("CI-DATABASE"), 1), (id("CI-LOOPB"), 1)]
        );
        assert_eq!(g.dependents(&id("CI-SERVER"), Some(0)), []);
    }

    #[test]
    fn a_cycle_is_walked_once_and_the_start_is_never_its_own_dependent() {
        let g = graph();
        assert_eq!(g.dependents(&id("CI-LOOPA"), None), [(id("CI-LOOPB"), 1)]);
        assert_eq!(
            g.dependencies(&id("CI-LOOPA"), None),
            [(id("CI-LOOPB"), 1), (id("CI-SERVER"), 2)]
        );
        assert_eq!(
            g.within(&id("CI-LOOPA"), None),
            [(id("CI-LOOPB"), 1), (id("CI-SERVER"), 2)]
        );
    }

    #[test]
    fn within_goes_both_ways_but_not_to_items_that_share_a_dependency() {
        let g = graph();
        assert_eq!(
            g.within(&id("CI-DATABASE"), Some(1)),
            [(id("CI-SERVER"), 1), (id("CI-SERVICE"), 1)]
        );
        // LOOPB depends on the server as the database does: no relation.
        assert!(
            !g.within(&id("CI-DATABASE"), None)
                .iter()
                .any(|(i, _)| i.as_str().starts_with("CI-LOOP"))
        );
    }
}
