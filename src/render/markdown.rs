//! Markdown, as GitHub renders it (a pull-request comment) and as any
//! CommonMark reader would.
//!
//! Record text must stay text: raw HTML (`<img onerror=…>`, a hidden
//! `<!-- … -->`), images and links (`![x](http://tracker)`), `@mentions`
//! that would notify people, and anything that ends a table cell or a code
//! span early.

/// Text in a paragraph, list item or table cell.
///
/// `<`, `>` and `&` are backslash-escaped, so no HTML, comment or entity
/// is read, and so is the Markdown punctuation that starts links, images
/// or code spans or ends a table cell; line breaks become spaces (a cell is
/// one line); an `@` before a name (not in an e-mail address) gets a
/// zero-width space after it, which GitHub does not read as a mention (a
/// backslash would not stop it).
/// Escape sequences and other controls are dropped as for a terminal.
pub fn text(s: &str) -> String {
    let clean = super::terminal(s);
    let mut out = String::with_capacity(clean.len());
    let mut chars = clean.chars().peekable();
    let mut previous = None;
    while let Some(c) = chars.next() {
        match c {
            '\\' | '|' | '[' | ']' | '`' | '<' | '>' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\t' => out.push(' '),
            '@' => {
                out.push('@');
                // After a letter or digit it is an e-mail address, which
                // GitHub does not read as a mention.
                let mention = !previous.is_some_and(|p: char| p.is_alphanumeric())
                    && chars
                        .peek()
                        .is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == '-');
                if mention {
                    out.push_str("&#8203;");
                }
            }
            c => out.push(c),
        }
        previous = Some(c);
    }
    out
}

/// A code span holding `s` verbatim: fenced with one backtick more than
/// the longest run of backticks in it, so nothing in it can close it early.
/// Line breaks become spaces and controls are dropped.
pub fn code(s: &str) -> String {
    let clean: String = super::terminal(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space between it
    // and the fence (CommonMark strips one space on each side).
    let pad = if clean.starts_with('`') || clean.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// [`code`] inside a table cell: GitHub splits cells at `|` even inside a
/// code span, unless it is escaped (the table drops the backslash).
pub fn code_in_cell(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A fragment link to a heading: only the characters a heading's
/// generated anchor keeps.
pub fn anchor(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_comments_stay_text() {
        assert_eq!(
            text("<img src=x onerror=alert(1)>"),
            "\\<img src=x onerror=alert(1)\\>"
        );
        assert_eq!(text("<!-- hidden -->"), "\\<!-- hidden --\\>");
        assert_eq!(text("A &amp; B"), "A \\&amp; B");
    }

    #[test]
    fn images_and_links_stay_text() {
        assert_eq!(text("![x](http://track)"), "!\\[x\\](http://track)");
        assert_eq!(text("[click](javascript:x)"), "\\[click\\](javascript:x)");
    }

    #[test]
    fn mentions_do_not_notify() {
        assert_eq!(text("ping @octocat"), "ping @&#8203;octocat");
        assert_eq!(text("@org/team"), "@&#8203;org/team");
        assert_eq!(text("a@ b, 3 @ 4"), "a@ b, 3 @ 4");
        assert_eq!(text("(@x) _@y"), "(@&#8203;x) _@&#8203;y");
        assert_eq!(text("anna@example.se"), "anna@example.se");
    }

    #[test]
    fn cells_stay_one_cell() {
        assert_eq!(text("a | b\nc\r"), "a \\| b c");
        assert_eq!(text("back\\|slash"), "back\\\\\\|slash");
        assert_eq!(text("`code`"), "\\`code\\`");
        assert_eq!(text("\u{1b}[31mred\u{1b}[0m"), "red");
    }

    #[test]
    fn code_spans_cannot_be_closed_early() {
        assert_eq!(code("status"), "`status`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code("<b>@octocat</b>"), "`<b>@octocat</b>`");
        assert_eq!(code_in_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn anchors() {
        assert_eq!(anchor("INC-20261122-K7QF2M"), "inc-20261122-k7qf2m");
        assert_eq!(anchor("x\"><script>"), "xscript");
    }
}
