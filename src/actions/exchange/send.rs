//! `arende send`: a record to a partner's intake branch.

use super::super::edit::{Edit, land};
use super::super::{Outcome, append_event, load_for_rewrite};
use super::fetch_partner;
use crate::error::{Error, Result};
use crate::exchange::sync::sent_to;
use crate::exchange::{self, Partner, outgoing};
use crate::id::RecordId;
use crate::record::{Disposition, Event, Remote};
use crate::store::remote;
use crate::validate::Violation;
use crate::workspace::Context;
use crate::yaml;
use git2::Oid;

/// What `send` did.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The intake branch in the partner's repository.
    pub branch: String,
    /// The commit pushed to it, if anything was pushed.
    pub pushed: Option<Oid>,
    /// Why nothing was pushed, if so.
    pub unchanged: Option<String>,
    /// What the partner's pack finds in the report.
    pub findings: Vec<Violation>,
    /// The record here, with the event saying it was sent.
    pub outcome: Option<Outcome>,
}

/// Sends our record `id` to `partner`'s intake: the report, cut to the
/// profile and translated to the partner's pack, on the branch
/// `intake/<our party>/<ID>`. Sending the same again pushes nothing; a
/// changed record, or one the partner refused, goes again on the same
/// branch. A report the partner took (its branch is gone) goes again only
/// with `again`.
pub fn send(cx: &Context<'_>, partner: &str, id: &RecordId, again: bool) -> Result<Sent> {
    let root = cx.ws.root();
    let config = cx.ws.store().config();
    let partner = Partner::named(root, config, partner)?;
    let our_party = exchange::our_party(root, config)?;
    let owner = exchange::our_owner(config);
    let mut tx = cx.ws.begin()?;
    let loaded = load_for_rewrite(cx.ws, &mut tx, id)?;
    let doc = loaded.doc.as_mapping().cloned().unwrap_or_default();
    let report = outgoing::report(
        cx.ws,
        &partner,
        &our_party,
        owner.as_deref(),
        &doc,
        &loaded.record,
        &cx.now,
    )?;
    fetch_partner(root, &partner, &our_party)?;
    let bytes = yaml::to_string(&report.doc).into_bytes();
    let local = format!("{}{}", partner.intake_refs(), id);
    let waiting = remote::ref_commit(root, &local)?;
    let limit = bytes.len().max(1 << 20);
    let parent = match waiting {
        Some(tip) => {
            let there = remote::blob_at(root, tip, &report.path, limit)?;
            if there.as_deref() == Some(&bytes[..]) {
                return Ok(unchanged(
                    report,
                    "it waits unchanged for the partner's intake",
                ));
            }
            tip
        }
        None => {
            if sent_to(&loaded.record.common.history, &partner.name) && !again {
                return Ok(unchanged(
                    report,
                    "it was sent before and its intake branch is gone (the partner took it); `arende sync` reads the partner's answer, --again sends it anew",
                ));
            }
            remote::ref_commit(root, &partner.head_ref())?.ok_or_else(|| Error::Remote {
                url: partner.address.shown(),
                message: format!("the partner has no branch `{}`", partner.branch),
                help: format!(
                    "name the partner's branch of records: `branch:` under exchange.partners.{}",
                    partner.name
                ),
            })?
        }
    };
    let message = format!(
        "{}: {} {id} from {our_party} for intake",
        report.branch,
        loaded.record.kind()
    );
    let commit = remote::commit_files(
        root,
        parent,
        &[(report.path.clone(), bytes)],
        &message,
        &cx.author,
        &cx.now,
    )?;
    remote::push(
        root,
        &partner.address,
        &[format!("{commit}:refs/heads/{}", report.branch)],
    )?;
    remote::set_ref(root, &local, commit, "arende send")?;
    let mut doc = loaded.doc.clone();
    let event = Event {
        remote: Some(Remote {
            partner: partner.name.clone(),
            party: partner.party.clone(),
            record: report.branch.clone(),
            at: cx.now,
            commit: commit.to_string(),
            status: None,
            group: None,
            person: None,
            reply: false,
            verdict: Some(Disposition::Sent),
        }),
        ..super::super::event(
            cx,
            None,
            Some(format!("sent to {} for intake", partner.name)),
            Vec::new(),
        )
    };
    append_event(&mut doc, &event);
    let message = format!("{id}: sent to {} ({})", partner.name, report.branch);
    let outcome = land(
        cx,
        tx,
        vec![Edit::of(cx, &loaded, doc)?],
        &message,
        &[],
        Vec::new(),
    )?;
    Ok(Sent {
        branch: report.branch,
        pushed: Some(commit),
        unchanged: None,
        findings: report.findings,
        outcome: Some(outcome),
    })
}

fn unchanged(report: outgoing::Report, why: &str) -> Sent {
    Sent {
        branch: report.branch,
        pushed: None,
        unchanged: Some(why.to_owned()),
        findings: report.findings,
        outcome: None,
    }
}
