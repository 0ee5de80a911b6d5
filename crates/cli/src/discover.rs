//! `discover`: PRIM over a finished sweep; prints the box, writes its tables and two charts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_experiment::{DiscoverReport, DiscoverSpec};
use chokepoint_report::files;
use chokepoint_report::html::{Prim, PrimRange, prim_box_svg, prim_tradeoff_svg};

use crate::args::DiscoverArgs;
use crate::table::{self, number};

/// Runs discovery, draws its charts into `<out>/plots/` and prints the box.
pub fn run(args: &DiscoverArgs) -> Result<()> {
    crate::html::report_format(args.report, args.format).map_err(anyhow::Error::msg)?;
    let spec = args.spec();
    let report = chokepoint_experiment::discover(&spec, &|r, dir| Ok(plots(r, dir)?))?;
    let mut s = summary(&spec, &report);
    if args.report {
        let _ = writeln!(s, "wrote {}", crate::html::write(&spec.out)?.display());
    }
    crate::emit(&s)
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
/// range), each also as PNG. The drawing is the report crate's (the same charts as in
/// report.html).
fn plots(r: &DiscoverReport, out: &Path) -> Result<Vec<PathBuf>> {
    let dir = out.join(files::PLOTS_DIR);
    let prim = Prim {
        column: r.column.clone(),
        cases: r.cases,
        interesting: r.interesting,
        steps: r
            .trajectory
            .steps
            .iter()
            .map(|s| (s.stats.coverage, s.stats.density))
            .collect(),
        chosen: r.chosen,
        pasted: (r.boxed.stats.coverage, r.boxed.stats.density),
        restrictions: r
            .restrictions
            .iter()
            .map(|x| PrimRange {
                param: x.parameter.clone(),
                lo: x.lo,
                hi: x.hi,
                sweep_lo: x.cases_lo,
                sweep_hi: x.cases_hi,
                quasi_p: x.quasi_p,
            })
            .collect(),
    };
    let mut written =
        crate::charts::write_chart(&dir, "prim_tradeoff", &prim_tradeoff_svg(&prim)?)?;
    if let Some(svg) = prim_box_svg(&prim)? {
        written.extend(crate::charts::write_chart(&dir, "prim_box", &svg)?);
    }
    Ok(written)
}
