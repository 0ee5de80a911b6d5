//! What sampling a replication allocates once a worker's model exists: nothing for a scenario
//! without uncertain numbers; for one whose shocks are uncertain, the rebuilt event list (the
//! compiler's events code allocates names and lists as it goes), bounded here; for one whose
//! firms differ (drawn per replication), the rebuilt manufacturers, also bounded.
#![allow(
    unsafe_code,
    reason = "a counting global allocator needs unsafe impl GlobalAlloc"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use chokepoint_core::ScenarioSource;
use chokepoint_scenario::{Override, Scenario};

/// Counts every allocation made by this test binary (one test, so nothing runs alongside).
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

/// A shipped scenario; with `equal_firms`, every entry's firms equal (nothing drawn per firm).
fn load(name: &str, equal_firms: bool) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    let read = |p: &Path| std::fs::read_to_string(p);
    let overrides: Vec<Override> = if equal_firms {
        ["firm_size_sigma", "firm_cover_sigma"]
            .iter()
            .map(|k| Override {
                path: format!("defaults.manufacturer.{k}"),
                value: "0".to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Scenario::load(&path, &read, &overrides).unwrap()
}

/// Allocations per replication, averaged over `n` samples into one reused model.
fn per_sample(s: &Scenario, n: u64) -> usize {
    let mut model = s.new_model().unwrap();
    s.sample_into(0, &mut model).unwrap();
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for seed in 1..=n {
        s.sample_into(seed, &mut model).unwrap();
    }
    (ALLOCATIONS.load(Ordering::SeqCst) - before) / usize::try_from(n).expect("a small count")
}

#[test]
fn sampling_into_a_reused_model_allocates_only_what_is_rebuilt() {
    // No uncertain numbers: nothing at all.
    assert_eq!(per_sample(&load("baseline_2024.toml", true), 50), 0);
    // Three uncertain numbers in one licence shock: the event list is compiled again (and the
    // model validated again, which formats a path per agent): 514 when this was written.
    let uncertain = per_sample(&load("list_expansion_2025_10.toml", true), 50);
    eprintln!("list_expansion_2025_10: {uncertain} allocations per sample");
    assert!(uncertain < 1_000, "{uncertain} allocations per sample");
    // Firms drawn per replication: the manufacturers (a stream key and a bill of materials per
    // firm), the stockpiles and events computed from them, and validation.
    let firms = per_sample(&load("baseline_2024.toml", false), 20);
    eprintln!("baseline_2024 with firms drawn: {firms} allocations per sample");
    assert!(firms < 10_000, "{firms} allocations per sample");
}
