//! One self-contained HTML file per output folder: `report.html`.
//!
//! A report is a [`Page`] of sections made of paragraphs, tables and figures (inline SVG from
//! this crate's charts), rendered with `maud` (which escapes every text) and styled by one
//! inline style sheet: no script, no font file, no network fetch, A4 print rules. The pages of
//! each kind of folder are built in [`run`], [`compare`] and [`sweep`] from the folder's files
//! and a [`Context`] the caller knows (labels and units of the names in the files, the
//! measures' dates), so this crate still knows nothing of the model.
//!
//! Every chart is a `<figure class="chart">` holding an inline `<svg>` and a `<figcaption>`:
//! `ci/browser.sh` relies on that to find charts and check they have marks.

mod compare;
mod data;
mod discover;
mod format;
mod run;
mod run_charts;
mod sensitivity;
mod size;
mod size_scaled;
mod sweep;
mod sweep_charts;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::error::Error;
use crate::fan::Marker;
use crate::files::{PLOTS_DIR, write_bytes, write_png, write_svg};

pub use compare::compare_page;
pub use data::manifest;
pub use discover::{Prim, PrimRange, discover_page, prim_box_svg, prim_tradeoff_svg};
pub use run::{backtest_page, run_page};
pub use sensitivity::{
    IndexEstimate, Method, SENSITIVITY_FILE, sensitivity_chart_stem, sensitivity_chart_svg,
    sensitivity_page,
};
pub use size::{SizeChart, SizePoint, size_chart_svg};
pub use size_scaled::size_page;
pub use sweep::sweep_page;

/// The report's file name in an output folder.
pub const REPORT_FILE: &str = "report.html";

/// What a caller knows that the folder's files do not say: plain words for names, the
/// scenario's measures.
#[derive(Clone, Debug)]
pub struct Context {
    /// Plain-words label and unit of a metric or per-step variable name (the core crate's
    /// `describe_metric` and `describe_series`); a name without one is shown as it is.
    pub describe: fn(&str) -> Option<Label>,
    /// The scenario's name and description (for a run or backtest).
    pub scenario: Option<(String, String)>,
    /// The scenario's dated measures, in date order: marked on charts, listed in a timeline.
    pub measures: Vec<Measure>,
    /// Items under export control at some point of the scenario (their exports are charted).
    pub controlled_items: Vec<String>,
    /// Length of a step in days (7: "per step" reads "per week").
    pub step_days: u32,
    /// The metrics a sensitivity report shows (the analysis's `--metric`, or the front door's
    /// headline metrics); empty: the sweep's key metrics.
    pub metrics: Vec<String>,
}

impl Default for Context {
    fn default() -> Self {
        Self {
            describe: |_| None,
            scenario: None,
            measures: Vec::new(),
            controlled_items: Vec::new(),
            step_days: 7,
            metrics: Vec::new(),
        }
    }
}

/// A name's plain words and unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Plain words.
    pub label: String,
    /// Unit as in docs/outputs.md (`t`, `USD`, `share`, `t per step`, ...).
    pub unit: String,
    /// Some(true) when more is better for the importing side, Some(false) when less is, None
    /// when neither (a comparison marks the best strategy only where one way is better).
    pub higher_is_better: Option<bool>,
}

/// A dated measure of the scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measure {
    /// The first day it is in force.
    pub date: chrono::NaiveDate,
    /// The shock's name in the scenario.
    pub name: String,
    /// What it does, in the scenario's words.
    pub description: String,
}

impl Context {
    /// The label of `name`, or the name itself.
    #[must_use]
    pub fn label(&self, name: &str) -> String {
        (self.describe)(name).map_or_else(|| name.to_owned(), |l| l.label)
    }

    /// The unit of `name` in words a reader expects ("t per week" for a weekly step), or "".
    #[must_use]
    pub fn unit(&self, name: &str) -> String {
        (self.describe)(name).map_or_else(String::new, |l| {
            if self.step_days == 7 {
                l.unit.replace("per step", "per week")
            } else {
                l.unit
            }
        })
    }

    /// "label (unit)", the y axis label of a chart of `name`.
    #[must_use]
    pub fn axis_label(&self, name: &str) -> String {
        let unit = self.unit(name);
        if unit.is_empty() {
            self.label(name)
        } else {
            format!("{} ({unit})", self.label(name))
        }
    }

    /// Whether more of `name` is better (None: neither way, or unknown).
    #[must_use]
    pub fn higher_is_better(&self, name: &str) -> Option<bool> {
        (self.describe)(name).and_then(|l| l.higher_is_better)
    }

