//! JSON written as it goes: a document's arrays an element at a time, with
//! the very bytes `serde_json`'s pretty printer gives the whole document,
//! so that a command printing 300 000 records holds one of them, not all.
//!
//! The pretty printer puts every element on lines of its own, indented two
//! spaces a level, and never breaks a line inside a string (a line feed in
//! one is written `\n`), so an element printed on its own is re-indented
//! for its depth by indenting every line after its first.

use std::io::{self, Write};

use serde_json::Value;

/// `value` as the pretty printer writes it `depth` levels down a document
/// (the first line not indented: whoever writes it places it).
pub fn pretty_at(value: &Value, depth: usize) -> io::Result<Vec<u8>> {
    let flat = serde_json::to_vec_pretty(value)?;
    if depth == 0 {
        return Ok(flat);
    }
    let pad = "  ".repeat(depth);
    let mut out = Vec::with_capacity(flat.len() + flat.len() / 8);
    for (i, line) in flat.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.extend_from_slice(pad.as_bytes());
        }
        out.extend_from_slice(line);
    }
    Ok(out)
}

/// A JSON array being written to `out`, `depth` levels down its document;
/// its elements come from [`pretty_at`] at `depth + 1`.
pub struct Array<'w, W: Write> {
    out: &'w mut W,
    depth: usize,
    empty: bool,
}

impl<'w, W: Write> Array<'w, W> {
    /// Writes the opening bracket.
    pub fn open(out: &'w mut W, depth: usize) -> io::Result<Array<'w, W>> {
        out.write_all(b"[")?;
        Ok(Array {
            out,
            depth,
            empty: true,
        })
    }

    /// Writes one element, printed by [`pretty_at`] at this array's depth + 1.
    pub fn element(&mut self, pretty: &[u8]) -> io::Result<()> {
        self.out
            .write_all(if self.empty { b"\n" } else { b",\n" })?;
        self.empty = false;
        self.indent(self.depth + 1)?;
        self.out.write_all(pretty)
    }

    /// Writes the closing bracket: `[]` for an array with no elements.
    pub fn close(mut self) -> io::Result<()> {
        if !self.empty {
            self.out.write_all(b"\n")?;
            self.indent(self.depth)?;
        }
        self.out.write_all(b"]")
    }

    fn indent(&mut self, depth: usize) -> io::Result<()> {
        for _ in 0..depth {
            self.out.write_all(b"  ")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Elements streamed into an object are the bytes of the whole document
    /// printed at once, for empty, one and several elements.
    #[test]
    fn streamed_arrays_match_the_pretty_printer() {
        let items = [
            json!({"id": "INC-1", "clock": {"a": [1, 2], "b": null}, "t": "x\ny"}),
            json!([]),
            json!({}),
            json!("text"),
            json!([{"deep": [[]]}]),
        ];
        for n in 0..=items.len() {
            let whole = json!({"at": "now", "clocks": items[..n]});
            let mut out = Vec::new();
            out.extend_from_slice(b"{\n  \"at\": \"now\",\n  \"clocks\": ");
            let mut array = Array::open(&mut out, 1).expect("vec");
            for item in &items[..n] {
                array
                    .element(&pretty_at(item, 2).expect("json"))
                    .expect("vec");
            }
            array.close().expect("vec");
            out.extend_from_slice(b"\n}");
            assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                serde_json::to_string_pretty(&whole).expect("json"),
                "{n} elements"
            );
            let mut top = Vec::new();
            let mut array = Array::open(&mut top, 0).expect("vec");
            for item in &items[..n] {
                array
                    .element(&pretty_at(item, 1).expect("json"))
                    .expect("vec");
            }
            array.close().expect("vec");
            assert_eq!(
                String::from_utf8(top).expect("utf-8"),
                serde_json::to_string_pretty(&json!(items[..n])).expect("json"),
            );
        }
    }
}
