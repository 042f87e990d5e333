//! Points: non-negative, finite, kept to two decimals.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A number of points (score or maximum): finite, `0 ..= 100_000`, rounded to
/// hundredths so sums and comparisons behave in every storage.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "f64", into = "f64")]
#[cfg_attr(feature = "openapi", schema(value_type = f64, format = Double, example = 8.5))]
pub struct Points(f64);

/// Why a number of points was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum PointsError {
    /// Negative, not finite, or above the upper bound.
    #[error("points must be a number from 0 to 100000, got {0}")]
    OutOfRange(f64),
    /// A score above the maximum it is measured against.
    #[error("score {score} exceeds the maximum {max}")]
    AboveMax {
        /// The score given.
        score: f64,
        /// The maximum.
        max: f64,
    },
}

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0.0);
    /// The largest number of points anything may be worth.
    pub const UPPER: f64 = 100_000.0;

    /// Validates and rounds to hundredths.
    pub fn new(value: f64) -> Result<Self, PointsError> {
        if !value.is_finite() || !(0.0..=Self::UPPER).contains(&value) {
            return Err(PointsError::OutOfRange(value));
        }
        Ok(Self(round2(value)))
    }

    /// A score checked against its maximum.
    pub fn score(value: f64, max: Points) -> Result<Self, PointsError> {
        let p = Self::new(value)?;
        if p.0 > max.0 {
            return Err(PointsError::AboveMax {
                score: p.0,
                max: max.0,
            });
        }
        Ok(p)
    }

    /// `fraction` (clamped to `0..=1`) of `self`, rounded to hundredths.
    #[must_use]
    pub fn fraction(self, fraction: f64) -> Self {
        let f = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        Self(round2(self.0 * f).min(self.0))
    }

    /// The value.
    #[must_use]
    pub fn value(self) -> f64 {
        self.0
    }

    /// Sum of points, capped at the upper bound.
    #[must_use]
    pub fn sum(items: impl IntoIterator<Item = Points>) -> Self {
        Self(round2(items.into_iter().map(|p| p.0).sum::<f64>()).min(Self::UPPER))
    }

    /// This score as a percentage of `max` (0 when `max` is zero).
    #[must_use]
    pub fn percent_of(self, max: Points) -> f64 {
        if max.0 <= 0.0 {
            0.0
        } else {
            round2(self.0 / max.0 * 100.0)
        }
    }
}

impl TryFrom<f64> for Points {
    type Error = PointsError;
    fn try_from(v: f64) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<Points> for f64 {
    fn from(p: Points) -> Self {
        p.0
    }
}

impl std::fmt::Display for Points {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.fract() == 0.0 {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{:.2}", self.0)
        }
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_bad_numbers() {
        assert!(Points::new(-0.5).is_err());
        assert!(Points::new(f64::NAN).is_err());
        assert!(Points::new(f64::INFINITY).is_err());
        assert!(Points::new(100_001.0).is_err());
        assert_eq!(Points::new(1.005).unwrap().value(), 1.0);
        assert!(matches!(
            Points::score(11.0, Points::new(10.0).unwrap()),
            Err(PointsError::AboveMax { .. })
        ));
        assert_eq!(Points::new(7.0).unwrap().to_string(), "7");
        assert_eq!(Points::new(7.5).unwrap().to_string(), "7.50");
    }

    proptest! {
        #[test]
        fn fraction_never_exceeds_whole(max in 0.0f64..1000.0, f in -2.0f64..2.0) {
            let max = Points::new(max).unwrap();
            let part = max.fraction(f);
            prop_assert!(part <= max);
            prop_assert!(part.value() >= 0.0);
        }
    }
}
