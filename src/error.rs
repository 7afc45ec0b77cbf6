//! Typed errors of the library. The CLI renders them with miette and
//! chooses each one's exit code (SPEC §4); where one comes from a file, it
//! carries the file's text so the report can point at the offending line.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A place in a file, for a labelled span in the report.
#[derive(Debug, Clone)]
pub struct FileSpan {
    /// The file's text, shown around the span.
    pub source: NamedSource<String>,
    /// Byte offset and length of the offending text.
    pub span: SourceSpan,
    /// 1-based line of the span.
    pub line: usize,
    /// 1-based column of the span.
    pub column: usize,
}

impl FileSpan {
    /// A span at a 1-based line and column of `text`.
    pub fn at(path: &Path, text: &str, line: usize, column: usize, len: usize) -> Self {
        let offset = offset_of(text, line, column);
        let len = len.min(text.len().saturating_sub(offset));
        FileSpan {
            source: NamedSource::new(path.display().to_string(), text.to_owned()),
            span: (offset, len).into(),
            line,
            column,
        }
    }
}

/// Byte offset of a 1-based line and column in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1);
            return offset + l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

impl miette::SourceCode for FileSpan {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> std::result::Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        self.source
            .read_span(span, context_lines_before, context_lines_after)
    }
}

/// Everything that can go wrong in arende's library core.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// The file is not well-formed YAML.
    #[error("{place}not valid YAML: {message}", place = match .at { Some(s) => format!("{}:{}:{}: ", .path.display(), s.line, s.column), None => format!("{}: ", .path.display()) })]
    #[diagnostic(
        code("arende::yaml"),
        help(
            "fix the YAML syntax at that place; `arende show` prints a record as the tool would write it"
        )
    )]
    Yaml {
        path: PathBuf,
        message: String,
        #[source_code]
        at: Option<FileSpan>,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    /// A field has a value of the wrong type or outside its allowed set.
    #[error("{place}field `{field}`: {message}", place = match .at { Some(s) => format!("{}:{}: ", .path.display(), s.line), None => format!("{}: ", .path.display()) })]
    #[diagnostic(code("arende::field"))]
    Field {
        path: PathBuf,
        field: String,
        message: String,
        #[help]
        help: Option<String>,
        #[source_code]
        at: Option<FileSpan>,
        #[label("this value")]
        span: Option<SourceSpan>,
    },

    /// The file is larger than arende reads: a record, or one of the
    /// repository's own files (`arende.yaml`, `.gitattributes`, `policy/`).
    #[error("{}: {size} bytes is larger than the {limit} bytes arende reads from such a file", .path.display())]
    #[diagnostic(
        code("arende::too_large"),
        help(
            "a record is a page of text, and arende.yaml, .gitattributes and the policy files a few screens: a file this large is a mistake or was planted; shorten it, and keep bulk data such as measurements in a CSV file a record refers to"
        )
    )]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },

    /// The file is not UTF-8.
    #[error("{}:{line}: not valid UTF-8 text", .path.display())]
    #[diagnostic(code("arende::encoding"), help("save the file as UTF-8"))]
    NotUtf8 { path: PathBuf, line: usize },

    /// The file holds git conflict markers.
    #[error("{}:{line}: unresolved merge conflict (conflict markers in the file)", .path.display())]
    #[diagnostic(
        code("arende::merge_conflict"),
        help(
            "resolve the conflict, keep one version of each field, and remove the <<<<<<< ======= >>>>>>> lines"
        )
    )]
    MergeConflict { path: PathBuf, line: usize },

    /// A record, or a file of the repository's own that arende reads
    /// (`arende.yaml`, `.gitattributes`, a policy file), is a symbolic link,
    /// which could point out of the repository or at a FIFO or device.
    #[error("{}: is a symbolic link; arende reads and writes only regular files inside the repository", .path.display())]
    #[diagnostic(
        code("arende::symlink"),
        help(
            "replace the link with a regular file holding what it should (a copy of the file it points to), and commit that"
        )
    )]
    Symlink { path: PathBuf },

    /// A folder on the way to a record or a policy file is a symbolic link.
    #[error("{}: is a symbolic link; arende does not read or write through a linked folder", .path.display())]
    #[diagnostic(
        code("arende::symlink_folder"),
        help(
            "make it a real folder inside the repository: remove the link and put the files it should hold (records, policy files) into a folder of that name"
        )
    )]
    SymlinkFolder { path: PathBuf },

    /// A record path, or a file of the repository's own, names something
    /// that is not a regular file (a FIFO, a device, a socket, a folder),
    /// which reading could block on or misread.
    #[error("{}: is {what}, not a regular file; arende does not open it", .path.display())]
    #[diagnostic(
        code("arende::not_a_file"),
        help(
            "remove it, or put the regular file that belongs there (the record's YAML, arende.yaml, .gitattributes, the policy file) in its place"
        )
    )]
    NotAFile { path: PathBuf, what: &'static str },

    /// A rewrite would drop a comment a person wrote.
    #[error("{}:{line}: has a comment that rewriting the file would lose; arende will not change it", .path.display())]
    #[diagnostic(
        code("arende::comment"),
        help(
            "move the comment into `description` or a history note (`--note`), or edit the file by hand"
        )
    )]
    CommentWouldBeLost { path: PathBuf, line: usize },

    /// No record repository was found.
    #[error("{}: not inside an arende repository (no arende.yaml here or in any parent folder)", .dir.display())]
    #[diagnostic(
        code("arende::not_a_repo"),
        help("run `arende init` to make one, or point at one with -C DIR or ARENDE_DIR")
    )]
    NotARepository { dir: PathBuf },

    /// A writing command needs git, and there is no git repository.
    #[error("{}: the record repository is not in a git repository", .dir.display())]
    #[diagnostic(
        code("arende::no_git"),
        help("run `git init` there (or `arende init`), or use --no-commit")
    )]
    NoGit { dir: PathBuf },

    /// The repository configuration is broken.
    #[error("{}: {message}", .path.display())]
    #[diagnostic(code("arende::config"))]
    Config {
        path: PathBuf,
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A string that is not a record ID.
    #[error("`{input}` is not a record ID ({reason})")]
    #[diagnostic(
        code("arende::bad_id"),
        help(
            "IDs look like INC-20261122-K7QF2M: a kind prefix (INC, PRB, CHG, REL, SR, CI, CAP), a date and a code"
        )
    )]
    BadId { input: String, reason: String },

    /// No record has this ID.
    #[error("no record {id} in this repository (looked for {})", .path.display())]
    #[diagnostic(
        code("arende::unknown_id"),
        help("`arende list` shows the records there are")
    )]
    UnknownId { id: String, path: PathBuf },

    /// A typed ID, part of an ID or path that names no record.
    #[error("no record matches `{input}`")]
    #[diagnostic(code("arende::no_match"))]
    NoMatch {
        input: String,
        #[help]
        help: String,
    },

    /// A part of an ID that more than one record ends with.
    #[error("`{input}` could be any of {}", .candidates.join(", "))]
    #[diagnostic(
        code("arende::ambiguous_id"),
        help("type more of the ID: the whole ID, or enough of its end to tell them apart")
    )]
    AmbiguousId {
        input: String,
        candidates: Vec<String>,
    },

    /// A change whose history event would come before the record's last
    /// one: the history is kept in time order (REC004).
    #[error("{id}: the new event at {at} would come before the record's last event, {last}")]
    #[diagnostic(code("arende::event_order"))]
    EventBeforeLast {
        id: String,
        at: String,
        last: String,
        #[help]
        help: String,
    },

    /// A bad argument that clap could not catch.
    #[error("{message}")]
    #[diagnostic(code("arende::usage"))]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A request the policy refuses (illegal status jump, unmet precondition).
    #[error("{message}")]
    #[diagnostic(code("arende::refused"))]
    Refused {
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A filesystem operation failed.
    #[error("{}: {source}", .path.display())]
    #[diagnostic(
        code("arende::io"),
        help("check that {} is there and that you may read and write it (permissions, a full disk), then run the command again", .path.display())
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A git operation failed: libgit2's error whole, with its class and
    /// code, for the chain of causes.
    #[error("git: {}", .source.0.message())]
    #[diagnostic(
        code("arende::git"),
        help("nothing was changed; check `git status` and try again")
    )]
    Git {
        #[source]
        source: Libgit2,
    },

    /// Git could not reach, read or update another repository (a partner's,
    /// or this one's own remote).
    #[error("git: {url}: {message}")]
    #[diagnostic(code("arende::remote"))]
    Remote {
        url: String,
        message: String,
        #[help]
        help: String,
    },

    /// Git's index could not be read.
    #[error("git: the index could not be read: {}", .source.0.message())]
    #[diagnostic(
        code("arende::git_index"),
        help(
            "nothing was changed; run `git status`: if git cannot read the index either, it says why"
        )
    )]
    IndexUnreadable {
        #[source]
        source: Libgit2,
    },

    /// The branch moved under a commit, by commits that changed the same files.
    #[error(
        "git: {branch} moved while arende was writing, by commits that changed the same files; nothing was changed"
    )]
    #[diagnostic(
        code("arende::branch_moved"),
        help("run the command again: it starts from where the branch is now")
    )]
    BranchMoved { branch: String },

    /// More objects for one commit than a pack file can count.
    #[error("git: {count} objects are more than one pack holds")]
    #[diagnostic(
        code("arende::too_many_objects"),
        help("nothing was changed; write the records in several commits (an import in parts)")
    )]
    TooManyObjects { count: usize },

    /// Another arende command holds the repository lock, and kept it past the wait.
    #[error("{}: locked by another arende command; gave up after waiting {waited_secs} s", .path.display())]
    #[diagnostic(
        code("arende::locked"),
        help(
            "run the command again when the other one has finished; the lock is the operating system's and ends with the process holding it, so it is never stale (`fuser {}` names that process)", .path.display()
        )
    )]
    Locked { path: PathBuf, waited_secs: f64 },

    /// A git lock file is in the way: git or arende is writing, or was killed while it did.
    #[error("{}: git's lock file is there, so another git or arende process is writing, or one was killed while it did; nothing was changed", .path.display())]
    #[diagnostic(
        code("arende::git_locked"),
        help("if no git or arende process is running, delete {} and run the command again", .path.display())
    )]
    GitLocked { path: PathBuf },

    /// No author for the commit.
    #[error("no author for the commit: git has no user.name/user.email and no --author was given")]
    #[diagnostic(
        code("arende::no_author"),
        help(
            "pass --author \"Name <email>\", set ARENDE_AUTHOR, or run `git config user.name` and `git config user.email`"
        )
    )]
    NoAuthor,

    /// The git repository is in a state arende does not commit in (a
    /// rebase or merge in progress, a detached HEAD, an index format
    /// libgit2 cannot write).
    #[error("{message}; nothing was changed")]
    #[diagnostic(code("arende::git_state"))]
    GitState {
        message: String,
        #[help]
        help: String,
    },

    /// A record is in two files: HEAD or the working tree has it at a path
    /// besides the one being written.
    #[error("{id} is in two files, {} and {}; nothing was changed", .path.display(), .other.display())]
    #[diagnostic(
        code("arende::record_twice"),
        help("keep one: `git rm {}` if {} is the one to keep, then run the command again", .other.display(), .path.display())
    )]
    RecordTwice {
        id: String,
        path: PathBuf,
        other: PathBuf,
    },
}

