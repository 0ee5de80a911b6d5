//! What the charts of the report share beyond [`crate::frame`]: axes whose ticks carry their own
//! labels (numbers, dates or categories), the palette for several series, a legend strip that
//! grows to fit its entries and a note, and dated measures drawn as labelled vertical lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::axis::{ValueTicks, date_ticks, thousands, value_ticks};
use crate::error::Error;
use crate::frame::{Area, Coords, Ticked, draw_error};
use crate::style::{
    FONT, Glyph, INK, LABEL_SIZE, LEGEND_HEIGHT, LEGEND_INDENT_PX, SMALL_CHAR_PX, SMALL_SIZE,
    TITLE_SIZE, draw_glyph, left_text, text_px,
};

/// Colours of several series, in the order they are handed out: the Okabe–Ito palette, blue
/// first (the model's colour in every other chart), yellow last (faint on white).
pub(crate) const SERIES: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xF0, 0xE4, 0x42),
];
/// Grey of dated measures where the palette's colours are taken by series.
pub(crate) const MEASURE_GREY: RGBColor = RGBColor(0x70, 0x70, 0x70);
/// Refuses more series than [`SERIES`] has colours.
pub(crate) fn check_series_count(title: &str, count: usize) -> Result<(), Error> {
    if count > SERIES.len() {
        return Err(Error::Invalid {
            what: title.to_owned(),
            why: format!(
                "{count} series; at most {} have distinct colour-blind-safe colours: \
                 draw the largest and group the rest as \"other\"",
                SERIES.len()
            ),
        });
    }
    Ok(())
}

/// Plotters' estimate of the width of `LABEL_SIZE` text, pixels.
pub(crate) fn label_px(text: &str) -> u32 {
    let per_char = LABEL_SIZE / 1.24 / 1.24 * 0.7;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a non-negative width, clamped to any chart's width"
    )]
    let px = (text.chars().count() as f64 * per_char).ceil().min(1.0e6) as u32;
    px
}

/// One axis: its range, tick positions and the label of each tick.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Axis {
    /// First and last value shown.
    pub range: (f64, f64),
    /// Tick positions, ascending.
    pub ticks: Vec<f64>,
    /// The label of each tick.
    pub labels: Vec<String>,
}

impl Axis {
    /// A value axis over the ticks' range, labels with thousands separators.
    pub fn values(ticks: &ValueTicks) -> Self {
        Self {
            range: ticks.range,
            labels: ticks.values.iter().map(|v| ticks.label(*v)).collect(),
            ticks: ticks.values.clone(),
        }
    }

    /// A value axis covering `[lo, hi]` with nice ticks.
    pub fn nice(lo: f64, hi: f64) -> Self {
        Self::values(&value_ticks(lo, hi))
    }

    /// A value axis over `[lo, hi]` widened by `share` of its span on either side (at least a
    /// little, for a range of zero width), with the nice ticks that fall inside: points at the
    /// ends clear the frame, and the axis does not run on to the next whole step.
    pub fn padded(lo: f64, hi: f64, share: f64) -> Self {
        let ticks = value_ticks(lo, hi);
        let pad = if hi > lo {
            (hi - lo) * share
        } else {
            (ticks.range.1 - ticks.range.0) * share
        };
        let (a, b) = (lo - pad, hi + pad);
        let inside: Vec<f64> = ticks
            .values
            .iter()
            .copied()
            .filter(|t| *t >= a && *t <= b)
            .collect();
        if inside.len() < 2 {
            return Self::values(&ticks);
        }
        Self {
            range: (a, b),
            labels: inside.iter().map(|v| ticks.label(*v)).collect(),
            ticks: inside,
        }
    }

    /// A calendar axis over `[lo, hi]` (day numbers since 1970-01-01).
    pub fn dates(lo: f64, hi: f64) -> Self {
        let ticks = date_ticks(lo, hi);
        Self {
            range: (lo, hi),
            labels: ticks.days.iter().map(|d| ticks.label(*d)).collect(),
            ticks: ticks.days,
        }
    }

    /// Categories at 0, 1, 2, …, each labelled, the range half a step beyond either end; only
    /// every `stride`-th category (from the first) gets a tick, so labels do not crowd.
    pub fn categories(labels: &[String], stride: usize) -> Self {
        let stride = stride.max(1);
        let (ticks, labels): (Vec<f64>, Vec<String>) = labels
            .iter()
            .enumerate()
            .step_by(stride)
            .map(|(k, l)| (k as f64, l.clone()))
            .unzip();
        let n = ((ticks.len().max(1) - 1) * stride + 1) as f64;
        Self {
            range: (-0.5, (n - 0.5).max(0.5)),
            ticks,
            labels,
        }
    }

