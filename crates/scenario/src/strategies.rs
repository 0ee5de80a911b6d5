//! Strategies files: named importer policies (`[[stockpile]]`, `[[floor]]`, `[[grant]]` and
//! `[[recycling]]` tables) to compare on one scenario.
//!
//! ```toml
//! [[strategy]]
//! name = "days60_shortage"
//! description = "60 days held, released on shortage"
//! budget_usd = 2.0e8       # optional: at least the sum of its levers' budgets
//! [[strategy.stockpile]]   # the keys of a scenario's [[stockpile]]
//! name = "japan"
//! ...
//! [[strategy.floor]]       # the keys of a scenario's [[floor]]
//! ...
//! [[strategy.grant]]       # the keys of a scenario's [[grant]]
//! [[strategy.recycling]]   # the keys of a scenario's [[recycling]]
//! ...
//! ```
//! A strategy states the whole importer policy: its sections replace the scenario's (absent =
//! none); [`crate::Scenario::with_strategy`] validates the result and points problems at this
//! file.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use toml::Value;

use crate::diagnostics::{Located, Problem, did_you_mean};
use crate::keys;
use crate::source::parse;
use crate::{Reader, ScenarioError};

/// Keys a `[[strategy]]` table takes: name, whether it is required, and what it means. The
/// loader's unknown-key check and [`strategies_schema`] both read it.
const STRATEGY_FIELDS: [(&str, bool, &str); 8] = [
    (
        "name",
        true,
        "Name of the strategy, unique in its file; names its cells in `compare` outputs.",
    ),
    (
        "description",
        false,
        "What the strategy does. If absent: empty.",
    ),
    (
        BUDGET,
        false,
        "The money the strategy may spend, USD: checked when the file is read to be at least the sum of its levers' `budget_usd` (each stockpile's, each floor's and each recycling mandate's, which every floor and recycling mandate must then state) and its grants' cost (a grant's `amount_usd`, a loan's `grant_element_share` × `amount_usd`; a loan's write-off if its operator closes is not bounded by it). Opening holdings (`initial_t`, `initial_weeks`, `opening_share`) are valued only when a run starts and are not in the check. If absent: no check.",
    ),
    (
        STOCKPILE,
        false,
        "The strategy's stockpiles, each with the keys of a scenario's `[[stockpile]]`; they replace the scenario's whole `[[stockpile]]` list. If absent: no stockpiles at all (when some strategy of the file states stockpiles; if none does, every strategy keeps the scenario's).",
    ),
    (
        FLOOR,
        false,
        "The strategy's price floors, each with the keys of a scenario's `[[floor]]`; they replace the scenario's whole `[[floor]]` list. If absent: no floors at all (when some strategy of the file states floors; if none does, as in a stockpile-only file, every strategy keeps the scenario's floors). A file with a floor in any strategy turns the lever metrics on (`[scenario] lever_metrics = true`) in every strategy's run, so every cell reports the same metrics.",
    ),
    (
        GRANT,
        false,
        "The strategy's grants and loans to planned producers, each with the keys of a scenario's `[[grant]]`; they replace the scenario's whole `[[grant]]` list. If absent: no grants at all (when some strategy of the file states grants; if none does, every strategy keeps the scenario's). A file with a grant in any strategy turns the lever metrics on in every strategy's run.",
    ),
    (
        RECYCLING,
        false,
        "The strategy's recycling mandates, each with the keys of a scenario's `[[recycling]]`; they replace the scenario's whole `[[recycling]]` list. If absent: no recycling at all (when some strategy of the file states recycling; if none does, every strategy keeps the scenario's). Under a strategy's `budget_usd` each must state its own `budget_usd`, counted in the check. A file with recycling in any strategy turns the lever metrics on in every strategy's run.",
    ),
    (
        SOURCING_CAP,
        false,
        "The strategy's diversification targets, each with the keys of a scenario's `[[sourcing_cap]]`; they replace the scenario's whole `[[sourcing_cap]]` list. If absent: no caps at all (when some strategy of the file states caps; if none does, every strategy keeps the scenario's). A cap has no budget (its cost, the premiums, is whatever the market makes it) and adds nothing to the `budget_usd` check. A file with a cap in any strategy turns the lever metrics and `sourcing_metrics` on in every strategy's run.",
    ),
];

/// The key of a strategy's `[[strategy.stockpile]]` tables.
const STOCKPILE: &str = "stockpile";

/// The key of a strategy's `[[strategy.floor]]` tables.
const FLOOR: &str = "floor";

/// The key of a strategy's `[[strategy.grant]]` tables.
const GRANT: &str = "grant";
/// The key of a strategy's `[[strategy.recycling]]` tables.
pub(crate) const RECYCLING: &str = "recycling";