impl Error {
    /// A field error, pointing into the file where there is one. Without a
    /// help of its own, it gets one naming the field and where its type is.
    pub fn field(
        path: impl Into<PathBuf>,
        field: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
        at: Option<FileSpan>,
    ) -> Self {
        let span = at.as_ref().map(|a| a.span);
        let path = path.into();
        let field = field.into();
        let help = filled(help).or_else(|| {
            Some(format!(
                "correct `{field}` in {} as the message says; `arende schema KIND` prints the type each field takes",
                path.display()
            ))
        });
        Error::Field {
            path,
            field,
            message: message.into(),
            help,
            at,
            span,
        }
    }

    /// A usage error with a hint; without one, it points at `--help`.
    pub fn usage(message: impl Into<String>, help: impl Into<Option<String>>) -> Self {
        Error::Usage {
            message: message.into(),
            help: filled(help.into()).or_else(|| {
                Some(
                    "`arende help COMMAND` (or `arende COMMAND --help`) shows what a command takes"
                        .to_owned(),
                )
            }),
        }
    }

    /// A refusal with a hint; without one, it points at the rules.
    pub fn refused(message: impl Into<String>, help: impl Into<Option<String>>) -> Self {
        Error::Refused {
            message: message.into(),
            help: filled(help.into()).or_else(|| {
                Some("mend what the message names; `arende policy show` lists the rules and what each asks".to_owned())
            }),
        }
    }

