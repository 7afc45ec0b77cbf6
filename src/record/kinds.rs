//! The kind-specific fields of each record (SPEC §2). Field names are the
//! contract; every field is optional here because which ones are required,
//! and when, is the policy's to say.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{
    Channel, FaultClass, Level, Priority, Reporter, ServiceClass, TicketNumber, Window,
};
use super::status::{
    CapacityStatus, ChangeStatus, CiStatus, ProblemStatus, ReleaseStatus, TicketStatus,
};
use crate::id::RecordId;
use crate::time::Timestamp;

fn yes() -> bool {
    true
}

/// Local ticket numbers (*ärendenummer*) of the parties that handled a ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tickets {
    /// The customer's own ticket.
    pub kund: Option<TicketNumber>,
    /// The agent's ticket.
    pub agent: Option<TicketNumber>,
    /// The end customer's ticket.
    pub slutkund: Option<TicketNumber>,
}

/// Why an outage does not count against availability (seed 003 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// A planned service window (*servicefönster*).
    ServiceWindow,
    /// A change at the customer's (*ändringar hos kunden*).
    CustomerChange,
    /// Outside the provider's control (*yttre omständigheter*).
    External,
    /// *force majeure*
    ForceMajeure,
}

/// An interruption of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outage {
    /// When the service stopped.
    pub start: Option<Timestamp>,
    /// When it came back (absent: still down).
    pub end: Option<Timestamp>,
    /// A planned interruption.
    #[serde(default)]
    pub planned: bool,
    /// Why it is excluded from availability, if it is.
    pub excluded: Option<Exclusion>,
    /// How far it reaches (*omfattning*): the users, services or regions affected.
    pub extent: Option<String>,
}

/// Effect on patient safety (seed 003, *patientsäkerheten*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatientSafety {
    /// *påverkar inte patientsäkerheten*
    None,
    /// *viss påverkan*
    Some,
    /// *stor påverkan*
    Major,
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct Incident {
    /// Where it is in its life.
    pub status: TicketStatus,
    /// The affected service.
    pub service: Option<String>,
    /// The service's availability class.
    pub service_class: Option<ServiceClass>,
    /// Business impact (*verksamhetspåverkan*).
    pub impact: Option<Level>,
    /// Urgency (*brådska*).
    pub urgency: Option<Level>,
    /// Priority, set by `classify` from impact × urgency.
    pub priority: Option<Priority>,
    /// Why the priority differs from the matrix (a manual override).
    pub priority_reason: Option<String>,
    /// Who reported it.
    pub reporter: Option<Reporter>,
    /// How it was reported.
    pub reported_via: Option<Channel>,
    /// Local ticket numbers.
    pub tickets: Option<Tickets>,
    /// Local troubleshooting was done before reporting (*lokal felsökning*).
    pub local_troubleshooting: Option<bool>,
    /// The verdict that the reporter may be referred to its agent (*hänvisa
    /// Slutkund till Agent*), set by `classify` where the policy has it.
    pub refer_to_agent: Option<bool>,
    /// The interruption, if the service is or was down.
    pub outage: Option<Outage>,
    /// When it is expected to be fixed (*beräknad åtgärdstid*).
    pub estimated_resolution: Option<Timestamp>,
    /// The party that has taken over the incident's further handling (002 §2.2
    /// task 9, *överta ansvar*), e.g. `leverantor`.
    pub responsible: Option<String>,
    /// The major incident manager, for priority 1–2 under E-hälsomyndigheten.
    pub major_incident_manager: Option<String>,
    /// Effect on patient safety.
    pub patient_safety: Option<PatientSafety>,
    /// Complete at registration: SLA clocks start only for complete tickets.
    #[serde(default = "yes")]
    pub complete_at_registration: bool,
    /// How it was solved.
    pub resolution: Option<String>,
    /// A temporary way around it.
    pub workaround: Option<String>,
}

/// A permanent-solution proposal (*permanent åtgärdsförslag*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Proposal {
    /// The solution.
    pub description: Option<String>,
    /// Time estimate (*uppskattning över tidsåtgången*).
    pub estimate: Option<String>,
    /// Affected applications (*påverkan på ingående applikationer*).
    #[serde(default)]
    pub affected: Vec<String>,
}

