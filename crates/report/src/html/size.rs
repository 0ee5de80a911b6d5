//! The report of `chokepoint size`: the answer with its interval and cost (`size.json`), every
//! size evaluated (`size.csv`), the greedy frontier for several items (`frontier.csv`), and the
//! risk curve or frontier chart, drawn here once for the page and for the CLI's `plots/`.

use std::path::Path;

use super::data::{Frame, json_file};
use super::format::{interval, value};
use super::{Block, Cell, Context, Figure, Page, Section, Table, manifest_footer};
use crate::band::{BandLineChart, BandPoint, BandSeries, band_line_svg};
use crate::error::Error;

/// One evaluated size as charted: x (weeks held of the one item, or the mean stockpile cost
/// in USD for several), the risk estimate and its one-sided bounds (NaN or infinite where
/// undefined, e.g. a mean of one replication: drawn at the estimate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizePoint {
    /// Weeks of use held (one item) or mean stockpile cost in USD (several items).
    pub x: f64,
    /// The target's statistic.
    pub risk: f64,
    /// Its lower bound.
    pub lo: f64,
    /// Its upper bound.
    pub hi: f64,
}

/// What the sizing chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SizeChart {
    /// The target as written, `P(weeks_halted > 4) <= 0.05`.
    pub target: String,
    /// The target's bound on its statistic.
    pub bound: f64,
    /// The sized items (one: a risk curve against the weeks held; several: the frontier
    /// against cost).
    pub items: Vec<String>,
    /// The scenarios sized over (the chart's note).
    pub scenarios: Vec<String>,
    /// The master seed (the chart's note).
    pub seed: u64,
    /// The x axis's label when not weeks of use of `items` (a `--scale` key with its unit).
    pub x_label: Option<String>,
    /// One item: every evaluation, in order (a size judged again keeps its last judgement);
    /// several: the greedy's steps from zero.
    pub points: Vec<SizePoint>,
}

impl SizeChart {
    /// The chart's file stem in `plots/`: `risk_curve` (one item) or `frontier`.
    #[must_use]
    pub fn stem(&self) -> &'static str {
        if self.items.len() == 1 {
            "risk_curve"
        } else {
            "frontier"
        }
    }
}

/// A size's risk with its bounds; a bound that is not finite is drawn at the estimate.
fn band_point(p: &SizePoint) -> BandPoint {
    let or = |v: f64| if v.is_finite() { v } else { p.risk };
    BandPoint {
        x: p.x,
        mean: p.risk,
        lo: or(p.lo).min(p.risk),
        hi: or(p.hi).max(p.risk),
    }
}

/// The risk curve (one item: risk against the weeks held, each size once with its last
/// judgement) or the frontier (several: the greedy steps' risk against their cost), with the
/// one-sided bounds as a band and the target as a line; money in billions or millions. `None`
/// when there is nothing to draw.
///
/// # Errors
/// [`Error::Draw`] if the chart cannot be drawn.
pub fn size_chart_svg(c: &SizeChart) -> Result<Option<String>, Error> {
    let points: Vec<BandPoint> = if c.items.len() == 1 {
        // Latest evaluation first, so that a size judged again (on more replications) keeps
        // its last judgement after the stable sort and dedup.
        let mut pts: Vec<BandPoint> = c.points.iter().rev().map(band_point).collect();
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        pts.dedup_by(|a, b| a.x.total_cmp(&b.x).is_eq());
        pts
    } else {
        c.points.iter().map(band_point).collect()
    };
    if points.is_empty() {
        return Ok(None);
    }
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
            (l.min(p.x), h.max(p.x))
        });
    let target = BandSeries {
        name: format!("target: {}", c.target),
        points: [lo, hi]
            .into_iter()
            .map(|x| BandPoint {
                x,
                mean: c.bound,
                lo: c.bound,
                hi: c.bound,
            })
            .collect(),
    };
    // Money in billions or millions, so the axis labels stay short.
    let largest = points
        .iter()
        .map(|p| p.hi.abs())
        .fold(c.bound.abs(), f64::max);
    let (scale, unit) = match largest {
        v if v >= 1e9 => (1e-9, " (billions)"),
        v if v >= 1e6 => (1e-6, " (millions)"),
        _ => (1.0, ""),
    };
    let scaled = |mut s: BandSeries| {
        for p in &mut s.points {
            (p.mean, p.lo, p.hi) = (p.mean * scale, p.lo * scale, p.hi * scale);
        }
        s
    };
    let statistic = c.target.split("<=").next().unwrap_or(&c.target).trim();
    let x_label = if let Some(l) = &c.x_label {
        l.clone()
    } else if c.items.len() == 1 {
        format!("{} held (weeks of use)", c.items[0])
    } else {
        "mean stockpile cost (USD)".to_owned()
    };
    let mut chart = BandLineChart::new(
        format!("Risk against the size held: {}", c.target),
        x_label,
        format!("{statistic}{unit}"),
        vec![
            scaled(BandSeries {
                name: "estimate".into(),
                points,
            }),
            scaled(target),
        ],
    );
    chart.band = "one-sided confidence bounds of the sequential test".into();
    chart.note = format!("over {}; seed {}", c.scenarios.join(", "), c.seed);
    Ok(Some(band_line_svg(&chart)?))
}

