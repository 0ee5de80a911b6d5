//! `[[route]]` over `[defaults.trade]`: transit times by route, merged by (from, to).

mod common;

use chokepoint_core::RegionId;
use chokepoint_scenario::Scenario;
use common::load;

fn transit(s: &Scenario, from: &str, to: &str) -> u32 {
    let p = s.central();
    let id = |n: &str| -> RegionId { p.region_id(n).unwrap() };
    p.trade.transit(p.regions.len(), id(from), id(to))
}

#[test]
fn routes_set_their_own_transit_and_the_default_fills_the_rest() {
    let s = load("").unwrap();
    assert_eq!(transit(&s, "china", "japan"), 1);
    assert_eq!(transit(&s, "china", "eu"), 6);
    assert_eq!(transit(&s, "japan", "china"), 4, "the default");
    for r in ["china", "us", "eu"] {
        assert_eq!(transit(&s, r, r), 0, "domestic sales arrive at once");
    }
}

#[test]
fn a_child_route_changes_its_parents_entry_in_place() {
    let s = load("[[route]]\nfrom = \"china\"\nto = \"japan\"\ntransit_weeks = 2\n").unwrap();
    assert_eq!(transit(&s, "china", "japan"), 2);
    assert_eq!(transit(&s, "china", "eu"), 6);
    let s = load("[defaults.trade]\ntransit_weeks = 0\n").unwrap();
    assert_eq!(transit(&s, "japan", "china"), 0);
    assert_eq!(transit(&s, "china", "eu"), 6, "routes keep their own");
}

#[test]
fn a_route_to_itself_or_beyond_the_horizon_is_refused() {
    let e = load("[[route]]\nfrom = \"japan\"\nto = \"japan\"\ntransit_weeks = 1\n").unwrap_err();
    assert!(e.contains("to itself"), "{e}");
    let e = load("[[route]]\nfrom = \"japan\"\nto = \"us\"\ntransit_weeks = 900\n").unwrap_err();
    assert!(e.contains("longer than the horizon"), "{e}");
}
