// Shared test helpers: fixtures, a fake fetch router and a render wrapper with all providers.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';
import { sessionStore } from '../api';
import { keys } from '../api/keys';
import type { Camera, Me, Page, Permission, Role } from '../api/types';
import { AuthProvider } from '../auth/AuthProvider';

export function camera(id: string, over: Partial<Camera> = {}): Camera {
  return {
    id, name: `Cam ${id}`, company: null, model: null, serial_number: `SN-${id}`, location: null, place: null,
    recording_enabled: true, transcode_profile: 'default', is_active: true, stream_status: 'offline', last_seen_at: null, legal_hold: false,
    created_via: 'dashboard', created_by: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
  };
}

export const page = <T,>(items: T[]): Page<T> => ({ items, total: items.length, page: 1, limit: 25, total_pages: 1 });

const ROLE_PERMS: Record<Role, Permission[]> = {
  admin: ['camera.read', 'camera.write', 'camera.key.read', 'camera.watch', 'recording.read', 'recording.delete', 'stats.read', 'user.manage', 'token.manage', 'audit.read'],
  operator: ['camera.read', 'camera.write', 'camera.key.read', 'camera.watch', 'recording.read', 'recording.delete', 'stats.read'],
  viewer: ['camera.read', 'camera.watch', 'recording.read', 'stats.read'],
  api: [],
};

export function me(role: Role): Me {
  return {
    id: `u-${role}`, username: role, email: null, role, is_active: true, created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z', last_login_at: null, permissions: ROLE_PERMS[role],
  };
}

type Handler = (url: URL, init: RequestInit) => unknown;

/** Stubs global fetch: `routes` maps "METHOD /path" to a JSON body or a handler returning a Response/body. */
export function mockFetch(routes: Record<string, unknown | Handler>) {
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const key = `${init.method ?? 'GET'} ${url.pathname.replace('/api/v1', '')}`;
    if (!(key in routes)) return new Response(JSON.stringify({ error: { code: 'not_found', message: key } }), { status: 404 });
    const r = routes[key];
    const out = typeof r === 'function' ? await (r as Handler)(url, init) : r;
    return out instanceof Response ? out : new Response(JSON.stringify(out), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

/** Renders `ui` signed in as `role` (session + cached /auth/me), inside router and query client. */
export function renderAs(role: Role | null, ui: ReactNode, path = '/') {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  if (role) {
    sessionStore.set({ accessToken: 'test-access', refreshToken: 'test-refresh', expiresAt: Date.now() + 600_000 });
    qc.setQueryData(keys.me, me(role));
  } else {
    sessionStore.set(null);
  }
  return {
    qc,
    ...render(
      <QueryClientProvider client={qc}>
        <AuthProvider>
          <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
        </AuthProvider>
      </QueryClientProvider>,
    ),
  };
}
