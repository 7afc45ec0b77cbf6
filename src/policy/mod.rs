//! Policy packs (SPEC §3): the rules of an organisation's agreement as data.
//!
//! A pack is YAML compiled into the binary. Every pack is laid over
//! `base.yaml` (what all three agreements share, such as the status machines
//! of SPEC §2), and a record repository may lay `policy/overrides.yaml` over
//! the result. Layering is a deep merge: mappings merge key by key, anything
//! else is replaced.

pub mod approval;
mod fault;
pub mod rule;
mod status;
pub mod waivers;
pub mod windows;
pub mod words;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use approval::{ApprovalStep, RaciCell, Segregation, StepState};
pub use fault::{NotNamed, PackError};
pub use rule::{Clause, Facts, Predicate, PredicateError, Rule, Severity, Test};
pub use status::{Status, UnknownStatus};

use crate::error::{Error, Result};
use crate::fs;
use crate::kind::Kind;
use crate::record::{Level, Priority};
use crate::yaml::{self, Mapping, Value};

const BASE: &str = include_str!("packs/base.yaml");

/// The packs that ship inside the binary: name and YAML text.
pub const PACKS: &[(&str, &str)] = &[
    ("inera", include_str!("packs/inera.yaml")),
    ("ehm", include_str!("packs/ehm.yaml")),
    ("stockholm", include_str!("packs/stockholm.yaml")),
];

/// Where a repository's own overrides live, relative to its root.
pub const OVERRIDES: &str = "policy/overrides.yaml";

/// The folder of a repository's own policy files, relative to its root.
pub const POLICY_DIR: &str = "policy";

/// A seed document a pack's values come from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDocument {
    /// The file in `seeds/`.
    pub file: String,
    /// Its title, in the original language.
    pub title: String,
}

/// A party of the agreement (*part*): who reports, owns or approves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// The value used in records (`kund`, `staden`, …).
    pub id: String,
    /// The name in the agreement's language.
    pub label: String,
    /// Other names it goes by (`customer` for `kund`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Whether the party can report tickets (`reporter.party`).
    #[serde(default = "yes")]
    pub reports: bool,
    /// Whether the party can approve (`arende approve --by`).
    #[serde(default)]
    pub approves: bool,
    /// The seed clause that names the party.
    pub clause: String,
}

fn yes() -> bool {
    true
}

/// A priority level with its label and definition in the agreement's words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityLevel {
    /// 1–5.
    pub level: u8,
    /// The label (*Kritisk*, *Akut*, …).
    pub label: String,
    /// Other words people write for it (English `critical`, `P1`),
    /// accepted as input like the label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The definition, quoted from the seed.
    pub definition: String,
    /// The seed clause.
    pub clause: String,
}

/// A problem class (*problemklass*) with its label and definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemClass {
    /// 1–4.
    pub class: u8,
    /// The label.
    pub label: String,
    /// Other words people write for it (English `critical`), accepted as
    /// input like the label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The definition, quoted from the seed.
    pub definition: String,
    /// The seed clause.
    pub clause: String,
}

/// The impact × urgency matrix that gives an incident its priority.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// Where the matrix comes from, or why it was chosen where the seed is silent.
    pub clause: String,
    /// `cells[impact][urgency]` = priority.
    pub cells: BTreeMap<Level, BTreeMap<Level, Priority>>,
}

impl Matrix {
    /// The priority of an impact and an urgency (every cell is there: the
    /// pack check sees to it).
    pub fn get(&self, impact: Level, urgency: Level) -> Option<Priority> {
        self.cells.get(&impact)?.get(&urgency).copied()
    }
}

/// The allowed moves between a kind's statuses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusMachine {
    /// The status a new record starts in.
    pub initial: Status,
    /// For each status, the statuses it may move to.
    pub transitions: BTreeMap<Status, Vec<Status>>,
    /// The statuses where a record's work is done, for a kind no clock runs
    /// for: `sla` passes its records over there (where clocks run, their
    /// stop statuses say it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settled: Vec<Status>,
}

impl StatusMachine {
    /// The statuses `from` may move to.
    pub fn next(&self, from: &str) -> &[Status] {
        self.transitions.get(from).map_or(&[], Vec::as_slice)
    }

    /// Whether `from → to` is allowed.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        self.next(from).iter().any(|s| *s == to)
    }

    /// The shortest way through the machine from `from` to `to`: the
    /// statuses after `from`, ending with `to`, if there is a way. An
    /// import walks a record there so that its history passes every status
    /// the agreement puts between.
    pub fn way(&self, from: &str, to: &str) -> Option<Vec<String>> {
        let mut previous: HashMap<String, String> = HashMap::new();
        let mut queue = VecDeque::from([from.to_owned()]);
        while let Some(at) = queue.pop_front() {
            if at == to && at != from {
                break;
            }
            for next in self.next(&at) {
                if next != from && !previous.contains_key(next.as_str()) {
                    previous.insert((*next).into(), at.clone());
                    queue.push_back((*next).into());
                }
            }
        }
        let mut path = vec![to.to_owned()];
        let mut at = to;
        while let Some(p) = previous.get(at) {
            if p == from {
                path.reverse();
                return Some(path);
            }
            path.push(p.clone());
            at = p;
        }
        None
    }
}

/// A change category with the agreement's names for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeCategoryLabel {
    /// The value used in records (`standard`, `normal`, `emergency`).
    pub id: String,
    /// The agreement's word (*Akut*, *förhandsgodkänd*, …).
    pub label: String,
    /// What it means, quoted from the seed.
    pub definition: String,
    /// Other words people write for it (`vanlig`, `nödåtgärd`), accepted
    /// as input like the label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The seed clause.
    pub clause: String,
}

