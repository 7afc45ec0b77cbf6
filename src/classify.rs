//! Classification: the values a policy derives from others (SPEC §3), such
//! as an incident's priority from impact × urgency. `new` and `set` classify
//! as they write ([`apply_classification`]), and so does a merge; `arende
//! classify --check` reports stored values that disagree.

use std::path::Path;

use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::record::{
    Body, CapacityReview, FieldChange, Incident, Measurement, Measurements, PatientSafety, Record,
    ReleaseLevel, document,
};
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
        Body::Incident(inc) => {
            out.extend(incident_priority(policy, inc));
            out.extend(referral(policy, inc));
        }
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
            if let Ok(Some(d)) = recommendation(policy, cap) {
                out.push(d);
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

/// Applies the policy's classification to the document: every derived
/// value that differs from the stored one is set. Returns the changes made.
pub fn apply_classification(
    policy: &Policy,
    path: &Path,
    doc: &mut Value,
) -> Result<Vec<FieldChange>> {
    let record = Record::from_doc(path, None, doc)?;
    let mut changes = Vec::new();
    for derived in derive(policy, &record) {
        let map = document::mapping_mut(doc);
        let old = document::get(map, derived.field).cloned();
        if old.as_ref() != Some(&derived.value) {
            document::set(map, derived.field, derived.value.clone()).map_err(|e| {
                Error::field(
                    path,
                    derived.field,
                    e.to_string(),
                    Some(format!(
                        "the pack derives `{}`: make its parent a mapping of fields",
                        derived.field
                    )),
                    None,
                )
            })?;
            changes.push(FieldChange {
                field: derived.field.to_owned(),
                from: old,
                to: Some(derived.value),
            });
        }
    }
    Ok(changes)
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

/// Why a value could not be derived, by field: a measurements file that is
/// missing or malformed. `validate` reports it with the rule on that field.
pub fn problems(policy: &Policy, record: &Record) -> Vec<(&'static str, MeasurementsError)> {
    match &record.body {
        Body::CapacityReview(cap) => match recommendation(policy, cap) {
            Err(e) => vec![("recommendation", e)],
            Ok(_) => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// 001: a slutkund's report without local troubleshooting may be referred to
/// its agent; the verdict is part of the record, not a refusal to register.
fn referral(policy: &Policy, inc: &Incident) -> Option<Derived> {
    let rule = policy.referral.as_ref()?;
    let party = inc.reporter.as_ref()?.party.as_deref()?;
    if party != rule.party {
        return None;
    }
    let refer = inc.local_troubleshooting != Some(true);
    Some(Derived {
        field: "refer_to_agent",
        value: Value::Bool(refer),
        reason: if refer {
            format!(
                "a {party} report without local troubleshooting may be referred to the agent ({})",
                rule.clause
            )
        } else {
            format!("local troubleshooting was done; the {party} report stands")
        },
    })
}

/// Why a capacity review's measurements file gives no recommendation.
#[derive(Debug, thiserror::Error)]
pub enum MeasurementsError {
    /// A path outside the repository.
    #[error("measurements file {file}: give a path inside the repository, relative to its root")]
    Outside {
        /// The path as written.
        file: String,
    },
    /// A file that cannot be read.
    #[error("measurements file {file} cannot be read: {source}")]
    Unreadable {
        /// The path as written.
        file: String,
        /// Why it cannot.
        source: Box<crate::error::Error>,
    },
    /// A file with no lines.
    #[error("measurements file {file} is empty")]
    Empty {
        /// The path as written.
        file: String,
    },
    /// A header without the time column.
    #[error("measurements file {file}: no `at` column")]
    NoTime {
        /// The path as written.
        file: String,
    },
    /// A header without a column of use.
    #[error("measurements file {file}: no cpu, memory or disk column")]
    NoUse {
        /// The path as written.
        file: String,
    },
    /// More rows than a year of minute samples.
    #[error("measurements file {file}: more than {MAX_CSV_ROWS} rows")]
    TooLong {
        /// The path as written.
        file: String,
    },
    /// A row whose time is no RFC 3339 time.
    #[error("measurements file {file}, row {row}: `{text}` is not an RFC 3339 time ({source})")]
    Time {
        /// The path as written.
        file: String,
        /// The row's number, the header being row 1.
        row: usize,
        /// The cell as written.
        text: String,
        /// What chrono said.
        source: chrono::ParseError,
    },
    /// A row whose use is no number.
    #[error("measurements file {file}, row {row}: {column} `{text}` is not a number")]
    Number {
        /// The path as written.
        file: String,
        /// The row's number, the header being row 1.
        row: usize,
        /// `cpu`, `memory` or `disk`.
        column: &'static str,
        /// The cell as written.
        text: String,
    },
}

/// The most measurements a CSV file may hold: a year of minute samples.
const MAX_CSV_ROWS: usize = 366 * 24 * 60;

/// 000 §3.7: the recommendation from the peak use against the thresholds.
/// A recommendation with a reason is a person's judgement and stands
/// (*vid behov ges en rekommendation*).
fn recommendation(
    policy: &Policy,
    cap: &CapacityReview,
) -> Result<Option<Derived>, MeasurementsError> {
    if cap
        .recommendation_reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty())
    {
        return Ok(None);
    }
    let (Some(measurements), Some(t)) = (&cap.measurements, &cap.thresholds) else {
        return Ok(None);
    };
    let read;
    let (ms, source): (&[Measurement], String) = match measurements {
        Measurements::Inline(ms) => (ms, "the measurements".into()),
        Measurements::File(path) => {
            read = read_csv(policy, path)?;
            (&read, path.clone())
        }
    };
    if ms.is_empty() {
        return Ok(None);
    }
    let peak = ms
        .iter()
        .flat_map(|m| [m.cpu, m.memory, m.disk])
        .flatten()
        .fold(f64::NEG_INFINITY, f64::max);
    if !peak.is_finite() {
        return Ok(None);
    }
    let rec = if t.upgrade_above.is_some_and(|u| peak > u) {
        "upgrade"
    } else if t.downgrade_below.is_some_and(|d| peak < d) {
        "downgrade"
    } else {
        "keep"
    };
    Ok(Some(Derived {
        field: "recommendation",
        value: Value::String(rec.into()),
        reason: format!("peak use {peak:.1} % in {source} against the thresholds gives `{rec}`"),
    }))
}

/// Measurements from a CSV file relative to the repository: a header naming
/// `at` and any of `cpu`, `memory`, `disk`, then one row per measurement.
fn read_csv(policy: &Policy, rel: &str) -> Result<Vec<Measurement>, MeasurementsError> {
    let file = || rel.to_owned();
    let rel_path = std::path::Path::new(rel);
    if rel_path.is_absolute()
        || rel_path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(MeasurementsError::Outside { file: file() });
    }
    let root = policy.root.as_deref().unwrap_or(std::path::Path::new("."));
    let path = root.join(rel_path);
    let text = crate::fs::read_text(&path, crate::yaml::MAX_RECORD_BYTES * 16).map_err(|e| {
        MeasurementsError::Unreadable {
            file: file(),
            source: Box::new(e),
        }
    })?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| MeasurementsError::Empty { file: file() })?
        .split(',')
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let at = col("at").ok_or_else(|| MeasurementsError::NoTime { file: file() })?;
    let (cpu, memory, disk) = (col("cpu"), col("memory"), col("disk"));
    if cpu.is_none() && memory.is_none() && disk.is_none() {
        return Err(MeasurementsError::NoUse { file: file() });
    }
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        if out.len() >= MAX_CSV_ROWS {
            return Err(MeasurementsError::TooLong { file: file() });
        }
        let row = i + 2;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c).copied());
        // A short row has an empty time, which is refused like any other.
        let when = cell(Some(at)).unwrap_or_default();
        let when = chrono::DateTime::parse_from_rfc3339(when).map_err(|source| {
            MeasurementsError::Time {
                file: file(),
                row,
                text: when.to_owned(),
                source,
            }
        })?;
        let number =
            |c: Option<usize>, column: &'static str| match cell(c).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(Some)
                    .ok_or_else(|| MeasurementsError::Number {
                        file: file(),
                        row,
                        column,
                        text: v.to_owned(),
                    }),
            };
        out.push(Measurement {
            at: when,
            cpu: number(cpu, "cpu")?,
            memory: number(memory, "memory")?,
            disk: number(disk, "disk")?,
        });
    }
    Ok(out)
}
