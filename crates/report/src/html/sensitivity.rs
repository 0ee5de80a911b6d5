//! The report of a global sensitivity analysis (`chokepoint sensitivity`, or a sweep with
//! `--design sobol:N | morris:R`): per metric shown, each input's indices with their bootstrap
//! intervals (`sensitivity.csv`) as a table and a chart, above the sweep's own sections. The
//! chart is drawn here once, for the page and for the CLI's `plots/` alike.

use std::path::Path;

use super::data::{Frame, SWEEP_KEY_METRICS};
use super::format::value;
use super::{Block, Cell, Context, Figure, Page, Section, Table};
use crate::dots::{DotRow, DotWhiskerChart, dot_whisker_svg};
use crate::error::Error;
use crate::files::file_stem;

/// The table the page is made from, in the folder of a sensitivity sweep.
pub const SENSITIVITY_FILE: &str = "sensitivity.csv";

/// Which analysis made the indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Sobol first-order and total indices (shares of the variance).
    Sobol,
    /// Morris elementary effects (mu*, in metric units per unit of the input's probability
    /// scale).
    Morris,
}

/// One input's main index, as charted: the total Sobol index or Morris's mu*, with its
/// bootstrap 95 % interval (NaN where undefined).
#[derive(Clone, Debug, PartialEq)]
pub struct IndexEstimate {
    /// The input's key path.
    pub param: String,
    /// The estimate.
    pub value: f64,
    /// Lower end of its interval.
    pub lo: f64,
    /// Upper end of its interval.
    pub hi: f64,
}

/// The file stem of `metric`'s chart in `plots/`: `sensitivity_<metric>`.
#[must_use]
pub fn sensitivity_chart_stem(metric: &str) -> String {
    format!("sensitivity_{}", file_stem(metric))
}

/// Money-sized effects are shown in billions or millions, so that axis labels stay short.
fn scale(largest: f64) -> (f64, &'static str) {
    match largest {
        v if v >= 1e9 => (1e-9, ", billions"),
        v if v >= 1e6 => (1e-6, ", millions"),
        _ => (1.0, ""),
    }
}

/// The chart of one metric: each input's estimate (rows in rank order, largest first) with its
/// interval, widened to hold the estimate (a percentile interval need not contain the
/// full-data estimate). `None` when no input has a finite estimate (a constant output).
///
/// # Errors
/// [`Error::Draw`] if the chart cannot be drawn.
pub fn sensitivity_chart_svg(
    metric: &str,
    method: Method,
    rows: &[IndexEstimate],
) -> Result<Option<String>, Error> {
    let dots: Vec<DotRow> = rows
        .iter()
        .filter(|r| r.value.is_finite())
        .map(|r| {
            let or = |v: f64| if v.is_finite() { v } else { r.value };
            DotRow {
                label: r.param.clone(),
                mean: r.value,
                lo: or(r.lo).min(r.value),
                hi: or(r.hi).max(r.value),
                baseline: false,
            }
        })
        .collect();
    if dots.is_empty() {
        return Ok(None);
    }
    let largest = dots.iter().map(|d| d.hi.abs()).fold(0.0, f64::max);
    let (factor, unit) = scale(largest);
    let dots = dots
        .into_iter()
        .map(|d| DotRow {
            mean: d.mean * factor,
            lo: d.lo * factor,
            hi: d.hi * factor,
            ..d
        })
        .collect();
    let what = match method {
        Method::Sobol => format!("total Sobol index (share of variance{unit})"),
        Method::Morris => format!("Morris mu* (metric units per unit of u{unit})"),
    };
    let mut chart = DotWhiskerChart::new(format!("What drives {metric}"), what, dots);
    chart.dot = "estimate".into();
    chart.interval = "bootstrap 95% interval".into();
    chart.reference = "no effect".into();
    Ok(Some(dot_whisker_svg(&chart)?))
}

/// An index to three decimals ("–" when undefined).
fn index(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "–".into()
    }
}

