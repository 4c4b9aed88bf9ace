// Wall clock ↔ media time of a recorded-playback playlist (pure, unit-tested). The playlist
// collapses gaps: media time runs on through them, so each discontinuity starts a new piece
// whose media time 0 offset (`media_secs`) maps to the wall clock where footage resumes (`at`).

import type { RecordedPlayback } from '../api/footage';

type Mapping = Pick<RecordedPlayback, 'start_at' | 'duration_secs' | 'discontinuities'>;

interface Piece {
  /** Wall clock (ms) of the piece's first frame. */
  wall: number;
  /** Media time (s) of the piece's first frame. */
  media: number;
}

/** The continuous pieces of footage, in media order. */
function pieces(m: Mapping): Piece[] {
  const rest = m.discontinuities
    .map((d) => ({ wall: Date.parse(d.at), media: d.media_secs }))
    .filter((p) => Number.isFinite(p.wall) && p.media > 0)
    .sort((a, b) => a.media - b.media);
  return [{ wall: Date.parse(m.start_at), media: 0 }, ...rest];
}

/** The index of the last piece `starts` (0 when none does). */
function lastPiece(ps: Piece[], starts: (p: Piece) => boolean): number {
  let i = ps.length - 1;
  while (i > 0 && !starts(ps[i])) i -= 1;
  return i;
}

/** The wall-clock instant shown at media time `t` (seconds). */
export function mediaToWall(m: Mapping, t: number): Date {
  const ps = pieces(m);
  const p = ps[lastPiece(ps, (x) => x.media <= t)];
  return new Date(p.wall + (t - p.media) * 1000);
}

export interface MediaTarget {
  /** Seconds into the playlist. */
  time: number;
  /** Where the instant sits: footage, a collapsed gap (plays from where footage resumes), or outside the playlist. */
  where: 'footage' | 'gap' | 'before' | 'after';
}

/**
 * The media time that shows wall-clock `at`. An instant in a gap maps to where footage resumes;
 * one before the playlist to its start, one after it to its end.
 */
export function wallToMedia(m: Mapping, at: Date): MediaTarget {
  const ps = pieces(m);
  const w = at.getTime();
  if (w < ps[0].wall) return { time: 0, where: 'before' };
  const i = lastPiece(ps, (p) => p.wall <= w);
  const p = ps[i];
  const end = i + 1 < ps.length ? ps[i + 1].media : m.duration_secs;
  const time = p.media + (w - p.wall) / 1000;
  if (time < end) return { time, where: 'footage' };
  return i + 1 < ps.length ? { time: end, where: 'gap' } : { time: m.duration_secs, where: 'after' };
}

const HOUR_MS = 3_600_000;
/** How much of the latest footage plays when the picked instant is not filed yet. */
export const LATEST_SECS = 30;

/** The range the player asks for around `at`: an hour either side, never past `now`. */
export function playbackWindow(at: Date, now = Date.now()): { from: Date; to: Date } {
  const t = Math.min(at.getTime(), now);
  return { from: new Date(t - HOUR_MS), to: new Date(Math.min(t + HOUR_MS, now)) };
}

/** Where to start for a picked instant: past the filed footage, its last LATEST_SECS. */
export function startFor(m: Mapping, at: Date): MediaTarget {
  const target = wallToMedia(m, at);
  return target.where === 'after' ? { ...target, time: Math.max(0, m.duration_secs - LATEST_SECS) } : target;
}
