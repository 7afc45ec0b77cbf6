//! XML text and attributes.

/// Whether XML 1.0 allows the character at all (its `Char` production);
/// no escape makes the others legal, so they are dropped.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Text for element content.
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// Text for a double-quoted attribute value; line breaks and tabs are
/// written as character references, which attribute-value normalisation
/// would otherwise turn into spaces.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            // A bare CR in content would be read back as LF.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            text("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(text("it's"), "it's");
    }

    #[test]
    fn forbidden_characters_are_dropped() {
        assert_eq!(
            text("a\u{0}b\u{1}c\u{b}d\u{1b}[31me\u{fffe}\u{ffff}f"),
            "abcd[31mef"
        );
        assert_eq!(text("tab\tline\n"), "tab\tline\n");
    }

    #[test]
    fn attributes_keep_line_breaks() {
        assert_eq!(attr("a\nb\r\tc"), "a&#10;b&#13;&#9;c");
    }

    #[test]
    fn escaped_text_parses() {
        let hostile = "\u{0}\u{1}\u{b}\u{fffe}<x>&\"'\r\n]]>";
        let doc = format!("<r a=\"{}\">{}</r>", attr(hostile), text(hostile));
        let parsed = roxmltree::Document::parse(&doc).expect("well-formed");
        let root = parsed.root_element();
        assert_eq!(root.attribute("a"), Some("<x>&\"'\r\n]]>"));
        assert_eq!(root.text(), Some("<x>&\"'\r\n]]>"));
    }
}
