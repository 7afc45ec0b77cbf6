//! The statuses of each kind (SPEC §2). Which moves between them are allowed,
//! and on what conditions, is the policy's status machine, not code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! statuses {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every status of the kind, in lifecycle order.
            pub const ALL: &'static [&'static str] = &[$($text),+];

            /// The status as written in a record.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }
    };
}

statuses! {
    /// Statuses of incidents and service requests.
    TicketStatus {
        /// Registered, not yet assigned.
        New => "new",
        /// Assigned to a group or person.
        Assigned => "assigned",
        /// Being worked on.
        InProgress => "in_progress",
        /// Waiting for the customer; SLA clocks pause.
        AwaitingCustomer => "awaiting_customer",
        /// Solved, awaiting confirmation.
        Resolved => "resolved",
        /// Closed.
        Closed => "closed",
    }
}

statuses! {
    /// Statuses of problems.
    ProblemStatus {
        /// Registered.
        New => "new",
        /// Root cause being analysed.
        Analysing => "analysing",
        /// Root cause and workaround known.
        KnownError => "known_error",
        /// Permanently solved.
        Resolved => "resolved",
        /// Closed.
        Closed => "closed",
    }
}

statuses! {
    /// Statuses of changes.
    ChangeStatus {
        /// Being written.
        Draft => "draft",
        /// Submitted for a decision.
        Submitted => "submitted",
        /// Approved.
        Approved => "approved",
        /// Planned into a window.
        Scheduled => "scheduled",
        /// Carried out in production.
        Implemented => "implemented",
        /// Followed up.
        Reviewed => "reviewed",
        /// Closed.
        Closed => "closed",
        /// Refused.
        Rejected => "rejected",
    }
}

statuses! {
    /// Statuses of releases.
    ReleaseStatus {
        /// Planned.
        Planned => "planned",
        /// Approved for testing.
        Approved => "approved",
        /// Being tested.
        Testing => "testing",
        /// In production.
        Deployed => "deployed",
        /// Out of production.
        Retired => "retired",
        /// Will not be released.
        Cancelled => "cancelled",
    }
}

statuses! {
    /// Statuses of configuration items.
    CiStatus {
        /// Planned.
        Planned => "planned",
        /// In use.
        Active => "active",
        /// Out of use.
        Retired => "retired",
    }
}

statuses! {
    /// Statuses of capacity reviews.
    CapacityStatus {
        /// Collecting measurements.
        Open => "open",
        /// Analysed, recommendation given.
        Reviewed => "reviewed",
        /// Closed.
        Closed => "closed",
    }
}
