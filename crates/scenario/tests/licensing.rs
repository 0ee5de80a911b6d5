//! The licence, quota and announcement keys as the model receives them: terms by destination,
//! general licences, quota batches, announcements before a control takes effect.

mod common;

use chokepoint_core::QuotaBatch;
use chokepoint_scenario::Scenario;
use common::{changes, load, scenario};

fn premium_of_dy(s: &Scenario) -> Vec<(u32, f64)> {
    let dy = s.central().item_id("dy").unwrap();
    changes(s, |x| x.authorities[0].announcement_premium[dy.idx()])
}

const CONTROL: &str = "[[shock]]\nname = \"c\"\ntype = \"list_expansion\"\ndate = 2025-03-03\nitems = [\"dy\"]\nannouncement_log_premium = 0.4\n";

#[test]
fn an_announcement_is_in_force_from_its_date_until_the_control_starts() {
    // 3 Feb 2025 is step 4, 3 Mar 2025 step 8.
    for when in ["announced = 2025-02-03", "announced_weeks_before = 4"] {
        let s = scenario(&format!("{CONTROL}{when}\n"));
        assert_eq!(premium_of_dy(&s), vec![(4, 0.4), (8, 0.0)], "{when}");
        let timeline = s.timeline();
        assert!(
            timeline
                .iter()
                .any(|e| e.step == 4 && e.what.starts_with("announced")),
            "{timeline:?}"
        );
    }
}

#[test]
fn a_lift_before_the_control_starts_withdraws_the_announcement() {
    let s = scenario(&format!(
        "{CONTROL}announced = 2025-02-03\n\
         [[shock]]\ntype = \"lift\"\ntarget = \"c\"\ndate = 2025-02-17\n"
    ));
    assert_eq!(premium_of_dy(&s), vec![(4, 0.4), (6, 0.0)]);
    let dy = s.central().item_id("dy").unwrap();
    assert!(changes(&s, |x| x.authorities[0].is_controlled(dy)).is_empty());
}

#[test]
fn an_announcement_after_the_effective_date_is_refused() {
    let err = load(&format!("{CONTROL}announced = 2025-04-07\n")).unwrap_err();
    assert!(err.contains("shock.0.announced"), "{err}");
}

#[test]
fn a_general_licence_shock_covers_its_destinations_and_items_from_its_date() {
    let s = scenario(
        "[[shock]]\ntype = \"general_licence\"\ndate = 2025-03-03\ndestinations = [\"eu\", \"japan\"]\nitems = [\"dy\", \"tb\"]\n",
    );
    let p = s.central();
    let (eu, japan, us) = (
        p.region_id("eu").unwrap(),
        p.region_id("japan").unwrap(),
        p.region_id("us").unwrap(),
    );
    let (dy, tb) = (p.item_id("dy").unwrap(), p.item_id("tb").unwrap());
    let covered = changes(&s, |x| {
        let a = &x.authorities[0];
        [
            a.has_general_licence(eu, dy),
            a.has_general_licence(japan, tb),
            a.has_general_licence(us, dy),
        ]
    });
    assert_eq!(covered, vec![(8, [true, true, false])]);
}

#[test]
fn quota_batches_come_from_the_exporter_and_a_quota_shock_replaces_them() {
    let s = scenario(
        "[[exporter]]\nregion = \"china\"\n\
         [[exporter.quota]]\nname = \"rare_earths\"\ncarry_over = true\n\
         batches = [{ day_of_year = 1, share = 0.5 }, { day_of_year = 182, share = 0.5 }]\n\
         [[shock]]\ntype = \"quota\"\nquota = \"rare_earths\"\nannual_t = 3000\ndate = 2025-03-03\n\
         batches = [{ day_of_year = 1, share = 0.7 }, { day_of_year = 195, share = 0.3 }]\n",
    );
    let p = s.central();
    let q = &p.authorities[0].quotas[0];
    assert!(q.carry_over);
    let b = |day_of_year, share| QuotaBatch { day_of_year, share };
    assert_eq!(q.batches, vec![b(1, 0.5), b(182, 0.5)]);
    assert_eq!(
        changes(&s, |x| x.authorities[0].quota_batches[0].clone()),
        vec![(8, vec![b(1, 0.7), b(195, 0.3)])]
    );
}

#[test]
fn licence_terms_by_destination_take_the_most_specific_entry_then_the_default_term() {
    let s = scenario(
        "[[exporter]]\nregion = \"china\"\n\
         [exporter.licence]\nvalidity_weeks = 26\nrenewal_margin_weeks = 2\nquantity_cover_factor = 1.25\n\
         validity_weeks_by = { us = 13, defence = 4, eu = { default = 52, defence = 8 } }\n",
    );
    let p = s.central();
    let ns = p.sectors.len();
    let r = &p.authorities[0].regime;
    let term = |region: &str, sector: &str| {
        r.validity_steps
            [p.region_id(region).unwrap().idx() * ns + p.sector_id(sector).unwrap().idx()]
    };
    assert_eq!(term("us", "defence"), 13, "a region beats a sector");
    assert_eq!(term("eu", "defence"), 8);
    assert_eq!(term("eu", "wind"), 52);
    assert_eq!(term("japan", "defence"), 4);
    assert_eq!(term("japan", "wind"), 26, "the default term");
    assert!((r.renewal_margin_steps - 2.0).abs() < 1e-12);
    assert_eq!(r.quantity_cover_factor, Some(1.25));
}
