//! Planned capacity that comes on only if financed, and the grants and loans that help finance
//! it (issue 18, design §2.4 and §3.2). Absent everywhere, the model runs exactly as without them.

use serde::{Deserialize, Serialize};

/// A producer that does not exist yet: a project that may be financed from `decision_step` on,
/// in the first reported step where the price its owners expect for its main output (or a
/// price floor in force on it) covers its breakeven plus a capital charge on its capex net of
/// the support committed; then it builds for `build_steps` and ramps over `ramp_steps`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// First reported step in which it may be financed (0 when the decision date is before the
    /// start date).
    pub decision_step: u32,
    /// Steps from financing to first output (before grants' lead-time cuts).
    pub build_steps: u32,
    /// Steps from first output to full capacity (0 = full at once).
    pub ramp_steps: f64,
    /// Capital cost, USD. 0 = a committed project: financed at `decision_step` whatever the price.
    pub capex_usd: f64,
    /// Capital charge per USD of capex (net of support) per step: the annual capital-recovery
    /// share divided by the steps in a year.
    pub capital_charge_share_per_step: f64,
    /// Time constant of the expected price, steps: an exponentially weighted moving average
    /// updated every reported step with weight `1 / financing_window_steps` on the new price.
    pub financing_window_steps: f64,
    /// Abandoned (never financed) once this many steps have passed since `decision_step`
    /// without financing; `None` = never abandoned.
    pub abandon_after_steps: Option<u32>,
}

/// A government's support for a planned producer: a grant, or a loan on easy terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// Name for messages.
    pub name: String,
    /// The planned producer it supports (index into [`crate::ModelParams::producers`]; it has
    /// a [`Plan`]).
    pub producer: usize,
    /// Principal, USD.
    pub amount_usd: f64,
    /// First reported step at which it is committed.
    pub from_step: u32,
    /// Steps cut from the project's `build_steps` when it is financed (permits, engineering
    /// paid for).
    pub lead_time_cut_steps: u32,
    /// `None` for a grant; the loan's terms for a loan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan: Option<Loan>,
}

/// A loan's terms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    /// Share of the principal that is a subsidy (the value of the easy terms), in [0, 1].
    pub grant_element_share: f64,
    /// Straight-line repayment over this many steps from first output (> 0).
    pub term_steps: u32,
}

impl Grant {
    /// What the grant is worth to the project and costs the government when the project is
    /// financed, USD: the whole amount for a grant, the grant element for a loan.
    #[must_use]
    pub fn support_usd(&self) -> f64 {
        match self.loan {
            None => self.amount_usd,
            Some(l) => l.grant_element_share * self.amount_usd,
        }
    }
}
