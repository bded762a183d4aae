//! Distributions of simulated durations (CPU time per completion, blocking
//! time, ...). Durations are whole nanoseconds of simulated time.

use super::rng::Rng;

/// A distribution of durations, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Always the same duration.
    Const(u64),
    /// Exponential with this mean (memoryless: the M in M/M/c).
    Exp(f64),
    /// Uniform between the two bounds, inclusive.
    Uniform(u64, u64),
}

impl Dist {
    /// Draws one duration.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Dist::Const(d) => d,
            Dist::Exp(mean) => to_ns(mean * rng.exp1()),
            Dist::Uniform(lo, hi) => lo + to_ns(rng.unit() * (hi - lo) as f64),
        }
    }

    /// The mean, in nanoseconds.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Const(d) => d as f64,
            Dist::Exp(mean) => mean,
            Dist::Uniform(lo, hi) => (lo as f64 + hi as f64) / 2.0,
        }
    }

    /// A short description, e.g. `exp(mean 100us)`.
    pub fn describe(&self) -> String {
        match *self {
            Dist::Const(d) => format!("const({})", fmt_us(d as f64)),
            Dist::Exp(m) => format!("exp(mean {})", fmt_us(m)),
            Dist::Uniform(lo, hi) => {
                format!("uniform({}..{})", fmt_us(lo as f64), fmt_us(hi as f64))
            }
        }
    }
}

/// Rounds a non-negative duration to whole nanoseconds (saturating).
#[inline]
pub(crate) fn to_ns(x: f64) -> u64 {
    // Half up; `as` truncates (exact), saturates and maps NaN to 0.
    (x + 0.5) as u64
}

/// Formats nanoseconds as microseconds, e.g. `12.5us`.
pub fn fmt_us(ns: f64) -> String {
    let us = ns / 1000.0;
    if us == us.trunc() {
        format!("{us:.0}us")
    } else {
        format!("{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_have_the_stated_means() {
        let mut r = Rng::new(1, 1);
        for d in [Dist::Const(500), Dist::Exp(1000.0), Dist::Uniform(100, 300)] {
            let n = 100_000;
            let mean = (0..n).map(|_| d.sample(&mut r) as f64).sum::<f64>() / n as f64;
            assert!(
                (mean - d.mean()).abs() < 0.02 * d.mean(),
                "{d:?}: sampled mean {mean}"
            );
        }
    }

    #[test]
    fn uniform_stays_in_bounds() {
        let mut r = Rng::new(2, 1);
        for _ in 0..10_000 {
            let x = Dist::Uniform(10, 20).sample(&mut r);
            assert!((10..=20).contains(&x));
        }
    }
}
