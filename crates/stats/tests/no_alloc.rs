//! Issue 14: once a sketch's buckets cover the values' range, adding and merging allocate
//! nothing; a per-step accumulator fed a trajectory it has seen the buckets of allocates nothing.
#![allow(
    unsafe_code,
    reason = "a counting global allocator needs unsafe impl GlobalAlloc"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use chokepoint_stats::{QuantileSketch, SeriesAccumulator};

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

fn counted(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

/// A trajectory of 50 steps × 4 variables spanning many octaves, signs and zeros.
fn trajectory(k: i32) -> Vec<f64> {
    (0..200i32)
        .map(|i| {
            let x = f64::from(i * 7 + k % 13) * 1.37f64.powi(i % 40 - 20);
            match i % 4 {
                0 => x,
                1 => -x,
                2 => 0.0,
                _ => x * 1e-9,
            }
        })
        .collect()
}

#[test]
fn covered_buckets_cost_no_allocation() {
    let trajs: Vec<Vec<f64>> = (0..30).map(trajectory).collect();
    let mut acc = SeriesAccumulator::new(50, 4);
    let mut other = SeriesAccumulator::new(50, 4);
    for t in &trajs {
        acc.add_trajectory(t).unwrap();
        other.add_trajectory(t).unwrap();
    }
    let n = counted(|| {
        for _ in 0..5 {
            for t in &trajs {
                acc.add_trajectory(t).unwrap();
            }
            acc.merge(&other).unwrap();
        }
    });
    assert_eq!(n, 0, "allocations once the range is covered");
    assert_eq!(acc.trajectories(), 30 * 11);
    let mut s = QuantileSketch::new();
    let xs: Vec<f64> = trajs.concat();
    for &x in &xs {
        s.add(x);
    }
    let copy = s.clone();
    let n = counted(|| {
        for &x in &xs {
            s.add(x);
        }
        s.merge(&copy);
    });
    assert_eq!(n, 0);
    assert_eq!(s.count(), 3 * copy.count());
}
