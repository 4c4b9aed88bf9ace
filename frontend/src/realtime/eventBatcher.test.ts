import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { keys } from '../api/keys';
import type { Camera, Page, WsEvent } from '../api/types';
import { camera, page, stats } from '../test/fixtures';
import { applyEvents } from './applyEvent';
import { EventBatcher, REFETCH_MIN_MS, ThrottledStale, type Clock } from './eventBatcher';

const at = '2026-01-01T00:00:00Z';
const status = (id: string, s: 'online' | 'offline'): WsEvent => ({ type: 'camera.status', data: { camera_id: id, stream_status: s, last_seen_at: null }, at });

function fakeClock() {
  let now = 0;
  const timers: { fn: () => void; due: number }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { fn, due: now + ms };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => void timers.splice(timers.indexOf(t as (typeof timers)[number]), 1),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.due <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance, timers };
}

/** A frame scheduler the test runs by hand. */
function frames() {
  const queued: (() => void)[] = [];
  return { schedule: (fn: () => void) => (queued.push(fn), () => void queued.splice(queued.indexOf(fn), 1)), run: () => queued.splice(0).forEach((f) => f()), queued };
}

describe('EventBatcher', () => {
  it('applies a burst as one cache update per frame, with the last status of each camera', () => {
    const qc = new QueryClient();
    const list = keys.cameraList({ page: 1 });
    qc.setQueryData(list, page([camera('a'), camera('b'), camera('c')]));
    const updates = vi.fn();
    qc.getQueryCache().subscribe((e) => e.type === 'updated' && e.query.queryKey[1] === 'list' && updates());
    const f = frames();
    const batcher = new EventBatcher(qc, f.schedule, fakeClock().clock);

    for (let i = 0; i < 1000; i++) batcher.push(status(i % 2 ? 'a' : 'b', i % 4 < 2 ? 'online' : 'offline'));
    expect(f.queued).toHaveLength(1); // one flush scheduled, nothing applied yet
    expect(updates).not.toHaveBeenCalled();
    f.run();

    expect(updates).toHaveBeenCalledTimes(1);
    expect(batcher.queued).toBe(0);
    // Event 998 (b) was offline, 999 (a) also offline: i % 4 = 2 and 3.
    const items = qc.getQueryData<Page<Camera>>(list)!.items;
    expect(items.map((c) => c.stream_status)).toEqual(['offline', 'offline', 'offline']);
    batcher.push(status('a', 'online'));
    f.run();
    expect(qc.getQueryData<Page<Camera>>(list)!.items[0].stream_status).toBe('online');
    expect(updates).toHaveBeenCalledTimes(2);
  });

  it('keeps the objects of cameras that did not change, and leaves pages without them untouched', () => {
    const qc = new QueryClient();
    const [p1, p2] = [keys.cameraList({ page: 1 }), keys.cameraList({ page: 2 })];
    qc.setQueryData(p1, page([camera('a'), camera('b')]));
    qc.setQueryData(p2, page([camera('x')]));
    const before1 = qc.getQueryData<Page<Camera>>(p1)!;
    const before2 = qc.getQueryData<Page<Camera>>(p2)!;
    applyEvents(qc, [status('a', 'online')]);
    const after1 = qc.getQueryData<Page<Camera>>(p1)!;
    expect(after1.items[0]).not.toBe(before1.items[0]);
    expect(after1.items[1]).toBe(before1.items[1]);
    expect(qc.getQueryData(p2)).toBe(before2);
    expect(qc.getQueryState(p2)!.dataUpdateCount).toBe(1);
  });

  it('keeps the last statistics of a burst and refetches status-filtered lists at most once a second', () => {
    const qc = new QueryClient();
    const online = keys.cameraList({ stream_status: 'online', limit: 4 });
    qc.setQueryData(online, page([camera('a', { stream_status: 'online' })]));
    const invalidate = vi.spyOn(qc, 'invalidateQueries');
    const f = frames();
    const { clock, advance } = fakeClock();
    const batcher = new EventBatcher(qc, f.schedule, clock);
    const statsEvent = (n: number): WsEvent => ({ type: 'stats.updated', data: { stats: stats({ online: n }) }, at });

    for (let n = 1; n <= 50; n++) batcher.push(statsEvent(n));
    f.run();
    expect(qc.getQueryData<{ online: number }>(keys.stats)!.online).toBe(50);
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(qc.getQueryState(online)!.isInvalidated).toBe(true);

    for (let frame = 0; frame < 10; frame++) {
      batcher.push(statsEvent(60 + frame));
      batcher.push(status('a', frame % 2 ? 'online' : 'offline'));
      f.run();
      advance(16);
    }
    // Ten frames of events: one more refetch per kind (the camera's first), the rest wait for the gap.
    const kinds = () => invalidate.mock.calls.map(([f]) => JSON.stringify((f as { queryKey?: unknown[] }).queryKey ?? 'by-status'));
    expect(kinds()).toEqual(['"by-status"', '["camera-health","a"]']);
    advance(REFETCH_MIN_MS);
    expect(kinds()).toEqual(['"by-status"', '["camera-health","a"]', '"by-status"', '["camera-health","a"]']);
    advance(10 * REFETCH_MIN_MS);
    expect(invalidate).toHaveBeenCalledTimes(4);
  });

  it('flushes what is queued on demand (before a resync) and forgets it when disposed', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.camera('a'), camera('a'));
    const f = frames();
    const batcher = new EventBatcher(qc, f.schedule, fakeClock().clock);
    batcher.push(status('a', 'online'));
    batcher.flush();
    expect(qc.getQueryData<Camera>(keys.camera('a'))!.stream_status).toBe('online');
    expect(f.queued).toHaveLength(0);
    batcher.push(status('a', 'offline'));
    batcher.dispose();
    f.run();
    expect(qc.getQueryData<Camera>(keys.camera('a'))!.stream_status).toBe('online');
  });
});

describe('ThrottledStale', () => {
  it('runs the first request at once and merges the next ones of the same id into one after the gap', () => {
    const { clock, advance } = fakeClock();
    const run = vi.fn();
    const stale = new ThrottledStale(run, 1000, clock);
    stale.mark('x', { queryKey: ['x'] });
    stale.mark('y', { queryKey: ['y'] }); // another id: not held back by x
    expect(run.mock.calls.map(([f]) => f.queryKey)).toEqual([['x'], ['y']]);
    advance(100);
    stale.mark('x', { queryKey: ['x'] });
    stale.mark('x', { queryKey: ['x'] });
    advance(800);
    expect(run).toHaveBeenCalledTimes(2);
    advance(100);
    expect(run).toHaveBeenCalledTimes(3);
    advance(5000);
    expect(run).toHaveBeenCalledTimes(3);
  });
});