/// The sensitivity rows of one metric (strategy 0), in rank order.
struct Metric {
    name: String,
    rows: Vec<usize>,
}

/// The metrics to show: the context's (a sensitivity run's `--metric`, or the front door's
/// headline metrics), else the sweep's key metrics, each only if the file has it.
fn shown(ctx: &Context, frame: &Frame) -> Result<Vec<Metric>, Error> {
    let (m, s, rank) = (
        frame.column("metric")?,
        frame.column("strategy_index")?,
        frame.column("rank")?,
    );
    let wanted: Vec<String> = if ctx.metrics.is_empty() {
        SWEEP_KEY_METRICS.iter().map(|m| (*m).to_owned()).collect()
    } else {
        ctx.metrics.clone()
    };
    let mut out = Vec::new();
    for name in wanted {
        let mut rows: Vec<usize> = (0..frame.rows.len())
            .filter(|&r| frame.text(r, m) == name && frame.text(r, s) == "0")
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut ranks = Vec::with_capacity(rows.len());
        for &r in &rows {
            ranks.push((frame.number(r, rank)?, r));
        }
        ranks.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows = ranks.into_iter().map(|(_, r)| r).collect();
        out.push(Metric { name, rows });
    }
    Ok(out)
}

/// The report of the sensitivity analysis in `dir`: a section per metric shown (its table and
/// chart), then the sweep's sections.
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when `sensitivity.csv` or `sweep.csv` is missing or
/// malformed; [`Error::Draw`] if a chart cannot be drawn.
pub fn sensitivity_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let mut page = super::sweep::sweep_page(dir, ctx)?;
    let frame = Frame::read(&dir.join(SENSITIVITY_FILE))?;
    let method_col = frame.column("method")?;
    let method = match frame.rows.first().map(|_| frame.text(0, method_col)) {
        Some("morris") => Method::Morris,
        _ => Method::Sobol,
    };
    let metrics = shown(ctx, &frame)?;
    let mut sections = Vec::with_capacity(metrics.len());
    for metric in &metrics {
        sections.push(section(ctx, &frame, method, metric)?);
    }
    if sections.is_empty() {
        sections.push(Section {
            heading: "Global sensitivity".into(),
            blocks: vec![Block::Paragraph(format!(
                "{SENSITIVITY_FILE} holds none of the metrics shown here ({}); every metric's \
                 indices are in the file.",
                if ctx.metrics.is_empty() {
                    SWEEP_KEY_METRICS.join(", ")
                } else {
                    ctx.metrics.join(", ")
                }
            ))],
        });
    }
    page.title = page.title.replacen(
        "Sweep of",
        match method {
            Method::Sobol => "Global sensitivity (Sobol) of",
            Method::Morris => "Global sensitivity (Morris) of",
        },
        1,
    );
    page.sections.splice(0..0, sections);
    Ok(page)
}

