import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { keys } from '../../api/keys';
import type { ExportView } from '../../api/types';
import { applyEvent } from '../../realtime/applyEvent';
import { camera, exportView, jan2, mockFetch, renderAs } from '../../test/fixtures';
import { ExportDialog } from './ExportDialog';

const range = { from: Date.parse(jan2(2)), to: Date.parse(jan2(2, 30)) };
const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** What the server has of export x1 (the polling fallback reads it; events report it). */
let latest: ExportView | null = null;

function open(create: (init: RequestInit) => Response) {
  latest = null;
  const fetch = mockFetch({
    'GET /cameras/c1': camera('c1', { name: 'Gate' }),
    'POST /cameras/c1/exports': (_u: URL, init: RequestInit) => {
      const res = create(init);
      if (res.status === 202) latest = exportView('x1');
      return res;
    },
    // The polling fallback sees whatever the server has.
    'GET /exports/x1': () => latest,
  });
  const r = renderAs('viewer', <ExportDialog cameraId="c1" range={range} onClose={() => undefined} />);
  return { ...r, fetch };
}

describe('ExportDialog', () => {
  it('posts the range and note, follows the export.progress events, and offers the download when done', async () => {
    const { qc, fetch } = open(() => json(exportView('x1'), 202));
    fireEvent.change(screen.getByTestId('export-note'), { target: { value: 'loading dock' } });
    fireEvent.click(screen.getByTestId('export-submit'));
    await screen.findByTestId('export-started');
    const post = fetch.mock.calls.find(([, init]) => init?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ from: jan2(2), to: jan2(2, 30), note: 'loading dock' });
    expect(screen.getByTestId('export-status').textContent).toBe('Queued');

    const push = (x: ExportView) => {
      latest = x;
      act(() => applyEvent(qc, { type: 'export.progress', data: { export: x }, at: jan2(3) }));
    };
    // The first poll (on mount) has answered: from now on only events change it, until the next poll.
    await waitFor(() => expect(qc.getQueryState(keys.exportOne('x1'))?.dataUpdateCount).toBe(2));
    push(exportView('x1', { state: 'running', progress_percent: 40, eta_secs: 75 }));
    await waitFor(() => expect(screen.getByTestId('export-status').textContent).toBe('40 % · 1:15 left'));
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    expect(screen.queryByTestId('export-download')).toBeNull();

    push(exportView('x1', { state: 'done', progress_percent: 100, size_bytes: 5 * 1024 ** 2, download_url: '/api/v1/exports/x1/download?expires=1&sig=s' }));
    const link = await screen.findByTestId('export-download');
    expect(link.getAttribute('href')).toBe('/api/v1/exports/x1/download?expires=1&sig=s');
    expect(link.hasAttribute('download')).toBe(true);
    expect(screen.getByTestId('export-status').textContent).toBe('Done');
  });

  it('shows the API error as it is (422 no_footage) and stays on the form', async () => {
    const message = 'No footage between 02:00:00 and 02:30:00 (camera offline).';
    open(() => json({ error: { code: 'no_footage', message, details: null } }, 422));
    fireEvent.click(screen.getByTestId('export-submit'));
    expect((await screen.findByTestId('export-error')).textContent).toBe(message);
    expect(screen.queryByTestId('export-started')).toBeNull();
  });

  it('shows a 400 and checks the range before asking', async () => {
    const { fetch } = open(() => json({ error: { code: 'bad_request', message: 'the range is longer than 24 h' } }, 400));
    fireEvent.change(screen.getByTestId('export-to'), { target: { value: '2026-01-02T01:00' } });
    fireEvent.click(screen.getByTestId('export-submit'));
    expect(screen.getByTestId('export-error').textContent).toBe('The end must be after the start.');
    expect(fetch.mock.calls.some(([, init]) => init?.method === 'POST')).toBe(false);

    fireEvent.change(screen.getByTestId('export-to'), { target: { value: '2026-01-02T03:00' } });
    fireEvent.click(screen.getByTestId('export-submit'));
    await waitFor(() => expect(screen.getByTestId('export-error').textContent).toBe('the range is longer than 24 h'));
  });
});
