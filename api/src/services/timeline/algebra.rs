//! Interval algebra of a camera's timeline, pure: covered intervals from recording chunks, the
//! gaps between them, and each gap split by what explains it.

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

/// Chunks closer than this count as touching. nginx-rtmp's `record` closes one file and opens
/// the next on a later packet, so consecutive chunks leave sub-second holes; footage that
/// continuous must show as one interval. Also the shortest gap piece worth naming a cause for.
pub const TOUCH_TOLERANCE: TimeDelta = TimeDelta::seconds(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

impl Span {
    pub fn new(from: NaiveDateTime, to: NaiveDateTime) -> Self {
        Span { from, to }
    }

    /// The part inside `window`, if any.
    pub fn clip(self, window: Span) -> Option<Span> {
        let (from, to) = (self.from.max(window.from), self.to.min(window.to));
        (from < to).then_some(Span { from, to })
    }

    fn covers(&self, other: Span) -> bool {
        self.from <= other.from && self.to >= other.to
    }

    fn len(&self) -> TimeDelta {
        self.to - self.from
    }
}

/// The parts covered by both `a` and `b` (each sorted and disjoint, as [`covered`] returns them).
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if let Some(both) = a[i].clip(b[j]) {
            out.push(both);
        }
        if a[i].to <= b[j].to {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// How long `spans` (disjoint) cover together.
pub fn total(spans: &[Span]) -> TimeDelta {
    spans.iter().map(Span::len).sum()
}

/// Why a part of the timeline has no footage.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapCause {
    /// No publish session: the camera was not streaming.
    Offline,
    /// The camera streamed but nothing was recorded (recording off, or the recorder failed).
    RecordingOff,
    /// Footage was recorded, then deleted (retention, quota, or a user).
    Deleted,
    /// The camera is live and the current chunk is not filed yet.
    InProgress,
    /// Nothing says (e.g. before the oldest kept stream session).
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    pub span: Span,
    pub cause: GapCause,
}

/// The spans clipped to `window`, sorted and merged where they overlap or lie less than
/// [`TOUCH_TOLERANCE`] apart.
pub fn covered(spans: impl IntoIterator<Item = Span>, window: Span) -> Vec<Span> {
    let mut clipped: Vec<Span> = spans.into_iter().filter_map(|s| s.clip(window)).collect();
    clipped.sort_by_key(|s| s.from);
    let mut out: Vec<Span> = Vec::with_capacity(clipped.len());
    for s in clipped {
        match out.last_mut() {
            Some(last) if s.from - last.to < TOUCH_TOLERANCE => last.to = last.to.max(s.to),
            _ => out.push(s),
        }
    }
    out
}

/// The parts of `window` outside `covered` (sorted, disjoint, inside `window`: as [`covered`]
/// returns them).
pub fn complement(covered: &[Span], window: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = window.from;
    for s in covered {
        if s.from > at {
            out.push(Span::new(at, s.from));
        }
        at = at.max(s.to);
    }
    if at < window.to {
        out.push(Span::new(at, window.to));
    }
    out
}

/// What is known about the camera over the window, to explain its gaps.
#[derive(Debug, Default)]
pub struct Evidence {
    /// Publish sessions; a live one ends at the window's end.
    pub sessions: Vec<Span>,
    /// Recordings that were deleted.
    pub deleted: Vec<Span>,
    /// Sessions ending before this were pruned: before it, no session proves nothing.
    pub sessions_known_from: Option<NaiveDateTime>,
    /// Where the chunk being recorded now began at the earliest (live and recording); a gap
    /// reaching the window's end is in progress from here.
    pub in_progress_from: Option<NaiveDateTime>,
}

impl Evidence {
    fn cause(&self, piece: Span, trailing: bool) -> GapCause {
        if self.deleted.iter().any(|d| d.covers(piece)) {
            GapCause::Deleted
        } else if trailing && self.in_progress_from.is_some_and(|t| piece.from >= t) {
            GapCause::InProgress
        } else if self.sessions.iter().any(|s| s.covers(piece)) {
            GapCause::RecordingOff
        } else if self.sessions_known_from.is_some_and(|t| piece.to <= t) {
            GapCause::Unknown
        } else {
            GapCause::Offline
        }
    }

    /// Every instant inside `gap` where some piece of evidence starts or ends.
    fn cuts(&self, gap: Span) -> Vec<NaiveDateTime> {
        let edges = self.sessions.iter().chain(&self.deleted).flat_map(|s| [s.from, s.to]);
        let mut cuts: Vec<NaiveDateTime> = edges
            .chain(self.sessions_known_from)
            .chain(self.in_progress_from)
            .filter(|t| gap.from < *t && *t < gap.to)
            .collect();
        cuts.sort();
        cuts.dedup();
        cuts
    }
}

/// The gap split where its cause changes. Pieces shorter than [`TOUCH_TOLERANCE`] join a
/// neighbour: a session starts a moment before its first chunk, which is no "recording off".
pub fn classify(gap: Span, window_end: NaiveDateTime, evidence: &Evidence) -> Vec<Gap> {
    let trailing = gap.to == window_end;
    let mut bounds = vec![gap.from];
    bounds.extend(evidence.cuts(gap));
    bounds.push(gap.to);
    let mut out: Vec<Gap> = Vec::new();
    for w in bounds.windows(2) {
        let span = Span::new(w[0], w[1]);
        let piece = Gap { span, cause: evidence.cause(span, trailing) };
        match out.last_mut() {
            Some(last) if last.cause == piece.cause || span.len() < TOUCH_TOLERANCE => last.span.to = span.to,
            // Only the first piece can be a sliver: it takes the cause of the next.
            Some(last) if last.span.len() < TOUCH_TOLERANCE => {
                *last = Gap { span: Span::new(last.span.from, span.to), ..piece }
            }
            _ => out.push(piece),
        }
    }
    out
}

/// Covered intervals and explained gaps of `window`.
pub fn timeline(
    recordings: impl IntoIterator<Item = Span>,
    window: Span,
    evidence: &Evidence,
) -> (Vec<Span>, Vec<Gap>) {
    let intervals = covered(recordings, window);
    let gaps =
        complement(&intervals, window).into_iter().flat_map(|g| classify(g, window.to, evidence)).collect();
    (intervals, gaps)
}

#[cfg(test)]
#[path = "algebra_tests.rs"]
mod tests;
