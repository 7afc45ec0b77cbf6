//! What the builders of candidates (the generic rows, the ServiceNow event
//! log) share while they map: the policy and date rules they read values
//! with, and the warnings they tally from many threads. Beside the map
//! stage rather than in it, so that the builders it calls do not call back
//! into it.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use super::summary::Warning;
use super::values::DateRules;
use crate::policy::Policy;

/// What the builders read values with.
pub(crate) struct Env<'a> {
    pub policy: &'a Policy,
    pub rules: DateRules,
}

/// Warnings gathered from many threads, each with examples.
#[derive(Default)]
pub(crate) struct Tally(Mutex<BTreeMap<String, Vec<String>>>);

impl Tally {
    pub fn add(&self, message: impl Into<String>, example: impl Into<String>) {
        let example = example.into();
        // A thread that panicked while adding leaves the warnings it had
        // added: keep them rather than lose every later one.
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let list = map.entry(message.into()).or_default();
        if !example.is_empty() && !list.contains(&example) {
            list.push(example);
        }
    }

    pub fn into_warnings(self) -> Vec<Warning> {
        self.0
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .map(|(message, examples)| Warning { message, examples })
            .collect()
    }
}
