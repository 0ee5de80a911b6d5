//! The key tables of `docs/scenarios.md`, generated from [`super::all_keys`].

use std::fmt::Write as _;

use super::{DISTS, Key, Need, SHOCK_TYPES, Table};
use crate::domain::Domain;

fn range(d: Option<Domain>) -> &'static str {
    match d {
        None | Some(Domain::Any) => "",
        Some(Domain::NonNegative) => "≥ 0",
        Some(Domain::Positive) => "> 0",
        Some(Domain::Share) => "[0, 1]",
        Some(Domain::AtLeastOne) => "≥ 1",
        Some(Domain::PositiveShare) => "(0, 1]",
    }
}

fn need(k: &Key) -> String {
    match k.need {
        Need::Required => "required".to_owned(),
        Need::Fallback => match k.table {
            Table::Producer => "required, here or in `[defaults.producer]`".to_owned(),
            Table::Demand => "required, here or in `[defaults.manufacturer]`".to_owned(),
            Table::Price => "required, per item or in `[defaults.price]`".to_owned(),
            Table::Shock => "the exporter's `licence`".to_owned(),
            Table::LeadTime => "required (or all from the table it falls back to)".to_owned(),
            _ => "required".to_owned(),
        },
        Need::Optional(absent) => format!("optional: {absent}"),
        Need::Conditional(when) => when.to_owned(),
    }
}

/// The generated Markdown table of one table's keys.
#[must_use]
pub fn render_table(table: Table) -> String {
    let with_applies = table == Table::Shock;
    let mut s = String::from("| key | type | unit | range | if absent | meaning |");
    s += if with_applies {
        " types |\n| --- | --- | --- | --- | --- | --- | --- |\n"
    } else {
        "\n| --- | --- | --- | --- | --- | --- |\n"
    };
    // Writing to a `String` cannot fail, here and below.
    for k in table.keys() {
        let _ = write!(
            s,
            "| `{}` | {} | {} | {} | {} | {} |",
            k.name,
            k.ty.describe(),
            k.unit,
            range(k.domain),
            need(k),
            k.doc
        );
        if with_applies {
            let _ = write!(
                s,
                " {} |",
                if k.applies.is_empty() {
                    "all".to_owned()
                } else {
                    k.applies.join(", ")
                }
            );
        }
        s += "\n";
    }
    s
}

fn render_shock_types() -> String {
    let mut s = String::from(
        "| `type` | keys (besides the common ones) | effect while active |\n| --- | --- | --- |\n",
    );
    for (t, effect) in SHOCK_TYPES {
        let own: Vec<String> = Table::Shock
            .keys()
            .filter(|k| !k.applies.is_empty() && k.applies.contains(t))
            .filter(|k| k.name != "duration_weeks" && k.name != "exporter")
            .map(|k| format!("`{}`", k.name))
            .collect();
        let _ = writeln!(s, "| `{t}` | {} | {effect} |", own.join(", "));
    }
    s
}

fn render_dists() -> String {
    let mut s =
        String::from("| `dist` | keys | support | central value |\n| --- | --- | --- | --- |\n");
    for (d, support, central) in DISTS {
        let keys: Vec<String> = Table::Dist
            .keys()
            .filter(|k| k.applies.contains(d))
            .map(|k| format!("`{}`", k.name))
            .collect();
        let _ = writeln!(s, "| `{d}` | {} | {support} | {central} |", keys.join(", "));
    }
    s
}

/// The generated text for a docs marker (`keys:producer`, `shock_types`, `dists`).
#[must_use]
pub fn render_marker(name: &str) -> Option<String> {
    match name {
        "shock_types" => Some(render_shock_types()),
        "dists" => Some(render_dists()),
        _ => {
            let id = name.strip_prefix("keys:")?;
            Table::ALL
                .iter()
                .find(|t| t.id() == id)
                .map(|t| render_table(*t))
        }
    }
}

/// Start of a generated block in `docs/scenarios.md`; the marker name follows.
pub const BEGIN: &str = "<!-- BEGIN GENERATED ";
/// End of a generated block.
pub const END: &str = "<!-- END GENERATED -->";

/// `docs` with every generated block rewritten from this table; `Err` names an unknown marker.
pub fn render_docs(docs: &str) -> Result<String, String> {
    let mut out = String::with_capacity(docs.len());
    let mut rest = docs;
    while let Some(at) = rest.find(BEGIN) {
        let after = &rest[at + BEGIN.len()..];
        let close = after
            .find("-->")
            .ok_or_else(|| "unclosed BEGIN GENERATED marker".to_owned())?;
        let name = after[..close].trim();
        let body = render_marker(name).ok_or_else(|| format!("unknown marker `{name}`"))?;
        let end = after
            .find(END)
            .ok_or_else(|| format!("marker `{name}` has no {END}"))?;
        out += &rest[..at + BEGIN.len() + close + 3];
        out += "\n";
        out += &body;
        out += END;
        rest = &after[end + END.len()..];
    }
    out += rest;
    Ok(out)
}
