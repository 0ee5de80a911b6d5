//! Producers (mines, separation plants, magnet makers): capacity, outages and derates (step 2),
//! planned activity and input orders (step 4), production into the region's warehouse (step 7)
//! and capacity expansion after sustained high prices (step 10).

use rand::Rng;

use crate::buyers::Buyers;
use crate::keyed::{Keyed, lead_steps};
use crate::markets::Book;
use crate::params::ModelParams;
use crate::prices::{Prices, pow};

#[derive(Clone, Copy, Debug, Default)]
struct ProducerState {
    capacity_t: f64,
    outage_left_steps: u32,
    derate_share: f64,
    /// Share of capacity in operation (a dated start's ramp; 1 otherwise).
    online_share: f64,
    /// A dated start's progress: reported steps since its `online.step` (negative before it,
    /// or while a financed plan builds), advanced at the end of every reported step by the
    /// step's speed (see [`Producers::advance_online`]); the warm-up leaves it at step 0's
    /// value. Without technology controls the speed is 1 and integers in `f64` are exact, so the
    /// share is the one [`crate::ProducerParams::online_share`] gives.
    online_progress: f64,
    high_price_steps: u32,
    /// Steps left until the running expansion project adds capacity (advanced by the step's
    /// build speed), if one is running.
    project_left_steps: Option<f64>,
    projects_started: u32,
    planned_activity: f64,
    /// Activity run in step 7 (tonnes of activity), for the accounts.
    activity: f64,
    /// Closed by its operator's losses (issue 18): no capacity from then on.
    closed: bool,
    /// Construction progress per step (a planned plant building, an expansion project), in
    /// (0, 1]: 1, or less under a technology control in force (step 1).
    build_speed: f64,
    /// Ramp-up progress per step once producing, in (0, 1] (as `build_speed`).
    ramp_speed: f64,
}

/// Progress per step with no technology control in force.
const FULL_SPEED: f64 = 1.0;

/// The `what` of a planned producer's keyed outage draws (expansion projects use 0).
const PLAN_OUTAGE: u64 = 1;

/// The mutable state of every producer, by [`ProducerId`](crate::ids::ProducerId).
#[derive(Clone, Debug)]
pub(crate) struct Producers {
    state: Vec<ProducerState>,
}

impl Producers {
    /// Nameplate capacity; input stocks filled to their cover at baseline activity.
    pub(crate) fn new(params: &ModelParams, buyers: &Buyers, book: &mut Book) -> Self {
        let mut state = Vec::with_capacity(params.producers.len());
        for (k, pr) in params.producers.iter().enumerate() {
            let b = buyers.producer(k);
            let activity = pr.opening_activity();
            for f in &pr.inputs {
                let slot = book.slot(b, f.item);
                book.held[slot] += pr.input_cover_steps * activity * f.t_per_unit;
            }
            #[allow(clippy::cast_precision_loss, reason = "step counts are far below 2^52")]
            let online_progress = if pr.plan.is_some() {
                // Not financed yet: no date to count from (step 10 sets it when financed).
                f64::NEG_INFINITY
            } else {
                pr.online.map_or(0.0, |o| (0 - o.step) as f64)
            };
            state.push(ProducerState {
                capacity_t: pr.capacity_t_per_step,
                online_share: pr.online_share(0),
                online_progress,
                build_speed: FULL_SPEED,
                ramp_speed: FULL_SPEED,
                ..ProducerState::default()
            });
        }
        Self { state }
    }