/// The release version scheme (seed 003 §3.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseScheme {
    /// A version of an external release (callers must adapt), e.g. `^\d+\.\d+$`.
    pub external: String,
    /// A version of an internal release, e.g. `^\d+\.\d+\.\d+$`.
    pub internal: String,
    /// How many releases may be deployed in production at once.
    pub max_deployed: Option<usize>,
    /// The seed clause.
    pub clause: String,
}

/// When a record of `kind` moves to `status`, every record linked under
/// `links` moves to `then`, unless it is already in one of `done`: one
/// commit, each record checked like any other move.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cascade {
    /// The kind whose move carries the others.
    pub kind: Kind,
    /// The status it moves to.
    pub status: Status,
    /// The `links` key of the records carried along.
    pub links: String,
    /// The status they move to.
    pub then: Status,
    /// Statuses in which a carried record is left as it is.
    #[serde(default)]
    pub done: Vec<Status>,
    /// The seed clause.
    pub clause: String,
}

/// A row of a responsibility table (seed 002: A ansvarar, G godkänner, M
/// medverkar): the task and each party's letter, for as many parties as the
/// agreement has.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RaciRow {
    /// The task's number in the seed's table.
    pub nr: u32,
    /// The task, in the seed's words.
    pub task: String,
    /// Why a G cell has no approval step or rule, or which rule checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Each party's letter, by party ID.
    #[serde(flatten)]
    pub letters: BTreeMap<String, RaciLetter>,
}

/// A cell of a responsibility table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RaciLetter {
    /// *Ansvarar*: does the task.
    A,
    /// *Godkänner*: approves it.
    G,
    /// *Medverkar*: takes part.
    M,
    /// No part in it.
    #[serde(rename = "-")]
    None,
}

impl RaciLetter {
    /// As the seed writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RaciLetter::A => "A",
            RaciLetter::G => "G",
            RaciLetter::M => "M",
            RaciLetter::None => "-",
        }
    }
}

/// A responsibility table of one process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaciTable {
    /// The process (`incident`, `problem`, `change`, `release`, `configuration`).
    pub process: String,
    /// The seed section.
    pub clause: String,
    /// The rows.
    pub rows: Vec<RaciRow>,
}

/// How an SLA clock counts time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockHours {
    /// Around the clock, every day (on-call, *beredskap*).
    Always,
    /// Only in the service desk's office hours on working days.
    Office,
}

/// An SLA target: a number of minutes, hours or working days.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<i64>,
    /// Hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<i64>,
    /// Working days (*arbetsdagar*), counted in office hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
}

impl Target {
    /// As a person says it.
    pub fn describe(&self) -> String {
        match (self.minutes, self.hours, self.working_days) {
            (Some(m), _, _) => format!("{m} min"),
            (_, Some(h), _) => format!("{h} h"),
            (_, _, Some(d)) => format!("{d} working days"),
            _ => "-".into(),
        }
    }
}

/// One SLA clock of the agreement: which tickets it runs for, its target,
/// and which statuses stop and pause it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSpec {
    /// Stable name (`response`, `feedback`, …).
    pub id: String,
    /// What it measures, in one line.
    pub title: String,
    /// The kinds it runs for.
    pub kinds: Vec<Kind>,
    /// The priorities it runs for.
    pub priorities: Vec<u8>,
    /// The target.
    pub target: Target,
    /// Around the clock or in office hours.
    pub hours: ClockHours,
    /// The clock stops when the ticket first reaches one of these statuses.
    pub stops_at: Vec<Status>,
    /// The clock also stops at the first reply to the customer (`arende
    /// note --customer`): *återkoppling* is the answer given, not the
    /// ticket's end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stops_at_reply: bool,
    /// The clock pauses while the ticket is in one of these statuses.
    #[serde(default)]
    pub pauses_in: Vec<Status>,
    /// Where it comes from.
    pub clause: Clause,
    /// Where the pack fills a value the seed leaves open: what and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
}

/// Service levels: the calendar, the clocks, and the thresholds reports use.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevels {
    /// Office hours and days off.
    pub calendar: crate::calendar::CalendarSettings,
    /// Where the office hours come from.
    pub calendar_clause: String,
    /// The clocks.
    #[serde(default)]
    pub clocks: Vec<ClockSpec>,
    /// Priorities that start the major-incident routine.
    #[serde(default)]
    pub major_incident_priorities: Vec<u8>,
    /// An outage longer than this many minutes calls for a crisis assessment.
    pub crisis_after_minutes: Option<i64>,
    /// Availability targets in percent, per service class (`A`, `B`).
    #[serde(default)]
    pub availability: BTreeMap<String, f64>,
    /// Where the major-incident, crisis and availability values come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// Where set, the clause that leaves a ticket needing follow-up from the
    /// customer (one that went to `awaiting_customer`) out of the response
    /// times, counted apart like one incomplete at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_not_covered: Option<String>,
}

