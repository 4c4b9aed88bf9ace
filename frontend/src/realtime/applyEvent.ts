// How each WebSocket event changes the TanStack Query cache.

import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import type { Camera, CameraQuery, ExportView, Page, WsEvent } from '../api/types';
import { applyAlertEvent } from './alertEvents';

type CameraCache = Page<Camera> | Camera | undefined;

/** Apply `patch` to the camera `id` wherever it sits in a cached page or single camera. */
export function patchCameraCache(data: CameraCache, id: string, patch: (c: Camera) => Camera): CameraCache {
  if (!data) return data;
  if ('items' in data) {
    return data.items.some((c) => c.id === id)
      ? { ...data, items: data.items.map((c) => (c.id === id ? patch(c) : c)) }
      : data;
  }
  return data.id === id ? patch(data) : data;
}

/**
 * An export's progress: its own cache and every cached list page that shows it. A list that does
 * not show it yet (a new export, or one that moved to another state filter) is refetched.
 */
function applyExport(qc: QueryClient, x: ExportView): void {
  qc.setQueryData(keys.exportOne(x.id), x);
  let listed = false;
  qc.setQueriesData<Page<ExportView>>({ queryKey: ['exports', 'list'] }, (d) => {
    if (!d?.items.some((i) => i.id === x.id)) return d;
    listed = true;
    return { ...d, items: d.items.map((i) => (i.id === x.id ? x : i)) };
  });
  if (!listed) void qc.invalidateQueries({ queryKey: ['exports', 'list'] });
}

export function applyEvent(qc: QueryClient, e: WsEvent): void {
  switch (e.type) {
    case 'camera.status': {
      const { camera_id, stream_status, last_seen_at } = e.data;
      qc.setQueriesData<CameraCache>({ queryKey: keys.cameras }, (d) =>
        patchCameraCache(d, camera_id, (c) => ({
          ...c,
          stream_status,
          last_seen_at: last_seen_at ?? c.last_seen_at,
          quality: stream_status === 'online' ? c.quality : null,
        })),
      );
      if (stream_status !== 'online') qc.removeQueries({ queryKey: keys.quality(camera_id) });
      // A session began or ended: the connection history and availability changed.
      void qc.invalidateQueries({ queryKey: ['camera-health', camera_id] });
      // Lists filtered by status may gain or lose this camera.
      void qc.invalidateQueries({
        predicate: (q) => q.queryKey[0] === 'cameras' && q.queryKey[1] === 'list' && !!(q.queryKey[2] as CameraQuery | undefined)?.stream_status,
      });
      void qc.invalidateQueries({ queryKey: keys.stats });
      break;
    }
    case 'camera.updated': {
      const cam = e.data.camera;
      qc.setQueriesData<CameraCache>({ queryKey: keys.cameras }, (d) =>
        patchCameraCache(d, cam.id, (c) => ({ ...c, ...cam, quality: cam.quality ?? c.quality })),
      );
      void qc.invalidateQueries({ queryKey: ['cameras', 'list'] });
      break;
    }
    case 'camera.created':
    case 'camera.deleted':
      void qc.invalidateQueries({ queryKey: keys.cameras });
      void qc.invalidateQueries({ queryKey: keys.stats });
      break;
    case 'recording.created':
      void qc.invalidateQueries({ queryKey: keys.recordings });
      break;
    case 'stats.updated':
      qc.setQueryData(keys.stats, e.data.stats);
      break;
    case 'stream.quality':
      qc.setQueryData(keys.quality(e.data.camera_id), e.data.quality);
      break;
    case 'export.progress':
      applyExport(qc, e.data.export);
      break;
    case 'alert.opened':
    case 'alert.updated':
    case 'alert.resolved':
      applyAlertEvent(qc, e);
      break;
    case 'hello':
      break;
  }
}
