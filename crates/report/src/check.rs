//! Test helpers: a chart's SVG read back as XML (marks of a colour, texts, finite coordinates).

/// The parsed document, or a failure showing the SVG.
pub(crate) fn parse(svg: &str) -> roxmltree::Document<'_> {
    match roxmltree::Document::parse(svg) {
        Ok(doc) => doc,
        Err(e) => panic!("not XML: {e}\n{svg}"),
    }
}

/// Elements `tag` whose `attr` is `value` (colours as plotters writes them: `#0072B2`).
pub(crate) fn count(doc: &roxmltree::Document<'_>, tag: &str, attr: &str, value: &str) -> usize {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute(attr) == Some(value))
        .count()
}

/// Every text, in document order.
pub(crate) fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect()
}

/// Attributes holding coordinates or sizes.
const GEOMETRY: [&str; 11] = [
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height",
];

/// Panics unless every coordinate in the document is a finite number inside the picture (with a
/// little slack for glyphs drawn at the edge), and the document has at least one mark.
pub(crate) fn assert_finite_marks(doc: &roxmltree::Document<'_>) {
    let root = doc.root_element();
    let size = |a: &str| -> f64 {
        root.attribute(a)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let (w, h) = (size("width"), size("height"));
    assert!(w > 0.0 && h > 0.0, "no size");
    let mut marks = 0;
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        let mut numbers: Vec<f64> = Vec::new();
        for a in GEOMETRY {
            if let Some(v) = node.attribute(a) {
                numbers.push(v.parse().unwrap_or(f64::NAN));
            }
        }
        if let Some(points) = node.attribute("points") {
            numbers.extend(
                points
                    .split([' ', ','])
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().unwrap_or(f64::NAN)),
            );
        }
        assert!(
            numbers
                .iter()
                .all(|v| v.is_finite() && *v >= -20.0 && *v <= w.max(h) + 20.0),
            "coordinates {numbers:?} of <{}>",
            node.tag_name().name()
        );
        if ["polyline", "polygon", "circle", "rect", "line"].contains(&node.tag_name().name()) {
            marks += 1;
        }
    }
    assert!(marks > 1, "no marks beyond the background");
}
