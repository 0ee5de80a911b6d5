//! The buckets of one side of a [`QuantileSketch`](crate::QuantileSketch), flat.
//!
//! Bucket counts live in pages of [`PAGE`] consecutive buckets, all in one array (`low`, in
//! the order the pages first appeared); a page table, dense over the range of pages seen,
//! gives each page's place in it. Adding is two array lookups and an increment, with no
//! search and no shifting; merging walks the other side's pages the same way. Nothing is
//! allocated unless a value falls in a page not seen before (or beyond the page table's
//! ends). Observable behaviour goes through [`Buckets::iter`], the non-empty buckets in
//! ascending index order, exactly what the ordered map this replaced held: quantiles and the
//! serialized form are unchanged, and equality compares those buckets, not the layout.
//!
//! Why not one dense array over [lowest, highest] index: the per-step variables of a model
//! run often span 10 to 50 binary octaves (a stock that is 1e3 in most replications and
//! 1e-12 of rounding residue in a few), i.e. 1,000 to 5,000 buckets of which a few hundred are
//! ever touched. Measured on `list_expansion_2025_10` (300 replications, 48,100 cells × 2
//! sides): 43.9 million buckets between each side's extremes, 5.1 million non-empty, in 1.7
//! million non-empty pages of 8.
//!
//! Counts are `u32` (a bucket of a per-step variable counts at most one value per
//! replication); the rare count that reaches 2^32 keeps its high half in `high`, so counts
//! still saturate at `u64::MAX` as they always did.

/// Buckets per page.
const PAGE_BITS: u32 = 3;
const PAGE: usize = 1 << PAGE_BITS;
/// Marks a page table entry whose page holds nothing yet.
const ABSENT: u32 = u32::MAX;
/// Pages of room made when a side gets its first value, so that a side's count array is
/// reallocated a handful of times in a run, not once per new page of its first replications.
const FIRST_PAGES: usize = 8;
/// Least number of page table entries added at an end when the table must grow there.
const MIN_TABLE_GROWTH: usize = 4;

/// The counts of one side's buckets.
#[derive(Clone, Debug, Default)]
pub(crate) struct Buckets {
    /// Page number (bucket index >> `PAGE_BITS`) of `table[0]`.
    first_page: i32,
    /// For each page from `first_page` on, where its counts start in `low` / `PAGE`, or `ABSENT`.
    table: Vec<u32>,
    /// Low 32 bits of the counts, `PAGE` per present page.
    low: Vec<u32>,
    /// (bucket index, high 32 bits) of the counts ≥ 2^32, by ascending index.
    high: Vec<(i32, u32)>,
}

impl Buckets {
    /// Adds one to bucket `i`.
    #[inline]
    pub(crate) fn add_one(&mut self, i: i32) {
        let k = self.slot(i);
        if self.low[k] < u32::MAX {
            self.low[k] += 1;
        } else {
            self.add_slow(k, i, 1);
        }
    }

    /// Adds every count of `other`; allocates only if `other` has pages this lacks.
    pub(crate) fn merge(&mut self, other: &Self) {
        for (i, c) in other.iter() {
            let k = self.slot(i);
            match u32::try_from(c)
                .ok()
                .and_then(|c| self.low[k].checked_add(c))
            {
                Some(sum) => self.low[k] = sum,
                None => self.add_slow(k, i, c),
            }
        }
    }

