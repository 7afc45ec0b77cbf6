//! Exchange with partner organisations: `send` a record to a partner's
//! intake, `intake` (file or refuse) what partners sent here, and `sync`
//! what partners did on the records both sides hold. Each lands through
//! the edit path, so a record here is checked as any command's would be;
//! the partner's repository is written only by a push of a branch made
//! from git objects.

mod intake;
mod partner;
mod send;
mod sync;

use std::path::Path;

pub use intake::{Handled, IntakeState, State, accept, intakes, refuse};
pub use partner::{PartnerAdded, add_partner};
pub use send::{Sent, send};
pub use sync::{Synced, sync};

use crate::error::Result;
use crate::exchange::Partner;
use crate::store::remote;

/// Fetches the partner's branch of records and our intake branches there.
pub(super) fn fetch_partner(root: &Path, partner: &Partner, our_party: &str) -> Result<()> {
    remote::fetch(
        root,
        &partner.address,
        &[
            format!("+refs/heads/{}:{}", partner.branch, partner.head_ref()),
            format!(
                "+refs/heads/intake/{our_party}/*:{}*",
                partner.intake_refs()
            ),
        ],
    )
}
