//! Classification: the values a policy derives from others (SPEC §3), such
//! as an incident's priority from impact × urgency. `new` and `set` classify
//! as they write; `arende classify --check` reports stored values that
//! disagree.

use crate::policy::Policy;
use crate::record::{Body, Incident, Measurements, PatientSafety, Record, ReleaseLevel};
use crate::yaml::Value;

/// A value classification sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Dotted field name.
    pub field: &'static str,
    /// The value the policy gives.
    pub value: Value,
    /// Why, in one line (for `--check` and history notes).
    pub reason: String,
}

/// The values the policy derives for `record`. A value already equal to the
/// stored one is included too; callers compare.
pub fn derive(policy: &Policy, record: &Record) -> Vec<Derived> {
    let mut out = Vec::new();
    match &record.body {
        Body::Incident(inc) => out.extend(incident_priority(policy, inc)),
        Body::Release(rel) => {
            if let Some(level) = rel.version.as_deref().and_then(|v| policy.release_level(v)) {
                let name = match level {
                    ReleaseLevel::External => "external",
                    ReleaseLevel::Internal => "internal",
                };
                out.push(Derived {
                    field: "level",
                    value: Value::String(name.into()),
                    reason: format!(
                        "version {} is an {name} release",
                        rel.version.as_deref().unwrap_or_default()
                    ),
                });
            }
        }
        Body::CapacityReview(cap) => {
            if let (Some(Measurements::Inline(ms)), Some(t)) = (&cap.measurements, &cap.thresholds)
                && !ms.is_empty()
            {
                let peak = ms
                    .iter()
                    .flat_map(|m| [m.cpu, m.memory, m.disk])
                    .flatten()
                    .fold(f64::NEG_INFINITY, f64::max);
                let rec = if t.upgrade_above.is_some_and(|u| peak > u) {
                    "upgrade"
                } else if t.downgrade_below.is_some_and(|d| peak < d) {
                    "downgrade"
                } else {
                    "keep"
                };
                out.push(Derived {
                    field: "recommendation",
                    value: Value::String(rec.into()),
                    reason: format!("peak use {peak:.1} % against the thresholds gives `{rec}`"),
                });
            }
        }
        Body::ServiceRequest(_) => {
            if let Some(p) = policy.request_priority {
                out.push(Derived {
                    field: "priority",
                    value: Value::Number(p.into()),
                    reason: format!("a service request has priority {p} under {}", policy.name),
                });
            }
        }
        _ => {}
    }
    out
}

/// An incident's priority: the matrix, raised to the floor patient safety
/// sets. A priority with a reason is a manual override and stands.
fn incident_priority(policy: &Policy, inc: &Incident) -> Option<Derived> {
    if inc
        .priority_reason
        .as_deref()
        .is_some_and(|r| !r.is_empty())
    {
        return None;
    }
    let mut derived = match (inc.impact, inc.urgency) {
        (Some(impact), Some(urgency)) => policy.priority_for(impact, urgency).map(|p| {
            let why = format!(
                "impact {} × urgency {} gives priority {} ({})",
                impact.as_str(),
                urgency.as_str(),
                p.get(),
                policy.matrix.clause
            );
            (p.get(), why)
        }),
        _ => None,
    };
    let safety = inc.patient_safety.map(|s| match s {
        PatientSafety::None => "none",
        PatientSafety::Some => "some",
        PatientSafety::Major => "major",
    });
    if let Some((name, cap)) =
        safety.and_then(|s| policy.patient_safety_priority.get(s).map(|c| (s, *c)))
    {
        let current = derived
            .as_ref()
            .map(|d| d.0)
            .or(inc.priority.map(|p| p.get()));
        if current.is_none_or(|p| p > cap) {
            derived = Some((
                cap,
                format!("patient safety `{name}` means priority {cap} at least"),
            ));
        }
    }
    derived.map(|(p, reason)| Derived {
        field: "priority",
        value: Value::Number(p.into()),
        reason,
    })
}
