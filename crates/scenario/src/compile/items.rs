//! `[[item]]` with its `price` over `[defaults.price]`, and `[[sector]]`.

use chokepoint_core as core;

use super::{Build, DAYS_PER_WEEK, Slot};
use crate::diagnostics::did_you_mean;

impl Build<'_> {
    pub(super) fn build_items(&mut self) -> Vec<core::ItemParams> {
        let f = self.file;
        let d = &f.defaults.price;
        let mut out = Vec::new();
        let mut own_elasticity = Vec::new();
        for (k, it) in f.item.iter().enumerate() {
            let key = format!("item.{k}");
            let kind = match it.kind.as_str() {
                "material" => core::ItemKind::Material,
                "intermediate" => core::ItemKind::Intermediate,
                "product" => core::ItemKind::Product,
                other => {
                    self.problem(
                        format!("{key}.kind"),
                        format!(
                            "unknown item kind `{other}`{}",
                            did_you_mean(other, &["material", "intermediate", "product"])
                        ),
                        "use `material`, `intermediate` or `product`",
                    );
                    core::ItemKind::Material
                }
            };
            let mut bom = Vec::new();
            for (m, n) in &it.bom {
                let bkey = format!("{key}.bom.{m}");
                let material = self.item(&bkey, m);
                let kg_per_t = self.num(&bkey, n);
                if kg_per_t > 1000.0 {
                    self.problem(
                        &bkey,
                        format!("{kg_per_t} kg per tonne is more than the tonne itself"),
                        "bills of materials are kg per tonne of product: use a value <= 1000",
                    );
                }
                bom.push(core::BomLine { material, kg_per_t });
            }
            let p = &it.price;
            let own = format!("{key}.price");
            let fallback = Some("defaults.price");
            let reversion = self.knob(
                &own,
                fallback,
                "reversion_per_week",
                (p.reversion_per_week.as_ref(), d.reversion_per_week.as_ref()),
            );
            let per_step = self.step_days / DAYS_PER_WEEK;
            let price = core::PriceParams {
                elasticity: self.knob(
                    &own,
                    fallback,
                    "elasticity",
                    (p.elasticity.as_ref(), d.elasticity.as_ref()),
                ) * per_step,
                reversion_per_step: 1.0 - (1.0 - reversion).powf(per_step),
                min_ratio: self.knob(
                    &own,
                    fallback,
                    "min_ratio",
                    (p.min_ratio.as_ref(), d.min_ratio.as_ref()),
                ),
                max_ratio: self.knob(
                    &own,
                    fallback,
                    "max_ratio",
                    (p.max_ratio.as_ref(), d.max_ratio.as_ref()),
                ),
            };
            if price.min_ratio > 1.0 {
                self.problem(
                    format!("{key}.price.min_ratio"),
                    "the lowest price ratio must be <= 1 (the baseline)",
                    "use a value in (0, 1]",
                );
            }
            own_elasticity.push(p.elasticity.is_some());
            out.push(core::ItemParams {
                name: it.name.clone(),
                kind,
                base_price_usd_per_kg: self.pick(
                    &Slot::new(
                        format!("{key}.base_price_usd_per_kg"),
                        it.base_price_usd_per_kg.as_ref(),
                    ),
                    None,
                ),
                bom,
                price,
            });
        }
        scale_product_elasticities(&mut out, &own_elasticity);
        out
    }

    pub(super) fn build_sectors(&mut self) -> Vec<core::SectorParams> {
        let f = self.file;
        f.sector
            .iter()
            .enumerate()
            .map(|(k, s)| core::SectorParams {
                name: s.name.clone(),
                value_added_usd_per_kg: self.pick(
                    &Slot::new(
                        format!("sector.{k}.value_added_usd_per_kg"),
                        s.value_added_usd_per_kg.as_ref(),
                    ),
                    None,
                ),
                deferral_steps: match &s.deferral_weeks {
                    Some(n) => {
                        let w = self.num(&format!("sector.{k}.deferral_weeks"), n);
                        self.steps(w)
                    }
                    None => 0,
                },
            })
            .collect()
    }
}

/// A product (a magnet) without its own `price.elasticity` answers scarcity with the default
/// elasticity × the rare-earth share of its cost at base prices (its bill of materials at the
/// materials' base prices over its own base price, at most 1). The default is calibrated on
/// oxide prices (2010–2015); a magnet's price is its makers' cost plus margin, of which the rare
/// earths are only a part, and no magnet price series of that period was there to fit it on
/// (docs/model.md, "Prices").
fn scale_product_elasticities(items: &mut [core::ItemParams], own_elasticity: &[bool]) {
    let base: Vec<f64> = items.iter().map(|i| i.base_price_usd_per_kg).collect();
    for (item, own) in items.iter_mut().zip(own_elasticity) {
        if item.kind != core::ItemKind::Product || *own || item.bom.is_empty() {
            continue;
        }
        let content_usd_per_kg: f64 = item
            .bom
            .iter()
            .map(|l| l.kg_per_t / core::units::KG_PER_T * base[l.material.idx()])
            .sum();
        let share = (content_usd_per_kg / item.base_price_usd_per_kg).min(1.0);
        if share.is_finite() {
            item.price.elasticity *= share;
        }
    }
}
