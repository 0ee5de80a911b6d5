//! `[[route]]` over `[defaults.trade]`: the transit time of every route between two regions.

use chokepoint_core as core;

use super::{Build, Slot};

impl Build<'_> {
    /// The (from × to) table of steps in transit: `[defaults.trade] transit_weeks` for every
    /// route between two regions, each `[[route]]` entry for its own; domestic sales take no
    /// time. With neither, the table is empty (every sale arrives at once).
    pub(super) fn build_trade(&mut self, n_steps: u32) -> core::TradeParams {
        let f = self.file;
        let nr = self.regions.len();
        if f.route.is_empty() && f.defaults.trade.transit_weeks.is_none() {
            return core::TradeParams::default();
        }
        let default = match &f.defaults.trade.transit_weeks {
            Some(n) => {
                let weeks = self.num("defaults.trade.transit_weeks", n);
                self.transit_steps("defaults.trade.transit_weeks", weeks, n_steps)
            }
            None => 0,
        };
        let mut transit_steps: Vec<u32> = (0..nr * nr)
            .map(|k| if k / nr == k % nr { 0 } else { default })
            .collect();
        let mut set = vec![false; nr * nr];
        for (k, r) in f.route.iter().enumerate() {
            let key = format!("route.{k}");
            let from = self.resolve(&format!("{key}.from"), &r.from, "region");
            let to = self.resolve(&format!("{key}.to"), &r.to, "region");
            let weeks = self.pick(
                &Slot::new(format!("{key}.transit_weeks"), r.transit_weeks.as_ref()),
                None,
            );
            let steps = self.transit_steps(&format!("{key}.transit_weeks"), weeks, n_steps);
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            if from == to {
                self.problem(
                    format!("{key}.to"),
                    format!("a route from `{}` to itself", r.from),
                    "domestic sales arrive in the week they are made: give two different regions",
                );
                continue;
            }
            if std::mem::replace(&mut set[from * nr + to], true) {
                self.problem(
                    format!("{key}.to"),
                    format!("the route from `{}` to `{}` is given twice", r.from, r.to),
                    "keep one `[[route]]` entry per (from, to)",
                );
            }
            transit_steps[from * nr + to] = steps;
        }
        core::TradeParams { transit_steps }
    }

    /// Weeks in transit as whole steps, refused beyond the horizon.
    fn transit_steps(&mut self, key: &str, weeks: f64, n_steps: u32) -> u32 {
        let steps = self.steps(weeks);
        if steps > n_steps {
            self.problem(
                key,
                format!("{weeks} weeks in transit is longer than the horizon"),
                "use a transit time shorter than `horizon_weeks`",
            );
            return n_steps;
        }
        steps
    }
}
