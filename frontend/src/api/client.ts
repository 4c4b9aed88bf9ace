// The one place that talks HTTP to Argus: bearer auth, JSON, error decoding and token refresh.
// Refresh-token rotation means a refresh token is good exactly once, so every caller that hits a
// 401 at the same time shares one in-flight refresh (`refreshing`).

import { ApiError, errorFromResponse } from './errors';
import type { Session, SessionStore } from './session';
import type { TokenPair } from './types';

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface ClientOptions {
  store: SessionStore;
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Called once when the session cannot be refreshed any more. */
  onSessionEnded?: (reason: string) => void;
}

/** Refresh this long before the access token expires. */
const EARLY_REFRESH_MS = 30_000;

export function buildQuery(query?: Query): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function sessionFromPair(pair: TokenPair, now: number): Session {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: now + pair.expires_in * 1000,
  };
}

export class ApiClient {
  readonly baseUrl: string;
  readonly store: SessionStore;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly onSessionEnded?: (reason: string) => void;
  private refreshing: Promise<string | null> | null = null;

  constructor(opts: ClientOptions) {
    this.store = opts.store;
    this.baseUrl = opts.baseUrl ?? '/api/v1';
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = opts.now ?? Date.now;
    this.onSessionEnded = opts.onSessionEnded;
  }

  url(path: string, query?: Query): string {
    return `${this.baseUrl}${path}${buildQuery(query)}`;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }
  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  }

  /** Like `request` but hands back the raw Response (downloads, exports). */
  async raw(path: string, query?: Query): Promise<Response> {
    return this.send('GET', path, { query });
  }

  /** A valid access token, refreshed first if it is about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const s = this.store.get();
    if (!s) return null;
    if (s.expiresAt - this.now() > EARLY_REFRESH_MS) return s.accessToken;
    return this.refresh(s.accessToken);
  }

  /**
   * Exchange the refresh token once for everyone. `staleAccess` is the access token the caller
   * saw fail; if the store already holds a newer one (another request or tab refreshed), use it.
   */
  refresh(staleAccess?: string): Promise<string | null> {
    const s = this.store.get();
    if (!s) return Promise.resolve(null);
    if (staleAccess && s.accessToken !== staleAccess && s.expiresAt - this.now() > EARLY_REFRESH_MS) {
      return Promise.resolve(s.accessToken);
    }
    if (!this.refreshing) {
      this.refreshing = this.doRefresh(s).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(s: Session): Promise<string | null> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url('/auth/refresh'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: s.refreshToken }),
      });
    } catch {
      return null; // offline: keep the session, the caller fails with a network error
    }
    if (!res.ok) {
      // Another tab may have rotated the token meanwhile; its result is in the store.
      const latest = this.store.get();
      if (latest && latest.refreshToken !== s.refreshToken) return latest.accessToken;
      if (res.status === 401 || res.status === 403) this.endSession('Your session expired. Please sign in again.');
      return null;
    }
    const pair = (await res.json()) as TokenPair;
    this.store.set(sessionFromPair(pair, this.now()));
    return pair.access_token;
  }

  endSession(reason: string): void {
    if (!this.store.get()) return;
    this.store.set(null);
    this.onSessionEnded?.(reason);
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const auth = opts.auth ?? true;
    let token = auth ? await this.accessToken() : null;
    let res = await this.fetchOnce(method, path, opts, token);
    if (res.status === 401 && auth && token) {
      token = await this.refresh(token);
      if (token) res = await this.fetchOnce(method, path, opts, token);
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  private async fetchOnce(method: string, path: string, opts: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await this.fetchFn(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', 'Cannot reach the Argus server.');
    }
  }
}
