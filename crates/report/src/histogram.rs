//! Histograms of one per-replication metric.
//!
//! Bins: the Freedman–Diaconis width `2 · IQR · n^(−1/3)` gives a count of bins over the range
//! of the values, kept between 10 and 40 (Sturges' `⌈log₂ n⌉ + 1` when the IQR is zero); bins are
//! equally wide from the smallest value to the largest, each closed on the left, the last closed
//! on both sides. When every value is a whole number (weeks, counts) the width is rounded up to a
//! whole number and the bins run from half a unit below the smallest value in steps of it, so
//! each bin holds as many integers as the next and sits around them (a range of 6 weeks gets 7
//! one-week bins, not 10, and week 3's bar spans 2.5–3.5). All-equal values make one bin around
//! the value.

use plotters::prelude::*;

use crate::axis::{thousands, value_ticks};
use crate::canvas::{Axis, Legend, Plane, RIGHT_MARGIN, Y_LABEL_AREA, plane, split_legend};
use crate::error::Error;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, Glyph, MODEL};

/// Fewest bins.
pub const MIN_BINS: usize = 10;
/// Most bins.
pub const MAX_BINS: usize = 40;
/// Opacity of the bars.
const BAR_ALPHA: f64 = 0.65;

/// Bins of a histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
    /// Bin edges, ascending: one more than the counts.
    pub edges: Vec<f64>,
    /// Values in each bin.
    pub counts: Vec<usize>,
    /// Non-finite values left out.
    pub left_out: usize,
    /// Every value is a whole number: bins of a whole width, drawn around their integers.
    pub whole: bool,
}

/// The `q`-quantile of sorted values (linear interpolation, as numpy and R default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a position inside the slice"
    )]
    let k = at.floor() as usize;
    let next = sorted[(k + 1).min(sorted.len() - 1)];
    sorted[k] + (next - sorted[k]) * (at - k as f64)
}

/// `value` to three significant digits, trailing zeros dropped: "42.1", "1", "0.012".
fn three_digits(value: f64) -> String {
    let text = thousands(value, significant_decimals(value));
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Decimals that show `value` to three significant digits (none for 100 and up).
fn significant_decimals(value: f64) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0–12"
    )]
    let d = (2.0 - value.abs().log10().floor()).clamp(0.0, 12.0) as usize;
    d
}

/// The bins of the finite `values` by the rule in the module's documentation.
///
/// # Errors
/// [`Error::Empty`] when no value is finite.
pub fn histogram_bins(values: &[f64]) -> Result<Bins, Error> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let left_out = values.len() - sorted.len();
    if sorted.is_empty() {
        return Err(Error::Empty {
            what: "histogram".into(),
            why: format!("no finite value among {}", values.len()),
        });
    }
    sorted.sort_by(f64::total_cmp);
    let (lo, hi) = (sorted[0], sorted[sorted.len() - 1]);
    let n = sorted.len();
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = (lo.abs() * 0.05).max(0.5);
        return Ok(Bins {
            edges: vec![lo - pad, lo + pad],
            counts: vec![n],
            left_out,
            whole: false,
        });
    }
    let iqr = quantile(&sorted, 0.75) - quantile(&sorted, 0.25);
    let raw = if iqr > 0.0 {
        ((hi - lo) / (2.0 * iqr * (n as f64).powf(-1.0 / 3.0))).ceil()
    } else {
        (n as f64).log2().ceil() + 1.0
    };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 10–40"
    )]
    let bins = raw.clamp(MIN_BINS as f64, MAX_BINS as f64) as usize;
    let mut width = (hi - lo) / bins as f64;
    // Whole numbers (weeks, counts) get whole-number bins starting at the smallest value, so no
    // bin holds one more integer than its neighbour.
    let whole = sorted.iter().all(|v| v.fract() == 0.0) && hi - lo < 1e9;
    let bins = if whole {
        width = width.ceil().max(1.0);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "at most the count asked for above"
        )]
        let b = ((hi - lo) / width).floor() as usize + 1;
        b.min(bins + 1)
    } else {
        bins
    };
    // Whole-number bins are drawn around their integers: a one-week bin of week 3 spans 2.5–3.5.
    let start = if whole { lo - 0.5 } else { lo };
    let edges: Vec<f64> = (0..=bins)
        .map(|k| {
            if k == bins && !whole {
                hi
            } else {
                start + width * k as f64
            }
        })
        .collect();
    let mut counts = vec![0; bins];
    for v in &sorted {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a bin index, clamped to the last bin"
        )]
        let k = (((v - start) / width).floor().max(0.0) as usize).min(bins - 1);
        counts[k] += 1;
    }
    Ok(Bins {
        edges,
        counts,
        left_out,
        whole,
    })
}