/// A policy pack in force: the built-in pack with the repository's overrides.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The pack's name (`inera`, `ehm`, `stockholm`).
    pub name: String,
    /// What the pack covers.
    pub title: String,
    /// The seed documents it rests on.
    #[serde(default)]
    pub sources: Vec<SourceDocument>,
    /// The timezone of business hours and display.
    pub timezone: String,
    /// The parties.
    pub parties: Vec<Party>,
    /// The priority levels.
    pub priorities: Vec<PriorityLevel>,
    /// The priority a service request gets, where the agreement gives one.
    pub request_priority: Option<u8>,
    /// Impact × urgency → priority.
    pub matrix: Matrix,
    /// Problem classes.
    #[serde(default)]
    pub problem_classes: Vec<ProblemClass>,
    /// The status machine of each kind.
    pub status_machines: BTreeMap<Kind, StatusMachine>,
    /// The change categories under the agreement's names.
    #[serde(default)]
    pub change_categories: Vec<ChangeCategoryLabel>,
    /// The highest priority (lowest number) an incident may have for each
    /// degree of patient-safety impact (`major: 1`, `some: 2`).
    #[serde(default)]
    pub patient_safety_priority: BTreeMap<String, u8>,
    /// The release version scheme, where the agreement has one.
    pub release_scheme: Option<ReleaseScheme>,
    /// The responsibility tables (A/G/M).
    #[serde(default)]
    pub raci: Vec<RaciTable>,
    /// The approval steps (*godkännanden*) per kind.
    #[serde(default)]
    pub approval_steps: Vec<ApprovalStep>,
    /// Status moves that carry linked records along (a release deployed
    /// implements the changes it carries).
    #[serde(default)]
    pub cascades: Vec<Cascade>,
    /// The rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Service levels, where the agreement sets them.
    pub service_levels: Option<ServiceLevels>,
    /// Who may be referred elsewhere when they report without troubleshooting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// The Swedish label and other words of each enumerated value, by field
    /// (`status`, `reported_via`, …): see [`Policy::word`].
    #[serde(default)]
    pub words: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Assigning a ticket to a team of another party is that party's
    /// taking over its handling (002 §2.2 task 9, *överta ansvar*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takeover: Option<Takeover>,
    /// Who agrees the register of standard changes, where the agreement
    /// says: an entry counts only when agreed by one of them before the
    /// change was filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_register: Option<RegisterAgreement>,
    /// The pack's change calendar: freeze and maintenance windows a
    /// repository's `policy/calendar.yaml` adds to or replaces by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_calendar: Option<windows::ChangeCalendar>,
    /// What a public page (the site's *driftinformation*) may show of the
    /// records: everything else stays out of `arende site --public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<Publication>,
    /// The repository the policy was loaded for: files a record names
    /// (a capacity review's measurements CSV) are read relative to it.
    #[serde(skip)]
    pub root: Option<std::path::PathBuf>,
    #[serde(skip)]
    compiled: Compiled,
}

/// A reporting party the agreement lets the provider refer on (001: *har
/// Inera rätt att hänvisa Slutkund till Agent*): classification sets the
/// incident's `refer_to_agent` verdict from its `local_troubleshooting`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// The reporting party the verdict is for (`slutkund`).
    pub party: String,
    /// The party it is referred to (`agent`): an intake at that party's
    /// own repository is no case for referring.
    pub to: String,
    /// The seed clause.
    pub clause: String,
}

/// How a pack records a party's taking over a ticket: `assign` to a team
/// of one of `parties` sets `field` to that party (and an approval step or
/// rule of the pack keyed on the field asks for its approval); assigning it
/// back to a team of another party clears it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Takeover {
    /// The kind of record it applies to.
    pub kind: Kind,
    /// The field that names the party that has taken over (`responsible`).
    pub field: String,
    /// The parties whose teams take over by being assigned.
    pub parties: Vec<String>,
    /// The seed clause.
    pub clause: String,
}

/// Who agrees the entries of the register of standard changes
/// (`policy/standard-changes.yaml`): *överenskommit med beställaren i
/// förväg* (000 §3.4); Staden's G on the register (002 §4.2 task 4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterAgreement {
    /// The parties whose agreement counts (empty: anyone's).
    #[serde(default)]
    pub agreed_by: Vec<String>,
    /// The seed clause.
    pub clause: String,
    /// How the pack reads it, where the clause leaves a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
}

/// What the agreement lets the public see of the service's state (001:
/// *Inera publicerar löpande information om Ineras tjänster och deras
/// driftstatus*; 003 §3.2.3 *driftinformation*): the fields of each kind a
/// public page shows. Person names, e-mail addresses and internal notes are
/// never among them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// The seed clause the duty to publish rests on.
    pub clause: String,
    /// An incident's fields shown, by dotted name (`outage.start`).
    #[serde(default)]
    pub incident: Vec<String>,
    /// A change's fields shown (its service window makes the planned one).
    #[serde(default)]
    pub change: Vec<String>,
    /// A release's fields shown.
    #[serde(default)]
    pub release: Vec<String>,
    /// Whether the latest reply to the customer is shown with an incident.
    #[serde(default)]
    pub replies: bool,
}

