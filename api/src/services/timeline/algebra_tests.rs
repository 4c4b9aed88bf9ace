use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::*;

/// 2026-12-01 10:00 plus `s` seconds.
fn t(s: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(10, 0, 0).unwrap() + TimeDelta::seconds(s)
}

fn ms(ms: i64) -> TimeDelta {
    TimeDelta::milliseconds(ms)
}

fn sp(a: i64, b: i64) -> Span {
    Span::new(t(a), t(b))
}

fn gap(a: i64, b: i64, cause: GapCause) -> Gap {
    Gap { span: sp(a, b), cause }
}

use GapCause::*;

#[test]
fn touching_chunks_with_sub_second_holes_merge_into_one_interval() {
    let chunks =
        [Span::new(t(0), t(60)), Span::new(t(60) + ms(400), t(120)), Span::new(t(120) + ms(1900), t(180))];
    assert_eq!(covered(chunks, sp(0, 180)), vec![sp(0, 180)]);
}

#[test]
fn a_hole_at_the_tolerance_or_longer_stays_a_gap() {
    let chunks = [sp(0, 60), sp(62, 120)];
    assert_eq!(covered(chunks, sp(0, 120)), vec![sp(0, 60), sp(62, 120)]);
}

#[test]
fn chunks_are_clipped_to_the_window_and_unsorted_overlaps_merge() {
    let chunks = [sp(100, 200), sp(-50, 30), sp(20, 40), sp(150, 160), sp(300, 400)];
    assert_eq!(covered(chunks, sp(0, 250)), vec![sp(0, 40), sp(100, 200)]);
}

#[test]
fn the_complement_names_leading_inner_and_trailing_gaps() {
    let intervals = [sp(10, 20), sp(30, 40)];
    assert_eq!(complement(&intervals, sp(0, 50)), vec![sp(0, 10), sp(20, 30), sp(40, 50)]);
    assert_eq!(complement(&[sp(0, 50)], sp(0, 50)), vec![]);
    assert_eq!(complement(&[], sp(0, 50)), vec![sp(0, 50)]);
}

#[test]
fn a_gap_splits_where_the_camera_came_online() {
    let ev = Evidence { sessions: vec![sp(100, 400)], ..Default::default() };
    let (intervals, gaps) = timeline([sp(300, 400)], sp(0, 400), &ev);
    assert_eq!(intervals, vec![sp(300, 400)]);
    assert_eq!(gaps, vec![gap(0, 100, Offline), gap(100, 300, RecordingOff)]);
}

#[test]
fn deleted_footage_wins_over_the_session_that_recorded_it() {
    let ev = Evidence { sessions: vec![sp(0, 300)], deleted: vec![sp(0, 100)], ..Default::default() };
    let (_, gaps) = timeline([sp(200, 300)], sp(0, 300), &ev);
    assert_eq!(gaps, vec![gap(0, 100, Deleted), gap(100, 200, RecordingOff)]);
}

#[test]
fn only_the_trailing_gap_of_a_live_session_is_in_progress() {
    let ev = Evidence { sessions: vec![sp(0, 500)], in_progress_from: Some(t(100)), ..Default::default() };
    let (_, gaps) = timeline([sp(0, 50), sp(150, 300)], sp(0, 500), &ev);
    assert_eq!(gaps, vec![gap(50, 150, RecordingOff), gap(300, 500, InProgress)]);
    // A trailing gap older than the current chunk can be: the recorder stopped before it.
    let (_, gaps) = timeline([sp(0, 50)], sp(0, 500), &ev);
    assert_eq!(gaps, vec![gap(50, 100, RecordingOff), gap(100, 500, InProgress)]);
}

#[test]
fn before_the_oldest_kept_session_nothing_is_known() {
    let ev = Evidence { sessions_known_from: Some(t(100)), ..Default::default() };
    let (_, gaps) = timeline([], sp(0, 200), &ev);
    assert_eq!(gaps, vec![gap(0, 100, Unknown), gap(100, 200, Offline)]);
}

#[test]
fn slivers_at_cause_changes_join_their_neighbour() {
    // The session starts one second before its first chunk, and ends a moment after its last.
    let ev = Evidence { sessions: vec![Span::new(t(99), t(200) + ms(500))], ..Default::default() };
    let (_, gaps) = timeline([sp(100, 200)], sp(0, 300), &ev);
    assert_eq!(gaps, vec![gap(0, 100, Offline), gap(200, 300, Offline)]);
    // A sliver first piece takes the cause of the next.
    let ev = Evidence {
        sessions: vec![sp(0, 10)],
        deleted: vec![Span::new(t(0) + ms(800), t(10))],
        ..Default::default()
    };
    let (_, gaps) = timeline([], sp(0, 10), &ev);
    assert_eq!(gaps, vec![gap(0, 10, Deleted)]);
}

#[test]
fn an_empty_window_has_neither_intervals_nor_gaps() {
    let (intervals, gaps) = timeline([sp(0, 10)], sp(5, 5), &Evidence::default());
    assert!(intervals.is_empty() && gaps.is_empty(), "{intervals:?} {gaps:?}");
}

#[test]
fn intersection_keeps_what_both_cover() {
    let a = [sp(0, 100), sp(200, 300), sp(400, 500)];
    let b = [sp(50, 250), sp(290, 450)];
    assert_eq!(intersect(&a, &b), vec![sp(50, 100), sp(200, 250), sp(290, 300), sp(400, 450)]);
    assert_eq!(total(&intersect(&a, &b)), TimeDelta::seconds(50 + 50 + 10 + 50));
    assert!(intersect(&a, &[]).is_empty());
    assert!(intersect(&[sp(0, 10)], &[sp(10, 20)]).is_empty(), "touching is no overlap");
}
