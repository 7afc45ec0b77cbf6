//! An exchange profile: which kinds of record, and which of their fields,
//! cross to or from a partner. Identifiers always cross (`external`, and
//! the ticket numbers they give); history, approvals, links, assignment,
//! priority and status never do as fields: a partner classifies and works
//! a record under its own agreement, and `sync` carries what it did as
//! events.

use crate::config::Crossing;
use crate::kind::Kind;
use crate::record::document;
use crate::yaml::Mapping;

/// The kinds that cross when a profile names none: the seeds' exchanges are
/// of incidents (001 *felanmälan*, 002 task 8) and changes (001 *ska anmäla
/// ändringar*).
const DEFAULT_KINDS: [Kind; 2] = [Kind::Incident, Kind::Change];

/// The fields of an incident that cross when a profile names none: what a
/// receiving desk needs to register and classify it (000 §3.2: art,
/// omfattning, beräknad åtgärdstid).
const INCIDENT_FIELDS: &[&str] = &[
    "title",
    "description",
    "service",
    "service_class",
    "impact",
    "urgency",
    "reported_via",
    "outage",
    "estimated_resolution",
    "patient_safety",
    "local_troubleshooting",
    "workaround",
    "resolution",
    "reporter.organisation",
];

/// The fields of a change that cross when a profile names none.
const CHANGE_FIELDS: &[&str] = &[
    "title",
    "description",
    "change_type",
    "category",
    "fault_class",
    "service_window",
    "interfaces",
    "risk",
    "consequence_analysis",
    "backout_plan",
    "requires_agreement_change",
];

/// Fields that name a person: they cross only where a profile says
/// `names: true`.
const NAME_FIELDS: &[&str] = &[
    "reporter.name",
    "major_incident_manager",
    "verified.by",
    "test.approved_by",
];

/// Fields that never cross, whatever a profile lists: the receiver's own
/// bookkeeping, or what its agreement derives.
const NEVER: &[&str] = &[
    "id",
    "kind",
    "status",
    "history",
    "approvals",
    "links",
    "assignment",
    "priority",
    "priority_reason",
    "source",
    "opened_at",
    "external",
    "tickets",
    "reporter.party",
    "refer_to_agent",
];

/// One direction of a profile, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The kinds that cross.
    pub kinds: Vec<Kind>,
    /// The fields that cross, if the profile names them.
    fields: Vec<String>,
    /// Whether person names cross.
    pub names: bool,
}

impl Default for Profile {
    /// The defaults: incidents and changes, their usual fields, no names.
    fn default() -> Profile {
        Profile {
            kinds: DEFAULT_KINDS.to_vec(),
            fields: Vec::new(),
            names: false,
        }
    }
}

impl Profile {
    /// Reads a profile from `arende.yaml`; the error names what is wrong.
    pub fn read(crossing: &Crossing) -> Result<Profile, String> {
        let mut kinds = Vec::new();
        for name in &crossing.kinds {
            let kind = Kind::parse(name).ok_or_else(|| format!("`{name}` is no kind of record"))?;
            kinds.push(kind);
        }
        if kinds.is_empty() {
            kinds = DEFAULT_KINDS.to_vec();
        }
        for field in &crossing.fields {
            let known = Kind::ALL
                .iter()
                .any(|k| crate::schema::field_shape(*k, field).is_some());
            if !known {
                return Err(format!("`{field}` is no field of any kind of record"));
            }
        }
        Ok(Profile {
            kinds,
            fields: crossing.fields.clone(),
            names: crossing.names,
        })
    }

    /// The profile as `arende.yaml` holds it, every kind and field spelt
    /// out, so a person reads there what crosses.
    pub fn written(&self) -> Crossing {
        let mut fields: Vec<String> = Vec::new();
        for kind in &self.kinds {
            for field in self.fields(*kind) {
                if !fields.iter().any(|f| f == field) {
                    fields.push(field.to_owned());
                }
            }
        }
        Crossing {
            kinds: self.kinds.iter().map(|k| k.name().to_owned()).collect(),
            fields,
            names: self.names,
        }
    }

    /// Whether records of `kind` cross.
    pub fn takes(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The fields of `kind` that cross.
    pub fn fields(&self, kind: Kind) -> Vec<&str> {
        let listed: Vec<&str> = if self.fields.is_empty() {
            match kind {
                Kind::Incident => INCIDENT_FIELDS.to_vec(),
                Kind::Change => CHANGE_FIELDS.to_vec(),
                _ => vec!["title", "description"],
            }
        } else {
            self.fields.iter().map(String::as_str).collect()
        };
        let mut out: Vec<&str> = listed
            .into_iter()
            .filter(|f| !NEVER.iter().any(|n| covers(n, f)))
            .collect();
        if self.names {
            out.extend(NAME_FIELDS);
        }
        out
    }

    /// The part of `doc` (a record of `kind`) that crosses: each field the
    /// profile lets through, and nothing under it that names a person
    /// unless the profile lets names cross.
    pub fn cut(&self, kind: Kind, doc: &Mapping) -> Mapping {
        let mut out = Mapping::new();
        for field in self.fields(kind) {
            if let Some(value) = document::get(doc, field) {
                // Paths come from a record's own mapping; setting one on a
                // fresh mapping cannot meet a scalar in the way.
                let _ = document::set(&mut out, field, value.clone());
            }
        }
        if !self.names {
            for field in NAME_FIELDS {
                document::remove(&mut out, field);
            }
        }
        out
    }
}

/// Whether `outer` is `field` or a field above it.
fn covers(outer: &str, field: &str) -> bool {
    field == outer
        || field
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> Mapping {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn the_default_profile_keeps_names_and_bookkeeping_home() {
        let profile = Profile::read(&Crossing::default()).unwrap();
        let doc = map(
            "title: T\nimpact: high\npriority: 1\nreporter: {party: agent, organisation: Region, name: Anna Svensson}\nassignment: {group: desk, person: anna}\nmajor_incident_manager: Bo\nhistory: []\n",
        );
        let out = profile.cut(Kind::Incident, &doc);
        assert_eq!(
            out,
            map("title: T\nimpact: high\nreporter: {organisation: Region}\n")
        );
        let named = Profile::read(&Crossing {
            names: true,
            ..Crossing::default()
        })
        .unwrap();
        let out = named.cut(Kind::Incident, &doc);
        assert_eq!(
            document::get(&out, "reporter.name"),
            doc.get("reporter").and_then(|r| r.get("name"))
        );
        assert!(out.get("assignment").is_none() && out.get("priority").is_none());
    }

    #[test]
    fn a_profile_names_only_real_kinds_and_fields() {
        let bad = Crossing {
            kinds: vec!["ticket".into()],
            ..Crossing::default()
        };
        assert!(Profile::read(&bad).unwrap_err().contains("ticket"));
        let bad = Crossing {
            fields: vec!["titel".into()],
            ..Crossing::default()
        };
        assert!(Profile::read(&bad).unwrap_err().contains("titel"));
        let listed = Crossing {
            fields: vec!["title".into(), "history".into()],
            ..Crossing::default()
        };
        let profile = Profile::read(&listed).unwrap();
        assert_eq!(profile.fields(Kind::Incident), vec!["title"]);
    }
}
