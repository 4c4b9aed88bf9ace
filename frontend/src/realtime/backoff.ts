/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  factor?: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs = 500, maxMs = 30_000, factor = 2, random = Math.random } = opts;
  const ceiling = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
