//! `discover`: PRIM over a finished sweep; prints the box, writes its tables and two charts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_experiment::{DiscoverReport, DiscoverSpec};
use chokepoint_report::{
    DotRow, DotWhiskerChart, ScatterChart, ScatterPoint, dot_whisker_svg, files, scatter_svg,
};

use crate::args::DiscoverArgs;
use crate::table::{self, number};

/// Runs discovery, draws its charts into `<out>/plots/` and prints the box.
pub fn run(args: &DiscoverArgs) -> Result<()> {
    let spec = args.spec();
    let report = chokepoint_experiment::discover(&spec, &|r, dir| Ok(plots(r, dir)?))?;
    crate::emit(&summary(&spec, &report))
}

/// The box in words and numbers.
fn summary(spec: &DiscoverSpec, r: &DiscoverReport) -> String {
    let side = match spec.side {
        chokepoint_experiment::Side::Above => "above",
        chokepoint_experiment::Side::Below => "below",
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} of {} design points have {} {side} {} (cases of interest)",
        r.interesting,
        r.cases,
        r.column,
        number(spec.threshold)
    );
    let st = &r.boxed.stats;
    let _ = writeln!(
        s,
        "box (peeling step {} of {}, then pasted): coverage {} (share of the cases of interest inside), density {} (share of the cases inside that are of interest), mass {}",
        r.chosen,
        r.trajectory.steps.len() - 1,
        number(st.coverage),
        number(st.density),
        number(st.mass)
    );
    if r.restrictions.is_empty() {
        s.push_str("the box restricts no parameter: the cases of interest are spread over the whole sweep\n");
    } else {
        let rows: Vec<Vec<String>> = r
            .restrictions
            .iter()
            .map(|x| {
                vec![
                    x.parameter.clone(),
                    format!("{} – {}", number(x.lo), number(x.hi)),
                    format!("{} – {}", number(x.cases_lo), number(x.cases_hi)),
                    number(x.quasi_p),
                ]
            })
            .collect();
        s.push_str(&table::render(
            &["parameter", "box", "swept", "quasi-p"],
            &rows,
        ));
    }
    for f in &r.files {
        let _ = writeln!(s, "wrote {}", f.display());
    }
    s
}

/// `plots/prim_tradeoff.svg` (coverage against density along the peeling trajectory) and
/// `plots/prim_box.svg` (each restricted parameter's range in the box, as a share of its swept
/// range), each also as PNG.
fn plots(r: &DiscoverReport, out: &Path) -> Result<Vec<PathBuf>> {
    let dir = out.join(files::PLOTS_DIR);
    let mut points: Vec<ScatterPoint> = r
        .trajectory
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| ScatterPoint {
            label: if i == r.chosen {
                format!("step {i} (chosen)")
            } else {
                String::new()
            },
            x: s.stats.coverage,
            y: s.stats.density,
            x_interval: None,
            y_interval: None,
        })
        .collect();
    points.push(ScatterPoint {
        label: "pasted box".into(),
        x: r.boxed.stats.coverage,
        y: r.boxed.stats.density,
        x_interval: None,
        y_interval: None,
    });
    let mut tradeoff = ScatterChart::new(
        format!("PRIM peeling: coverage against density ({})", r.column),
        "coverage (share of the cases of interest inside the box)",
        "density (share of the box that is of interest)",
        points,
    );
    tradeoff.note = format!(
        "{} of {} design points are of interest",
        r.interesting, r.cases
    );
    tradeoff.dot = "box after a peeling step".into();
    let mut written = crate::charts::write_chart(&dir, "prim_tradeoff", &scatter_svg(&tradeoff)?)?;
    if !r.restrictions.is_empty() {
        let rows = r
            .restrictions
            .iter()
            .map(|x| {
                let span = x.cases_hi - x.cases_lo;
                let share = |v: f64| {
                    if span > 0.0 {
                        (v - x.cases_lo) / span
                    } else {
                        0.5
                    }
                };
                DotRow {
                    label: x.parameter.clone(),
                    mean: share(0.5 * (x.lo + x.hi)),
                    lo: share(x.lo),
                    hi: share(x.hi),
                    baseline: false,
                }
            })
            .collect();
        let mut ranges = DotWhiskerChart::new(
            "The box: each restricted parameter's range",
            "position in the swept range (0 = lowest value swept, 1 = highest)",
            rows,
        );
        ranges.dot = "middle".into();
        ranges.interval = "range inside the box".into();
        ranges.reference = "lowest value swept".into();
        written.extend(crate::charts::write_chart(
            &dir,
            "prim_box",
            &dot_whisker_svg(&ranges)?,
        )?);
    }
    Ok(written)
}
