//! Keys of planned capacity and its support (issue 18): a `[[producer]]`'s `plan`, the financing
//! knobs (also in `[defaults.producer]`) and `[[grant]]`.

use super::super::Need::{Conditional, Optional as Opt, Required as REQUIRED};
use super::super::Ty::{Choice, Date, Name, Number, Table as Sub, Tables, Text};
use super::super::{Key, Table};
use super::{NN, POS, SHARE};

keys! {
    KEYS;
    Producer "plan": Sub(Table::Plan), "", None, Opt("in operation, or dated by `online`"), [], "plan",
        "Planned capacity that comes on only if financed. Needs `cash_cost_usd_per_kg` (its breakeven decides financing); not with `online`. From `decision_from`, in the first reported step where max(the price its owners expect for its main output, a `[[floor]]` in force on it with budget left) ≥ its breakeven + a capital charge, it is financed: it builds for `build_weeks` (less the grants' cuts), then ramps over `ramp_weeks` (docs/model.md §10b).";
    Producer "capital_charge_share_per_year": Number, "share/yr", NN, Opt("`[defaults.producer]`, else 0.15"), [], "plan.capital_charge_share_per_step",
        "Annual capital charge per USD of capex net of support; per kg of main output at capacity × utilisation it is added to the breakeven in the financing test. Only with `plan`.";
    Producer "financing_window_weeks": Number, "weeks", POS, Opt("`[defaults.producer]`, else 26"), [], "plan.financing_window_steps",
        "Time constant of the expected price: an exponentially weighted moving average of the price of its main output, updated each reported step with weight 1 / window on the step's price. Only with `plan`.";

    Plan "decision_from": Date, "", None, REQUIRED, [], "decision_step",
        "First day the project may be financed (rounded up to the next step start; before the start date = from the start).";
    Plan "build_weeks": Number, "weeks", NN, REQUIRED, [], "build_steps",
        "Construction from financing to first output.";
    Plan "ramp_weeks": Number, "weeks", NN, Opt("0: full at once"), [], "ramp_steps",
        "Weeks from first output to full capacity (linear ramp).";
    Plan "capex_usd": Number, "USD", NN, Opt("0: financed at `decision_from` whatever the price"), [], "capex_usd",
        "Capital cost. The capital charge per kg is (capex − support committed) × `capital_charge_share_per_year` / (capacity × utilisation × yield of the main output).";
    Plan "abandon_after_weeks": Number, "weeks", NN, Opt("never abandoned"), [], "abandon_after_steps",
        "Abandoned (never financed, its grants never paid) if not financed this many weeks after `decision_from`.";

    Top "grant": Tables(Table::Grant), "", None, Opt("no grants or loans"), [], "grants",
        "Grants and loans to planned producers (issue 18).";

    Grant "name": Text, "", None, REQUIRED, [], "name", "Unique name.";
    Grant "producer": Name("producer"), "", None, REQUIRED, [], "producer",
        "The producer supported: one with a `plan`.";
    Grant "kind": Choice(&["grant", "loan"]), "", None, Opt("`grant`"), [], "loan",
        "`grant`: the government pays `amount_usd` when the project is financed (never if it is abandoned). `loan`: it pays the grant element (`grant_element_share` × `amount_usd`) when financed, and the principal not yet repaid if the producer's operator closes (a write-off). Both go into `grants_paid_usd` and `policy_cost_usd`.";
    Grant "amount_usd": Number, "USD", NN, REQUIRED, [], "amount_usd",
        "Principal. From `date`, the support (a grant's amount, a loan's grant element) is taken off the capex in the financing test.";
    Grant "date": Date, "", None, REQUIRED, [], "from_step",
        "Commitment date (rounded up to the next step start). A grant dated after its project was financed is never paid.";
    Grant "lead_time_cut_weeks": Number, "weeks", NN, Opt("0"), [], "lead_time_cut_steps",
        "Weeks cut from the plan's `build_weeks` if it is financed with this grant committed (permits, engineering paid for).";
    Grant "grant_element_share": Number, "share", SHARE, Conditional("required for a loan, refused for a grant"), [], "loan.grant_element_share",
        "Share of a loan's principal that is a subsidy (the value of its easy terms).";
    Grant "term_years": Number, "years", POS, Conditional("required for a loan, refused for a grant"), [], "loan.term_steps",
        "A loan's straight-line repayment from the producer's first output (for the write-off).";
}