    /// Adds `c` to bucket `i` (at `low[k]`) through the full 64-bit count, saturating.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "splitting a u64 into its two u32 halves"
    )]
    fn add_slow(&mut self, k: usize, i: i32, c: u64) {
        let total = self.count_at(k, i).saturating_add(c);
        self.low[k] = (total & u64::from(u32::MAX)) as u32;
        let hi = (total >> 32) as u32;
        match self.high.binary_search_by_key(&i, |&(j, _)| j) {
            Ok(h) => self.high[h].1 = hi,
            Err(h) if hi > 0 => self.high.insert(h, (i, hi)),
            Err(_) => {}
        }
    }

    /// The count of bucket `i`, whose low half is `low[k]`.
    fn count_at(&self, k: usize, i: i32) -> u64 {
        let hi = if self.high.is_empty() {
            0
        } else {
            self.high
                .binary_search_by_key(&i, |&(j, _)| j)
                .map_or(0, |h| self.high[h].1)
        };
        (u64::from(hi) << 32) | u64::from(self.low[k])
    }

    /// Where bucket `i`'s low count is in `low`, making room for its page if needed.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss,
        reason = "page numbers span at most 2^29 (bucket indices are i32), slots fit u32 until \
                  2^32 pages, far beyond the 2^25 a side can have"
    )]
    #[inline]
    fn slot(&mut self, i: i32) -> usize {
        let page = i >> PAGE_BITS;
        let within = (i & (PAGE as i32 - 1)) as usize;
        if self.table.is_empty() {
            self.first_page = page - MIN_TABLE_GROWTH as i32;
            self.table = vec![ABSENT; 2 * MIN_TABLE_GROWTH + 1];
            self.low.reserve_exact(FIRST_PAGES * PAGE);
        } else if page < self.first_page {
            let need = (self.first_page - page) as usize;
            let add = need.max(MIN_TABLE_GROWTH).max(self.table.len() / 2);
            let mut table = Vec::with_capacity(self.table.len() + add);
            table.resize(add, ABSENT);
            table.extend_from_slice(&self.table);
            self.table = table;
            self.first_page -= add as i32;
        } else if page - self.first_page >= self.table.len() as i32 {
            let need = (page - self.first_page) as usize + 1 - self.table.len();
            let add = need.max(MIN_TABLE_GROWTH).max(self.table.len() / 2);
            self.table.resize(self.table.len() + add, ABSENT);
        }
        let entry = &mut self.table[(page - self.first_page) as usize];
        if *entry == ABSENT {
            *entry = (self.low.len() / PAGE) as u32;
            self.low.resize(self.low.len() + PAGE, 0);
        }
        *entry as usize * PAGE + within
    }

    /// (index, count) of the non-empty buckets, by ascending index.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        reason = "table positions and slots within a page are small"
    )]
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (i32, u64)> + '_ {
        self.table
            .iter()
            .enumerate()
            .filter(|&(_, &at)| at != ABSENT)
            .flat_map(move |(p, &at)| {
                let first = (self.first_page + p as i32) << PAGE_BITS;
                (0..PAGE).filter_map(move |s| {
                    let k = at as usize * PAGE + s;
                    let i = first + s as i32;
                    let c = if self.high.is_empty() {
                        u64::from(self.low[k])
                    } else {
                        self.count_at(k, i)
                    };
                    (c > 0).then_some((i, c))
                })
            })
    }

    /// Number of non-empty buckets.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.iter().count()
    }
}

impl PartialEq for Buckets {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Buckets {}

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Serialized as a map from index to count, ascending: the form of the ordered map this
/// replaced, so states written before read back unchanged.
impl Serialize for Buckets {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Buckets {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<i32, u64>::deserialize(deserializer)?;
        let mut b = Self::default();
        for (i, c) in map {
            // A zero count written by hand adds nothing, as in the map it was.
            let k = b.slot(i);
            b.add_slow(k, i, c);
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn from(keys: &[i32]) -> (Buckets, BTreeMap<i32, u64>) {
        let (mut b, mut m) = (Buckets::default(), BTreeMap::new());
        for &k in keys {
            b.add_one(k);
            *m.entry(k).or_insert(0) += 1;
        }
        (b, m)
    }

    proptest! {
        #[test]
        fn behaves_like_an_ordered_map(
            xs in prop::collection::vec(-40i32..40, 0..120),
            ys in prop::collection::vec(-60i32..20, 0..120),
        ) {
            let (mut a, mut ma) = from(&xs);
            let (b, mb) = from(&ys);
            a.merge(&b);
            for (k, c) in mb {
                *ma.entry(k).or_insert(0) += c;
            }
            let got: Vec<(i32, u64)> = a.iter().collect();
            let want: Vec<(i32, u64)> = ma.iter().map(|(&k, &c)| (k, c)).collect();
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(a.len(), want.len());
            // The same JSON as the map's, and back.
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&ma).unwrap());
            prop_assert_eq!(serde_json::from_str::<Buckets>(&json).unwrap(), a);
        }
    }

    #[test]
    fn merging_covered_buckets_does_not_grow_the_arrays() {
        let (mut a, _) = from(&[1, 2, 3, 5, 8, -30]);
        let (b, _) = from(&[2, 8, -30]);
        let (cap_t, cap_l) = (a.table.capacity(), a.low.capacity());
        a.merge(&b);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [(-30, 2), (1, 1), (2, 2), (3, 1), (5, 1), (8, 2)]
        );
        assert_eq!((a.table.capacity(), a.low.capacity()), (cap_t, cap_l));
    }

    #[test]
    fn counts_beyond_u32_carry_and_saturate() {
        let mut a = Buckets::default();
        a.add_one(7);
        let mut big = Buckets::default();
        let k = big.slot(7);
        big.add_slow(k, 7, u64::from(u32::MAX));
        a.merge(&big);
        assert_eq!(a.iter().collect::<Vec<_>>(), [(7, 1u64 << 32)]);
        a.add_one(7);
        assert_eq!(a.iter().collect::<Vec<_>>(), [(7, (1u64 << 32) + 1)]);
        let k = big.slot(7);
        big.add_slow(k, 7, u64::MAX);
        a.merge(&big);
        assert_eq!(a.iter().collect::<Vec<_>>(), [(7, u64::MAX)]);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("{{\"7\":{}}}", u64::MAX));
        assert_eq!(serde_json::from_str::<Buckets>(&json).unwrap(), a);
    }
}