/// The key of a strategy's `[[strategy.sourcing_cap]]` tables.
const SOURCING_CAP: &str = "sourcing_cap";

/// The key of a strategy's optional total budget.
const BUDGET: &str = "budget_usd";

/// The importer sections a strategy states: a strategy replaces each of them in the scenario
/// (absent = none). Issue 18's other levers join here.
pub(crate) const IMPORTER_SECTIONS: &[&str] = &[STOCKPILE, FLOOR, GRANT, RECYCLING, SOURCING_CAP];

/// The importer sections whose presence in any strategy of a file turns the lever metrics on for
/// every strategy of the file (a stockpile-only file leaves the scenario's setting alone, so its
/// outputs do not change).
const LEVER_SECTIONS: &[&str] = &[FLOOR, GRANT, RECYCLING, SOURCING_CAP];

/// The names of [`STRATEGY_FIELDS`].
const STRATEGY_KEYS: [&str; 8] = [
    STRATEGY_FIELDS[0].0,
    STRATEGY_FIELDS[1].0,
    STRATEGY_FIELDS[2].0,
    STRATEGY_FIELDS[3].0,
    STRATEGY_FIELDS[4].0,
    STRATEGY_FIELDS[5].0,
    STRATEGY_FIELDS[6].0,
    STRATEGY_FIELDS[7].0,
];

/// One named strategy.
#[derive(Clone, Debug)]
pub struct Strategy {
    /// Name, unique in its file.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its tables of each importer section ([`IMPORTER_SECTIONS`]), as written: e.g.
    /// `"stockpile"` → its `[[strategy.stockpile]]` tables. A section it does not state is absent.
    pub(crate) sections: BTreeMap<&'static str, Vec<Value>>,
    /// The money it may spend, USD (checked at load against its levers' budgets).
    pub budget_usd: Option<f64>,
    /// Whether applying it turns the lever metrics on: true for every strategy of a file in
    /// which some strategy states a lever other than stockpiles ([`LEVER_SECTIONS`]).
    pub(crate) lever_metrics: bool,
    /// Whether applying it turns the sourcing metric on: true for every strategy of a file in
    /// which some strategy states a sourcing cap.
    pub(crate) sourcing_metrics: bool,
    /// The importer sections some strategy of its file states: only these replace the
    /// scenario's (a stockpile-only file leaves a scenario's floors in force).
    pub(crate) file_sections: Vec<&'static str>,
    /// Position in the file (for locating problems).
    pub(crate) index: usize,
    pub(crate) source: Located,
}

/// The strategies of one file, in file order.
#[derive(Clone, Debug)]
pub struct StrategySet {
    /// The strategies.
    pub strategies: Vec<Strategy>,
}

impl Strategy {
    /// Its tables of importer section `section` (none if it does not state the section).
    pub(crate) fn tables(&self, section: &str) -> &[Value] {
        self.sections.get(section).map_or(&[], Vec::as_slice)
    }
}

