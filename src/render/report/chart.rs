//! The page's chart: stacked bars, incidents below service requests, one
//! per bucket; inline SVG so the page needs nothing beyond itself.

use maud::{Markup, html};

use super::Lang;
use super::page::clean;
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

/// A coordinate as the chart writes it: one decimal.
fn at(v: f64) -> String {
    format!("{v:.1}")
}

/// The chart as an `<svg>` element.
pub(super) fn chart(buckets: &[Bucket], l: Lang) -> Markup {
    let scale = Scale::of(buckets);
    let band = PLOT_W / buckets.len().max(1) as f64;
    let width = (band * 0.62).min(48.0);
    html! {
        svg viewBox=(format!("0 0 {W} {H}")) role="img" aria-labelledby="chart-title" {
            "\n"
            title id="chart-title" { (l.t("Incidents and service requests registered per period")) }
            "\n"
            (legend(l))
            (gridlines(&scale))
            @for (i, b) in buckets.iter().enumerate() {
                (bar(b, &Slot { x: LEFT + band * i as f64 + (band - width) / 2.0, width }, &scale, l))
            }
            line x1=(LEFT) x2=(W - RIGHT) y1=(at(scale.y(0))) y2=(at(scale.y(0)))
                stroke="#5b6b7a" stroke-width="1" {}
            "\n"
        }
        "\n"
    }
}

/// The legend above the plot: a swatch and a name for each kind.
fn legend(l: Lang) -> Markup {
    html! {
        rect x=(LEFT) y="8" width="12" height="12" fill="#1f4e79" {}
        text x=(LEFT + 18.0) y="18" font-size="13" { (l.t("incidents")) }
        "\n"
        rect x=(LEFT + 110.0) y="8" width="12" height="12" fill="#3fa796" {}
        text x=(LEFT + 128.0) y="18" font-size="13" { (l.t("service requests")) }
        "\n"
    }
}

/// A gridline with its figure at every step, from naught to the top.
fn gridlines(scale: &Scale) -> Markup {
    let steps = (0..=scale.top_value).step_by(scale.step);
    html! {
        @for v in steps {
            line x1=(LEFT) x2=(W - RIGHT) y1=(at(scale.y(v))) y2=(at(scale.y(v)))
                stroke="#d5dde5" stroke-width="1" {}
            text x=(LEFT - 8.0) y=(at(scale.y(v) + 4.0)) font-size="12" text-anchor="end"
                fill="#5b6b7a" { (v) }
            "\n"
        }
    }
}

/// One bucket: its two stacked bars (an empty one left out), its total
/// above them, its label below, and a tooltip with the figures.
fn bar(b: &Bucket, slot: &Slot, scale: &Scale, l: Lang) -> Markup {
    let Slot { x, width } = *slot;
    let y = |v| scale.y(v);
    let total = b.incident + b.service_request;
    let tip = format!(
        "{} ({} – {}): {} {}, {} {}",
        b.label,
        b.from,
        b.to,
        b.incident,
        l.count(b.incident, "incident", "incidents"),
        b.service_request,
        l.count(b.service_request, "service request", "service requests")
    );
    html! {
        g {
            title { (clean(&tip)) }
            @if b.incident > 0 {
                rect x=(at(x)) y=(at(y(b.incident))) width=(at(width))
                    height=(at(y(0) - y(b.incident))) fill="#1f4e79" {}
            }
            @if b.service_request > 0 {
                rect x=(at(x)) y=(at(y(total))) width=(at(width))
                    height=(at(y(b.incident) - y(total))) fill="#3fa796" {}
            }
            @if total > 0 {
                text x=(at(x + width / 2.0)) y=(at(y(total) - 5.0)) font-size="12"
                    text-anchor="middle" font-weight="600" { (total) }
            }
            text x=(at(x + width / 2.0)) y=(at(H - BOTTOM + 18.0)) font-size="12"
                text-anchor="middle" fill="#5b6b7a" { (clean(&b.label)) }
        }
        "\n"
    }
}
