//! The per-step variables of a [`crate::Trajectory`]: their names and where each group starts in
//! a row (fixed when the model is built), and how a step's row is written (step 11).
//!
//! Groups, in row order: `price_ratio/<item>`, `domestic_price_ratio/<exporter>/<item>`,
//! `exports_t/<item>`, `in_transit_t/<item>`, `unmet_demand_t/<item>`, `halted_share`,
//! `stockpile_t/<held item>`, `licence_backlog`, then per exporter `licence_queue/<exporter>`,
//! `licences_pending/<exporter>`, `licences_approved/<exporter>`, `licences_refused/<exporter>`,
//! then `exports_t/<item>/<destination>`, then `mine_output_share_outside_exporters`,
//! `substituted_share` and per exporter and quota `quota_exports_t/<exporter>/<quota>`; then,
//! only with lever metrics on (issue 18), `producer_open/<producer>` for producers with
//! economics and `loss_weeks/<operator>`, then `price_ratio_uncapped/<item>` for items an
//! exporter's undercut rule prices, then `online_share/<producer>` for producers with a plan or
//! a dated start, then `supply_under_licence_share` when some shipment can ever need an
//! exporter's licence. Units are in docs/outputs.md.

use crate::authority::ExportAuthority;
use crate::economics::Accounts;
use crate::ids::ItemId;
use crate::markets::Book;
use crate::params::{ModelParams, Stage};
use crate::prices::Prices;
use crate::producers::Producers;

/// The per-exporter licence variables, in row order: applications waiting for review,
/// applications pending (waiting or under review), approvals and refusals decided in the step.
const LICENCE_VARS: [&str; 4] = [
    "licence_queue",
    "licences_pending",
    "licences_approved",
    "licences_refused",
];

/// Every per-step variable family: name prefix (a bare name has no `/` part), plain words and
/// unit (as in docs/outputs.md). Longer prefixes first, so `exports_t/<item>/<destination>` is
/// told apart from `exports_t/<item>` by its number of parts.
const SERIES: &[(&str, usize, &str, &str)] = &[
    ("price_ratio", 1, "World price, ratio to base:", "ratio"),
    (
        "domestic_price_ratio",
        2,
        "Price inside the exporter, ratio to base:",
        "ratio",
    ),
    (
        "exports_t",
        2,
        "Exports by controlling exporters, item to destination:",
        "t per step",
    ),
    (
        "exports_t",
        1,
        "Exports by controlling exporters:",
        "t per step",
    ),
    ("in_transit_t", 1, "Tonnes at sea:", "t"),
    (
        "unmet_demand_t",
        1,
        "Tonnes behind lost output:",
        "t per step",
    ),
    (
        "halted_share",
        0,
        "Share of importers' plants halted",
        "share",
    ),
    ("stockpile_t", 1, "Strategic stockpile holdings:", "t"),
    (
        "licence_backlog",
        0,
        "Licence applications pending",
        "applications",
    ),
    (
        "licence_queue",
        1,
        "Licence applications waiting for review:",
        "applications",
    ),
    (
        "licences_pending",
        1,
        "Licence applications pending:",
        "applications",
    ),
    (
        "licences_approved",
        1,
        "Licences approved:",
        "applications per step",
    ),
    (
        "licences_refused",
        1,
        "Licences refused:",
        "applications per step",
    ),
    (
        "mine_output_share_outside_exporters",
        0,
        "Share of mine output outside controlling exporters",
        "share",
    ),
    (
        "substituted_share",
        0,
        "Share of demand substituted away",
        "share",
    ),
    (
        "quota_exports_t",
        2,
        "Exports counted against a quota:",
        "t per step",
    ),
    (
        "producer_open",
        1,
        "Producer open (not closed by its operator's losses):",
        "0/1",
    ),
    (
        "loss_weeks",
        1,
        "Operator's loss counter (weeks of net loss):",
        "weeks",
    ),
    (
        "price_ratio_uncapped",
        1,
        "World price without the exporter's undercut cap, ratio to base:",
        "ratio",
    ),
    (
        "online_share",
        1,
        "Share of a dated or planned producer's capacity running:",
        "share",
    ),
    (
        "supply_under_licence_share",
        0,
        "Share of importing regions' receipts that needed an exporter's licence",
        "share",
    ),
];

