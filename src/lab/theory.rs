//! Queueing theory the lab is checked against: the M/M/c queue (Poisson
//! arrivals, exponential service, `c` servers, one FIFO queue).
//!
//! With no blocking, no switch cost and no cold penalty, a port with
//! `threads` workers on `cpus` processors and limit `max` serves completions
//! like an M/M/c queue with `c = min(threads, cpus, max)`: the IOCQ is the
//! queue and the released threads are the servers.

/// Erlang's C formula: the probability that an arrival has to wait, for `c`
/// servers and offered traffic `a = λ/μ` (in erlangs). Requires `a < c`.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by its stable recurrence, then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let c = c as f64;
    c * b / (c - a * (1.0 - b))
}

/// What the M/M/c queue predicts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MmcPrediction {
    /// Server utilisation ρ = λ / (c μ).
    pub utilisation: f64,
    /// Probability of waiting (Erlang C).
    pub p_wait: f64,
    /// Mean waiting time in the queue, Wq = C / (c μ - λ), in the unit of `1/μ`.
    pub mean_wait: f64,
    /// Mean number waiting, Lq = λ Wq.
    pub mean_waiting: f64,
}

/// The M/M/c prediction for arrival rate `lambda`, mean service time
/// `service` (so μ = 1/service) and `c` servers. `None` if the queue is
/// unstable (λ ≥ c μ).
pub fn mmc(lambda: f64, service: f64, c: u32) -> Option<MmcPrediction> {
    let mu = 1.0 / service;
    let a = lambda / mu;
    if c == 0 || a >= c as f64 {
        return None;
    }
    let p_wait = erlang_c(c, a);
    let mean_wait = p_wait / (c as f64 * mu - lambda);
    Some(MmcPrediction {
        utilisation: a / c as f64,
        p_wait,
        mean_wait,
        mean_waiting: lambda * mean_wait,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        // M/M/1: C = ρ, Wq = ρ / (μ - λ).
        let p = mmc(0.5, 1.0, 1).unwrap();
        assert!((p.p_wait - 0.5).abs() < 1e-12);
        assert!((p.mean_wait - 1.0).abs() < 1e-12);
        // M/M/2 with a = 1: C = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // Unstable.
        assert!(mmc(2.0, 1.0, 2).is_none());
    }
}