pub(super) fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

pub(super) fn number(v: &serde_json::Value, key: &str) -> f64 {
    v.get(key)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(f64::NAN)
}

/// The report of a sizing of stockpiles' weeks of use in `dir` (`--scale` sizings:
/// [`super::size_scaled::size_page`]).
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when `size.json`, `size.csv` (or `frontier.csv` for
/// several items) is missing or malformed; [`Error::Draw`] if the chart cannot be drawn.
pub fn size_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let a = json_file(&dir.join("size.json"))?;
    let target = a
        .get("target")
        .and_then(|t| t.as_str())
        .unwrap_or("?")
        .to_owned();
    let metric = a.get("metric").and_then(|t| t.as_str()).unwrap_or("");
    let items = strings(&a, "items");
    let scenarios = strings(&a, "scenarios");
    // `mean(M) <= X` bounds the metric's mean (its unit); the others an exceedance share.
    let unit = if target.trim_start().starts_with("mean") {
        ctx.unit(metric)
    } else {
        "share".to_owned()
    };
    let sizes = Frame::read(&dir.join("size.csv"))?;
    let frontier = (items.len() > 1)
        .then(|| Frame::read(&dir.join("frontier.csv")))
        .transpose()?;
    let mut page = Page {
        title: format!("Stockpile sizing: {target}"),
        intro: vec![format!(
            "The smallest stockpile of {} (weeks of use, the strategy's holdings scaled) that \
             meets the target over {}, on common random numbers; each size is judged by a \
             sequential test with one-sided confidence bounds.",
            items.join(", "),
            scenarios.join(", ")
        )],
        ..Page::default()
    };
    page.sections.push(answer_section(&a, &items, &unit));
    let mut blocks = Vec::new();
    let chart_rows = frontier.as_ref().unwrap_or(&sizes);
    let chart = SizeChart {
        target: target.clone(),
        bound: number(&a, "bound"),
        items: items.clone(),
        scenarios,
        seed: a
            .get("seed")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
        x_label: None,
        points: chart_points(chart_rows, &items)?,
    };
    if let Some(svg) = size_chart_svg(&chart)? {
        blocks.push(Block::Figure(Figure {
            file: chart.stem().into(),
            caption: if items.len() == 1 {
                "The target's statistic at every size evaluated (line), its one-sided bounds \
                 (band) and the target (flat line): the answer is the smallest size whose upper \
                 bound meets the target."
                    .into()
            } else {
                "The greedy steps' risk against their mean stockpile cost: each step adds the \
                 item that lowers the risk most per dollar."
                    .into()
            },
            svg,
        }));
    }
    blocks.push(Block::Table(sizes_table(
        &sizes, &items, &unit, "size.csv",
    )?));
    page.sections.push(Section {
        heading: "Risk against the size held".into(),
        blocks,
    });
    if let Some(f) = &frontier {
        page.sections.push(Section {
            heading: "Trade-off frontier".into(),
            blocks: vec![Block::Table(sizes_table(f, &items, &unit, "frontier.csv")?)],
        });
    }
    page.footer = manifest_footer(dir);
    Ok(page)
}

