// Types of the Argus REST/WebSocket contract (docs/api-contract.md, /api/openapi.json).

export type Role = 'admin' | 'operator' | 'viewer' | 'api';
export type StreamStatus = 'offline' | 'online' | 'error';
export type Tier = 'hot' | 'warm' | 'cold' | 'archive';

export type Permission =
  | 'camera.read'
  | 'camera.write'
  | 'camera.key.read'
  | 'camera.watch'
  | 'recording.read'
  | 'recording.delete'
  | 'stats.read'
  | 'user.manage'
  | 'token.manage'
  | 'audit.read';

export interface FieldError {
  code: string;
  message: string;
}
export type FieldErrors = Record<string, FieldError[]>;

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
  total_pages: number;
}

export interface User {
  id: string;
  username: string;
  email: string | null;
  role: Role;
  is_active: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface Me extends User {
  permissions: Permission[];
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: User;
}

export interface StreamQuality {
  fps: number;
  speed: number;
  bitrate_kbps: number;
  dropped_frames: number;
  score: number;
  updated_at: string;
}

export interface Camera {
  id: string;
  name: string;
  company: string | null;
  model: string | null;
  serial_number: string;
  location: string | null;
  place: string | null;
  recording_enabled: boolean;
  transcode_profile: string;
  is_active: boolean;
  stream_status: StreamStatus;
  last_seen_at: string | null;
  created_via: 'dashboard' | 'api' | string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  stream_key?: string;
  rtmp_url?: string;
  /** Only on `GET /cameras/{id}` of a live camera; lists follow `stream.quality` events. */
  quality?: StreamQuality | null;
}

export interface NewCamera {
  name: string;
  serial_number: string;
  company?: string | null;
  model?: string | null;
  location?: string | null;
  place?: string | null;
  recording_enabled?: boolean;
  transcode_profile?: string;
}

export type CameraUpdate = Partial<Omit<NewCamera, 'serial_number'>> & { is_active?: boolean };

export type CameraSort =
  | 'name' | '-name' | 'created_at' | '-created_at' | 'serial_number' | '-serial_number'
  | 'last_seen_at' | '-last_seen_at';

export interface CameraQuery {
  q?: string;
  is_active?: boolean;
  stream_status?: StreamStatus;
  company?: string;
  place?: string;
  sort?: CameraSort;
  page?: number;
  limit?: number;
}

export interface Rendition {
  name: string;
  url: string;
  bandwidth: number | null;
  resolution: string | null;
}

export interface Playback {
  master_url: string;
  renditions: Rendition[];
  expires_at: string;
  stream_status?: StreamStatus;
}

export interface ProfileRung {
  name: string;
  width: number;
  height: number;
  video_bitrate_kbps: number;
  audio_bitrate_kbps: number;
  passthrough: boolean;
}

export interface Profile {
  name: string;
  description: string;
  rungs: ProfileRung[];
}

export interface DashboardStats {
  total: number;
  online: number;
  offline: number;
  error: number;
  api_created: number;
  recording_enabled: number;
  active_streams: number;
  storage_used_bytes: number;
}

export interface Recording {
  id: string;
  camera_id: string;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  size_bytes: number;
  tier: Tier;
  checksum_sha256: string | null;
  video_codec: string | null;
  audio_codec: string | null;
  width: number | null;
  height: number | null;
  bitrate_kbps: number | null;
  created_at: string;
}

/** `GET /recordings/{id}/links`: relative, signed, expiring URLs a `<video>`/`<a>` opens without headers. */
export interface RecordingLinks {
  stream_url: string;
  download_url: string;
  expires_at: string;
}

export interface RecordingQuery {
  camera_id?: string;
  from?: string;
  to?: string;
  min_duration_s?: number;
  max_duration_s?: number;
  page?: number;
  limit?: number;
}

export interface UserQuery {
  q?: string;
  role?: Role;
  is_active?: boolean;
  page?: number;
  limit?: number;
}

export interface NewUser {
  username: string;
  password: string;
  email?: string | null;
  role: Role;
}

export interface UserUpdate {
  email?: string | null;
  role?: Role;
  is_active?: boolean;
}

export interface ApiToken {
  id: string;
  remark: string;
  prefix: string;
  permissions: Permission[];
  camera_ids: string[] | null;
  ip_allowlist: string[];
  rate_limit_per_hour: number;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_by: string;
  created_at: string;
}

export interface NewApiToken {
  remark: string;
  permissions: Permission[];
  camera_ids?: string[] | null;
  ip_allowlist?: string[];
  expires_at?: string | null;
  rate_limit_per_hour?: number;
}

export interface CreatedToken {
  token: ApiToken;
  secret: string;
}

export interface PermissionCatalog {
  permissions: Permission[];
  roles: Record<string, Permission[]>;
}

export interface AuditLog {
  id: string;
  actor_type: 'user' | 'token' | 'system' | 'nginx' | string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

export interface AuditQuery {
  user_id?: string;
  action?: string;
  entity_type?: string;
  entity_id?: string;
  ip?: string;
  from?: string;
  to?: string;
  page?: number;
  limit?: number;
}

// WebSocket events (server → client).
export type WsEvent =
  | { type: 'hello'; data: unknown; at: string }
  | { type: 'camera.status'; data: { camera_id: string; stream_status: StreamStatus; last_seen_at: string | null }; at: string }
  | { type: 'camera.created' | 'camera.updated'; data: { camera: Camera }; at: string }
  | { type: 'camera.deleted'; data: { camera_id: string }; at: string }
  | { type: 'recording.created'; data: { recording: Recording }; at: string }
  | { type: 'stats.updated'; data: { stats: DashboardStats }; at: string }
  | { type: 'stream.quality'; data: { camera_id: string; quality: StreamQuality }; at: string };