/// The plain-words label and unit of a per-step variable of a trajectory (`timeseries.csv`), or
/// None for a name that is not one.
#[must_use]
pub fn describe_series(name: &str) -> Option<crate::metrics::Description> {
    SERIES.iter().find_map(|&(prefix, parts, label, unit)| {
        if parts == 0 {
            return (name == prefix).then(|| crate::metrics::Description {
                label: label.to_owned(),
                unit,
                better: None,
            });
        }
        let rest = crate::metrics::member(name, prefix)?;
        (rest.split('/').count() == parts).then(|| crate::metrics::Description {
            label: format!(
                "{label} {}",
                rest.replace('/', if prefix == "exports_t" { " to " } else { ", " })
            ),
            unit,
            better: None,
        })
    })
}

/// Where each group of per-step variables starts in a trajectory row.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    price: usize,
    domestic_price: usize,
    exports: usize,
    in_transit: usize,
    unmet: usize,
    halted: usize,
    stockpile: usize,
    backlog: usize,
    /// Per exporter, four in a row: queue, pending, approved, refused.
    licences: usize,
    /// Items held by some stockpile, in item order (for `stockpile_t/<item>`).
    stockpiled_items: Vec<ItemId>,
    exports_to: usize,
    /// For `exports_t/<item>/<destination>`: indices into `Book::exported_to`, item-major.
    destinations: Vec<usize>,
    /// `mine_output_share_outside_exporters` (then `substituted_share`).
    recovery: usize,
    /// Items some mine produces (for the mine-output share).
    mined_items: Vec<usize>,
    /// Per region: true when it has an export authority.
    exporter_region: Vec<bool>,
    /// `quota_exports_t/<exporter>/<quota>`: (offset in the group, region × item of the
    /// exporter's ledger) for every item of every quota.
    quota_exports: usize,
    /// How many `quota_exports_t` variables there are (the group need not be the last).
    n_quota_exports: usize,
    quota_lines: Vec<(usize, usize)>,
    /// `producer_open/<producer>` then `loss_weeks/<operator>` (lever metrics on only).
    economics: Option<usize>,
    /// Operator of each producer with economics, in producer order.
    economics_operators: Vec<usize>,
    /// How many operators (`loss_weeks/<operator>` variables).
    n_operators: usize,
    /// Weeks per step (for `loss_weeks`).
    step_weeks: f64,
    /// `price_ratio_uncapped/<item>` (lever metrics on only): where the group starts and the
    /// items some undercut rule prices, in rule order.
    uncapped: usize,
    uncapped_items: Vec<usize>,
    /// `online_share/<producer>` (lever metrics on only): where the group starts and the
    /// producers with a plan or a dated start.
    online: usize,
    online_producers: Vec<usize>,
    /// `supply_under_licence_share` (lever metrics on, and some shipment can ever need an
    /// exporter's licence), where it stands.
    licence_share: Option<usize>,
}

/// True when some shipment can need an exporter's licence at some step: an authority controls an
/// item, has an extraterritorial rule or a partner region, at the start or in some event.
fn licences_ever_needed(params: &ModelParams) -> bool {
    let baseline = params.baseline_in_force();
    std::iter::once(&baseline)
        .chain(params.events.iter().map(|e| &e.in_force))
        .flat_map(|f| &f.authorities)
        .any(|a| {
            a.controlled.contains(&true)
                || a.extraterritorial_share.is_some()
                || a.partner.contains(&true)
        })
}

/// Whether a buyer in `region` ever orders `item`: a manufacturer's demand, a producer's input
/// or a stockpile's holding. Only such regions can receive exports of the item.
fn region_uses(params: &ModelParams, region: usize, item: ItemId) -> bool {
    params
        .manufacturers
        .iter()
        .any(|m| m.region.idx() == region && m.demand.iter().any(|d| d.item == item))
        || params
            .producers
            .iter()
            .any(|p| p.region.idx() == region && p.inputs.iter().any(|f| f.item == item))
        || params
            .stockpiles
            .iter()
            .any(|s| s.region.idx() == region && s.lines.iter().any(|l| l.item == item))
}