/// One metric's section: what the indices say, the chart, the table.
fn section(ctx: &Context, f: &Frame, method: Method, metric: &Metric) -> Result<Section, Error> {
    let name = metric.name.as_str();
    let param = f.column("param")?;
    let (value_col, lo_col, hi_col) = match method {
        Method::Sobol => ("st", "st_ci95_lo", "st_ci95_hi"),
        Method::Morris => ("mu_star", "mu_star_ci95_lo", "mu_star_ci95_hi"),
    };
    let (v, lo, hi) = (f.column(value_col)?, f.column(lo_col)?, f.column(hi_col)?);
    let mut estimates = Vec::with_capacity(metric.rows.len());
    for &r in &metric.rows {
        estimates.push(IndexEstimate {
            param: f.text(r, param).to_owned(),
            value: f.number(r, v)?,
            lo: f.number(r, lo)?,
            hi: f.number(r, hi)?,
        });
    }
    let mut blocks = Vec::new();
    let unit = ctx.unit(name);
    let (headers, rows, note) = match method {
        Method::Sobol => sobol_table(f, &metric.rows, &unit)?,
        Method::Morris => morris_table(f, &metric.rows, &unit)?,
    };
    blocks.push(Block::Paragraph(match method {
        Method::Sobol => format!(
            "The share of the variance of {} (`{name}`) each input explains: alone (first-order \
             S1) and with all its interactions (total ST), ranked by ST, with bootstrap 95 % \
             intervals. Inputs whose ST interval reaches zero can be fixed without changing the \
             result.",
            ctx.label(name)
        ),
        Method::Morris => format!(
            "How much {} (`{name}`) moves when each input moves across its range (Morris mu*, \
             the mean absolute elementary effect, per unit of the input's probability scale), \
             ranked by mu*, with bootstrap 95 % intervals; sigma large against mu* marks \
             interactions or a curved effect.",
            ctx.label(name)
        ),
    }));
    if let Some(svg) = sensitivity_chart_svg(name, method, &estimates)? {
        blocks.push(Block::Figure(Figure {
            file: sensitivity_chart_stem(name),
            caption: format!(
                "Each input's {} for {}, largest first; the whisker is the bootstrap 95 % \
                 interval.",
                match method {
                    Method::Sobol => "total Sobol index",
                    Method::Morris => "Morris mu*",
                },
                ctx.label(name)
            ),
            svg,
        }));
    }
    blocks.push(Block::Table(Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        note: Some(note),
    }));
    Ok(Section {
        heading: format!("What drives {}", ctx.label(name)),
        blocks,
    })
}

