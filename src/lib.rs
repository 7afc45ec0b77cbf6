//! arende keeps IT service-management records (incidents, problems, changes,
//! releases, configuration items, service requests, capacity reviews) as YAML
//! files in a git repository, and holds them to the rules of an
//! organisation's ITIL agreement, kept as data in a policy pack.
//!
//! This library knows nothing of terminals: the `arende` binary parses
//! arguments, calls in here, and prints.

pub mod actions;
pub mod classify;
pub mod clock;
pub mod config;
pub mod error;
pub mod id;
pub mod kind;
pub mod policy;
pub mod record;
pub mod schema;
pub mod store;
pub mod yaml;

pub use error::{Error, ExitCode, Result};
pub use id::RecordId;
pub use kind::Kind;