impl StrategySet {
    /// Reads and checks the shape of a strategies file (each strategy's stockpiles are validated
    /// when applied to a scenario).
    pub fn load(path: &Path, read: Reader<'_>) -> Result<Self, ScenarioError> {
        let text = read(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        let table = parse(&text, path)?;
        let located = Located::new(path, text).ok_or_else(|| ScenarioError::Syntax {
            file: path.to_owned(),
            line: 1,
            column: 1,
            message: "not valid TOML".to_owned(),
        })?;
        let mut problems = Vec::new();
        let problem = |key: String, message: String, fix: &str| {
            let (line, column, _) = located.locate(&key).unwrap_or((0, 0, false));
            Problem {
                file: path.to_owned(),
                line,
                column,
                key,
                message,
                fix: fix.to_owned(),
            }
        };
        for key in table.keys().filter(|k| *k != "strategy") {
            problems.push(problem(
                key.clone(),
                format!("unknown key `{key}`{}", did_you_mean(key, &["strategy"])),
                "a strategies file holds only `[[strategy]]` tables",
            ));
        }
        let entries = if let Some(Value::Array(a)) = table.get("strategy") {
            a.clone()
        } else {
            problems.push(problem(
                "strategy".into(),
                "no `[[strategy]]` tables".into(),
                "add at least one `[[strategy]]` with a `name`",
            ));
            Vec::new()
        };
        let mut strategies: Vec<Strategy> = Vec::new();
        for (k, entry) in entries.iter().enumerate() {
            let key = format!("strategy.{k}");
            let Some(t) = entry.as_table() else {
                problems.push(problem(
                    key,
                    "a strategy must be a table".into(),
                    "write it as `[[strategy]]`",
                ));
                continue;
            };
            for unknown in t.keys().filter(|x| !STRATEGY_KEYS.contains(&x.as_str())) {
                problems.push(problem(
                    format!("{key}.{unknown}"),
                    format!(
                        "unknown key `{unknown}`{}",
                        did_you_mean(unknown, &STRATEGY_KEYS)
                    ),
                    "a strategy takes `name`, `description`, `budget_usd` and `[[strategy.stockpile]]`, `[[strategy.floor]]`, `[[strategy.grant]]` and `[[strategy.recycling]]` tables",
                ));
            }
            for text_key in ["name", "description"] {
                if let Some(v) = t.get(text_key).filter(|v| !v.is_str()) {
                    problems.push(problem(
                        format!("{key}.{text_key}"),
                        format!("expected text in quotes, found {}", value_kind(v)),
                        &format!("write `{text_key} = \"...\"`"),
                    ));
                }
            }
            let name = t
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if name.is_empty() && t.get("name").is_none_or(Value::is_str) {
                problems.push(problem(
                    format!("{key}.name"),
                    "missing required key".into(),
                    "add `name = \"...\"`",
                ));
            } else if strategies.iter().any(|s| s.name == name) {
                problems.push(problem(
                    format!("{key}.name"),
                    format!("strategy `{name}` is defined twice"),
                    "give each strategy its own name",
                ));
            }
            let mut sections = BTreeMap::new();
            for &section in IMPORTER_SECTIONS {
                match t.get(section) {
                    None => {}
                    Some(Value::Array(a)) if a.iter().all(Value::is_table) => {
                        sections.insert(section, a.clone());
                    }
                    Some(_) => problems.push(problem(
                        format!("{key}.{section}"),
                        format!("expected `[[strategy.{section}]]` tables"),
                        &format!("write each {section} as `[[strategy.{section}]]`"),
                    )),
                }
            }
            let budget_usd = check_budget(t, &sections, &key, &mut |k, m, f| {
                problems.push(problem(k, m, f));
            });
            strategies.push(Strategy {
                name,
                description: t
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                sections,
                budget_usd,
                lever_metrics: false,
                sourcing_metrics: false,
                file_sections: Vec::new(),
                index: k,
                source: located.clone(),
            });
        }
        let levers = strategies
            .iter()
            .any(|s| LEVER_SECTIONS.iter().any(|l| !s.tables(l).is_empty()));
        let stated: Vec<&'static str> = IMPORTER_SECTIONS
            .iter()
            .copied()
            .filter(|section| strategies.iter().any(|s| s.sections.contains_key(section)))
            .collect();
        let capped = strategies
            .iter()
            .any(|s| !s.tables(SOURCING_CAP).is_empty());
        for s in &mut strategies {
            s.lever_metrics = levers;
            s.sourcing_metrics = capped;
            s.file_sections.clone_from(&stated);
        }
        if problems.is_empty() {
            Ok(Self { strategies })
        } else {
            Err(ScenarioError::Invalid(problems))
        }
    }

    /// Names, in file order.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.strategies.iter().map(|s| s.name.as_str()).collect()
    }
}

/// The JSON Schema of a strategies file (for editors, like the scenario schema): the
/// `[[strategy]]` keys of [`STRATEGY_FIELDS`], and in `[[strategy.stockpile]]` and
/// `[[strategy.floor]]` exactly the keys of a scenario's `[[stockpile]]` and `[[floor]]`, with the scenario schema's own definitions (so ranges,
/// choices and distributions come from the same key table).
#[must_use]
pub fn strategies_schema() -> serde_json::Value {
    let scenario = keys::scenario_schema();
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for (name, needed, doc) in STRATEGY_FIELDS {
        let value = match name {
            STOCKPILE | FLOOR | GRANT | RECYCLING | SOURCING_CAP => {
                json!({ "type": "array", "items": { "$ref": format!("#/definitions/{name}") } })
            }
            BUDGET => json!({ "type": "number", "minimum": 0 }),
            _ => json!({ "type": "string" }),
        };
        let mut value = value;
        value["description"] = json!(doc);
        properties.insert(name.to_owned(), value);
        if needed {
            required.push(name);
        }
    }
    json!({
        "$schema": scenario["$schema"],
        "title": "Chokepoint strategies",
        "description": "A Chokepoint strategies file (docs/scenarios.md, Stockpile strategies files): named importer policies (stockpiles, price floors, grants and loans, recycling mandates) to compare on one scenario. Generated by `chokepoint schema` from the strategies loader's keys and the scenario key table; `chokepoint compare SCENARIO --strategies FILE` checks each strategy's levers against the scenario.",
        "type": "object",
        "properties": {
            "strategy": {
                "type": "array",
                "description": "The strategies, in the order they are compared.",
                "items": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                },
            },
        },
        "required": ["strategy"],
        "additionalProperties": false,
        "definitions": scenario["definitions"],
    })
}

