//! Writing the charts the CLI draws for `discover` and `size` (SVG and PNG side by side).

use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_report::files;
use chokepoint_report::html::PNG_SCALE;

/// Writes a chart as `<stem>.svg` and `<stem>.png` into `dir`.
pub fn write_chart(dir: &Path, stem: &str, svg: &str) -> Result<Vec<PathBuf>> {
    let svg_path = files::write_svg(dir, &format!("{stem}.svg"), svg)?;
    let (png_path, warning) = files::write_png(dir, &format!("{stem}.png"), svg, PNG_SCALE)?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    Ok(vec![svg_path, png_path])
}
