// Typed wrappers for every route the dashboard uses (one line per route of the contract).

import { ApiClient, type Query } from './client';
import type {
  Alert, AlertChannel, AlertChannelUpdate, AlertDelivery, AlertQuery, AlertSummary, Availability, CreatedChannel, NewAlertChannel, SessionQuery, StreamSession,
} from './alerts';
import type {
  ApiToken, AuditLog, ExportQuery, ExportView, NewExport, RecordedPlayback, AuditQuery, Camera, CameraQuery, CameraUpdate, CreatedToken, DashboardStats,
  Job, JobRun, Me, NewApiToken, NewCamera, NewUser, Page, PermissionCatalog, PlannedAction, Playback,
  Profile, Recording, RecordingLinks, RecordingQuery, StorageOverview, Timeline, TokenPair, User, UserQuery, UserUpdate,
} from './types';

const enc = encodeURIComponent;
const q = (o: object): Query => o as Query;

export function endpoints(c: ApiClient) {
  return {
    auth: {
      login: (username: string, password: string) =>
        c.request<TokenPair>('POST', '/auth/login', { body: { username, password }, auth: false }),
      logout: (refresh_token?: string) => c.post<void>('/auth/logout', { refresh_token }),
      me: () => c.get<Me>('/auth/me'),
      changePassword: (current_password: string, new_password: string) =>
        c.post<void>('/auth/change-password', { current_password, new_password }),
      permissions: () => c.get<PermissionCatalog>('/permissions'),
    },
    cameras: {
      list: (query: CameraQuery) => c.get<Page<Camera>>('/cameras', q(query)),
      get: (id: string) => c.get<Camera>(`/cameras/${enc(id)}`),
      create: (body: NewCamera) => c.post<Camera>('/cameras', body),
      update: (id: string, body: CameraUpdate) => c.patch<Camera>(`/cameras/${enc(id)}`, body),
      remove: (id: string) => c.delete(`/cameras/${enc(id)}`),
      activate: (id: string) => c.post<Camera>(`/cameras/${enc(id)}/activate`),
      deactivate: (id: string) => c.post<Camera>(`/cameras/${enc(id)}/deactivate`),
      rotateKey: (id: string) => c.post<Camera>(`/cameras/${enc(id)}/rotate-key`),
      playback: (id: string) => c.get<Playback>(`/cameras/${enc(id)}/playback`),
      timeline: (id: string, from: string, to: string) => c.get<Timeline>(`/cameras/${enc(id)}/timeline`, { from, to }),
      /** A signed HLS VOD playlist over `[from, to)` across chunks (audited). */
      recordedPlayback: (id: string, from: string, to: string) =>
        c.get<RecordedPlayback>(`/cameras/${enc(id)}/playback/recorded`, { from, to }),
      /** Starts a clip export (202 with the queued export). */
      exportClip: (id: string, body: NewExport) => c.post<ExportView>(`/cameras/${enc(id)}/exports`, body),
      /** The camera's connection history (stream sessions), newest first. */
      sessions: (id: string, query: SessionQuery) => c.get<Page<StreamSession>>(`/cameras/${enc(id)}/sessions`, q(query)),
      /** Uptime and recording continuity over 24 h and 7 days. */
      availability: (id: string) => c.get<Availability>(`/cameras/${enc(id)}/availability`),
    },
    profiles: () => c.get<Profile[]>('/profiles'),
    stats: () => c.get<DashboardStats>('/dashboard/stats'),
    recordings: {
      list: (query: RecordingQuery) => c.get<Page<Recording>>('/recordings', q(query)),
      get: (id: string) => c.get<Recording>(`/recordings/${enc(id)}`),
      remove: (id: string) => c.delete(`/recordings/${enc(id)}`),
      /** Signed, expiring stream/download URLs (no Authorization header needed; audited). */
      links: (id: string) => c.get<RecordingLinks>(`/recordings/${enc(id)}/links`),
      hold: (id: string) => c.put<Recording>(`/recordings/${enc(id)}/hold`),
      release: (id: string) => c.delete<Recording>(`/recordings/${enc(id)}/hold`),
    },
    exports: {
      list: (query: ExportQuery) => c.get<Page<ExportView>>('/exports', q(query)),
      get: (id: string) => c.get<ExportView>(`/exports/${enc(id)}`),
      /** Cancels a queued or running export, or removes a finished one with its file. */
      remove: (id: string) => c.delete(`/exports/${enc(id)}`),
    },
    storage: {
      overview: (page = 1, limit = 25) => c.get<StorageOverview>('/storage', { page, limit }),
      plan: (page = 1, limit = 25) => c.get<Page<PlannedAction>>('/storage/plan', { page, limit }),
    },
    jobs: {
      list: () => c.get<Job[]>('/jobs'),
      runs: (name: string, page = 1, limit = 10) => c.get<Page<JobRun>>(`/jobs/${enc(name)}/runs`, { page, limit }),
      /** Answers when the run has finished; 409 while it runs elsewhere. */
      runNow: (name: string) => c.post<JobRun>(`/jobs/${enc(name)}/run`),
    },
    alerts: {
      list: (query: AlertQuery) => c.get<Page<Alert>>('/alerts', q(query)),
      summary: () => c.get<AlertSummary>('/alerts/summary'),
      get: (id: string) => c.get<Alert>(`/alerts/${enc(id)}`),
      acknowledge: (id: string) => c.post<Alert>(`/alerts/${enc(id)}/acknowledge`),
      /** 409 when it is resolved already. */
      resolve: (id: string) => c.post<Alert>(`/alerts/${enc(id)}/resolve`),
    },
    alertChannels: {
      /** Every channel (there are few; the server does not page them). */
      list: () => c.get<AlertChannel[]>('/alert-channels'),
      /** A webhook's signing `secret` is in this answer only. */
      create: (body: NewAlertChannel) => c.post<CreatedChannel>('/alert-channels', body),
      update: (id: string, body: AlertChannelUpdate) => c.patch<AlertChannel>(`/alert-channels/${enc(id)}`, body),
      remove: (id: string) => c.delete(`/alert-channels/${enc(id)}`),
      /** 202: a test delivery is queued (it shows in the delivery log). */
      test: (id: string) => c.post<unknown>(`/alert-channels/${enc(id)}/test`),
      deliveries: (id: string, page = 1, limit = 10) =>
        c.get<Page<AlertDelivery>>(`/alert-channels/${enc(id)}/deliveries`, { page, limit }),
    },
    users: {
      list: (query: UserQuery) => c.get<Page<User>>('/users', q(query)),
      create: (body: NewUser) => c.post<User>('/users', body),
      update: (id: string, body: UserUpdate) => c.patch<User>(`/users/${enc(id)}`, body),
      deactivate: (id: string) => c.post<User>(`/users/${enc(id)}/deactivate`),
    },
    tokens: {
      list: (page = 1, limit = 50) => c.get<Page<ApiToken>>('/api-tokens', { page, limit }),
      create: (body: NewApiToken) => c.post<CreatedToken>('/api-tokens', body),
      revoke: (id: string) => c.delete(`/api-tokens/${enc(id)}`),
    },
    audit: {
      list: (query: AuditQuery) => c.get<Page<AuditLog>>('/audit-logs', q(query)),
      export: (query: AuditQuery, format: 'csv' | 'json') =>
        c.raw('/audit-logs/export', q({ ...query, format, page: undefined, limit: undefined })),
    },
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
