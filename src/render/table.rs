//! Tables for a terminal (or a pipe), in the house style, every cell
//! cleaned of escape sequences and controls.

use std::fmt;

use comfy_table::{CellAlignment, ContentArrangement, presets};

/// Where the table goes, which decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Standard output is a terminal: box-drawing lines, fitted to its width.
    pub terminal: bool,
    /// Colour may be used.
    pub color: bool,
}

/// A table whose cells are always cleaned with [`super::terminal_cell`].
pub struct Table {
    inner: comfy_table::Table,
}

impl Table {
    /// An empty table with this header.
    pub fn new<S: AsRef<str>>(header: &[S], style: Style) -> Table {
        let mut inner = comfy_table::Table::new();
        if style.terminal {
            inner
                .load_style(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            inner
                .load_style(presets::ASCII_MARKDOWN)
                .set_content_arrangement(ContentArrangement::Disabled);
        }
        if !style.color {
            inner.force_no_tty();
        }
        inner.set_header(header.iter().map(|h| clean(h.as_ref())));
        Table { inner }
    }

    /// Adds a row.
    pub fn add_row<I, S>(&mut self, row: I) -> &mut Table
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner
            .add_row(row.into_iter().map(|c| clean(c.as_ref())));
        self
    }

    /// Right-aligns these columns (numbers).
    pub fn align_right(&mut self, columns: &[usize]) -> &mut Table {
        for &i in columns {
            if let Some(col) = self.inner.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        self
    }
}

fn clean(s: &str) -> String {
    super::terminal_cell(s).into_owned()
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPE: Style = Style {
        terminal: false,
        color: false,
    };

    #[test]
    fn cells_lose_escapes() {
        let mut t = Table::new(&["id", "title"], PIPE);
        t.add_row([
            "INC-1",
            "\u{1b}[31mred\u{1b}[0m \u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7}\u{9b}2J\r\u{0}",
        ]);
        let text = t.to_string();
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(text.contains("red link"), "{text}");
    }
}
