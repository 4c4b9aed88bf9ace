import { describe, expect, it, vi } from 'vitest';
import type { RecordingLinks } from '../api/types';
import { downloadRecording, linkExpired, probeStatus, SignedLinkRecovery } from './recordingLinks';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const links = (n: number, expiresAt = '2026-03-01T13:00:00Z'): RecordingLinks => ({
  stream_url: `/api/v1/recordings/r1/stream?expires=${n}&sig=s${n}`,
  download_url: `/api/v1/recordings/r1/download?expires=${n}&sig=d${n}`,
  expires_at: expiresAt,
});

describe('signed recording links', () => {
  it('treats links at (or within a few seconds of) their expiry as expired', () => {
    expect(linkExpired('2026-03-01T13:00:00Z', NOW)).toBe(false);
    expect(linkExpired('2026-03-01T12:00:03Z', NOW)).toBe(true);
    expect(linkExpired('2026-03-01T11:00:00Z', NOW)).toBe(true);
    expect(linkExpired('not a date', NOW)).toBe(true);
  });

  it('probes a link with a one-byte range request and reports its status', async () => {
    const fetchFn = vi.fn(async () => new Response('x', { status: 403 }));
    expect(await probeStatus('/api/v1/recordings/r1/stream?sig=x', fetchFn)).toBe(403);
    expect(fetchFn).toHaveBeenCalledWith('/api/v1/recordings/r1/stream?sig=x', expect.objectContaining({ headers: { Range: 'bytes=0-0' } }));
    expect(await probeStatus('/x', async () => { throw new TypeError('offline'); })).toBeNull();
  });

  it('an expired link is refreshed and playback resumes at the same position', async () => {
    const fetchLinks = vi.fn(async () => links(2));
    const probe = vi.fn(async () => 206);
    const r = new SignedLinkRecovery({ fetchLinks, probe, now: () => NOW });
    const old = links(1, '2026-03-01T11:59:00Z'); // expired a minute ago
    const out = await r.recover(old.stream_url, old, { time: 42.5, playing: true });
    expect(out).toEqual({ kind: 'refreshed', links: links(2), resume: { time: 42.5, playing: true } });
    expect(probe).not.toHaveBeenCalled(); // the clock already says expired
    expect(fetchLinks).toHaveBeenCalledTimes(1);
  });

  it('a 403 from a link the clock thinks is valid (skew, tampering) also refreshes', async () => {
    const fetchLinks = vi.fn(async () => links(2));
    const r = new SignedLinkRecovery({ fetchLinks, probe: async () => 403, now: () => NOW });
    const out = await r.recover(links(1).stream_url, links(1), { time: 7, playing: false });
    expect(out).toMatchObject({ kind: 'refreshed', resume: { time: 7, playing: false } });
  });

  it('other media errors do not fetch links (the file itself is the problem)', async () => {
    const fetchLinks = vi.fn(async () => links(2));
    const r = new SignedLinkRecovery({ fetchLinks, probe: async () => 206, now: () => NOW });
    expect(await r.recover(links(1).stream_url, links(1), { time: 3, playing: true })).toEqual({ kind: 'failed', reason: 'not-link' });
    expect(fetchLinks).not.toHaveBeenCalled();
  });

  it('gives up when fresh links keep being rejected, until the media loads again', async () => {
    const fetchLinks = vi.fn(async () => links(2));
    const r = new SignedLinkRecovery({ fetchLinks, probe: async () => 403, now: () => NOW, maxRefreshes: 2 });
    const pos = { time: 1, playing: true };
    expect((await r.recover('/a', links(1), pos)).kind).toBe('refreshed');
    expect((await r.recover('/a', links(2), pos)).kind).toBe('refreshed');
    expect(await r.recover('/a', links(2), pos)).toEqual({ kind: 'failed', reason: 'gave-up' });
    r.loaded();
    expect((await r.recover('/a', links(2), pos)).kind).toBe('refreshed');
    expect(fetchLinks).toHaveBeenCalledTimes(3);
  });

  it('downloads through the signed download_url, never an access token', async () => {
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.getAttribute('href')!);
    });
    await downloadRecording(async () => links(5));
    expect(clicked).toEqual(['/api/v1/recordings/r1/download?expires=5&sig=d5']);
    expect(document.querySelector('a[download]')).toBeNull();
    click.mockRestore();
  });
});