    /// The label of the tick nearest `value`.
    fn label(&self, value: f64) -> String {
        self.ticks
            .iter()
            .zip(&self.labels)
            .min_by(|(a, _), (b, _)| (*a - value).abs().total_cmp(&(*b - value).abs()))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }
}

/// Numbers as short labels: the fewest decimals (at most 4) that show every value exactly, with
/// thousands separators; values needing more get 4 significant digits.
pub(crate) fn short_labels(values: &[f64]) -> Vec<String> {
    let exact = |d: usize| {
        let scale = 10f64.powi(i32::try_from(d).unwrap_or(0));
        values
            .iter()
            .all(|v| ((v * scale).round() / scale - v).abs() <= 1e-9 * v.abs().max(1.0))
    };
    match (0..=4).find(|d| exact(*d)) {
        Some(d) => values.iter().map(|v| thousands(*v, d)).collect(),
        None => values.iter().map(|v| format!("{v:.4}")).collect(),
    }
}

/// Plotters' estimate of the width of text of `size`, pixels.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size / 1.24 / 1.24 * 0.7
}

/// A title that fits `width` pixels: at the title size if it fits, else at the label size, else
/// cut with "…" at the label size.
pub(crate) fn fit_title(title: &str, width: u32) -> (String, f64) {
    let room = f64::from(width);
    if text_width(title, TITLE_SIZE) <= room {
        return (title.to_owned(), TITLE_SIZE);
    }
    if text_width(title, LABEL_SIZE) <= room {
        return (title.to_owned(), LABEL_SIZE);
    }
    let mut cut: String = title.to_owned();
    while !cut.is_empty() && text_width(&cut, LABEL_SIZE) + text_width("…", LABEL_SIZE) > room {
        cut.pop();
    }
    (format!("{}…", cut.trim_end()), LABEL_SIZE)
}

/// Layout of a chart's plot area.
pub(crate) struct Plane<'t> {
    /// Chart title.
    pub title: &'t str,
    /// x axis words, with the unit.
    pub x_label: &'t str,
    /// y axis words, with the unit.
    pub y_label: &'t str,
    /// The x axis.
    pub x: &'t Axis,
    /// The y axis.
    pub y: &'t Axis,
    /// Room left of the plot for y tick labels and the y label, pixels.
    pub y_label_area: u32,
    /// Room right of the plot, pixels.
    pub right_margin: u32,
}

/// Margin around the plot, pixels.
const MARGIN: u32 = 12;
/// Room for the x tick labels and the x axis label, pixels.
const X_LABEL_AREA: u32 = 48;
/// The usual room for y tick labels and the y label, pixels.
pub(crate) const Y_LABEL_AREA: u32 = 84;
/// The usual room right of the plot, so a tick label at the right end is not cut, pixels.
pub(crate) const RIGHT_MARGIN: u32 = 36;

/// Draws title, axes, tick labels and a light grid on `plot` and returns the chart.
pub(crate) fn plane<'a, DB>(
    plot: &'a DrawingArea<DB, Shift>,
    p: &Plane<'_>,
) -> Result<ChartContext<'a, DB, Coords>, Error>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    let err = draw_error::<DB::ErrorType>(p.title);
    let (width, _) = plot.dim_in_pixel();
    let (title, size) = fit_title(p.title, width.saturating_sub(2 * MARGIN));
    let mut chart = ChartBuilder::on(plot)
        .caption(title, (FONT, size).into_font().color(&INK))
        .margin(MARGIN)
        .margin_right(p.right_margin)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(p.y_label_area)
        .build_cartesian_2d(
            Ticked::new(p.x.range, &p.x.ticks),
            Ticked::new(p.y.range, &p.y.ticks),
        )
        .map_err(&err)?;
    let x_fmt = |v: &f64| p.x.label(*v);
    let y_fmt = |v: &f64| p.y.label(*v);
    chart
        .configure_mesh()
        .x_desc(p.x_label)
        .y_desc(p.y_label)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .bold_line_style(INK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(&err)?;
    Ok(chart)
}

/// Height of one legend row, pixels.
const LEGEND_ROW_PX: i32 = 20;

