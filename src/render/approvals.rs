//! An approval's verdicts as the cells of a table, for `show` (a terminal
//! table, which cleans its cells) and `review` (Markdown, which escapes
//! them): the same words in both.

use crate::approvals::Row;

/// `✓`, `✗ why`, or `–` where it was not verified.
pub fn verified(row: &Row) -> String {
    match &row.verified {
        None => "–".to_owned(),
        Some(Ok(())) => "✓".to_owned(),
        Some(Err(why)) => format!("✗ {why}"),
    }
}

/// `stale: fields`, or `–` while nothing it covers has moved.
pub fn stale(row: &Row) -> String {
    if row.stale.is_empty() {
        "–".to_owned()
    } else {
        format!("stale: {}", row.stale.join(", "))
    }
}
