/** Delay before the n-th retry of a stream that is not (yet) playable: 1 s, 2 s, 4 s … capped at 8 s. */
export function retryDelay(attempt: number): number {
  return Math.min(8_000, 1_000 * 2 ** Math.max(0, attempt));
}

/** Whether a cached signed playback URL is still good for at least `marginMs`. */
export function playbackValid(expiresAt: string | undefined, now = Date.now(), marginMs = 30_000): boolean {
  if (!expiresAt) return false;
  const t = Date.parse(expiresAt);
  return !Number.isNaN(t) && t - now > marginMs;
}
