//! The people registry, `policy/people.yaml`: who acts for the parties of a
//! pack. Each person has a handle and a name, the e-mail addresses they
//! commit with, the keys they sign commits with, the parties they act for
//! and the teams (assignment groups) they belong to; each team belongs to
//! one party.
//!
//! The registry is what lets an approval name the person who decided and
//! be checked against the commit that made it: a commit's author is a
//! person by their e-mail address, its signature by their key. It is data
//! a person edits, so it is read as a record is and checked as a whole:
//! [`Registry::faults`] lists every unknown party or team, duplicated
//! identity and malformed key, each at its place in the file.

mod key;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use key::{KeyError, SigningKey};

use crate::error::{Error, FileSpan, Result};
use crate::fs;
use crate::policy::Policy;
use crate::yaml::{self, Value};

/// Where the registry is, relative to the repository root.
pub const PEOPLE_FILE: &str = "policy/people.yaml";

/// The JSON Schema of the registry's file, for editors.
pub fn json_schema() -> serde_json::Value {
    let mut value = schemars::schema_for!(Registry).to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://arende.dev/schemas/people.schema.json".into(),
        );
    }
    value
}

/// The registry as its file holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "arende people registry")]
pub struct Registry {
    /// The people who act for the parties.
    #[serde(default)]
    pub people: Vec<Person>,
    /// The teams (assignment groups), each of one party.
    #[serde(default)]
    pub teams: Vec<Team>,
}

/// One person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// A short, stable name (`eva.ek`): lowercase letters, digits, `.`,
    /// `_` and `-`. Approvals and assignments name the person by it.
    pub handle: String,
    /// The name people know them by.
    pub name: String,
    /// The e-mail addresses of their git identities: a commit whose author
    /// has one of them is theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// The keys they sign commits with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<SigningKey>,
    /// The parties of the pack they act for (`staden`, `leverantor`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<String>,
    /// The teams they belong to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
}

/// A team (assignment group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// A short, stable name (`servicedesk-1`), as `handle` is written.
    pub id: String,
    /// The team's name.
    pub name: String,
    /// The party the team works for.
    pub party: String,
}

/// One thing wrong in the registry, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The field, as a path into the file (`people[2].keys[0]`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to put it right.
    pub help: String,
}