/// The answer in words and a one-row table (or why there is none).
fn answer_section(a: &serde_json::Value, items: &[String], unit: &str) -> Section {
    let mut blocks = Vec::new();
    let row = |e: &serde_json::Value| -> Vec<Cell> {
        let mut cells: Vec<Cell> = items
            .iter()
            .map(|i| {
                Cell::number(value(
                    e.get("weeks").map_or(f64::NAN, |w| number(w, i)),
                    "weeks",
                ))
            })
            .collect();
        cells.extend(items.iter().map(|i| {
            Cell::number(value(
                e.get("held_t").map_or(f64::NAN, |t| number(t, i)),
                "t",
            ))
        }));
        cells.push(Cell::number_with(
            value(number(e, "risk"), unit),
            interval(number(e, "risk_lo"), number(e, "risk_hi"), unit),
        ));
        cells.push(Cell::number(value(number(e, "cost_usd"), "USD")));
        cells.push(Cell::number(format!("{}", number(e, "replications"))));
        cells.push(Cell::text(
            e.get("decision").and_then(|d| d.as_str()).unwrap_or(""),
        ));
        cells
    };
    let reached = a.get("reached").and_then(serde_json::Value::as_bool) == Some(true);
    let mut rows = Vec::new();
    match a.get("answer").filter(|x| !x.is_null()) {
        Some(ans) if reached => {
            blocks.push(Block::Paragraph(format!(
                "Answer: hold {} to meet the target; the target's statistic is {} (one-sided \
                 bounds {}), at a mean stockpile cost of {}.",
                items
                    .iter()
                    .map(|i| format!(
                        "{} weeks of use of {i} ({} t)",
                        value(ans.get("weeks").map_or(f64::NAN, |w| number(w, i)), "weeks"),
                        value(ans.get("held_t").map_or(f64::NAN, |t| number(t, i)), "t")
                    ))
                    .collect::<Vec<_>>()
                    .join(" and "),
                value(number(ans, "risk"), unit),
                interval(number(ans, "risk_lo"), number(ans, "risk_hi"), unit),
                value(number(ans, "cost_usd"), "USD"),
            )));
            let mut r = vec![Cell::text("answer")];
            r.extend(row(ans));
            rows.push(r);
        }
        _ => blocks.push(Block::Paragraph(format!(
            "The target is not reachable: {}",
            a.get("why_not")
                .and_then(|w| w.as_str())
                .unwrap_or("no size met it")
        ))),
    }
    for (key, label) in [
        ("known_short", "largest smaller size that fails"),
        ("largest_evaluated", "largest size evaluated"),
    ] {
        if let Some(e) = a.get(key).filter(|x| !x.is_null()) {
            let mut r = vec![Cell::text(label)];
            r.extend(row(e));
            rows.push(r);
        }
    }
    let mut headers = vec![String::new()];
    headers.extend(items.iter().map(|i| format!("{i} held (weeks of use)")));
    headers.extend(items.iter().map(|i| format!("{i} held (t)")));
    headers.extend(
        [
            "risk (one-sided bounds)",
            "mean stockpile cost",
            "replications",
            "decision",
        ]
        .map(String::from),
    );
    blocks.push(Block::Table(Table {
        headers,
        rows,
        note: Some("size.json holds the answer; size.csv every size evaluated.".into()),
    }));
    Section {
        heading: "The answer".into(),
        blocks,
    }
}

/// Chart points from `size.csv` (x = weeks of the one item) or `frontier.csv` (x = cost).
fn chart_points(f: &Frame, items: &[String]) -> Result<Vec<SizePoint>, Error> {
    let x = if items.len() == 1 {
        f.column(&format!("weeks/{}", items[0]))?
    } else {
        f.column("cost_usd")?
    };
    let (risk, lo, hi) = (
        f.column("risk")?,
        f.column("risk_lo")?,
        f.column("risk_hi")?,
    );
    (0..f.rows.len())
        .map(|r| {
            Ok(SizePoint {
                x: f.number(r, x)?,
                risk: f.number(r, risk)?,
                lo: f.number(r, lo)?,
                hi: f.number(r, hi)?,
            })
        })
        .collect()
}

