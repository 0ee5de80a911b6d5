//! Floors' offtake (issue 18, docs/model.md §6 (a0)): at the start of trade, each floor in force
//! with an offtake moves its share of the producer's last output of the floored item from the
//! region's warehouse into its stockpile (no trade booked: stock stays in the region), paid at
//! this step's price in the region into `stockpile_cost_usd`. No random draws, no allocation.

use crate::buyers::Buyers;
use crate::markets::Book;
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::Prices;
use crate::producers::Producers;
use crate::units::KG_PER_T;

/// Step 6 (a0), reported step `t`: every floor in force with an offtake takes
/// `share` × what its producer made of the item in the last production step (its activity ×
/// yield), at most what the region's warehouse holds, into its stockpile, and pays for it.
pub(crate) fn take(
    params: &ModelParams,
    buyers: &Buyers,
    producers: &Producers,
    prices: &Prices,
    book: &mut Book,
    t: u32,
    tally: &mut Tally,
) {
    for f in &params.floors {
        let Some(o) = f.offtake else { continue };
        if t < f.from_step || t >= f.until_step {
            continue;
        }
        let pr = &params.producers[f.producer];
        let made: f64 = pr
            .outputs
            .iter()
            .filter(|out| out.item == f.item)
            .map(|out| producers.activity(f.producer) * out.t_per_unit)
            .sum();
        let at = book.ledger.at(pr.region, f.item);
        let tonnes = (o.share * made).min(book.warehouse[at]).max(0.0);
        if tonnes <= 0.0 {
            continue;
        }
        book.warehouse[at] -= tonnes;
        let slot = book.slot(buyers.stockpile(o.stockpile), f.item);
        book.held[slot] += tonnes;
        tally.stockpile_cost_usd += tonnes
            * KG_PER_T
            * prices.ratio_in(pr.region, f.item)
            * params.items[f.item.idx()].base_price_usd_per_kg;
    }
}