/// A confirmation that a problem is solved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Verified {
    /// Who confirmed.
    pub by: Option<String>,
    /// When.
    pub at: Option<Timestamp>,
}

/// A problem: the cause of one or more incidents.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct Problem {
    /// Where it is in its life.
    pub status: ProblemStatus,
    /// 1 kritisk, 2 hög, 3 medium, 4 låg.
    pub class: Option<FaultClass>,
    /// The root cause (*grundorsak*).
    pub root_cause: Option<String>,
    /// A temporary way around it.
    pub workaround: Option<String>,
    /// The permanent-solution proposal.
    pub proposal: Option<Proposal>,
    /// Known error (*känt fel*).
    #[serde(default)]
    pub known_error: bool,
    /// Confirmation that it is solved.
    pub verified: Option<Verified>,
}

/// The kind of change (*tillägg, förändring, borttag, felrättning*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    /// *tillägg*
    Addition,
    /// *förändring*
    Modification,
    /// *borttag*, including service windows
    Removal,
    /// *felrättning*
    Fix,
}

/// The change category (Inera *standard, normal, akut*; Stockholm
/// *förhandsgodkänd, vanlig, nödåtgärd*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeCategory {
    /// Agreed in advance, simple, well proven.
    Standard,
    /// Decided by the change forum.
    Normal,
    /// Urgent, with a fast track.
    Emergency,
}

/// Risk of a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Risk {
    /// How high.
    pub level: Option<Level>,
    /// The risk analysis (*riskanalys*).
    pub analysis: Option<String>,
}

/// The report on a change put into production.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ImplementationReport {
    /// What was done (*aktiviteter*).
    pub activities: Option<String>,
    /// Time spent (*tidsåtgång*).
    pub time_spent: Option<String>,
    /// The outcome (*resultat*).
    pub result: Option<String>,
}

/// A change.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct Change {
    /// Where it is in its life.
    pub status: ChangeStatus,
    /// What kind of change.
    pub change_type: Option<ChangeType>,
    /// Standard, normal or emergency.
    pub category: Option<ChangeCategory>,
    /// The fault class fixed, 1–4, when the change fixes a problem or incident.
    pub fault_class: Option<FaultClass>,
    /// The entry in the standard-change register.
    pub standard_ref: Option<String>,
    /// Risk.
    pub risk: Option<Risk>,
    /// Consequence analysis (*konsekvensanalys*).
    pub consequence_analysis: Option<String>,
    /// Affected neighbouring systems (*gränssnitt mot kringliggande system*).
    #[serde(default)]
    pub interfaces: Vec<String>,
    /// When it is carried out.
    pub service_window: Option<Window>,
    /// How to back out.
    pub backout_plan: Option<String>,
    /// The change needs a change of the agreement (*förändring i Avtalet*).
    #[serde(default)]
    pub requires_agreement_change: bool,
    /// Whether systems calling the service must adapt to the change (*kräver
    /// anpassning av anropande system*); absent until stated, since only an
    /// external release may carry a change that needs it.
    pub callers_must_adapt: Option<bool>,
    /// The report once implemented.
    pub implementation_report: Option<ImplementationReport>,
}

/// External or internal release (seed 003 §3.1–3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseLevel {
    /// Callers must adapt (`17.1`).
    External,
    /// Callers need not adapt (`17.1.2`).
    Internal,
}

/// A release's test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReleaseTest {
    /// Where it was tested (e.g. a technical copy of production).
    pub environment: Option<String>,
    /// Who approved the test.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<Timestamp>,
    /// The test environment is a technical copy of production (*teknisk kopia av driftmiljön*).
    pub copy_of_production: Option<bool>,
    /// Why an emergency fix deploys without its acceptance test (*utan
    /// föregående acceptanstest*).
    pub skipped_reason: Option<String>,
}

/// A release.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct Release {
    /// Where it is in its life.
    pub status: ReleaseStatus,
    /// The version, in the policy's scheme (quote it: `'17.10'`).
    pub version: Option<String>,
    /// External or internal, derived from the version by `classify`.
    pub level: Option<ReleaseLevel>,
    /// When it is planned.
    pub planned_at: Option<Timestamp>,
    /// Release notes.
    pub release_notes: Option<String>,
    /// The test.
    pub test: Option<ReleaseTest>,
    /// How to return to the previous release.
    pub rollback: Option<String>,
    /// The rollout plan (*utrullningsplan*).
    pub rollout_plan: Option<String>,
    /// When it rolls out: the changes it carries are carried out inside it.
    pub rollout_window: Option<Window>,
    /// The final report (*slutrapport*).
    pub final_report: Option<String>,
    /// When the release information was published (*releaseinformation publiceras*).
    pub information_published_at: Option<Timestamp>,
}

