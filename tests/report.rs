//! End-to-end tests of `chokepoint report` and `--report`: one self-contained report.html per
//! kind of output folder, its charts in plots/, and errors that say what to do. The real-browser
//! check of the same files is `ci/browser.sh` (run by `ci/reports.sh` in `.ci/run`).

mod common;

use std::path::Path;

use common::{chokepoint, stderr, stdout};

fn ok(args: &[&str]) -> String {
    let o = chokepoint(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every chart follows the page's contract (`<figure class="chart">` with an inline svg and a
/// caption) and the page fetches nothing.
fn check_page(html: &str) -> usize {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    assert!(!html.contains("<script"), "no script needed");
    assert!(
        !html.contains("<?xml"),
        "svg inlined without its XML declaration"
    );
    for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(
            !html.contains(fetch),
            "the report must not fetch anything: {fetch}"
        );
    }
    let figures = html.matches("<figure class=\"chart\"").count();
    assert_eq!(figures, html.matches("<figcaption>").count());
    // Each chart has its own id (and file in plots/): none overwrites another.
    let ids: Vec<&str> = html
        .split("<figure class=\"chart\" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "figure ids repeat: {ids:?}");
    assert!(html.contains("<footer>") && html.contains("chokepoint 0."));
    figures
}

#[test]
fn a_run_report_has_headline_measures_fans_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = ok(&[
        "run",
        "scenarios/list_expansion_2025_10.toml",
        "--reps",
        "12",
        "--quiet",
        "--report",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(out.contains("report.html"), "{out}");
    let html = read(&run.join("report.html"));
    let figures = check_page(&html);
    assert!(figures >= 8, "{figures} charts");
    for words in [
        "Scenario list_expansion_2025_10",
        "Measures in the scenario",
        "no57_expansion",
        "Some plant in an importing region halts: probability",
        "Value added lost",
        "World prices",
        "Exports of controlled items",
        "Unmet demand",
        "Plants halted",
        "share of replications with a plant halted",
        "resolved scenario SHA-256",
        "chokepoint run scenarios/list_expansion_2025_10.toml --reps 12",
    ] {
        assert!(html.contains(words), "missing {words:?}");
    }
    // Every chart of the page, and those only named in it, are in plots/.
    let plots: Vec<_> = std::fs::read_dir(run.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(plots.len() >= figures, "{plots:?}");
    assert!(plots.iter().any(|p| p == "price_ratio_dy.svg"), "{plots:?}");

    // Every replication of this scenario halts within weeks: all rows say 100 %.
    assert_halt_table_matches_replications(&html, &run.join("replications.csv"));

    // `report` on the same folder writes the same page (deterministic, no timestamps of its own).
    ok(&["report", run.to_str().unwrap()]);
    assert_eq!(read(&run.join("report.html")), html);
}

/// The report's table of the share of replications with a halt within 4, 8, ... weeks equals the
/// share counted here from replications.csv (`any_halt`, `weeks_to_first_halt`), to the
/// page's one decimal of a per cent. Returns whether the rows differ (a table of one repeated
/// value proves less).
fn assert_halt_table_matches_replications(html: &str, replications: &Path) -> bool {
    let mut reader = csv::Reader::from_path(replications).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (any, weeks) = (col("any_halt"), col("weeks_to_first_halt"));
    let reps: Vec<(bool, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (&r[any] == "1", r[weeks].parse().unwrap())
        })
        .collect();
    assert!(!reps.is_empty());
    let mut shares = Vec::new();
    for by in [4.0, 8.0, 13.0, 26.0, 52.0, 104.0] {
        let cell = format!("<td>{by} weeks</td><td class=\"num\">");
        let at = html
            .find(&cell)
            .unwrap_or_else(|| panic!("no row for {by} weeks"));
        let text = &html[at + cell.len()..];
        let shown: f64 = text[..text.find('\u{a0}').unwrap()].parse().unwrap();
        let within = reps.iter().filter(|(h, w)| *h && *w <= by).count();
        let share = 100.0 * within as f64 / reps.len() as f64;
        assert!(
            (shown - share).abs() <= 0.05 + 1e-9,
            "within {by} weeks: the page shows {shown} %, replications.csv gives {share} %"
        );
        shares.push(within);
    }
    assert_eq!(shares.len(), 6);
    shares.iter().any(|w| *w != shares[0])
}

#[test]
fn the_run_fans_are_ordered_and_on_the_run_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(&[
        "run",
        "scenarios/china_licensing_2025_04.toml",
        "--reps",
        "6",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]);
    let steps =
        chokepoint_report::files::fan_steps(&run.join("timeseries.csv"), "price_ratio/dy", 1.0)
            .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    for (k, s) in steps.iter().enumerate() {
        assert!(s.is_ordered(), "step {k}: {s:?}");
        assert_eq!(s.date, start + chrono::Days::new(7 * k as u64), "step {k}");
    }
}

#[test]
fn compare_sweep_and_backtest_reports() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = dir.path().join("cmp");
    ok(&[
        "compare",
        "scenarios/full_embargo.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--reps",
        "4",
        "--quiet",
        "--report",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    let html = read(&cmp.join("report.html"));
    assert!(
        check_page(&html) >= 2,
        "dot-and-whisker and cost against effect"
    );
    for words in [
        "Stockpile strategies compared",
        "none (baseline)",
        "Mean paired difference to `none`",
        "chokepoint compare scenarios/full_embargo.toml",
    ] {
        assert!(html.contains(words), "compare: missing {words:?}");
    }
    assert!(
        html.contains("class=\"num best\""),
        "a best strategy is marked"
    );

    let sweep = dir.path().join("sweep");
    let mut args = common::sweep_args(&sweep, 3);
    args.push("--report".into());
    let o = chokepoint(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = read(&sweep.join("report.html"));
    let figures = check_page(&html);
    assert!(
        html.contains("Sweep of full_embargo") && html.contains("lhs:3"),
        "sweep"
    );
    assert!(
        figures >= 2,
        "each charted metric against each parameter: {figures}"
    );
    assert!(
        sweep
            .join("plots/sweep_total_cost_usd_by_cover_weeks.png")
            .is_file()
    );

    let bt = dir.path().join("bt");
    ok(&[
        "backtest",
        "scenarios/japan_halt_2010.toml",
        "--reps",
        "4",
        "--quiet",
        "--report",
        "--out",
        bt.to_str().unwrap(),
    ]);
    let html = read(&bt.join("report.html"));
    let figures = check_page(&html);
    assert!(html.contains("The model against history") && html.contains("held out"));
    assert!(figures >= 3, "{figures}");
    // The 2010 halts come 39 weeks after the first measure: the rows go from 0 to 100 %.
    assert!(
        assert_halt_table_matches_replications(&html, &bt.join("replications.csv")),
        "the halt table's rows should differ for japan_halt_2010"
    );
}

#[test]
fn report_refuses_a_folder_that_is_not_a_finished_output() {
    let dir = tempfile::tempdir().unwrap();
    let o = chokepoint(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("not a finished output folder"), "{e}");
    assert!(!dir.path().join("report.html").exists());
}

/// `report` and `plot` on a folder written with `--format parquet` refuse it, naming the folder,
/// the CSV they need and the fix (the report crate reads CSV only).
#[test]
fn report_and_plot_refuse_a_parquet_only_folder_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("pq");
    ok(&[
        "run",
        "scenarios/full_embargo.toml",
        "--reps",
        "2",
        "--quiet",
        "--format",
        "parquet",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(run.join("timeseries.parquet").is_file() && !run.join("timeseries.csv").exists());
    for (args, csv) in [
        (vec!["report", run.to_str().unwrap()], "summary.csv"),
        (
            vec!["plot", run.to_str().unwrap(), "--series", "price_ratio/dy"],
            "timeseries.csv",
        ),
    ] {
        let o = chokepoint(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        for words in [
            run.to_str().unwrap(),
            &format!("no {csv} in this folder"),
            "--format parquet",
            "--format both",
        ] {
            assert!(e.contains(words), "{args:?}: missing {words:?} in {e}");
        }
    }
    assert!(!run.join("report.html").exists() && !run.join("plots").exists());
}

/// Every metric and per-step variable of every shipped scenario has plain words and a unit, so
/// no report shows a bare name.
#[test]
fn every_output_name_of_the_shipped_scenarios_is_described() {
    let root = common::root();
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let read = |p: &Path| chokepoint_diagnostics::read_text(p);
        let Ok(scenario) = chokepoint_scenario::Scenario::load(&path, &read, &[]) else {
            continue; // strategies and suites are not scenarios
        };
        let model = chokepoint_core::Model::new(scenario.central().clone()).unwrap();
        let schema = model.schema();
        for name in &schema.step_vars {
            assert!(
                chokepoint_core::describe_series(name).is_some(),
                "{}: series {name}",
                path.display()
            );
        }
        for name in schema.metrics.iter().filter(|m| !m.starts_with("target/")) {
            assert!(
                chokepoint_core::describe_metric(name).is_some(),
                "{}: metric {name}",
                path.display()
            );
        }
    }
}

/// A table cell's text and its second line (an interval), tags removed.
#[derive(Debug)]
struct Td {
    text: String,
    detail: String,
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// The body rows of the first table after `marker` in the page.
fn table_after(html: &str, marker: &str) -> Vec<Vec<Td>> {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in the page"));
    let rest = &html[at..];
    let body = &rest[rest.find("<tbody>").unwrap()..rest.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[cell.find('>').unwrap() + 1..];
                    let cell = &cell[..cell.find("</td>").unwrap()];
                    let (text, detail) = cell.split_once("<span").unwrap_or((cell, ""));
                    Td {
                        text: strip_tags(text).trim().to_owned(),
                        detail: strip_tags(&format!("<span{detail}")).trim().to_owned(),
                    }
                })
                .collect()
        })
        .collect()
}

/// The rows of a CSV as maps from column to cell.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("`{s}` is not a number"))
}

/// The page's rounding of a number to three decimals, as the page shows an index.
fn three(s: &str) -> String {
    let v = num(s);
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "–".into()
    }
}

/// `report DIR` writes the same page again, and leaves the charts the command drew in plots/
/// byte-identical (the command and the page draw them with the same code).
fn report_again_is_the_same(dir: &Path, charts: &[&str]) {
    let before = read(&dir.join("report.html"));
    let drawn: Vec<Vec<u8>> = charts
        .iter()
        .map(|c| std::fs::read(dir.join("plots").join(c)).unwrap())
        .collect();
    ok(&["report", dir.to_str().unwrap()]);
    assert_eq!(
        read(&dir.join("report.html")),
        before,
        "report.html changed"
    );
    for (c, bytes) in charts.iter().zip(drawn) {
        assert_eq!(
            std::fs::read(dir.join("plots").join(c)).unwrap(),
            bytes,
            "{c} changed"
        );
    }
}

#[test]
fn a_sensitivity_report_tables_the_indices_of_sensitivity_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sens");
    let printed = ok(&[
        "sensitivity",
        "scenarios/china_licensing_2025_04.toml",
        "--method",
        "sobol",
        "--param",
        "shock.april_regime.approval.default",
        // Two inputs whose key paths end alike: their sweep charts must not share a file.
        "--param",
        "shock.april_regime.approval.us.default",
        "--n",
        "4",
        "--reps",
        "2",
        "--set",
        "scenario.horizon_weeks=66",
        "--metric",
        "lost_output_usd",
        "--metric",
        "any_halt",
        "--quiet",
        "--report",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(printed.contains("report.html"), "{printed}");
    let html = read(&out.join("report.html"));
    check_page(&html);
    assert!(html.contains("Global sensitivity (Sobol) of china_licensing_2025_04"));
    assert_eq!(
        html.matches("<h2>What drives ").count(),
        2,
        "one per --metric"
    );
    assert!(html.contains("id=\"sensitivity_lost_output_usd\""));
    assert!(
        html.contains("<h2>Design points</h2>"),
        "the sweep's sections stay"
    );
    let mut csv: Vec<_> = csv_rows(&out.join("sensitivity.csv"))
        .into_iter()
        .filter(|r| r["metric"] == "lost_output_usd" && r["strategy_index"] == "0")
        .collect();
    csv.sort_by_key(|r| r["rank"].parse::<u64>().unwrap());
    let table = table_after(&html, "(`lost_output_usd`)");
    assert_eq!(table.len(), csv.len());
    for (row, want) in table.iter().zip(&csv) {
        assert_eq!(row[0].text, want["rank"]);
        assert_eq!(row[1].text, want["param"]);
        assert_eq!(row[2].text, three(&want["s1"]));
        assert_eq!(row[3].text, three(&want["st"]));
        assert_eq!(
            row[3].detail,
            format!(
                "{} – {}",
                three(&want["st_ci95_lo"]),
                three(&want["st_ci95_hi"])
            )
        );
    }
    assert!(
        table.iter().any(|r| r[3].text != "–"),
        "lost output moves with the approval rate: some index is defined"
    );
    report_again_is_the_same(&out, &["sensitivity_lost_output_usd.svg"]);
}

#[test]
fn a_size_report_has_the_answer_and_every_size_of_size_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("size");
    let extra = [
        "--item",
        "ndfeb",
        "--max-weeks",
        "16",
        "--resolution",
        "2",
        "--report",
    ];
    let target = "mean(lost_output_usd) <= 1.2e10";
    let bad = dir.path().join("bad");
    let mut parquet = common::size_args(&bad, target, &extra);
    parquet.extend(["--format".to_owned(), "parquet".to_owned()]);
    let o = chokepoint(&parquet);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--format both"), "{}", stderr(&o));
    assert!(!bad.exists(), "refused before anything ran");

    let args = common::size_args(&out, target, &extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&args);
    let html = read(&out.join("report.html"));
    check_page(&html);
    let answer: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("size.json")).unwrap()).unwrap();
    let weeks = answer["answer"]["weeks"]["ndfeb"].as_f64().unwrap();
    assert!(
        html.contains(&format!("hold {weeks:.1} weeks of use of ndfeb")),
        "the answer in words"
    );
    assert!(html.contains("id=\"risk_curve\""));
    let csv = csv_rows(&out.join("size.csv"));
    let table = table_after(&html, "<h2>Risk against the size held</h2>");
    assert_eq!(table.len(), csv.len(), "a row per size evaluated");
    for (row, want) in table.iter().zip(&csv) {
        assert_eq!(row[0].text, want["phase"]);
        assert_eq!(row[1].text, format!("{:.1}", num(&want["weeks/ndfeb"])));
        assert_eq!(row[2].text, want["replications"]);
        assert_eq!(row[4].text, want["decision"]);
    }
    assert!(csv.len() >= 3, "a bracket and a bisection: {}", csv.len());
    report_again_is_the_same(&out, &["risk_curve.svg"]);
}

