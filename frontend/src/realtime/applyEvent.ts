// How WebSocket events change the TanStack Query cache: every event type is handled here, and
// only here (`resync` excepted: the socket turns it into a refetch of everything).
//
// Events are applied in batches (see eventBatcher.ts): at 1,000 status events a second, each
// camera cache is patched once per batch with the merged changes of every camera in it, and the
// refetches the events call for go through `stale`, which the batcher throttles.

import { notifyManager, type QueryClient, type QueryFilters } from '@tanstack/react-query';
import { keys } from '../api/keys';
import type { Camera, CameraQuery, CameraStatusChange, ExportView, Page, StreamQuality, WsEvent } from '../api/types';
import { applyAlertEvent } from './alertEvents';

type CameraCache = Page<Camera> | Camera | undefined;

/** Marks queries stale so they refetch; `id` names the request, so repeats within a batch or a throttle window merge. */
export type MarkStale = (id: string, filters: QueryFilters) => void;

export const staleNow =
  (qc: QueryClient): MarkStale =>
  (_id, filters) =>
    void qc.invalidateQueries(filters);

/**
 * Apply the changes in `patches` (camera id → fields) wherever those cameras sit in a cached
 * page or single camera. Returns `undefined` when nothing changed, so untouched caches (and the
 * rows that read them) are left alone.
 */
export function patchCameraCache(data: CameraCache, patches: ReadonlyMap<string, Partial<Camera>>): CameraCache {
  if (!data || patches.size === 0) return undefined;
  if ('items' in data) {
    if (!data.items.some((c) => patches.has(c.id))) return undefined;
    // Only the changed cameras get new objects: memoised rows of the others do not re-render.
    return { ...data, items: data.items.map((c) => (patches.has(c.id) ? { ...c, ...patches.get(c.id) } : c)) };
  }
  const patch = patches.get(data.id);
  return patch ? { ...data, ...patch } : undefined;
}

/** The fields a status change sets: a camera that is not online has no quality. */
function statusPatch(d: CameraStatusChange): Partial<Camera> {
  return {
    stream_status: d.stream_status,
    ...(d.last_seen_at ? { last_seen_at: d.last_seen_at } : {}),
    ...(d.stream_status === 'online' ? {} : { quality: null }),
  };
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

const isStatusFilteredList = (key: readonly unknown[]) =>
  key[0] === 'cameras' && key[1] === 'list' && !!(key[2] as CameraQuery | undefined)?.stream_status;

/** What a batch adds up to: the last word per camera, per quality and on the statistics. */
class BatchState {
  readonly cameras = new Map<string, Partial<Camera>>();
  /** null = the camera is no longer live: its quality sample goes. */
  readonly quality = new Map<string, StreamQuality | null>();
  readonly sessionsChanged = new Set<string>();
  stats: Extract<WsEvent, { type: 'stats.updated' }>['data']['stats'] | undefined;

  patchCamera(id: string, patch: Partial<Camera>): void {
    this.cameras.set(id, { ...this.cameras.get(id), ...patch });
  }

  status(d: CameraStatusChange): void {
    this.patchCamera(d.camera_id, statusPatch(d));
    if (d.stream_status !== 'online') this.quality.set(d.camera_id, null);
    // A session began or ended: the connection history and availability changed.
    this.sessionsChanged.add(d.camera_id);
  }
}

/** Folds one event into the batch, or applies it at once when it is rare and order-sensitive. */
function fold(qc: QueryClient, b: BatchState, e: WsEvent, stale: MarkStale): void {
  switch (e.type) {
    case 'camera.status':
      b.status(e.data);
      break;
    case 'camera.statuses':
      for (const change of e.data.changes) b.status(change);
      break;
    case 'camera.updated': {
      const { quality, ...rest } = e.data.camera;
      b.patchCamera(rest.id, quality ? { ...rest, quality } : rest);
      stale('cameras.list', { queryKey: ['cameras', 'list'] });
      break;
    }
    case 'camera.created':
    case 'camera.deleted':
      stale('cameras', { queryKey: keys.cameras });
      stale('stats', { queryKey: keys.stats });
      break;
    case 'recording.created':
      stale('recordings', { queryKey: keys.recordings });
      break;
    case 'stats.updated':
      b.stats = e.data.stats;
      break;
    case 'stream.quality':
      b.quality.set(e.data.camera_id, e.data.quality);
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
    case 'resync': // handled by the socket (a refetch of everything)
      break;
  }
}

function commit(qc: QueryClient, b: BatchState, stale: MarkStale): void {
  if (b.cameras.size) {
    for (const q of qc.getQueryCache().findAll({ queryKey: keys.cameras })) {
      const next = patchCameraCache(q.state.data as CameraCache, b.cameras);
      if (next) qc.setQueryData(q.queryKey, next);
    }
  }
  for (const [id, quality] of b.quality) {
    if (quality) qc.setQueryData(keys.quality(id), quality);
    else qc.removeQueries({ queryKey: keys.quality(id) });
  }
  if (b.sessionsChanged.size) {
    const ids = b.sessionsChanged;
    for (const id of ids) stale(`health:${id}`, { queryKey: ['camera-health', id] });
    // Lists filtered by status may gain or lose these cameras.
    stale('cameras.by-status', { predicate: (q) => isStatusFilteredList(q.queryKey) });
  }
  if (b.stats) {
    qc.setQueryData(keys.stats, b.stats);
    // The counts moved: cameras that changed outside this client's subscription (e.g. a live
    // wall that listens to its tiles only) may have entered or left a status-filtered list.
    stale('cameras.by-status', { predicate: (q) => isStatusFilteredList(q.queryKey) });
  }
}

/** Applies a batch of events as one cache update (observers are notified once, at the end). */
export function applyEvents(qc: QueryClient, events: readonly WsEvent[], stale: MarkStale = staleNow(qc)): void {
  if (events.length === 0) return;
  notifyManager.batch(() => {
    const b = new BatchState();
    for (const e of events) fold(qc, b, e, stale);
    commit(qc, b, stale);
  });
}

export function applyEvent(qc: QueryClient, e: WsEvent, stale?: MarkStale): void {
  applyEvents(qc, [e], stale);
}
