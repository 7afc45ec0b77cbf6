//! The static site of a record repository (`arende site`): what its pages
//! show, gathered in one pass over the records, for readers without a
//! terminal — the overview, a page per record with its links both ways and
//! its git history, the change calendar, the configuration items' graph,
//! the quarterly reports, the policy, and the public *driftinformation*.
//!
//! Nothing here writes HTML: `render::site` does, and [`output`] writes the
//! pages, only those whose bytes changed since the last build.

pub mod drift;
pub mod graph;
pub mod output;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{Datelike, Duration};
use rayon::prelude::*;

use crate::error::Result;
use crate::id::RecordId;
use crate::kind::Kind;
use crate::policy::Policy;
use crate::record::Body;
use crate::report::{Period, Report, Scope};
use crate::sla::{ClockState, Listing};
use crate::store::{PathHistory, path_histories};
use crate::time::Timestamp;
use crate::validate::forward::{Forward, forward};
use crate::workspace::cache::Docs;
use crate::workspace::{Entry, Workspace};

pub use drift::Drift;
pub use graph::Graph;

/// How far back and ahead the site's change calendar reaches, in days.
const CALENDAR_BEFORE: i64 = 14;
const CALENDAR_AFTER: i64 = 120;
/// How many quarters of reports the site carries, the current one first.
const QUARTERS: usize = 4;

/// One record as the lists, the search index and the links show it.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its ID.
    pub id: RecordId,
    /// Its kind.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: &'static str,
    /// Its priority, if it has one.
    pub priority: Option<u8>,
    /// When it was opened.
    pub opened: Timestamp,
    /// Its service, if it names one.
    pub service: Option<String>,
    /// Its file, relative to the repository.
    pub path: PathBuf,
    /// The records it names (links, items, dependencies).
    pub links: Vec<RecordId>,
}

/// When and from what the site was made.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The moment of the build.
    pub at: Timestamp,
    /// HEAD's commit, if there is one.
    pub head: Option<String>,
    /// Whether the working tree differed from HEAD.
    pub dirty: bool,
}

/// A ticket's SLA clock the overview shows.
#[derive(Debug, Clone)]
pub struct Clock {
    /// The ticket.
    pub id: RecordId,
    /// The ticket's title.
    pub title: String,
    /// The clock's title.
    pub clock: String,
    /// When its target is (was) reached.
    pub due: Option<Timestamp>,
    /// Counted time left, in seconds (negative: overdue).
    pub left_seconds: i64,
}

/// The overview page's facts.
#[derive(Debug, Default)]
pub struct Overview {
    /// Open tickets by kind and priority (`None`: not set).
    pub open: Vec<(Kind, Option<u8>, usize)>,
    /// Running clocks past 75 % of their target.
    pub at_risk: Vec<Clock>,
    /// Clocks past their target, of open tickets.
    pub breached: Vec<Clock>,
    /// Open major incidents.
    pub majors: Vec<RecordId>,
    /// Open incidents whose outage is long enough for a crisis assessment.
    pub crisis: Vec<(RecordId, Duration)>,
}

/// Everything the site shows but the records' own pages.
pub struct Site {
    /// When and from what.
    pub generated: Generated,
    /// The pack's title.
    pub pack: String,
    /// Every record, by ID.
    pub items: Vec<Item>,
    by_id: HashMap<RecordId, u32>,
    by_path: HashMap<PathBuf, u32>,
    backlinks: HashMap<RecordId, Vec<u32>>,
    /// The overview.
    pub overview: Overview,
    /// The public page's facts.
    pub drift: Drift,
    /// The change calendar around the build.
    pub calendar: Forward,
    /// The configuration items' dependency graph.
    pub graph: Graph,
    /// The quarterly reports, newest first.
    pub reports: Vec<Report>,
    /// Every record file's commits.
    pub history: PathHistory,
    /// The approvals that do not verify, by file: each one's index and
    /// why; `None`: no people registry to verify them against.
    pub unverified: Option<Unverified>,
}

