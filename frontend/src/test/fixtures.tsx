// Shared test helpers: fixtures, a fake fetch router and a render wrapper with all providers.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';
import { sessionStore } from '../api';
import type { Alert, AlertChannel } from '../api/alerts';
import { keys } from '../api/keys';
import type {
  Camera, DashboardStats, ExportView, GapCause, RecordedPlayback, Job, JobRun, Me, Page, Permission, PlannedAction, Recording, Role, StorageOverview, Timeline,
} from '../api/types';
import { AuthProvider } from '../auth/AuthProvider';

export function camera(id: string, over: Partial<Camera> = {}): Camera {
  return {
    id, name: `Cam ${id}`, company: null, model: null, serial_number: `SN-${id}`, location: null, place: null,
    recording_enabled: true, transcode_profile: 'default', is_active: true, stream_status: 'offline', last_seen_at: null, legal_hold: false,
    created_via: 'dashboard', created_by: null, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
  };
}

export function recording(id: string, over: Partial<Recording> = {}): Recording {
  return {
    id, camera_id: 'c1', checksum_sha256: 'ab'.repeat(32), created_at: '2026-01-02T00:00:00Z', started_at: '2026-01-01T23:00:00Z',
    ended_at: '2026-01-02T00:00:00Z', duration_ms: 3_600_000, size_bytes: 2 * 1024 ** 3, tier: 'hot', legal_hold: false, ...over,
  };
}

/** Local time on 2 Jan 2026 (no DST change that day anywhere), as RFC 3339. */
export const jan2 = (h: number, m = 0) => new Date(2026, 0, 2, h, m).toISOString();

/**
 * `GET /cameras/c1/timeline` for 2 Jan 2026, local time: recorded 00–06 and 12–18, offline 06–12,
 * deleted 18–24 (the bar's quarters).
 */
export function timeline(camera_id = 'c1', over: Partial<Timeline> = {}): Timeline {
  const gap = (from: number, to: number, cause: GapCause) => ({ from: jan2(from), to: jan2(to), cause });
  return {
    camera_id, from: jan2(0), to: jan2(24),
    intervals: [{ from: jan2(0), to: jan2(6) }, { from: jan2(12), to: jan2(18) }],
    gaps: [gap(6, 12, 'offline'), gap(18, 24, 'deleted')],
    ...over,
  };
}

const GB = 1024 ** 3;

/** `GET /storage`: HOT on a 100 GB disk with 40 GB free, WARM on S3 (no disk size), COLD/ARCHIVE off. */
export function storageOverview(over: Partial<StorageOverview> = {}): StorageOverview {
  return {
    tiers: [
      { tier: 'hot', configured: true, location: 'file:///var/lib/argus/recordings', recordings: 3, used_bytes: 6 * GB, disk_total_bytes: 100 * GB, disk_free_bytes: 40 * GB },
      { tier: 'warm', configured: true, location: 's3://argus-warm/rec', recordings: 1, used_bytes: 2 * GB, disk_total_bytes: null, disk_free_bytes: null },
      { tier: 'cold', configured: false, location: null, recordings: 0, used_bytes: 0, disk_total_bytes: null, disk_free_bytes: null },
      { tier: 'archive', configured: false, location: null, recordings: 0, used_bytes: 0, disk_total_bytes: null, disk_free_bytes: null },
    ],
    cameras: {
      items: [{ camera_id: 'c1', camera_name: 'Gate', recordings: 4, bytes_total: 8 * GB, bytes_by_tier: { hot: 6 * GB, warm: 2 * GB, cold: 0, archive: 0 }, bytes_per_day: GB, hot_days_left: 40 }],
      page: 1, limit: 25, total: 1, total_pages: 1,
    },
    bytes_per_day: GB, hot_days_left: 40, window_days: 7, ...over,
  };
}

export function plannedAction(recording_id: string, over: Partial<PlannedAction> = {}): PlannedAction {
  return { action: 'move', recording_id, camera_id: 'c1', from: 'hot', to: 'warm', reason: 'age', ended_at: '2026-01-02T00:00:00Z', ...over };
}

export function jobRun(id: string, over: Partial<JobRun> = {}): JobRun {
  return {
    id, job: 'storage', node: 'node-a', outcome: 'ok', items: 2, duration_ms: 1500,
    started_at: '2026-01-02T03:00:00Z', finished_at: '2026-01-02T03:00:01.5Z', ...over,
  };
}

export function job(name: string, over: Partial<Job> = {}): Job {
  return { name, interval_secs: 3600, last_run: null, next_run_at: null, recent_runs: [], ...over };
}

export const page = <T,>(items: T[]): Page<T> => ({ items, total: items.length, page: 1, limit: 25, total_pages: 1 });

