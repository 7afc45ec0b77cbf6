//! Tables for a terminal (or a pipe), in the house style, every cell
//! cleaned of escape sequences and controls.

use std::fmt;

use comfy_table::{CellAlignment, ContentArrangement, presets};
use unicode_width::UnicodeWidthStr;

/// Where the table goes, which decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Standard output is a terminal: box-drawing lines, fitted to its width.
    pub terminal: bool,
    /// Colour may be used.
    pub color: bool,
}

/// A table whose cells are always cleaned with [`super::terminal_cell`].
pub enum Table {
    /// On a terminal: comfy-table, box-drawing lines fitted to its width.
    Terminal(comfy_table::Table),
    /// Off one: drawn here, as comfy-table's Markdown preset would draw it
    /// (pipes, no wrapping), without its per-cell work: `sla` and `report`
    /// print tables of 50 000 rows.
    Pipe(Pipe),
}

/// A table drawn with Markdown pipes: its cleaned cells and right-aligned columns.
pub struct Pipe {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Table {
    /// An empty table with this header.
    pub fn new<S: AsRef<str>>(header: &[S], style: Style) -> Table {
        let header = header.iter().map(|h| clean(h.as_ref()));
        if !style.terminal {
            return Table::Pipe(Pipe {
                header: header.collect(),
                rows: Vec::new(),
                right: Vec::new(),
            });
        }
        let mut inner = comfy_table::Table::new();
        inner
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if !style.color {
            inner.force_no_tty();
        }
        inner.set_header(header);
        Table::Terminal(inner)
    }

    /// Adds a row.
    pub fn add_row<I, S>(&mut self, row: I) -> &mut Table
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells = row.into_iter().map(|c| clean(c.as_ref()));
        match self {
            Table::Pipe(p) => p.rows.push(cells.collect()),
            Table::Terminal(t) => {
                t.add_row(cells);
            }
        }
        self
    }

    /// Right-aligns these columns (numbers).
    pub fn align_right(&mut self, columns: &[usize]) -> &mut Table {
        match self {
            Table::Pipe(p) => p.right.extend_from_slice(columns),
            Table::Terminal(t) => {
                for &i in columns {
                    if let Some(col) = t.column_mut(i) {
                        col.set_cell_alignment(CellAlignment::Right);
                    }
                }
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
        match self {
            Table::Pipe(p) => f.write_str(&p.draw()),
            Table::Terminal(t) => t.fmt(f),
        }
    }
}

impl Pipe {
    /// The table as comfy-table's `ASCII_MARKDOWN` preset draws it with
    /// content arrangement off: each column as wide as its widest line
    /// (at least 1), a space either side, a cell's lines one under the
    /// other, no newline at the end.
    fn draw(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, cell) in row.iter().enumerate() {
                let w = cell
                    .split('\n')
                    .map(UnicodeWidthStr::width)
                    .max()
                    .unwrap_or(0);
                widths[i] = widths[i].max(w).max(1);
            }
        }
        let size: usize = widths.iter().map(|w| w + 3).sum::<usize>() + 2;
        let mut out = String::with_capacity(size * (self.rows.len() + 2));
        self.line(&mut out, &self.header, &widths);
        out.push_str("\n|");
        for w in &widths {
            out.extend(std::iter::repeat_n('-', w + 2));
            out.push('|');
        }
        for row in &self.rows {
            out.push('\n');
            self.line(&mut out, row, &widths);
        }
        out
    }

    /// One row, as many lines as its tallest cell.
    fn line(&self, out: &mut String, row: &[String], widths: &[usize]) {
        let mut lines: Vec<std::str::Split<'_, char>> = row.iter().map(|c| c.split('\n')).collect();
        let height = 1 + row
            .iter()
            .map(|c| c.matches('\n').count())
            .max()
            .unwrap_or(0);
        for n in 0..height {
            if n > 0 {
                out.push('\n');
            }
            out.push('|');
            for (i, w) in widths.iter().enumerate() {
                let text = lines.get_mut(i).and_then(Iterator::next).unwrap_or("");
                let gap = w.saturating_sub(text.width());
                let (left, right) = if self.right.contains(&i) {
                    (gap, 0)
                } else {
                    (0, gap)
                };
                out.extend(std::iter::repeat_n(' ', left + 1));
                out.push_str(text);
                out.extend(std::iter::repeat_n(' ', right + 1));
                out.push('|');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPE: Style = Style {
        terminal: false,
        color: false,
    };

    /// What comfy-table draws for the same cells.
    fn comfy(header: &[String], rows: &[Vec<String>], right: &[usize]) -> String {
        let mut t = comfy_table::Table::new();
        t.load_style(presets::ASCII_MARKDOWN)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty();
        t.set_header(header.iter().map(|h| clean(h)));
        for r in rows {
            t.add_row(r.iter().map(|c| clean(c)));
        }
        for &i in right {
            if let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        t.to_string()
    }

    proptest::proptest! {
        #[test]
        fn table_off_a_terminal_is_drawn_as_comfy_table_draws_it(
            header in proptest::collection::vec("[a-zå漢🙂 \u{301}\n]{0,6}", 1..4),
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-zÅ漢🙂 \u{301}\u{200b}\n|-]{0,8}", 0..5),
                0..5,
            ),
            right in proptest::collection::vec(0usize..5, 0..3),
        ) {
            let mut t = Table::new(&header, PIPE);
            for r in &rows {
                t.add_row(r);
            }
            t.align_right(&right);
            proptest::prop_assert_eq!(t.to_string(), comfy(&header, &rows, &right));
        }
    }

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
