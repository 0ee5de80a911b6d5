//! [`Model`]: validated parameters plus the structure derived from them once (buyers, the
//! output layout), immutable and shared by every replication.

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
        let item_names: Vec<&str> = params.items.iter().map(|i| i.name.as_str()).collect();
        let metrics = metrics::names(&item_names);
        Ok(Self {
            schema: OutputSchema { step_vars, metrics },
            buyers,
            authority_of_region,
            series,
            params,
        })
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
