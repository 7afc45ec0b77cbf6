//! *Driftinformation*: each service's state for the public, derived from
//! the open incidents with an outage or a major incident, the planned
//! service windows, and the coming releases — holding only what the pack's
//! [`Publication`] lets out. No person's name, no e-mail address and no
//! internal note is ever read into it: the public page cannot show what it
//! was never given.

use std::collections::{BTreeMap, HashMap};

use crate::id::RecordId;
use crate::impact::CiGraph;
use crate::kind::Kind;
use crate::policy::{Policy, Publication};
use crate::record::{Body, CiType, Record};
use crate::time::Timestamp;
use crate::validate::forward::Forward;

use super::Item;

/// What one record can add to the public page, read from it whole.
#[derive(Debug, Clone)]
pub enum Fact {
    /// An incident with an outage or that may be a major one.
    Incident(Box<Disruption>, Kind, &'static str),
    /// A configuration item that is a service (by its title).
    Service(RecordId, String),
    /// A release, with its planned time.
    Release(Box<ComingRelease>),
}

/// A disruption of a service, as the public may read it.
#[derive(Debug, Clone)]
pub struct Disruption {
    /// The incident (never shown: it names no one, and it lets a
    /// page that is not public link to it).
    pub id: RecordId,
    /// The service, if the pack lets it be shown.
    pub service: Option<String>,
    /// Since when it has been down.
    pub since: Option<Timestamp>,
    /// How far it reaches.
    pub extent: Option<String>,
    /// When it is expected to be fixed.
    pub estimated: Option<Timestamp>,
    /// The latest reply to the customer, and when.
    pub reply: Option<(Timestamp, String)>,
    /// The service is down (not only a major incident without an outage).
    pub down: bool,
    /// A planned interruption (`outage.planned`), shown as a window.
    pub planned: Option<(Timestamp, Option<Timestamp>)>,
}

/// A coming release.
#[derive(Debug, Clone)]
pub struct ComingRelease {
    /// The release.
    pub id: RecordId,
    /// Its version.
    pub version: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// When it is planned.
    pub planned_at: Option<Timestamp>,
    /// Its release notes.
    pub notes: Option<String>,
    status: &'static str,
}

/// A planned service window.
#[derive(Debug, Clone)]
pub struct PublicWindow {
    /// The change or incident it comes from (not shown on the public page).
    pub id: RecordId,
    /// What is done, if the pack lets the change's title out.
    pub title: Option<String>,
    /// The services affected.
    pub services: Vec<String>,
    /// When it starts.
    pub start: Timestamp,
    /// When it ends (unknown for a planned outage without an end).
    pub end: Option<Timestamp>,
}

/// The public page's facts.
#[derive(Debug, Default)]
pub struct Drift {
    /// Every known service, each with its disruptions (none: in order).
    pub services: BTreeMap<String, Vec<Disruption>>,
    /// Disruptions whose service the pack does not let out, or none is named.
    pub unnamed: Vec<Disruption>,
    /// Planned windows that have not ended, by start.
    pub windows: Vec<PublicWindow>,
    /// Releases planned from now on, by time.
    pub releases: Vec<ComingRelease>,
    /// The clause the publication rests on, if the pack has one.
    pub clause: Option<String>,
}

impl Fact {
    /// What `r` adds to the public page, if anything.
    pub fn of(policy: &Policy, r: &Record) -> Option<Fact> {
        match &r.body {
            Body::Incident(x) => {
                let outage = x.outage.as_ref();
                let down =
                    outage.is_some_and(|o| o.start.is_some() && o.end.is_none() && !o.planned);
                let planned = outage
                    .filter(|o| o.planned)
                    .and_then(|o| o.start.map(|s| (s, o.end)));
                let major = crate::sla::is_major_incident(policy, r);
                if !down && !major && planned.is_none() {
                    return None;
                }
                let reply = r
                    .common
                    .history
                    .iter()
                    .rev()
                    .find(|e| e.is_reply())
                    .and_then(|e| e.note.clone().map(|n| (e.at, n)));
                Some(Fact::Incident(
                    Box::new(Disruption {
                        id: r.id().clone(),
                        service: x.service.clone(),
                        since: outage.and_then(|o| o.start),
                        extent: outage.and_then(|o| o.extent.clone()),
                        estimated: x.estimated_resolution,
                        reply,
                        down,
                        planned,
                    }),
                    r.kind(),
                    r.status(),
                ))
            }
            Body::ConfigurationItem(ci) if ci.ci_type == Some(CiType::Service) => {
                Some(Fact::Service(r.id().clone(), r.common.title.clone()))
            }
            Body::Release(rel) => Some(Fact::Release(Box::new(ComingRelease {
                id: r.id().clone(),
                version: rel.version.clone(),
                title: Some(r.common.title.clone()),
                planned_at: rel.planned_at,
                notes: rel.release_notes.clone(),
                status: r.status(),
            }))),
            _ => None,
        }
    }
}

/// The fields a pack without a `publication` section lets out: the state
/// of a service and the times, nothing a person wrote.
fn default_publication() -> Publication {
    Publication {
        clause: String::new(),
        incident: [
            "service",
            "outage.start",
            "outage.end",
            "estimated_resolution",
        ]
        .map(String::from)
        .to_vec(),
        change: vec!["service_window".into()],
        release: ["version", "planned_at"].map(String::from).to_vec(),
        replies: false,
    }
}

impl Drift {
    /// The public page of the records read, at `now`.
    pub fn new(
        policy: &Policy,
        items: &[Item],
        facts: Vec<Fact>,
        calendar: &Forward,
        now: Timestamp,
    ) -> Drift {
        let publication = policy
            .publication
            .clone()
            .unwrap_or_else(default_publication);
        let mut drift = Drift {
            clause: Some(publication.clause.clone()).filter(|c| !c.is_empty()),
            ..Drift::default()
        };
        let mut service_items: HashMap<RecordId, String> = HashMap::new();
        let settled = |kind: Kind, status: &str| {
            policy
                .machine(kind)
                .settled
                .iter()
                .any(|s| s.as_str() == status)
        };
        for fact in facts {
            match fact {
                Fact::Service(id, title) => {
                    drift.services.entry(title.clone()).or_default();
                    service_items.insert(id, title);
                }
                Fact::Incident(d, kind, status) if !settled(kind, status) => {
                    drift.add_incident(&publication, *d, now);
                }
                Fact::Incident(..) => {}
                Fact::Release(r) => {
                    let coming = r.planned_at.is_some_and(|t| t >= now)
                        && !matches!(r.status, "deployed" | "cancelled" | "retired");
                    if coming {
                        drift.releases.push(public_release(&publication, *r));
                    }
                }
            }
        }
        drift.add_changes(&publication, items, &service_items, calendar, now);
        drift.windows.sort_by_key(|w| w.start);
        drift.releases.sort_by_key(|r| r.planned_at);
        drift
    }

