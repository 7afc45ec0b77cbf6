//! JSON Lines: one JSON document a line, for streaming a large repository
//! through tools that read a line at a time. `serde_json` escapes line
//! feeds inside strings, so a record's text cannot end its line early.

use serde_json::Value;

/// One value, compact, and its line break.
pub fn line(value: &Value) -> String {
    let mut out = value.to_string();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_document_a_line_whatever_the_text() {
        let docs = [
            serde_json::json!({"title": "a\nb\r\n{\"x\":1}\u{2028}"}),
            serde_json::json!({"title": "c"}),
        ];
        let text: String = docs.iter().map(line).collect();
        let back: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a document"))
            .collect();
        assert_eq!(back, docs);
    }
}
