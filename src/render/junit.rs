//! JUnit XML, for CI systems that show test reports: one test case per
//! record file checked. A file that breaks error rules is a failing test
//! case (one `<failure>` listing every error); a file that could not be
//! read at all is an erroring one (`<error>`); warnings, and errors a
//! waiver accepts, are output.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::xml;
use crate::policy::Severity;
use crate::validate::{Finding, Report, checks};

/// How one record file fared.
enum Outcome<'a> {
    Passed,
    Failed(Vec<&'a Finding>),
    Errored(Vec<&'a Finding>),
}

fn unreadable(f: &Finding) -> bool {
    f.rule == checks::UNREADABLE.id || f.rule == checks::MERGE_CONFLICT.id
}

fn place(f: &Finding) -> String {
    match f.line {
        Some(l) => format!("{}:{l}:{}", f.path.display(), f.column.unwrap_or(1)),
        None => f.path.display().to_string(),
    }
}

fn body(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(out, "{} [{}]: {}", place(f), f.rule, f.message);
        if let Some(w) = &f.waived {
            let _ = writeln!(out, "  {}", w.describe());
        }
        if let Some(h) = &f.help {
            let _ = writeln!(out, "  {h}");
        }
        if let Some(c) = &f.clause {
            let _ = writeln!(out, "  {c}");
        }
    }
    out
}

/// One record file's test case: how it fared, and its warnings, which
/// never fail it.
struct Case<'a> {
    path: &'a Path,
    outcome: Outcome<'a>,
    warnings: Vec<&'a Finding>,
    waived: Vec<&'a Finding>,
}

impl<'a> Case<'a> {
    /// The case of one file checked: erroring if any of its errors says
    /// the file could not be read, failing if it has other errors.
    fn of(report: &'a Report, path: &'a Path) -> Case<'a> {
        let mine: Vec<&Finding> = report.findings.iter().filter(|f| f.path == path).collect();
        let errors: Vec<&Finding> = mine.iter().copied().filter(|f| f.is_error()).collect();
        let waived: Vec<&Finding> = mine
            .iter()
            .copied()
            .filter(|f| f.waived.is_some())
            .collect();
        let warnings: Vec<&Finding> = mine
            .iter()
            .copied()
            .filter(|f| f.severity == Severity::Warning)
            .collect();
        let outcome = if errors.iter().any(|f| unreadable(f)) {
            Outcome::Errored(errors)
        } else if errors.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Failed(errors)
        };
        Case {
            path,
            outcome,
            warnings,
            waived,
        }
    }
}

/// The validation report as a JUnit document. `elapsed` is how long the
/// validation took: the files are checked together, in parallel, so the
/// suite carries the time and each test case its share of it.
pub fn report(report: &Report, elapsed: Duration) -> String {
    let cases: Vec<Case<'_>> = report
        .checked
        .iter()
        .map(|path| Case::of(report, path))
        .collect();
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
        .count();
    let errors = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Errored(_)))
        .count();
    let total = elapsed.as_secs_f64();
    let each = if cases.is_empty() {
        0.0
    } else {
        total / cases.len() as f64
    };
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{total:.3}\"",
        cases.len()
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"arende validate\" {counts}>");
    let _ = writeln!(out, "  <testsuite name=\"arende validate\" {counts}>");
    for case in &cases {
        testcase(&mut out, case, each);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A `<testcase>`: empty if the file passed without warnings; else with
/// one `<failure>` or `<error>` that names the first finding and lists
/// them all, and the warnings as its output.
fn testcase(out: &mut String, case: &Case<'_>, each: f64) {
    let name = xml::attr(&case.path.display().to_string());
    let open = format!("    <testcase classname=\"records\" name=\"{name}\" time=\"{each:.3}\"");
    let (tag, list) = match &case.outcome {
        Outcome::Passed if case.warnings.is_empty() && case.waived.is_empty() => {
            let _ = writeln!(out, "{open}/>");
            return;
        }
        Outcome::Passed => ("", &Vec::new()),
        Outcome::Failed(l) => ("failure", l),
        Outcome::Errored(l) => ("error", l),
    };
    let _ = writeln!(out, "{open}>");
    if let Some(first) = list.first() {
        let message = if list.len() == 1 {
            first.message.clone()
        } else {
            format!("{} (and {} more)", first.message, list.len() - 1)
        };
        let _ = writeln!(
            out,
            "      <{tag} type=\"{}\" message=\"{}\">{}</{tag}>",
            xml::attr(&first.rule),
            xml::attr(&message),
            xml::text(&body(list))
        );
    }
    let mut output = String::new();
    if !case.warnings.is_empty() {
        output.push_str(&format!("warnings:\n{}", body(&case.warnings)));
    }
    if !case.waived.is_empty() {
        output.push_str(&format!("waived:\n{}", body(&case.waived)));
    }
    if !output.is_empty() {
        let _ = writeln!(out, "      <system-out>{}</system-out>", xml::text(&output));
    }
    let _ = writeln!(out, "    </testcase>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(path: &str, rule: &str, severity: Severity, message: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            path: path.into(),
            line: Some(2),
            column: Some(1),
            field: None,
            message: message.into(),
            help: None,
            clause: None,
            waived: None,
        }
    }

    #[test]
    fn counts_are_per_test_case() {
        let r = Report {
            files: 3,
            checked: vec!["a.yaml".into(), "b.yaml".into(), "c.yaml".into()],
            findings: vec![
                finding("a.yaml", "INC001", Severity::Error, "one"),
                finding("a.yaml", "INC002", Severity::Error, "two"),
                finding("b.yaml", "REC001", Severity::Error, "unreadable <x>\u{0}"),
                finding("c.yaml", "INC009", Severity::Warning, "advice ]]>"),
            ],
        };
        let xml = report(&r, Duration::from_millis(30));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .expect("suite");
        assert_eq!(suite.attribute("failures"), Some("1"));
        assert_eq!(suite.attribute("errors"), Some("1"));
        assert_eq!(suite.attribute("time"), Some("0.030"));
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 3);
        assert!(cases.iter().all(|c| c.attribute("time").is_some()));
        assert_eq!(
            cases[0]
                .children()
                .filter(|n| n.has_tag_name("failure"))
                .count(),
            1
        );
        let error = cases[1]
            .children()
            .find(|n| n.has_tag_name("error"))
            .expect("an error");
        assert_eq!(error.attribute("message"), Some("unreadable <x>"));
        assert!(cases[2].children().all(|n| !n.has_tag_name("failure")));
    }
}