    fn add_incident(&mut self, publication: &Publication, d: Disruption, now: Timestamp) {
        let shows = |f: &str| publication.shows(Kind::Incident, f);
        let service = d.service.clone().filter(|_| shows("service"));
        if let Some((start, end)) = d.planned {
            if end.is_none_or(|e| e > now) && shows("outage.planned") {
                self.windows.push(PublicWindow {
                    id: d.id.clone(),
                    title: None,
                    services: service.iter().cloned().collect(),
                    start,
                    end,
                });
            }
            if !d.down {
                return;
            }
        }
        let public = Disruption {
            service: service.clone(),
            since: d.since.filter(|_| shows("outage.start")),
            extent: d.extent.filter(|_| shows("outage.extent")),
            estimated: d.estimated.filter(|_| shows("estimated_resolution")),
            reply: d.reply.filter(|_| publication.replies),
            ..d
        };
        match service {
            Some(s) => self.services.entry(s).or_default().push(public),
            None => self.unnamed.push(public),
        }
    }

    fn add_changes(
        &mut self,
        publication: &Publication,
        items: &[Item],
        services: &HashMap<RecordId, String>,
        calendar: &Forward,
        now: Timestamp,
    ) {
        if !publication.shows(Kind::Change, "service_window") {
            return;
        }
        let graph = CiGraph::from_edges(
            items
                .iter()
                .filter(|i| i.kind == Kind::ConfigurationItem)
                .map(|i| (i.id.clone(), i.links.clone())),
        );
        // Which services each item carries: one walk down from each service
        // (services are few), not one walk up from each change's items.
        let mut carried: HashMap<RecordId, Vec<String>> = HashMap::new();
        for (service, name) in services {
            let below = graph
                .dependencies(service, None)
                .into_iter()
                .map(|(id, _)| id);
            for id in std::iter::once(service.clone()).chain(below) {
                carried.entry(id).or_default().push(name.clone());
            }
        }
        for change in &calendar.changes {
            let holds = matches!(change.status.as_str(), "approved" | "scheduled");
            if !holds || change.end <= now {
                continue;
            }
            let mut affected: Vec<String> = Vec::new();
            for item in &change.items {
                affected.extend(carried.get(item).into_iter().flatten().cloned());
            }
            affected.sort();
            affected.dedup();
            self.windows.push(PublicWindow {
                id: change.id.clone(),
                title: Some(change.title.clone())
                    .filter(|_| publication.shows(Kind::Change, "title")),
                services: affected,
                start: change.start,
                end: Some(change.end),
            });
        }
    }
}

fn public_release(publication: &Publication, r: ComingRelease) -> ComingRelease {
    let shows = |f: &str| publication.shows(Kind::Release, f);
    ComingRelease {
        version: r.version.filter(|_| shows("version")),
        title: r.title.filter(|_| shows("title")),
        planned_at: r.planned_at.filter(|_| shows("planned_at")),
        notes: r.notes.filter(|_| shows("release_notes")),
        ..r
    }
}
