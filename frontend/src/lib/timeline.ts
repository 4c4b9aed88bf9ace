// Timeline geometry (pure, unit-tested): the visible window of a day, its zoom levels and pans,
// where an interval or gap of `GET /cameras/{id}/timeline` sits on the bar, its ticks, and what
// footage covers an instant. Days and ticks follow local time (a DST day has 23 or 25 hours).

import type { GapCause, Timeline } from '../api/types';

export interface TimeWindow {
  from: Date;
  to: Date;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The spans of the zoom levels: the whole day, one hour, ten minutes. */
export const ZOOM_SPANS = [24 * HOUR, HOUR, 10 * MIN] as const;

export const CAUSE_LABELS: Record<GapCause, string> = {
  offline: 'camera offline',
  recording_off: 'recording off',
  deleted: 'deleted (retention or by hand)',
  in_progress: 'recording in progress',
  unknown: 'unknown',
};

const pad = (n: number) => String(n).padStart(2, '0');

/** A local date as `YYYY-MM-DD` (the value of `<input type="date">`). */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight to the next local midnight of `YYYY-MM-DD`; null when it is not a date. */
export function dayWindow(day: string): TimeWindow | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const from = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(from.getTime()) || dayKey(from) !== day) return null;
  return { from, to: new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1) };
}

/** The day `n` days after `day` (negative: before). */
export function shiftDay(day: string, n: number): string {
  const w = dayWindow(day);
  if (!w) return day;
  return dayKey(new Date(w.from.getFullYear(), w.from.getMonth(), w.from.getDate() + n));
}

const span = (w: TimeWindow) => w.to.getTime() - w.from.getTime();

/** The zoom level of a window: the first level whose span it reaches (within 10 %, so a 23 h DST day is still the day). */
export function zoomLevel(w: TimeWindow): number {
  const s = span(w);
  const i = ZOOM_SPANS.findIndex((z) => s >= z * 0.9);
  return i < 0 ? ZOOM_SPANS.length - 1 : i;
}

/** A window of `ms` centred on `at`, moved (not shrunk) to stay inside `bounds`. */
function fit(bounds: TimeWindow, at: number, ms: number): TimeWindow {
  if (ms >= span(bounds)) return bounds;
  const from = Math.min(Math.max(at - ms / 2, bounds.from.getTime()), bounds.to.getTime() - ms);
  return { from: new Date(from), to: new Date(from + ms) };
}

/** One level closer around `at` (unchanged at the deepest level). */
export function zoomIn(w: TimeWindow, bounds: TimeWindow, at: Date): TimeWindow {
  const level = zoomLevel(w);
  if (level >= ZOOM_SPANS.length - 1) return w;
  return fit(bounds, at.getTime(), ZOOM_SPANS[level + 1]);
}

/** One level out around the window's centre; the first level is the whole of `bounds`. */
export function zoomOut(w: TimeWindow, bounds: TimeWindow): TimeWindow {
  const level = zoomLevel(w);
  if (level <= 1) return bounds;
  return fit(bounds, (w.from.getTime() + w.to.getTime()) / 2, ZOOM_SPANS[level - 1]);
}

/** Half a window later (`dir` 1) or earlier (-1), kept inside `bounds`. */
export function pan(w: TimeWindow, bounds: TimeWindow, dir: 1 | -1): TimeWindow {
  const s = span(w);
  return fit(bounds, w.from.getTime() + s / 2 + (dir * s) / 2, s);
}

/** Where `t` sits on the window, 0..1 (clamped). */
export function fractionOf(w: TimeWindow, t: number): number {
  return Math.min(1, Math.max(0, (t - w.from.getTime()) / span(w)));
}

/** The instant at `fraction` (0..1) of the window. */
export function instantAt(w: TimeWindow, fraction: number): Date {
  return new Date(w.from.getTime() + Math.min(1, Math.max(0, fraction)) * span(w));
}

export interface Segment {
  kind: 'interval' | 'gap';
  cause?: GapCause;
  from: string;
  to: string;
  /** Percent of the bar's width. */
  left: number;
  width: number;
}

/** The timeline's intervals and gaps that show in the window, placed on the bar. */
export function segments(t: Pick<Timeline, 'intervals' | 'gaps'>, w: TimeWindow): Segment[] {
  const place = (kind: Segment['kind'], from: string, to: string, cause?: GapCause): Segment[] => {
    const a = fractionOf(w, Date.parse(from));
    const b = fractionOf(w, Date.parse(to));
    return b > a ? [{ kind, cause, from, to, left: a * 100, width: (b - a) * 100 }] : [];
  };
  return [
    ...t.intervals.flatMap((i) => place('interval', i.from, i.to)),
    ...t.gaps.flatMap((g) => place('gap', g.from, g.to, g.cause)),
  ];
}

export type Hit = { kind: 'interval' } | { kind: 'gap'; cause: GapCause } | { kind: 'none' };

/** What covers `at`: an interval, a gap (with its cause), or nothing (the future, not loaded). */
export function locate(t: Pick<Timeline, 'intervals' | 'gaps'> | undefined, at: Date): Hit {
  const x = at.getTime();
  const inside = (r: { from: string; to: string }) => Date.parse(r.from) <= x && x < Date.parse(r.to);
  if (t?.intervals.some(inside)) return { kind: 'interval' };
  const gap = t?.gaps.find(inside);
  return gap ? { kind: 'gap', cause: gap.cause } : { kind: 'none' };
}

export interface Tick {
  at: Date;
  left: number;
  label: string | null;
}

/** Local-time ticks: hours over a long window (labelled every 3 h), 10 min over an hour, minutes below. */
export function ticks(w: TimeWindow): Tick[] {
  const s = span(w);
  const stepMin = s > 6 * HOUR ? 60 : s > 30 * MIN ? 10 : 1;
  const labelEvery = s > 6 * HOUR ? 3 : s > 30 * MIN ? 1 : 2;
  const d = new Date(w.from);
  d.setSeconds(0, 0);
  if (stepMin === 60) d.setMinutes(0);
  else d.setMinutes(Math.floor(d.getMinutes() / stepMin) * stepMin);
  const out: Tick[] = [];
  for (let guard = 0; d < w.to && guard < 200; guard += 1) {
    if (d >= w.from) {
      const unit = stepMin === 60 ? d.getHours() : d.getMinutes() / stepMin;
      out.push({ at: new Date(d), left: fractionOf(w, d.getTime()) * 100, label: unit % labelEvery === 0 ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : null });
    }
    // Local arithmetic, so an hour step lands on the next local hour across a DST change.
    if (stepMin === 60) d.setHours(d.getHours() + 1);
    else d.setMinutes(d.getMinutes() + stepMin);
  }
  return out;
}

/** `HH:MM:SS` local (`HH:MM` at the day level). */
export function formatClock(d: Date, seconds = true): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
}