/// The approvals that do not verify, by record file: index and why.
pub type Unverified = HashMap<PathBuf, Vec<(usize, String)>>;

/// What the pass over the records keeps of one record.
struct Read {
    item: Item,
    clocks: Vec<(Clock, bool)>,
    major: bool,
    crisis: Option<Duration>,
    drift: Option<drift::Fact>,
    edges: Option<(RecordId, String, Vec<RecordId>)>,
    parts: Vec<crate::report::Part>,
}

impl Site {
    /// Reads the repository for its site at `now`. With `public`, only what
    /// the public page needs: no history, no approvals, no reports. The
    /// records are read a chunk at a time, each chunk in parallel, and
    /// what each adds is folded in at once: nothing holds them all.
    pub fn gather(ws: &Workspace, now: Timestamp, public: bool) -> Result<Site> {
        let policy = ws.policy();
        let tz = ws.tz();
        let listing = Listing::new(policy, false).ok();
        let scopes: Vec<Scope<'_>> = if public {
            Vec::new()
        } else {
            quarters(now, tz)
                .iter()
                .map(|p| Scope::new(policy, tz, p, now))
                .collect()
        };
        let mut fold = Fold::new(&scopes);
        // git's side (the history of every file, whether the tree is
        // clean) is read beside the records, not after them.
        let (history, calendar) = std::thread::scope(|s| {
            let history = s.spawn(|| match public {
                true => PathHistory::default(),
                false => path_histories(ws.root()).unwrap_or_default(),
            });
            let records = ws.select(&[], &|_| true);
            let _ = records.visit_all(
                Docs::Drop,
                |e| read(policy, listing.as_ref(), &scopes, &e, now),
                |read| {
                    fold.add(policy, read);
                    Ok::<(), ()>(())
                },
            );
            drop(records);
            let from = now - Duration::days(CALENDAR_BEFORE);
            let calendar = forward(ws, from, now + Duration::days(CALENDAR_AFTER));
            (history.join().unwrap_or_default(), calendar)
        });
        let calendar = calendar?;
        let unverified = if public { None } else { unverified(ws)? };
        Ok(fold.finish(ws, now, calendar, history, unverified))
    }

    /// The record with ID `id`, if the repository has it.
    pub fn item(&self, id: &RecordId) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.items[i as usize])
    }

    /// The records that name `id`, by ID.
    pub fn backlinks(&self, id: &RecordId) -> impl Iterator<Item = &Item> {
        self.backlinks
            .get(id)
            .into_iter()
            .flatten()
            .map(|&i| &self.items[i as usize])
    }

    /// What a record's page is made from besides its own file, and the
    /// file's stat, as a digest: a page whose digest is the one the last
    /// build wrote it from need not be made again. `None` for a file that
    /// is not a record the site read.
    pub fn page_inputs(&self, root: &std::path::Path, path: &std::path::Path) -> Option<String> {
        let item = &self.items[*self.by_path.get(path)? as usize];
        let meta = std::fs::symlink_metadata(root.join(path)).ok()?;
        let mut h = sha1_smol::Sha1::new();
        let mut add = |s: &str| {
            h.update(s.as_bytes());
            h.update(b"\0");
        };
        add(&stat_line(&meta));
        add(item.id.as_str());
        for id in &item.links {
            match self.item(id) {
                Some(o) => add(&format!(
                    "{} {} {} {}",
                    o.id,
                    o.kind.name(),
                    o.status,
                    o.title
                )),
                None => add(&format!("{id} missing")),
            }
        }
        for o in self.backlinks(&item.id) {
            add(&format!(
                "<{} {} {} {}",
                o.id,
                o.kind.name(),
                o.status,
                o.title
            ));
        }
        for c in self.history.of(path) {
            add(&c.id);
        }
        match &self.unverified {
            None => add("no registry"),
            Some(bad) => {
                for (i, why) in bad.get(path).into_iter().flatten() {
                    add(&format!("{i} {why}"));
                }
            }
        }
        Some(h.digest().to_string())
    }

    /// Visits every record with its document, in parallel, for its page:
    /// `skip` is asked first with the record's file, and a record it says
    /// yes to is not even loaded; `each` gets the entry of every other.
    pub fn each_record<T: Send>(
        ws: &Workspace,
        skip: impl Fn(&std::path::Path) -> bool + Sync,
        each: impl Fn(Entry) -> T + Sync,
    ) -> Vec<T> {
        let records = ws.select(&[], &|_| true);
        (0..records.len())
            .into_par_iter()
            .filter(|&i| !skip(records.path(i)))
            .filter_map(|i| records.load(i, Docs::Keep).map(&each))
            .collect()
    }
}

