//! What `arende send` puts in a partner's repository: a record of ours,
//! cut to what the partner's profile lets cross and translated to the
//! partner's pack (our party as its reporter, our ticket numbers in its
//! `tickets`, every identifier in `external`), as the one file of the
//! branch `intake/<our party>/<our ID>`.

use super::{INTAKE_DIR, Partner};
use crate::classify::apply_classification;
use crate::error::{Error, Result};
use crate::id::RecordId;
use crate::kind::Kind;
use crate::record::{External, Record, TicketNumber, document};
use crate::schema;
use crate::time::Timestamp;
use crate::validate::{self, Violation};
use crate::workspace::Workspace;
use crate::yaml::{self, Mapping, Value};

/// A report ready for a partner's intake.
#[derive(Debug, Clone)]
pub struct Report {
    /// The branch it goes on: `intake/<our party>/<our ID>`.
    pub branch: String,
    /// Its file on that branch.
    pub path: String,
    /// The file's document.
    pub doc: Mapping,
    /// What the partner's pack says of it as a new record there: the
    /// partner's own intake judges it again, and decides.
    pub findings: Vec<Violation>,
}

/// The branch an intake of `party`'s record `id` goes on.
pub fn branch(party: &str, id: &str) -> String {
    format!("{INTAKE_DIR}/{party}/{id}")
}

/// The file on that branch.
pub fn path(party: &str, id: &str) -> String {
    format!("{INTAKE_DIR}/{party}/{id}.yaml")
}

/// Makes the report of `record` (read from `doc`) for `partner`: refused if
/// the kind does not cross to it, or if what would cross carries a
/// personal identity number.
pub fn report(
    ws: &Workspace,
    partner: &Partner,
    our_party: &str,
    owner: Option<&str>,
    doc: &Mapping,
    record: &Record,
    now: &Timestamp,
) -> Result<Report> {
    let kind = record.kind();
    let id = record.id();
    if !partner.send.takes(kind) {
        return Err(Error::usage(
            format!("{kind}s do not cross to {}", partner.name),
            Some(format!(
                "the profile sends {}; add `{}` to exchange.partners.{}.send.kinds in arende.yaml if the agreement says so",
                kinds(&partner.send.kinds),
                kind.name(),
                partner.name
            )),
        ));
    }
    let mut out = Mapping::new();
    out.insert("kind".into(), Value::String(kind.name().into()));
    for (key, value) in partner.send.cut(kind, doc) {
        out.insert(key, value);
    }
    if schema::field_shape(kind, "reporter.party").is_some() {
        set(&mut out, "reporter.party", our_party);
    }
    let mut external = record.common.external.clone();
    // Ticket numbers typed by hand (a kund's `tickets.kund: 4711`) are
    // identifiers held elsewhere too.
    if let Some(Value::Mapping(tickets)) = doc.get("tickets") {
        for (party, number) in tickets {
            let (Some(party), Ok(TicketNumber(number))) =
                (party.as_str(), yaml::from_value::<TicketNumber>(number))
            else {
                continue;
            };
            if !external.iter().any(|e| e.id == number) {
                external.push(External {
                    id: number,
                    owner: None,
                    party: party.to_owned(),
                });
            }
        }
    }
    if !external.iter().any(|e| e.id == id.as_str()) {
        external.push(External {
            id: id.to_string(),
            owner: owner.map(str::to_owned),
            party: our_party.to_owned(),
        });
    }
    external.retain(|e| e.party != partner.party);
    for e in &external {
        let field = format!("tickets.{}", e.party);
        if schema::field_shape(kind, &field).is_some() {
            set(&mut out, &field, &e.id);
        }
    }
    out.insert("external".into(), yaml::to_value(&external));
    let mut out = schema::canonical_order(kind, out);
    let mut sender = Mapping::new();
    sender.insert("party".into(), Value::String(our_party.into()));
    sender.insert("record".into(), Value::String(id.to_string()));
    if let Some(owner) = owner {
        sender.insert("organisation".into(), Value::String(owner.into()));
    }
    out.insert("sender".into(), Value::Mapping(sender));
    if let Some(hit) = validate::personnummer::find_in(&Value::Mapping(out.clone())) {
        return Err(Error::refused(
            format!(
                "{id}: not sent: `{}` would carry a personal identity number ({}) to {}",
                hit.field,
                hit.number.masked(),
                partner.name
            ),
            Some(format!(
                "remove the number from `{}` (refer to the person by a case number or initials), or leave the field out of exchange.partners.{}.send.fields",
                hit.field, partner.name
            )),
        ));
    }
    let findings = as_theirs(ws, partner, kind, &out, now)?;
    Ok(Report {
        branch: branch(our_party, id.as_str()),
        path: path(our_party, id.as_str()),
        doc: out,
        findings,
    })
}

/// What the partner's pack finds in the report as a new record there.
fn as_theirs(
    ws: &Workspace,
    partner: &Partner,
    kind: Kind,
    report: &Mapping,
    now: &Timestamp,
) -> Result<Vec<Violation>> {
    let mut doc = report.clone();
    doc.remove("sender");
    let id = RecordId::generate(kind, now.date_naive());
    doc.insert("id".into(), Value::String(id.to_string()));
    let machine = partner.policy.machine(kind);
    doc.insert("status".into(), Value::String(machine.initial.to_string()));
    doc.insert("opened_at".into(), Value::String(crate::time::rfc3339(now)));
    let path = crate::store::home_path(kind, &id);
    let mut doc = Value::Mapping(doc);
    apply_classification(&partner.policy, &path, &mut doc)?;
    let record = Record::from_doc(&path, None, &doc)?;
    let register = validate::StandardRegister::default();
    let lookup = validate::StoreLookup(ws);
    let cx = validate::Context {
        policy: &partner.policy,
        register: &register,
        lookup: &lookup,
        people: None,
        calendar: None,
    };
    Ok(validate::check_record(&cx, &doc, &record))
}

fn set(doc: &mut Mapping, field: &str, text: &str) {
    // The fields set here are a record's own, on a mapping arende built.
    let _ = document::set(doc, field, Value::String(text.to_owned()));
}

fn kinds(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    names.join(", ")
}
