//! CSV, for spreadsheets.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a
//! formula (`=HYPERLINK(…)` sends data away; `@SUM(…)` and `+1+1` run
//! too), and Excel also trims a leading tab or carriage return before
//! deciding. Following OWASP's advice, every such cell gets a leading `'`,
//! which the spreadsheet shows as text. The rule is applied without
//! exceptions, so a negative number such as `-5` is written `'-5` too:
//! a rule that guessed which cells are "really" numbers could be fooled
//! (`-2+3` is a number to some parsers and a formula to a spreadsheet).

use std::borrow::Cow;
use std::io::{self, Write};

/// A cell, neutralised if a spreadsheet would read it as a formula.
pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// How a CSV document is written: RFC 4180's comma by default; a
/// spreadsheet in a locale whose decimal mark is the comma (Swedish Excel)
/// splits on `;` and reads UTF-8 only after a byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// The field separator, one ASCII character.
    pub delimiter: u8,
    /// Start with the UTF-8 byte-order mark.
    pub bom: bool,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect {
            delimiter: b',',
            bom: false,
        }
    }
}

/// A whole CSV document: the header row, then the rows, every cell
/// neutralised and quoted as CSV needs.
pub fn document<H, R, C>(header: &[H], rows: impl IntoIterator<Item = R>) -> String
where
    H: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    document_in(Dialect::default(), header, rows)
}

/// [`document`] in a given dialect. Cells holding the delimiter are quoted.
pub fn document_in<H, R, C>(
    dialect: Dialect,
    header: &[H],
    rows: impl IntoIterator<Item = R>,
) -> String
where
    H: AsRef<str>,
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut out = Vec::new();
    let written = Writer::new(&mut out, dialect, header).and_then(|mut w| {
        for row in rows {
            w.row(&row.into_iter().collect::<Vec<C>>())?;
        }
        w.finish()
    });
    // Writing into a Vec fails only if a cell is not UTF-8, which a `str` never is.
    debug_assert!(written.is_ok());
    String::from_utf8_lossy(&out).into_owned()
}

/// A CSV document written a row at a time to a sink: the header when it is
/// made, then each row as it comes, neutralised and quoted as in
/// [`document`].
pub struct Writer<W: Write> {
    inner: ::csv::Writer<W>,
}

impl<W: Write> Writer<W> {
    /// Writes the byte-order mark (if the dialect has one) and the header.
    pub fn new<H: AsRef<str>>(mut out: W, dialect: Dialect, header: &[H]) -> io::Result<Writer<W>> {
        if dialect.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut w = Writer {
            inner: ::csv::WriterBuilder::new()
                .delimiter(dialect.delimiter)
                .from_writer(out),
        };
        w.row(header)?;
        Ok(w)
    }

    /// Writes one row (through the csv crate's buffer: see [`Writer::finish`]).
    pub fn row<C: AsRef<str>>(&mut self, cells: &[C]) -> io::Result<()> {
        self.inner
            .write_record(cells.iter().map(|c| cell(c.as_ref()).into_owned()))
            .map_err(io::Error::from)
    }

    /// Writes out what is still buffered.
    pub fn finish(mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for hostile in [
            "=HYPERLINK(\"http://evil\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(cell(hostile), format!("'{hostile}"));
        }
        assert_eq!(cell("-5"), "'-5");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for safe in [
            "Journal nere",
            "2026-11-22 09:30",
            "a=b",
            "",
            "3",
            "'quoted",
        ] {
            assert!(matches!(cell(safe), Cow::Borrowed(_)), "{safe}");
        }
    }

    #[test]
    fn documents_quote_and_neutralise() {
        let text = document(
            &["id", "=title"],
            [vec!["INC-1", "=1+1"], vec!["INC-2", "a,\"b\"\nc"]],
        );
        assert_eq!(text, "id,'=title\nINC-1,'=1+1\nINC-2,\"a,\"\"b\"\"\nc\"\n");
    }

    #[test]
    fn a_swedish_dialect_quotes_semicolons_and_marks_utf8() {
        let dialect = Dialect {
            delimiter: b';',
            bom: true,
        };
        let text = document_in(dialect, &["id", "titel"], [vec!["INC-1", "a;b,c"]]);
        assert_eq!(text, "\u{feff}id;titel\nINC-1;\"a;b,c\"\n");
    }
}
