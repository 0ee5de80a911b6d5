//! The step loop allocates nothing once the simulation is set up.
#![allow(
    unsafe_code,
    reason = "a counting global allocator needs unsafe impl GlobalAlloc"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use chokepoint_core::{Model, RngStreams, Simulation, testkit};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Counts every allocation made by this test binary.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn stepping_does_not_allocate() {
    // Every mechanism at work: licences (with quantities), quotas in batches, general licences,
    // announcements, outages, surges, stockpile releases, expansion, cargo in transit, a dated
    // start with a ramp, and precautionary stock-building.
    let mut params = testkit::two_region_market();
    testkit::ship_in(&mut params, 3);
    params.producers[0].outage.prob_per_step = 0.2;
    // Japan's magnet maker comes on stream at step 12 and ramps up over 8 steps.
    params.producers[3].online = Some(chokepoint_core::Online {
        step: 12,
        ramp_steps: 8.0,
    });
    // Producer economics (issue 18): the mine runs at a loss, closes after 5 steps, restarts.
    params.lever_metrics = true;
    params.producers[0].economics = Some(chokepoint_core::Economics {
        cash_cost_usd_per_kg: 1e6,
        fixed_cost_usd_per_step: 1.0,
        operator: 0,
    });
    params.operators = vec![chokepoint_core::OperatorParams {
        name: "miner".into(),
        close_after_loss_steps: Some(5),
        restart: Some(chokepoint_core::Restart {
            price_ratio: 1e-9,
            sustain_steps: 2,
            offline_steps: 3,
        }),
    }];
    // The exporter undercuts Japan's magnet maker (issue 18) from step 8 to step 40.
    params.producers[3].economics = Some(chokepoint_core::Economics {
        cash_cost_usd_per_kg: 20.0,
        fixed_cost_usd_per_step: 1.0,
        operator: 1,
    });
    params.operators.push(chokepoint_core::OperatorParams {
        name: "jp_magnet_co".into(),
        close_after_loss_steps: Some(30),
        restart: None,
    });
    // China's magnet maker is planned capacity (issue 18), financed at step 2 (no capex) with a
    // loan, building 4 steps and ramping 4; it runs at a loss and closes (the loan written off).
    params.producers[2].economics = Some(chokepoint_core::Economics {
        cash_cost_usd_per_kg: 1e6,
        fixed_cost_usd_per_step: 1.0,
        operator: 2,
    });
    params.operators.push(chokepoint_core::OperatorParams {
        name: "cn_magnet_co".into(),
        close_after_loss_steps: Some(3),
        restart: None,
    });
    params.producers[2].plan = Some(chokepoint_core::Plan {
        decision_step: 2,
        build_steps: 4,
        ramp_steps: 4.0,
        capex_usd: 0.0,
        capital_charge_share_per_step: 0.003,
        financing_window_steps: 4.0,
        abandon_after_steps: None,
    });
    params.grants = vec![chokepoint_core::Grant {
        name: "loan".into(),
        producer: 2,
        amount_usd: 1e6,
        from_step: 0,
        lead_time_cut_steps: 1,
        loan: Some(chokepoint_core::Loan {
            grant_element_share: 0.3,
            term_steps: 10,
        }),
    }];
    params.undercuts = vec![chokepoint_core::Undercut {
        name: "war".into(),
        exporter: chokepoint_core::RegionId(0),
        item: chokepoint_core::ItemId(3),
        competitors: vec![3],
        cost_share: 0.9,
        from_step: 8,
        until_step: 40,
        until_competitors_closed: true,
    }];
    // Japan recycles NdFeB scrap from step 6 at a loss within a budget (issue 18), and its
    // stockpile is a joint one serving China too.
    params.recycling_metrics = true;
    params.recyclers = vec![chokepoint_core::Recycler {
        name: "jp_recycling".into(),
        region: chokepoint_core::RegionId(1),
        scrap_item: chokepoint_core::ItemId(3),
        eol_t_per_step: 50.0,
        collection_share: 0.5,
        recovery_share: 0.9,
        start_step: 6,
        ramp_steps: 4.0,
        cash_cost_usd_per_kg: 100.0,
        budget_usd: Some(1e6),
    }];
    params.stockpiles[0].members = vec![chokepoint_core::RegionId(1), chokepoint_core::RegionId(0)];
    // A floor under Japan's magnet maker buying half its output into that stockpile.
    params.floors = vec![chokepoint_core::Floor {
        name: "jp_floor".into(),
        producer: 3,
        item: chokepoint_core::ItemId(3),
        floor_usd_per_kg: 60.0,
        from_step: 4,
        until_step: 40,
        max_t_per_year: None,
        budget_usd: None,
        offtake: Some(chokepoint_core::Offtake {
            share: 0.5,
            stockpile: 0,
        }),
    }];
    // Japan caps its NdPr and Dy from any one exporter (issue 18) from step 5.
    params.sourcing_caps = vec![chokepoint_core::SourcingCap {
        name: "diversify".into(),
        region: chokepoint_core::RegionId(1),
        items: vec![chokepoint_core::ItemId(1), chokepoint_core::ItemId(2)],
        max_share: 0.4,
        premium_share: 0.15,
        from_step: 5,
        until_step: 60,
    }];
    params.sourcing_metrics = true;
    for m in &mut params.manufacturers {
        m.stock_building = chokepoint_core::StockBuildingParams {
            response: 1.0,
            window_steps: 4.0,
            max_cover_multiple: 2.0,
        };
    }
    params.authorities[0].quotas[0].annual_t = Some(1000.0);
    params.authorities[0].regime.quantity_cover_factor = Some(1.2);
    let batch = |day_of_year, share| chokepoint_core::QuotaBatch { day_of_year, share };
    params.authorities[0].quotas[0].batches = vec![batch(1, 0.5)];
    params.authorities[0].quotas[0].carry_over = true;
    // A later state with more batches, a general licence and an announcement: switching to it
    // must not allocate either.
    chokepoint_core::testkit::impose(&mut params, 20, |s| {
        let a = &mut s.authorities[0];
        a.quota_batches[0] = vec![batch(1, 0.4), batch(150, 0.3), batch(250, 0.3)];
        let ni = a.controlled.len();
        a.general_licence[ni + 1] = true;
        a.announcement_premium[3] = 0.2;
    });
    // A technology control (issue 18) slows the planned plant's build and ramp and the
    // expansion projects of every producer from step 3 to step 30.
    let n_producers = params.producers.len();
    chokepoint_core::testkit::impose(&mut params, 3, |s| {
        s.market.build_speed = vec![0.75; n_producers];
        s.market.ramp_speed = vec![0.5; n_producers];
    });
    chokepoint_core::testkit::impose(&mut params, 30, |s| {
        s.market.build_speed.clear();
        s.market.ramp_speed.clear();
    });
    // The warm-up runs inside the first step and restarts the tallies in place.
    params.calendar.warmup_steps = 5;
    let model = Model::new(params).unwrap();
    let mut rngs = RngStreams {
        demand: ChaCha8Rng::seed_from_u64(1),
        supply: ChaCha8Rng::seed_from_u64(2),
        licensing: ChaCha8Rng::seed_from_u64(3),
        investment: ChaCha8Rng::seed_from_u64(4),
    };
    let mut sim = Simulation::new(&model);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    while !sim.is_done() {
        sim.step(&mut rngs);
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(
        after - before,
        0,
        "the step loop allocated {} times",
        after - before
    );
    let decided = model.schema().metric("licences_decided").unwrap();
    assert!(
        sim.outcome().metrics[decided] > 0.0,
        "the licence queue was exercised"
    );
    // Stock-building answers a price rise: some price rose, so its cover multiples moved.
    let peak = ["ndpr", "dy", "ndfeb"]
        .iter()
        .map(|i| {
            let k = model
                .schema()
                .metric(&format!("peak_price_ratio/{i}"))
                .unwrap();
            sim.outcome().metrics[k]
        })
        .fold(0.0, f64::max);
    assert!(peak > 1.05, "a price rose (peak ratio {peak})");
}
