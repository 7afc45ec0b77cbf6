//! GitHub Actions workflow commands (`::error file=…::message`), which
//! GitHub turns into annotations on a pull request's files.

use std::fmt::Write as _;
use std::path::Path;

use crate::policy::Severity;
use crate::validate::Report;

/// A command's message: `%`, CR and LF are the runner's escapes, so a
/// message cannot end its command and start another on a new line.
/// Escape sequences and other controls (a lone CR among them) are dropped
/// first; the log would show them.
pub fn data(s: &str) -> String {
    super::terminal(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: also `:` (which ends the properties) and
/// `,` (which separates them).
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation per finding, each ending its line; no findings, no
/// output (not even an empty line: a runner log shows one). `prefix` is where the record repository
/// sits in its git work tree: GitHub reads paths from the top of it.
pub fn annotations(report: &Report, prefix: &Path) -> String {
    let mut out = String::new();
    for f in &report.findings {
        // A waived error is a notice: shown on the file, failing nothing.
        let level = match (f.severity, &f.waived) {
            (Severity::Error, Some(_)) => "notice",
            (Severity::Error, None) => "error",
            (Severity::Warning, _) => "warning",
        };
        let mut props = format!(
            "file={}",
            property(&prefix.join(&f.path).display().to_string())
        );
        if let Some(l) = f.line {
            let _ = write!(props, ",line={l}");
        }
        if let Some(c) = f.column {
            let _ = write!(props, ",col={c}");
        }
        let title = match &f.waived {
            Some(_) => format!("{} (waived)", f.rule),
            None => f.rule.clone(),
        };
        let _ = write!(props, ",title={}", property(&title));
        let mut message = f.message.clone();
        if let Some(w) = &f.waived {
            let _ = write!(message, "\n{}", w.describe());
        }
        if let Some(h) = &f.help {
            let _ = write!(message, "\n{h}");
        }
        if let Some(c) = &f.clause {
            let _ = write!(message, "\n{c}");
        }
        let _ = writeln!(out, "::{level} {props}::{}", data(&message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_cannot_start_a_command() {
        assert_eq!(
            data("100%\r\n::error::forged\u{1b}[31m"),
            "100%25%0A::error::forged"
        );
    }

    #[test]
    fn nothing_to_report_is_no_output_at_all() {
        assert_eq!(annotations(&Report::default(), Path::new("")), "");
    }

    #[test]
    fn a_property_cannot_add_properties() {
        assert_eq!(property("a.yaml,line=1::x\n"), "a.yaml%2Cline=1%3A%3Ax%0A");
    }
}
