//! Every scenario key, defined once: its table, type, unit, range, default, which shock types or
//! distributions accept it, the model parameter it becomes, and its documentation.
//!
//! This one table drives the parser's unknown-key and did-you-mean messages, the range every
//! number is checked against (and clamped to when sampled), the check that a shock or a
//! distribution holds only keys that apply to it, the mapping of the model's own validation
//! errors back to scenario keys, and the key tables of `docs/scenarios.md` (generated between
//! `<!-- BEGIN GENERATED keys:... -->` markers; [`render_docs`] rewrites them, and a test fails
//! when the checked-in file is stale). To add a key: add a field to the schema type, a line
//! here, and read it in the compiler.

use crate::domain::Domain;

/// A table of the format: where a key may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    /// The top level of the file.
    Top,
    /// `[scenario]`.
    Scenario,
    /// `[defaults]`.
    Defaults,
    /// `[defaults.price]` and an item's `price`.
    Price,
    /// `[[item]]`.
    Item,
    /// `[[region]]`.
    Region,
    /// `[[sector]]`.
    Sector,
    /// `[[route]]`.
    Route,
    /// `[defaults.trade]`.
    Trade,
    /// `[[producer]]` and `[defaults.producer]`.
    Producer,
    /// A lead time: `{ median, sigma, max }`.
    LeadTime,
    /// `[[demand]]` and `[defaults.manufacturer]`.
    Demand,
    /// `[[stockpile]]`.
    Stockpile,
    /// `[[stockpile.holding]]`.
    Holding,
    /// `[[floor]]`: a price floor under a producer (issue 18).
    Floor,
    /// `[[undercut]]`: an exporter's pricing rule against entrants (issue 18).
    Undercut,
    /// A producer's `plan`: capacity that comes on only if financed (issue 18).
    Plan,
    /// `[[grant]]`: a grant or loan to a planned producer (issue 18).
    Grant,
    /// `[[recycling]]`: a recycling mandate (issue 18).
    Recycling,
    /// `[[sourcing_cap]]`: a diversification target of an importing region (issue 18).
    SourcingCap,
    /// `[[exporter]]`.
    Exporter,
    /// An exporter's `licence` table.
    Licence,
    /// `[[exporter.quota]]`.
    Quota,
    /// A quota batch: `{ day_of_year, share }` in a quota's or a `quota` shock's `batches`.
    Batch,
    /// `[[exporter.general_licence]]`.
    GeneralLicence,
    /// `[[exporter.destination_list]]` (issue 18).
    DestinationList,
    /// `[[shock]]`.
    Shock,
    /// `[[target]]`.
    Target,
    /// A distribution: `{ dist = "...", ... }`.
    Dist,
}

impl Table {
    /// Every table, in the order of the reference.
    pub const ALL: [Table; 29] = [
        Table::Top,
        Table::Scenario,
        Table::Defaults,
        Table::Price,
        Table::Item,
        Table::Region,
        Table::Sector,
        Table::Route,
        Table::Trade,
        Table::Producer,
        Table::LeadTime,
        Table::Demand,
        Table::Stockpile,
        Table::Holding,
        Table::Floor,
        Table::Undercut,
        Table::Plan,
        Table::Grant,
        Table::Recycling,
        Table::SourcingCap,
        Table::Exporter,
        Table::Licence,
        Table::Quota,
        Table::Batch,
        Table::GeneralLicence,
        Table::DestinationList,
        Table::Shock,
        Table::Target,
        Table::Dist,
    ];

