//! The model's own validation ([`core::ModelParams::validate`]) speaks of its parameters
//! (`producers[3].outage.prob_per_step`); this maps each of its errors back to the scenario key
//! that produced the value (`producer.3.outage_prob_per_year`, or
//! `defaults.producer.outage_prob_per_year` when the producer does not set its own), through
//! the `core` column of the key table.

use chokepoint_core as core;

use super::RawProblem;
use super::events::EventOrigin;
use crate::keys::{Table, Ty};

/// Where a model path's section comes from: its scenario table and the key of entry `k`.
fn section(name: &str, k: usize, params: &core::ModelParams) -> Option<(Table, String)> {
    Some(match name {
        "items" => (Table::Item, format!("item.{k}")),
        "sectors" => (Table::Sector, format!("sector.{k}")),
        "producers" => (Table::Producer, format!("producer.{k}")),
        // Firms in entry order: an entry's firms form its group (region × sector).
        "manufacturers" => {
            let entry = *params.manufacturer_groups().1.get(k)?;
            (Table::Demand, format!("demand.{entry}"))
        }
        "stockpiles" => (Table::Stockpile, format!("stockpile.{k}")),
        "authorities" => (Table::Exporter, format!("exporter.{k}")),
        "floors" => (Table::Floor, format!("floor.{k}")),
        "undercuts" => (Table::Undercut, format!("undercut.{k}")),
        "grants" => (Table::Grant, format!("grant.{k}")),
        "recyclers" => (Table::Recycling, format!("recycling.{k}")),
        "sourcing_caps" => (Table::SourcingCap, format!("sourcing_cap.{k}")),
        // One warehouse line per producer output, in producer order.
        "warehouses" => {
            let mut seen = 0;
            let p = params.producers.iter().position(|p| {
                seen += p.outputs.len();
                seen > k
            })?;
            return Some((Table::Producer, format!("producer.{p}.warehouse_weeks")));
        }
        _ => return None,
    })
}

/// The table an entry key falls back to (`producer.3.x` → `defaults.producer.x`).
fn fallback_of(key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["producer", _, rest @ ..] if !rest.is_empty() => {
            Some(format!("defaults.producer.{}", rest.join(".")))
        }
        ["demand", _, rest @ ..] if !rest.is_empty() => {
            Some(format!("defaults.manufacturer.{}", rest.join(".")))
        }
        ["item", _, "price", rest @ ..] if !rest.is_empty() => {
            Some(format!("defaults.price.{}", rest.join(".")))
        }
        _ => None,
    }
}

/// Scenario keys that may have produced the model path `rest` below an entry of `table` at
/// `prefix`, most likely first, and how much of `rest` was understood.
fn candidates(table: Table, prefix: &str, rest: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for key in table.keys().filter(|k| !k.core.is_empty()) {
        let core: Vec<&str> = key.core.split('.').collect();
        if rest.len() < core.len() || rest[..core.len()] != core[..] {
            continue;
        }
        let here = format!("{prefix}.{}", key.name);
        let below = &rest[core.len()..];
        let deeper = match key.ty {
            Ty::Table(sub) if !below.is_empty() => candidates(sub, &here, below),
            // Skip the entry index of an array of tables.
            Ty::Tables(sub) if below.len() > 1 => {
                candidates(sub, &format!("{here}.{}", below[0]), &below[1..])
            }
            _ => Vec::new(),
        };
        if deeper.is_empty() {
            out.push(here);
        } else {
            out.extend(deeper);
        }
    }
    out
}

/// `items[2].bom[0].kg_per_t` → (`items`, 2, [`bom`, `0`, `kg_per_t`]).
fn split(path: &str) -> Option<(&str, usize, Vec<&str>)> {
    let (head, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let rest: Vec<&str> = rest
        .split(['.', '[', ']'])
        .filter(|p| !p.is_empty())
        .collect();
    Some((head, index.parse().ok()?, rest))
}

/// The origin of the policy timeline's value at model path `path` (the most specific one), and
/// the path below it.
fn origin_of<'o>(path: &str, origins: &'o [EventOrigin]) -> Option<(&'o EventOrigin, Vec<String>)> {
    let o = origins
        .iter()
        .filter(|o| {
            path.strip_prefix(o.path.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with(['.', '[']))
        })
        .max_by_key(|o| o.path.len())?;
    let below = path[o.path.len()..]
        .split(['.', '[', ']'])
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    Some((o, below))
}

