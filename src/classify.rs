//! Classification: the values a policy derives from others (SPEC §3), such
//! as an incident's priority from impact × urgency. `new` and `set` classify
//! as they write; `arende classify --check` reports stored values that
//! disagree.

use crate::policy::Policy;
use crate::record::{Body, Record};
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
            // A priority with a reason is a manual override and stands.
            if inc.priority_reason.as_deref().is_none_or(str::is_empty)
                && let (Some(impact), Some(urgency)) = (inc.impact, inc.urgency)
                && let Some(p) = policy.priority_for(impact, urgency)
            {
                out.push(Derived {
                    field: "priority",
                    value: Value::Number(p.get().into()),
                    reason: format!(
                        "impact {} × urgency {} gives priority {} ({})",
                        impact.as_str(),
                        urgency.as_str(),
                        p.get(),
                        policy.matrix.clause
                    ),
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