/// [`strategies_schema`] as pretty JSON text ending in a newline.
#[must_use]
pub fn strategies_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&strategies_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// A strategy's `budget_usd`, checked: a number ≥ 0 and at least the sum of its levers' own
/// `budget_usd` (every floor must state one then, or the strategy could spend without limit).
/// A lever budget that is a distribution is refused (its spend is not bounded by one number);
/// problems go to `report(key, message, fix)`. A lever budget of the wrong type is left to the
/// scenario's validation (it is reported there when the strategy is applied).
fn check_budget(
    t: &toml::map::Map<String, Value>,
    sections: &BTreeMap<&'static str, Vec<Value>>,
    key: &str,
    report: &mut dyn FnMut(String, String, &str),
) -> Option<f64> {
    let v = t.get(BUDGET)?;
    let budget = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            report(
                format!("{key}.{BUDGET}"),
                format!("expected a number of USD, found {}", value_kind(other)),
                "write `budget_usd = 2.0e8` (USD), or leave it out",
            );
            return None;
        }
    };
    if !budget.is_finite() || budget < 0.0 {
        report(
            format!("{key}.{BUDGET}"),
            format!("budget_usd = {budget} is not a number of USD >= 0"),
            "write a finite number >= 0, or leave it out",
        );
        return None;
    }
    let mut stated = 0.0;
    let mut parts = Vec::new();
    for (&section, tables) in sections {
        for (j, table) in tables.iter().enumerate() {
            let lever = table.get("name").and_then(Value::as_str).unwrap_or("?");
            if section == GRANT {
                if let Some(cost) = grant_cost(table, &format!("{key}.{section}.{j}"), report) {
                    stated += cost;
                    parts.push(format!("grant `{lever}` {cost}"));
                }
                continue;
            }
            match table.get(BUDGET) {
                Some(Value::Integer(i)) => {
                    stated += *i as f64;
                    parts.push(format!("{section} `{lever}` {i}"));
                }
                Some(Value::Float(f)) if f.is_finite() => {
                    stated += f;
                    parts.push(format!("{section} `{lever}` {f}"));
                }
                None if section == FLOOR => report(
                    format!("{key}.{section}.{j}.name"),
                    format!(
                        "floor `{lever}` has no `budget_usd`, so the strategy's `budget_usd` cannot bound what it pays"
                    ),
                    "give the floor its share of the budget as `budget_usd`, or drop the strategy's `budget_usd`",
                ),
                None if section == RECYCLING => report(
                    format!("{key}.{section}.{j}.name"),
                    format!(
                        "recycling `{lever}` has no `budget_usd`, so the strategy's `budget_usd` cannot bound what its mandate pays"
                    ),
                    "give the recycling mandate its share of the budget as `budget_usd`, or drop the strategy's `budget_usd`",
                ),
                Some(Value::Table(_)) => report(
                    format!("{key}.{section}.{j}.{BUDGET}"),
                    format!(
                        "{section} `{lever}` has a distribution as its `budget_usd`, which the strategy's `budget_usd` cannot be checked against"
                    ),
                    "give the lever a plain number as `budget_usd`, or drop the strategy's `budget_usd`",
                ),
                Some(_) | None => {}
            }
        }
    }
    if stated > budget {
        report(
            format!("{key}.{BUDGET}"),
            format!(
                "budget_usd = {budget} is less than its levers' budgets, {stated} in all ({})",
                parts.join(" + ")
            ),
            "raise `budget_usd` to at least the sum, or cut the levers' `budget_usd` (a grant's `amount_usd`)",
        );
    }
    Some(budget)
}

/// What a `[[strategy.grant]]` costs if its project is financed, for the budget check: its
/// `amount_usd`, times `grant_element_share` for a loan. A distribution in either is refused
/// (reported at `key`); a missing or mistyped number is left to the scenario's validation.
fn grant_cost(
    table: &Value,
    key: &str,
    report: &mut dyn FnMut(String, String, &str),
) -> Option<f64> {
    let number = |name: &str, report: &mut dyn FnMut(String, String, &str)| match table.get(name) {
        Some(Value::Integer(i)) => Some(*i as f64),
        Some(Value::Float(f)) if f.is_finite() => Some(*f),
        Some(Value::Table(_)) => {
            report(
                format!("{key}.{name}"),
                format!(
                    "a distribution as the grant's `{name}`, which the strategy's `budget_usd` cannot be checked against"
                ),
                "give the grant a plain number, or drop the strategy's `budget_usd`",
            );
            None
        }
        _ => None,
    };
    let amount = number("amount_usd", report)?;
    if table.get("kind").and_then(Value::as_str) == Some("loan") {
        Some(amount * number("grant_element_share", report)?)
    } else {
        Some(amount)
    }
}

/// What a TOML value is, in words.
fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "text",
        Value::Integer(_) | Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}
