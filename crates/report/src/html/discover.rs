//! The report of `chokepoint discover`: the PRIM box's restrictions with coverage, density and
//! quasi-p (`prim_box.csv`, `prim_trajectory.csv`, the manifest), the coverage–density
//! trade-off and the box chart, drawn here once for the page and for the CLI's `plots/`.

use std::path::Path;

use super::data::{Frame, manifest};
use super::format::value;
use super::{Block, Cell, Context, Figure, Page, Section, Table, manifest_footer};
use crate::dots::{DotRow, DotWhiskerChart, dot_whisker_svg};
use crate::error::Error;
use crate::scatter::{ScatterChart, ScatterPoint, scatter_svg};

/// One parameter the box narrows.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimRange {
    /// The swept parameter's key path.
    pub param: String,
    /// The box's lower end (inclusive: a value some case has).
    pub lo: f64,
    /// The box's upper end.
    pub hi: f64,
    /// The lowest value the cases have.
    pub sweep_lo: f64,
    /// The highest value the cases have.
    pub sweep_hi: f64,
    /// The restriction's quasi-p value (small: unlikely by chance).
    pub quasi_p: f64,
}

/// What the discovery charts show.
#[derive(Clone, Debug, PartialEq)]
pub struct Prim {
    /// The outcome column the cases were judged on.
    pub column: String,
    /// Cases (design points).
    pub cases: usize,
    /// Cases of interest.
    pub interesting: usize,
    /// (coverage, density) after each peeling step, step 0 first.
    pub steps: Vec<(f64, f64)>,
    /// The step chosen (before pasting).
    pub chosen: usize,
    /// (coverage, density) of the chosen box after pasting.
    pub pasted: (f64, f64),
    /// The parameters the pasted box narrows.
    pub restrictions: Vec<PrimRange>,
}

/// Coverage against density along the peeling trajectory, the chosen step and the pasted box
/// labelled (`plots/prim_tradeoff`).
///
/// # Errors
/// [`Error::Draw`] if the chart cannot be drawn.
pub fn prim_tradeoff_svg(p: &Prim) -> Result<String, Error> {
    let point = |label: String, (x, y): (f64, f64)| ScatterPoint {
        label,
        x,
        y,
        x_interval: None,
        y_interval: None,
    };
    let mut points: Vec<ScatterPoint> = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = if i == p.chosen {
                format!("step {i} (chosen)")
            } else {
                String::new()
            };
            point(label, *s)
        })
        .collect();
    points.push(point("pasted box".into(), p.pasted));
    let mut chart = ScatterChart::new(
        format!("PRIM peeling: coverage against density ({})", p.column),
        "coverage (share of the cases of interest inside the box)",
        "density (share of the box that is of interest)",
        points,
    );
    chart.note = format!(
        "{} of {} design points are of interest",
        p.interesting, p.cases
    );
    chart.dot = "box after a peeling step".into();
    scatter_svg(&chart)
}

/// Each restricted parameter's range in the box as a share of its swept range
/// (`plots/prim_box`); `None` when the box restricts nothing.
///
/// # Errors
/// [`Error::Draw`] if the chart cannot be drawn.
pub fn prim_box_svg(p: &Prim) -> Result<Option<String>, Error> {
    if p.restrictions.is_empty() {
        return Ok(None);
    }
    let rows = p
        .restrictions
        .iter()
        .map(|x| {
            let span = x.sweep_hi - x.sweep_lo;
            let share = |v: f64| {
                if span > 0.0 {
                    (v - x.sweep_lo) / span
                } else {
                    0.5
                }
            };
            DotRow {
                label: x.param.clone(),
                mean: share(0.5 * (x.lo + x.hi)),
                lo: share(x.lo),
                hi: share(x.hi),
                baseline: false,
            }
        })
        .collect();
    let mut chart = DotWhiskerChart::new(
        "The box: each restricted parameter's range",
        "position in the swept range (0 = lowest value swept, 1 = highest)",
        rows,
    );
    chart.dot = "middle".into();
    chart.interval = "range inside the box".into();
    chart.reference = "lowest value swept".into();
    Ok(Some(dot_whisker_svg(&chart)?))
}

