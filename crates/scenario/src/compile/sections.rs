//! The sections of [`core::ModelParams`] the compiler writes, what each is computed from, and
//! [`Build::rebuild`]: the one place their order is written, used both to build everything
//! (central values) and, per replication, to redo only the sections an uncertain number reaches.

use chokepoint_core as core;

use super::Build;

/// A set of sections of the parameters (a bit set).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sections(u16);

impl Sections {
    /// None.
    pub(crate) const NONE: Self = Self(0);
    /// `items` (`[[item]]`, `[defaults.price]`).
    pub(crate) const ITEMS: Self = Self(1);
    /// `sectors`.
    pub(crate) const SECTORS: Self = Self(1 << 1);
    /// `producers` and `warehouses` (`[[producer]]`, `[defaults.producer]`).
    pub(crate) const PRODUCERS: Self = Self(1 << 2);
    /// `manufacturers` (`[[demand]]`, `[defaults.manufacturer]`).
    pub(crate) const MANUFACTURERS: Self = Self(1 << 3);
    /// `stockpiles`.
    pub(crate) const STOCKPILES: Self = Self(1 << 4);
    /// `authorities` (`[[exporter]]`).
    pub(crate) const AUTHORITIES: Self = Self(1 << 5);
    /// `events` (`[[shock]]`).
    pub(crate) const EVENTS: Self = Self(1 << 6);
    /// `trade` (`[[route]]`, `[defaults.trade]`).
    pub(crate) const TRADE: Self = Self(1 << 7);
    /// The importers' levers (`[[floor]]` so far; issue 18): built after `producers` and
    /// `stockpiles`, whose names they resolve.
    pub(crate) const LEVERS: Self = Self(1 << 8);
    /// Every section.
    pub(crate) const ALL: Self = Self(u16::MAX);

    /// True when every section of `other` is in `self`.
    pub(crate) fn has(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The sections of both.
    pub(crate) fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The section a number at scenario key `key` is written into. A key of no known table
    /// reaches everything, so that an unforeseen key costs time, never exactness.
    pub(crate) fn of_key(key: &str) -> Self {
        let mut parts = key.split('.');
        match (parts.next(), parts.next()) {
            (Some("item"), _) | (Some("defaults"), Some("price")) => Self::ITEMS,
            (Some("sector"), _) => Self::SECTORS,
            (Some("producer"), _) | (Some("defaults"), Some("producer")) => Self::PRODUCERS,
            (Some("demand"), _) | (Some("defaults"), Some("manufacturer")) => Self::MANUFACTURERS,
            (Some("stockpile"), _) => Self::STOCKPILES,
            (Some("exporter"), _) => Self::AUTHORITIES,
            (Some("shock"), _) => Self::EVENTS,
            (Some("route"), _) | (Some("defaults"), Some("trade")) => Self::TRADE,
            (Some("floor" | "undercut" | "grant" | "recycling" | "sourcing_cap"), _) => {
                Self::LEVERS
            }
            _ => Self::ALL,
        }
    }

    /// These sections and every section computed from them: producers read items (a magnet
    /// maker's inputs are its product's bill of materials; a separation plant's outputs are
    /// ordered by value), stockpiles sized in weeks read manufacturers' demand and producers'
    /// inputs, and the events read the parameters they act on, so they are redone whenever
    /// anything is sampled (the events code may read any section).
    pub(crate) fn closed(self) -> Self {
        let mut s = self;
        if s.has(Self::ITEMS) {
            s = s.with(Self::PRODUCERS);
        }
        if s.has(Self::PRODUCERS) || s.has(Self::MANUFACTURERS) {
            s = s.with(Self::STOCKPILES);
        }
        if s != Self::NONE {
            s = s.with(Self::EVENTS);
        }
        s
    }
}

impl Build<'_> {
    /// Builds the sections `which` into `params`, reading every other section from it: with
    /// [`Sections::ALL`] the whole parameter set (calendar and regions given), with fewer the
    /// part of a replication that its uncertain numbers reach.
    pub(crate) fn rebuild(&mut self, which: Sections, params: &mut core::ModelParams) {
        if which.has(Sections::ITEMS) {
            params.items = self.build_items();
        }
        if which.has(Sections::SECTORS) {
            params.sectors = self.build_sectors();
        }
        if which.has(Sections::PRODUCERS) {
            let (producers, warehouses) = self.build_producers(&params.items);
            params.producers = producers;
            params.warehouses = warehouses;
            params.operators = self.build_operators();
        }
        if which.has(Sections::MANUFACTURERS) {
            params.manufacturers = self.build_manufacturers();
        }
        if which.has(Sections::STOCKPILES) {
            params.stockpiles = self.build_stockpiles(&params.manufacturers, &params.producers);
        }
        if which.has(Sections::AUTHORITIES) {
            params.authorities = self.build_authorities();
        }
        if which.has(Sections::TRADE) {
            params.trade = self.build_trade(params.calendar.n_steps);
        }
        if which.has(Sections::LEVERS) {
            params.floors = self.build_floors(params);
            params.undercuts = self.build_undercuts(params);
            params.grants = self.build_grants(params);
            params.recyclers = self.build_recyclers(params);
            params.sourcing_caps = self.build_sourcing_caps(params);
        }
        if which.has(Sections::EVENTS) {
            // Events are computed from parameters without events, as when building everything.
            params.events.clear();
            params.events = self.build_events(params);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_reach_their_section_and_what_is_computed_from_it() {
        let reach = |k: &str| Sections::of_key(k).closed();
        assert_eq!(
            reach("sector.0.lost_output_usd_per_kg"),
            Sections(0b100_0010)
        );
        assert_eq!(
            reach("defaults.price.elasticity"),
            Sections::ITEMS
                .with(Sections::PRODUCERS)
                .with(Sections::STOCKPILES)
                .with(Sections::EVENTS)
        );
        assert_eq!(
            reach("demand.3.t_per_year.ndfeb"),
            Sections::MANUFACTURERS
                .with(Sections::STOCKPILES)
                .with(Sections::EVENTS)
        );
        assert_eq!(
            reach("exporter.0.licence.lead_time_weeks.median"),
            Sections::AUTHORITIES.with(Sections::EVENTS)
        );
        assert_eq!(reach("shock.2.duration_weeks"), Sections::EVENTS);
        assert_eq!(
            reach("route.1.transit_weeks"),
            Sections::TRADE.with(Sections::EVENTS)
        );
        assert_eq!(reach("somewhere.new"), Sections::ALL);
        assert_eq!(Sections::NONE.closed(), Sections::NONE);
    }
}