type Tabled = (Vec<&'static str>, Vec<Vec<Cell>>, String);

fn sobol_table(f: &Frame, rows: &[usize], unit: &str) -> Result<Tabled, Error> {
    let cols = [
        "rank",
        "param",
        "s1",
        "s1_ci95_lo",
        "s1_ci95_hi",
        "st",
        "st_ci95_lo",
        "st_ci95_hi",
        "variance",
        "noise_share",
    ]
    .map(|c| f.column(c));
    let [
        rank,
        param,
        s1,
        s1_lo,
        s1_hi,
        st,
        st_lo,
        st_hi,
        variance,
        noise,
    ] = cols;
    let (rank, param, s1, s1_lo, s1_hi) = (rank?, param?, s1?, s1_lo?, s1_hi?);
    let (st, st_lo, st_hi, variance, noise) = (st?, st_lo?, st_hi?, variance?, noise?);
    let mut out = Vec::with_capacity(rows.len());
    for &r in rows {
        let pair = |v: usize, lo: usize, hi: usize| -> Result<Cell, Error> {
            Ok(Cell::number_with(
                index(f.number(r, v)?),
                format!("{} – {}", index(f.number(r, lo)?), index(f.number(r, hi)?)),
            ))
        };
        out.push(vec![
            Cell::number(f.text(r, rank)),
            Cell::text(f.text(r, param)),
            pair(s1, s1_lo, s1_hi)?,
            pair(st, st_lo, st_hi)?,
        ]);
    }
    let first = rows.first().copied();
    let var = first.map_or(Ok(f64::NAN), |r| f.number(r, variance))?;
    let noise = first.map_or(Ok(f64::NAN), |r| f.number(r, noise))?;
    let note = if var > 0.0 {
        format!(
            "Standard deviation of the per-point means {}; the model's own noise left in them is \
             {} of their variance (– with one replication per point). All metrics and \
             strategies are in {SENSITIVITY_FILE}.",
            value(var.sqrt(), unit),
            value(noise, "share")
        )
    } else {
        format!(
            "The metric never moved over the design (variance 0): every index is undefined. \
             All metrics and strategies are in {SENSITIVITY_FILE}."
        )
    };
    Ok((
        vec!["rank", "input", "first-order S1", "total ST"],
        out,
        note,
    ))
}

fn morris_table(f: &Frame, rows: &[usize], unit: &str) -> Result<Tabled, Error> {
    let [rank, param, mu, mu_star, lo, hi, sigma, noise] = [
        "rank",
        "param",
        "mu",
        "mu_star",
        "mu_star_ci95_lo",
        "mu_star_ci95_hi",
        "sigma",
        "noise_sd",
    ]
    .map(|c| f.column(c));
    let (rank, param, mu, mu_star, lo, hi) = (rank?, param?, mu?, mu_star?, lo?, hi?);
    let (sigma, noise) = (sigma?, noise?);
    let mut out = Vec::with_capacity(rows.len());
    for &r in rows {
        out.push(vec![
            Cell::number(f.text(r, rank)),
            Cell::text(f.text(r, param)),
            Cell::number_with(
                value(f.number(r, mu_star)?, unit),
                format!(
                    "{} – {}",
                    value(f.number(r, lo)?, unit),
                    value(f.number(r, hi)?, unit)
                ),
            ),
            Cell::number(value(f.number(r, mu)?, unit)),
            Cell::number(value(f.number(r, sigma)?, unit)),
        ]);
    }
    let noise = rows.first().map_or(Ok(f64::NAN), |&r| f.number(r, noise))?;
    Ok((
        vec!["rank", "input", "mu*", "mu", "sigma"],
        out,
        format!(
            "Effects in the metric's units per unit of the input's probability scale; the \
             replication noise of one point's mean is {}. All metrics and strategies are in \
             {SENSITIVITY_FILE}.",
            value(noise, unit)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(param: &str, value: f64, lo: f64, hi: f64) -> IndexEstimate {
        IndexEstimate {
            param: param.into(),
            value,
            lo,
            hi,
        }
    }

    #[test]
    fn a_constant_output_has_no_chart_and_money_is_scaled() {
        let none = [est("a", f64::NAN, f64::NAN, f64::NAN)];
        assert!(
            sensitivity_chart_svg("m", Method::Sobol, &none)
                .unwrap()
                .is_none()
        );
        let money = [
            est("a", 2.0e9, 1.0e9, 3.0e9),
            est("b", 1.0e8, f64::NAN, 2.0e8),
        ];
        let svg = sensitivity_chart_svg("lost_output_usd", Method::Morris, &money)
            .unwrap()
            .unwrap();
        assert!(svg.contains("What drives lost_output_usd"), "{svg}");
        assert!(svg.contains("billions"), "{svg}");
        assert_eq!(scale(5.0e6), (1e-6, ", millions"));
        assert_eq!(scale(0.5), (1.0, ""));
    }

    #[test]
    fn the_page_tables_the_ranked_indices_of_the_metrics_shown() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sweep.csv"),
            "point,x,any_halt_mean\n0,0.5,1\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(SENSITIVITY_FILE),
            "method,strategy_index,metric,rank,param,s1,s1_ci95_lo,s1_ci95_hi,st,st_ci95_lo,st_ci95_hi,variance,noise_share\n\
             sobol,0,any_halt,2,b,0.1,0.0,0.2,0.15,0.05,0.3,0.2,0.01\n\
             sobol,0,any_halt,1,a,0.6,0.5,0.7,0.8123,0.7,0.9,0.2,0.01\n\
             sobol,0,other,1,a,NaN,NaN,NaN,NaN,NaN,NaN,0,NaN\n",
        )
        .unwrap();
        let ctx = Context {
            metrics: vec!["any_halt".into(), "absent".into()],
            ..Context::default()
        };
        let page = sensitivity_page(dir.path(), &ctx).unwrap();
        assert!(page.title.starts_with("Global sensitivity (Sobol)"));
        let s = &page.sections[0];
        assert_eq!(s.heading, "What drives any_halt");
        let Some(Block::Table(t)) = s.blocks.last() else {
            panic!("no table")
        };
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][1].text, "a", "rank 1 first");
        assert_eq!(t.rows[0][3].text, "0.812");
        assert_eq!(t.rows[0][3].detail.as_deref(), Some("0.700 – 0.900"));
        assert!(matches!(s.blocks[1], Block::Figure(_)));
        assert!(page.sections.iter().any(|s| s.heading == "Design points"));
    }
}
