//! `Domain`: the range a scenario number must lie in. Its own module because both the key
//! table (`keys`) and numbers (`num`) need it, and `num` asks `keys` which distribution keys apply.

/// The values a parameter may take; checked against fixed values and distribution supports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// Any finite number.
    Any,
    /// >= 0.
    NonNegative,
    /// > 0.
    Positive,
    /// In [0, 1].
    Share,
    /// >= 1.
    AtLeastOne,
    /// In (0, 1]: a share that may not be 0 (a speed).
    PositiveShare,
}

impl Domain {
    /// Human description for error messages.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Any => "a finite number",
            Domain::NonNegative => "a number >= 0",
            Domain::Positive => "a number > 0",
            Domain::Share => "a share in [0, 1]",
            Domain::AtLeastOne => "a number >= 1",
            Domain::PositiveShare => "a share in (0, 1]",
        }
    }

    pub(crate) fn bounds(self) -> (f64, f64) {
        match self {
            Domain::Any => (f64::MIN, f64::MAX),
            Domain::NonNegative | Domain::Positive => (0.0, f64::MAX),
            Domain::Share | Domain::PositiveShare => (0.0, 1.0),
            Domain::AtLeastOne => (1.0, f64::MAX),
        }
    }

    /// True when `v` is allowed.
    #[must_use]
    pub fn contains(self, v: f64) -> bool {
        let (lo, hi) = self.bounds();
        v.is_finite() && v >= lo && v <= hi && !(self.excludes_zero() && v <= 0.0)
    }

    /// True when 0 itself is outside the domain (its lower bound is open).
    pub(crate) fn excludes_zero(self) -> bool {
        matches!(self, Domain::Positive | Domain::PositiveShare)
    }

    pub(crate) fn clamp(self, v: f64) -> f64 {
        let (lo, hi) = self.bounds();
        v.clamp(lo, hi)
    }
}
