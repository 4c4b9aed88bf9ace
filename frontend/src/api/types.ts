// Friendly names for the types of the Argus API. They come from schema.ts, which is generated
// from the server's OpenAPI document (`npm run gen:api`; CI fails when the two differ), so a
// change on the server shows up here as a type error. Written by hand: only what the document
// cannot say (the WebSocket events, the shape of a 422's `details`, the sort keys, profile names
// known only at run time).

import type { AlertEvent } from './alerts';
import type { ExportProgressEvent } from './footage';
import type { components, operations } from './schema';

type Schemas = components['schemas'];
/** The query parameters of an operation, by its operation id. */
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type Role = Schemas['Role'];
export type StreamStatus = Schemas['StreamStatus'];
export type StorageTier = Schemas['StorageTier'];
export type ActorType = Schemas['ActorType'];
export type AuditAction = Schemas['AuditAction'];
export type Permission = Schemas['NewApiToken']['permissions'][number];

/** One entry of `error.details[field]` on a 422 (`validation_failed`). */
export interface FieldError {
  code: string;
  message: string;
}
export type FieldErrors = Record<string, FieldError[]>;
export type ErrorBody = Schemas['ErrorBody'];

/** Every list answers with this envelope (`Page_CameraView`, `Page_UserView`, …). */
export type Page<T> = Omit<Schemas['Page_CameraView'], 'items'> & { items: T[] };

export type User = Schemas['UserView'];
export type Me = Schemas['Me'];
export type TokenPair = Schemas['TokenPair'];

export type StreamQuality = Schemas['StreamQuality'];
/** `quality` only on `GET /cameras/{id}` of a live camera; lists follow `stream.quality` events. */
export type Camera = Schemas['CameraView'];
/**
 * The document lists the transcoding profiles of the server it came from as an enum (the embedded
 * ones, for the generated file); the dashboard offers the running server's, from `GET /profiles`.
 */
type AnyProfile<T> = Omit<T, 'transcode_profile'> & { transcode_profile?: string | null };
export type NewCamera = AnyProfile<Schemas['NewCamera']>;
export type CameraUpdate = AnyProfile<Schemas['CameraUpdate']>;
/** The keys `sort` accepts (the document gives them as a pattern). */
export type CameraSort =
  | 'name' | '-name' | 'created_at' | '-created_at' | 'serial_number' | '-serial_number'
  | 'last_seen_at' | '-last_seen_at';
export type CameraQuery = Omit<QueryOf<'cameras_list'>, 'sort'> & { sort?: CameraSort };

export type Rendition = Schemas['Rendition'];
export type Playback = Schemas['Playback'];
export type ProfileRung = Schemas['Rung'];
export type Profile = Schemas['Profile'];
export type DashboardStats = Schemas['DashboardStats'];

export type Recording = Schemas['RecordingView'];
/** `GET /recordings/{id}/links`: relative, signed, expiring URLs a `<video>`/`<a>` opens without headers. */
export type RecordingLinks = Schemas['RecordingLinks'];
export type RecordingQuery = QueryOf<'recordings_list'>;
/** `GET /cameras/{id}/timeline`: recorded intervals and the gaps between them, with their cause. */
export type Timeline = Schemas['Timeline'];
export type GapCause = Schemas['GapCause'];

export type UserQuery = QueryOf<'users_list'>;
export type NewUser = Schemas['NewUser'];
export type UserUpdate = Schemas['UserUpdate'];

export type ApiToken = Schemas['ApiTokenView'];
export type NewApiToken = Schemas['NewApiToken'];
export type CreatedToken = Schemas['CreatedToken'];
export type PermissionCatalog = Schemas['PermissionTable'];

export type JobRun = Schemas['JobRunView'];
export type Job = Schemas['JobView'];
export type PlannedAction = Schemas['PlannedAction'];

/** `GET /storage`: per tier, per camera (paged), and the fleet's rate and HOT forecast. */
export type StorageOverview = Schemas['StorageUsage'];
export type TierUsage = Schemas['TierView'];
export type CameraUsage = StorageOverview['cameras']['items'][number];

export type AuditLog = Schemas['AuditLogView'];
export type AuditQuery = QueryOf<'audit_list'>;

// WebSocket events (server → client); the OpenAPI document describes only the upgrade.
export type CameraStatusChange = { camera_id: string; stream_status: StreamStatus; last_seen_at: string | null };
export type WsEvent =
  | { type: 'hello'; data: unknown; at: string }
  | { type: 'camera.status'; data: CameraStatusChange; at: string }
  // A burst of status changes written together (a reconnect storm), up to 500 per event.
  | { type: 'camera.statuses'; data: { changes: CameraStatusChange[] }; at: string }
  // The server dropped events this client was too slow to take: refetch what is shown.
  | { type: 'resync'; data: { missed: number }; at: string }
  | { type: 'camera.created' | 'camera.updated'; data: { camera: Camera }; at: string }
  | { type: 'camera.deleted'; data: { camera_id: string }; at: string }
  | { type: 'recording.created'; data: { recording: Recording }; at: string }
  | { type: 'stats.updated'; data: { stats: DashboardStats }; at: string }
  | { type: 'stream.quality'; data: { camera_id: string; quality: StreamQuality }; at: string }
  | ExportProgressEvent
  | AlertEvent;

export type { ExportQuery, ExportState, ExportView, NewExport, RecordedPlayback } from './footage';