/// The discovery in `dir` read back: the trajectory, the box, and from the manifest the
/// column and the case counts.
fn read(dir: &Path) -> Result<(Prim, serde_json::Value), Error> {
    let m = manifest(dir)?;
    let t = Frame::read(&dir.join("prim_trajectory.csv"))?;
    let b = Frame::read(&dir.join("prim_box.csv"))?;
    let [step, coverage, density, chosen] =
        ["step", "coverage", "density", "chosen"].map(|c| t.column(c));
    let (step, coverage, density, chosen) = (step?, coverage?, density?, chosen?);
    let mut prim = Prim {
        column: m
            .get("column")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
            .to_owned(),
        cases: count(&m, "cases"),
        interesting: count(&m, "interesting"),
        steps: Vec::new(),
        chosen: 0,
        pasted: (f64::NAN, f64::NAN),
        restrictions: Vec::new(),
    };
    for r in 0..t.rows.len() {
        let at = (t.number(r, coverage)?, t.number(r, density)?);
        if t.text(r, step) == "pasted" {
            prim.pasted = at;
        } else {
            if t.text(r, chosen) == "true" {
                prim.chosen = prim.steps.len();
            }
            prim.steps.push(at);
        }
    }
    let [param, lo, hi, sweep_lo, sweep_hi, quasi_p] =
        ["param", "lo", "hi", "sweep_lo", "sweep_hi", "quasi_p"].map(|c| b.column(c));
    let (param, lo, hi) = (param?, lo?, hi?);
    let (sweep_lo, sweep_hi, quasi_p) = (sweep_lo?, sweep_hi?, quasi_p?);
    for r in 0..b.rows.len() {
        prim.restrictions.push(PrimRange {
            param: b.text(r, param).to_owned(),
            lo: b.number(r, lo)?,
            hi: b.number(r, hi)?,
            sweep_lo: b.number(r, sweep_lo)?,
            sweep_hi: b.number(r, sweep_hi)?,
            quasi_p: b.number(r, quasi_p)?,
        });
    }
    Ok((prim, m))
}

fn count(m: &serde_json::Value, key: &str) -> usize {
    m.get(key)
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
}

