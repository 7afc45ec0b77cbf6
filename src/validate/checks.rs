//! The checks that are not rules of any agreement but of the repository
//! itself: files that cannot be read, IDs, links, cycles, and personal
//! identity numbers. Each has a stable ID and a descriptor, like a pack rule,
//! so `arende policy explain` and `docs/policies.md` cover them too.

use crate::error::Error;
use crate::policy::Severity;

/// The descriptor of a built-in check.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Stable ID.
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// What it checks, in one line.
    pub title: &'static str,
    /// Why it exists.
    pub why: &'static str,
}

/// Declares checks, their `ALL` table and a `find` by ID over it; `validate`
/// declares its checks here, `review` its own in its module, so each owns
/// its table and neither lists the other's.
macro_rules! checks {
    ($($name:ident = $id:literal, $sev:ident, $title:literal, $why:literal;)+) => {
        $(
            #[doc = $title]
            pub const $name: $crate::validate::checks::Check = $crate::validate::checks::Check {
                id: $id,
                severity: $crate::policy::Severity::$sev,
                title: $title,
                why: $why,
            };
        )+
        /// Every check declared here.
        pub const ALL: &[$crate::validate::checks::Check] = &[$($name),+];

        /// The check declared here with this ID, in any case.
        pub fn find(id: &str) -> Option<$crate::validate::checks::Check> {
            ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
        }
    };
}

pub(crate) use checks;

checks! {
    UNREADABLE = "REC001", Error, "The file can be read as a YAML record",
        "A file that is not UTF-8, is too large, is a symbolic link or is not valid YAML holds no record anyone can trust.";
    MERGE_CONFLICT = "REC002", Error, "The file has no unresolved merge conflict",
        "Conflict markers left by git mean two versions of a record were never reconciled.";
    SCHEMA = "REC003", Error, "Every field has the type and values of the record model",
        "The field names and values of SPEC §2 are the contract between people, scripts and the rules.";
    HISTORY = "REC004", Error, "The history walks the status machine, in time order, to the record's status",
        "SLA clocks and audits read the history; one that skips a move the policy forbids, goes back in time or ends elsewhere than the status hides what happened.";
    PARTY = "REC005", Error, "Every party named is a party of the policy, and every approval a step it declares",
        "Rules are keyed on parties and approval steps; a typo in either switches those rules off without a word.";
    NEAR_MISS = "REC006", Warning, "No key of a record is a slip of the name of a field of its kind (`impcat` for `impact`)",
        "arende keeps keys it does not know, so a mistyped field is kept as one of the owner's own, and the field it meant stays empty to every rule that reads it, silently.";
    DUPLICATE_ID = "REPO001", Error, "No two records share an ID",
        "IDs name records in links, commits and conversations; a duplicate makes them ambiguous.";
    FILE_NAME = "REPO002", Error, "A record's file name is its ID, in its kind's folder",
        "Commands find a record by its ID alone; a record filed elsewhere is invisible to them.";
    DANGLING_LINK = "REPO003", Error, "Every link points at a record that exists",
        "A link to nothing breaks the trail from incident to problem to change to release.";
    ONE_WAY_LINK = "REPO004", Error, "Links go both ways",
        "`arende link` links both ways; a one-way link was made by hand and half of it is missing.";
    DEPENDENCY_CYCLE = "REPO005", Error, "Configuration items do not depend on themselves through others",
        "A cycle of dependencies cannot be a real system's structure and hides the true order of impact.";
    TOO_MANY_DEPLOYED = "REPO006", Error, "No more version packages (X.Y, with their internal X.Y.Z releases) are deployed at once than the policy allows",
        "E-hälsomyndigheten runs two versions of the service platform in production in parallel (seed 003, Releasehantering).";
    PEOPLE = "PEO001", Error, "The people registry names parties and teams that exist, each handle, address and key once, and keys that are keys",
        "Approvals name the person who decided and are checked against the commits and keys that made them; a registry with an unknown party, an address claimed by two people or a damaged key cannot tell who that was.";
    APPROVER = "APR001", Error, "An approval that names a person names one who acts for its party and whom the step's segregation of duties does not bar",
        "An approval is evidence of who decided: one given by a person outside the approving party, or by the person who asked for what is approved, is no decision (000 §3.4, 002's G: andra Partens godkännande).";
    APPROVAL_HISTORY = "APR002", Error, "An approval in force was added by a commit of the person it names, who acts for its party, signed with their key where the repository asks for signatures",
        "A line in a file proves nothing of who wrote it; the commit that added the approval, its author and its signature do (validate --verify-approvals).";
    ASSIGNEE = "ASG003", Error, "An assignment names a team of the people registry and, if a person, a member of it",
        "A queue is read by team and person; a team no one knows or a person outside it puts the ticket in nobody's queue (002 §2.2 task 7, tilldela ansvar).";
    WAIVERS = "WAI001", Error, "The waivers file (policy/waivers.yaml) is a list of waivers, each with record, rule, reason, who and when",
        "A waiver accepts an error of one record for good; a file that cannot be read as waivers accepts nothing, and the errors it meant to accept fail validation without saying why.";
    STALE_WAIVER = "WAI002", Warning, "Every waiver accepts an error that stands",
        "A waiver whose error was mended, or whose record or rule is gone, would silently accept the same error should it come back; removing it keeps the file true.";
    PERSONAL_NUMBER = "SEC001", Error, "No Swedish personal identity number in any text",
        "Ticket text is shared with suppliers and kept forever in git; personnummer and samordningsnummer must not be in it.";
}

/// The check a file-level error belongs to.
pub fn for_error(e: &Error) -> Check {
    match e {
        Error::MergeConflict { .. } => MERGE_CONFLICT,
        Error::Field { .. } => SCHEMA,
        _ => UNREADABLE,
    }
}
