//! Survival charts: the share of replications with no plant halted yet, week by week after the
//! scenario's first policy shock (or over calendar dates), from per-replication times to the
//! first halt, some of them censored (nothing halted by the horizon).
//!
//! The curve is the Kaplan–Meier estimate. When every censored replication is censored at one
//! time (the horizon, as in `replications.csv`), it equals the plain share of replications
//! whose first halt comes later.

use chrono::NaiveDate;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::axis::{day_number, thousands};
use crate::canvas::{Axis, Legend, Plane, RIGHT_MARGIN, Y_LABEL_AREA, plane, split_legend};
use crate::error::Error;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, Glyph, MODEL, dot};

/// One replication's time to the first halt.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HaltTime {
    /// Weeks from the first policy shock to the first halt (`weeks_to_first_halt`); when nothing
    /// halted, the weeks observed (the horizon after the shock).
    pub weeks: f64,
    /// Whether a plant halted (`any_halt` = 1); `false` means censored at `weeks`.
    pub halted: bool,
}

/// The Kaplan–Meier curve of times to the first halt.
#[derive(Clone, Debug, PartialEq)]
pub struct SurvivalCurve {
    /// `(weeks, share)`: the share of replications with no halt yet just after `weeks`. Starts at
    /// `(0, 1)`, then one entry per distinct halt time, ascending in weeks, never increasing.
    pub steps: Vec<(f64, f64)>,
    /// The last week observed (largest time, halted or censored): the curve ends here.
    pub end: f64,
    /// Replications.
    pub replications: usize,
    /// Replications in which a plant halted.
    pub halted: usize,
    /// `(weeks, share)` at each distinct censoring time, ascending.
    pub censored: Vec<(f64, f64)>,
}

impl SurvivalCurve {
    /// The share with no halt yet just after `weeks` (1 before the first halt).
    #[must_use]
    pub fn at(&self, weeks: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|(w, _)| *w <= weeks)
            .last()
            .map_or(1.0, |(_, s)| *s)
    }
}

/// The Kaplan–Meier curve of `times`: at each distinct halt time `t` the share falls by the
/// factor `1 − d/n`, with `d` the halts at `t` and `n` the replications still without a halt and
/// not censored before `t` (a replication censored at `t` counts as at risk at `t`).
///
/// # Errors
/// [`Error::Empty`] without replications; [`Error::Invalid`] naming the first replication whose
/// time is not a finite number ≥ 0.
pub fn survival_curve(times: &[HaltTime]) -> Result<SurvivalCurve, Error> {
    if times.is_empty() {
        return Err(Error::Empty {
            what: "weeks to the first halt".into(),
            why: "no replication".into(),
        });
    }
    if let Some((k, t)) = times
        .iter()
        .enumerate()
        .find(|(_, t)| !(t.weeks.is_finite() && t.weeks >= 0.0))
    {
        return Err(Error::Invalid {
            what: "weeks to the first halt".into(),
            why: format!(
                "replication {k} has {} weeks; expected a finite number ≥ 0 \
                 (`weeks_to_first_halt` in replications.csv)",
                t.weeks
            ),
        });
    }
    let mut sorted = times.to_vec();
    // Halts before censorings at the same time: those censored at t were at risk at t.
    sorted.sort_by(|a, b| a.weeks.total_cmp(&b.weeks).then(b.halted.cmp(&a.halted)));
    let mut steps = vec![(0.0, 1.0)];
    let mut censored = Vec::new();
    let mut at_risk = sorted.len();
    let mut share = 1.0;
    let mut k = 0;
    while k < sorted.len() {
        let t = sorted[k].weeks;
        let group = sorted[k..].iter().take_while(|h| h.weeks <= t).count();
        let halts = sorted[k..k + group].iter().filter(|h| h.halted).count();
        if halts > 0 {
            share *= 1.0 - halts as f64 / at_risk as f64;
            steps.push((t, share));
        }
        if halts < group {
            censored.push((t, share));
        }
        at_risk -= group;
        k += group;
    }
    Ok(SurvivalCurve {
        end: sorted[sorted.len() - 1].weeks,
        replications: times.len(),
        halted: times.iter().filter(|t| t.halted).count(),
        steps,
        censored,
    })
}

