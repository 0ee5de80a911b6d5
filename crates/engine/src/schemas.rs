//! The JSON Schemas of every input file kind, each generated from the one definition of its
//! keys: scenarios and strategies from the scenario crate's key table, suites and calibration
//! files from the experiment crate's serde types (through `schemars`).

use chokepoint_experiment::schema_text;

/// A kind of input file that has a JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A scenario (`scenarios/*.toml`).
    Scenario,
    /// A stockpile strategies file (`[[strategy]]`).
    Strategies,
    /// A benchmark suite file (`[suite]`).
    Suite,
    /// A calibration file (`scenarios/calibration/calibration_*.toml`).
    Calibration,
}

impl InputKind {
    /// Every kind, in the order `chokepoint schema --out` writes them.
    pub const ALL: [InputKind; 4] = [
        InputKind::Scenario,
        InputKind::Strategies,
        InputKind::Suite,
        InputKind::Calibration,
    ];

    /// The kind's name (`scenario`, `strategies`, `suite`, `calibration`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Scenario => "scenario",
            InputKind::Strategies => "strategies",
            InputKind::Suite => "suite",
            InputKind::Calibration => "calibration",
        }
    }

    /// The schema's file name (`scenario.schema.json`, ...), as shipped in `schemas/`.
    #[must_use]
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// The schema, as a JSON value.
    #[must_use]
    pub fn schema(self) -> serde_json::Value {
        match self {
            InputKind::Scenario => chokepoint_scenario::keys::scenario_schema(),
            InputKind::Strategies => chokepoint_scenario::strategies_schema(),
            InputKind::Suite => chokepoint_experiment::suite_schema(),
            InputKind::Calibration => chokepoint_experiment::calibrate::calibration_schema(),
        }
    }

    /// The schema as pretty JSON text ending in a newline (what `chokepoint schema` writes).
    #[must_use]
    pub fn schema_text(self) -> String {
        schema_text(&self.schema())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_draft07_object_schema_that_refuses_unknown_keys() {
        for kind in InputKind::ALL {
            let s = kind.schema();
            assert_eq!(
                s["$schema"],
                "http://json-schema.org/draft-07/schema#",
                "{}",
                kind.name()
            );
            assert_eq!(s["type"], "object", "{}", kind.name());
            assert_eq!(s["additionalProperties"], false, "{}", kind.name());
        }
        // The scenario schema's text is the scenario crate's own.
        assert_eq!(
            InputKind::Scenario.schema_text(),
            chokepoint_scenario::keys::scenario_schema_text()
        );
    }
}
