//! The process exit codes of SPEC §4, and which one each error of the
//! library ends a command with: the library says what went wrong, the
//! command line decides what that means for a script.

use arende::error::Error;

/// The process exit codes of SPEC §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Success.
    Ok = 0,
    /// The records break rules (validation, `--check`, review, a refused transition).
    RulesBroken = 1,
    /// Bad usage or bad input.
    BadInput = 2,
    /// The repository or the filesystem failed.
    Environment = 3,
}

/// The exit code SPEC §4 gives a command that ends with `error`.
pub fn of(error: &Error) -> ExitCode {
    match error {
        Error::Refused { .. } => ExitCode::RulesBroken,
        Error::Yaml { .. }
        | Error::Field { .. }
        | Error::TooLarge { .. }
        | Error::NotUtf8 { .. }
        | Error::MergeConflict { .. }
        | Error::Symlink { .. }
        | Error::SymlinkFolder { .. }
        | Error::NotAFile { .. }
        | Error::CommentWouldBeLost { .. }
        | Error::Config { .. }
        | Error::BadId { .. }
        | Error::UnknownId { .. }
        | Error::NoMatch { .. }
        | Error::AmbiguousId { .. }
        | Error::EventBeforeLast { .. }
        | Error::Usage { .. }
        | Error::RecordTwice { .. }
        | Error::NoAuthor => ExitCode::BadInput,
        Error::NotARepository { .. }
        | Error::NoGit { .. }
        | Error::Io { .. }
        | Error::Git { .. }
        | Error::Remote { .. }
        | Error::IndexUnreadable { .. }
        | Error::BranchMoved { .. }
        | Error::TooManyObjects { .. }
        | Error::Locked { .. }
        | Error::GitLocked { .. }
        | Error::GitState { .. } => ExitCode::Environment,
    }
}
