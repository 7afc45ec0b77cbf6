//! Every output format arende writes, each with the escaping its reader
//! needs. Record text is written by whoever can commit to the repository, so
//! it is hostile until rendered here: a terminal must not receive its escape
//! sequences, a spreadsheet must not run it as a formula, a pull-request
//! comment must not render its HTML or mention people, and a CI system's XML
//! parser must not choke on it.
//!
//! The command line only chooses a format and calls in here; the formats
//! that grow with the repository (JSON arrays, JSON Lines, CSV) write to a
//! [`std::io::Write`] sink a record at a time. Nothing in here knows whether
//! it is writing to a terminal, except through the [`table::Style`] it is
//! given.

pub mod approvals;
pub mod csv;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod ics;
pub mod impact;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod list;
pub mod markdown;
pub mod policy;
pub mod report;
pub mod review;
pub mod sarif;
pub mod schedule;
pub mod site;
pub mod sla;
pub mod table;
pub mod xml;

use std::borrow::Cow;

/// What [`terminal`] keeps of layout characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Line feeds and tabs stay (whole documents).
    Layout,
    /// Line feeds stay, tabs become spaces (table cells, whose width a tab
    /// would throw off).
    LineFeeds,
}

/// Text safe to send to a terminal: escape sequences (CSI, OSC such as
/// hyperlinks and window titles, DCS and the other string controls, in
/// their 7-bit `ESC …` and 8-bit C1 forms) are removed whole, and every
/// other C0 or C1 control character but line feed and tab is dropped. A
/// carriage return goes too: it would let text overwrite what a line
/// showed before it.
pub fn terminal(text: &str) -> Cow<'_, str> {
    sanitize(text, Keep::Layout)
}

/// [`terminal`], for a table cell: tabs become spaces as well.
pub fn terminal_cell(text: &str) -> Cow<'_, str> {
    sanitize(text, Keep::LineFeeds)
}

fn sanitize(text: &str, keep: Keep) -> Cow<'_, str> {
    let kept = |c: char| c == '\n' || (c == '\t' && keep == Keep::Layout);
    if !text.chars().any(|c| c.is_control() && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' if keep == Keep::Layout => out.push('\t'),
            '\t' => out.push(' '),
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // ESC, intermediates (SP to /), one final character.
                Some(' '..='/') => {
                    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
                    chars.next_if(|c| matches!(c, '0'..='~'));
                }
                Some(_) | None => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Skips a control sequence's parameter and intermediate bytes and its
/// final byte (`@` to `~`); a sequence cut short ends at the first
/// character that cannot belong to it.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while chars.next_if(|c| matches!(c, '0'..='?')).is_some() {}
    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// Skips a control string (OSC, DCS, SOS, PM, APC) up to and with its
/// terminator: BEL, ESC `\`, or the 8-bit ST. An unterminated string runs
/// to the end of the text, as a terminal would swallow it.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            terminal("Journal nere – åäö\n\tok"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn csi_sequences_are_removed_whole() {
        assert_eq!(terminal("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(terminal("a\u{1b}[2J\u{1b}[1;1Hb"), "ab");
        assert_eq!(terminal("\u{9b}31mred"), "red");
        assert_eq!(terminal("cut\u{1b}["), "cut");
    }

    #[test]
    fn osc_hyperlinks_and_titles_are_removed_whole() {
        assert_eq!(
            terminal("\u{1b}]8;;http://x\u{7}click\u{1b}]8;;\u{7}"),
            "click"
        );
        assert_eq!(terminal("\u{1b}]0;pwned\u{1b}\\title"), "title");
        assert_eq!(terminal("\u{9d}0;pwned\u{9c}title"), "title");
        assert_eq!(terminal("\u{1b}Pdcs\u{1b}\\x"), "x");
        assert_eq!(terminal("a\u{1b}]unterminated"), "a");
    }

    #[test]
    fn other_controls_are_dropped() {
        assert_eq!(terminal("over\rwrite"), "overwrite");
        assert_eq!(
            terminal("nul\u{0}bell\u{7}del\u{7f}c1\u{85}"),
            "nulbelldelc1"
        );
        assert_eq!(terminal("\u{1b}creset"), "reset");
        assert_eq!(terminal("\u{1b}(Bx"), "x");
        assert_eq!(terminal("lines\nand\ttabs"), "lines\nand\ttabs");
    }

    #[test]
    fn cells_lose_tabs() {
        assert_eq!(terminal_cell("a\tb\nc\u{1b}[1m"), "a b\nc");
    }
}
