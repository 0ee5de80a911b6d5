//! Recycling mandates (issue 18, docs/model.md §7c): end-of-life magnets collected and their
//! materials recovered in a region, after a lead time, paid for by the mandate when recovery
//! costs more than the materials fetch.

use serde::{Deserialize, Serialize};

use crate::ids::{ItemId, RegionId};

/// A recycler: end-of-life scrap of a product (`scrap_item`, one with a bill of materials) is
/// collected in `region` and each material of its bill recovered into the region's warehouse.
/// Not a producer and not a buyer: it orders nothing, so it takes no [`crate::BuyerId`] and
/// leaves every other buyer's id (and the licence draws keyed by it) unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recycler {
    /// Name for messages.
    pub name: String,
    /// Where the scrap arises and the recovered materials go.
    pub region: RegionId,
    /// The product whose end-of-life scrap is recycled; its bill of materials says what is
    /// recovered.
    pub scrap_item: ItemId,
    /// End-of-life arisings of the product in the region, tonnes per step.
    pub eol_t_per_step: f64,
    /// Share of the arisings collected, in (0, 1].
    pub collection_share: f64,
    /// Share of each material of the bill recovered from the collected scrap, in (0, 1].
    pub recovery_share: f64,
    /// Reported step at which output starts (the mandate's date plus its build time; negative:
    /// already running when the run opens).
    pub start_step: i64,
    /// Steps from first output to full collection (0 = full at once).
    pub ramp_steps: f64,
    /// Processing cost, USD per kg of scrap collected.
    pub cash_cost_usd_per_kg: f64,
    /// Most USD the mandate pays in all; `None` = no cap.
    pub budget_usd: Option<f64>,
}

impl Recycler {
    /// Share of full collection at reported step `t`: 0 before `start_step`, then a linear ramp
    /// over `ramp_steps`, capped at 1 (the same shape as a producer's dated start).
    #[must_use]
    pub fn online_share(&self, t: u32) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "step counts are far below 2^52")]
        let since = (i64::from(t) - self.start_step) as f64;
        if since < 0.0 {
            0.0
        } else if self.ramp_steps <= 0.0 {
            1.0
        } else {
            (since / self.ramp_steps).min(1.0)
        }
    }

    /// Scrap collected at reported step `t` at full funding, tonnes: arisings × collection ×
    /// the share online.
    #[must_use]
    pub fn collected_t(&self, t: u32) -> f64 {
        self.eol_t_per_step * self.collection_share * self.online_share(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recycler() -> Recycler {
        Recycler {
            name: "r".to_owned(),
            region: RegionId::from(0),
            scrap_item: ItemId::from(0),
            eol_t_per_step: 10.0,
            collection_share: 0.5,
            recovery_share: 0.9,
            start_step: 4,
            ramp_steps: 4.0,
            cash_cost_usd_per_kg: 35.0,
            budget_usd: None,
        }
    }

    #[test]
    fn collection_ramps_linearly_from_the_start_step() {
        let r = recycler();
        let got: Vec<f64> = (0..10).map(|t| r.collected_t(t)).collect();
        let want = [0.0, 0.0, 0.0, 0.0, 0.0, 1.25, 2.5, 3.75, 5.0, 5.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn no_ramp_is_full_at_once_and_a_past_start_is_running() {
        let mut r = recycler();
        r.ramp_steps = 0.0;
        assert!(r.online_share(3).abs() < 1e-12);
        assert!((r.online_share(4) - 1.0).abs() < 1e-12);
        r.start_step = -10;
        assert!((r.online_share(0) - 1.0).abs() < 1e-12);
    }
}