/// A service request.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct ServiceRequest {
    /// Where it is in its life.
    pub status: TicketStatus,
    /// The service asked about.
    pub service: Option<String>,
    /// Priority (5 in the policies that have it).
    pub priority: Option<Priority>,
    /// Who asked.
    pub reporter: Option<Reporter>,
    /// How it was asked.
    pub reported_via: Option<Channel>,
    /// Complete at registration: SLA clocks start only for complete tickets.
    #[serde(default = "yes")]
    pub complete_at_registration: bool,
    /// The answer.
    pub resolution: Option<String>,
}

/// What a configuration item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CiType {
    /// *maskinvara*
    Hardware,
    /// *programvara*
    Software,
    /// *dokumentation*
    Documentation,
    /// an IT service
    Service,
    /// an integration
    Integration,
}

/// Direction of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// To this item.
    In,
    /// From this item.
    Out,
    /// Both ways.
    Both,
}

/// An integration to or from another system (*register över integrationer*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Integration {
    /// The other system (a CI ID or a name).
    pub to: String,
    /// Which way data flows.
    pub direction: Option<Direction>,
    /// The protocol.
    pub protocol: Option<String>,
}

/// Licences held and used (*licenshantering*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct License {
    /// Licences held.
    pub entitled: Option<u64>,
    /// Licences in use.
    pub used: Option<u64>,
}

/// A configuration item.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct ConfigurationItem {
    /// Where it is in its life.
    pub status: CiStatus,
    /// What it is.
    pub ci_type: Option<CiType>,
    /// The responsible party.
    pub owner: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// Availability class.
    pub service_class: Option<ServiceClass>,
    /// Items it depends on.
    #[serde(default)]
    pub depends_on: Vec<RecordId>,
    /// Integrations to and from it.
    #[serde(default)]
    pub integrations: Vec<Integration>,
    /// Licences.
    pub license: Option<License>,
    /// Git tag or commit of its last approved baseline (*grundkonfiguration*).
    pub baseline: Option<String>,
}

/// One measurement, in percent of capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// When.
    pub at: Timestamp,
    /// CPU use, %.
    pub cpu: Option<f64>,
    /// Memory use, %.
    pub memory: Option<f64>,
    /// Disk use, %.
    pub disk: Option<f64>,
}

/// Measurements inline, or a CSV file of them relative to the repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Measurements {
    /// A list of measurements.
    Inline(Vec<Measurement>),
    /// A path to a CSV file with columns at, cpu, memory, disk.
    File(String),
}

/// When to recommend an upgrade or a downgrade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Thresholds {
    /// Recommend an upgrade when the peak use of any resource is above this, %.
    pub upgrade_above: Option<f64>,
    /// Recommend a downgrade when the peak use of every resource is below this, %.
    pub downgrade_below: Option<f64>,
}

/// A capacity recommendation (*rekommendation på upp/nedgradering*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// To the next server model or class.
    Upgrade,
    /// To a smaller one.
    Downgrade,
    /// As it is.
    Keep,
}

/// A period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// First day.
    pub from: Option<chrono::NaiveDate>,
    /// Last day.
    pub to: Option<chrono::NaiveDate>,
}

/// A capacity review.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct CapacityReview {
    /// Where it is in its life.
    pub status: CapacityStatus,
    /// The configuration item reviewed.
    pub configuration_item: Option<RecordId>,
    /// The period measured.
    pub period: Option<Period>,
    /// The measurements.
    pub measurements: Option<Measurements>,
    /// The thresholds.
    pub thresholds: Option<Thresholds>,
    /// Upgrade, downgrade or keep; computed by `classify`.
    pub recommendation: Option<Recommendation>,
    /// Why the recommendation differs from the computed one (a person's judgement).
    pub recommendation_reason: Option<String>,
}