/// The model path below an event's state (`authorities[0].regime.approval[3]`) as the `core`
/// column of the key table writes it for a shock (`regime.approval`).
fn shock_path<'a>(origin: &EventOrigin, below: &'a [String]) -> Vec<&'a str> {
    let field = origin
        .path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .split('[')
        .next()
        .unwrap_or_default();
    match field {
        "regime" => std::iter::once("regime")
            .chain(below.iter().map(String::as_str))
            .collect(),
        "quota_annual_t" => vec!["annual_t"],
        "quota_batches" => vec!["batches"],
        "general_licence" => vec!["destinations"],
        "announcement_premium" => vec!["announcement_log_premium"],
        "extraterritorial_share" | "derate_share" => vec!["share"],
        "demand_multiplier" => vec!["multiplier"],
        "build_speed" => vec!["build_speed_share"],
        "ramp_speed" => vec!["ramp_speed_share"],
        "controlled" | "embargo" => vec!["items"],
        _ => vec![],
    }
}

/// The scenario key behind the model path `path`; `is_set` says whether the resolved file
/// writes a key. `origins` say where the policy timeline's values came from.
fn key_of_path(
    path: &str,
    params: &core::ModelParams,
    origins: &[EventOrigin],
    is_set: &dyn Fn(&str) -> bool,
) -> String {
    let Some((head, k, rest)) = split(path) else {
        return String::new();
    };
    let (cands, fallback_prefix) = if head == "events" {
        let Some((o, below)) = origin_of(path, origins) else {
            return String::new();
        };
        let rest = shock_path(o, &below);
        let (origin, base) = (&o.key, &o.base);
        let table = if origin.starts_with("shock") {
            Table::Shock
        } else if origin.contains(".quota.") {
            Table::Quota
        } else if origin.ends_with(".licence") {
            Table::Licence
        } else {
            Table::Exporter
        };
        // An exporter's own extraterritorial rule is `extraterritorial_share`, a shock's `share`.
        let rest: Vec<&str> = match (table, rest.as_slice()) {
            (Table::Exporter, ["share"]) => vec!["extraterritorial_share"],
            (Table::Exporter, ["items"]) => vec!["controlled"],
            (Table::Licence, ["regime", more @ ..]) => more.to_vec(),
            _ => rest.clone(),
        };
        let mut c = candidates(table, origin, &rest);
        if c.is_empty() {
            c.push(origin.clone());
        }
        (c, base.clone().map(|b| (origin.clone(), b)))
    } else {
        let Some((table, entry)) = section(head, k, params) else {
            return String::new();
        };
        if head == "warehouses" {
            (vec![entry], None)
        } else {
            let mut c = candidates(table, &entry, &rest);
            if c.is_empty() {
                c.push(entry);
            }
            (c, None)
        }
    };
    // The entry's own key if the file writes it, else the table it falls back to, else the
    // first candidate (its entry is located instead).
    for c in &cands {
        if is_set(c) {
            return c.clone();
        }
        let fallback = match &fallback_prefix {
            Some((own, base)) => c.strip_prefix(own.as_str()).map(|r| {
                // A shock's licence keys fall back to the exporter's `licence` table.
                format!("{base}{r}")
            }),
            None => fallback_of(c),
        };
        if let Some(f) = fallback
            && is_set(&f)
        {
            return f;
        }
    }
    cands.into_iter().next().unwrap_or_default()
}

/// One model validation error as a problem at the scenario key that produced it.
pub(crate) fn key_of_param_error(
    e: &core::ParamError,
    params: &core::ModelParams,
    origins: &[EventOrigin],
    is_set: &dyn Fn(&str) -> bool,
) -> RawProblem {
    let fix = "use a value the model accepts (see docs/scenarios.md)".to_owned();
    match e {
        core::ParamError::OutOfRange {
            path,
            value,
            expected,
        } => {
            let key = key_of_path(path, params, origins, is_set);
            let field = path.rsplit(['.', ']']).next().unwrap_or(path);
            let message = if key.ends_with(field) {
                format!("{value} is not allowed; expected {expected}")
            } else {
                format!("becomes {field} = {value} in the model, which expects {expected}")
            };
            (key, message, fix)
        }
        core::ParamError::UnknownId { path, .. } | core::ParamError::WrongLength { path, .. } => {
            let key = key_of_path(path, params, origins, is_set);
            let message = e.to_string();
            let message = message
                .strip_prefix(&format!("{path}: "))
                .unwrap_or(&message)
                .to_owned();
            (key, message, fix)
        }
        core::ParamError::Empty(what) => {
            let key = if what.contains("horizon") {
                "scenario.horizon_weeks"
            } else if what.contains("step") {
                "scenario.step_days"
            } else if what.contains("producer") {
                "producer"
            } else {
                "item"
            };
            (key.to_owned(), (*what).to_owned(), fix)
        }
        core::ParamError::Target { index, error, .. } => (
            format!("target.{index}.{}", error.field()),
            error.to_string(),
            "see docs/scenarios.md, `[[target]]`".to_owned(),
        ),
        other => (String::new(), other.to_string(), fix),
    }
}
