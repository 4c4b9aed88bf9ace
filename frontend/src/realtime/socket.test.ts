import { describe, expect, it, vi } from 'vitest';
import type { WsEvent } from '../api/types';
import { backoffDelay } from './backoff';
import { RealtimeClient, type SocketLike } from './socket';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readyState = 0;
  sent: string[] = [];
  constructor(readonly url: string) {}
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: WsEvent[] = [];
  const onResync = vi.fn();
  const rt = new RealtimeClient({
    getToken: async () => 'jwt',
    onEvent: (e) => events.push(e),
    onResync,
    url: (t) => `ws://test/ws?access_token=${t}`,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoff: { baseMs: 100, maxMs: 1000, random: () => 1 },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { rt, sockets, timers, events, onResync, tick };
}

describe('backoffDelay', () => {
  it('grows exponentially with jitter and a cap', () => {
    const max = (a: number) => backoffDelay(a, { baseMs: 500, maxMs: 30_000, random: () => 1 });
    const min = (a: number) => backoffDelay(a, { baseMs: 500, maxMs: 30_000, random: () => 0 });
    expect([0, 1, 2, 3].map(max)).toEqual([500, 1000, 2000, 4000]);
    expect(min(3)).toBe(2000);
    expect(max(20)).toBe(30_000);
  });
});

describe('RealtimeClient', () => {
  it('connects with the token, dispatches events and reconnects with growing delays', async () => {
    const { rt, sockets, timers, events, onResync, tick } = harness();
    rt.start();
    await tick();
    expect(sockets[0].url).toBe('ws://test/ws?access_token=jwt');
    sockets[0].open();
    sockets[0].onmessage?.({ data: JSON.stringify({ type: 'camera.status', data: { camera_id: 'c1', stream_status: 'online', last_seen_at: null }, at: 'now' }) });
    sockets[0].onmessage?.({ data: 'not json' });
    expect(events.map((e) => e.type)).toEqual(['camera.status']);
    expect(onResync).not.toHaveBeenCalled();

    // The server dropped events this client could not take: refetch, as after a reconnect.
    sockets[0].onmessage?.({ data: JSON.stringify({ type: 'resync', data: { missed: 5000 }, at: 'now' }) });
    expect(onResync).toHaveBeenCalledTimes(1);
    expect(events.map((e) => e.type)).toEqual(['camera.status']);
    onResync.mockClear();

    sockets[0].drop();
    expect(timers.map((t) => t.ms)).toEqual([100]);
    timers[0].fn();
    await tick();
    sockets[1].drop(); // handshake failed
    expect(timers.map((t) => t.ms)).toEqual([100, 200]);
    timers[1].fn();
    await tick();
    sockets[2].open();
    expect(onResync).toHaveBeenCalledTimes(1); // missed events: refetch
    expect(rt.attempts).toBe(0);

    sockets[2].drop();
    expect(timers[2].ms).toBe(100); // backoff reset after a successful connect
  });

  it('re-sends the camera subscription after reconnecting', async () => {
    const { rt, sockets, timers, tick } = harness();
    rt.start();
    await tick();
    sockets[0].open();
    rt.subscribe(['a', 'b']);
    expect(JSON.parse(sockets[0].sent[0])).toEqual({ type: 'subscribe', camera_ids: ['a', 'b'] });
    sockets[0].drop();
    timers[0].fn();
    await tick();
    sockets[1].open();
    expect(JSON.parse(sockets[1].sent[0])).toEqual({ type: 'subscribe', camera_ids: ['a', 'b'] });
  });

  it('stops for good on stop()', async () => {
    const { rt, sockets, timers, tick } = harness();
    rt.start();
    await tick();
    sockets[0].open();
    rt.stop();
    sockets[0].drop();
    expect(timers).toHaveLength(0);
  });
});
