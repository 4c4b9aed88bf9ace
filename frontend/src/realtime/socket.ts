// WebSocket client: connects with a fresh access token, reconnects with exponential backoff,
// and asks for a resync (refetch everything) after any reconnect, since events were missed.

import type { WsEvent } from '../api/types';
import { backoffDelay, type BackoffOptions } from './backoff';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'stopped';

/** The part of the browser WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface RealtimeOptions {
  getToken: () => Promise<string | null>;
  onEvent: (e: WsEvent) => void;
  /** After a reconnect (not the first connect) or a server `resync`: refetch what may have changed meanwhile. */
  onResync: () => void;
  onState?: (s: ConnectionState) => void;
  url?: (token: string) => string;
  createSocket?: (url: string) => SocketLike;
  backoff?: BackoffOptions;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

const OPEN = 1;

export function defaultWsUrl(token: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/v1/ws?access_token=${encodeURIComponent(token)}`;
}

export class RealtimeClient {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = true;
  private timer: unknown = null;
  private cameraIds: string[] | null = null;
  private readonly o: Required<Omit<RealtimeOptions, 'onState' | 'backoff'>> &
    Pick<RealtimeOptions, 'onState' | 'backoff'>;

  constructor(opts: RealtimeOptions) {
    this.o = {
      url: defaultWsUrl,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      ...opts,
    };
  }

  get attempts(): number {
    return this.attempt;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'bye');
    }
    this.o.onState?.('stopped');
  }

  /** Reconnect now (e.g. the browser came back online), skipping any pending backoff. */
  reconnectNow(): void {
    if (this.stopped || (this.socket && this.socket.readyState === OPEN)) return;
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    void this.connect();
  }

  /** Limit events to these cameras (null = all); re-sent after every reconnect. */
  subscribe(cameraIds: string[] | null): void {
    this.cameraIds = cameraIds;
    this.sendSubscribe();
  }

  private sendSubscribe(): void {
    if (this.socket?.readyState === OPEN) {
      this.socket.send(JSON.stringify({ type: 'subscribe', camera_ids: this.cameraIds }));
    }
  }

  private async connect(): Promise<void> {
    this.o.onState?.(this.everOpened ? 'reconnecting' : 'connecting');
    const token = await this.o.getToken().catch(() => null);
    if (this.stopped) return;
    if (!token) {
      this.scheduleReconnect();
      return;
    }
    let socket: SocketLike;
    try {
      socket = this.o.createSocket(this.o.url(token));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.o.onState?.('open');
      if (this.cameraIds) this.sendSubscribe();
      if (reconnected) this.o.onResync();
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      try {
        const msg = JSON.parse(ev.data) as WsEvent;
        // The server dropped events we were too slow to take: same as after a reconnect.
        if (msg?.type === 'resync') this.o.onResync();
        else if (msg && typeof msg.type === 'string') this.o.onEvent(msg);
      } catch {
        /* ignore malformed frames */
      }
    };
    socket.onerror = () => {
      /* onclose follows */
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.o.backoff);
    this.attempt += 1;
    this.o.onState?.('reconnecting');
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}
