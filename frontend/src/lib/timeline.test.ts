import { describe, expect, it } from 'vitest';
import { timeline } from '../test/fixtures';
import { dayKey, dayWindow, fractionOf, instantAt, locate, pan, segments, shiftDay, ticks, zoomIn, zoomLevel, zoomOut } from './timeline';

const day = dayWindow('2026-01-02')!;
const local = (h: number, m = 0) => new Date(2026, 0, 2, h, m);

describe('timeline geometry', () => {
  it('a day is local midnight to local midnight; bad dates are refused', () => {
    expect(day.from.getTime()).toBe(local(0).getTime());
    expect(day.to.getTime()).toBe(new Date(2026, 0, 3).getTime());
    expect(dayWindow('2026-02-30')).toBeNull();
    expect(dayWindow('yesterday')).toBeNull();
    expect(shiftDay('2026-01-01', -1)).toBe('2025-12-31');
    expect(shiftDay('2026-02-28', 1)).toBe('2026-03-01');
    expect(dayKey(local(23, 59))).toBe('2026-01-02');
  });

  it('zooms 24 h → 1 h → 10 min around an instant, kept inside the day, and back out', () => {
    const hour = zoomIn(day, day, local(9, 10));
    expect([hour.from.getTime(), hour.to.getTime()]).toEqual([local(8, 40).getTime(), local(9, 40).getTime()]);
    expect(zoomLevel(hour)).toBe(1);
    const tenMin = zoomIn(hour, day, local(9, 0));
    expect([tenMin.from.getTime(), tenMin.to.getTime()]).toEqual([local(8, 55).getTime(), local(9, 5).getTime()]);
    expect(zoomIn(tenMin, day, local(9, 0))).toBe(tenMin); // deepest level
    // Near midnight the window moves, it does not shrink.
    const edge = zoomIn(day, day, local(0, 5));
    expect([edge.from.getTime(), edge.to.getTime()]).toEqual([local(0).getTime(), local(1).getTime()]);
    const out = zoomOut(tenMin, day);
    expect([out.from.getTime(), out.to.getTime()]).toEqual([local(8, 30).getTime(), local(9, 30).getTime()]);
    expect(zoomOut(out, day)).toBe(day);
  });

  it('pans by half a window, stopping at the day’s ends', () => {
    const hour = zoomIn(day, day, local(12));
    expect(pan(hour, day, 1).from.getTime()).toBe(local(12).getTime());
    expect(pan(hour, day, -1).from.getTime()).toBe(local(11).getTime());
    const first = zoomIn(day, day, local(0));
    expect(pan(first, day, -1).from.getTime()).toBe(local(0).getTime());
    expect(pan(day, day, 1)).toBe(day);
  });

  it('places intervals and gaps at their share of the window, clipped to it', () => {
    const all = segments(timeline(), day);
    expect(all.map((s) => [s.kind, s.cause, s.left, s.width])).toEqual([
      ['interval', undefined, 0, 25], ['interval', undefined, 50, 25], ['gap', 'offline', 25, 25], ['gap', 'deleted', 75, 25],
    ]);
    // 05:30–06:30: half recorded, half offline.
    const zoomed = segments(timeline(), { from: local(5, 30), to: local(6, 30) });
    expect(zoomed.map((s) => [s.kind, s.left, s.width])).toEqual([['interval', 0, 50], ['gap', 50, 50]]);
  });

  it('maps fractions to instants and instants to footage', () => {
    expect(instantAt(day, 0.125).getTime()).toBe(local(3).getTime());
    expect(fractionOf(day, local(18).getTime())).toBe(0.75);
    expect(locate(timeline(), local(3))).toEqual({ kind: 'interval' });
    expect(locate(timeline(), local(6))).toEqual({ kind: 'gap', cause: 'offline' });
    expect(locate(timeline(), local(23, 59))).toEqual({ kind: 'gap', cause: 'deleted' });
    expect(locate({ intervals: [], gaps: [] }, local(3))).toEqual({ kind: 'none' });
    expect(locate(undefined, local(3))).toEqual({ kind: 'none' });
  });

  it('ticks: hours over a day (labelled every 3 h), 10 min over an hour, minutes over 10 min', () => {
    const hours = ticks(day);
    expect(hours).toHaveLength(24);
    expect(hours.filter((t) => t.label).map((t) => t.label)).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
    expect(hours[6].left).toBe(25);
    const tens = ticks({ from: local(8, 40), to: local(9, 40) });
    expect(tens.map((t) => t.label)).toEqual(['08:40', '08:50', '09:00', '09:10', '09:20', '09:30']);
    expect(ticks({ from: local(8, 55), to: local(9, 5) })).toHaveLength(10);
  });
});
