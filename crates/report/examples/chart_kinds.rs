//! Writes one of each report chart (survival, histogram, dot-and-whisker, scatter, line with
//! band, heat map, lines over dates) as SVG and PNG into a folder, to look at:
//! `cargo run -p chokepoint-report --example chart_kinds -- /tmp/charts [replications.csv]`.
//!
//! Every number is made up for the picture, except with a run's `replications.csv` as the
//! second argument: then its weeks to the first halt are drawn too (`run_survival`,
//! `run_histogram`).

use std::path::{Path, PathBuf};

use chokepoint_report::files::{write_png, write_svg};
use chokepoint_report::{
    BandLineChart, BandPoint, BandSeries, DateLinesChart, DatePoint, DateSeries, DotRow,
    DotWhiskerChart, HaltTime, HeatCell, HeatMapChart, HistogramChart, Marker, ScatterChart,
    ScatterPoint, SurvivalChart, band_line_svg, date_lines_svg, dot_whisker_svg, halt_times,
    heat_map_svg, histogram_svg, replication_column, scatter_svg, survival_svg,
};
use chrono::{Days, NaiveDate};

/// A reproducible stream of numbers in [0, 1) (SplitMix64), so the pictures do not change.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn both(dir: &Path, name: &str, svg: &str) -> Result<(), Box<dyn std::error::Error>> {
    write_svg(dir, &format!("{name}.svg"), svg)?;
    let (_, warning) = write_png(dir, &format!("{name}.png"), svg, 1.0)?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "plots".into()));
    let mut draws = Draws(2025);

    // Weeks to the first halt: 2,000 replications, 71% halt within a year, the rest censored.
    let times: Vec<HaltTime> = (0..2000)
        .map(|_| {
            let weeks = (-(1.0 - draws.next()).ln() * 30.0).floor() + 4.0;
            if weeks < 52.0 {
                HaltTime {
                    weeks,
                    halted: true,
                }
            } else {
                HaltTime {
                    weeks: 52.0,
                    halted: false,
                }
            }
        })
        .collect();
    let mut survival = SurvivalChart::new(
        "Weeks to the first plant halt after the October 2025 expansion",
        times.clone(),
    );
    both(&dir, "survival_weeks", &survival_svg(&survival)?)?;
    survival.start = NaiveDate::from_ymd_opt(2025, 10, 9);
    both(&dir, "survival_dates", &survival_svg(&survival)?)?;

    let mut hist = HistogramChart::new(
        "Weeks to the first plant halt, per replication",
        "weeks after the first policy shock",
        times.iter().map(|t| t.weeks).collect(),
    );
    hist.note = "Replications with no halt are counted at week 52 (the horizon): the bar there is \
                 a point mass of censored runs, not halts."
        .into();
    both(&dir, "histogram_weeks", &histogram_svg(&hist)?)?;
    let prices: Vec<f64> = (0..2000)
        .map(|_| 350.0 * (1.0 + 2.5 * draws.next() * draws.next()))
        .collect();
    let hist = HistogramChart::new(
        "Peak dysprosium oxide price over the run",
        "peak price (USD/kg)",
        prices,
    );
    both(&dir, "histogram_price", &histogram_svg(&hist)?)?;

    // Compare: paired differences against the baseline, and cost against effect.
    let strategies = [
        ("no stockpile", 0.0, 0.0, 0.0),
        ("release 10 kt at once", -1850.0, 420.0, 35.0),
        (
            "release 30 kt over a year, then refill",
            -3900.0,
            610.0,
            118.0,
        ),
        ("Japan-style JOGMEC reserve", -2600.0, 380.0, 64.0),
        ("tariff on Chinese magnets", 420.0, 350.0, 5.0),
    ];
    let rows = strategies
        .iter()
        .map(|(name, mean, half, _)| DotRow {
            label: (*name).into(),
            mean: *mean,
            lo: mean - half,
            hi: mean + half,
            baseline: *half == 0.0,
        })
        .collect();
    let dots = DotWhiskerChart::new(
        "Unmet magnet demand, each strategy against no stockpile",
        "difference in unmet demand over the run (t)",
        rows,
    );
    both(&dir, "dot_whisker", &dot_whisker_svg(&dots)?)?;
    let points = strategies
        .iter()
        .map(|(name, mean, half, cost)| ScatterPoint {
            label: (*name).into(),
            x: *cost,
            y: -mean,
            x_interval: (*cost > 0.0).then_some((cost * 0.8, cost * 1.25)),
            y_interval: (*half > 0.0).then_some((-mean - half, -mean + half)),
        })
        .collect();
    let scatter = ScatterChart::new(
        "What each strategy costs and what it avoids",
        "cost (million USD)",
        "unmet demand avoided (t)",
        points,
    );
    both(&dir, "scatter", &scatter_svg(&scatter)?)?;

    // Sweep: one parameter against a metric per strategy, and two parameters as a heat map.
    let delays = [0.0, 2.0, 4.0, 6.0, 8.0, 12.0, 16.0];
    let series = [
        ("no stockpile", 1.0),
        ("release 10 kt", 0.7),
        ("JOGMEC reserve", 0.55),
    ]
    .iter()
    .map(|(name, f)| BandSeries {
        name: (*name).into(),
        points: delays
            .iter()
            .map(|d| {
                let mean = f * (400.0 + 260.0 * d);
                BandPoint {
                    x: *d,
                    mean,
                    lo: mean * 0.55,
                    hi: mean * 1.6,
                }
            })
            .collect(),
    })
    .collect();
    let band = BandLineChart::new(
        "Unmet magnet demand against the licence review time",
        "licence review time (weeks)",
        "unmet demand over the run (t)",
        series,
    );
    both(&dir, "band_line", &band_line_svg(&band)?)?;
    let cells = (0..6)
        .flat_map(|i| (0..5).map(move |j| (i, j)))
        .map(|(i, j)| {
            let delay = 2.0 * f64::from(i);
            let cut = 10.0 * f64::from(j);
            HeatCell {
                x: delay,
                y: cut,
                value: 300.0 + 90.0 * delay * (1.0 + cut / 25.0),
            }
        })
        .collect();
    let heat = HeatMapChart::new(
        "Unmet magnet demand by licence review time and quota cut",
        "licence review time (weeks)",
        "quota cut (%)",
        "mean unmet demand (t)",
        cells,
    );
    both(&dir, "heat_map", &heat_map_svg(&heat)?)?;
    let big: Vec<HeatCell> = (0..30)
        .flat_map(|i| (0..20).map(move |j| (i, j)))
        .map(|(i, j)| HeatCell {
            x: 0.05 * f64::from(i),
            y: f64::from(j) * 250.0,
            value: (f64::from(i) * 0.2).sin() * f64::from(j),
        })
        .collect();
    let heat = HeatMapChart::new(
        "A large grid: no values printed",
        "demand elasticity",
        "stockpile size (t)",
        "mean peak price ratio (× 2024 level)",
        big,
    );
    both(&dir, "heat_map_large", &heat_map_svg(&heat)?)?;

    // Run: mean exports of a controlled item by destination over dates.
    let start = NaiveDate::from_ymd_opt(2025, 10, 9).unwrap_or_default();
    let destinations = [
        ("Japan", 140.0),
        ("EU", 110.0),
        ("United States", 95.0),
        ("South Korea", 60.0),
        ("Viet Nam", 35.0),
        ("India", 20.0),
        ("rest of world", 45.0),
    ];
    let series = destinations
        .iter()
        .map(|(name, level)| DateSeries {
            name: (*name).into(),
            points: (0..52u64)
                .map(|k| {
                    let cut = if k >= 8 {
                        0.35 + 0.01 * (k - 8) as f64
                    } else {
                        1.0
                    };
                    DatePoint {
                        date: start + Days::new(7 * k),
                        value: level * cut.min(1.0),
                    }
                })
                .collect(),
        })
        .collect();
    let mut lines = DateLinesChart::new(
        "Mean NdFeB magnet exports from China by destination",
        "mean exports (t per week)",
        series,
    );
    lines.markers = vec![
        Marker {
            date: start,
            label: "expanded control list".into(),
        },
        Marker {
            date: start + Days::new(7 * 8),
            label: "0.1% extraterritorial rule".into(),
        },
    ];
    both(&dir, "date_lines", &date_lines_svg(&lines)?)?;

    if let Some(file) = std::env::args().nth(2) {
        let file = PathBuf::from(file);
        let times = halt_times(&file)?;
        let chart = SurvivalChart::new(
            format!("Weeks to the first plant halt ({})", file.display()),
            times,
        );
        both(&dir, "run_survival", &survival_svg(&chart)?)?;
        let chart = HistogramChart::new(
            "Weeks to the first plant halt, per replication",
            "weeks after the first policy shock",
            replication_column(&file, "weeks_to_first_halt")?,
        );
        both(&dir, "run_histogram", &histogram_svg(&chart)?)?;
    }
    Ok(())
}