    /// Current capacity of every producer, tonnes of activity per step.
    pub(crate) fn capacities(&self) -> impl Iterator<Item = f64> + '_ {
        self.state.iter().map(|p| p.capacity_t)
    }

    /// Step 1: the derates in force (per producer, the share of capacity lost; 0 = none).
    pub(crate) fn set_derates(&mut self, shares: &[f64]) {
        for (st, &share) in self.state.iter_mut().zip(shares) {
            st.derate_share = share;
        }
    }

    /// Step 1: the construction and ramp-up speeds in force (per producer, in (0, 1]; an empty
    /// table = full speed for every producer: no technology control in force).
    pub(crate) fn set_speeds(&mut self, build: &[f64], ramp: &[f64]) {
        for (k, st) in self.state.iter_mut().enumerate() {
            st.build_speed = build.get(k).copied().unwrap_or(FULL_SPEED);
            st.ramp_speed = ramp.get(k).copied().unwrap_or(FULL_SPEED);
        }
    }

    /// Step 2 (first): the share of each producer's capacity in operation, from its dated
    /// start's progress (what [`crate::ProducerParams::online_share`] gives at the reported step).
    pub(crate) fn set_online(&mut self, params: &ModelParams) {
        for (st, pr) in self.state.iter_mut().zip(&params.producers) {
            let ramp_steps = pr
                .online
                .map(|o| o.ramp_steps)
                .or(pr.plan.map(|p| p.ramp_steps));
            if let Some(ramp_steps) = ramp_steps {
                st.online_share = if st.online_progress < 0.0 {
                    0.0
                } else if ramp_steps <= 0.0 {
                    1.0
                } else {
                    (st.online_progress / ramp_steps).min(1.0)
                };
            }
        }
    }

    /// End of a reported step: dated starts progress by the step's speeds. A financed plan
    /// builds (progress < 0) at its build speed and ramps (progress >= 0) at its ramp speed; a
    /// step that finishes the build spends the rest of the step ramping. A dated `online` start
    /// keeps its date (the scenario states when output starts) and ramps at its ramp speed.
    /// At full speed this is `progress + 1`, exactly as before technology controls.
    pub(crate) fn advance_online(&mut self, params: &ModelParams) {
        for (st, pr) in self.state.iter_mut().zip(&params.producers) {
            // An unfinanced plan's progress is -inf and stays so.
            if pr.online.is_none() && pr.plan.is_none() {
                continue;
            }
            let p = st.online_progress;
            st.online_progress = if p >= 0.0 {
                p + st.ramp_speed
            } else if pr.plan.is_none() {
                // A dated start before its date (whole steps): the calendar keeps its pace.
                p + FULL_SPEED
            } else {
                let next = p + st.build_speed;
                // The share of the step left after the build ends, spent ramping.
                #[allow(clippy::float_cmp, reason = "equal speeds need no conversion")]
                if next > 0.0 && st.build_speed != st.ramp_speed {
                    next / st.build_speed * st.ramp_speed
                } else {
                    next
                }
            };
        }
    }

    /// True once producer `k`'s dated or planned output has started (its progress has reached
    /// its start; a producer without either is always started).
    pub(crate) fn has_started(&self, k: usize) -> bool {
        self.state[k].online_progress >= 0.0
    }

    /// Step 10: planned producer `k` is financed this step; its first output comes
    /// `build_steps` steps later (then it ramps over its plan's `ramp_steps`), as if it had a
    /// dated start there.
    pub(crate) fn start_building(&mut self, k: usize, build_steps: u32) {
        self.state[k].online_progress = -f64::from(build_steps);
    }

    /// Step 2: outages start or end (two uniform draws per producer, always, so the stream stays
    /// aligned whatever happens); finished expansion projects add capacity. A planned producer
    /// (issue 18) draws its two uniforms keyed by (producer, `clock`) from `plan_key` instead of
    /// the stream, so that adding a plan leaves every other producer's outages as they were.
    pub(crate) fn update_capacity<R: Rng>(
        &mut self,
        params: &ModelParams,
        rng: &mut R,
        plan_key: Keyed,
        clock: u32,
    ) {
        for (k, pr) in params.producers.iter().enumerate() {
            let st = &mut self.state[k];
            // Two draws per producer per step whatever happens, to keep the stream aligned.
            let (u_start, u_len): (f64, f64) = if pr.plan.is_some() {
                plan_key.uniforms(k as u64, PLAN_OUTAGE, u64::from(clock))
            } else {
                (rng.random(), rng.random())
            };
            if st.outage_left_steps > 0 {
                st.outage_left_steps -= 1;
            } else if u_start < pr.outage.prob_per_step {
                st.outage_left_steps = geometric_steps(pr.outage.mean_steps, u_len);
            }
            if let Some(left) = st.project_left_steps.as_mut() {
                *left -= st.build_speed;
                if *left <= 0.0 {
                    let max = pr.capacity_t_per_step * pr.expansion.max_capacity_multiple;
                    st.capacity_t = (st.capacity_t
                        + pr.capacity_t_per_step * pr.expansion.increment_share)
                        .min(max);
                    st.project_left_steps = None;
                }
            }
        }
    }

    /// Activity producer `k` ran in the last step 7, tonnes.
    pub(crate) fn activity(&self, k: usize) -> f64 {
        self.state[k].activity
    }

    /// Producer `k` closes for good: no capacity, hence no planned activity, input orders or
    /// output from the next step on (its input stock stays where it is).
    pub(crate) fn close(&mut self, k: usize) {
        self.state[k].closed = true;
    }

    /// Producer `k` runs again after a closure; one with a dated start ramps again over its
    /// `ramp_steps` from the next step.
    pub(crate) fn reopen(&mut self, params: &ModelParams, k: usize) {
        let st = &mut self.state[k];
        st.closed = false;
        if params.producers[k].online.is_some() || params.producers[k].plan.is_some() {
            // A member whose dated start is still ahead keeps it; a running one ramps again.
            st.online_progress = st.online_progress.min(0.0);
        }
    }

    /// True while producer `k` is closed by its operator's losses.
    pub(crate) fn is_closed(&self, k: usize) -> bool {
        self.state[k].closed
    }

    /// Producer `k`'s share of capacity running this step: its online share, 0 once closed.
    pub(crate) fn running_share(&self, k: usize) -> f64 {
        if self.state[k].closed {
            0.0
        } else {
            self.state[k].online_share
        }
    }

    /// Producer `k`'s share in operation this step (0 before its dated start).
    pub(crate) fn online_share(&self, k: usize) -> f64 {
        self.state[k].online_share
    }

    fn available_capacity(&self, params: &ModelParams, k: usize) -> f64 {
        let pr = &params.producers[k];
        let st = &self.state[k];
        if st.closed {
            return 0.0;
        }
        let outage = if st.outage_left_steps > 0 {
            pr.outage.depth_share
        } else {
            0.0
        };
        st.capacity_t * st.online_share * (1.0 - outage) * (1.0 - st.derate_share)
    }

    /// Step 4: planned activity from available capacity and the price of the main output it
    /// expects to realise (inside a controlling exporter, domestic and world prices weighted by
    /// home use and the foreign use it may serve: [`Prices::producer_ratio_in`]);
    /// orders for the inputs it needs plus a share of the gap between its inventory position
    /// (on hand + in transit) and its target (cover + the supply line of its planned use).
    pub(crate) fn place_orders(
        &mut self,
        params: &ModelParams,
        buyers: &Buyers,
        prices: &Prices,
        book: &mut Book,
    ) {
        for (k, pr) in params.producers.iter().enumerate() {
            // A closed producer (step 7b) plans nothing and orders no inputs.
            if self.state[k].closed {
                self.state[k].planned_activity = 0.0;
                continue;
            }
            let b = buyers.producer(k);
            let ratio = prices.producer_ratio_in(pr.region, pr.outputs[0].item);
            let utilisation = (pr.utilisation * pow(ratio, pr.supply_elasticity)).min(1.0);
            let activity = self.available_capacity(params, k) * utilisation;
            self.state[k].planned_activity = activity;
            let baseline = pr.capacity_t_per_step * pr.utilisation * self.state[k].online_share;
            for f in &pr.inputs {
                let slot = book.slot(b, f.item);
                // Inventory position (on hand + in transit) against cover plus supply line.
                let have = book.position(slot);
                let use_t = activity * f.t_per_unit;
                let target =
                    pr.input_cover_steps * baseline * f.t_per_unit + book.supply_line(slot, use_t);
                let want = (use_t + (target - have) / pr.order_adjust_steps).max(0.0);
                book.order[slot] += want;
                book.use_t[slot] += use_t;
            }
        }
    }

    /// Step 7: producers turn inputs into outputs, as much of the planned activity as their
    /// input stocks allow; outputs go to the region's warehouse (sold from the next step).
    pub(crate) fn produce(&mut self, params: &ModelParams, buyers: &Buyers, book: &mut Book) {
        let ni = params.items.len();
        for (k, pr) in params.producers.iter().enumerate() {
            let b = buyers.producer(k);
            let mut activity = self.state[k].planned_activity;
            // Wanted for use: inputs for the planned activity (prices answer what goes unused).
            for f in &pr.inputs {
                let need = self.state[k].planned_activity * f.t_per_unit;
                let at = pr.region.idx() * ni + f.item.idx();
                book.ledger.wanted[at] += need;
                book.ledger.lacking[at] += (need - book.held[book.slot(b, f.item)]).max(0.0);
            }
            for f in &pr.inputs {
                if f.t_per_unit > 0.0 {
                    activity = activity.min(book.held[book.slot(b, f.item)] / f.t_per_unit);
                }
            }
            if activity <= 0.0 {
                self.state[k].activity = 0.0;
                continue;
            }
            self.state[k].activity = activity;
            let r = pr.region.idx();
            for f in &pr.inputs {
                let used = activity * f.t_per_unit;
                let slot = book.slot(b, f.item);
                book.held[slot] = (book.held[slot] - used).max(0.0);
                book.ledger.consumed[r * ni + f.item.idx()] += used;
            }
            for f in &pr.outputs {
                let made = activity * f.t_per_unit;
                book.warehouse[r * ni + f.item.idx()] += made;
                book.ledger.produced[r * ni + f.item.idx()] += made;
            }
        }
    }

    /// Step 10: a project starts once the main output's price has stayed high long enough; its
    /// lead time is keyed by (producer, project number), so strategies share it.
    pub(crate) fn expand(&mut self, params: &ModelParams, prices: &Prices, key: Keyed) {
        for (k, pr) in params.producers.iter().enumerate() {
            let ratio = prices.ratio_in(pr.region, pr.outputs[0].item);
            let st = &mut self.state[k];
            if ratio >= pr.expansion.trigger_price_ratio {
                st.high_price_steps += 1;
            } else {
                st.high_price_steps = 0;
            }
            let max = pr.capacity_t_per_step * pr.expansion.max_capacity_multiple;
            // An unfinanced plan (progress −∞) has no plant to expand.
            if st.project_left_steps.is_none()
                && !st.closed
                && st.online_progress > f64::NEG_INFINITY
                && st.high_price_steps >= pr.expansion.sustain_steps
                && st.high_price_steps > 0
                && pr.expansion.increment_share > 0.0
                && st.capacity_t < max
            {
                let (z, _) = key.normal_and_uniform(k as u64, 0, u64::from(st.projects_started));
                st.projects_started += 1;
                let lead = lead_steps(&pr.expansion.lead_time, z).max(1);
                st.project_left_steps = Some(f64::from(lead));
                st.high_price_steps = 0;
            }
        }
    }
}