/// An axis over `[lo, hi]` with ticks on whole numbers only (nice ticks when their step is whole,
/// else every integer, thinned to at most 10).
fn whole_axis(lo: f64, hi: f64) -> Axis {
    let pad = (hi - lo) * 0.02;
    let nice = value_ticks(lo, hi);
    let ticks: Vec<f64> = if nice.decimals == 0 {
        nice.values
    } else {
        let (first, last) = (lo.ceil(), hi.floor());
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small count of integers (the step was below 1)"
        )]
        let count = (last - first).max(0.0) as usize + 1;
        let stride = count.div_ceil(10).max(1);
        (0..count)
            .step_by(stride)
            .map(|k| first + k as f64)
            .collect()
    };
    let ticks: Vec<f64> = ticks
        .into_iter()
        .filter(|t| *t >= lo - pad && *t <= hi + pad)
        .collect();
    Axis {
        range: (lo - pad, hi + pad),
        labels: ticks.iter().map(|t| thousands(*t, 0)).collect(),
        ticks,
    }
}

/// Everything a histogram shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The x axis words with the metric's unit: "peak Dy price ratio (× 2010 level)".
    pub x_label: String,
    /// One value per replication.
    pub values: Vec<f64>,
    /// A sentence under the legend (may be empty): what a point mass means, for instance.
    pub note: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl HistogramChart {
    /// A histogram of `values` without a note, at the default size.
    #[must_use]
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            values,
            note: String::new(),
            size: DEFAULT_SIZE,
        }
    }
}