    /// An I/O failure on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// A help that says something, or none.
fn filled(help: Option<String>) -> Option<String> {
    help.filter(|h| !h.trim().is_empty())
}

/// libgit2's error kept whole. The error's own line gives its message; as
/// a cause it names what the message does not: libgit2's class and code.
#[derive(Debug)]
pub struct Libgit2(pub git2::Error);

impl std::fmt::Display for Libgit2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "libgit2: class {:?}, code {:?}",
            self.0.class(),
            self.0.code()
        )
    }
}

impl std::error::Error for Libgit2 {}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::Git { source: Libgit2(e) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant; the match in `every_variant_is_sampled` makes a
    /// new variant fail to compile until it is added here.
    fn samples() -> Vec<Error> {
        let p = PathBuf::from("incidents/INC-20261122-K7QF2M.yaml");
        let mut samples = vec![
            Error::Yaml {
                path: p.clone(),
                message: "did not find expected key".into(),
                at: None,
                span: None,
            },
            Error::field(&p, "priority", "7 is not a priority", None, None),
            Error::field(
                &p,
                "priority",
                "7 is not a priority",
                Some(" ".into()),
                None,
            ),
            Error::TooLarge {
                path: p.clone(),
                size: 2,
                limit: 1,
            },
            Error::NotUtf8 {
                path: p.clone(),
                line: 1,
            },
            Error::MergeConflict {
                path: p.clone(),
                line: 1,
            },
            Error::Symlink { path: p.clone() },
            Error::SymlinkFolder { path: p.clone() },
            Error::NotAFile {
                path: p.clone(),
                what: "a FIFO",
            },
            Error::CommentWouldBeLost {
                path: p.clone(),
                line: 1,
            },
            Error::NotARepository { dir: p.clone() },
            Error::NoGit { dir: p.clone() },
            Error::Config {
                path: p.clone(),
                message: "bad".into(),
                help: Some("fix arende.yaml".into()),
            },
            Error::usage("bad", None),
            Error::usage("bad", Some(String::new())),
            Error::refused("no", None),
            Error::io(&p, std::io::Error::other("disk full")),
            Error::Git {
                source: Libgit2(git2::Error::from_str("bad object")),
            },
            Error::IndexUnreadable {
                source: Libgit2(git2::Error::from_str("bad index")),
            },
            Error::Remote {
                url: "../inera.git".into(),
                message: "repository not found".into(),
                help: "check the partner's url".into(),
            },
            Error::BranchMoved {
                branch: "main".into(),
            },
            Error::TooManyObjects { count: 1 << 33 },
            Error::Locked {
                path: p.clone(),
                waited_secs: 1.0,
            },
            Error::GitLocked { path: p.clone() },
            Error::NoAuthor,
            Error::GitState {
                message: "a rebase is in progress".into(),
                help: "finish it".into(),
            },
            Error::RecordTwice {
                id: "INC-20261122-K7QF2M".into(),
                path: p.clone(),
                other: p.clone(),
            },
        ];
        samples.extend(typed_samples());
        samples
    }

