//! The data: every key of the format (one file per group of tables, each a `KEYS` slice listed in
//! [`KEY_TABLES`]), the shock types and the distributions.

use super::Key;
use crate::domain::Domain;

/// Every key of the format, one slice per file, in reference order within each table.
pub const KEY_TABLES: &[&[Key]] = &[
    market::KEYS,
    exporter::KEYS,
    economics::KEYS,
    levers::KEYS,
    plans::KEYS,
    recycling::KEYS,
    sourcing::KEYS,
];

/// Every key of the format (each table's keys in reference order).
pub fn all_keys() -> impl Iterator<Item = &'static Key> {
    KEY_TABLES.iter().flat_map(|t| t.iter())
}

pub(super) const AUTHORITY_SHOCKS: &[&str] = &[
    "halt",
    "list_expansion",
    "licence_regime",
    "quota",
    "extraterritorial",
    "general_licence",
    "partner_control",
    "destination_list",
    "technology_control",
];
pub(super) const LICENCE_SHOCK: &[&str] = &["licence_regime"];
/// Shocks that control items and may be announced before they take effect.
pub(super) const ANNOUNCED_SHOCKS: &[&str] = &["halt", "list_expansion", "licence_regime"];

/// Defines a slice of keys: `NAME; Table name: type, "unit", domain, need, [applies], "core path",
/// "doc";`.
macro_rules! keys {
    ($const:ident; $( $table:ident $name:literal : $ty:expr, $unit:literal, $domain:expr, $need:expr,
        [$($applies:expr),*], $core:literal, $doc:literal; )*) => {
        /// The keys of this file, in reference order.
        pub(super) const $const: &[Key] = &[$(
            Key {
                table: Table::$table,
                name: $name,
                ty: $ty,
                unit: $unit,
                domain: $domain,
                need: $need,
                applies: keys!(@applies $($applies),*),
                core: $core,
                doc: $doc,
            },
        )*];
    };
    (@applies) => { &[] };
    (@applies $list:expr) => { $list };
}

// After the macro, which they use.
mod economics;
mod exporter;
mod levers;
mod market;
mod plans;
mod recycling;
mod sourcing;

pub(super) const NN: Option<Domain> = Some(Domain::NonNegative);
pub(super) const POS: Option<Domain> = Some(Domain::Positive);
pub(super) const SHARE: Option<Domain> = Some(Domain::Share);
pub(super) const GE1: Option<Domain> = Some(Domain::AtLeastOne);
pub(super) const SPEED: Option<Domain> = Some(Domain::PositiveShare);
pub(super) const ANY: Option<Domain> = Some(Domain::Any);

/// Shock types and what each does while active.
pub const SHOCK_TYPES: &[(&str, &str)] = &[
    (
        "halt",
        "Embargo: no shipments of the items to the destinations (lifted).",
    ),
    (
        "list_expansion",
        "Items put on the control list under the regime in force (taken off).",
    ),
    (
        "licence_regime",
        "Items need a licence and the regime takes these settings, each falling back to the exporter's `licence` table (items off, baseline regime back).",
    ),
    (
        "quota",
        "The named quota's annual cap changes (previous cap back).",
    ),
    (
        "extraterritorial",
        "Third countries' exports of products whose controlled-material mass share reaches `share` need the exporter's licence (rule off).",
    ),
    (
        "general_licence",
        "Buyers in the destinations need no individual licence for the items: they are served without applying (individual licences needed again).",
    ),
    (
        "suspend",
        "The target shock's effect is undone from `date` for `duration_weeks`, then restored if the target is still running.",
    ),
    ("lift", "The target ends at `date`."),
    (
        "capacity_outage",
        "The producers lose `share` of capacity (restored).",
    ),
    (
        "demand_surge",
        "Demand of the matching manufacturers is multiplied (back to 1).",
    ),
    (
        "partner_control",
        "The regions' plants come under the exporter's control: their sales abroad follow its embargoes and licences as its own exports, not its quotas (independent again).",
    ),
    (
        "destination_list",
        "The regions move onto the exporter's named destination list (out of any other) and take its licence terms over the regime in force (back to their previous list, or none).",
    ),
    (
        "technology_control",
        "The exporter bans the export of know-how for the `stages`: producers of those stages in `regions` build (planned plants, expansion projects) at `build_speed_share` and ramp up (planned plants, dated starts) at `ramp_speed_share` of the normal pace; overlapping controls multiply (full speed back).",
    ),
];

/// Distributions, their support and the central value `check` and `diff` show.
pub const DISTS: &[(&str, &str, &str)] = &[
    ("lognormal", "(0, ∞)", "median"),
    ("uniform", "[lo, hi]", "midpoint"),
    ("triangular", "[lo, hi]", "mode"),
    ("normal", "[lo, hi]", "mean (clamped to [lo, hi])"),
    ("beta", "[0, 1]", "alpha / (alpha + beta)"),
    ("bernoulli", "{0, 1}", "p"),
];
