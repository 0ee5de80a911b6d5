//! SVG → PNG for slides, with `resvg`.
//!
//! The charts name the generic `sans-serif` family. The system's fonts are loaded once (fontdb,
//! from the usual folders: `/usr/share/fonts` on Debian) and `sans-serif` is pointed at the first
//! of `DejaVu Sans`, `Liberation Sans`, `Noto Sans`, `Arial`, `Helvetica` that is installed (else any
//! installed family). Without any font the marks still render, the text does not, and the result
//! carries a warning for the caller to print.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use crate::error::Error;

/// Families tried for `sans-serif`, first found wins.
const SANS: [&str; 5] = [
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
];
/// Largest PNG side, pixels (a 800 × 400 chart at scale 20).
pub const MAX_PNG_SIDE: u32 = 16_000;

/// A rendered PNG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Png {
    /// The PNG file's bytes.
    pub bytes: Vec<u8>,
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// Something the caller should tell the user (no font found: the PNG has no text).
    pub warning: Option<String>,
}

/// The system's fonts, loaded once per process, with `sans-serif` (and `serif`, usvg's last
/// resort) mapped to an installed family.
fn system_fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            point_generic_families(&mut db);
            Arc::new(db)
        })
        .clone()
}

/// Points `sans-serif` and `serif` at the first installed family of [`SANS`], else at any
/// installed family.
fn point_generic_families(db: &mut fontdb::Database) {
    let installed = |name: &str| {
        db.faces()
            .any(|f| f.families.iter().any(|(family, _)| family == name))
    };
    let chosen = SANS
        .iter()
        .find(|name| installed(name))
        .map(|name| (*name).to_owned())
        .or_else(|| {
            db.faces()
                .next()
                .and_then(|f| f.families.first().map(|(family, _)| family.clone()))
        });
    if let Some(family) = chosen {
        db.set_sans_serif_family(family.clone());
        db.set_serif_family(family);
    }
}

/// Renders `svg` at `scale` × its own size (2 for slides: an 800 × 400 chart becomes
/// 1600 × 800) on a white background, as PNG bytes, with the system's fonts.
///
/// # Errors
/// [`Error::Invalid`] when `scale` is not a positive finite number or the PNG would be larger than
/// [`MAX_PNG_SIDE`] on a side; [`Error::Png`] when the SVG cannot be read or the PNG encoded.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Png, Error> {
    render(svg, scale, system_fonts())
}

