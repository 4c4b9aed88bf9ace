// TanStack Query hooks shared by several pages.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '.';
import { keys } from './keys';
import type { Camera, CameraQuery, StreamQuality } from './types';

export function useStats() {
  return useQuery({ queryKey: keys.stats, queryFn: api.stats, refetchInterval: 60_000 });
}

export function useCameraPage(query: CameraQuery) {
  return useQuery({ queryKey: keys.cameraList(query), queryFn: () => api.cameras.list(query), placeholderData: keepPreviousData });
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
