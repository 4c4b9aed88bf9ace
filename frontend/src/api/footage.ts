// Issue 11's recorded playback and clip exports: the generated types under friendly names, the
// `export.progress` WebSocket event (which the OpenAPI document cannot describe) and helpers.

import type { components, operations } from './schema';

type Schemas = components['schemas'];

/** `GET /cameras/{id}/playback/recorded?from&to`: a signed HLS VOD playlist over the range. */
export type RecordedPlayback = Schemas['RecordedPlayback'];
export type ExportState = Schemas['ExportState'];
export type ExportActor = Schemas['RequestedBy'];
export type ExportView = Schemas['ExportView'];
export type NewExport = Schemas['CreateExport'];
export type ExportQuery = NonNullable<operations['exports_list']['parameters']['query']>;

/** The WebSocket event pushed on every state change and about once a second while running. */
export interface ExportProgressEvent {
  type: 'export.progress';
  data: { export: ExportView };
  at: string;
}

/** Who asked for the export: the actor's name, else the start of its id. */
export function requesterName(e: Pick<ExportView, 'requested_by'>): string {
  return e.requested_by.name ?? e.requested_by.id?.slice(0, 8) ?? e.requested_by.type;
}

/** Whether the export may still change (the dialog and the table keep polling it). */
export const exportActive = (e: Pick<ExportView, 'state'>) => e.state === 'queued' || e.state === 'running';
