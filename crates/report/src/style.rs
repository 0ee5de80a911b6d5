//! Colours, sizes and the legend strip shared by every chart.
//!
//! Colours are the Okabe–Ito palette (Okabe and Ito 2008, "Color Universal Design"), which stays
//! distinguishable under the common colour-vision deficiencies and in greyscale print.

use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::DrawingErrorKind;

/// Okabe–Ito blue: the model (median line, bands, whiskers).
pub const MODEL: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion: observed history.
pub const HISTORY: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito black: text and axes.
pub const INK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Okabe–Ito reddish purple: dated measures.
pub const MEASURE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Opacity of the p5–p95 band.
pub const OUTER_BAND_ALPHA: f64 = 0.18;
/// Opacity of the p25–p75 band (drawn over the outer one).
pub const INNER_BAND_ALPHA: f64 = 0.30;

/// Default chart size in pixels: fits an A4 page's text width at 96 dpi.
pub const DEFAULT_SIZE: (u32, u32) = (800, 400);
/// Indent of the legend from the left edge, pixels.
pub const LEGEND_INDENT_PX: i32 = 16;
/// Height of the legend strip under the plot, in pixels.
pub const LEGEND_HEIGHT: u32 = 30;
/// Font family: left to the viewer (the SVG names a generic family, no font file is needed).
pub const FONT: &str = "sans-serif";
/// Font sizes in plotters' units (the SVG shows them at size / 1.24 px).
pub const TITLE_SIZE: f64 = 22.0;
/// Axis labels and tick labels.
pub const LABEL_SIZE: f64 = 16.0;
/// Legend, marker and point labels.
pub const SMALL_SIZE: f64 = 14.0;
/// Plotters' rough width of one character of `SMALL_SIZE` text, in pixels (its own estimate
/// for SVG: size / 1.24² × 0.7), used to lay out the legend.
pub const SMALL_CHAR_PX: f64 = SMALL_SIZE / 1.24 / 1.24 * 0.7;

/// Plotters' estimate of the width of `SMALL_SIZE` text, pixels.
pub fn text_px(text: &str) -> i32 {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "clamped to the width of any chart"
    )]
    let px = (text.chars().count() as f64 * SMALL_CHAR_PX)
        .ceil()
        .min(1.0e6) as i32;
    px
}

/// A text style anchored at its left edge, vertically centred.
pub fn left_text(size: f64, colour: RGBColor) -> TextStyle<'static> {
    (FONT, size)
        .into_font()
        .color(&colour)
        .pos(Pos::new(HPos::Left, VPos::Center))
}

/// What a legend entry shows before its words.
#[derive(Clone, Copy, Debug)]
pub enum Glyph {
    /// A short line in the colour.
    Line(RGBColor),
    /// A filled box with the opacity.
    Band(RGBColor, f64),
    /// A diamond, filled or hollow.
    Diamond(RGBColor, bool),
    /// A circle, filled or hollow.
    Dot(RGBColor, bool),
    /// A vertical whisker with a dot.
    Whisker(RGBColor),
}

/// Draws a glyph centred at `(x, y)` in the area's pixels.
pub fn draw_glyph<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    glyph: Glyph,
    (x, y): (i32, i32),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    match glyph {
        Glyph::Line(c) => area.draw(&PathElement::new(
            vec![(x - 10, y), (x + 10, y)],
            c.stroke_width(2),
        )),
        Glyph::Band(c, alpha) => area.draw(&Rectangle::new(
            [(x - 10, y - 6), (x + 10, y + 6)],
            c.mix(alpha).filled(),
        )),
        Glyph::Diamond(c, filled) => area.draw(&diamond((x, y), 0, c, filled)),
        Glyph::Dot(c, filled) => area.draw(&dot((x, y), c, filled)),
        Glyph::Whisker(c) => {
            area.draw(&PathElement::new(
                vec![(x, y - 8), (x, y + 8)],
                c.stroke_width(2),
            ))?;
            area.draw(&Circle::new((x, y), 3, c.filled()))
        }
    }
}

/// Half-diagonal of a diamond marker, pixels.
const DIAMOND_PX: i32 = 7;

/// A diamond marker at a coordinate, shifted `dx` pixels sideways: filled in its colour, or
/// hollow (white inside, a coloured outline).
#[derive(Clone, Debug)]
pub struct Diamond<Coord> {
    at: Coord,
    dx: i32,
    colour: RGBColor,
    filled: bool,
}

/// A diamond at `at`, `dx` pixels to the right.
pub fn diamond<Coord>(at: Coord, dx: i32, colour: RGBColor, filled: bool) -> Diamond<Coord> {
    Diamond {
        at,
        dx,
        colour,
        filled,
    }
}

impl<'a, Coord> PointCollection<'a, Coord> for &'a Diamond<Coord> {
    type Point = &'a Coord;
    type IntoIter = std::iter::Once<&'a Coord>;
    fn point_iter(self) -> std::iter::Once<&'a Coord> {
        std::iter::once(&self.at)
    }
}

impl<Coord, DB: DrawingBackend> Drawable<DB> for Diamond<Coord> {
    fn draw<I: Iterator<Item = (i32, i32)>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        let x = x + self.dx;
        let d = DIAMOND_PX;
        let corners = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)];
        let inside = if self.filled { self.colour } else { WHITE };
        backend.fill_polygon(corners, &inside.to_backend_color())?;
        backend.draw_path(
            corners.into_iter().chain([corners[0]]),
            &self.colour.stroke_width(2),
        )
    }
}

/// A dot marker (4 px radius): filled, or hollow (white inside, coloured ring).
pub fn dot<C>(at: C, colour: RGBColor, filled: bool) -> Circle<(i32, i32), i32>
where
    C: Into<(i32, i32)>,
{
    let style = if filled {
        colour.filled()
    } else {
        colour.stroke_width(2)
    };
    Circle::new(at.into(), 4, style)
}

/// Draws `entries` left to right in the legend strip, wrapping when a row is full.
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(Glyph, String)],
    left: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, height) = area.dim_in_pixel();
    let width = i32::try_from(width).unwrap_or(i32::MAX);
    let row = i32::try_from(height).unwrap_or(0).clamp(1, 24);
    let (mut x, mut y) = (left + 12, row / 2);
    for (glyph, words) in entries {
        let advance = 20 + 6 + text_px(words) + 22;
        if x + advance > width && x > left + 12 {
            x = left + 12;
            y += row;
        }
        draw_glyph(area, *glyph, (x, y))?;
        area.draw(&Text::new(
            words.clone(),
            (x + 16, y),
            left_text(SMALL_SIZE, INK),
        ))?;
        x += advance;
    }
    Ok(())
}
