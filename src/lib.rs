//! arende keeps IT service-management records (incidents, problems, changes,
//! releases, configuration items, service requests, capacity reviews) as YAML
//! files in a git repository, and holds them to the rules of an
//! organisation's ITIL agreement, kept as data in a policy pack.
//!
//! This library knows nothing of terminals: the `arende` binary parses
//! arguments, calls in here, and prints.

// Errors carry the text of the file they point into, for source spans; they
// are returned once per command, so their size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod actions;
pub mod approvals;
pub mod audit;
pub mod calendar;
pub mod classify;
pub mod clock;
pub mod config;
pub mod editor;
pub mod error;
pub mod exchange;
pub mod fs;
pub mod id;
pub mod impact;
pub mod import;
pub mod kind;
pub mod listing;
pub mod merge;
pub mod people;
pub mod policy;
pub mod record;
pub mod render;
pub mod report;
pub mod review;
pub mod schedule;
pub mod schema;
pub mod site;
pub mod sla;
pub mod store;
pub mod suggest;
pub mod time;
pub mod validate;
pub mod workspace;
pub mod yaml;

pub use error::{Error, Result};
pub use id::RecordId;
pub use kind::Kind;