    /// The measures as chart markers: the shock's name only (descriptions overlap on a chart),
    /// and only at its first date (an announced measure's entry into force is a line without a
    /// second label).
    #[must_use]
    pub fn markers(&self) -> Vec<Marker> {
        let mut seen = std::collections::BTreeSet::new();
        self.measures
            .iter()
            .map(|m| Marker {
                date: m.date,
                label: if seen.insert(m.name.as_str()) {
                    m.name.clone()
                } else {
                    String::new()
                },
            })
            .collect()
    }
}

/// A report page.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The page's title (h1).
    pub title: String,
    /// Paragraphs under the title.
    pub intro: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Footer rows: what produced the folder (version, seed, replications, hashes, command).
    pub footer: Vec<(String, String)>,
    /// Charts written to `plots/` but not shown in the page (named in it instead).
    pub extra_figures: Vec<Figure>,
}

/// A section of a page.
#[derive(Clone, Debug, Default)]
pub struct Section {
    /// Its heading (h2).
    pub heading: String,
    /// Its content, in order.
    pub blocks: Vec<Block>,
}

/// One block of a section.
#[derive(Clone, Debug)]
pub enum Block {
    /// A paragraph of plain text.
    Paragraph(String),
    /// A table.
    Table(Table),
    /// A chart.
    Figure(Figure),
}

/// A table: headers, rows of cells; numbers right-aligned.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells, each as long as `headers`.
    pub rows: Vec<Vec<Cell>>,
    /// A note under the table.
    pub note: Option<String>,
}

/// A table cell.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    /// The text shown.
    pub text: String,
    /// Right-aligned (a number).
    pub numeric: bool,
    /// Marked as the best of its column.
    pub best: bool,
    /// A second, smaller line (an interval under its estimate).
    pub detail: Option<String>,
}

impl Cell {
    /// A text cell.
    #[must_use]
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A number cell.
    #[must_use]
    pub fn number(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            numeric: true,
            ..Self::default()
        }
    }

    /// A number cell with a second line under it.
    #[must_use]
    pub fn number_with(text: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            detail: Some(detail.into()),
            ..Self::number(text)
        }
    }
}

/// A chart in a report, also written to `plots/<file>.svg`.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem in `plots/` (unique within a report).
    pub file: String,
    /// The caption: what the chart shows and how to read it.
    pub caption: String,
    /// The chart, a standalone SVG document.
    pub svg: String,
}

/// Tables with more columns than this get a smaller font so they fit an A4 page's width.
const WIDE_TABLE_COLUMNS: usize = 6;

/// The style sheet: A4 text width on screen and in print, charts scaled to the width, tables
/// that wrap rather than overflow, figures never split across pages.
const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111;
  max-width: 180mm; margin: 0 auto; padding: 12px 16px 32px; line-height: 1.4; font-size: 15px; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.2em; }