    /// The errors of what a person types: IDs, and times in order.
    fn typed_samples() -> Vec<Error> {
        vec![
            Error::BadId {
                input: "X".into(),
                reason: "too short".into(),
            },
            Error::UnknownId {
                id: "INC-20261122-K7QF2M".into(),
                path: PathBuf::from("incidents/INC-20261122-K7QF2M.yaml"),
            },
            Error::NoMatch {
                input: "K7QF2X".into(),
                help: "`arende list` shows the records there are".into(),
            },
            Error::AmbiguousId {
                input: "K7QF2M".into(),
                candidates: vec!["INC-20261122-K7QF2M".into(), "CI-K7QF2M".into()],
            },
            Error::EventBeforeLast {
                id: "INC-20261122-K7QF2M".into(),
                at: "2026-11-20T10:00:00+01:00".into(),
                last: "2026-11-22T09:30:00+01:00".into(),
                help: "give a later --now".into(),
            },
        ]
    }

    fn variant(e: &Error) -> usize {
        match e {
            Error::Yaml { .. } => 0,
            Error::Field { .. } => 1,
            Error::TooLarge { .. } => 2,
            Error::NotUtf8 { .. } => 3,
            Error::MergeConflict { .. } => 4,
            Error::Symlink { .. } => 5,
            Error::SymlinkFolder { .. } => 6,
            Error::NotAFile { .. } => 7,
            Error::CommentWouldBeLost { .. } => 8,
            Error::NotARepository { .. } => 9,
            Error::NoGit { .. } => 10,
            Error::Config { .. } => 11,
            Error::BadId { .. } => 12,
            Error::UnknownId { .. } => 13,
            Error::Usage { .. } => 14,
            Error::Refused { .. } => 15,
            Error::Io { .. } => 16,
            Error::Git { .. } => 17,
            Error::Locked { .. } => 18,
            Error::GitLocked { .. } => 19,
            Error::NoAuthor => 20,
            Error::GitState { .. } => 21,
            Error::RecordTwice { .. } => 22,
            Error::IndexUnreadable { .. } => 23,
            Error::BranchMoved { .. } => 24,
            Error::TooManyObjects { .. } => 25,
            Error::NoMatch { .. } => 26,
            Error::AmbiguousId { .. } => 27,
            Error::EventBeforeLast { .. } => 28,
            Error::Remote { .. } => 29,
        }
    }

    #[test]
    fn every_variant_is_sampled() {
        let seen: std::collections::BTreeSet<usize> = samples().iter().map(variant).collect();
        assert_eq!(seen, (0..=29).collect());
    }

    #[test]
    fn every_error_says_how_to_fix_it() {
        for e in samples() {
            let help = Diagnostic::help(&e)
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(!help.trim().is_empty(), "{e:?} has no help");
        }
        let e = Error::field("a.yaml", "class", "bad", None, None);
        let help = Diagnostic::help(&e).unwrap().to_string();
        assert!(
            help.contains("`class`") && help.contains("a.yaml"),
            "{help}"
        );
    }
}
