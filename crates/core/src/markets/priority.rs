//! Step 6 (b)'s priority pass of sourcing caps (issue 18, `crate::sourcing`): a capped region
//! buys from free sellers first, ahead of other importers.

use super::{Book, Seller};
use crate::authority::ExportAuthority;
use crate::buyers::Buyers;
use crate::ids::{AuthorityId, ItemId, RegionId};

/// Before the ordinary sales of item `i` in round (b): each capped region (cap in force) is
/// served first by every free seller (a region without an export authority and not a partner
/// under one), subject to the authorities' extraterritorial rules, as in round (b). The tonnes
/// it buys are its priority tonnes (premium paid by `Sourcing::pay`).
pub(super) fn priority_pass(
    book: &mut Book,
    buyers: &Buyers,
    authority_of_region: &[Option<AuthorityId>],
    authorities: &[ExportAuthority],
    (i, counted): (usize, bool),
    t: u32,
) {
    let item = ItemId::from(i);
    let rule_applies = authorities.iter().any(|a| a.covers_reexport(item));
    for e in 0..book.sourcing.n_entries() {
        let Some(region) = book.sourcing.capped_region(e, item) else {
            continue;
        };
        let local = buyers.local_orderers(region.idx(), i);
        for &b in local {
            let to = buyers.get(b).region;
            book.eligible[b.idx()] = authorities.iter().all(|a| {
                !a.covers_reexport(item) || a.region == to || a.is_authorised(b, to, item, t)
            });
        }
        for (s, exporter) in authority_of_region.iter().enumerate() {
            let seller = RegionId::from(s);
            if exporter.is_some()
                || seller == region
                || authorities.iter().any(|a| a.is_partner(seller))
            {
                continue;
            }
            let supply = book.warehouse[book.ledger.at(seller, item)];
            if supply <= 0.0 {
                continue;
            }
            let moved = book.allocate(buyers, Seller::Warehouse(seller), i, supply, local);
            book.sourcing.add_priority(e, moved);
            book.count_receipts(authority_of_region, counted, rule_applies);
        }
    }
}
