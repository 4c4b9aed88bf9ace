// Issue 11's recorded playback and clip exports, typed BY HAND from the contract agreed with the
// backend (the endpoints are not in schema.ts yet). To be replaced by the generated types
// (`npm run gen:api`, then `Schemas['RecordedPlayback']` … in types.ts) once the server side is
// merged; keep the shapes here identical to the contract until then.

/** `GET /cameras/{id}/playback/recorded?from&to`: a signed HLS VOD playlist over the range. */
export interface RecordedPlayback {
  /** Relative signed URL of the playlist (no headers needed). */
  url: string;
  expires_at: string;
  /** The range asked for. */
  from: string;
  to: string;
  /** Wall-clock time of media time 0 (at or before `from` when footage covers it). */
  start_at: string;
  /** Media duration of the playlist, gaps collapsed. */
  duration_secs: number;
  segments: number;
  /** Each gap: the wall clock where footage resumes and the media time it maps to. */
  discontinuities: { at: string; media_secs: number }[];
}

export type ExportState = 'queued' | 'running' | 'done' | 'failed';

export interface ExportActor {
  type: string;
  id: string;
  name?: string | null;
}

export interface ExportView {
  id: string;
  camera_id: string;
  camera_name?: string | null;
  /** The contract allows either form. */
  requested_by?: ExportActor | null;
  requested_by_name?: string | null;
  note: string | null;
  from: string;
  to: string;
  state: ExportState;
  progress_percent: number;
  eta_secs: number | null;
  size_bytes: number | null;
  checksum_sha256: string | null;
  duration_ms: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  expires_at: string | null;
  /** Relative signed URL, only when `state` is done. */
  download_url: string | null;
}

export interface NewExport {
  from: string;
  to: string;
  note?: string;
}

export interface ExportQuery {
  camera_id?: string;
  state?: ExportState;
  page?: number;
  limit?: number;
}

/** The WebSocket event pushed on every state change and about once a second while running. */
export interface ExportProgressEvent {
  type: 'export.progress';
  data: { export: ExportView };
  at: string;
}

/** Who asked for the export, whichever form the server sends. */
export function requesterName(e: Pick<ExportView, 'requested_by' | 'requested_by_name'>): string {
  return e.requested_by_name ?? e.requested_by?.name ?? e.requested_by?.id.slice(0, 8) ?? '—';
}

/** Whether the export may still change (the dialog and the table keep polling it). */
export const exportActive = (e: Pick<ExportView, 'state'>) => e.state === 'queued' || e.state === 'running';