/// A file's stat as a page's input: size, modification time, inode.
fn stat_line(meta: &std::fs::Metadata) -> String {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let ino = 0;
    format!("{} {modified} {ino}", meta.len())
}

/// The records read so far, folded into the site's shared pages.
struct Fold<'s, 'p> {
    builders: Vec<crate::report::Builder<'s, 'p>>,
    overview: Overview,
    open: HashMap<(Kind, Option<u8>), usize>,
    facts: Vec<drift::Fact>,
    edges: Vec<(RecordId, String, Vec<RecordId>)>,
    items: Vec<Item>,
}

impl<'s, 'p> Fold<'s, 'p> {
    fn new(scopes: &'s [Scope<'p>]) -> Fold<'s, 'p> {
        Fold {
            builders: scopes.iter().map(Scope::builder).collect(),
            overview: Overview::default(),
            open: HashMap::new(),
            facts: Vec::new(),
            edges: Vec::new(),
            items: Vec::new(),
        }
    }

    fn add(&mut self, policy: &Policy, read: Read) {
        for (builder, part) in self.builders.iter_mut().zip(read.parts) {
            builder.add(part);
        }
        let item = read.item;
        let settled = policy
            .machine(item.kind)
            .settled
            .iter()
            .any(|s| s.as_str() == item.status);
        if matches!(item.kind, Kind::Incident | Kind::ServiceRequest) && !settled {
            *self.open.entry((item.kind, item.priority)).or_default() += 1;
            for (clock, breached) in read.clocks {
                if breached {
                    self.overview.breached.push(clock);
                } else {
                    self.overview.at_risk.push(clock);
                }
            }
            if read.major {
                self.overview.majors.push(item.id.clone());
            }
            if let Some(d) = read.crisis {
                self.overview.crisis.push((item.id.clone(), d));
            }
        }
        self.facts.extend(read.drift);
        self.edges.extend(read.edges);
        self.items.push(item);
    }

    fn finish(
        self,
        ws: &Workspace,
        now: Timestamp,
        calendar: Forward,
        history: PathHistory,
        unverified: Option<Unverified>,
    ) -> Site {
        let Fold {
            builders,
            mut overview,
            open,
            facts,
            edges,
            mut items,
        } = self;
        items.sort_by(|a, b| a.id.cmp(&b.id));
        let index = |key: fn(&Item) -> &PathBuf| -> HashMap<PathBuf, u32> {
            items
                .iter()
                .enumerate()
                .map(|(i, it)| (key(it).clone(), i as u32))
                .collect()
        };
        let by_path = index(|it| &it.path);
        let by_id: HashMap<RecordId, u32> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.clone(), i as u32))
            .collect();
        let mut backlinks: HashMap<RecordId, Vec<u32>> = HashMap::new();
        for (i, it) in items.iter().enumerate() {
            for to in &it.links {
                backlinks.entry(to.clone()).or_default().push(i as u32);
            }
        }
        overview.open = open.into_iter().map(|((k, p), n)| (k, p, n)).collect();
        overview.open.sort();
        overview.at_risk.sort_by_key(|c| c.left_seconds);
        overview.breached.sort_by_key(|c| c.left_seconds);
        let drift = Drift::new(ws.policy(), &items, facts, &calendar, now);
        Site {
            generated: Generated {
                at: now,
                head: history.head.clone(),
                dirty: history.dirty,
            },
            pack: ws.policy().title.clone(),
            graph: Graph::new(edges),
            reports: builders.into_iter().map(|b| b.finish()).collect(),
            items,
            by_id,
            by_path,
            backlinks,
            overview,
            drift,
            calendar,
            history,
            unverified,
        }
    }
}