    /// The name used in docs markers and messages.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Table::Top => "top",
            Table::Scenario => "scenario",
            Table::Defaults => "defaults",
            Table::Price => "price",
            Table::Item => "item",
            Table::Region => "region",
            Table::Sector => "sector",
            Table::Route => "route",
            Table::Trade => "trade",
            Table::Producer => "producer",
            Table::LeadTime => "lead_time",
            Table::Demand => "demand",
            Table::Stockpile => "stockpile",
            Table::Holding => "holding",
            Table::Floor => "floor",
            Table::Undercut => "undercut",
            Table::Plan => "plan",
            Table::Grant => "grant",
            Table::Recycling => "recycling",
            Table::SourcingCap => "sourcing_cap",
            Table::Exporter => "exporter",
            Table::Licence => "licence",
            Table::Quota => "quota",
            Table::Batch => "batch",
            Table::GeneralLicence => "general_licence",
            Table::DestinationList => "destination_list",
            Table::Shock => "shock",
            Table::Target => "target",
            Table::Dist => "dist",
        }
    }

    /// The keys of this table, in reference order.
    pub fn keys(self) -> impl Iterator<Item = &'static Key> {
        all_keys().filter(move |k| k.table == self)
    }

    /// The key `name` of this table.
    #[must_use]
    pub fn key(self, name: &str) -> Option<&'static Key> {
        self.keys().find(|k| k.name == name)
    }
}

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    Text,
    /// A whole number.
    Integer,
    /// A date (`2025-04-04`).
    Date,
    /// A number or a distribution.
    Number,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// The name of something defined in the file (`item`, `region`, ...).
    Name(&'static str),
    /// A list of names.
    Names(&'static str),
    /// A table from names to numbers.
    NumberBy(&'static str),
    /// Approval odds: by destination and end use.
    Approval,
    /// A number by destination and end use, keyed like approval odds.
    ByDestination,
    /// `true` or `false`.
    Bool,
    /// A table.
    Table(Table),
    /// An array of tables.
    Tables(Table),
}

impl Ty {
    /// True when the value is a number (so the keys below it are a distribution's).
    #[must_use]
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Ty::Number | Ty::NumberBy(_) | Ty::Approval | Ty::ByDestination
        )
    }

    fn describe(self) -> String {
        match self {
            Ty::Text => "string".to_owned(),
            Ty::Integer => "integer".to_owned(),
            Ty::Date => "date".to_owned(),
            Ty::Number => "number".to_owned(),
            Ty::Choice(words) => words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Ty::Name(kind) => kind.to_owned(),
            Ty::Names(kind) => format!("array of {kind}s"),
            Ty::NumberBy(kind) => format!("table {kind} → number"),
            Ty::Approval => "table of probabilities".to_owned(),
            Ty::ByDestination => "table by destination and end use".to_owned(),
            Ty::Bool => "boolean".to_owned(),
            Ty::Table(Table::LeadTime) => "`{ median, sigma, max }`".to_owned(),
            Ty::Table(_) => "table".to_owned(),
            Ty::Tables(_) => "array of tables".to_owned(),
        }
    }
}

/// Whether a key must be given, and what its absence means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Must be set.
    Required,
    /// Must be set on the entry or in the table it falls back to (`[defaults.producer]`, the
    /// exporter's `licence` for a `licence_regime` shock).
    Fallback,
    /// May be left out; the text says what absence means.
    Optional(&'static str),
    /// Required or refused depending on another key; the text says when (shown as is).
    Conditional(&'static str),
}

/// One key of the format.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The table it is written in.
    pub table: Table,
    /// Its name.
    pub name: &'static str,
    /// What it holds.
    pub ty: Ty,
    /// Its unit, "" when it has none.
    pub unit: &'static str,
    /// The range a number must lie in (fixed values and distribution supports).
    pub domain: Option<Domain>,
    /// Whether it must be given.
    pub need: Need,
    /// The shock types (`[[shock]]`) or distributions (`dist`) that accept it; empty = all.
    pub applies: &'static [&'static str],
    /// The model parameter it becomes (a path below the agent in `ModelParams`), "" if none.
    pub core: &'static str,
    /// What it means.
    pub doc: &'static str,
}

mod docs;
mod json_schema;
mod table;

pub use docs::{BEGIN, END, render_docs, render_marker, render_table};
pub use json_schema::{scenario_schema, scenario_schema_text, toml_to_json};
pub use table::{DISTS, KEY_TABLES, SHOCK_TYPES, all_keys};

/// The names of the shock types.
#[must_use]
pub fn shock_types() -> Vec<&'static str> {
    SHOCK_TYPES.iter().map(|(t, _)| *t).collect()
}

/// The names of the distributions.
#[must_use]
pub fn dist_names() -> Vec<&'static str> {
    DISTS.iter().map(|(d, _, _)| *d).collect()
}

/// Every key name the format knows (any table), sorted and without repeats.
#[must_use]
pub fn known_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = all_keys().map(|k| k.name).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// True when `key` is accepted by the shock type or distribution `kind`.
#[must_use]
pub fn applies(key: &Key, kind: &str) -> bool {
    key.applies.is_empty() || key.applies.contains(&kind)
}

