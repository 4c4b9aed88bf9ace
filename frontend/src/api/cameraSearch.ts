// Camera look-ups for pickers: a server-side name search and one camera by id. Nothing here
// loads every camera; a picker shows at most SEARCH_LIMIT matches.

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api } from '.';
import { keys } from './keys';
import type { Camera, CameraQuery } from './types';
import { useDebounced } from '../lib/useDebounced';

export const SEARCH_LIMIT = 20;
export const SEARCH_DEBOUNCE_MS = 250;

/** The query a picker sends for `text` (free text over name, serial, company, model, location, place). */
export function searchQuery(text: string): CameraQuery {
  const q = text.trim();
  return { ...(q ? { q } : {}), sort: 'name', limit: SEARCH_LIMIT };
}

/** Up to SEARCH_LIMIT cameras matching `text`, asked of the server once typing pauses. */
export function useCameraSearch(text: string, enabled = true) {
  const query = searchQuery(useDebounced(text, SEARCH_DEBOUNCE_MS));
  return useQuery({
    queryKey: keys.cameraList(query),
    queryFn: () => api.cameras.list(query),
    placeholderData: keepPreviousData,
    enabled,
    staleTime: 10_000,
  });
}

/**
 * One camera by id, for the label of a selection that is not among the current matches. Kept
 * under its own key (not the details key): a list item lacks the stream key and the quality the
 * details dialog shows. Status events patch it like every other camera cache.
 */
export function useCamera(id: string | null | undefined) {
  return useQuery({
    queryKey: keys.cameraLabel(id ?? ''),
    queryFn: () => api.cameras.get(id ?? ''),
    enabled: !!id,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** Remembers a picked camera so its label shows without another request. */
export function useRememberCamera(): (c: Camera) => void {
  const qc = useQueryClient();
  return useCallback((c: Camera) => qc.setQueryData(keys.cameraLabel(c.id), c), [qc]);
}

/** The camera's name, or the start of its id while loading (or if it is gone). */
export function useCameraName(id: string | null | undefined): string {
  const cam = useCamera(id);
  if (!id) return '';
  return cam.data?.name ?? id.slice(0, 8);
}
