// Coalesces WebSocket events so a burst (1,000 status events a second in a reconnect storm)
// cannot freeze the page: events are queued and applied together once per animation frame, and
// the refetches they ask for run at most once per REFETCH_MIN_MS each.

import type { QueryClient, QueryFilters } from '@tanstack/react-query';
import type { WsEvent } from '../api/types';
import { applyEvents, type MarkStale } from './applyEvent';

/** The shortest gap between two refetches of the same queries caused by events. */
export const REFETCH_MIN_MS = 1_000;
/** Hidden tabs get no animation frames: a timer flushes instead, at this pace. */
export const HIDDEN_FLUSH_MS = 500;

export interface Clock {
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (t: unknown) => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/**
 * Invalidations with a minimum gap per request id: the first runs at once, later ones within
 * `minMs` are merged into one that runs when the gap is over.
 */
export class ThrottledStale {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, QueryFilters>();
  private timer: unknown = null;

  constructor(
    private readonly invalidate: (filters: QueryFilters) => void,
    private readonly minMs = REFETCH_MIN_MS,
    private readonly clock: Clock = realClock,
  ) {}

  readonly mark: MarkStale = (id, filters) => {
    const now = this.clock.now();
    const last = this.last.get(id);
    if (last === undefined || now - last >= this.minMs) {
      this.last.set(id, now);
      this.pending.delete(id);
      this.invalidate(filters);
      return;
    }
    this.pending.set(id, filters);
    this.schedule(last + this.minMs - now);
  };

  private schedule(ms: number): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      const due = [...this.pending];
      this.pending.clear();
      for (const [id, filters] of due) this.mark(id, filters);
    }, Math.max(0, ms));
  }

  dispose(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}

/** Runs `fn` once before the next paint (or soon, in a hidden tab); returns a cancel function. */
export type FrameScheduler = (fn: () => void) => () => void;

export const nextFrame: FrameScheduler = (fn) => {
  if (typeof document !== 'undefined' && document.visibilityState === 'hidden') {
    const t = setTimeout(fn, HIDDEN_FLUSH_MS);
    return () => clearTimeout(t);
  }
  const id = requestAnimationFrame(fn);
  return () => cancelAnimationFrame(id);
};

/** Queues events and applies them to the cache as one batch per frame. */
export class EventBatcher {
  private queue: WsEvent[] = [];
  private cancel: (() => void) | null = null;
  private readonly stale: ThrottledStale;

  constructor(
    private readonly qc: QueryClient,
    private readonly schedule: FrameScheduler = nextFrame,
    clock: Clock = realClock,
  ) {
    this.stale = new ThrottledStale((f) => void qc.invalidateQueries(f), REFETCH_MIN_MS, clock);
  }

  get queued(): number {
    return this.queue.length;
  }

  push(e: WsEvent): void {
    this.queue.push(e);
    if (!this.cancel) this.cancel = this.schedule(() => this.flush());
  }

  flush(): void {
    this.cancel?.();
    this.cancel = null;
    const batch = this.queue;
    this.queue = [];
    applyEvents(this.qc, batch, this.stale.mark);
  }

  dispose(): void {
    this.cancel?.();
    this.cancel = null;
    this.queue = [];
    this.stale.dispose();
  }
}
