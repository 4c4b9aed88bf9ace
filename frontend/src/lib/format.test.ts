import { describe, expect, it } from 'vitest';
import { formatBitrate, formatBytes, formatDays, formatDuration, formatInterval, formatPercent, formatSpan, formatRelative, formatRetryAfter, localInputToIso, qualityLevel } from './format';

describe('format helpers', () => {
  it('formats bytes with binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(7_130_000)).toBe('6.8 MB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5.0 TB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(null)).toBe('—');
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(9_400)).toBe('0:09');
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(3_726_000)).toBe('1:02:06');
    expect(formatDuration(undefined)).toBe('—');
  });

  it('formats relative times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative('2026-01-01T11:59:55Z', now)).toBe('just now');
    expect(formatRelative('2026-01-01T11:58:00Z', now)).toBe('2 min ago');
    expect(formatRelative('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2025-12-30T12:00:00Z', now)).toBe('2 d ago');
  });

  it('formats bitrates and quality levels', () => {
    expect(formatBitrate(850)).toBe('850 kbit/s');
    expect(formatBitrate(2500)).toBe('2.5 Mbit/s');
    expect(qualityLevel(95)).toBe('good');
    expect(qualityLevel(60)).toBe('fair');
    expect(qualityLevel(10)).toBe('poor');
  });

  it('formats Retry-After and converts datetime-local input to UTC', () => {
    expect(formatRetryAfter(1)).toBe('1 second');
    expect(formatRetryAfter(42)).toBe('42 seconds');
    expect(formatRetryAfter(90)).toBe('2 minutes');
    expect(localInputToIso('')).toBeUndefined();
    const iso = localInputToIso('2026-03-04T05:06');
    expect(iso).toBe(new Date(2026, 2, 4, 5, 6).toISOString());
  });

  it('formats forecast days and job intervals', () => {
    expect(formatDays(null)).toBe('—');
    expect(formatDays(0.4)).toBe('< 1 day');
    expect(formatDays(1.9)).toBe('1 day');
    expect(formatDays(12.2)).toBe('12 days');
    expect(formatInterval(900)).toBe('every 15 min');
    expect(formatInterval(21_600)).toBe('every 6 h');
    expect(formatInterval(86_400)).toBe('every day');
    expect(formatInterval(45)).toBe('every 45 s');
  });

  it('formats percentages and long spans', () => {
    expect([formatPercent(97.54), formatPercent(100), formatPercent(0), formatPercent(250), formatPercent(null)]).toEqual(['97.5 %', '100 %', '0 %', '250 %', '—']);
    expect([formatSpan(42), formatSpan(600), formatSpan(5400), formatSpan(7200), formatSpan(90000), formatSpan(172800), formatSpan(-1)])
      .toEqual(['42 s', '10 min', '1 h 30 min', '2 h', '1 d 1 h', '2 d', '—']);
  });
});