/// A legend: glyphs with words, left to right, wrapped; then a note in words, wrapped.
#[derive(Clone, Debug, Default)]
pub(crate) struct Legend {
    /// Entries.
    pub entries: Vec<(Glyph, String)>,
    /// A sentence under the entries (may be empty).
    pub note: String,
}

impl Legend {
    /// Where each entry goes (pixels in the legend strip) and the note's lines, for a strip
    /// `width` pixels wide.
    fn layout(&self, width: i32) -> (Vec<(i32, i32)>, Vec<String>, i32) {
        let left = LEGEND_INDENT_PX + 12;
        let (mut x, mut y) = (left, LEGEND_ROW_PX / 2);
        let mut at = Vec::with_capacity(self.entries.len());
        for (_, words) in &self.entries {
            let advance = 20 + 6 + text_px(words) + 22;
            if x + advance > width && x > left {
                x = left;
                y += LEGEND_ROW_PX;
            }
            at.push((x, y));
            x += advance;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a small positive count of characters"
        )]
        let per_line =
            ((f64::from(width - 2 * LEGEND_INDENT_PX) / SMALL_CHAR_PX).max(20.0)) as usize;
        let mut lines: Vec<String> = Vec::new();
        for word in self.note.split_whitespace() {
            match lines.last_mut() {
                Some(line) if line.chars().count() + 1 + word.chars().count() <= per_line => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_owned()),
            }
        }
        let entry_rows = if at.is_empty() {
            0
        } else {
            y / LEGEND_ROW_PX + 1
        };
        let rows = entry_rows + i32::try_from(lines.len()).unwrap_or(0);
        (at, lines, rows)
    }

    /// The strip's height for a chart `width` pixels wide: at least the usual legend strip.
    pub fn height(&self, width: u32) -> u32 {
        let (_, _, rows) = self.layout(i32::try_from(width).unwrap_or(i32::MAX));
        u32::try_from(rows * LEGEND_ROW_PX + 6)
            .unwrap_or(LEGEND_HEIGHT)
            .max(LEGEND_HEIGHT)
    }

    /// Draws the legend in `area`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let (width, _) = area.dim_in_pixel();
        let (at, lines, _) = self.layout(i32::try_from(width).unwrap_or(i32::MAX));
        let mut bottom = 0;
        for ((glyph, words), (x, y)) in self.entries.iter().zip(at) {
            draw_glyph(area, *glyph, (x, y))?;
            area.draw(&Text::new(
                words.clone(),
                (x + 16, y),
                left_text(SMALL_SIZE, INK),
            ))?;
            bottom = y + LEGEND_ROW_PX / 2;
        }
        for (k, line) in lines.into_iter().enumerate() {
            let y = bottom + LEGEND_ROW_PX / 2 + i32::try_from(k).unwrap_or(0) * LEGEND_ROW_PX;
            area.draw(&Text::new(
                line,
                (LEGEND_INDENT_PX, y),
                left_text(SMALL_SIZE, INK),
            ))?;
        }
        Ok(())
    }
}

/// Fills `root` white and splits it into the plot (top) and a legend strip tall enough for
/// `legend` (bottom).
pub(crate) fn split_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &Legend,
) -> Result<(Area<DB>, Area<DB>), Error>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)
        .map_err(draw_error::<DB::ErrorType>(title))?;
    let (width, height) = root.dim_in_pixel();
    let strip = legend.height(width).min(height / 2);
    Ok(root.split_vertically(height.saturating_sub(strip)))
}

/// Height of one row of marker labels, pixels.
const MARKER_ROW_PX: i32 = 15;