impl Layout {
    /// The layout and the variable names, in row order.
    pub(crate) fn new(params: &ModelParams) -> (Self, Vec<String>) {
        let ni = params.items.len();
        let mut held = vec![false; ni];
        for s in &params.stockpiles {
            for l in &s.lines {
                held[l.item.idx()] = true;
            }
        }
        let stockpiled_items: Vec<ItemId> =
            (0..ni).filter(|&i| held[i]).map(ItemId::from).collect();

        let mut step_vars = Vec::new();
        let item_names: Vec<&str> = params.items.iter().map(|i| i.name.as_str()).collect();
        let price = step_vars.len();
        step_vars.extend(item_names.iter().map(|n| format!("price_ratio/{n}")));
        let domestic_price = step_vars.len();
        for a in &params.authorities {
            let region = &params.regions[a.region.idx()].name;
            step_vars.extend(
                item_names
                    .iter()
                    .map(|n| format!("domestic_price_ratio/{region}/{n}")),
            );
        }
        let exports = step_vars.len();
        step_vars.extend(item_names.iter().map(|n| format!("exports_t/{n}")));
        let in_transit = step_vars.len();
        step_vars.extend(item_names.iter().map(|n| format!("in_transit_t/{n}")));
        let unmet = step_vars.len();
        step_vars.extend(item_names.iter().map(|n| format!("unmet_demand_t/{n}")));
        let halted = step_vars.len();
        step_vars.push("halted_share".to_owned());
        let stockpile = step_vars.len();
        step_vars.extend(
            stockpiled_items
                .iter()
                .map(|i| format!("stockpile_t/{}", item_names[i.idx()])),
        );
        let backlog = step_vars.len();
        step_vars.push("licence_backlog".to_owned());
        let licences = step_vars.len();
        for a in &params.authorities {
            let region = &params.regions[a.region.idx()].name;
            for var in LICENCE_VARS {
                step_vars.push(format!("{var}/{region}"));
            }
        }
        // Destinations of the controlling exporters' shipments: every region that uses the item
        // and that some exporter other than itself could ship to.
        let nr = params.regions.len();
        let exports_to = step_vars.len();
        let mut destinations = Vec::new();
        for (i, item) in item_names.iter().enumerate() {
            for (r, region) in params.regions.iter().enumerate() {
                let reachable = params.authorities.iter().any(|a| a.region.idx() != r);
                if reachable && region_uses(params, r, ItemId::from(i)) {
                    destinations.push(i * nr + r);
                    step_vars.push(format!("exports_t/{item}/{}", region.name));
                }
            }
        }
        let recovery = step_vars.len();
        step_vars.push("mine_output_share_outside_exporters".to_owned());
        step_vars.push("substituted_share".to_owned());
        let mut mined = vec![false; ni];
        for pr in &params.producers {
            if pr.stage == Stage::Mining {
                for f in &pr.outputs {
                    mined[f.item.idx()] = true;
                }
            }
        }
        let mined_items = (0..ni).filter(|&i| mined[i]).collect();
        let mut exporter_region = vec![false; nr];
        for a in &params.authorities {
            exporter_region[a.region.idx()] = true;
        }
        let quota_exports = step_vars.len();
        let mut quota_lines = Vec::new();
        for a in &params.authorities {
            let region = &params.regions[a.region.idx()].name;
            for q in &a.quotas {
                let at = step_vars.len() - quota_exports;
                step_vars.push(format!("quota_exports_t/{region}/{}", q.name));
                for i in &q.items {
                    quota_lines.push((at, a.region.idx() * ni + i.idx()));
                }
            }
        }
        let n_quota_exports = step_vars.len() - quota_exports;
        let mut economics = None;
        let mut economics_operators = Vec::new();
        if params.lever_metrics {
            economics = Some(step_vars.len());
            for pr in &params.producers {
                if let Some(e) = pr.economics {
                    economics_operators.push(e.operator);
                    step_vars.push(format!("producer_open/{}", pr.name));
                }
            }
            step_vars.extend(
                params
                    .operators
                    .iter()
                    .map(|o| format!("loss_weeks/{}", o.name)),
            );
        }
        let uncapped = step_vars.len();
        let mut uncapped_items: Vec<usize> = Vec::new();
        if params.lever_metrics {
            for u in &params.undercuts {
                if !uncapped_items.contains(&u.item.idx()) {
                    uncapped_items.push(u.item.idx());
                    let item = &params.items[u.item.idx()].name;
                    step_vars.push(format!("price_ratio_uncapped/{item}"));
                }
            }
        }
        let online = step_vars.len();
        let mut online_producers = Vec::new();
        if params.lever_metrics {
            for (k, pr) in params.producers.iter().enumerate() {
                if pr.online.is_some() || pr.plan.is_some() {
                    online_producers.push(k);
                    step_vars.push(format!("online_share/{}", pr.name));
                }
            }
        }
        let mut licence_share = None;
        if params.lever_metrics && licences_ever_needed(params) {
            licence_share = Some(step_vars.len());
            step_vars.push("supply_under_licence_share".to_owned());
        }
        let layout = Self {
            price,
            domestic_price,
            exports,
            in_transit,
            unmet,
            halted,
            stockpile,
            backlog,
            licences,
            stockpiled_items,
            exports_to,
            destinations,
            recovery,
            mined_items,
            exporter_region,
            quota_exports,
            n_quota_exports,
            quota_lines,
            economics,
            economics_operators,
            n_operators: if params.lever_metrics {
                params.operators.len()
            } else {
                0
            },
            step_weeks: params.calendar.step_weeks(),
            uncapped,
            uncapped_items,
            online,
            online_producers,
            licence_share,
        };
        (layout, step_vars)
    }