/// Every row of `size.csv` or `frontier.csv`.
fn sizes_table(f: &Frame, items: &[String], unit: &str, file: &str) -> Result<Table, Error> {
    let first = if f.has("phase") { "phase" } else { "step" };
    let (head, weeks): (usize, Vec<usize>) = (
        f.column(first)?,
        items
            .iter()
            .map(|i| f.column(&format!("weeks/{i}")))
            .collect::<Result<_, _>>()?,
    );
    let [reps, risk, lo, hi, decision, cost] = [
        "replications",
        "risk",
        "risk_lo",
        "risk_hi",
        "decision",
        "cost_usd",
    ]
    .map(|c| f.column(c));
    let (reps, risk, lo, hi, decision, cost) = (reps?, risk?, lo?, hi?, decision?, cost?);
    let mut rows = Vec::with_capacity(f.rows.len());
    for r in 0..f.rows.len() {
        let mut row = vec![Cell::text(f.text(r, head))];
        for &w in &weeks {
            row.push(Cell::number(value(f.number(r, w)?, "weeks")));
        }
        row.push(Cell::number(f.text(r, reps)));
        row.push(Cell::number_with(
            value(f.number(r, risk)?, unit),
            interval(f.number(r, lo)?, f.number(r, hi)?, unit),
        ));
        row.push(Cell::text(f.text(r, decision)));
        row.push(Cell::number(value(f.number(r, cost)?, "USD")));
        rows.push(row);
    }
    let mut headers = vec![first.to_owned()];
    headers.extend(items.iter().map(|i| format!("{i} held (weeks of use)")));
    headers.extend(
        [
            "replications",
            "risk (one-sided bounds)",
            "decision",
            "mean stockpile cost",
        ]
        .map(String::from),
    );
    Ok(Table {
        headers,
        rows,
        note: Some(format!("Every row of {file}, in order.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f64, risk: f64) -> SizePoint {
        SizePoint {
            x,
            risk,
            lo: risk - 0.1,
            hi: f64::INFINITY,
        }
    }

    #[test]
    fn a_size_judged_twice_keeps_its_last_judgement_and_nothing_draws_nothing() {
        let mut c = SizeChart {
            target: "P(any_halt > 0.5) <= 0.1".into(),
            bound: 0.1,
            items: vec!["ndfeb".into()],
            scenarios: vec!["s".into()],
            seed: 3,
            x_label: None,
            points: Vec::new(),
        };
        assert_eq!(c.stem(), "risk_curve");
        assert!(size_chart_svg(&c).unwrap().is_none());
        c.points = vec![point(8.0, 0.5), point(4.0, 0.9), point(8.0, 0.05)];
        let svg = size_chart_svg(&c).unwrap().unwrap();
        assert!(svg.contains("ndfeb held") && svg.contains("target: P(any_halt"));
        c.items.push("dy".into());
        assert_eq!(c.stem(), "frontier");
        assert!(
            size_chart_svg(&c)
                .unwrap()
                .unwrap()
                .contains("mean stockpile cost")
        );
    }

    #[test]
    fn the_page_reads_the_answer_and_every_size() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("size.csv"),
            "index,phase,weeks/ndfeb,replications,risk,risk_lo,risk_hi,bound,decision,cost_usd\n\
             0,bracket,4,6,0.5,0.2,0.8,0.1,fails,1000000\n\
             1,bracket,8,6,0,0,0.05,0.1,meets,2500000\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("size.json"),
            r#"{"reached":true,"target":"P(any_halt > 0.5) <= 0.1","metric":"any_halt","bound":0.1,
               "items":["ndfeb"],"scenarios":["s"],"seed":3,
               "answer":{"weeks":{"ndfeb":8.0},"risk":0.0,"risk_lo":0.0,"risk_hi":0.05,
                         "cost_usd":2500000.0,"replications":6,"decision":"meets"},
               "known_short":null,"largest_evaluated":null,"why_not":null,"evaluated":2}"#,
        )
        .unwrap();
        let page = size_page(dir.path(), &Context::default()).unwrap();
        let Block::Paragraph(p) = &page.sections[0].blocks[0] else {
            panic!()
        };
        assert!(p.contains("8.0 weeks of use of ndfeb"), "{p}");
        assert!(p.contains("USD\u{a0}2.50\u{a0}m"), "{p}");
        let Some(Block::Table(t)) = page.sections[1].blocks.last() else {
            panic!()
        };
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1][1].text, "8.0");
        assert!(matches!(page.sections[1].blocks[0], Block::Figure(_)));
    }
}