export function stats(over: Partial<DashboardStats> = {}): DashboardStats {
  return {
    total: 3, online: 1, offline: 2, error: 0, api_created: 1, recording_enabled: 3, active_streams: 1, storage_used_bytes: 10,
    total_recordings: 4, storage_by_tier: { hot: 6, warm: 4, cold: 0, archive: 0 },
    recordings_total: 4, recordings_by_tier: { hot: 3, warm: 1, cold: 0, archive: 0 }, uptime_secs: 3600,
    memory_rss_bytes: 50_000_000, cpu_percent: 1.5, ...over,
  };
}

// As the server's roles grant them (api/src/auth/permissions.rs).
const ROLE_PERMS: Record<Role, Permission[]> = {
  admin: ['camera.read', 'camera.write', 'camera.key.read', 'camera.watch', 'recording.read', 'recording.delete', 'recording.hold', 'stats.read', 'user.manage', 'token.manage', 'audit.read', 'job.read', 'job.run', 'alert.read', 'alert.manage', 'alert.channel.manage'],
  operator: ['camera.read', 'camera.write', 'camera.key.read', 'camera.watch', 'recording.read', 'recording.delete', 'stats.read', 'job.read', 'alert.read', 'alert.manage'],
  viewer: ['camera.read', 'camera.watch', 'recording.read', 'stats.read', 'alert.read'],
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

/** jsdom's media elements do nothing: give the test control of the playback state. */
export function fakeMedia(v: HTMLVideoElement, state: { currentTime: number; readyState: number; paused: boolean; duration?: number }) {
  for (const [k, value] of Object.entries({ duration: 60, ...state })) Object.defineProperty(v, k, { value, writable: true, configurable: true });
  const play = vi.fn(async () => undefined);
  const pause = vi.fn();
  Object.assign(v, { play, pause });
  return { play, pause };
}

/** Lays `el` out `width` px wide from x = 0 (jsdom lays nothing out), for clicks by clientX. */
export function widen(el: HTMLElement, width: number) {
  el.getBoundingClientRect = () => ({ left: 0, top: 0, width, height: 20, right: width, bottom: 20, x: 0, y: 0, toJSON: () => ({}) });
}

/** An export of camera c1 over 02:00–02:30 on 2 Jan 2026 (local), queued. */
export function exportView(id: string, over: Partial<ExportView> = {}): ExportView {
  return {
    id, camera_id: 'c1', requested_by: { type: 'user', id: 'u-admin', name: 'admin' }, note: null,
    from: jan2(2), to: jan2(2, 30), state: 'queued', progress_percent: 0, eta_secs: null, size_bytes: null, checksum_sha256: null,
    duration_ms: null, error: null, created_at: jan2(3), started_at: null, finished_at: null, expires_at: null, download_url: null, ...over,
  };
}

/** `GET /cameras/c1/playback/recorded` over 01:27–03:27 (local, 2 Jan 2026): footage from 01:30, no gap. */
export function recordedPlayback(over: Partial<RecordedPlayback> = {}): RecordedPlayback {
  return {
    url: '/api/v1/playback/recorded/c1/index.m3u8?sig=s1', expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    from: jan2(1, 27), to: jan2(3, 27), start_at: jan2(1, 30), duration_secs: 7020, segments: 1170, discontinuities: [], ...over,
  };
}

/**
 * Makes jsdom's <video> a native HLS player (no Media Source: hls.js stays out) whose loading
 * does nothing; the test fires the media events. Restored after each test by `vi.restoreAllMocks`.
 */
export function nativeHls() {
  vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockReturnValue('maybe');
  vi.spyOn(HTMLMediaElement.prototype, 'load').mockImplementation(() => undefined);
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined);
}

/** An open `camera.offline` alert of camera c1 ("Gate"), seen twice. */
export function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id, type: 'camera.offline', severity: 'critical', state: 'open', camera_id: 'c1', camera_name: 'Gate', count: 2,
    first_seen: jan2(3), last_seen: jan2(3, 5), message: 'Gate has been offline for 2 min', acknowledged_at: null,
    acknowledged_by: null, resolved_at: null, resolved_by: null, ...over,
  };
}

/** An enabled webhook channel for every type and camera. */
export function alertChannel(id: string, over: Partial<AlertChannel> = {}): AlertChannel {
  return {
    id, name: `Hook ${id}`, kind: 'webhook', url: 'https://hooks.example.com/argus', to: [], alert_types: null, camera_ids: null,
    enabled: true, disabled_reason: null, failing_since: null, created_by: 'admin', created_at: jan2(1), updated_at: jan2(1), ...over,
  };
}
