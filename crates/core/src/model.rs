//! [`Model`]: validated parameters plus the structure derived from them once (buyers, the
//! output layout), immutable while replications run on it; [`Model::refill`] makes it another
//! replication's model of the same scenario in place.

use crate::buyers::Buyers;
use crate::error::{ParamError, ParamErrors};
use crate::ids::{AuthorityId, BuyerId, ManufacturerId};
use crate::metrics;
use crate::outputs::{OutputSchema, Trajectory};
use crate::params::ModelParams;
use crate::series;
use crate::targets::{self, CompiledTarget, TargetError};

/// A validated, immutable model: parameters plus the structure derived from them once.
/// It is `Send + Sync`; each replication gets its own [`crate::Simulation`].
#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) params: ModelParams,
    schema: OutputSchema,
    pub(crate) buyers: Buyers,
    /// Authority index of each region, if it controls exports.
    pub(crate) authority_of_region: Vec<Option<AuthorityId>>,
    pub(crate) series: series::Layout,
    /// The targets, resolved against the output layout (in `params.targets` order).
    pub(crate) targets: Vec<CompiledTarget>,
}

impl Model {
    /// Validates the parameters and derives the output schema and lookup tables; every target
    /// must resolve against the outputs ([`Model::check_targets`]).
    pub fn new(params: ModelParams) -> Result<Self, ParamErrors> {
        params.validate()?;
        let buyers = Buyers::new(&params);
        let mut authority_of_region = vec![None; params.regions.len()];
        for (k, a) in params.authorities.iter().enumerate() {
            authority_of_region[a.region.idx()].get_or_insert(AuthorityId::from(k));
        }
        let (series, step_vars) = series::Layout::new(&params);
        let targets = compile_targets(&params, &step_vars).map_err(|errors| {
            ParamErrors(
                errors
                    .into_iter()
                    .map(|(index, error)| ParamError::Target {
                        index,
                        name: params.targets[index].name.clone(),
                        error,
                    })
                    .collect(),
            )
        })?;
        let mut metrics = metrics::names(&params);
        metrics.extend(params.targets.iter().map(targets::TargetInfo::metric));
        Ok(Self {
            schema: OutputSchema {
                step_vars,
                metrics,
                targets: params.targets.clone(),
            },
            buyers,
            authority_of_region,
            series,
            targets,
            params,
        })
    }

    /// The names of the per-step variables a model of `params` records, in row order (what a
    /// target's `series` is matched against). `params` must be valid
    /// ([`ModelParams::validate`]).
    #[must_use]
    pub fn step_var_names(params: &ModelParams) -> Vec<String> {
        series::Layout::new(params).1
    }

    /// Every target of `params` that cannot be read off the outputs, with its index. `params`
    /// must be valid ([`ModelParams::validate`]).
    #[must_use]
    pub fn check_targets(params: &ModelParams) -> Vec<(usize, TargetError)> {
        compile_targets(params, &Self::step_var_names(params))
            .err()
            .unwrap_or_default()
    }

    /// Makes this the model of another replication of the same scenario, in place: `fill`
    /// rewrites numbers and policy events of the parameters but never their structure (the
    /// items, regions, sectors and agents, where each stands and what each buys or holds), so
    /// the tables derived from the structure stay as they are (checked in debug builds). The
    /// parameters are then validated again: the model's last line of defence. On error the
    /// model holds the refused parameters; refill it again before running it.
    ///
    /// # Panics
    /// In debug builds only, if `fill` changed the structure of the parameters (a bug in the
    /// caller, not a property of any scenario).
    pub fn refill(&mut self, fill: impl FnOnce(&mut ModelParams)) -> Result<(), ParamErrors> {
        #[cfg(debug_assertions)]
        let before = structure(&self.params);
        fill(&mut self.params);
        #[cfg(debug_assertions)]
        assert!(
            structure(&self.params) == before,
            "Model::refill changed the structure of the parameters"
        );
        self.params.validate()
    }

    /// The parameters the model was built from.
    #[must_use]
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// Names of the outputs, in the order [`Trajectory`] and [`crate::Outcome`] use.
    #[must_use]
    pub fn schema(&self) -> &OutputSchema {
        &self.schema
    }

    /// The buyer id of a manufacturer (for [`crate::Simulation::licence_state`]). Buyers are
    /// numbered manufacturers first, then producers, then stockpiles.
    #[must_use]
    pub fn manufacturer_buyer(&self, m: ManufacturerId) -> BuyerId {
        self.buyers.manufacturer(m.idx())
    }

    /// A zeroed trajectory of the right shape for this model.
    pub(crate) fn new_trajectory(&self) -> Trajectory {
        Trajectory::new(
            self.params.calendar.n_steps as usize,
            self.schema.step_vars.len(),
        )
    }
}

/// The targets of `params` resolved against the per-step variables `step_vars`.
fn compile_targets(
    params: &ModelParams,
    step_vars: &[String],
) -> Result<Vec<CompiledTarget>, Vec<(usize, TargetError)>> {
    let item_of = |name: &str| params.items.iter().position(|i| i.name == name);
    targets::compile_all(&params.targets, step_vars, &params.calendar, &item_of)
}

/// What [`Model::new`] derives its tables from, as one list of numbers (debug builds compare it
/// before and after [`Model::refill`]).
#[cfg(debug_assertions)]
fn structure(p: &ModelParams) -> Vec<usize> {
    let mut s = vec![
        p.items.len(),
        p.regions.len(),
        p.sectors.len(),
        p.producers.len(),
        p.manufacturers.len(),
        p.stockpiles.len(),
        p.authorities.len(),
    ];
    for m in &p.manufacturers {
        s.extend([usize::MAX, m.region.idx(), m.sector.idx()]);
        s.extend(m.demand.iter().map(|d| d.item.idx()));
    }
    for q in &p.producers {
        s.extend([usize::MAX, q.region.idx(), q.end_use.idx()]);
        s.extend(q.inputs.iter().map(|f| f.item.idx()));
    }
    for k in &p.stockpiles {
        s.extend([usize::MAX, k.region.idx(), k.end_use.idx()]);
        s.extend(k.lines.iter().map(|l| l.item.idx()));
    }
    s.extend(p.authorities.iter().map(|a| a.region.idx()));
    s.push(p.targets.len());
    s.push(usize::from(p.lever_metrics));
    s.push(p.operators.len());
    s.push(p.floors.len());
    s.push(p.grants.len());
    s.push(p.producers.iter().filter(|pr| pr.plan.is_some()).count());
    s.push(p.undercuts.len());
    s.push(p.recyclers.len());
    s.push(usize::from(p.recycling_metrics));
    s.push(p.sourcing_caps.len());
    s.push(usize::from(p.sourcing_metrics));
    s.extend(p.undercuts.iter().map(|u| u.item.idx()));
    s.extend(
        p.producers
            .iter()
            .map(|q| q.economics.map_or(usize::MAX, |e| e.operator)),
    );
    s
}
