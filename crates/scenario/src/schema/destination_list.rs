//! `[[exporter.destination_list]]` (issue 18), kept beside the other schema types (see
//! `docs/scenarios.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::LeadTimeSpec;
use crate::num::Num;

/// `[[exporter.destination_list]]`: destinations an exporter treats alike (partners, neutrals,
/// targets), with their own licence terms over the regime in force.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DestinationListSpec {
    /// Unique name within the exporter (`destination_list` shocks refer to it).
    #[serde(default)]
    pub name: String,
    /// Regions on the list from the start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// Approval odds by end use (`default`, or a sector); absent = the regime's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval: BTreeMap<String, Num>,
    /// Review time for the list's applicants; absent = the regime's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time_weeks: Option<LeadTimeSpec>,
    /// Licence term for the list's destinations; absent = the regime's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_weeks: Option<Num>,
    /// Items its destinations receive under a general licence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub general_licence: Vec<String>,
}
