//! Heat maps for two swept parameters: one cell per pair of values, coloured by a metric on the
//! viridis scale (perceptually uniform, colour-blind-safe, light for high values), a colour bar
//! with ticks and the metric's unit, the values printed in the cells when the grid is small.

use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use crate::axis::{thousands, value_ticks};
use crate::canvas::{
    Axis, Legend, Plane, Y_LABEL_AREA, label_px, plane, short_labels, split_legend,
};
use crate::error::Error;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, FONT, Glyph, INK, LABEL_SIZE, SMALL_SIZE, left_text};

/// Most distinct values of each parameter.
pub const MAX_HEAT_SIDE: usize = 100;
/// Cell values are printed when both sides have at most this many values.
pub const PRINT_VALUES_UP_TO: usize = 12;
/// Width of the colour bar's area right of the plot, pixels.
const BAR_AREA: u32 = 120;
/// Width of the colour bar itself, pixels.
const BAR_PX: i32 = 16;
/// Strips the colour bar is drawn with.
const BAR_STRIPS: i32 = 64;
/// Grey of a cell without a value.
const MISSING: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// One cell: a pair of parameter values and the metric there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeatCell {
    /// The first parameter's value (x axis).
    pub x: f64,
    /// The second parameter's value (y axis).
    pub y: f64,
    /// The metric (non-finite: drawn as "no value").
    pub value: f64,
}

/// Everything a heat map shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMapChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The first swept key and its unit.
    pub x_label: String,
    /// The second swept key and its unit.
    pub y_label: String,
    /// The metric and its unit, beside the colour bar: "mean unmet demand (t)".
    pub value_label: String,
    /// The cells, one per pair of values, in any order.
    pub cells: Vec<HeatCell>,
    /// A sentence under the chart (may be empty).
    pub note: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl HeatMapChart {
    /// A heat map at the default size.
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        value_label: impl Into<String>,
        cells: Vec<HeatCell>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            value_label: value_label.into(),
            cells,
            note: String::new(),
            size: DEFAULT_SIZE,
        }
    }
}

