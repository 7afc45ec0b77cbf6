//! Stage 5, check: every planned record checked before any is written (the
//! import is all or nothing), and turned into the file it will be written
//! as; the policy's rules are tallied for the summary.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::candidate::{Candidate, Key};
use super::error::{ImportError, RowError};
use super::matching::{Matched, Pair, Repo, Target};
use super::plan::{Plan, Planned, plan};
use super::summary::{PriorityDiff, RuleTally};
use super::{ImportOptions, Progress};
use crate::id::RecordId;
use crate::policy::Severity;
use crate::record::Record;
use crate::validate::{self, Lookup};
use crate::workspace::Context;
use crate::workspace::Entry;
use crate::yaml::{self, Value};

/// What the check stage hands on: no row failed.
pub(crate) struct Checked<'a> {
    pub rows: usize,
    /// One for each candidate, in input order.
    pub records: Vec<Ready<'a>>,
    pub priority_diffs: Vec<PriorityDiff>,
    /// Rules of the policy the records break, by rule.
    pub rules: Vec<RuleTally>,
}

/// A checked plan: a record to write is held as its path and text, and
/// nothing else of its row.
pub(crate) enum Ready<'a> {
    Create {
        id: RecordId,
        file: (PathBuf, Vec<u8>),
    },
    Update {
        id: RecordId,
        file: (PathBuf, Vec<u8>),
    },
    Unchanged(&'a Entry),
    Differs {
        id: RecordId,
    },
}

/// A checked plan, or the row's errors.
type Outcome<'a> = Result<(Ready<'a>, Option<PriorityDiff>), Vec<RowError>>;

/// What checking one record reads besides it.
struct Checker<'a> {
    cx: &'a Context<'a>,
    vcx: validate::Context<'a>,
    repo: &'a Repo<'a>,
    options: &'a ImportOptions,
    hits: Mutex<BTreeMap<String, RuleTally>>,
}

/// Plans and checks every candidate, in parallel; each row's candidate is
/// given back as soon as its record is text. Only the records some record
/// links to are planned first and kept whole, since the checks of a link
/// read the linked record. Every bad row of every stage is an error here.
pub(crate) fn check<'a>(
    cx: &Context<'_>,
    repo: &'a Repo<'a>,
    matched: Matched<'a>,
    options: &ImportOptions,
    input: &Path,
    progress: &dyn Progress,
) -> Result<Checked<'a>, ImportError> {
    let Matched {
        rows,
        pairs,
        errors,
    } = matched;
    let early = early_plans(cx, &pairs, options);
    let staged: HashMap<RecordId, &Value> = early
        .values()
        .filter_map(|p| match p {
            Ok((Plan::Create { id, doc } | Plan::Update { id, doc }, _)) => Some((id.clone(), doc)),
            _ => None,
        })
        .collect();
    let register = validate::StandardRegister::load(cx.ws)?;
    let lookup = ImportLookup {
        staged: &staged,
        root: cx.ws.root(),
        repo,
    };
    let checker = Checker {
        cx,
        vcx: validate::Context {
            policy: cx.ws.policy(),
            register: &register,
            lookup: &lookup,
            people: None,
            calendar: None,
        },
        repo,
        options,
        hits: Mutex::new(BTreeMap::new()),
    };
    progress.start("checking", pairs.len() as u64);
    let outcomes: Vec<Outcome<'a>> = pairs
        .into_par_iter()
        .enumerate()
        .map(|(i, pair)| {
            // A linked record was planned already; its plan is cloned, as
            // the plans of the records linking to it still read it.
            let planned = match early.get(&i) {
                Some(p) => p.clone(),
                None => plan(cx, &pair, options),
            };
            let out = planned.and_then(|(p, diff)| Ok((checker.ready(&pair, p)?, diff)));
            progress.advance(1);
            out
        })
        .collect();
    progress.finish();
    let (records, priority_diffs) = gather(outcomes, errors, input)?;
    Ok(Checked {
        rows,
        records,
        priority_diffs,
        rules: tallies(checker.hits),
    })
}