h2 { font-size: 1.25em; margin: 1.4em 0 0.4em; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
p { margin: 0.4em 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 0.86em; table-layout: auto; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; hyphens: auto; }
td:first-child { min-width: 7em; }
table.wide { font-size: 0.76em; }
table.wide th, table.wide td { padding: 2px 3px; }
th { background: #f2f2f2; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td .detail { display: block; color: #555; font-size: 0.9em; }
td.best { font-weight: bold; background: #e6f2fa; }
.note { color: #444; font-size: 0.86em; }
figure.chart { margin: 0.8em 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.86em; color: #333; margin-top: 2px; }
footer { margin-top: 2em; border-top: 1px solid #ccc; font-size: 0.8em; color: #333; }
footer td { border: none; padding: 1px 6px 1px 0; }
@page { size: A4; margin: 14mm; }
@media print { body { max-width: none; padding: 0; font-size: 11pt; } h2 { break-after: avoid; } }
"#;

/// The page as one HTML document.
#[must_use]
pub fn render(page: &Page) -> String {
    let markup: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("chokepoint ", env!("CARGO_PKG_VERSION")));
                title { (page.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (page.title) }
                @for p in &page.intro { p { (p) } }
                @for section in &page.sections {
                    section {
                        h2 { (section.heading) }
                        @for block in &section.blocks { (render_block(block)) }
                    }
                }
                footer {
                    table {
                        @for (k, v) in &page.footer { tr { td { (k) } td { (v) } } }
                    }
                }
            }
        }
    };
    markup.into_string()
}

fn render_block(block: &Block) -> Markup {
    match block {
        Block::Paragraph(text) => html! { p { (text) } },
        Block::Table(t) => html! {
            table class=[(t.headers.len() > WIDE_TABLE_COLUMNS).then_some("wide")] {
                thead { tr { @for h in &t.headers { th { (h) } } } }
                tbody {
                    @for row in &t.rows {
                        tr {
                            @for c in row {
                                td class=[cell_class(c)] {
                                    (c.text)
                                    @if let Some(d) = &c.detail { span.detail { (d) } }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(note) = &t.note { p.note { (note) } }
        },
        Block::Figure(f) => html! {
            figure.chart id=(f.file) {
                (PreEscaped(strip_xml_declaration(&f.svg)))
                figcaption { (f.caption) }
            }
        },
    }
}

fn cell_class(c: &Cell) -> Option<&'static str> {
    match (c.numeric, c.best) {
        (true, true) => Some("num best"),
        (true, false) => Some("num"),
        (false, true) => Some("best"),
        (false, false) => None,
    }
}

/// An SVG document's root element, without an XML declaration (not allowed inside HTML).
fn strip_xml_declaration(svg: &str) -> &str {
    let s = svg.trim_start();
    if s.starts_with("<?xml") {
        s.find("?>").map_or(s, |end| s[end + 2..].trim_start())
    } else {
        s
    }
}

/// PNG copies of the charts are drawn at this multiple of their SVG size: 1600 × 800 pixels
/// for the default chart, sharp on a slide or a high-density screen.
pub const PNG_SCALE: f32 = 2.0;

/// What [`write_report`] wrote.
#[derive(Clone, Debug)]
pub struct Written {
    /// `report.html`.
    pub report: PathBuf,
    /// Charts written to `plots/`, SVG and PNG each.
    pub charts: usize,
    /// The PNG renderer's warning, once (no font found: the PNGs have no text).
    pub warning: Option<String>,
}

/// Writes each chart of the page (shown or extra) to `dir/plots/<file>.svg` and `.png`, then
/// the page to `dir/report.html`, every file atomically.
///
/// # Errors
/// [`Error::Write`] when a file cannot be written, [`Error::Png`] when a chart cannot be
/// rendered to PNG.
pub fn write_report(dir: &Path, page: &Page) -> Result<Written, Error> {
    let shown = page
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Figure(f) => Some(f),
            _ => None,
        });
    let plots = dir.join(PLOTS_DIR);
    let mut warning = None;
    let mut charts = 0;
    for f in shown.chain(&page.extra_figures) {
        write_svg(&plots, &format!("{}.svg", f.file), &f.svg)?;
        let (_, w) = write_png(&plots, &format!("{}.png", f.file), &f.svg, PNG_SCALE)?;
        warning = warning.or(w);
        charts += 1;
    }
    let report = write_bytes(dir, REPORT_FILE, render(page).as_bytes())?;
    Ok(Written {
        report,
        charts,
        warning,
    })
}

/// The tables [`FolderKind::of`] looks for: a Parquet twin without one of them means a folder
/// written with `--format parquet`, refused with the fix.
const FOLDER_TABLES: [&str; 9] = [
    "comparison.csv",
    "sweep.csv",
    "sensitivity.csv",
    "backtest.csv",
    "summary.csv",
    "timeseries.csv",
    "size.csv",
    "prim_box.csv",
    "prim_trajectory.csv",
];

/// Which kind of output folder `dir` is, from the files it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderKind {
    /// `run`: summary.csv, timeseries.csv, replications.csv.
    Run,
    /// `backtest`: a run plus backtest.csv.
    Backtest,
    /// `compare`: comparison.csv.
    Compare,
    /// `sweep`: sweep.csv.
    Sweep,
    /// `sensitivity` (or a sweep with a Sobol or Morris design): sweep.csv and sensitivity.csv.
    Sensitivity,
    /// `size`: size.json and size.csv.
    Size,
    /// `discover`: `prim_box.csv` and `prim_trajectory.csv`.
    Discover,
}

impl FolderKind {
    /// The kind of a finished output folder.
    ///
    /// # Errors
    /// [`Error::Empty`] when the folder holds none of the files a report is made from;
    /// [`Error::ParquetOnly`] when it holds them as Parquet only.
    pub fn of(dir: &Path) -> Result<Self, Error> {
        for table in FOLDER_TABLES {
            crate::files::parquet_only(&dir.join(table))?;
        }
        let has = |f: &str| dir.join(f).is_file();
        if has("comparison.csv") {
            Ok(Self::Compare)
        } else if has("sweep.csv") && has(sensitivity::SENSITIVITY_FILE) {
            Ok(Self::Sensitivity)
        } else if has("sweep.csv") {
            Ok(Self::Sweep)
        } else if has("size.json") && has("size.csv") {
            Ok(Self::Size)
        } else if has("prim_box.csv") && has("prim_trajectory.csv") {
            Ok(Self::Discover)
        } else if has("backtest.csv") && has("summary.csv") {
            Ok(Self::Backtest)
        } else if has("summary.csv") && has("timeseries.csv") {
            Ok(Self::Run)
        } else {
            Err(Error::Empty {
                what: dir.display().to_string(),
                why: "not a finished output folder of run, backtest, compare, sweep, \
                      sensitivity, size or discover (no summary.csv + timeseries.csv, \
                      backtest.csv, comparison.csv, sweep.csv, size.csv or prim_box.csv; a \
                      sharded experiment needs `chokepoint merge` first)"
                    .into(),
            })
        }
    }
}

/// Footer rows from a folder's `manifest.json`: version, status, seed, replications, the
/// hashes, the command. Missing fields are left out; a missing manifest gives one row saying so.
fn manifest_footer(dir: &Path) -> Vec<(String, String)> {
    let Ok(m) = data::manifest(dir) else {
        return vec![(
            "manifest".into(),
            "manifest.json missing or unreadable".into(),
        )];
    };
    let field = |k: &str| match m.get(k) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut rows = Vec::new();
    let mut push = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            rows.push((label.to_owned(), v));
        }
    };
    push(
        "made by",
        field("chokepoint_version").map(|v| format!("chokepoint {v}")),
    );
    push("status", field("status"));
    push("seed", field("seed"));
    push("replications", field("replications"));
    push("scenario file SHA-256", field("scenario_sha256"));
    push("resolved scenario SHA-256", field("resolved_sha256"));
    push("plan SHA-256", field("plan_sha256"));
    push("started", field("started_at"));
    push("finished", field("finished_at"));
    push("command", command(&m));
    rows
}

/// The command that made the folder: the recorded one, or for a plain run the one its manifest
/// implies (scenario, replications, seed, overrides).
fn command(m: &serde_json::Value) -> Option<String> {
    if let Some(argv) = m.get("argv").and_then(serde_json::Value::as_array) {
        let words: Vec<&str> = argv.iter().filter_map(serde_json::Value::as_str).collect();
        return Some(format!("chokepoint {}", words.join(" ")));
    }
    let scenario = m.get("scenario_path")?.as_str()?;
    let mut c = format!("chokepoint run {scenario}");
    if let Some(n) = m
        .get("replications_requested")
        .and_then(serde_json::Value::as_u64)
    {
        let _ = write!(c, " --reps {n}");
    }
    if let Some(s) = m.get("seed").and_then(serde_json::Value::as_u64) {
        let _ = write!(c, " --seed {s}");
    }
    for o in m
        .get("overrides")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
    {
        let _ = write!(c, " --set {o}");
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_figures_follow_the_contract() {
        let page = Page {
            title: "A <b> & C".into(),
            sections: vec![Section {
                heading: "S".into(),
                blocks: vec![
                    Block::Paragraph("1 < 2".into()),
                    Block::Figure(Figure {
                        file: "f".into(),
                        caption: "cap".into(),
                        svg: "<?xml version=\"1.0\"?>\n<svg><polyline/></svg>".into(),
                    }),
                ],
            }],
            ..Page::default()
        };
        let html = render(&page);
        assert!(
            html.contains("<title>A &lt;b&gt; &amp; C</title>"),
            "{html}"
        );
        assert!(html.contains("<p>1 &lt; 2</p>"));
        assert!(html.contains("<figure class=\"chart\" id=\"f\"><svg><polyline/></svg><figcaption>cap</figcaption></figure>"), "{html}");
        assert!(!html.contains("<?xml"));
        assert!(!html.contains("<script"), "no script, no fetch");
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn a_folder_without_result_files_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let e = FolderKind::of(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a finished output folder"), "{e}");
        std::fs::write(dir.path().join("sweep.csv"), "point\n").unwrap();
        assert_eq!(FolderKind::of(dir.path()).unwrap(), FolderKind::Sweep);
    }

    #[test]
    fn a_run_manifest_implies_its_command() {
        let m = serde_json::json!({
            "scenario_path": "s.toml", "replications_requested": 20, "seed": 7,
            "overrides": ["a.b=1"]
        });
        assert_eq!(
            command(&m).unwrap(),
            "chokepoint run s.toml --reps 20 --seed 7 --set a.b=1"
        );
        let m = serde_json::json!({"argv": ["compare", "x.toml", "--reps", "5"]});
        assert_eq!(command(&m).unwrap(), "chokepoint compare x.toml --reps 5");
    }
}