/// The report of the discovery in `dir`.
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when `manifest.json`, `prim_trajectory.csv` or
/// `prim_box.csv` is missing or malformed; [`Error::Draw`] if a chart cannot be drawn.
pub fn discover_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let (prim, m) = read(dir)?;
    let side = m
        .get("side")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("above");
    let threshold = m
        .get("threshold")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(f64::NAN);
    let unit = ctx.unit(prim.column.trim_end_matches("_mean"));
    let mut page = Page {
        title: format!(
            "Scenario discovery: where {} is {side} {}",
            prim.column,
            value(threshold, &unit)
        ),
        intro: vec![format!(
            "{} of {} design points of the sweep have {} {side} {} (the cases of interest). \
             PRIM peels the box of swept parameters around all cases, a slice at a time, towards \
             the cases of interest, then pastes back what helps: the box below is where the \
             outcome is concentrated.",
            prim.interesting,
            prim.cases,
            prim.column,
            value(threshold, &unit)
        )],
        ..Page::default()
    };
    let (coverage, density) = prim.pasted;
    let mut blocks = vec![Block::Paragraph(format!(
        "The chosen box (peeling step {}, then pasted) holds {} of the cases of interest \
         (coverage), and {} of the cases inside it are of interest (density).",
        prim.chosen,
        value(coverage, "share"),
        value(density, "share")
    ))];
    if let Some(svg) = prim_box_svg(&prim)? {
        blocks.push(Block::Figure(Figure {
            file: "prim_box".into(),
            caption: "Each restricted parameter's range inside the box (whisker) as a share of \
                      the range the sweep covered: 0 is the lowest value swept, 1 the highest."
                .into(),
            svg,
        }));
    }
    if prim.restrictions.is_empty() {
        blocks.push(Block::Paragraph(
            "The box restricts no parameter: the cases of interest are spread over the whole \
             sweep."
                .into(),
        ));
    } else {
        let rows = prim
            .restrictions
            .iter()
            .map(|x| {
                vec![
                    Cell::text(&x.param),
                    Cell::number(value(x.lo, "")),
                    Cell::number(value(x.hi, "")),
                    Cell::number(format!(
                        "{} – {}",
                        value(x.sweep_lo, ""),
                        value(x.sweep_hi, "")
                    )),
                    Cell::number(value(x.quasi_p, "")),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            headers: ["parameter", "box from", "box to", "swept", "quasi-p"]
                .map(String::from)
                .to_vec(),
            rows,
            note: Some(
                "The box's ends are values some case has (inclusive). The quasi-p value is the \
                 chance of the restriction's density if cases of interest fell at random: \
                 small means the restriction matters (prim_box.csv)."
                    .into(),
            ),
        }));
    }
    page.sections.push(Section {
        heading: "The box".into(),
        blocks,
    });
    let chosen = prim
        .steps
        .get(prim.chosen)
        .copied()
        .unwrap_or((f64::NAN, f64::NAN));
    page.sections.push(Section {
        heading: "Coverage against density".into(),
        blocks: vec![
            Block::Figure(Figure {
                file: "prim_tradeoff".into(),
                caption: "Each peeling step's box: coverage (share of the cases of interest \
                          inside) against density (share of the box of interest). Peeling \
                          trades coverage for density; the chosen step is the densest that \
                          keeps the minimum coverage."
                    .into(),
                svg: prim_tradeoff_svg(&prim)?,
            }),
            Block::Table(Table {
                headers: ["box", "coverage", "density"].map(String::from).to_vec(),
                rows: vec![
                    vec![
                        Cell::text("all cases (step 0)"),
                        Cell::number(value(prim.steps.first().map_or(f64::NAN, |s| s.0), "share")),
                        Cell::number(value(prim.steps.first().map_or(f64::NAN, |s| s.1), "share")),
                    ],
                    vec![
                        Cell::text(format!("chosen (step {})", prim.chosen)),
                        Cell::number(value(chosen.0, "share")),
                        Cell::number(value(chosen.1, "share")),
                    ],
                    vec![
                        Cell::text("pasted"),
                        Cell::number(value(coverage, "share")),
                        Cell::number(value(density, "share")),
                    ],
                ],
                note: Some(format!(
                    "{} peeling steps; every one is in prim_trajectory.csv.",
                    prim.steps.len().saturating_sub(1)
                )),
            }),
        ],
    });
    page.footer = manifest_footer(dir);
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_tables_the_box_and_a_box_without_restrictions_has_no_box_chart() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            r#"{"status":"complete","kind":"discover","column":"lost_output_usd_mean",
               "threshold":5e9,"side":"above","cases":40,"interesting":10}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("prim_trajectory.csv"),
            "step,coverage,density,mass,cases,interesting,restricted,chosen\n\
             0,1,0.25,1,40,10,0,false\n1,0.9,0.4,0.5,20,9,1,true\npasted,0.95,0.42,0.55,22,9.5,1,false\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("prim_box.csv"),
            "param,lo,hi,sweep_lo,sweep_hi,quasi_p\nshock.0.duration_weeks,26.5,52,4,52,0.00123\n",
        )
        .unwrap();
        let page = discover_page(dir.path(), &Context::default()).unwrap();
        assert!(
            page.intro[0].starts_with("10 of 40 design points"),
            "{}",
            page.intro[0]
        );
        let s = &page.sections[0];
        assert!(matches!(s.blocks[1], Block::Figure(_)));
        let Block::Table(t) = &s.blocks[2] else {
            panic!()
        };
        assert_eq!(t.rows[0][1].text, "26.5");
        assert_eq!(t.rows[0][4].text, "0.00123");
        let (prim, _) = read(dir.path()).unwrap();
        assert_eq!(prim.chosen, 1);
        assert_eq!(prim.pasted, (0.95, 0.42));
        std::fs::write(
            dir.path().join("prim_box.csv"),
            "param,lo,hi,sweep_lo,sweep_hi,quasi_p\n",
        )
        .unwrap();
        let page = discover_page(dir.path(), &Context::default()).unwrap();
        assert!(
            !page.sections[0]
                .blocks
                .iter()
                .any(|b| matches!(b, Block::Figure(_)))
        );
    }
}