#[test]
fn a_discover_report_tables_the_box_of_prim_box_csv() {
    let dir = tempfile::tempdir().unwrap();
    let o = chokepoint(&common::sweep_args(dir.path(), 30));
    assert!(o.status.success(), "{}", stderr(&o));
    let lost: Vec<f64> = csv_rows(&dir.path().join("sweep.csv"))
        .iter()
        .map(|r| num(&r["lost_output_usd_mean"]))
        .collect();
    let threshold = f64::midpoint(
        lost.iter().copied().fold(f64::INFINITY, f64::min),
        lost.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    ok(&[
        "discover",
        dir.path().to_str().unwrap(),
        "--metric",
        "lost_output_usd",
        "--threshold",
        &threshold.to_string(),
        "--report",
    ]);
    let out = dir.path().join("discover");
    let html = read(&out.join("report.html"));
    assert!(check_page(&html) >= 2, "the box and the trade-off");
    assert!(html.contains("Scenario discovery: where lost_output_usd_mean is above"));
    let csv = csv_rows(&out.join("prim_box.csv"));
    assert!(!csv.is_empty(), "the embargo's length is restricted");
    let table = table_after(&html, "<h2>The box</h2>");
    assert_eq!(table.len(), csv.len());
    // The page shows three significant digits.
    let close = |shown: &str, want: &str| {
        let (s, w) = (num(&shown.replace(',', "")), num(want));
        assert!(
            (s - w).abs() <= 5e-3 * w.abs() + 1e-12,
            "page {shown} vs csv {want}"
        );
    };
    for (row, want) in table.iter().zip(&csv) {
        assert_eq!(row[0].text, want["param"]);
        close(&row[1].text, &want["lo"]);
        close(&row[2].text, &want["hi"]);
        close(&row[4].text, &want["quasi_p"]);
    }
    report_again_is_the_same(&out, &["prim_tradeoff.svg", "prim_box.svg"]);
}
