//! HTML text.

/// Text for HTML, in element content and in quoted attributes alike;
/// control characters and escape sequences (which HTML forbids, and which
/// reach a terminal when the page is looked at with `cat`) are dropped as
/// [`super::terminal`] drops them, line feeds and tabs kept.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in super::terminal(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_controls() {
        assert_eq!(
            text("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(text("\"' &"), "&quot;&#39; &amp;");
        assert_eq!(text("a\u{0}\u{1b}[1mb\u{9b}2J\nc"), "ab\nc");
    }
}
