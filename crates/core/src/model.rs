//! [`Model`]: validated parameters plus the structure derived from them once (buyers, the
//! output layout), immutable while replications run on it; [`Model::refill`] makes it another
//! replication's model of the same scenario in place.

use crate::buyers::Buyers;
use crate::error::ParamErrors;
use crate::ids::{AuthorityId, BuyerId, ManufacturerId};
use crate::metrics;
use crate::outputs::{OutputSchema, Trajectory};
use crate::params::ModelParams;
use crate::series;

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
}

impl Model {
    /// Validates the parameters and derives the output schema and lookup tables.
    pub fn new(params: ModelParams) -> Result<Self, ParamErrors> {
        params.validate()?;
        let buyers = Buyers::new(&params);
        let mut authority_of_region = vec![None; params.regions.len()];
        for (k, a) in params.authorities.iter().enumerate() {
            authority_of_region[a.region.idx()].get_or_insert(AuthorityId::from(k));
        }
        let (series, step_vars) = series::Layout::new(&params);
        let metrics = metrics::names(&params);
        Ok(Self {
            schema: OutputSchema { step_vars, metrics },
            buyers,
            authority_of_region,
            series,
            params,
        })
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
    s
}
