//! Typed indices into the flat tables of [`crate::ModelParams`].
//!
//! Every agent and item lives in a `Vec` and is named by its position; the newtypes stop an item
//! index from being used as a region index by accident.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The position of this id in its table.
            #[inline]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }

        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                Self(u32::try_from(i).expect("table larger than u32::MAX entries"))
            }
        }
    };
}

id_type!(
    /// An item: a raw material, an intermediate (ore concentrate) or a product (a magnet family).
    ItemId
);
id_type!(
    /// A region: an exporter (with an export authority) or an importer.
    RegionId
);
id_type!(
    /// An end-use sector (EV motors, wind, electronics, industrial, defence, ...).
    SectorId
);
id_type!(
    /// A producer: a mine, a separation plant or a magnet maker.
    ProducerId
);
id_type!(
    /// A manufacturer: one region × sector consumer of magnets and materials.
    ManufacturerId
);
id_type!(
    /// A strategic stockpile held by an importing government.
    StockpileId
);
id_type!(
    /// An export authority (one per controlling exporter region).
    AuthorityId
);
id_type!(
    /// A buyer of items, numbered over every kind: manufacturers first, then producers (buying
    /// inputs), then stockpiles (see `Model::manufacturer_buyer`). Licences, orders and
    /// inventories are held per buyer.
    BuyerId
);
