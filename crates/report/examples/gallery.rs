//! Writes a sample fan chart and target chart into a folder, to look at:
//! `cargo run -p chokepoint-report --example gallery -- /tmp/plots`.
//!
//! The numbers are made up for the picture, except the observed points: Japan's monthly imports
//! of rare earths from China, Sep–Dec 2010 (facts §1: Japan's Ministry of Finance, via Reuters).

use std::path::PathBuf;

use chokepoint_report::files::write_svg;
use chokepoint_report::{
    FanChart, FanStep, HistoricalPoint, Marker, Role, TargetChart, TargetMark, fan_chart_svg,
    target_chart_svg,
};
use chrono::{Days, Months, NaiveDate};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "plots".into()));
    let steps: Vec<FanStep> = (0..40u64)
        .map(|k| {
            let t = k as f64;
            let dip = if (7..16).contains(&k) { 0.35 } else { 1.0 };
            let level = 600.0 * dip + 4.0 * t;
            let w = 40.0 + 6.0 * t;
            FanStep {
                date: date(2010, 7, 5) + Days::new(7 * k),
                p5: (level - 2.0 * w).max(0.0),
                p25: level - w,
                p50: level,
                p75: level + w,
                p95: level + 2.0 * w,
            }
        })
        .collect();
    let observed = [(9, 2246.0), (10, 1278.0), (11, 634.0), (12, 4080.0)];
    let mut fan = FanChart::new(
        "Japan's rare-earth imports from China: model against Japan MoF, 2010",
        "imports (t per week)",
        steps,
    );
    fan.points = observed
        .iter()
        .map(|(m, t)| HistoricalPoint {
            date: date(2010, *m, 16),
            value: t / 4.3,
            label: format!("{} t/month", chokepoint_report::thousands(*t, 0)),
        })
        .collect();
    fan.markers = vec![
        Marker {
            date: date(2010, 9, 21),
            label: "informal halt to Japan".into(),
        },
        Marker {
            date: date(2010, 11, 24),
            label: "halt lifted".into(),
        },
    ];
    write_svg(&dir, "fan.svg", &fan_chart_svg(&fan)?)?;

    let targets = observed
        .iter()
        .enumerate()
        .map(|(k, (m, t))| {
            let from = date(2010, *m, 1);
            let p50 = t * (0.8 + 0.15 * k as f64);
            TargetMark {
                name: format!("japan_imports_from_china_2010_{m:02}"),
                role: if *m == 12 { Role::Holdout } else { Role::Fit },
                from,
                to: (from + Months::new(1)).pred_opt().unwrap_or(from),
                historical: Some(*t),
                p5: p50 * 0.55,
                p50,
                p95: p50 * 1.5,
            }
        })
        .collect();
    let chart = TargetChart::new(
        "Backtest: Japan's monthly imports from China, Sep–Dec 2010",
        "imports (t per month)",
        targets,
    );
    write_svg(&dir, "targets.svg", &target_chart_svg(&chart)?)?;
    println!(
        "wrote {}/fan.svg and {}/targets.svg",
        dir.display(),
        dir.display()
    );
    Ok(())
}
