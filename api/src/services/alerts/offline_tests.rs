use super::*;
use crate::domain::AlertState;

fn at(secs: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("valid").naive_utc()
}

fn cfg() -> AlertSettings {
    AlertSettings {
        offline_alert_secs: 60,
        expected_window_secs: 86_400,
        flap_count: 5,
        flap_window_secs: 600,
        recovery_secs: 30,
        degraded_score: 50.0,
        degraded_minutes: 3,
        brute_force_threshold: 10,
        brute_force_window_secs: 300,
        crash_loop_restarts: 5,
        crash_loop_window_secs: 600,
    }
}

fn history(sessions: Vec<(i64, Option<i64>)>) -> History {
    History {
        active: true,
        name: "Gate".into(),
        sessions: sessions.into_iter().map(|(s, e)| (at(s), e.map(at))).collect(),
    }
}

fn alert(first_seen: i64, count: i64) -> AlertRow {
    AlertRow {
        id: "a".into(),
        kind: AlertKind::CameraOffline,
        severity: AlertSeverity::Critical,
        state: AlertState::Open,
        camera_id: Some("c".into()),
        subject: "c".into(),
        message: String::new(),
        count,
        first_seen: at(first_seen),
        last_seen: at(first_seen),
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        resolved_by: None,
        active_key: None,
        created_at: at(first_seen),
        updated_at: at(first_seen),
    }
}

fn count(v: &Verdict) -> Option<(i64, NaiveDateTime)> {
    match v {
        Verdict::Observe { count, first_seen, .. } => Some((*count, *first_seen)),
        _ => None,
    }
}

#[test]
fn a_blip_shorter_than_the_debounce_raises_nothing() {
    let h = history(vec![(0, Some(100))]);
    assert_eq!(judge(&h, None, at(160), &cfg()), Verdict::Nothing, "exactly the debounce");
    assert_eq!(count(&judge(&h, None, at(161), &cfg())), Some((1, at(100))));
    // Back within the debounce: nothing, ever.
    let back = history(vec![(0, Some(100)), (130, None)]);
    assert_eq!(judge(&back, None, at(400), &cfg()), Verdict::Nothing);
}

#[test]
fn only_expected_cameras_alert() {
    let mut h = history(vec![(0, Some(100))]);
    h.active = false;
    assert_eq!(judge(&h, None, at(1000), &cfg()), Verdict::Nothing, "inactive");
    let never = history(vec![]);
    assert_eq!(judge(&never, None, at(1000), &cfg()), Verdict::Nothing, "never online");
    let long_ago = history(vec![(0, Some(100))]);
    assert_eq!(judge(&long_ago, None, at(100 + 86_401), &cfg()), Verdict::Nothing, "outside the window");
}

#[test]
fn flapping_opens_at_the_flap_count_and_counts_every_disconnect() {
    let sessions = |n: i64| (0..n).map(|i| (i * 6, Some(i * 6 + 5))).collect::<Vec<_>>();
    let mut four = sessions(4);
    four.push((24, None));
    assert_eq!(judge(&history(four), None, at(25), &cfg()), Verdict::Nothing);
    let mut five = sessions(5);
    five.push((30, None));
    assert_eq!(count(&judge(&history(five), None, at(31), &cfg())), Some((5, at(5))));
    let mut ten = sessions(10);
    ten.push((60, None));
    let a = alert(5, 5);
    assert_eq!(count(&judge(&history(ten), Some(&a), at(61), &cfg())), Some((10, at(5))));
}

#[test]
fn recovery_needs_the_camera_online_for_the_recovery_time() {
    let a = alert(100, 1);
    let h = history(vec![(0, Some(100)), (300, None)]);
    assert!(count(&judge(&h, Some(&a), at(329), &cfg())).is_some(), "not yet");
    assert_eq!(judge(&h, Some(&a), at(330), &cfg()), Verdict::Resolve);
    let mut off = history(vec![(0, Some(100))]);
    off.active = false;
    assert_eq!(judge(&off, Some(&a), at(400), &cfg()), Verdict::Resolve, "deactivated");
}
