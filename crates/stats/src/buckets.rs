//! The non-empty buckets of one side of a [`QuantileSketch`](crate::QuantileSketch), flat.
//!
//! Two parallel arrays sorted by bucket index: `keys` (ascending, distinct) and their
//! `counts`. This is the same set of (index, count) pairs an ordered map would hold, in the
//! same order, so quantiles and the serialized form are unchanged; but it is two contiguous
//! allocations instead of a tree of nodes. Adding to a bucket that exists is a binary search
//! and an increment; merging walks both arrays once and, when every bucket of the other
//! sketch already exists here (the usual case once a sketch has seen its range), adds in
//! place. Neither allocates unless a new bucket appears.
//!
//! Why not one dense array over [lowest, highest] index: the per-step variables of a model
//! run often span 10 to 50 binary octaves (a stock that is 1e3 in most replications and
//! 1e-12 of rounding residue in a few), i.e. 1,000 to 5,000 buckets of which a few hundred are
//! ever touched. Measured on list_expansion_2025_10 (300 replications, 48,100 cells × 2
//! sides): 43.9 million buckets between each side's extremes, 5.1 million non-empty.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Room for this many buckets is made when the first bucket of a side appears (768 bytes), so
/// that a side's arrays are reallocated a handful of times in a run, not once per new bucket
/// of its first replications (a side of a model variable ends with a few hundred buckets).
const FIRST_CAPACITY: usize = 64;

/// Non-empty buckets by ascending index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Buckets {
    keys: Vec<i32>,
    counts: Vec<u64>,
}

impl Buckets {
    /// Adds one to bucket `i`.
    #[inline]
    pub(crate) fn add_one(&mut self, i: i32) {
        match self.keys.binary_search(&i) {
            Ok(k) => self.counts[k] = self.counts[k].saturating_add(1),
            Err(k) => {
                if self.keys.capacity() == 0 {
                    self.keys.reserve_exact(FIRST_CAPACITY);
                    self.counts.reserve_exact(FIRST_CAPACITY);
                }
                self.keys.insert(k, i);
                self.counts.insert(k, 1);
            }
        }
    }

    /// Adds every count of `other`; allocates only if `other` has buckets this lacks.
    pub(crate) fn merge(&mut self, other: &Self) {
        let missing = self.missing(other);
        if missing == 0 {
            let mut j = 0;
            for (&key, &c) in other.keys.iter().zip(&other.counts) {
                while self.keys[j] < key {
                    j += 1;
                }
                self.counts[j] = self.counts[j].saturating_add(c);
            }
            return;
        }
        // Grow by the missing buckets, then merge from the back so nothing is overwritten
        // before it is moved.
        let (mut a, mut b) = (self.keys.len(), other.keys.len());
        self.keys.resize(a + missing, 0);
        self.counts.resize(a + missing, 0);
        let mut w = a + missing;
        while b > 0 {
            let theirs = other.keys[b - 1];
            w -= 1;
            if a > 0 && self.keys[a - 1] > theirs {
                self.keys[w] = self.keys[a - 1];
                self.counts[w] = self.counts[a - 1];
                a -= 1;
            } else if a > 0 && self.keys[a - 1] == theirs {
                self.keys[w] = theirs;
                self.counts[w] = self.counts[a - 1].saturating_add(other.counts[b - 1]);
                a -= 1;
                b -= 1;
            } else {
                self.keys[w] = theirs;
                self.counts[w] = other.counts[b - 1];
                b -= 1;
            }
        }
        debug_assert_eq!(w, a, "the first `a` buckets are already in place");
    }

    /// How many buckets of `other` this lacks.
    fn missing(&self, other: &Self) -> usize {
        let (mut j, mut missing) = (0, 0);
        for &key in &other.keys {
            while j < self.keys.len() && self.keys[j] < key {
                j += 1;
            }
            if j == self.keys.len() || self.keys[j] != key {
                missing += 1;
            }
        }
        missing
    }

    /// (index, count) by ascending index.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (i32, u64)> + '_ {
        self.keys.iter().copied().zip(self.counts.iter().copied())
    }

    /// Number of non-empty buckets.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

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
        Ok(Self {
            keys: map.keys().copied().collect(),
            counts: map.values().copied().collect(),
        })
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
        let (mut a, _) = from(&[1, 2, 3, 5, 8]);
        let (b, _) = from(&[2, 8]);
        let (cap_k, cap_c) = (a.keys.capacity(), a.counts.capacity());
        a.merge(&b);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [(1, 1), (2, 2), (3, 1), (5, 1), (8, 2)]
        );
        assert_eq!((a.keys.capacity(), a.counts.capacity()), (cap_k, cap_c));
    }
}
