//! What the alert sources remember between reports, in this process: since when a camera's
//! quality score has been low, and when its transcoder last restarted FFmpeg. Lost on restart,
//! which only delays an alert by one debounce.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use chrono::{NaiveDateTime, TimeDelta};

#[derive(Default)]
pub struct AlertMemory {
    /// Camera id → since when its score has been below the threshold (`None` = it is not), and
    /// whether a `stream.degraded` alert may be open for it (`None` = unknown after a start).
    degraded: Mutex<HashMap<String, Degraded>>,
    /// Camera id → its transcoder's recent FFmpeg restarts.
    restarts: Mutex<HashMap<String, VecDeque<NaiveDateTime>>>,
}

#[derive(Default, Clone, Copy)]
struct Degraded {
    below_since: Option<NaiveDateTime>,
    alerted: Option<bool>,
}

/// What a quality report means for `stream.degraded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quality {
    /// Low for long enough: raise (once), the episode starting then.
    Degraded(NaiveDateTime),
    /// Good again, and an alert may be open: clear it.
    Recovered,
    Nothing,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AlertMemory {
    /// Feeds one quality score of `camera_id` taken at `now`.
    pub fn quality(
        &self,
        camera_id: &str,
        score: f64,
        threshold: f64,
        after: TimeDelta,
        now: NaiveDateTime,
    ) -> Quality {
        let mut map = lock(&self.degraded);
        let entry = map.entry(camera_id.to_string()).or_default();
        if score >= threshold {
            entry.below_since = None;
            return match entry.alerted.replace(false) {
                Some(false) => Quality::Nothing,
                _ => Quality::Recovered,
            };
        }
        let since = *entry.below_since.get_or_insert(now);
        if now - since >= after && entry.alerted != Some(true) {
            entry.alerted = Some(true);
            return Quality::Degraded(since);
        }
        Quality::Nothing
    }

    /// Forgets a camera's quality (it stopped streaming).
    pub fn forget_quality(&self, camera_id: &str) {
        lock(&self.degraded).remove(camera_id);
    }

    /// Records one FFmpeg restart of `camera_id`'s transcoder at `now`; returns how many fell
    /// within `window` up to now.
    pub fn restart(&self, camera_id: &str, window: TimeDelta, now: NaiveDateTime) -> usize {
        let mut map = lock(&self.restarts);
        let times = map.entry(camera_id.to_string()).or_default();
        times.push_back(now);
        while times.front().is_some_and(|t| now - *t > window) {
            times.pop_front();
        }
        times.len()
    }

    /// Whether `camera_id`'s transcoder restarted within `window` before `now`.
    pub fn restarted_within(&self, camera_id: &str, window: TimeDelta, now: NaiveDateTime) -> bool {
        lock(&self.restarts).get(camera_id).and_then(|t| t.back()).is_some_and(|last| now - *last <= window)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDateTime, TimeDelta};

    use crate::services::alerts::memory::{AlertMemory, Quality};

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("valid").naive_utc()
    }

    #[test]
    fn a_low_score_raises_once_after_the_delay_and_recovers_once() {
        let m = AlertMemory::default();
        let after = TimeDelta::minutes(3);
        assert_eq!(m.quality("c", 30.0, 50.0, after, at(0)), Quality::Nothing);
        assert_eq!(m.quality("c", 30.0, 50.0, after, at(179)), Quality::Nothing);
        assert_eq!(m.quality("c", 30.0, 50.0, after, at(180)), Quality::Degraded(at(0)));
        assert_eq!(m.quality("c", 30.0, 50.0, after, at(185)), Quality::Nothing, "raised once");
        assert_eq!(m.quality("c", 80.0, 50.0, after, at(190)), Quality::Recovered);
        assert_eq!(m.quality("c", 80.0, 50.0, after, at(195)), Quality::Nothing);
        // A dip shorter than the delay raises nothing.
        assert_eq!(m.quality("c", 10.0, 50.0, after, at(200)), Quality::Nothing);
        assert_eq!(m.quality("c", 90.0, 50.0, after, at(210)), Quality::Nothing);
    }

    #[test]
    fn after_a_start_the_first_good_score_clears_whatever_may_be_open() {
        let m = AlertMemory::default();
        assert_eq!(m.quality("c", 90.0, 50.0, TimeDelta::minutes(3), at(0)), Quality::Recovered);
    }

    #[test]
    fn restarts_are_counted_within_the_window() {
        let m = AlertMemory::default();
        let w = TimeDelta::minutes(10);
        for (i, t) in [0, 60, 120, 180].into_iter().enumerate() {
            assert_eq!(m.restart("c", w, at(t)), i + 1);
        }
        assert_eq!(m.restart("c", w, at(700)), 3, "the first two fell out of the window");
        assert!(m.restarted_within("c", w, at(1200)));
        assert!(!m.restarted_within("c", w, at(1301)));
    }
}
