//! JUnit XML, for CI systems that show test reports: one test case per
//! record file checked, a failure per error, warnings as output.

use std::fmt::Write as _;

use super::xml;
use crate::policy::Severity;
use crate::validate::{Finding, Report};

/// The validation report as a JUnit document.
pub fn report(report: &Report) -> String {
    let failures = report.count(Severity::Error);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"arende validate\" tests=\"{}\" failures=\"{failures}\">",
        report.checked.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"arende validate\" tests=\"{}\" failures=\"{failures}\">",
        report.checked.len()
    );
    for path in &report.checked {
        let name = xml::attr(&path.display().to_string());
        let mine: Vec<&Finding> = report.findings.iter().filter(|f| &f.path == path).collect();
        if mine.is_empty() {
            let _ = writeln!(out, "    <testcase classname=\"records\" name=\"{name}\"/>");
            continue;
        }
        let _ = writeln!(out, "    <testcase classname=\"records\" name=\"{name}\">");
        for f in mine {
            let place = match f.line {
                Some(l) => format!("{}:{l}:{}", path.display(), f.column.unwrap_or(1)),
                None => path.display().to_string(),
            };
            let body = xml::text(&format!(
                "{place}: {}\n{}",
                f.message,
                f.help.clone().unwrap_or_default()
            ));
            match f.severity {
                Severity::Error => {
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{}\" message=\"{}\">{body}</failure>",
                        xml::attr(&f.rule),
                        xml::attr(&f.message)
                    );
                }
                Severity::Warning => {
                    let _ = writeln!(
                        out,
                        "      <system-out>warning {}: {body}</system-out>",
                        xml::text(&f.rule)
                    );
                }
            }
        }
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