/// Dated measures (day number, label): a vertical line over the whole height in `colour`, the
/// label right of it (left where it would run past the edge), staggered in rows where labels
/// crowd. Measures outside the x range are left out.
pub(crate) fn draw_markers<DB>(
    ctx: &mut ChartContext<'_, DB, Coords>,
    plot: &DrawingArea<DB, Shift>,
    markers: &[(f64, String)],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    colour: RGBColor,
    title: &str,
) -> Result<(), Error>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let err = draw_error::<DB::ErrorType>(title);
    let (right_edge, _) = plot.dim_in_pixel();
    let right_edge = i32::try_from(right_edge).unwrap_or(i32::MAX);
    let mut rows: Vec<Vec<(i32, i32)>> = Vec::new();
    for (day, label) in markers.iter().filter(|(d, _)| (x0..=x1).contains(d)) {
        ctx.draw_series([PathElement::new(
            vec![(*day, y0), (*day, y1)],
            colour.stroke_width(2),
        )])
        .map_err(&err)?;
        let (px, top) = ctx.backend_coord(&(*day, y1));
        let width = text_px(label);
        let x_text = if px + 4 + width < right_edge {
            px + 4
        } else {
            (px - 4 - width).max(0)
        };
        let span = (x_text - 3, x_text + width + 3);
        let free = |row: &Vec<(i32, i32)>| row.iter().all(|(a, b)| span.1 < *a || *b < span.0);
        let row = rows.iter().position(free).unwrap_or(rows.len());
        if row == rows.len() {
            rows.push(Vec::new());
        }
        rows[row].push(span);
        let y = top + 8 + i32::try_from(row).unwrap_or(0) * MARKER_ROW_PX;
        plot.draw(&Text::new(
            label.clone(),
            (x_text, y),
            left_text(SMALL_SIZE, INK),
        ))
        .map_err(&err)?;
    }
    Ok(())
}

/// The finite `(lo, hi)` of `values`, or `None` when none is finite.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_show_every_value_exactly_with_the_fewest_decimals() {
        assert_eq!(short_labels(&[1.0, 2.0, 10_000.0]), ["1", "2", "10,000"]);
        assert_eq!(short_labels(&[0.25, 0.5]), ["0.25", "0.50"]);
        assert_eq!(short_labels(&[0.1, 0.2]), ["0.1", "0.2"]);
        assert_eq!(short_labels(&[1.0 / 3.0]), ["0.3333"]);
    }

    #[test]
    fn long_titles_get_smaller_then_cut() {
        assert_eq!(fit_title("Short", 776), ("Short".to_owned(), TITLE_SIZE));
        let long = "Weeks to the first plant halt (/work/main/runs/validation/list_expansion_2025_10/replications.csv)";
        let (t, size) = fit_title(long, 776);
        assert!((size - LABEL_SIZE).abs() < 1e-9 && t == long, "{t}");
        let (t, _) = fit_title(&long.repeat(2), 776);
        assert!(
            t.ends_with('…') && text_width(&t, LABEL_SIZE) <= 776.0,
            "{t}"
        );
    }

    #[test]
    fn padded_axes_keep_the_ticks_inside_and_pad_the_ends() {
        let a = Axis::padded(0.0, 16.0, 0.03);
        assert_eq!(a.ticks, [0.0, 5.0, 10.0, 15.0]);
        assert!(a.range.0 < 0.0 && a.range.0 > -1.0 && a.range.1 > 16.0 && a.range.1 < 17.0);
        let flat = Axis::padded(3.0, 3.0, 0.05);
        assert!(flat.range.0 < 3.0 && flat.range.1 > 3.0 && flat.ticks.len() >= 2);
    }

    #[test]
    fn category_axes_label_every_stride_th_and_cover_all() {
        let labels: Vec<String> = (0..7).map(|k| format!("c{k}")).collect();
        let a = Axis::categories(&labels, 3);
        assert_eq!(a.ticks, [0.0, 3.0, 6.0]);
        assert_eq!(a.labels, ["c0", "c3", "c6"]);
        assert_eq!(a.range, (-0.5, 6.5));
        assert_eq!(a.label(2.6), "c3");
        let one = Axis::categories(&["only".to_owned()], 1);
        assert_eq!(one.range, (-0.5, 0.5));
    }

    #[test]
    fn a_legend_with_many_entries_and_a_note_grows() {
        let few = Legend {
            entries: vec![(Glyph::Line(INK), "one".into())],
            note: String::new(),
        };
        assert_eq!(few.height(800), LEGEND_HEIGHT);
        let many = Legend {
            entries: (0..8)
                .map(|k| (Glyph::Line(SERIES[k]), format!("destination number {k}")))
                .collect(),
            note: "means across replications: they add up across destinations".repeat(3),
        };
        assert!(many.height(800) >= 4 * 20, "{}", many.height(800));
    }

    #[test]
    fn too_many_series_are_refused_naming_the_limit() {
        assert!(check_series_count("t", 8).is_ok());
        let e = check_series_count("t", 9).unwrap_err().to_string();
        assert!(e.contains("9 series") && e.contains("at most 8"), "{e}");
    }

    #[test]
    fn finite_range_skips_nan() {
        assert_eq!(finite_range([f64::NAN, 2.0, -1.0]), Some((-1.0, 2.0)));
        assert_eq!(finite_range([f64::NAN]), None);
    }
}