/// The histogram as a standalone SVG document: one bar per bin, the count of replications on y.
/// Non-finite values are left out and the legend says how many.
///
/// # Errors
/// As [`histogram_bins`]; [`Error::Draw`] if the plotting library fails (a bug).
pub fn histogram_svg(chart: &HistogramChart) -> Result<String, Error> {
    let bins = histogram_bins(&chart.values).map_err(|e| match e {
        Error::Empty { why, .. } => Error::Empty {
            what: chart.title.clone(),
            why,
        },
        other => other,
    })?;
    let (lo, hi) = (bins.edges[0], bins.edges[bins.edges.len() - 1]);
    let x_axis = if bins.whole {
        whole_axis(lo, hi)
    } else {
        Axis::padded(lo, hi, 0.02)
    };
    let top = bins.counts.iter().copied().max().unwrap_or(1);
    // At least 0–5 so a handful of replications still gets whole-number ticks.
    let y_axis = Axis::nice(0.0, (top as f64 * 1.04).max(5.0));
    let n: usize = bins.counts.iter().sum();
    let width = bins.edges[1] - bins.edges[0];
    let mut words = format!(
        "replications per bin (n = {}; {} bin{} {} wide)",
        thousands(n as f64, 0),
        bins.counts.len(),
        if bins.counts.len() == 1 { "" } else { "s" },
        three_digits(width),
    );
    if bins.left_out > 0 {
        words = format!("{words}; {} non-finite left out", bins.left_out);
    }
    let legend = Legend {
        entries: vec![(Glyph::Band(MODEL, BAR_ALPHA), words)],
        note: chart.note.clone(),
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        let err = draw_error::<std::io::Error>(&chart.title);
        let (plot, strip) = split_legend(&root, &chart.title, &legend)?;
        let mut ctx = plane(
            &plot,
            &Plane {
                title: &chart.title,
                x_label: &chart.x_label,
                y_label: "replications",
                x: &x_axis,
                y: &y_axis,
                y_label_area: Y_LABEL_AREA,
                right_margin: RIGHT_MARGIN,
            },
        )?;
        ctx.draw_series(
            bins.edges
                .windows(2)
                .zip(&bins.counts)
                .filter(|(_, c)| **c > 0)
                .map(|(e, c)| {
                    Rectangle::new(
                        [(e[0], 0.0), (e[1], *c as f64)],
                        MODEL.mix(BAR_ALPHA).filled(),
                    )
                }),
        )
        .map_err(&err)?;
        legend.draw(&strip).map_err(&err)?;
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_finite_marks, parse, texts};

    #[test]
    fn counts_sum_to_the_finite_values_and_bins_stay_within_10_to_40() {
        let values: Vec<f64> = (0..2000).map(|k| f64::from(k % 97).powf(1.5)).collect();
        let b = histogram_bins(&values).unwrap();
        assert_eq!(b.counts.iter().sum::<usize>(), 2000);
        assert!((MIN_BINS..=MAX_BINS).contains(&b.counts.len()));
        assert_eq!(b.edges.len(), b.counts.len() + 1);
        assert!(b.edges.windows(2).all(|e| e[1] > e[0]));
        let few = histogram_bins(&[1.0, 2.0, f64::NAN, 3.0]).unwrap();
        assert_eq!((few.counts.iter().sum::<usize>(), few.left_out), (3, 1));
        assert_eq!(few.counts, [1, 1, 1], "whole numbers: one-wide bins");
        assert_eq!(few.edges, [0.5, 1.5, 2.5, 3.5]);
        assert!(few.whole);
        let axis = whole_axis(38.5, 40.5);
        assert_eq!(axis.ticks, [39.0, 40.0]);
        assert_eq!(axis.labels, ["39", "40"]);
        assert!(axis.range.0 < 38.5 && axis.range.1 > 40.5);
        let halves = histogram_bins(&[1.0, 2.0, 3.5]).unwrap();
        assert_eq!(halves.counts.len(), MIN_BINS);
    }

    #[test]
    fn freedman_diaconis_width_for_a_known_sample() {
        // 0..=999: IQR = 499.5, width = 2 · 499.5 / 10 = 99.9, range 999 → 10 bins.
        let values: Vec<f64> = (0..1000).map(f64::from).collect();
        let b = histogram_bins(&values).unwrap();
        assert_eq!(b.counts.len(), 10);
        assert!(b.counts.iter().all(|c| *c == 100), "{:?}", b.counts);
    }

    #[test]
    fn all_equal_values_make_one_bin_and_a_point_mass_still_bins() {
        let b = histogram_bins(&[52.0; 7]).unwrap();
        assert_eq!(b.counts, [7]);
        assert!(b.edges[0] < 52.0 && b.edges[1] > 52.0);
        // Mostly 52 (censored), a few earlier: IQR 0, Sturges, clamped to 10 bins of 5.2 weeks,
        // rounded up to 6 weeks: 9 bins from week −0.5 to 53.5.
        let mut v = vec![52.0; 90];
        v.extend((0..10).map(f64::from));
        let b = histogram_bins(&v).unwrap();
        assert_eq!(b.counts.len(), 9);
        assert_eq!(b.counts[8], 90);
    }

    #[test]
    fn bin_widths_are_shown_to_three_significant_digits() {
        assert_eq!(thousands(42.0615, significant_decimals(42.0615)), "42.1");
        assert_eq!(
            thousands(0.012345, significant_decimals(0.012345)),
            "0.0123"
        );
        assert_eq!(thousands(1234.6, significant_decimals(1234.6)), "1,235");
        assert_eq!(significant_decimals(0.0), 12);
        assert_eq!(three_digits(1.0), "1");
        assert_eq!(three_digits(0.0120), "0.012");
        assert_eq!(three_digits(42.0615), "42.1");
        assert_eq!(three_digits(1500.0), "1,500");
    }

    #[test]
    fn nothing_finite_is_an_error() {
        assert!(matches!(histogram_bins(&[]), Err(Error::Empty { .. })));
        let chart = HistogramChart::new("t", "x", vec![f64::NAN]);
        let e = histogram_svg(&chart).unwrap_err().to_string();
        assert!(e.starts_with("t: nothing to draw"), "{e}");
    }

    #[test]
    fn the_chart_has_one_bar_per_non_empty_bin() {
        let values: Vec<f64> = (0..500).map(|k| 100.0 + f64::from(k % 50) * 30.0).collect();
        let mut chart = HistogramChart::new("Peak price", "peak Dy price (USD/kg)", values);
        chart.note = "a note".into();
        let svg = histogram_svg(&chart).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        let bars = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#0072B2"))
            .count();
        let b = histogram_bins(&chart.values).unwrap();
        let nonempty = b.counts.iter().filter(|c| **c > 0).count();
        assert_eq!(bars, nonempty + 1, "bars and the legend's box");
        let all = texts(&doc).join(" | ");
        assert!(
            all.contains("n = 500") && all.contains("a note") && all.contains("1,000"),
            "{all}"
        );
        for one in [vec![3.0], vec![0.0; 4]] {
            assert_finite_marks(&parse(
                &histogram_svg(&HistogramChart::new("t", "x", one)).unwrap(),
            ));
        }
    }
}
