// Signed, expiring recording links (`GET /recordings/{id}/links`). A `<video>` or `<a>` opens them
// without an Authorization header, so no access token ever sits in a media URL. A link can expire
// while the player is open (a long recording, or paused for long); the next range request then
// gets a 403 and the video errors. `SignedLinkRecovery` decides whether such an error was the
// link being rejected and, if so, fetches new links so the player can resume where it was.

import type { RecordingLinks } from '../api/types';

/** A link this close to its expiry counts as expired (clock skew, request in flight). */
export const EXPIRY_MARGIN_MS = 5_000;

export function linkExpired(expiresAt: string, now = Date.now(), marginMs = EXPIRY_MARGIN_MS): boolean {
  const t = Date.parse(expiresAt);
  return Number.isNaN(t) || t - now <= marginMs;
}

/** The status a signed media URL answers right now (one byte via Range); null when unreachable. */
export async function probeStatus(url: string, fetchFn: typeof fetch = (i, init) => globalThis.fetch(i, init)): Promise<number | null> {
  try {
    const res = await fetchFn(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
    void res.body?.cancel().catch(() => undefined);
    return res.status;
  } catch {
    return null;
  }
}

/** Where playback was when the link failed, to resume there. */
export interface MediaPosition {
  time: number;
  playing: boolean;
}

export interface LinkRecoveryDeps {
  fetchLinks: () => Promise<RecordingLinks>;
  probe?: (url: string) => Promise<number | null>;
  now?: () => number;
  /** Refreshes allowed in a row without the media loading in between (default 2). */
  maxRefreshes?: number;
}

export type Recovery =
  | { kind: 'refreshed'; links: RecordingLinks; resume: MediaPosition }
  /** `not-link`: the link is fine, the media itself failed; `gave-up`: new links keep failing. */
  | { kind: 'failed'; reason: 'not-link' | 'gave-up' };

export class SignedLinkRecovery {
  private attempts = 0;

  constructor(private readonly deps: LinkRecoveryDeps) {}

  /** The media loaded with the current link: a later failure may refresh again. */
  loaded(): void {
    this.attempts = 0;
  }

  /**
   * The `<video>` playing `failedUrl` (from `current`) errored at `position`. Expired by the clock
   * or answered 403 → fetch new links (errors of that call propagate); anything else → not-link.
   */
  async recover(failedUrl: string, current: RecordingLinks, position: MediaPosition): Promise<Recovery> {
    const now = this.deps.now ?? Date.now;
    const rejected = linkExpired(current.expires_at, now()) || (await (this.deps.probe ?? probeStatus)(failedUrl)) === 403;
    if (!rejected) return { kind: 'failed', reason: 'not-link' };
    if (this.attempts >= (this.deps.maxRefreshes ?? 2)) return { kind: 'failed', reason: 'gave-up' };
    this.attempts += 1;
    const links = await this.deps.fetchLinks();
    return { kind: 'refreshed', links, resume: { time: Math.max(0, position.time), playing: position.playing } };
  }
}

/** Starts a download of a recording through its signed `download_url` (fetched now, so fresh). */
export async function downloadRecording(fetchLinks: () => Promise<RecordingLinks>, doc: Document = document): Promise<void> {
  const { download_url } = await fetchLinks();
  const a = doc.createElement('a');
  a.href = download_url;
  a.download = '';
  a.rel = 'noopener';
  doc.body.appendChild(a);
  a.click();
  a.remove();
}