/// [`svg_to_png`] with a given font database.
fn render(svg: &str, scale: f32, fonts: Arc<fontdb::Database>) -> Result<Png, Error> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::Invalid {
            what: "PNG".into(),
            why: format!("scale {scale}; expected a positive number such as 1 or 2"),
        });
    }
    let warning = fonts.is_empty().then(|| {
        "no font found on this system: the PNG has the chart's marks but no text; \
         install a font package (Debian: fonts-dejavu-core)"
            .to_owned()
    });
    let options = usvg::Options {
        font_family: "sans-serif".into(),
        fontdb: fonts,
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| Error::Png {
        message: format!("the SVG cannot be read: {e}"),
    })?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| Error::Invalid {
            what: "PNG".into(),
            why: format!("scale {scale} gives an empty picture"),
        })?;
    let (width, height) = (size.width(), size.height());
    if width > MAX_PNG_SIDE || height > MAX_PNG_SIDE {
        return Err(Error::Invalid {
            what: "PNG".into(),
            why: format!(
                "{width} × {height} pixels at scale {scale}; at most {MAX_PNG_SIDE} a side: \
                 use a smaller scale"
            ),
        });
    }
    let mut pixmap = Pixmap::new(width, height).ok_or_else(|| Error::Png {
        message: format!("cannot allocate {width} × {height} pixels"),
    })?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap.encode_png().map_err(|e| Error::Png {
        message: format!("cannot encode: {e}"),
    })?;
    Ok(Png {
        bytes,
        width,
        height,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FanChart, FanStep, fan_chart_svg};

    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

    fn chart() -> String {
        let date = chrono::NaiveDate::from_ymd_opt(2010, 9, 6).unwrap();
        let step = FanStep {
            date,
            p5: 1.0,
            p25: 1.5,
            p50: 2.0,
            p75: 2.5,
            p95: 3.0,
        };
        fan_chart_svg(&FanChart::new("Dy oxide price", "USD/kg", vec![step])).unwrap()
    }

    /// Width and height from the PNG's IHDR chunk.
    fn ihdr(bytes: &[u8]) -> (u32, u32) {
        let be = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        (be(16), be(20))
    }

    #[test]
    fn a_chart_becomes_a_png_of_the_requested_size() {
        let png = svg_to_png(&chart(), 2.0).unwrap();
        assert_eq!(png.bytes[..8], SIGNATURE);
        assert_eq!((png.width, png.height), (1600, 800));
        assert_eq!(ihdr(&png.bytes), (1600, 800));
        let one = svg_to_png(&chart(), 1.0).unwrap();
        assert_eq!(ihdr(&one.bytes), (800, 400));
    }

    #[test]
    fn text_is_drawn_when_a_font_is_installed() {
        let fonts = system_fonts();
        if fonts.is_empty() {
            return; // Nothing to compare on a machine without fonts; the next test covers it.
        }
        let with = render(&chart(), 1.0, fonts).unwrap();
        let without = render(&chart(), 1.0, Arc::new(fontdb::Database::new())).unwrap();
        assert!(with.warning.is_none());
        assert_ne!(with.bytes, without.bytes, "the text adds pixels");
    }

    #[test]
    fn without_fonts_the_marks_render_and_a_warning_says_so() {
        let png = render(&chart(), 1.0, Arc::new(fontdb::Database::new())).unwrap();
        assert_eq!(png.bytes[..8], SIGNATURE);
        let warning = png.warning.unwrap();
        assert!(
            warning.contains("no font") && warning.contains("fonts-dejavu-core"),
            "{warning}"
        );
    }

    #[test]
    fn every_chart_kind_renders() {
        use crate::*;
        let date = chrono::NaiveDate::from_ymd_opt(2025, 10, 9).unwrap();
        let svgs = [
            survival_svg(&SurvivalChart::new(
                "s",
                vec![HaltTime {
                    weeks: 3.0,
                    halted: true,
                }],
            ))
            .unwrap(),
            histogram_svg(&HistogramChart::new("h", "x (t)", vec![1.0, 2.0, 2.5])).unwrap(),
            dot_whisker_svg(&DotWhiskerChart::new(
                "d",
                "x (t)",
                vec![DotRow {
                    label: "a & b".into(),
                    mean: 1.0,
                    lo: 0.0,
                    hi: 2.0,
                    baseline: false,
                }],
            ))
            .unwrap(),
            scatter_svg(&ScatterChart::new(
                "s",
                "x",
                "y",
                vec![ScatterPoint {
                    label: "p".into(),
                    x: 1.0,
                    y: 2.0,
                    x_interval: None,
                    y_interval: None,
                }],
            ))
            .unwrap(),
            band_line_svg(&BandLineChart::new(
                "b",
                "x",
                "y",
                vec![BandSeries {
                    name: "n".into(),
                    points: vec![BandPoint {
                        x: 1.0,
                        mean: 1.0,
                        lo: 0.5,
                        hi: 2.0,
                    }],
                }],
            ))
            .unwrap(),
            heat_map_svg(&HeatMapChart::new(
                "h",
                "x",
                "y",
                "v (t)",
                vec![
                    HeatCell {
                        x: 1.0,
                        y: 1.0,
                        value: 3.0,
                    },
                    HeatCell {
                        x: 2.0,
                        y: 1.0,
                        value: 5.0,
                    },
                ],
            ))
            .unwrap(),
            date_lines_svg(&DateLinesChart::new(
                "l",
                "y",
                vec![DateSeries {
                    name: "n".into(),
                    points: vec![DatePoint { date, value: 1.0 }],
                }],
            ))
            .unwrap(),
        ];
        for svg in svgs {
            let png = svg_to_png(&svg, 1.0).unwrap();
            assert_eq!(png.bytes[..8], SIGNATURE);
            assert_eq!((png.width, png.height), declared_size(&svg));
        }
    }

    /// The size the SVG declares.
    fn declared_size(svg: &str) -> (u32, u32) {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let root = doc.root_element();
        let get = |a: &str| root.attribute(a).unwrap().parse().unwrap();
        (get("width"), get("height"))
    }

    #[test]
    fn bad_scales_and_bad_svg_are_errors() {
        for scale in [0.0, -1.0, f32::NAN, f32::INFINITY, 1000.0] {
            assert!(
                matches!(svg_to_png(&chart(), scale), Err(Error::Invalid { .. })),
                "scale {scale}"
            );
        }
        assert!(matches!(svg_to_png("not svg", 1.0), Err(Error::Png { .. })));
        assert!(matches!(svg_to_png("", 1.0), Err(Error::Png { .. })));
    }
}
