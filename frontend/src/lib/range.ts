// Selecting a range of footage on the timeline (pure, unit-tested): a drag or two clicks give its
// ends in either order, handles move one end without crossing the other, and the export dialog
// edits both ends as local `datetime-local` values.

import type { TimeWindow } from './timeline';

/** Milliseconds since the epoch, `from` < `to`. */
export interface TimeRange {
  from: number;
  to: number;
}

/** The shortest range a selection keeps (its handles cannot meet). */
export const MIN_RANGE_MS = 1_000;
const HOUR = 3_600_000;

const clamp = (t: number, w: TimeWindow) => Math.min(w.to.getTime(), Math.max(w.from.getTime(), t));

/** The range between two picked instants (either order), inside `bounds`, at least MIN_RANGE_MS long. */
export function rangeBetween(a: number, b: number, bounds: TimeWindow): TimeRange {
  const [lo, hi] = [clamp(Math.min(a, b), bounds), clamp(Math.max(a, b), bounds)];
  if (hi - lo >= MIN_RANGE_MS) return { from: lo, to: hi };
  return hi + MIN_RANGE_MS <= bounds.to.getTime() ? { from: lo, to: lo + MIN_RANGE_MS } : { from: hi - MIN_RANGE_MS, to: hi };
}

/** `edge` moved to `t`, stopped MIN_RANGE_MS short of the other end and inside `bounds`. */
export function moveEdge(r: TimeRange, edge: 'from' | 'to', t: number, bounds: TimeWindow): TimeRange {
  const x = clamp(t, bounds);
  return edge === 'from' ? { from: Math.min(x, r.to - MIN_RANGE_MS), to: r.to } : { from: r.from, to: Math.max(x, r.from + MIN_RANGE_MS) };
}

/**
 * Click-to-select ("Select range" mode, or Enter on the keyboard): the first pick sets an anchor,
 * the second closes the range.
 */
export function pickEnd(anchor: number | null, t: number, bounds: TimeWindow): { anchor: number | null; range: TimeRange | null } {
  return anchor === null ? { anchor: clamp(t, bounds), range: null } : { anchor: null, range: rangeBetween(anchor, t, bounds) };
}

/** Why a range cannot be exported as it is (the server says the same, this says it before asking). */
export function rangeProblem(r: TimeRange, maxHours = 24): string | null {
  if (!Number.isFinite(r.from) || !Number.isFinite(r.to)) return 'Enter both the start and the end.';
  if (r.to <= r.from) return 'The end must be after the start.';
  if (r.to - r.from > maxHours * HOUR) return `At most ${maxHours} hours can be exported at once.`;
  return null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A `datetime-local` value (local time, to the second) for an instant. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The instant of a `datetime-local` value (NaN when empty or invalid). */
export function fromLocalInput(value: string): number {
  return value ? new Date(value).getTime() : NaN;
}