/// Steps of an outage: geometric with the given mean, from one uniform draw.
fn geometric_steps(mean_steps: f64, u: f64) -> u32 {
    let q = 1.0 / mean_steps.max(1.0);
    if q >= 1.0 {
        return 1;
    }
    let steps = ((1.0 - u).ln() / (1.0 - q).ln()).ceil();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole number clamped to [1, u32::MAX]"
    )]
    let steps = steps.clamp(1.0, f64::from(u32::MAX)) as u32;
    steps
}

#[cfg(test)]
mod tests {
    use crate::params::Online;
    use crate::testkit;

    #[test]
    fn a_dated_start_has_no_capacity_before_it_and_ramps_linearly_to_full() {
        let mut p = testkit::two_region_market();
        let pr = &mut p.producers[0];
        assert!(
            (pr.online_share(0) - 1.0).abs() < 1e-12,
            "no date: always on"
        );
        pr.online = Some(Online {
            step: 10,
            ramp_steps: 4.0,
        });
        let shares: Vec<f64> = (8..16).map(|t| pr.online_share(t)).collect();
        let want = [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0];
        for (s, w) in shares.iter().zip(want) {
            assert!((s - w).abs() < 1e-12, "{shares:?}");
        }
        assert!(pr.opening_activity().abs() < 1e-12, "nothing at the start");
        pr.online = Some(Online {
            step: -2,
            ramp_steps: 4.0,
        });
        assert!(
            (pr.online_share(0) - 0.5).abs() < 1e-12,
            "started before the run"
        );
        pr.online = Some(Online {
            step: 3,
            ramp_steps: 0.0,
        });
        assert!(pr.online_share(2).abs() < 1e-12 && (pr.online_share(3) - 1.0).abs() < 1e-12);
    }
}
