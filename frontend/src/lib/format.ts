// Display helpers (pure, unit-tested).

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[i]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const secs = Math.round((now - t) / 1000);
  if (Math.abs(secs) < 10) return 'just now';
  const abs = Math.abs(secs);
  const [v, unit] =
    abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.floor(abs / 60), 'min'] : abs < 86400 ? [Math.floor(abs / 3600), 'h'] : [Math.floor(abs / 86400), 'd'];
  return secs >= 0 ? `${v} ${unit} ago` : `in ${v} ${unit}`;
}

export function formatBitrate(kbps: number | null | undefined): string {
  if (kbps === null || kbps === undefined || !Number.isFinite(kbps)) return '—';
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

export type QualityLevel = 'good' | 'fair' | 'poor';

export function qualityLevel(score: number): QualityLevel {
  if (score >= 80) return 'good';
  if (score >= 50) return 'fair';
  return 'poor';
}

/** `<input type="datetime-local">` value (local time) → RFC 3339 UTC, or undefined. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function formatRetryAfter(secs: number): string {
  if (secs < 60) return `${secs} second${secs === 1 ? '' : 's'}`;
  const m = Math.ceil(secs / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** Days of a forecast: null (nothing to forecast, e.g. no disk size known or no growth) is '—'. */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined || !Number.isFinite(days) || days < 0) return '—';
  if (days < 1) return '< 1 day';
  const d = Math.floor(days);
  return `${d} day${d === 1 ? '' : 's'}`;
}

/** A schedule interval in seconds as "every 15 min", "every 6 h", "every day". */
export function formatInterval(secs: number): string {
  if (secs % 86400 === 0) return secs === 86400 ? 'every day' : `every ${secs / 86400} days`;
  if (secs % 3600 === 0) return `every ${secs / 3600} h`;
  if (secs % 60 === 0) return `every ${secs / 60} min`;
  return `every ${secs} s`;
}

/** A percentage such as an uptime: "99.5 %", "100 %"; null (nothing to measure) is '—'. */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  // Not clamped: a process's CPU use goes past 100 % on several cores.
  return `${Number.isInteger(v) ? v : v.toFixed(1)} %`;
}

/** A long span in seconds, two units at most: "3 d 4 h", "5 h 12 min", "42 s". */
export function formatSpan(secs: number | null | undefined): string {
  if (secs === null || secs === undefined || !Number.isFinite(secs) || secs < 0) return '—';
  const s = Math.floor(secs);
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return h ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}