/// What one record adds to the site's shared pages.
fn read(
    policy: &Policy,
    listing: Option<&Listing<'_>>,
    scopes: &[Scope<'_>],
    entry: &Entry,
    now: Timestamp,
) -> Read {
    let r = &entry.record;
    let clocks = listing
        .map(|l| l.rows(r, now))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|row| row.clock)
        .filter(|c| c.at_risk || c.state == ClockState::Breached)
        .map(|c| {
            let breached = c.state == ClockState::Breached;
            (
                Clock {
                    id: r.id().clone(),
                    title: r.common.title.clone(),
                    clock: c.title,
                    due: c.due,
                    left_seconds: c.left_seconds,
                },
                breached,
            )
        })
        .collect();
    let edges = match &r.body {
        Body::ConfigurationItem(ci) => Some((
            r.id().clone(),
            r.common.title.clone(),
            ci.depends_on.clone(),
        )),
        _ => None,
    };
    Read {
        item: item_of(entry),
        clocks,
        major: crate::sla::is_major_incident(policy, r),
        crisis: crate::sla::crisis_outage(policy, r, now),
        drift: drift::Fact::of(policy, r),
        edges,
        parts: scopes.iter().map(|s| s.part(r.clone())).collect(),
    }
}

/// The item of one record.
pub fn item_of(entry: &Entry) -> Item {
    let r = &entry.record;
    let mut links: Vec<RecordId> = r.common.links.all().cloned().collect();
    let service = match &r.body {
        Body::Incident(x) => x.service.clone(),
        _ => None,
    };
    if let Body::ConfigurationItem(ci) = &r.body {
        links.extend(ci.depends_on.iter().cloned());
    }
    links.sort();
    links.dedup();
    Item {
        id: r.id().clone(),
        kind: r.kind(),
        title: r.common.title.clone(),
        status: r.status(),
        priority: r.priority().map(|p| p.get()),
        opened: r.common.opened_at,
        service,
        path: entry.path.clone(),
        links,
    }
}

/// The current quarter and the ones before it, newest first.
fn quarters(now: Timestamp, tz: chrono_tz::Tz) -> Vec<Period> {
    let local = now.with_timezone(&tz);
    let (mut year, mut q) = (local.year(), (local.month() - 1) / 3 + 1);
    let mut out = Vec::new();
    for _ in 0..QUARTERS {
        if let Ok(p) = Period::quarter(&format!("{year}Q{q}")) {
            out.push(p);
        }
        if q == 1 {
            year -= 1;
            q = 4;
        } else {
            q -= 1;
        }
    }
    out
}

/// Every approval in force that does not verify, by file and index;
/// `None` when there is no people registry to verify against.
fn unverified(ws: &Workspace) -> Result<Option<Unverified>> {
    let Some((registry, _)) = crate::people::Registry::read(ws.root())? else {
        return Ok(None);
    };
    let entries = crate::approvals::records_with_approvals(ws, &[]);
    if entries.is_empty() {
        return Ok(Some(HashMap::new()));
    }
    let signed = ws.store().config().approvals.signed;
    let found = match crate::approvals::verify::verify(ws, &registry, &entries, signed) {
        Ok(found) => found,
        // Outside git, or before the first commit: nothing is verified.
        Err(_) => return Ok(None),
    };
    let mut by_file = Unverified::new();
    for u in found {
        by_file
            .entry(u.path)
            .or_default()
            .push((u.index, u.message));
    }
    for list in by_file.values_mut() {
        list.sort();
    }
    Ok(Some(by_file))
}
