import { describe, expect, it } from 'vitest';
import { mediaToWall, playbackWindow, startFor, wallToMedia } from './mediaTime';

// Footage 10:00:00–10:20:00, a gap, then 10:30:00–10:40:00: 30 min of media.
const pb = {
  start_at: '2026-01-02T10:00:00Z',
  duration_secs: 1800,
  discontinuities: [{ at: '2026-01-02T10:30:00Z', media_secs: 1200 }],
};
const at = (hms: string) => new Date(`2026-01-02T${hms}Z`);

describe('wall clock ↔ media time', () => {
  it('before the first gap, media time is the time since start_at', () => {
    expect(wallToMedia(pb, at('10:05:30'))).toEqual({ time: 330, where: 'footage' });
    expect(mediaToWall(pb, 330).toISOString()).toBe('2026-01-02T10:05:30.000Z');
  });

  it('after a gap, the gap is collapsed', () => {
    expect(wallToMedia(pb, at('10:35:00'))).toEqual({ time: 1500, where: 'footage' });
    expect(mediaToWall(pb, 1500).toISOString()).toBe('2026-01-02T10:35:00.000Z');
    // The first frame after the gap.
    expect(mediaToWall(pb, 1200).toISOString()).toBe('2026-01-02T10:30:00.000Z');
  });

  it('an instant inside a gap plays from where footage resumes', () => {
    expect(wallToMedia(pb, at('10:25:00'))).toEqual({ time: 1200, where: 'gap' });
  });

  it('instants outside the playlist clamp to its ends', () => {
    expect(wallToMedia(pb, at('09:59:00'))).toEqual({ time: 0, where: 'before' });
    expect(wallToMedia(pb, at('10:45:00'))).toEqual({ time: 1800, where: 'after' });
  });

  it('round-trips any media time, whatever order the discontinuities come in', () => {
    const two = { ...pb, duration_secs: 2400, discontinuities: [{ at: '2026-01-02T11:00:00Z', media_secs: 1800 }, ...pb.discontinuities] };
    for (const t of [0, 599.5, 1199, 1200, 1799, 1800, 2399]) expect(wallToMedia(two, mediaToWall(two, t)).time).toBeCloseTo(t, 6);
    expect(mediaToWall(two, 1900).toISOString()).toBe('2026-01-02T11:01:40.000Z');
  });

  it('without discontinuities it is a plain offset', () => {
    const plain = { start_at: '2026-01-02T10:00:00Z', duration_secs: 60, discontinuities: [] };
    expect(wallToMedia(plain, new Date(Date.parse(plain.start_at) + 12_345)).time).toBeCloseTo(12.345, 6);
  });
});

describe('playback window and start', () => {
  it('an hour either side of the instant, never in the future', () => {
    const now = Date.parse('2026-01-02T12:00:00Z');
    expect(playbackWindow(at('10:00:00'), now)).toEqual({ from: at('09:00:00'), to: at('11:00:00') });
    expect(playbackWindow(at('11:59:30'), now)).toEqual({ from: at('10:59:30'), to: at('12:00:00') });
    expect(playbackWindow(at('13:00:00'), now)).toEqual({ from: at('11:00:00'), to: at('12:00:00') });
  });

  it('an instant past the filed footage (still recording) starts on its last seconds', () => {
    expect(startFor(pb, at('10:50:00'))).toEqual({ time: 1770, where: 'after' });
    expect(startFor(pb, at('10:01:00'))).toEqual({ time: 60, where: 'footage' });
  });
});