impl Registry {
    /// Reads the registry of the repository at `root`; `None` when it has
    /// none. A file that is not YAML or not of the registry's shape is an
    /// error naming it; the content's faults are [`Registry::faults`].
    pub fn read(root: &Path) -> Result<Option<(Registry, String)>> {
        let path = root.join(PEOPLE_FILE);
        match path.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            _ => {}
        }
        fs::check_folders(root, Path::new(PEOPLE_FILE))?;
        let rel = PathBuf::from(PEOPLE_FILE);
        let text = fs::read_text_as(&path, &rel, yaml::MAX_RECORD_BYTES)?;
        let doc = yaml::parse_mapping(&rel, &text)?;
        let registry = yaml::from_value::<Registry>(&Value::Mapping(doc)).map_err(|e| {
            Error::field(
                rel.clone(),
                "people",
                e.to_string(),
                Some(format!(
                    "{PEOPLE_FILE} holds `people:` (handle, name, emails, keys, parties, teams) and `teams:` (id, name, party); `arende schema people` prints its schema"
                )),
                None,
            )
        })?;
        Ok(Some((registry, text)))
    }

    /// The person with this handle.
    pub fn person(&self, handle: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.handle == handle)
    }

    /// The person whose git identity has this e-mail address (compared
    /// without regard to case, as mail systems do).
    pub fn by_email(&self, email: &str) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }

    /// The people who act for `party`.
    pub fn members<'a>(&'a self, party: &'a str) -> impl Iterator<Item = &'a Person> {
        self.people.iter().filter(move |p| self.acts_for(p, party))
    }

    /// Whether `person` acts for `party`: it is among their parties, or a
    /// team of theirs works for it.
    pub fn acts_for(&self, person: &Person, party: &str) -> bool {
        person.parties.iter().any(|p| p == party)
            || person
                .teams
                .iter()
                .any(|t| self.team(t).is_some_and(|t| t.party == party))
    }

    /// The parties `person` acts for: their own first, then their teams'.
    pub fn parties_of(&self, person: &Person) -> Vec<String> {
        let mut parties = person.parties.clone();
        for team in person.teams.iter().filter_map(|t| self.team(t)) {
            if !parties.contains(&team.party) {
                parties.push(team.party.clone());
            }
        }
        parties
    }

    /// The team with this ID.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }

    /// The person `text` names: their handle, name or e-mail address, in any
    /// case and with or without accents (`Åsa Öberg` = `asa oberg`).
    pub fn find_person(&self, text: &str) -> std::result::Result<&Person, Unknown> {
        let want = crate::policy::fold(text);
        let exact = self.people.iter().find(|p| {
            crate::policy::fold(&p.handle) == want
                || crate::policy::fold(&p.name) == want
                || p.has_email(text.trim())
        });
        // A first name or the start of a handle will do where only one
        // person has it: people say `åsa`, not `asa.oberg`.
        let partial = || {
            let mut hits = self.people.iter().filter(|p| {
                crate::policy::fold(&p.handle).starts_with(&want)
                    || crate::policy::fold(&p.name).split(' ').any(|w| w == want)
            });
            match (hits.next(), hits.next()) {
                (Some(one), None) if !want.is_empty() => Some(one),
                _ => None,
            }
        };
        exact.or_else(partial).ok_or_else(|| Unknown {
            what: "person",
            given: text.to_owned(),
            known: self.people.iter().map(|p| p.handle.clone()).collect(),
        })
    }

    /// The team `text` names: its ID or name, in any case, with or without
    /// accents.
    pub fn find_team(&self, text: &str) -> std::result::Result<&Team, Unknown> {
        let want = crate::policy::fold(text);
        self.teams
            .iter()
            .find(|t| crate::policy::fold(&t.id) == want || crate::policy::fold(&t.name) == want)
            .ok_or_else(|| Unknown {
                what: "team",
                given: text.to_owned(),
                known: self.teams.iter().map(|t| t.id.clone()).collect(),
            })
    }

    /// What is wrong with a record's assignment under this registry: a
    /// team it does not declare, a person it does not know, or one who is
    /// not of the team. Each as (field, message, help).
    pub fn assignment_faults(
        &self,
        assignment: &crate::record::Assignment,
    ) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        if let Some(g) = assignment
            .group
            .as_deref()
            .filter(|g| self.team(g).is_none())
        {
            let e = Unknown {
                what: "team",
                given: g.to_owned(),
                known: self.teams.iter().map(|t| t.id.clone()).collect(),
            };
            out.push(("assignment.group", e.to_string(), e.help()));
        }
        if let Some(p) = &assignment.person {
            if self.person(p).is_none() {
                let e = Unknown {
                    what: "person",
                    given: p.clone(),
                    known: self.people.iter().map(|x| x.handle.clone()).collect(),
                };
                out.push(("assignment.person", e.to_string(), e.help()));
            } else if let Some(g) = assignment
                .group
                .as_deref()
                .filter(|g| self.team(g).is_some())
                && !self.in_team(p, g)
            {
                out.push((
                    "assignment.person",
                    format!("{p} is not a member of team {g}"),
                    format!("assign the ticket to one of {g}'s members (`arende people`), or add {p} to the team in {PEOPLE_FILE}"),
                ));
            }
        }
        out
    }

    /// Whether the person with handle `person` belongs to team `team`.
    pub fn in_team(&self, person: &str, team: &str) -> bool {
        self.person(person)
            .is_some_and(|p| p.teams.iter().any(|t| t == team))
    }

    /// git's allowed-signers file for the registry's SSH keys: each key
    /// with the e-mail addresses of its person, for `gpg.ssh.allowedSignersFile`.
    pub fn allowed_signers(&self) -> String {
        let mut out = String::new();
        for person in &self.people {
            if person.emails.is_empty() {
                continue;
            }
            for key in &person.keys {
                if let SigningKey::Ssh(text) = key {
                    out.push_str(&format!(
                        "{} namespaces=\"git\" {}\n",
                        person.emails.join(","),
                        key::ssh_key_without_comment(text)
                    ));
                }
            }
        }
        out
    }

    /// Everything wrong in the registry under `policy`: handles and team
    /// IDs malformed or given twice, an e-mail address or a key claimed by
    /// two people, unknown parties and teams, malformed addresses and keys.
    pub fn faults(&self, policy: &Policy) -> Vec<Fault> {
        let mut out = Vec::new();
        let mut team_ids = BTreeSet::new();
        for (i, team) in self.teams.iter().enumerate() {
            let at = format!("teams[{i}]");
            if !is_handle(&team.id) {
                out.push(fault(
                    format!("{at}.id"),
                    format!("`{}` is not a team ID", team.id),
                    "write it in lowercase letters, digits, `.`, `_` and `-`, starting with a letter",
                ));
            } else if !team_ids.insert(team.id.as_str()) {
                out.push(fault(
                    format!("{at}.id"),
                    format!("team `{}` is declared twice", team.id),
                    "keep one declaration of the team, or give the other its own ID",
                ));
            }
            if policy.party(&team.party).is_none() {
                out.push(unknown_party(policy, format!("{at}.party"), &team.party));
            }
        }
        let mut seen = Seen::default();
        for (i, person) in self.people.iter().enumerate() {
            self.person_faults(policy, i, person, &mut seen, &mut out);
        }
        out
    }

    /// The faults of the `i`th person, given the handles, addresses and
    /// keys of those before.
    fn person_faults<'a>(
        &self,
        policy: &Policy,
        i: usize,
        person: &'a Person,
        seen: &mut Seen<'a>,
        out: &mut Vec<Fault>,
    ) {
        let at = format!("people[{i}]");
        if !is_handle(&person.handle) {
            out.push(fault(
                format!("{at}.handle"),
                format!("`{}` is not a handle", person.handle),
                "write it in lowercase letters, digits, `.`, `_` and `-`, starting with a letter (`eva.ek`)",
            ));
        } else if !seen.handles.insert(person.handle.as_str()) {
            out.push(fault(
                format!("{at}.handle"),
                format!("handle `{}` is given to two people", person.handle),
                "give each person a handle of their own",
            ));
        }
        if person.name.trim().is_empty() {
            out.push(fault(
                format!("{at}.name"),
                format!("{} has no name", person.handle),
                "write the name people know them by",
            ));
        }
        for (j, email) in person.emails.iter().enumerate() {
            let field = format!("{at}.emails[{j}]");
            if !is_email(email) {
                out.push(fault(
                    field,
                    format!("`{email}` is not an e-mail address"),
                    "write the address of a git identity of theirs, as `git config user.email` has it",
                ));
            } else if let Some(other) = seen
                .emails
                .insert(email.to_ascii_lowercase(), person.handle.as_str())
            {
                out.push(fault(
                    field,
                    format!("`{email}` is claimed by {other} and by {}", person.handle),
                    "an address is one person's git identity: keep it on the person who commits with it",
                ));
            }
        }
        for (j, key) in person.keys.iter().enumerate() {
            let field = format!("{at}.keys[{j}]");
            match key.check() {
                Err(e) => out.push(fault(field, e.to_string(), e.help())),
                Ok(id) => {
                    if let Some(other) = seen.keys.insert(id, person.handle.as_str()) {
                        out.push(fault(
                            field,
                            format!("this key is claimed by {other} and by {}", person.handle),
                            "a signing key is one person's: remove it from the person it is not",
                        ));
                    }
                }
            }
        }
        for (j, party) in person.parties.iter().enumerate() {
            if policy.party(party).is_none() {
                out.push(unknown_party(policy, format!("{at}.parties[{j}]"), party));
            }
        }
        for (j, team) in person.teams.iter().enumerate() {
            if self.team(team).is_none() {
                out.push(fault(
                    format!("{at}.teams[{j}]"),
                    format!("team `{team}` is not declared under `teams:`"),
                    "declare the team (id, name, party) under `teams:`, or correct its name",
                ));
            }
        }
    }

    /// The first fault of the registry as an error naming the file and the
    /// field, with a span into `text` where the field is found.
    pub fn check(&self, policy: &Policy, text: &str) -> Result<()> {
        match self.faults(policy).into_iter().next() {
            None => Ok(()),
            Some(f) => Err(f.into_error(text)),
        }
    }
}