/// The keys of `table` that a shock type or distribution `kind` accepts.
#[must_use]
pub fn applicable(table: Table, kind: &str) -> Vec<&'static str> {
    table
        .keys()
        .filter(|k| applies(k, kind))
        .map(|k| k.name)
        .collect()
}

/// Where a dotted key path (`producer.3.capacity_t_per_year.median`) lands in the format.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    /// A key of a table: the key, and how many parts of the path follow it (inside its value).
    Key(&'static Key, usize),
    /// `name` is not a key of `table`.
    Unknown(Table, usize),
}

/// Follows a dotted key path through the tables of the format.
#[must_use]
pub fn place(path: &str) -> Option<Place> {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut table = Table::Top;
    let mut i = 0;
    while let Some(part) = parts.get(i) {
        let Some(key) = table.key(part) else {
            return Some(Place::Unknown(table, i));
        };
        match key.ty {
            Ty::Table(sub) if i + 1 < parts.len() => {
                table = sub;
                i += 1;
            }
            Ty::Tables(sub) if i + 2 < parts.len() => {
                table = sub;
                i += 2;
            }
            _ => return Some(Place::Key(key, parts.len() - i - 1)),
        }
    }
    None
}

/// The key a path's value belongs to (for a number inside a table by name, the table's key).
#[must_use]
pub fn key_at(path: &str) -> Option<&'static Key> {
    match place(path)? {
        Place::Key(k, _) => Some(k),
        Place::Unknown(..) => None,
    }
}

/// The range of the number at `path`; [`Domain::Any`] for a path the format does not know
/// (the compiler reads only known keys; a unit test checks every shipped number resolves).
#[must_use]
pub fn domain_at(path: &str) -> Domain {
    key_at(path).and_then(|k| k.domain).unwrap_or(Domain::Any)
}

/// The table an unknown key at `path` was written in, if the path says, and its name.
#[must_use]
pub fn table_of_unknown(path: &str) -> Option<(Table, String)> {
    let last = path.rsplit('.').next()?.to_owned();
    match place(path)? {
        Place::Unknown(t, _) => Some((t, last)),
        // Below a number: a distribution's keys.
        Place::Key(k, rest) if k.ty.is_number() && rest > 0 => Some((Table::Dist, last)),
        Place::Key(..) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_land_on_their_keys() {
        let at = |p: &str| key_at(p).map(|k| (k.table, k.name));
        assert_eq!(
            at("producer.3.capacity_t_per_year"),
            Some((Table::Producer, "capacity_t_per_year"))
        );
        assert_eq!(
            at("defaults.producer.expansion_lead_time_weeks.median"),
            Some((Table::LeadTime, "median"))
        );
        assert_eq!(
            at("exporter.0.licence.approval.us.defence"),
            Some((Table::Licence, "approval"))
        );
        assert_eq!(
            at("stockpile.1.holding.0.initial_weeks"),
            Some((Table::Holding, "initial_weeks"))
        );
        assert_eq!(at("item.2.bom.ndpr"), Some((Table::Item, "bom")));
        assert_eq!(
            at("defaults.manufacturer.cover_weeks"),
            Some((Table::Demand, "cover_weeks"))
        );
        assert!(matches!(
            table_of_unknown("shock.3.aproval"),
            Some((Table::Shock, _))
        ));
        assert!(matches!(
            table_of_unknown("producer.0.capacity_t_per_year.mu"),
            Some((Table::Dist, _))
        ));
    }

    #[test]
    fn every_key_is_defined_once_per_table() {
        let keys: Vec<&Key> = all_keys().collect();
        for (j, k) in keys.iter().enumerate() {
            assert!(
                !keys[..j]
                    .iter()
                    .any(|o| o.table == k.table && o.name == k.name),
                "{}.{} twice",
                k.table.id(),
                k.name
            );
            for a in k.applies {
                let known = match k.table {
                    Table::Dist => dist_names().contains(a),
                    _ => shock_types().contains(a),
                };
                assert!(
                    known,
                    "{}.{} applies to unknown `{a}`",
                    k.table.id(),
                    k.name
                );
            }
        }
    }
}