    /// Writes one step's row. `stockpile_buyers` are the buyer ids of the stockpiles, whose
    /// holdings are summed per item.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per group of outputs, read from the agents that own them"
    )]
    pub(crate) fn write_row(
        &self,
        row: &mut [f64],
        prices: &Prices,
        book: &Book,
        unmet_t: &[f64],
        halted_share: f64,
        stockpile_buyers: std::ops::Range<usize>,
        authorities: &[ExportAuthority],
        substituted_share: f64,
        accounts: &Accounts,
        producers: &Producers,
    ) {
        let ni = prices.world.len();
        row[self.price..self.price + ni].copy_from_slice(&prices.world);
        row[self.domestic_price..self.domestic_price + prices.domestic.len()]
            .copy_from_slice(&prices.domestic);
        row[self.exports..self.exports + ni].copy_from_slice(&book.exported_by_authorities);
        for (i, v) in row[self.in_transit..self.in_transit + ni]
            .iter_mut()
            .enumerate()
        {
            *v = book.pipeline.item_total(i, ni);
        }
        row[self.unmet..self.unmet + ni].copy_from_slice(unmet_t);
        row[self.halted] = halted_share;
        for (j, item) in self.stockpiled_items.iter().enumerate() {
            row[self.stockpile + j] = stockpile_buyers
                .clone()
                .map(|b| book.held[b * ni + item.idx()])
                .sum();
        }
        row[self.backlog] = authorities.iter().map(|a| a.backlog() as f64).sum();
        for (k, a) in authorities.iter().enumerate() {
            let (approved, refused) = a.decisions_this_step();
            let at = self.licences + k * LICENCE_VARS.len();
            row[at..at + LICENCE_VARS.len()].copy_from_slice(&[
                a.queued() as f64,
                a.backlog() as f64,
                f64::from(approved),
                f64::from(refused),
            ]);
        }
        for (j, &at) in self.destinations.iter().enumerate() {
            row[self.exports_to + j] = book.exported_to[at];
        }
        let (mut mined, mut outside) = (0.0, 0.0);
        for &i in &self.mined_items {
            for (r, &exporter) in self.exporter_region.iter().enumerate() {
                let made = book.ledger.produced[r * ni + i];
                mined += made;
                if !exporter {
                    outside += made;
                }
            }
        }
        row[self.recovery] = if mined > 0.0 { outside / mined } else { 0.0 };
        row[self.recovery + 1] = substituted_share;
        let n_quotas = self.n_quota_exports;
        row[self.quota_exports..self.quota_exports + n_quotas].fill(0.0);
        for &(at, slot) in &self.quota_lines {
            if at < n_quotas {
                row[self.quota_exports + at] += book.ledger.exported[slot];
            }
        }
        if let Some(at) = self.economics {
            let n = self.economics_operators.len();
            for (j, &o) in self.economics_operators.iter().enumerate() {
                row[at + j] = if accounts.is_closed(o) { 0.0 } else { 1.0 };
            }
            let losses = &mut row[at + n..at + n + self.n_operators];
            for (o, v) in losses.iter_mut().enumerate() {
                *v = f64::from(accounts.loss_steps(o)) * self.step_weeks;
            }
        }
        for (j, &i) in self.uncapped_items.iter().enumerate() {
            row[self.uncapped + j] = prices.uncapped[i];
        }
        for (j, &k) in self.online_producers.iter().enumerate() {
            row[self.online + j] = producers.running_share(k);
        }
        if let Some(at) = self.licence_share {
            row[at] = if book.receipts_t > 0.0 {
                (book.receipts_licensed_t / book.receipts_t).min(1.0)
            } else {
                0.0
            };
        }
    }
}
