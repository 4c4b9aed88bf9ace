// TanStack Query hooks shared by several pages.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '.';
import { keys } from './keys';
import { useAuth } from '../auth/AuthProvider';
import { STORAGE_READ } from '../auth/permissions';
import { exportActive } from './footage';
import type { Camera, CameraQuery, StorageTier, StreamQuality } from './types';

export function useStats() {
  return useQuery({ queryKey: keys.stats, queryFn: api.stats, refetchInterval: 60_000 });
}

/** Where each tier keeps its files (from `GET /storage`), for users who may read it. */
export function useTierLocations(): Partial<Record<StorageTier, string>> | undefined {
  const allowed = useAuth().can(STORAGE_READ);
  const usage = useQuery({ queryKey: keys.storageOverview(1), queryFn: () => api.storage.overview(1), enabled: allowed, staleTime: 60_000 });
  return usage.data && Object.fromEntries(usage.data.tiers.filter((t) => t.configured && t.location).map((t) => [t.tier, t.location]));
}

export function useCameraPage(query: CameraQuery) {
  return useQuery({ queryKey: keys.cameraList(query), queryFn: () => api.cameras.list(query), placeholderData: keepPreviousData });
}

/** A camera's footage over `[from, to)`; the previous window stays shown while a zoom or pan loads. */
export function useTimeline(cameraId: string, from: Date, to: Date, enabled = true) {
  const [f, t] = [from.toISOString(), to.toISOString()];
  return useQuery({
    queryKey: keys.timeline(cameraId, f, t),
    queryFn: () => api.cameras.timeline(cameraId, f, t),
    placeholderData: keepPreviousData,
    enabled,
    staleTime: 30_000,
  });
}

/** How often a running export is polled, in case a WebSocket `export.progress` is missed. */
export const EXPORT_POLL_MS = 3_000;

/** One export, polled while queued or running (the WebSocket usually updates it first). */
export function useExport(id: string | null) {
  return useQuery({
    queryKey: keys.exportOne(id ?? ''),
    queryFn: () => api.exports.get(id ?? ''),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data && !exportActive(q.state.data) ? false : EXPORT_POLL_MS),
  });
}

export function useProfiles() {
  return useQuery({ queryKey: keys.profiles, queryFn: api.profiles, staleTime: 5 * 60_000 });
}

/** The newer of two quality samples (by `updated_at`); either may be missing. */
export function newerQuality(a: StreamQuality | null | undefined, b: StreamQuality | null | undefined): StreamQuality | null {
  if (!a || !b) return a ?? b ?? null;
  return Date.parse(b.updated_at) > Date.parse(a.updated_at) ? b : a;
}

/**
 * The latest quality of a live camera: the newer of the last `stream.quality` event and the
 * camera's own `quality` (only `GET /cameras/{id}` carries it, so details show it right away).
 */
export function useQuality(camera: Pick<Camera, 'id' | 'stream_status' | 'quality'>): StreamQuality | null {
  const live = useQuery<StreamQuality | null>({
    queryKey: keys.quality(camera.id),
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  });
  if (camera.stream_status !== 'online') return null;
  return newerQuality(live.data, camera.quality);
}

/** A camera mutation whose answer (the updated camera) refreshes every camera cache. */
export function useCameraMutation<V>(fn: (v: V) => Promise<Camera | void>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (cam) => {
      if (cam) qc.setQueryData(keys.camera(cam.id), cam);
      void qc.invalidateQueries({ queryKey: keys.cameras });
      void qc.invalidateQueries({ queryKey: keys.stats });
    },
  });
}

/** How often the bell's summary is polled: a fallback, events bring every alert (a camera
 * subscription narrows camera state only). */
const SUMMARY_POLL_MS = 60_000;

/** The bell's summary (kept current by `alert.*` events; polled as a fallback), with alert.read. */
export function useAlertSummary(pollMs = SUMMARY_POLL_MS) {
  const allowed = useAuth().can('alert.read');
  return useQuery({ queryKey: keys.alertSummary, queryFn: api.alerts.summary, enabled: allowed, refetchInterval: pollMs });
}
