//! Swedish personal identity numbers (*personnummer*) and co-ordination
//! numbers (*samordningsnummer*, day + 60) in records. Ticket text is shared
//! with suppliers and lives forever in git; these numbers must not be in it
//! (SPEC §5).
//!
//! Text is first brought to Unicode NFKC, which folds fullwidth (`８`),
//! mathematical (`𝟖`) and superscript digits to ASCII and no-break spaces to
//! a plain space; after that only ASCII `0`–`9` count as digits. Digits of
//! other scripts (Arabic-Indic `٨`, Devanagari `८`) are not folded by NFKC and
//! are not read as a number: nobody writes a Swedish number in them.
//!
//! Matched forms, with a valid date part and a valid Luhn check digit:
//!
//! - `YYMMDD` and `YYYYMMDD` (century 18, 19 or 20), then one separator, then
//!   `NNNN`; a separator is what people type between the parts: `-`, `+`,
//!   a space (also a no-break space, narrow or not), `‐` hyphen, `‑`
//!   non-breaking hyphen, `‒` figure dash, `–` en dash, `—` em dash, `−` minus;
//! - `YYYYMMDDNNNN`, twelve digits in a row (also a YAML integer).
//!
//! A bare ten-digit number is not matched: ticket numbers look like that, and
//! one in ten would pass the check digit by chance.
//!
//! Record IDs of this tool's own format (`INC-20160229-4710AB`: kind prefix,
//! date, six Crockford base32 characters, standing alone as a word) are not
//! numbers, though their date and first four random characters can pass the
//! check. Only that exact shape is exempt: `INC-19811218-9876` is a number
//! behind a prefix. What stays possible: a real number written as
//! `INC-YYYYMMDD-NNNNXX` with two more Crockford characters is taken for an ID.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::yaml::Value;

/// A personal identity number that was found. It shows itself masked: the
/// date part and `****` (`19811218-****`), so that no report repeats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The date part as ASCII digits (six or eight).
    date: String,
    /// `+` (a person over a hundred), `-` for every other separator, none for
    /// twelve digits in a row.
    separator: Option<char>,
    /// The birth number and check digit.
    last: String,
}

impl Found {
    /// The number with its last four digits hidden: `19811218-****`.
    pub fn masked(&self) -> String {
        let sep = self.separator.map(String::from).unwrap_or_default();
        format!("{}{sep}****", self.date)
    }