impl Person {
    /// Whether `email` is one of their git identities.
    pub fn has_email(&self, email: &str) -> bool {
        self.emails.iter().any(|e| e.eq_ignore_ascii_case(email))
    }

    /// Whether the OpenPGP key with this fingerprint is one of theirs.
    pub fn has_fingerprint(&self, fingerprint: &str) -> bool {
        let want: String = fingerprint
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        self.keys.iter().any(|k| match k {
            SigningKey::Openpgp(fp) => {
                fp.chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_uppercase()
                    == want
            }
            SigningKey::Ssh(_) => false,
        })
    }
}

impl Fault {
    /// The fault as the error of the registry file, with a span into its
    /// `text` where the field is found.
    pub fn into_error(self, text: &str) -> Error {
        let at = locate(text, &self.field)
            .map(|(line, column)| FileSpan::at(Path::new(PEOPLE_FILE), text, line, column, 1));
        Error::field(PEOPLE_FILE, self.field, self.message, Some(self.help), at)
    }
}

/// A person or team the registry does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {what} `{given}` in {PEOPLE_FILE}")]
pub struct Unknown {
    /// `person` or `team`.
    pub what: &'static str,
    /// What was asked for.
    pub given: String,
    /// The handles or team IDs there are.
    pub known: Vec<String>,
}