/// The checked records and the priorities that differ, if no row of any
/// stage failed; else every bad row, in file order.
fn gather<'a>(
    outcomes: Vec<Outcome<'a>>,
    mut errors: Vec<RowError>,
    input: &Path,
) -> Result<(Vec<Ready<'a>>, Vec<PriorityDiff>), ImportError> {
    let mut records = Vec::with_capacity(outcomes.len());
    let mut priority_diffs = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok((ready, diff)) => {
                priority_diffs.extend(diff);
                records.push(ready);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        return Ok((records, priority_diffs));
    }
    errors.sort_by(|a, b| (a.unit, a.row, &a.column).cmp(&(b.unit, b.row, &b.column)));
    errors.dedup();
    Err(ImportError::Rows {
        input: input.to_owned(),
        errors,
    })
}

/// The plans of the records some record links to, by the pair's place.
fn early_plans(
    cx: &Context<'_>,
    pairs: &[Pair<'_>],
    options: &ImportOptions,
) -> HashMap<usize, Planned> {
    let targets = link_targets(pairs);
    pairs
        .par_iter()
        .enumerate()
        .filter(|(_, p)| targets.contains(p.target.id()))
        .map(|(i, p)| (i, plan(cx, p, options)))
        .collect()
}

/// The records some record links to: those the input's rows name under
/// `links`, and those the repository's records that the rows update link
/// to. Only these are looked up while checking.
fn link_targets(pairs: &[Pair<'_>]) -> HashSet<RecordId> {
    fn ids_in(v: &Value, out: &mut HashSet<RecordId>) {
        match v {
            Value::String(s) => {
                if let Ok(id) = RecordId::parse(s) {
                    out.insert(id);
                }
            }
            Value::Sequence(items) => items.iter().for_each(|v| ids_in(v, out)),
            Value::Mapping(m) => m.values().for_each(|v| ids_in(v, out)),
            _ => {}
        }
    }
    let mut out = HashSet::new();
    for pair in pairs {
        for links in pair.candidate.fields.under("links") {
            ids_in(&links, &mut out);
        }
        if let Target::Existing(entry) = &pair.target {
            out.extend(entry.record.common.links.all().cloned());
        }
    }
    out
}

/// The tallies, each one's records as a person sees them: by ID, or by a
/// dry run's rows.
fn tallies(hits: Mutex<BTreeMap<String, RuleTally>>) -> Vec<RuleTally> {
    // A check thread that panicked leaves the tallies it had made.
    hits.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_values()
        .map(|mut t| {
            let mut rows: Vec<(String, RecordId, String)> = t
                .examples
                .into_iter()
                .zip(t.records)
                .zip(t.sources)
                .map(|((e, r), s)| (e, r, s))
                .collect();
            rows.sort();
            t.examples = Vec::with_capacity(rows.len());
            t.records = Vec::with_capacity(rows.len());
            t.sources = Vec::with_capacity(rows.len());
            for (e, r, s) in rows {
                t.examples.push(e);
                t.records.push(r);
                t.sources.push(s);
            }
            t
        })
        .collect()
}

impl Checker<'_> {
    /// Checks a plan's record and turns it into the file it will be
    /// written as (in a dry run, which writes nothing, without its text);
    /// the document is dropped here.
    fn ready<'e>(&self, pair: &Pair<'e>, plan: Plan) -> Result<Ready<'e>, Vec<RowError>> {
        let (id, doc, created) = match plan {
            Plan::Create { id, doc } => (id, doc, true),
            Plan::Update { id, doc } => (id, doc, false),
            Plan::Unchanged => {
                return Ok(match pair.target {
                    Target::Existing(entry) => Ready::Unchanged(entry),
                    Target::New(_) => unreachable!("only a record of the repository is unchanged"),
                });
            }
            Plan::Differs { id } => return Ok(Ready::Differs { id }),
        };
        let problems = self.problems(&pair.candidate, &id, &doc);
        if !problems.is_empty() {
            return Err(problems);
        }
        // A record the repository has is rewritten where it is; a new one
        // is filed in its month's folder.
        let rel = self
            .repo
            .get(&id)
            .map_or_else(|| self.cx.ws.store().rel_path(&id), |e| e.path.clone());
        let text = if self.options.dry_run {
            Vec::new()
        } else {
            doc.as_mapping()
                .map(yaml::to_string)
                .unwrap_or_default()
                .into_bytes()
        };
        let file = (rel, text);
        Ok(if created {
            Ready::Create { id, file }
        } else {
            Ready::Update { id, file }
        })
    }

    /// What blocks a record about to be written; rule findings that do not
    /// block go to the tally.
    fn problems(&self, c: &Candidate, id: &RecordId, doc: &Value) -> Vec<RowError> {
        let path = self.cx.ws.store().rel_path(id);
        let record = match Record::from_doc(&path, None, doc) {
            Ok(r) => r,
            Err(e) => return vec![c.error(e)],
        };
        let mut errors = Vec::new();
        if record.kind() != c.kind {
            errors.push(c.field_error(
                "kind",
                format!("{id} is a {}, not a {}", record.kind(), c.kind),
            ));
        }
        if let Some((index, message)) = validate::history_problem(self.cx.ws.policy(), &record) {
            errors.push(c.field_error(
                "history",
                format!("event {} of the history: {message}", index + 1),
            ));
        }
        for link in record.common.links.all() {
            if self.vcx.lookup.document(link).is_none() {
                errors.push(c.field_error(
                    &format!("links.{}", link.kind().link_key()),
                    format!("{link} is neither in the repository nor in this import"),
                ));
            }
        }
        for v in validate::check_record(&self.vcx, doc, &record) {
            let blocking = (v.rule == validate::checks::PERSONAL_NUMBER.id && !self.options.force)
                || (self.options.strict && v.severity == Severity::Error);
            if blocking {
                let help = v
                    .help
                    .as_deref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                errors.push(c.field_error(&v.field, format!("{} {}{help}", v.rule, v.message)));
            } else {
                self.tally(v, id, c);
            }
        }
        errors
    }

    fn tally(&self, v: validate::Violation, id: &RecordId, c: &Candidate) {
        let source = match &c.key {
            Key::Source(..) => format!("{} (row {})", c.key.describe(), c.row),
            Key::Id(_) => id.to_string(),
        };
        let example = match (&c.key, &c.keep_id) {
            (Key::Source(..), None) if self.options.dry_run => source.clone(),
            _ => id.to_string(),
        };
        if let Ok(mut hits) = self.hits.lock() {
            let t = hits.entry(v.rule.clone()).or_insert_with(|| RuleTally {
                rule: v.rule,
                severity: v.severity,
                message: v.message,
                records: Vec::new(),
                examples: Vec::new(),
                sources: Vec::new(),
            });
            t.records.push(id.clone());
            t.examples.push(example);
            t.sources.push(source);
        }
    }
}

/// The records a link check reads: those the import makes, as staged, and
/// the repository's, read from their files when asked for.
struct ImportLookup<'a> {
    staged: &'a HashMap<RecordId, &'a Value>,
    root: &'a Path,
    repo: &'a Repo<'a>,
}

impl Lookup for ImportLookup<'_> {
    fn document(&self, id: &RecordId) -> Option<Value> {
        match self.staged.get(id) {
            Some(doc) => Some((*doc).clone()),
            None => {
                let entry = self.repo.get(id)?;
                crate::workspace::read_entry(self.root, &entry.path)
                    .ok()
                    .map(|(e, _)| e.doc)
            }
        }
    }
}