    /// The whole number in ASCII, separator normalised (tests only: code that
    /// reports must use [`Found::masked`]).
    #[cfg(test)]
    fn number(&self) -> String {
        let sep = self.separator.map(String::from).unwrap_or_default();
        format!("{}{sep}{}", self.date, self.last)
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A number found in a parsed document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The field: a dotted path with list positions (`tickets.kund`,
    /// `history[3].note`). For a number in a mapping key, the key's path with
    /// the key shown masked (`tickets.19811218-****`).
    pub field: String,
    /// Whether the number is in a key rather than in a value.
    pub in_key: bool,
    /// The number.
    pub number: Found,
}

/// The first personal identity number anywhere in a parsed document: in
/// every string, number and tag, and in every mapping key, at any depth.
/// Booleans and nulls cannot hold one.
pub fn find_in(doc: &Value) -> Option<Hit> {
    walk(doc, &mut Vec::new())
}

/// One step of a path into a document.
enum Step<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

fn render(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn walk<'a>(v: &'a Value, path: &mut Vec<Step<'a>>) -> Option<Hit> {
    let value_hit = |path: &[Step<'_>], number| Hit {
        field: render(path),
        in_key: false,
        number,
    };
    match v {
        Value::String(s) => find(s).map(|n| value_hit(path, n)),
        Value::Number(n) => find(&n.to_string()).map(|n| value_hit(path, n)),
        Value::Bool(_) | Value::Null => None,
        Value::Sequence(seq) => seq.iter().enumerate().find_map(|(i, x)| {
            path.push(Step::Index(i));
            let hit = walk(x, path);
            path.pop();
            hit
        }),
        Value::Mapping(m) => m.iter().find_map(|(k, x)| {
            let name = match scalar_text(k) {
                Some(text) => {
                    if let Some(number) = find(&text) {
                        path.push(Step::Key(Cow::Owned(number.masked())));
                        let field = render(path);
                        path.pop();
                        return Some(Hit {
                            field,
                            in_key: true,
                            number,
                        });
                    }
                    text
                }
                // A key that is itself a list or a mapping (`? [a, b]`):
                // its scalars are searched as if they were the parent's.
                None => {
                    if let Some(hit) = walk(k, path) {
                        return Some(hit);
                    }
                    Cow::Borrowed("?")
                }
            };
            path.push(Step::Key(name));
            let hit = walk(x, path);
            path.pop();
            hit
        }),
        Value::Tagged(t) => find(&t.tag.to_string())
            .map(|n| value_hit(path, n))
            .or_else(|| walk(&t.value, path)),
    }
}

/// The text of a scalar key; `None` for a list or mapping.
fn scalar_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        Value::Null => Some(Cow::Borrowed("null")),
        Value::Tagged(t) => scalar_text(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

/// The first personal identity number in `text`, if any.
pub fn find(text: &str) -> Option<Found> {
    // Almost all text is already in NFKC (ASCII always is; so is Swedish
    // text with å, ä, ö): the quick check says so without copying it.
    let folded: Cow<'_, str> =
        if text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(text.nfkc().collect())
        };
    let bytes = folded.as_bytes();
    // Every form has at least ten digits; most text has fewer.
    if bytes.iter().filter(|b| b.is_ascii_digit()).count() < 10 {
        return None;
    }
    let mut runs = digit_runs(bytes).peekable();
    let mut ids: Option<Vec<Range<usize>>> = None;
    while let Some(run) = runs.next() {
        let Some(candidate) = candidate(&folded, &run, runs.peek()) else {
            continue;
        };
        if !valid(&candidate.ten) {
            continue;
        }
        let ids = ids.get_or_insert_with(|| record_ids(&folded));
        if ids
            .iter()
            .any(|id| id.start < candidate.span.end && candidate.span.start < id.end)
        {
            continue;
        }
        return Some(candidate.found);
    }
    None
}

/// A number-shaped stretch of text, before its date and check digit are
/// judged.
struct Candidate {
    span: Range<usize>,
    /// `YYMMDDNNNC` as digit values.
    ten: [u8; 10],
    found: Found,
}

/// The maximal runs of ASCII digits, as byte ranges. ASCII bytes never occur
/// inside a multi-byte UTF-8 character, so the ranges are character
/// boundaries.
fn digit_runs(bytes: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + bytes.get(at..)?.iter().position(u8::is_ascii_digit)?;
        let len = bytes
            .get(start..)?
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(bytes.len() - start);
        at = start + len;
        Some(start..at)
    })
}

/// The number a run of digits starts, with the run after it: twelve digits
/// alone, or six or eight, one separator and four.
fn candidate(text: &str, run: &Range<usize>, next: Option<&Range<usize>>) -> Option<Candidate> {
    let digits = text.get(run.clone())?.as_bytes();
    let (date, separator, last, end) = match digits.len() {
        12 => (digits.get(..8)?, None, digits.get(8..)?, run.end),
        6 | 8 => {
            let sep = text.get(run.end..)?.chars().next()?;
            let next = next?;
            if !is_separator(sep) || next.start != run.end + sep.len_utf8() || next.len() != 4 {
                return None;
            }
            let sep = if sep == '+' { '+' } else { '-' };
            (
                digits,
                Some(sep),
                text.get(next.clone())?.as_bytes(),
                next.end,
            )
        }
        _ => return None,
    };
    if date.len() == 8 && !matches!(date.get(..2)?, b"18" | b"19" | b"20") {
        return None;
    }
    let mut ten = [0u8; 10];
    let short = date.get(date.len() - 6..)?;
    for (slot, b) in ten.iter_mut().zip(short.iter().chain(last)) {
        *slot = b - b'0';
    }
    Some(Candidate {
        span: run.start..end,
        ten,
        found: Found {
            date: String::from_utf8_lossy(date).into_owned(),
            separator,
            last: String::from_utf8_lossy(last).into_owned(),
        },
    })
}

/// The separators people type between date and birth number, as they stand
/// after NFKC (which has made no-break spaces plain spaces and the
/// non-breaking hyphen a hyphen).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '+' | ' ' | '\u{2010}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
    )
}

