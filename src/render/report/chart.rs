//! The page's chart: stacked bars, incidents below service requests, one
//! per bucket; inline SVG so the page needs nothing beyond itself.

use std::fmt::Write as _;

use super::super::html;
use super::Lang;
use crate::report::Bucket;

const W: f64 = 960.0;
const H: f64 = 300.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 34.0;
const PLOT_W: f64 = W - LEFT - RIGHT;
const PLOT_H: f64 = H - TOP - BOTTOM;

/// The value axis: whole-number gridlines, about five of them, with room
/// above the tallest bar for its figure.
struct Scale {
    step: usize,
    /// The value at the top of the plot, a whole number of steps.
    top_value: usize,
}

impl Scale {
    fn of(buckets: &[Bucket]) -> Scale {
        let max = buckets
            .iter()
            .map(|b| b.incident + b.service_request)
            .max()
            .unwrap_or(0)
            .max(1);
        let step = max.div_ceil(5).max(1);
        Scale {
            step,
            top_value: (max / step + 1) * step,
        }
    }

    /// Where a value lands on the page.
    fn y(&self, v: usize) -> f64 {
        TOP + PLOT_H * (1.0 - v as f64 / self.top_value as f64)
    }
}

/// Where a bucket's bar stands across the plot, and how wide it is.
struct Slot {
    x: f64,
    width: f64,
}

/// The chart as an `<svg>` element.
pub(super) fn chart(buckets: &[Bucket], l: Lang) -> String {
    let scale = Scale::of(buckets);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title\">\n<title id=\"chart-title\">{}</title>\n",
        html::text(l.t("Incidents and service requests registered per period"))
    );
    legend(&mut s, l);
    gridlines(&mut s, &scale);
    let band = PLOT_W / buckets.len().max(1) as f64;
    let width = (band * 0.62).min(48.0);
    for (i, b) in buckets.iter().enumerate() {
        let x = LEFT + band * i as f64 + (band - width) / 2.0;
        bar(&mut s, b, &Slot { x, width }, &scale, l);
    }
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#5b6b7a\" stroke-width=\"1\"/>\n</svg>",
        W - RIGHT,
        scale.y(0),
        scale.y(0)
    );
    s
}

/// The legend above the plot: a swatch and a name for each kind.
fn legend(s: &mut String, l: Lang) {
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#1f4e79\"/><text x=\"{}\" y=\"18\" font-size=\"13\">{}</text>\n<rect x=\"{}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#3fa796\"/><text x=\"{}\" y=\"18\" font-size=\"13\">{}</text>\n",
        LEFT + 18.0,
        html::text(l.t("incidents")),
        LEFT + 110.0,
        LEFT + 128.0,
        html::text(l.t("service requests"))
    );
}

/// A gridline with its figure at every step, from naught to the top.
fn gridlines(s: &mut String, scale: &Scale) {
    let mut v = 0;
    while v <= scale.top_value {
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d5dde5\" stroke-width=\"1\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#5b6b7a\">{v}</text>",
            W - RIGHT,
            LEFT - 8.0,
            scale.y(v) + 4.0,
            y = scale.y(v),
        );
        v += scale.step;
    }
}

/// One bucket: its two stacked bars (an empty one left out), its total
/// above them, its label below, and a tooltip with the figures.
fn bar(s: &mut String, b: &Bucket, slot: &Slot, scale: &Scale, l: Lang) {
    let Slot { x, width: bar } = *slot;
    let y = |v| scale.y(v);
    let total = b.incident + b.service_request;
    let tip = format!(
        "{} ({} – {}): {} {}, {} {}",
        b.label,
        b.from,
        b.to,
        b.incident,
        l.t("incidents"),
        b.service_request,
        l.t("service requests")
    );
    let _ = write!(s, "<g><title>{}</title>", html::text(&tip));
    if b.incident > 0 {
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"#1f4e79\"/>",
            y(b.incident),
            y(0) - y(b.incident)
        );
    }
    if b.service_request > 0 {
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"#3fa796\"/>",
            y(total),
            y(b.incident) - y(total)
        );
    }
    if total > 0 {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" font-weight=\"600\">{total}</text>",
            x + bar / 2.0,
            y(total) - 5.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6b7a\">{}</text></g>",
        x + bar / 2.0,
        H - BOTTOM + 18.0,
        html::text(&b.label)
    );
}