/// Everything a survival chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SurvivalChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The x axis words when `start` is `None` (weeks): what week 0 is.
    pub x_label: String,
    /// One entry per replication.
    pub times: Vec<HaltTime>,
    /// When set, the x axis is calendar dates: week `w` is drawn at `start + 7w` days.
    pub start: Option<NaiveDate>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl SurvivalChart {
    /// A chart in weeks after the first policy shock, at the default size.
    #[must_use]
    pub fn new(title: impl Into<String>, times: Vec<HaltTime>) -> Self {
        Self {
            title: title.into(),
            x_label: "weeks after the first policy shock".into(),
            times,
            start: None,
            size: DEFAULT_SIZE,
        }
    }
}

/// The survival chart as a standalone SVG document: the Kaplan–Meier step curve in percent,
/// hollow dots where replications are censored, and a note saying how many never halted.
///
/// # Errors
/// As [`survival_curve`]; [`Error::Draw`] if the plotting library fails (a bug).
pub fn survival_svg(chart: &SurvivalChart) -> Result<String, Error> {
    let curve = survival_curve(&chart.times)?;
    let end = curve.end.max(1.0);
    let to_x = |w: f64| match chart.start {
        Some(start) => day_number(start) + 7.0 * w,
        None => w,
    };
    let (x_axis, x_label) = match chart.start {
        Some(start) => {
            let (lo, hi) = (to_x(0.0), to_x(end));
            let pad = ((hi - lo) * 0.02).max(3.0);
            (
                Axis::dates(lo - pad, hi + pad),
                format!("date (week 0 = {})", start.format("%-d %b %Y")),
            )
        }
        None => (Axis::nice(0.0, end), chart.x_label.clone()),
    };
    let y_axis = Axis::nice(0.0, 100.0);

    let never = curve.replications - curve.halted;
    let common = curve.censored.len() == 1;
    let mut note = format!(
        "{} of {} replications ({}%) had no plant halted by the end of the run",
        thousands(never as f64, 0),
        thousands(curve.replications as f64, 0),
        thousands(100.0 * never as f64 / curve.replications as f64, 0),
    );
    if let (Some(first), Some(last)) = (curve.censored.first(), curve.censored.last()) {
        if common {
            note = format!(
                "{note}: censored at week {} (the horizon), where the curve ends.",
                thousands(first.0, 0)
            );
        } else {
            note = format!(
                "{note}: censored at weeks {}–{}; the curve is the Kaplan–Meier estimate.",
                thousands(first.0, 0),
                thousands(last.0, 0)
            );
        }
    } else {
        note.push('.');
    }
    let mut entries = vec![(
        Glyph::Line(MODEL),
        "share of replications with no plant halted yet".to_owned(),
    )];
    if !curve.censored.is_empty() {
        entries.push((Glyph::Dot(MODEL, false), "censored: no halt by then".into()));
    }
    let legend = Legend { entries, note };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        let err = draw_error::<std::io::Error>(&chart.title);
        let (plot, strip) = split_legend(&root, &chart.title, &legend)?;
        let mut ctx = plane(
            &plot,
            &Plane {
                title: &chart.title,
                x_label: &x_label,
                y_label: "replications with no halt yet (%)",
                x: &x_axis,
                y: &y_axis,
                y_label_area: Y_LABEL_AREA,
                right_margin: RIGHT_MARGIN,
            },
        )?;
        // The step function: flat until each halt time, then down.
        let mut path = Vec::with_capacity(2 * curve.steps.len() + 1);
        let mut last = 100.0;
        for (w, s) in &curve.steps {
            path.push((to_x(*w), last));
            last = 100.0 * s;
            path.push((to_x(*w), last));
        }
        path.push((to_x(curve.end), last));
        ctx.draw_series([PathElement::new(path, MODEL.stroke_width(2))])
            .map_err(&err)?;
        ctx.draw_series(
            curve
                .censored
                .iter()
                .map(|(w, s)| EmptyElement::at((to_x(*w), 100.0 * s)) + dot((0, 0), MODEL, false)),
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
    use crate::check::{assert_finite_marks, count, parse, texts};

    fn h(weeks: f64, halted: bool) -> HaltTime {
        HaltTime { weeks, halted }
    }

    #[test]
    fn one_common_censoring_time_gives_the_plain_share_still_without_a_halt() {
        let times = [
            h(3.0, true),
            h(5.0, true),
            h(5.0, true),
            h(52.0, false),
            h(52.0, false),
        ];
        let c = survival_curve(&times).unwrap();
        assert_eq!(c.steps[0], (0.0, 1.0));
        assert!((c.at(4.0) - 0.8).abs() < 1e-12);
        assert!((c.at(5.0) - 0.4).abs() < 1e-12);
        assert!((c.at(60.0) - 0.4).abs() < 1e-12);
        assert_eq!(c.censored, [(52.0, 0.4)]);
        assert_eq!((c.replications, c.halted), (5, 3));
        assert!(
            c.steps
                .windows(2)
                .all(|w| w[1].0 >= w[0].0 && w[1].1 <= w[0].1)
        );
    }

    #[test]
    fn different_censoring_times_use_kaplan_meier() {
        // At risk 4 at t=1 (1 halt): 3/4; censored at 2; at risk 2 at t=3 (1 halt): 3/4 · 1/2.
        let times = [h(1.0, true), h(2.0, false), h(3.0, true), h(4.0, false)];
        let c = survival_curve(&times).unwrap();
        assert!((c.at(1.5) - 0.75).abs() < 1e-12);
        assert!((c.at(3.0) - 0.375).abs() < 1e-12);
        assert_eq!(c.censored.len(), 2);
        assert!((c.end - 4.0).abs() < 1e-12);
    }

    #[test]
    fn halts_at_week_zero_drop_at_once_and_the_curve_still_starts_at_one() {
        let c = survival_curve(&[h(0.0, true), h(10.0, false)]).unwrap();
        assert_eq!(c.steps, [(0.0, 1.0), (0.0, 0.5)]);
    }

    #[test]
    fn bad_times_are_refused_with_the_replication() {
        assert!(matches!(survival_curve(&[]), Err(Error::Empty { .. })));
        let e = survival_curve(&[h(1.0, true), h(f64::NAN, true)]).unwrap_err();
        assert!(e.to_string().contains("replication 1"), "{e}");
        assert!(survival_curve(&[h(-1.0, false)]).is_err());
    }

    #[test]
    fn the_chart_has_a_step_curve_censoring_marks_and_says_how_many_never_halted() {
        let times: Vec<HaltTime> = (0..100)
            .map(|k| h(f64::from(k % 40), k < 70))
            .chain((0..30).map(|_| h(52.0, false)))
            .collect();
        let svg = survival_svg(&SurvivalChart::new("Weeks to the first halt", times)).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        assert_eq!(count(&doc, "polyline", "stroke", "#0072B2"), 1 + 1);
        assert!(count(&doc, "circle", "stroke", "#0072B2") >= 2);
        let all = texts(&doc).join(" | ");
        assert!(
            all.contains("60 of 130 replications (46%) had no plant halted"),
            "{all}"
        );
        assert!(all.contains("weeks after the first policy shock"), "{all}");
    }

    #[test]
    fn calendar_dates_and_degenerate_inputs_draw() {
        let mut chart = SurvivalChart::new("t", vec![h(26.0, false); 3]);
        chart.start = NaiveDate::from_ymd_opt(2025, 10, 9);
        let doc_svg = survival_svg(&chart).unwrap();
        let doc = parse(&doc_svg);
        assert_finite_marks(&doc);
        let all = texts(&doc).join(" | ");
        assert!(
            all.contains("week 0 = 9 Oct 2025") && all.contains("2026"),
            "{all}"
        );
        // One replication, halted at 0: the curve falls straight to 0.
        let one = survival_svg(&SurvivalChart::new("t", vec![h(0.0, true)])).unwrap();
        assert_finite_marks(&parse(&one));
    }
}