impl Unknown {
    /// The nearest name and the names there are.
    pub fn help(&self) -> String {
        let near = crate::suggest::did_you_mean(&self.given, self.known.iter().map(String::as_str));
        if self.known.is_empty() {
            format!(
                "{PEOPLE_FILE} declares no {}; add one (`arende schema people` prints the file's shape)",
                self.what
            )
        } else {
            format!(
                "{near}the {} are: {}",
                plural(self.what),
                self.known.join(", ")
            )
        }
    }
}

/// `people` or `teams`.
fn plural(what: &str) -> &str {
    match what {
        "person" => "people",
        _ => "teams",
    }
}

/// What the people before one in the file hold: their handles, and who
/// has each address and key.
#[derive(Default)]
struct Seen<'a> {
    handles: BTreeSet<&'a str>,
    emails: BTreeMap<String, &'a str>,
    keys: BTreeMap<String, &'a str>,
}

/// A party the pack does not have, named at `field`.
fn unknown_party(policy: &Policy, field: String, party: &str) -> Fault {
    let parties: Vec<&str> = policy.parties.iter().map(|p| p.id.as_str()).collect();
    fault(
        field,
        format!("`{party}` is not a party of the {} policy", policy.name),
        &format!("give one of the pack's parties: {}", parties.join(", ")),
    )
}

fn fault(field: String, message: String, help: &str) -> Fault {
    Fault {
        field,
        message,
        help: help.to_owned(),
    }
}

/// Where the field `people[2].keys[0]` is in the registry's text: the key
/// of the innermost named field under the entry, found by the YAML module.
fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    let parts: Vec<&str> = field.split('.').collect();
    yaml::locate_key(text, &parts)
}

/// A handle or team ID: a lowercase letter, then lowercase letters, digits,
/// `.`, `_` and `-`.
fn is_handle(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// An address with one `@`, something on each side, and no spaces or
/// angle brackets (a git identity's address, not a display form).
fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None) if !local.is_empty() && !domain.is_empty()
    ) && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
}
