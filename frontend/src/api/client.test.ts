import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './errors';
import { memorySessionStore } from './session';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const pair = (n: number) => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'Bearer', expires_in: 900, user: {} });

function setup(fetchImpl: (url: string, init: RequestInit) => Promise<Response>, expiresInMs = 600_000) {
  const store = memorySessionStore({ accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt: Date.now() + expiresInMs });
  const fetchMock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => fetchImpl(String(input), init ?? {}));
  const ended = vi.fn();
  const client = new ApiClient({ store, fetch: fetchMock as unknown as typeof fetch, onSessionEnded: ended });
  return { store, fetchMock, client, ended };
}

const bearer = (init: RequestInit) => (init.headers as Record<string, string>).Authorization;

describe('ApiClient token refresh', () => {
  it('shares one refresh between concurrent 401s and retries each request once', async () => {
    let refreshes = 0;
    const { client, fetchMock, store } = setup(async (url, init) => {
      if (url.endsWith('/auth/refresh')) {
        refreshes += 1;
        expect(JSON.parse(String(init.body))).toEqual({ refresh_token: 'refresh-0' });
        await new Promise((r) => setTimeout(r, 10));
        return json(200, pair(1));
      }
      return bearer(init) === 'Bearer access-1' ? json(200, { url }) : json(401, { error: { code: 'unauthorized', message: 'expired' } });
    });

    const results = await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')]);
    expect(results).toEqual([{ url: '/api/v1/a' }, { url: '/api/v1/b' }, { url: '/api/v1/c' }]);
    expect(refreshes).toBe(1);
    expect(store.get()?.refreshToken).toBe('refresh-1');
    // 3 failed + 1 refresh + 3 retries
    expect(fetchMock).toHaveBeenCalledTimes(7);
  });

  it('ends the session when the refresh token is rejected', async () => {
    const { client, store, ended } = setup(async (url) =>
      url.endsWith('/auth/refresh')
        ? json(401, { error: { code: 'unauthorized', message: 'refresh token reuse detected' } })
        : json(401, { error: { code: 'unauthorized', message: 'expired' } }),
    );
    await expect(client.get('/cameras')).rejects.toMatchObject({ status: 401 });
    expect(store.get()).toBeNull();
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('refreshes ahead of time when the access token is about to expire', async () => {
    const { client, fetchMock } = setup(async (url, init) => {
      if (url.endsWith('/auth/refresh')) return json(200, pair(2));
      return json(200, { auth: bearer(init) });
    }, 5_000);
    await expect(client.get('/x')).resolves.toEqual({ auth: 'Bearer access-2' });
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/auth/refresh');
  });

  it('does not retry or refresh unauthenticated calls', async () => {
    const { client, fetchMock } = setup(async () => json(401, { error: { code: 'unauthorized', message: 'invalid username or password' } }));
    await expect(client.request('POST', '/auth/login', { body: {}, auth: false })).rejects.toMatchObject({ message: 'invalid username or password' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

describe('ApiClient errors', () => {
  it('decodes 422 details into field errors', async () => {
    const { client } = setup(async () =>
      json(422, { error: { code: 'validation_failed', message: 'invalid', details: { name: [{ code: 'length', message: 'too long' }] } } }),
    );
    const e = (await client.post('/cameras', {}).catch((x) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.fieldErrors).toEqual({ name: [{ code: 'length', message: 'too long' }] });
  });

  it('reads Retry-After of a 429', async () => {
    const { client } = setup(async () => json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '42' }));
    await expect(client.get('/x')).rejects.toMatchObject({ status: 429, retryAfter: 42 });
  });

  it('turns a network failure into status 0', async () => {
    const { client } = setup(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('builds query strings without empty values', () => {
    const { client } = setup(async () => json(200, {}));
    expect(client.url('/cameras', { q: 'a b', page: 2, is_active: false, place: '', company: undefined })).toBe('/api/v1/cameras?q=a+b&page=2&is_active=false');
  });
});
