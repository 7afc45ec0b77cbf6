//! What `arende sla` lists: the open tickets' clocks at one moment, and the
//! tickets flagged without a clock of their own (major incidents, outages
//! that call for a crisis assessment, tickets the clocks do not cover).

use chrono::Duration;

use super::{ClockState, ClockStatus, clocks, covered, crisis_outage, is_major_incident};
use crate::calendar::BusinessCalendar;
use crate::kind::Kind;
use crate::policy::{Policy, ServiceLevels, Status};
use crate::record::Record;
use crate::time::Timestamp;

/// Why a pack's clocks cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The pack has no service levels: no clock, no calendar.
    #[error("the {pack} policy sets no service levels")]
    NoServiceLevels {
        /// The pack's name.
        pack: String,
    },
}

/// The statuses in which a ticket's clocks are settled, kind by kind: a
/// ticket there is done with, and the listing passes it over undecoded.
#[derive(Debug, Clone)]
pub struct Settled {
    /// For each kind, in the order of [`Kind::ALL`].
    by_kind: [Vec<Status>; Kind::ALL.len()],
}

impl Settled {
    /// The settled statuses of `policy`'s clocks. For a kind some clock runs
    /// for, they are the statuses where every such clock stops, whichever
    /// of them a ticket has. A kind no clock runs for has no stop status to
    /// go by; its tickets are settled where its status machine says
    /// (`settled`: a major incident of a pack without clocks is off the
    /// list once it is resolved).
    pub fn of(policy: &Policy) -> Settled {
        let clocks = policy
            .service_levels
            .as_ref()
            .map_or(&[][..], |l| &l.clocks);
        Settled {
            by_kind: Kind::ALL.map(|kind| {
                let mut running = clocks.iter().filter(|c| c.kinds.contains(&kind));
                match running.next() {
                    Some(first) => first
                        .stops_at
                        .iter()
                        .filter(|s| running.clone().all(|c| c.stops_at.contains(s)))
                        .copied()
                        .collect(),
                    None => policy.machine(kind).settled.clone(),
                }
            }),
        }
    }

    /// Whether a ticket of `kind` in `status` is settled.
    pub fn contains(&self, kind: Kind, status: &str) -> bool {
        Kind::ALL
            .iter()
            .position(|k| *k == kind)
            .is_some_and(|i| self.by_kind[i].iter().any(|s| *s == status))
    }
}

/// One line of the listing: a ticket's clock, or a flagged ticket without one.
#[derive(Debug, Clone)]
pub struct Row<'r> {
    /// The ticket.
    pub record: &'r Record,
    /// The clock, if the line is one.
    pub clock: Option<ClockStatus>,
    /// The ticket is a major incident.
    pub major: bool,
    /// The outage the ticket's crisis assessment is due for, if one is.
    pub crisis: Option<Duration>,
    /// The response times apply to the ticket at all ([`covered`]).
    pub covered: bool,
}

/// The listing of a pack's clocks.
#[derive(Debug)]
pub struct Listing<'p> {
    policy: &'p Policy,
    levels: &'p ServiceLevels,
    calendar: &'p BusinessCalendar,
    settled: Settled,
    breached_only: bool,
}

impl<'p> Listing<'p> {
    /// The listing of `policy`'s clocks; with `breached_only`, of the
    /// clocks past their target alone.
    pub fn new(policy: &'p Policy, breached_only: bool) -> Result<Listing<'p>, ListingError> {
        let (Some(levels), Some(calendar)) = (&policy.service_levels, policy.calendar()) else {
            return Err(ListingError::NoServiceLevels {
                pack: policy.name.clone(),
            });
        };
        Ok(Listing {
            policy,
            levels,
            calendar,
            settled: Settled::of(policy),
            breached_only,
        })
    }

    /// Whether a ticket of `kind` in `status` is done with: none of its
    /// lines would show. The store's filter asks it before decoding.
    pub fn settled(&self, kind: Kind, status: &str) -> bool {
        self.settled.contains(kind, status)
    }

    /// The lines of one record at `at`: each clock that shows, with its
    /// flags, or one line for a flagged ticket that has no clock.
    pub fn rows<'r>(&self, record: &'r Record, at: Timestamp) -> Vec<Row<'r>> {
        if self.settled(record.kind(), record.status()) || record.common.opened_at > at {
            return Vec::new();
        }
        let major = is_major_incident(self.policy, record);
        let crisis = crisis_outage(self.policy, record, at);
        let ticket_clocks = clocks(self.policy, self.calendar, record, at);
        let covered = covered(self.policy, record);
        let row = |clock| Row {
            record,
            clock,
            major,
            crisis,
            covered,
        };
        if ticket_clocks.is_empty() {
            // Flagged tickets show even without a clock of their own.
            let flagged = major || crisis.is_some() || (!covered && self.has_clock(record));
            return if flagged && !self.breached_only {
                vec![row(None)]
            } else {
                Vec::new()
            };
        }
        ticket_clocks
            .into_iter()
            .filter(|c| !self.breached_only || c.state == ClockState::Breached)
            .map(|c| row(Some(c)))
            .collect()
    }

    /// Whether a clock of the pack runs for the record's kind and priority.
    fn has_clock(&self, record: &Record) -> bool {
        record.priority().is_some_and(|p| {
            self.levels
                .clocks
                .iter()
                .any(|c| c.kinds.contains(&record.kind()) && c.priorities.contains(&p.get()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_is_settled_where_every_clock_of_its_kind_stops() {
        let ehm = Policy::load("ehm", None).expect("pack");
        let settled = Settled::of(&ehm);
        // Troubleshooting stops at in_progress too, feedback only later.
        for kind in [Kind::Incident, Kind::ServiceRequest] {
            assert!(settled.contains(kind, "resolved"));
            assert!(settled.contains(kind, "closed"));
            assert!(!settled.contains(kind, "in_progress"));
            assert!(!settled.contains(kind, "awaiting_customer"));
        }
    }

    #[test]
    fn without_a_clock_a_ticket_is_settled_where_its_machine_says() {
        let inera = Policy::load("inera", None).expect("pack");
        let settled = Settled::of(&inera);
        assert!(settled.contains(Kind::Incident, "closed"));
        assert!(settled.contains(Kind::Incident, "resolved"));
        assert!(!settled.contains(Kind::Incident, "in_progress"));
        assert!(settled.contains(Kind::Change, "closed"));
        assert!(!settled.contains(Kind::Change, "reviewed"));
    }
}