/// The byte ranges of record IDs of this tool's own format in `text`.
fn record_ids(text: &str) -> Vec<Range<usize>> {
    static ID: OnceLock<Regex> = OnceLock::new();
    let id = ID.get_or_init(|| {
        // Crockford base32: digits and letters without I, L, O, U. IDs are
        // typed in lower case too.
        Regex::new(r"(?i)\b(?:INC|PRB|CHG|REL|SR|CI|CAP)-[0-9]{8}-[0-9A-HJKMNP-TV-Z]{6}\b")
            .expect("the pattern is valid")
    });
    id.find_iter(text).map(|m| m.range()).collect()
}

/// Whether ten digits YYMMDDNNNC form a valid number: a real month, a day
/// (or day + 60) that exists in some month, and the Luhn check digit.
fn valid(d: &[u8; 10]) -> bool {
    let month = d[2] * 10 + d[3];
    let mut day = d[4] * 10 + d[5];
    if day > 60 {
        day -= 60;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let sum: u8 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let v = if i % 2 == 0 { x * 2 } else { x };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    (10 - sum % 10) % 10 == d[9]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn number(text: &str) -> Option<String> {
        find(text).map(|f| f.number())
    }

    #[test]
    fn valid_numbers_are_found_in_text() {
        // Skatteverket's published test numbers.
        assert_eq!(
            number("Patient 19121212-1212 ringde"),
            Some("19121212-1212".into())
        );
        assert_eq!(number("pnr 121212-1212."), Some("121212-1212".into()));
        assert_eq!(number("191212121212"), Some("191212121212".into()));
        assert_eq!(number("121212+1212"), Some("121212+1212".into()));
        // Samordningsnummer: day + 60.
        assert_eq!(number("sn 701063-2391"), Some("701063-2391".into()));
    }

    #[test]
    fn every_separator_people_type_is_one() {
        for sep in [
            "-", "+", " ", "\u{a0}", "\u{202f}", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}",
            "\u{2014}", "\u{2212}", "－", "＋",
        ] {
            let plus = if sep == "+" || sep == "＋" { '+' } else { '-' };
            assert_eq!(
                number(&format!("pnr 811218{sep}9876, ring")),
                Some(format!("811218{plus}9876")),
                "{sep:?}"
            );
            assert_eq!(
                number(&format!("pnr 19811218{sep}9876")),
                Some(format!("19811218{plus}9876")),
                "{sep:?}"
            );
        }
        assert_eq!(number("kund 198112189876"), Some("198112189876".into()));
    }

    #[test]
    fn digits_are_ascii_after_nfkc() {
        assert_eq!(
            number("pnr ８１１２１８-９８７６"),
            Some("811218-9876".into())
        );
        assert_eq!(
            number("pnr ８１１２１８－９８７６"),
            Some("811218-9876".into())
        );
        // Mathematical bold digits fold too.
        assert_eq!(
            number("\u{1d7cf}\u{1d7d7}\u{1d7d6}\u{1d7cf}\u{1d7cf}\u{1d7d0}\u{1d7cf}\u{1d7d6}-9876"),
            Some("19811218-9876".into())
        );
        // Arabic-Indic digits are digits of another script: not read, and
        // no panic.
        assert_eq!(number("٨١١٢١٨-٩٨٧٦"), None);
        assert_eq!(number("١٩٨١١٢١٨-٩٨٧٦ و ８"), None);
    }

    #[test]
    fn a_prefix_does_not_make_an_id() {
        assert_eq!(number("INC-19811218-9876"), Some("19811218-9876".into()));
        assert_eq!(number("see CHG-811218-9876."), Some("811218-9876".into()));
        // Not Crockford (I, L, O, U), too long, or glued to more text: no ID.
        assert_eq!(number("INC-20160229-4710AI"), Some("20160229-4710".into()));
        assert_eq!(number("INC-20160229-4710ABC"), Some("20160229-4710".into()));
        assert_eq!(number("XINC-20160229-4710AB"), Some("20160229-4710".into()));
    }

    #[test]
    fn near_misses_are_not() {
        assert_eq!(number("19121212-1213"), None, "wrong check digit");
        assert_eq!(number("121312-1212"), None, "month 13");
        assert_eq!(number("ticket 1212121212"), None, "bare ten digits");
        assert_eq!(number("17121212-1212"), None, "century 17");
        assert_eq!(number("1912121212120"), None, "thirteen digits");
        assert_eq!(number("121212--1212"), None, "two separators");
        assert_eq!(number("121212-12120"), None, "five last digits");
        assert_eq!(number("2026-11-22T09:30:00+01:00"), None);
        assert_eq!(number("INC-20261122-K7QF2M"), None);
        // A record ID whose date and first four characters look like a
        // personnummer with a valid check digit is still an ID.
        assert_eq!(
            number("20160229-4710"),
            Some("20160229-4710".into()),
            "the digits alone are one"
        );
        assert_eq!(number("INC-20160229-4710AB"), None);
        assert_eq!(number("inc-20160229-4710ab, prb-20160229-4710ab"), None);
        assert_eq!(number("INC-20160229-123456 7890"), None, "an ID and a word");
        assert_eq!(
            number("linked INC-20160229-4710AB, see 19121212-1212"),
            Some("19121212-1212".into())
        );
    }

    #[test]
    fn an_invalid_candidate_does_not_hide_the_next() {
        assert_eq!(
            number("121212-1213 121212-1212"),
            Some("121212-1212".into())
        );
        assert_eq!(
            number("INC-20160229-4710AB 20160229-4710"),
            Some("20160229-4710".into())
        );
    }

    #[test]
    fn the_number_shows_masked() {
        let f = find("pnr 19811218\u{a0}9876").unwrap();
        assert_eq!(f.masked(), "19811218-****");
        assert_eq!(f.to_string(), "19811218-****");
        assert_eq!(find("198112189876").unwrap().masked(), "19811218****");
        assert_eq!(find("811218+9876").unwrap().masked(), "811218+****");
    }

    fn doc(yaml: &str) -> Value {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn hit(yaml: &str) -> Option<(String, bool)> {
        find_in(&doc(yaml)).map(|h| (h.field, h.in_key))
    }

    #[test]
    fn every_field_of_a_document_is_searched() {
        assert_eq!(
            hit("title: x\ndescription: pnr 19121212-1212\n"),
            Some(("description".into(), false))
        );
        assert_eq!(
            hit("tickets:\n  kund: 198112189876\n"),
            Some(("tickets.kund".into(), false))
        );
        assert_eq!(
            hit("tickets:\n  kund: -198112189876\n"),
            Some(("tickets.kund".into(), false))
        );
        assert_eq!(
            hit("tickets:\n  198112189876: kund\n"),
            Some(("tickets.19811218****".into(), true))
        );
        assert_eq!(
            hit("\"19811218 9876\": x\n"),
            Some(("19811218-****".into(), true))
        );
        assert_eq!(
            hit("history:\n- note: a\n- note: b\n- at: x\n  note: 811218–9876\n"),
            Some(("history[2].note".into(), false))
        );
        assert_eq!(
            hit("tags: [a, [b, 811218-9876]]\n"),
            Some(("tags[1][1]".into(), false))
        );
        assert_eq!(hit("x: !811218-9876 y\n"), Some(("x".into(), false)));
        assert_eq!(hit("? [811218-9876]\n: y\n"), Some(("[0]".into(), false)));
        assert_eq!(
            hit(
                "id: INC-20160229-4710AB\nlinks:\n  problems: [PRB-20160229-4710AB]\nn: 1212121212\nb: true\n"
            ),
            None
        );
    }

    /// A valid number's parts: century, year, month, day (samordning adds
    /// 60), birth number; and the check digit.
    fn parts() -> impl Strategy<Value = (u32, u32, u32, u32, u32)> {
        (
            18u32..=20,
            0u32..100,
            1u32..=12,
            1u32..=31,
            any::<bool>(),
            0u32..1000,
        )
            .prop_map(|(c, y, m, d, samordning, n)| {
                (c, y, m, if samordning { d + 60 } else { d }, n)
            })
    }

    fn check_digit(nine: &str) -> u8 {
        let sum: u32 = nine
            .bytes()
            .enumerate()
            .map(|(i, b)| {
                let x = u32::from(b - b'0');
                let v = if i % 2 == 0 { x * 2 } else { x };
                if v > 9 { v - 9 } else { v }
            })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    const SEPARATORS: &[&str] = &[
        "-", "+", " ", "\u{a0}", "\u{202f}", "\u{2011}", "\u{2013}", "\u{2014}", "\u{2212}",
    ];

    /// The number written in one of its forms: 0 = ten digits with a
    /// separator, 1 = twelve with one, 2 = twelve in a row; `wide` writes it
    /// in fullwidth digits.
    fn written(c: u32, short: &str, last: &str, form: u8, sep: &str, wide: bool) -> String {
        let s = match form {
            0 => format!("{short}{sep}{last}"),
            1 => format!("{c}{short}{sep}{last}"),
            _ => format!("{c}{short}{last}"),
        };
        if wide {
            s.chars()
                .map(|ch| match ch.to_digit(10) {
                    Some(v) => char::from_u32(0xff10 + v).unwrap_or(ch),
                    None => ch,
                })
                .collect()
        } else {
            s
        }
    }

    proptest! {
        #[test]
        fn valid_numbers_are_found_in_every_form(
            (c, y, m, d, n) in parts(),
            form in 0u8..3,
            sep in proptest::sample::select(SEPARATORS),
            wide: bool,
            before in "[a-zåäö .,:;(]{0,12}",
            after in "[a-zåäö .,:;)]{0,12}",
        ) {
            let short = format!("{y:02}{m:02}{d:02}");
            let nine = format!("{short}{n:03}");
            let last = format!("{n:03}{}", check_digit(&nine));
            let text = format!("{before}{}{after}", written(c, &short, &last, form, sep, wide));
            let found = find(&text);
            prop_assert!(found.is_some(), "{text:?}");
            let found = found.unwrap();
            let date = if form == 0 { short.clone() } else { format!("{c}{short}") };
            prop_assert_eq!(found.date, date);
            prop_assert_eq!(found.last, last);
        }

        #[test]
        fn a_wrong_check_digit_or_date_is_not_a_number(
            (c, y, m, d, n) in parts(),
            wrong in 1u8..10,
            bad_month in proptest::sample::select(&[0u32, 13, 20, 45, 99][..]),
            bad_day in proptest::sample::select(&[0u32, 32, 45, 60, 92, 99][..]),
            what in 0u8..3,
            form in 0u8..3,
            sep in proptest::sample::select(SEPARATORS),
            wide: bool,
            before in "[a-zåäö .,:;(]{0,12}",
        ) {
            let (m, d) = match what {
                0 => (m, d),
                1 => (bad_month, d),
                _ => (m, bad_day),
            };
            let short = format!("{y:02}{m:02}{d:02}");
            let nine = format!("{short}{n:03}");
            let check = check_digit(&nine);
            // The right check digit for a bad date, a wrong one otherwise.
            let check = if what == 0 { (check + wrong) % 10 } else { check };
            let last = format!("{n:03}{check}");
            let text = format!("{before}{}.", written(c, &short, &last, form, sep, wide));
            prop_assert_eq!(find(&text), None, "{:?}", text);
        }

        #[test]
        fn any_text_is_read_without_a_panic(text in "\\PC*", digits in "[0-9０-９٠-٩ \u{a0}–+-]{0,40}") {
            let _ = find(&text);
            let _ = find(&digits);
            let _ = find(&format!("{text}{digits}{text}"));
        }

        #[test]
        fn a_number_is_found_in_every_field(
            (c, y, m, d, n) in parts(),
            place in 0u8..6,
            index in 0usize..4,
        ) {
            let short = format!("{y:02}{m:02}{d:02}");
            let nine = format!("{short}{n:03}");
            let last = format!("{n:03}{}", check_digit(&nine));
            let text = format!("{c}{short}-{last}");
            let twelve = format!("{c}{short}{last}");
            let notes: String = (0..index).map(|i| format!("- note: anteckning {i}\n")).collect();
            let (yaml, field) = match place {
                0 => (format!("title: \"Journal {text}\"\n"), "title".to_owned()),
                1 => (format!("description: |\n  rad\n  pnr {text}\n"), "description".to_owned()),
                2 => (format!("tickets:\n  kund: {twelve}\n"), "tickets.kund".to_owned()),
                3 => (format!("tickets:\n  kund: \"{twelve}\"\n"), "tickets.kund".to_owned()),
                4 => (format!("history:\n{notes}- note: ringde {text}\n"), format!("history[{index}].note")),
                _ => (format!("custom:\n  \"{text}\": ja\n"), format!("custom.{c}{short}-****")),
            };
            let doc: Value = serde_yaml::from_str(&yaml).unwrap();
            let hit = find_in(&doc);
            prop_assert!(hit.is_some(), "{yaml}");
            prop_assert_eq!(hit.unwrap().field, field);
        }
    }
}
