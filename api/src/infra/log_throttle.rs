//! At most one log line per period for a repeated condition (an endpoint that stays down), with a
//! count of what was held back: a burst of publishes must not become a flood of identical lines.
//! Owned by whoever logs (held in `AppState`), not a global, so each app instance counts its own.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

#[derive(Debug)]
pub struct LogThrottle {
    period_secs: i64,
    last_logged: AtomicI64,
    suppressed: AtomicU64,
}

impl LogThrottle {
    pub fn new(period_secs: i64) -> LogThrottle {
        LogThrottle { period_secs, last_logged: AtomicI64::new(i64::MIN), suppressed: AtomicU64::new(0) }
    }

    /// `Some(held back since the last line)` when a line may be logged at `now` (epoch seconds),
    /// `None` when this occurrence is only counted.
    pub fn admit(&self, now: i64) -> Option<u64> {
        let last = self.last_logged.load(Ordering::Relaxed);
        let due = last == i64::MIN || now.saturating_sub(last) >= self.period_secs;
        if due && self.last_logged.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::LogThrottle;

    #[test]
    fn one_line_per_period_with_the_count_held_back() {
        let throttle = LogThrottle::new(30);
        assert_eq!(throttle.admit(1_000), Some(0));
        assert_eq!(throttle.admit(1_001), None);
        assert_eq!(throttle.admit(1_029), None);
        assert_eq!(throttle.admit(1_030), Some(2));
        assert_eq!(throttle.admit(1_031), None);
    }

    #[test]
    fn two_throttles_count_separately() {
        let (a, b) = (LogThrottle::new(30), LogThrottle::new(30));
        assert_eq!(a.admit(5), Some(0));
        assert_eq!(b.admit(5), Some(0));
    }
}
