import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys } from '../api/keys';
import type { Camera, ExportView, Page } from '../api/types';
import { camera, exportView, page as pageOf, stats } from '../test/fixtures';
import { applyEvent } from './applyEvent';

const page = (items: Camera[]): Page<Camera> => ({ items, total: items.length, page: 1, limit: 25, total_pages: 1 });
const at = '2026-01-01T00:00:00Z';

describe('applyEvent', () => {
  it('camera.status updates the camera in lists, a picker label and its detail', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.cameraList({ page: 1 }), page([camera('a'), camera('b')]));
    qc.setQueryData(keys.cameraLabel('a'), camera('a'));
    qc.setQueryData(keys.camera('a'), camera('a'));
    applyEvent(qc, { type: 'camera.status', data: { camera_id: 'a', stream_status: 'online', last_seen_at: '2026-01-02T00:00:00Z' }, at });

    const list = qc.getQueryData<Page<Camera>>(keys.cameraList({ page: 1 }))!;
    expect(list.items.map((c) => c.stream_status)).toEqual(['online', 'offline']);
    expect(qc.getQueryData<Camera>(keys.cameraLabel('a'))!.stream_status).toBe('online');
    expect(qc.getQueryData<Camera>(keys.camera('a'))!.last_seen_at).toBe('2026-01-02T00:00:00Z');
  });

  it('camera.statuses (a burst written together) updates every camera it names', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.cameraList({ page: 1 }), page([camera('a'), camera('b'), camera('c')]));
    const change = (id: string) => ({ camera_id: id, stream_status: 'online' as const, last_seen_at: at });
    applyEvent(qc, { type: 'camera.statuses', data: { changes: [change('a'), change('c')] }, at });

    const list = qc.getQueryData<Page<Camera>>(keys.cameraList({ page: 1 }))!;
    expect(list.items.map((c) => c.stream_status)).toEqual(['online', 'offline', 'online']);
  });

  it('going offline drops the stream quality', () => {
    const qc = new QueryClient();
    const quality = { fps: 25, speed: 1, bitrate_kbps: 2000, dropped_frames: 0, score: 97, updated_at: at };
    applyEvent(qc, { type: 'stream.quality', data: { camera_id: 'a', quality }, at });
    expect(qc.getQueryData(keys.quality('a'))).toEqual(quality);
    applyEvent(qc, { type: 'camera.status', data: { camera_id: 'a', stream_status: 'offline', last_seen_at: null }, at });
    expect(qc.getQueryData(keys.quality('a'))).toBeUndefined();
  });

  it('stats.updated replaces the stats; camera.created marks camera lists stale', () => {
    const qc = new QueryClient();
    const s = stats();
    applyEvent(qc, { type: 'stats.updated', data: { stats: s }, at });
    expect(qc.getQueryData(keys.stats)).toEqual(s);

    qc.setQueryData(keys.cameraList({ page: 1 }), page([]));
    applyEvent(qc, { type: 'camera.created', data: { camera: camera('c') }, at });
    expect(qc.getQueryState(keys.cameraList({ page: 1 }))!.isInvalidated).toBe(true);
  });
});

describe('applyEvent export.progress', () => {
  it('updates the export and the list pages showing it; a list without it is refetched', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.exportList({ page: 1 }), pageOf([exportView('x1'), exportView('x2')]));
    qc.setQueryData(keys.exportList({ page: 1, state: 'done' }), pageOf([]));
    const running = exportView('x1', { state: 'running', progress_percent: 40, eta_secs: 12 });
    applyEvent(qc, { type: 'export.progress', data: { export: running }, at });

    expect(qc.getQueryData(keys.exportOne('x1'))).toEqual(running);
    const list = qc.getQueryData<Page<ExportView>>(keys.exportList({ page: 1 }))!;
    expect(list.items.map((x) => [x.id, x.state, x.progress_percent])).toEqual([['x1', 'running', 40], ['x2', 'queued', 0]]);
    expect(qc.getQueryState(keys.exportList({ page: 1 }))!.isInvalidated).toBe(false);
  });

  it('a new export marks the lists stale', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.exportList({ page: 1 }), pageOf([exportView('x1')]));
    applyEvent(qc, { type: 'export.progress', data: { export: exportView('x9') }, at });
    expect(qc.getQueryState(keys.exportList({ page: 1 }))!.isInvalidated).toBe(true);
    expect(qc.getQueryData<Page<ExportView>>(keys.exportList({ page: 1 }))!.items).toHaveLength(1);
  });
});