impl Publication {
    /// Whether `field` of a record of `kind` may be shown in public.
    pub fn shows(&self, kind: Kind, field: &str) -> bool {
        let fields = match kind {
            Kind::Incident => &self.incident,
            Kind::Change => &self.change,
            Kind::Release => &self.release,
            _ => return false,
        };
        fields.iter().any(|f| {
            f == field
                || field
                    .strip_prefix(f.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    }
}

/// What a pack's text is made into once, when it is loaded: its regular
/// expressions and its business calendar.
#[derive(Debug, Clone, Default)]
struct Compiled {
    patterns: BTreeMap<String, regex::Regex>,
    calendar: Option<crate::calendar::BusinessCalendar>,
}

impl Policy {
    /// The names of the built-in packs.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PACKS.iter().map(|(name, _)| *name)
    }

    /// A built-in pack with a repository's overrides (if `root` has any).
    pub fn load(name: &str, root: Option<&Path>) -> Result<Policy> {
        let (_, text) = PACKS
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| Error::Config {
                path: "arende.yaml".into(),
                message: format!("unknown policy pack `{name}`"),
                help: Some(format!(
                    "use one of: {}",
                    Policy::names().collect::<Vec<_>>().join(", ")
                )),
            })?;
        let mut merged = builtin_layer("base.yaml", BASE)?;
        deep_merge(&mut merged, builtin_layer(&format!("{name}.yaml"), text)?);
        if let Some(root) = root {
            check_policy_dir(root)?;
            let path = root.join(OVERRIDES);
            // Not `exists()`: it follows links, and a link is to be refused.
            if path.symlink_metadata().is_ok() {
                let text = fs::read_text(&path, yaml::MAX_RECORD_BYTES)?;
                deep_merge(&mut merged, yaml::parse_mapping(&path, &text)?);
            }
        }
        // Only the override can hold a bad value: the built-in packs are
        // tested. So errors name it when there is one.
        let origin = root
            .map(|r| r.join(OVERRIDES))
            .filter(|p| p.exists())
            .map_or_else(
                || format!("built-in pack {name}"),
                |p| p.display().to_string(),
            );
        check_ranges(&merged).map_err(|p| Error::Config {
            path: origin.clone().into(),
            message: format!("`{}` {}; {}", p.key, p.found, p.allowed),
            help: Some(format!(
                "set `{}` to a value in that range in {OVERRIDES}, or remove it there to keep the pack's value (`arende policy show --format yaml` shows the values in force)",
                p.key
            )),
        })?;
        let mut policy: Policy =
            yaml::from_value(&Value::Mapping(merged)).map_err(|e| Error::Config {
                path: origin.clone().into(),
                message: format!("policy pack `{name}`: {e}"),
                help: Some("compare the override with `arende policy show --format yaml`".into()),
            })?;
        let help = || {
            Some(format!(
                "fix it in {OVERRIDES} (`arende policy show --format yaml` shows the pack in force)"
            ))
        };
        policy.compile().map_err(|e| Error::Config {
            path: origin.clone().into(),
            message: e.to_string(),
            help: help(),
        })?;
        policy.check().map_err(|e| Error::Config {
            path: origin.into(),
            message: e.to_string(),
            help: help(),
        })?;
        policy.root = root.map(Path::to_path_buf);
        Ok(policy)
    }

    /// The rule with this ID.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// The business calendar of the service levels, built when the pack was
    /// loaded (`None`: the pack sets no service levels).
    pub fn calendar(&self) -> Option<&crate::calendar::BusinessCalendar> {
        self.compiled.calendar.as_ref()
    }

    /// A regular expression of the pack, compiled when the pack was loaded.
    pub fn pattern(&self, source: &str) -> Option<&regex::Regex> {
        self.compiled.patterns.get(source)
    }

    /// The release level a version has under the pack's scheme.
    pub fn release_level(&self, version: &str) -> Option<crate::record::ReleaseLevel> {
        let scheme = self.release_scheme.as_ref()?;
        if self.pattern(&scheme.external)?.is_match(version) {
            Some(crate::record::ReleaseLevel::External)
        } else if self.pattern(&scheme.internal)?.is_match(version) {
            Some(crate::record::ReleaseLevel::Internal)
        } else {
            None
        }
    }

    /// The machine of a kind (every pack has one per kind: `check` sees to it).
    pub fn machine(&self, kind: Kind) -> &StatusMachine {
        &self.status_machines[&kind]
    }

    /// The priority the matrix gives.
    pub fn priority_for(&self, impact: Level, urgency: Level) -> Option<Priority> {
        self.matrix.get(impact, urgency)
    }

    /// The approval step of a kind with this ID.
    pub fn step(&self, kind: Kind, id: &str) -> Option<&ApprovalStep> {
        self.approval_steps
            .iter()
            .find(|s| s.kind == kind && s.id == id)
    }

    /// The approval steps of a kind.
    pub fn steps(&self, kind: Kind) -> impl Iterator<Item = &ApprovalStep> {
        self.approval_steps.iter().filter(move |s| s.kind == kind)
    }

    /// The change category a person means: its ID, or the agreement's
    /// label or one of its aliases, in any case and with or without accents.
    pub fn change_category(&self, input: &str) -> Option<&str> {
        let input = fold(input);
        self.change_categories
            .iter()
            .find(|c| {
                fold(&c.id) == input
                    || fold(&c.label) == input
                    || c.aliases.iter().any(|a| fold(a) == input)
            })
            .map(|c| c.id.as_str())
    }

    /// A value of a field the pack names, as a person writes it, turned into
    /// the value records hold: a priority or class by number or label
    /// or one of its aliases (`kritisk`, `Hög`, `critical`), a change
    /// category by ID, label or alias, and every other enumerated value
    /// (a status, a party, an impact, a channel) by [`Policy::word`].
    /// `None`: the field is not one of those; `Err`: the text names no
    /// value, with the allowed ones listed (numbers with their labels).
    pub fn named_value(
        &self,
        kind: Kind,
        field: &str,
        text: &str,
    ) -> Option<std::result::Result<crate::yaml::Value, NotNamed>> {
        use crate::yaml::Value;
        let text = text.trim();
        let levels: Vec<(u8, &str, &[String])> = match (kind, field) {
            (Kind::Incident | Kind::ServiceRequest, "priority") => self
                .priorities
                .iter()
                .map(|p| (p.level, p.label.as_str(), p.aliases.as_slice()))
                .collect(),
            (Kind::Problem, "class") | (Kind::Change, "fault_class") => self
                .problem_classes
                .iter()
                .map(|c| (c.class, c.label.as_str(), c.aliases.as_slice()))
                .collect(),
            // A pack without labels for them leaves categories to the record model.
            (Kind::Change, "category") if !self.change_categories.is_empty() => {
                return Some(match self.change_category(text) {
                    Some(id) => Ok(Value::String(id.to_owned())),
                    None => Err(NotNamed::Category {
                        text: text.to_owned(),
                        pack: self.name.clone(),
                        categories: self
                            .change_categories
                            .iter()
                            .map(|c| format!("{} ({})", c.id, c.label))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }),
                });
            }
            // Every other enumerated field: its ID, Swedish label or alias.
            _ => return self.word(kind, field, text).map(|r| r.map(Value::String)),
        };
        if levels.is_empty() {
            return None;
        }
        // A number is judged by the record model and the rules, as written.
        if let Ok(n) = text.parse::<i64>() {
            return Some(Ok(Value::Number(n.into())));
        }
        let word = fold(text);
        // A label of two words for one level (`Hög/Allvarlig`) is either word.
        let found = levels.iter().find(|(_, label, aliases)| {
            let label = fold(label);
            std::iter::once(label.as_str())
                .chain(label.split('/').map(str::trim))
                .any(|n| n == word)
                || aliases.iter().any(|a| fold(a) == word)
        });
        Some(match found {
            Some((n, ..)) => Ok(Value::Number((*n).into())),
            None => Err(NotNamed::Numbered {
                text: text.to_owned(),
                values: levels
                    .iter()
                    .map(|(n, l, _)| format!("{n} ({l})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        })
    }

    /// A party by its ID.
    pub fn party(&self, id: &str) -> Option<&Party> {
        self.parties.iter().find(|p| p.id == id)
    }

    /// The priority level with this number.
    pub fn priority_level(&self, level: u8) -> Option<&PriorityLevel> {
        self.priorities.iter().find(|p| p.level == level)
    }

    fn compile(&mut self) -> std::result::Result<(), PackError> {
        let mut sources: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| r.when.iter().chain(&r.require))
            .filter_map(|p| match &p.test {
                Test::Matches(re) => Some(re.clone()),
                _ => None,
            })
            .collect();
        if let Some(s) = &self.release_scheme {
            sources.push(s.external.clone());
            sources.push(s.internal.clone());
        }
        for source in sources {
            match regex::Regex::new(&source) {
                Ok(re) => self.compiled.patterns.insert(source, re),
                Err(error) => {
                    return Err(PackError::Pattern {
                        pattern: source,
                        source: error,
                    });
                }
            };
        }
        if let Some(sl) = &self.service_levels {
            let calendar = crate::calendar::BusinessCalendar::new(sl.calendar.clone())
                .map_err(PackError::Calendar)?;
            self.compiled.calendar = Some(calendar);
        }
        Ok(())
    }

    /// A pack is data written by people: check what the types cannot.
    fn check(&self) -> std::result::Result<(), PackError> {
        self.check_rules()?;
        self.check_approval_steps()?;
        self.check_cascades()?;
        self.check_raci()?;
        self.check_named_parties()?;
        self.check_status_machines()?;
        self.check_matrix()?;
        if let Some(sl) = &self.service_levels {
            check_service_levels(sl)?;
        }
        if let Some(priority) = self.request_priority
            && self.priority_level(priority).is_none()
        {
            return Err(PackError::RequestPriority { priority });
        }
        Ok(())
    }

    /// Rule IDs are unique, a `help` says something, and every predicate
    /// names a field and statuses of the rule's kind and approval steps the
    /// pack has.
    fn check_rules(&self) -> std::result::Result<(), PackError> {
        let mut ids = std::collections::BTreeSet::new();
        for rule in &self.rules {
            if !ids.insert(rule.id.as_str()) {
                return Err(PackError::RuleTwice {
                    rule: rule.id.clone(),
                });
            }
            // A rule's fix is made from its test when it has no `help`; an
            // empty one would hide that and print nothing.
            if rule.help.as_deref().is_some_and(|h| h.trim().is_empty()) {
                return Err(PackError::EmptyHelp {
                    rule: rule.id.clone(),
                });
            }
            // A rule rests on a clause, or says why the pack asks it anyway.
            let own = rule.own_choice.as_deref().map(str::trim);
            if rule.clause.is_some() == own.is_some() || own.is_some_and(str::is_empty) {
                return Err(PackError::RuleGrounds {
                    rule: rule.id.clone(),
                });
            }
            for p in rule.when.iter().chain(&rule.require) {
                self.check_predicate(rule, p)?;
            }
        }
        Ok(())
    }

    fn check_predicate(&self, rule: &Rule, p: &Predicate) -> std::result::Result<(), PackError> {
        if let Some(f) = &p.field
            && crate::schema::field_shape(rule.kind, f).is_none()
        {
            return Err(PackError::RuleField {
                rule: rule.id.clone(),
                kind: rule.kind,
                field: f.clone(),
            });
        }
        if let Test::NoConflict(c) = &p.test
            && c.kind.kind() != rule.kind
        {
            return Err(PackError::ConflictKind {
                rule: rule.id.clone(),
                conflict: c.kind.as_str(),
                kind: c.kind.kind(),
            });
        }
        let after = match &p.test {
            Test::ApprovedBefore(a) => a.after,
            _ => None,
        };
        if let Some(status) = p
            .test
            .status()
            .into_iter()
            .chain(after)
            .find(|s| !s.is_of(rule.kind))
        {
            return Err(PackError::RuleStatus {
                rule: rule.id.clone(),
                status,
                kind: rule.kind,
            });
        }
        let steps = match &p.test {
            Test::Approved(steps) => steps,
            Test::ApprovedBefore(a) => &a.steps,
            _ => return Ok(()),
        };
        match steps.iter().find(|s| self.step(rule.kind, s).is_none()) {
            Some(step) => Err(PackError::RuleStep {
                rule: rule.id.clone(),
                step: step.clone(),
                kind: rule.kind,
            }),
            None => Ok(()),
        }
    }

    /// A cascade follows a links key, and names statuses its kinds have.
    fn check_cascades(&self) -> std::result::Result<(), PackError> {
        for c in &self.cascades {
            let carried = Kind::ALL
                .into_iter()
                .find(|k| k.link_key() == c.links)
                .ok_or_else(|| PackError::CascadeLinks {
                    kind: c.kind,
                    links: c.links.clone(),
                })?;
            for (kind, s) in std::iter::once((c.kind, c.status))
                .chain(std::iter::once((carried, c.then)))
                .chain(c.done.iter().map(|d| (carried, *d)))
            {
                if !s.is_of(kind) {
                    return Err(PackError::CascadeStatus {
                        kind: c.kind,
                        status: s,
                        of: kind,
                    });
                }
            }
        }
        Ok(())
    }

    /// Every party of a responsibility table is a party of the pack.
    fn check_raci(&self) -> std::result::Result<(), PackError> {
        for table in &self.raci {
            for row in &table.rows {
                if let Some(p) = row.letters.keys().find(|p| self.party(p).is_none()) {
                    return Err(PackError::RaciParty {
                        process: table.process.clone(),
                        row: row.nr,
                        party: p.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The parties the takeover and the register's agreement name are
    /// parties of the pack.
    fn check_named_parties(&self) -> std::result::Result<(), PackError> {
        let named = self
            .takeover
            .iter()
            .flat_map(|t| t.parties.iter().map(|p| ("takeover", p)))
            .chain(
                self.standard_register
                    .iter()
                    .flat_map(|r| r.agreed_by.iter().map(|p| ("standard_register", p))),
            );
        for (section, party) in named {
            if self.party(party).is_none() {
                return Err(PackError::SectionParty {
                    section,
                    party: party.clone(),
                });
            }
        }
        Ok(())
    }

    /// Every kind has a status machine, over the statuses the kind has.
    fn check_status_machines(&self) -> std::result::Result<(), PackError> {
        for kind in Kind::ALL {
            let machine = self
                .status_machines
                .get(&kind)
                .ok_or(PackError::NoStatusMachine { kind })?;
            let unknown = std::iter::once(&machine.initial)
                .chain(machine.transitions.keys())
                .chain(machine.transitions.values().flatten())
                .chain(&machine.settled)
                .find(|s| !s.is_of(kind));
            if let Some(s) = unknown {
                return Err(PackError::MachineStatus { kind, status: *s });
            }
        }
        Ok(())
    }

    /// Every impact × urgency has a priority, and the pack has that level.
    fn check_matrix(&self) -> std::result::Result<(), PackError> {
        for impact in Level::ALL {
            for urgency in Level::ALL {
                let priority = self
                    .matrix
                    .get(impact, urgency)
                    .ok_or(PackError::MatrixGap { impact, urgency })?
                    .get();
                if self.priority_level(priority).is_none() {
                    return Err(PackError::MatrixPriority {
                        priority,
                        impact,
                        urgency,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Every clock has one target, counted in hours it can be, and stops and
/// pauses at statuses its kinds have (the calendar was built by `compile`).
fn check_service_levels(sl: &ServiceLevels) -> std::result::Result<(), PackError> {
    for c in &sl.clocks {
        let targets = [
            c.target.minutes.is_some(),
            c.target.hours.is_some(),
            c.target.working_days.is_some(),
        ];
        if targets.iter().filter(|t| **t).count() != 1 {
            return Err(PackError::ClockTarget {
                clock: c.id.clone(),
            });
        }
        if c.target.working_days.is_some() && c.hours == ClockHours::Always {
            return Err(PackError::ClockWorkingDays {
                clock: c.id.clone(),
            });
        }
        for kind in &c.kinds {
            if let Some(s) = c
                .stops_at
                .iter()
                .chain(&c.pauses_in)
                .find(|s| !s.is_of(*kind))
            {
                return Err(PackError::ClockStatus {
                    clock: c.id.clone(),
                    status: *s,
                    kind: *kind,
                });
            }
        }
    }
    Ok(())
}

/// The longest SLA target or crisis threshold a pack may set, in minutes:
/// a year (a leap year's 366 days). Longer is no service level, and the
/// clock arithmetic stays far from the ends of the time types.
pub const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;
/// [`MAX_TARGET_MINUTES`] in hours.
pub const MAX_TARGET_HOURS: i64 = 366 * 24;
/// The most working days a target may count: more than a year's worth.
pub const MAX_TARGET_WORKING_DAYS: i64 = 366;
/// The most releases a pack may allow in production at once.
pub const MAX_DEPLOYED: i64 = 100;

/// A number of a pack out of its range, found before the pack is typed, so
/// the message can name the dotted key whatever the value is (a string, a
/// negative number, `.nan`, a number too big for its type).
#[derive(Debug)]
struct RangeProblem {
    /// Dotted key, list positions in brackets: `service_levels.clocks[0].target.minutes`.
    key: String,
    /// What the value is: `is 9223372036854775807`, `is not a number (.nan)`.
    found: String,
    /// The allowed range, in words.
    allowed: String,
}

/// A number in a pack: a whole number within `lo..=hi`, or (`whole` false)
/// any finite number with `lo < x <= hi`.
struct Bounds {
    lo: i64,
    hi: i64,
    whole: bool,
    unit: &'static str,
}

impl Bounds {
    const fn whole(lo: i64, hi: i64, unit: &'static str) -> Bounds {
        Bounds {
            lo,
            hi,
            whole: true,
            unit,
        }
    }

    fn allowed(&self) -> String {
        if self.whole {
            format!(
                "it must be a whole number from {} to {}{}",
                self.lo, self.hi, self.unit
            )
        } else {
            format!(
                "it must be a number above {} and at most {}{}",
                self.lo, self.hi, self.unit
            )
        }
    }

    /// Checks `value` at `key`; a null is left to the types (an optional value not given).
    fn check(&self, key: &str, value: &Value) -> std::result::Result<(), RangeProblem> {
        let problem = |found: String| RangeProblem {
            key: key.to_owned(),
            found,
            allowed: self.allowed(),
        };
        let shown = || crate::record::document::display(value);
        match value {
            Value::Null => Ok(()),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    let inside = if self.whole {
                        (self.lo..=self.hi).contains(&i)
                    } else {
                        i > self.lo && i <= self.hi
                    };
                    return if inside {
                        Ok(())
                    } else {
                        Err(problem(format!("is {i}")))
                    };
                }
                if n.as_u64().is_some() {
                    return Err(problem(format!("is {}", shown())));
                }
                let x = n.as_f64().unwrap_or(f64::NAN);
                if !x.is_finite() {
                    return Err(problem(format!("is not a finite number ({})", shown())));
                }
                if self.whole {
                    return Err(problem(format!("is {}, not a whole number", shown())));
                }
                // The bounds are small integers, exact in f64.
                if x > self.lo as f64 && x <= self.hi as f64 {
                    Ok(())
                } else {
                    Err(problem(format!("is {}", shown())))
                }
            }
            other => Err(problem(format!(
                "is {}, not a number",
                crate::record::describe(other)
            ))),
        }
    }
}

/// The items of a sequence with their positions (nothing if it is not one:
/// a wrong shape is the types' to report).
fn items(value: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    value
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .enumerate()
}

/// The entries of a mapping by their keys as text.
fn entries(value: Option<&Value>) -> impl Iterator<Item = (String, &Value)> {
    value
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .map(|(k, v)| (crate::record::document::display(k), v))
}

impl Bounds {
    const PRIORITY: Bounds = Bounds::whole(1, 5, "");
    const CLASS: Bounds = Bounds::whole(1, 4, "");
    const MINUTES: Bounds = Bounds::whole(1, MAX_TARGET_MINUTES, " (366 days)");
    const HOURS: Bounds = Bounds::whole(1, MAX_TARGET_HOURS, " (366 days)");
    const WORKING_DAYS: Bounds = Bounds::whole(1, MAX_TARGET_WORKING_DAYS, "");
    const PERCENT: Bounds = Bounds {
        lo: 0,
        hi: 100,
        whole: false,
        unit: " percent",
    };
    const DEPLOYED: Bounds = Bounds::whole(1, MAX_DEPLOYED, "");
    const RACI_ROW: Bounds = Bounds::whole(1, 9999, "");
}

/// Every number of a merged pack (built-in values and overrides) within its
/// range: targets, thresholds, percentages, priorities and counts. The
/// clock arithmetic relies on it.
fn check_ranges(pack: &Mapping) -> std::result::Result<(), RangeProblem> {
    check_priority_ranges(pack)?;
    for (i, class) in items(pack.get("problem_classes")) {
        if let Some(m) = class.as_mapping() {
            Bounds::CLASS.check(
                &format!("problem_classes[{i}].class"),
                m.get("class").unwrap_or(&Value::Null),
            )?;
        }
    }
    for (degree, p) in entries(pack.get("patient_safety_priority")) {
        Bounds::PRIORITY.check(&format!("patient_safety_priority.{degree}"), p)?;
    }
    if let Some(v) = pack
        .get("release_scheme")
        .and_then(Value::as_mapping)
        .and_then(|m| m.get("max_deployed"))
    {
        Bounds::DEPLOYED.check("release_scheme.max_deployed", v)?;
    }
    for (i, table) in items(pack.get("raci")) {
        for (j, row) in items(table.as_mapping().and_then(|m| m.get("rows"))) {
            if let Some(v) = row.as_mapping().and_then(|m| m.get("nr")) {
                Bounds::RACI_ROW.check(&format!("raci[{i}].rows[{j}].nr"), v)?;
            }
        }
    }
    match pack.get("service_levels").and_then(Value::as_mapping) {
        Some(levels) => check_service_level_ranges(levels),
        None => Ok(()),
    }
}

/// The priority levels themselves, the service requests' and the matrix's
/// cells.
fn check_priority_ranges(pack: &Mapping) -> std::result::Result<(), RangeProblem> {
    for (i, level) in items(pack.get("priorities")) {
        if let Some(m) = level.as_mapping() {
            Bounds::PRIORITY.check(
                &format!("priorities[{i}].level"),
                m.get("level").unwrap_or(&Value::Null),
            )?;
        }
    }
    if let Some(v) = pack.get("request_priority") {
        Bounds::PRIORITY.check("request_priority", v)?;
    }
    for (impact, row) in entries(
        pack.get("matrix")
            .and_then(Value::as_mapping)
            .and_then(|m| m.get("cells")),
    ) {
        for (urgency, p) in entries(Some(row)) {
            Bounds::PRIORITY.check(&format!("matrix.cells.{impact}.{urgency}"), p)?;
        }
    }
    Ok(())
}

/// `service_levels`: major incidents' priorities, the crisis threshold,
/// availability percentages and every clock.
fn check_service_level_ranges(levels: &Mapping) -> std::result::Result<(), RangeProblem> {
    for (i, p) in items(levels.get("major_incident_priorities")) {
        Bounds::PRIORITY.check(&format!("service_levels.major_incident_priorities[{i}]"), p)?;
    }
    if let Some(v) = levels.get("crisis_after_minutes") {
        Bounds::MINUTES.check("service_levels.crisis_after_minutes", v)?;
    }
    for (class, percent) in entries(levels.get("availability")) {
        Bounds::PERCENT.check(&format!("service_levels.availability.{class}"), percent)?;
    }
    for (i, clock) in items(levels.get("clocks")) {
        if let Some(clock) = clock.as_mapping() {
            check_clock_ranges(&format!("service_levels.clocks[{i}]"), clock)?;
        }
    }
    Ok(())
}

/// A clock's priorities and its target; a target out of range also names
/// the clock, as its position alone is hard to find in a pack.
fn check_clock_ranges(at: &str, clock: &Mapping) -> std::result::Result<(), RangeProblem> {
    for (j, p) in items(clock.get("priorities")) {
        Bounds::PRIORITY.check(&format!("{at}.priorities[{j}]"), p)?;
    }
    let Some(target) = clock.get("target").and_then(Value::as_mapping) else {
        return Ok(());
    };
    let id = clock.get("id").map(crate::record::document::display);
    for (key, bounds) in [
        ("minutes", &Bounds::MINUTES),
        ("hours", &Bounds::HOURS),
        ("working_days", &Bounds::WORKING_DAYS),
    ] {
        if let Some(v) = target.get(key) {
            bounds
                .check(&format!("{at}.target.{key}"), v)
                .map_err(|mut p| {
                    if let Some(id) = &id {
                        p.found.push_str(&format!(" (clock `{id}`)"));
                    }
                    p
                })?;
        }
    }
    Ok(())
}

/// Refuses a `policy` that is a symbolic link or not a folder, whether or
/// not it holds an override: every command opens the repository, and the
/// policy files (and the cache key, which hashes them) would otherwise be
/// read from wherever the link points, out of the repository or into
/// `/proc`. A repository without `policy` is fine.
fn check_policy_dir(root: &Path) -> Result<()> {
    let path = root.join(POLICY_DIR);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::SymlinkFolder { path }),
        Ok(meta) if !meta.is_dir() => Err(Error::Config {
            message: format!(
                "is {}, not a folder; the repository's policy files live in the folder {POLICY_DIR}/",
                fs::describe_file_type(meta.file_type())
            ),
            path,
            help: Some(format!(
                "remove it, or make {POLICY_DIR} a folder holding the policy files (overrides.yaml, standard-changes.yaml, …)"
            )),
        }),
        Ok(_) => Ok(()),
    }
}

fn builtin_layer(name: &str, text: &str) -> Result<Mapping> {
    yaml::parse_mapping(Path::new(name), text)
}

/// Lays `over` onto `base`: mappings merge key by key, anything else replaces.
pub fn deep_merge(base: &mut Mapping, over: Mapping) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Mapping(b)), Value::Mapping(o)) => deep_merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// A word as compared with the packs' labels: lower case, Swedish and other
/// accents dropped, inner spaces single (`Hög` = `hog`, `Nödåtgärd` = `nodatgard`).
pub fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            'í' | 'ï' => 'i',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_insert_the_statuses_between() {
        let policy = Policy::load("ehm", None).unwrap();
        let m = policy.machine(Kind::Incident);
        assert_eq!(
            m.way("new", "in_progress").unwrap(),
            ["assigned", "in_progress"]
        );
        assert_eq!(
            m.way("new", "closed").unwrap(),
            ["assigned", "in_progress", "resolved", "closed"]
        );
        assert_eq!(
            m.way("awaiting_customer", "resolved").unwrap(),
            ["in_progress", "resolved"]
        );
        assert_eq!(m.way("resolved", "in_progress").unwrap(), ["in_progress"]);
        assert_eq!(m.way("closed", "in_progress"), None);
    }

    #[test]
    fn a_rule_with_an_empty_help_fails_loading() {
        let mut policy = Policy::load("inera", None).unwrap();
        assert!(policy.check().is_ok());
        policy.rules[0].help = Some("  ".into());
        let e = policy.check().unwrap_err().to_string();
        assert!(e.contains("`help` is empty"), "{e}");
    }

    #[test]
    fn a_rule_testing_a_status_its_kind_lacks_fails_loading() {
        let mut policy = Policy::load("inera", None).unwrap();
        let rule = policy
            .rules
            .iter_mut()
            .find(|r| r.kind == Kind::Change && r.require.iter().any(|p| p.test.status().is_some()))
            .expect("inera has a change rule on a status reached");
        let p = rule
            .require
            .iter_mut()
            .find(|p| p.test.status().is_some())
            .unwrap();
        p.test = Test::Reached(Status::parse("deployed").unwrap());
        let id = rule.id.clone();
        let e = policy.check().unwrap_err().to_string();
        assert_eq!(e, format!("rule {id}: `deployed` is not a change status"));
    }

    #[test]
    fn values_by_label_or_alias_in_any_case_and_accent() {
        let n = |pack: &str, kind: Kind, field: &str, text: &str| {
            Policy::load(pack, None)
                .unwrap()
                .named_value(kind, field, text)
                .map(|r| r.map(|v| crate::record::document::display(&v)))
        };
        let ok = |s: &str| Some(Ok(s.to_owned()));
        assert_eq!(n("inera", Kind::Problem, "class", "KRITISK"), ok("1"));
        assert_eq!(n("inera", Kind::Change, "fault_class", "critical"), ok("1"));
        assert_eq!(n("inera", Kind::Incident, "priority", "hog"), ok("2"));
        assert_eq!(n("inera", Kind::Incident, "priority", "Allvarlig"), ok("2"));
        assert_eq!(
            n("stockholm", Kind::Incident, "priority", "brådskande"),
            ok("2")
        );
        assert_eq!(
            n("stockholm", Kind::Incident, "priority", "Urgent"),
            ok("2")
        );
        assert_eq!(n("ehm", Kind::ServiceRequest, "priority", "p5"), ok("5"));
        assert_eq!(n("ehm", Kind::Incident, "urgency", "Låg"), ok("low"));
        assert_eq!(
            n("stockholm", Kind::Change, "category", "nödåtgärder"),
            ok("emergency")
        );
        assert_eq!(n("inera", Kind::Incident, "title", "x"), None);
        let err = n("stockholm", Kind::Incident, "priority", "snart")
            .unwrap()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("1 (Akut), 2 (Brådskande), 3 (Normal)"),
            "{err}"
        );
    }

    #[test]
    fn every_builtin_pack_loads() {
        for name in Policy::names() {
            let policy = Policy::load(name, None).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(policy.name, name);
        }
    }

    #[test]
    fn overrides_merge_deeply() {
        let mut base = yaml::parse_mapping(Path::new("a"), "a: {b: 1, c: 2}\nd: [1]\n").unwrap();
        let over = yaml::parse_mapping(Path::new("b"), "a: {c: 3}\nd: [2]\n").unwrap();
        deep_merge(&mut base, over);
        assert_eq!(yaml::to_string(&base), "a:\n  b: 1\n  c: 3\nd:\n- 2\n");
    }
}