/// The viridis colour of `value` on a scale from `lo` (dark purple) to `hi` (yellow); the
/// middle of the scale when the scale has no width, the nearer end outside it. Usable for table
/// cells too.
#[must_use]
pub fn heat_colour(value: f64, lo: f64, hi: f64) -> [u8; 3] {
    let share = if hi - lo > 0.0 && value.is_finite() {
        ((value - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let c: RGBColor = ViridisRGB::get_color_normalized(share, 0.0, 1.0);
    [c.0, c.1, c.2]
}

/// Relative luminance (sRGB, 0–1): picks black or white text over a cell.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.0722f64.mul_add(lin(b), 0.2126f64.mul_add(lin(r), 0.7152 * lin(g)))
}

/// The distinct values, ascending.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| a.total_cmp(b).is_eq());
    v
}

/// Every `stride`-th label fits in `room` pixels.
fn stride(labels: &[String], room: u32, per_label: impl Fn(&str) -> u32) -> usize {
    let need: u32 = labels.iter().map(|l| per_label(l)).max().unwrap_or(0);
    let n = u32::try_from(labels.len()).unwrap_or(u32::MAX);
    let fits = (room / need.max(1)).max(1);
    usize::try_from(n.div_ceil(fits)).unwrap_or(1).max(1)
}

/// The heat map as a standalone SVG document.
///
/// # Errors
/// [`Error::Empty`] without cells; [`Error::Invalid`] for a non-finite parameter value, two cells
/// at the same pair of values, or more than [`MAX_HEAT_SIDE`] values of a parameter;
/// [`Error::Draw`] if the plotting library fails (a bug).
pub fn heat_map_svg(chart: &HeatMapChart) -> Result<String, Error> {
    let bad = |why: String| Error::Invalid {
        what: chart.title.clone(),
        why,
    };
    if chart.cells.is_empty() {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no cell".into(),
        });
    }
    if let Some(c) = chart
        .cells
        .iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite()))
    {
        return Err(bad(format!(
            "a cell at ({}, {}); expected finite parameter values",
            c.x, c.y
        )));
    }
    let xs = distinct(chart.cells.iter().map(|c| c.x));
    let ys = distinct(chart.cells.iter().map(|c| c.y));
    if xs.len().max(ys.len()) > MAX_HEAT_SIDE {
        return Err(bad(format!(
            "{} × {} distinct values; a heat map shows at most {MAX_HEAT_SIDE} of each \
             (a Latin hypercube's points belong in a scatter chart)",
            xs.len(),
            ys.len()
        )));
    }
    let index = |v: f64, of: &[f64]| of.partition_point(|a| a.total_cmp(&v).is_lt());
    let mut grid: Vec<Option<f64>> = vec![None; xs.len() * ys.len()];
    let mut seen = vec![false; grid.len()];
    for c in &chart.cells {
        let k = index(c.y, &ys) * xs.len() + index(c.x, &xs);
        if seen[k] {
            return Err(bad(format!(
                "two cells at ({}, {}); expected one value per pair",
                c.x, c.y
            )));
        }
        seen[k] = true;
        grid[k] = c.value.is_finite().then_some(c.value);
    }
    let values: Vec<f64> = grid.iter().flatten().copied().collect();
    let (lo, hi) = crate::canvas::finite_range(values.iter().copied()).unwrap_or((0.0, 0.0));
    let scale = value_ticks(lo, hi);
    let (s_lo, s_hi) = scale.range;
    let missing = grid.iter().any(Option::is_none);

    let (x_words, y_words) = (short_labels(&xs), short_labels(&ys));
    let plot_w = chart.size.0.saturating_sub(BAR_AREA + Y_LABEL_AREA + 24);
    let plot_h = chart.size.1.saturating_sub(140);
    let x_axis = Axis::categories(&x_words, stride(&x_words, plot_w, |l| label_px(l) + 14));
    let y_axis = Axis::categories(&y_words, stride(&y_words, plot_h, |_| 18));
    let mut entries = Vec::new();
    if missing {
        entries.push((Glyph::Band(MISSING, 1.0), "no value".to_owned()));
    }
    let legend = Legend {
        entries,
        note: chart.note.clone(),
    };
    let print = xs.len() <= PRINT_VALUES_UP_TO && ys.len() <= PRINT_VALUES_UP_TO;
    // One decimal more than the colour bar's ticks, except for values in the hundreds and up.
    let cell_decimals = if s_hi - s_lo >= 100.0 {
        0
    } else {
        scale.decimals + 1
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        let err = draw_error::<std::io::Error>(&chart.title);
        let (top, strip) = split_legend(&root, &chart.title, &legend)?;
        let (width, _) = top.dim_in_pixel();
        let (plot, bar) = top.split_horizontally(width.saturating_sub(BAR_AREA));
        let mut ctx = plane(
            &plot,
            &Plane {
                title: &chart.title,
                x_label: &chart.x_label,
                y_label: &chart.y_label,
                x: &x_axis,
                y: &y_axis,
                y_label_area: Y_LABEL_AREA,
                right_margin: 8,
            },
        )?;
        for (k, cell) in grid.iter().enumerate() {
            let (i, j) = ((k % xs.len()) as f64, (k / xs.len()) as f64);
            let fill = cell.map_or(MISSING, |v| {
                let [r, g, b] = heat_colour(v, s_lo, s_hi);
                RGBColor(r, g, b)
            });
            ctx.draw_series([Rectangle::new(
                [(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)],
                fill.filled(),
            )])
            .map_err(&err)?;
            if let (true, Some(v)) = (print, cell) {
                let dark = luminance(heat_colour(*v, s_lo, s_hi)) < 0.35;
                let style = (FONT, SMALL_SIZE)
                    .into_font()
                    .color(if dark { &WHITE } else { &INK })
                    .pos(Pos::new(HPos::Center, VPos::Center));
                ctx.draw_series([Text::new(thousands(*v, cell_decimals), (i, j), style)])
                    .map_err(&err)?;
            }
        }

        // The colour bar, level with the plot: strips from the scale's low end (bottom) up.
        let (_, rows) = ctx.plotting_area().get_pixel_range();
        let (bottom, top_px) = (rows.end, rows.start);
        let height = f64::from(bottom - top_px);
        let y_at = |v: f64| {
            let share = if s_hi > s_lo {
                (v - s_lo) / (s_hi - s_lo)
            } else {
                0.5
            };
            #[allow(
                clippy::cast_possible_truncation,
                reason = "inside the plot's pixel range"
            )]
            let y = (f64::from(bottom) - share * height).round() as i32;
            y
        };
        for s in 0..BAR_STRIPS {
            let (a, b) = (f64::from(s), f64::from(s + 1));
            let share = |t: f64| s_lo + (s_hi - s_lo) * t / f64::from(BAR_STRIPS);
            let [r, g, bl] = heat_colour(share(a + 0.5), s_lo, s_hi);
            bar.draw(&Rectangle::new(
                [(10, y_at(share(b))), (10 + BAR_PX, y_at(share(a)))],
                RGBColor(r, g, bl).filled(),
            ))
            .map_err(&err)?;
        }
        bar.draw(&Rectangle::new(
            [(10, top_px), (10 + BAR_PX, bottom)],
            INK.stroke_width(1),
        ))
        .map_err(&err)?;
        for t in &scale.values {
            let y = y_at(*t);
            bar.draw(&PathElement::new(
                vec![(10 + BAR_PX, y), (14 + BAR_PX, y)],
                INK.stroke_width(1),
            ))
            .map_err(&err)?;
            bar.draw(&Text::new(
                scale.label(*t),
                (18 + BAR_PX, y),
                left_text(SMALL_SIZE, INK),
            ))
            .map_err(&err)?;
        }
        let (bar_w, _) = bar.dim_in_pixel();
        let words = (FONT, LABEL_SIZE)
            .into_font()
            .color(&INK)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center));
        bar.draw(&Text::new(
            chart.value_label.clone(),
            (
                i32::try_from(bar_w).unwrap_or(BAR_PX) - 14,
                i32::midpoint(top_px, bottom),
            ),
            words,
        ))
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

    fn grid(nx: usize, ny: usize) -> Vec<HeatCell> {
        (0..nx * ny)
            .map(|k| {
                let (i, j) = ((k % nx) as f64, (k / nx) as f64);
                HeatCell {
                    x: 0.5 * i,
                    y: 10.0 * j,
                    value: 100.0 * i + 35.0 * j,
                }
            })
            .collect()
    }

    fn chart(cells: Vec<HeatCell>) -> HeatMapChart {
        HeatMapChart::new(
            "Unmet demand",
            "licence delay (weeks)",
            "quota cut (%)",
            "mean unmet demand (t)",
            cells,
        )
    }

    #[test]
    fn colours_grow_lighter_with_the_value_and_the_scale_has_no_nan() {
        let lum: Vec<f64> = (0..=20)
            .map(|k| luminance(heat_colour(f64::from(k), 0.0, 20.0)))
            .collect();
        assert!(lum.windows(2).all(|w| w[1] > w[0]), "{lum:?}");
        assert_eq!(heat_colour(3.0, 5.0, 5.0), heat_colour(0.5, 0.0, 1.0));
        assert_eq!(heat_colour(f64::NAN, 0.0, 1.0), heat_colour(0.5, 0.0, 1.0));
        assert_eq!(heat_colour(-9.0, 0.0, 1.0), heat_colour(0.0, 0.0, 1.0));
        assert_eq!(heat_colour(0.0, 0.0, 1.0), [68, 1, 84]);
    }

    #[test]
    fn a_small_grid_has_one_cell_each_values_printed_and_a_colour_bar() {
        let svg = heat_map_svg(&chart(grid(4, 3))).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        let cells = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("rect")
                    && n.attribute("fill")
                        .is_some_and(|f| f != "#FFFFFF" && f != "none")
            })
            .count();
        assert_eq!(cells, 12 + BAR_STRIPS as usize);
        let all = texts(&doc);
        assert!(
            all.iter().any(|t| t == "370"),
            "the top-right cell: {all:?}"
        );
        assert!(all.iter().any(|t| t == "mean unmet demand (t)"), "{all:?}");
        assert!(all.iter().any(|t| t == "1.5"), "x value labels: {all:?}");
    }

    #[test]
    fn a_large_grid_has_no_printed_values_and_missing_cells_are_grey() {
        let mut cells = grid(20, 15);
        cells.pop();
        cells[3].value = f64::NAN;
        let svg = heat_map_svg(&chart(cells)).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        let grey = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#DDDDDD"))
            .count();
        assert_eq!(grey, 2 + 1, "two cells and the legend");
        assert!(!texts(&doc).iter().any(|t| t == "370"));
    }

    #[test]
    fn duplicates_non_finite_keys_and_empty_input_are_refused_and_flat_values_draw() {
        let mut dup = grid(2, 2);
        dup.push(dup[0]);
        assert!(
            heat_map_svg(&chart(dup))
                .unwrap_err()
                .to_string()
                .contains("two cells at (0, 0)")
        );
        let mut nan = grid(2, 2);
        nan[1].x = f64::NAN;
        assert!(matches!(
            heat_map_svg(&chart(nan)),
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            heat_map_svg(&chart(vec![])),
            Err(Error::Empty { .. })
        ));
        let mut flat = grid(3, 3);
        for c in &mut flat {
            c.value = 7.0;
        }
        assert_finite_marks(&parse(&heat_map_svg(&chart(flat)).unwrap()));
        let one = vec![HeatCell {
            x: 1.0,
            y: 1.0,
            value: f64::NAN,
        }];
        assert_finite_marks(&parse(&heat_map_svg(&chart(one)).unwrap()));
    }
}
