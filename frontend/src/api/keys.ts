// TanStack Query keys, in one place so WebSocket events can update the right caches.
import type { AlertQuery, SessionQuery } from './alerts';
import type { AuditQuery, CameraQuery, ExportQuery, RecordingQuery, UserQuery } from './types';

export const keys = {
  me: ['me'] as const,
  stats: ['stats'] as const,
  profiles: ['profiles'] as const,
  cameras: ['cameras'] as const,
  cameraList: (q: CameraQuery) => ['cameras', 'list', q] as const,
  cameraLabel: (id: string) => ['cameras', 'label', id] as const,
  camera: (id: string) => ['cameras', 'detail', id] as const,
  quality: (id: string) => ['quality', id] as const,
  playback: (id: string) => ['playback', id] as const,
  recordings: ['recordings'] as const,
  /** Under `recordings`, so a new or deleted recording refreshes the timelines too. */
  timeline: (id: string, from: string, to: string) => ['recordings', 'timeline', id, from, to] as const,
  recordingList: (q: RecordingQuery) => ['recordings', q] as const,
  recordedPlayback: (id: string, from: string, to: string) => ['recorded-playback', id, from, to] as const,
  exports: ['exports'] as const,
  exportList: (q: ExportQuery) => ['exports', 'list', q] as const,
  exportOne: (id: string) => ['exports', 'one', id] as const,
  storage: ['storage'] as const,
  storageOverview: (page: number) => ['storage', 'overview', page] as const,
  storagePlan: (page: number) => ['storage', 'plan', page] as const,
  jobs: ['storage', 'jobs'] as const,
  jobRuns: (name: string, page: number) => ['storage', 'jobs', name, page] as const,
  users: ['users'] as const,
  userList: (q: UserQuery) => ['users', q] as const,
  tokens: ['tokens'] as const,
  audit: (q: AuditQuery) => ['audit', q] as const,
  permissions: ['permissions'] as const,
  alerts: ['alerts'] as const,
  alertSummary: ['alerts', 'summary'] as const,
  alertList: (q: AlertQuery) => ['alerts', 'list', q] as const,
  alertChannels: ['alert-channels'] as const,
  alertChannelList: ['alert-channels', 'list'] as const,
  alertDeliveries: (id: string, page: number) => ['alert-channels', 'deliveries', id, page] as const,
  /** Not under `cameras`: camera events patch every cache there as cameras. */
  cameraSessions: (id: string, q: SessionQuery) => ['camera-health', id, 'sessions', q] as const,
  cameraAvailability: (id: string) => ['camera-health', id, 'availability'] as const,
};
