import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../realtime/applyEvent';
import { camera, exportView, jan2, mockFetch, page, renderAs } from '../../test/fixtures';
import ExportsPage from './ExportsPage';

const done = exportView('x1', {
  state: 'done', progress_percent: 100, size_bytes: 3 * 1024 ** 2, expires_at: '2026-01-09T03:00:00Z', note: 'loading dock',
  download_url: '/api/v1/exports/x1/download?expires=9&sig=s',
});
const running = exportView('x2', { state: 'running', progress_percent: 10, requested_by: { type: 'token', id: 't-1', name: 'ops-bot' } });

function serve() {
  return mockFetch({
    'GET /exports': page([running, done]),
    'GET /cameras/c1': camera('c1', { name: 'Gate' }),
    'DELETE /exports/x1': () => new Response(null, { status: 204 }),
    'DELETE /exports/x2': () => new Response(null, { status: 204 }),
  });
}

describe('ExportsPage', () => {
  it('lists the exports with who, state, progress, size and the actions each allows', async () => {
    serve();
    renderAs('viewer', <ExportsPage />);
    const doneRow = await screen.findByTestId('export-row-x1');
    await waitFor(() => expect(doneRow.textContent).toMatch(/Gate/));
    expect(doneRow.textContent).toMatch(/admin/);
    expect(doneRow.textContent).toMatch(/loading dock/);
    expect(doneRow.textContent).toMatch(/3\.0 MB|3 MB/);
    expect(within(doneRow).getByTestId('export-download-x1').getAttribute('href')).toBe('/api/v1/exports/x1/download?expires=9&sig=s');
    expect(within(doneRow).getByTestId('export-delete-x1')).toBeTruthy();
    const runRow = screen.getByTestId('export-row-x2');
    expect(runRow.textContent).toMatch(/ops-bot/);
    expect(within(runRow).queryByTestId('export-download-x2')).toBeNull();
    expect(within(runRow).getByTestId('export-cancel-x2')).toBeTruthy();
  });

  it('a WebSocket export.progress moves the progress bar', async () => {
    serve();
    const { qc } = renderAs('viewer', <ExportsPage />);
    await screen.findByTestId('export-row-x2');
    act(() => applyEvent(qc, { type: 'export.progress', data: { export: { ...running, progress_percent: 65, eta_secs: 20 } }, at: jan2(3) }));
    await waitFor(() => expect(within(screen.getByTestId('export-row-x2')).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('65'));
    expect(within(screen.getByTestId('export-row-x2')).getByTestId('export-status').textContent).toBe('65 % · 0:20 left');
  });

  it('Cancel deletes a running export at once; Delete asks first', async () => {
    const fetch = serve();
    renderAs('viewer', <ExportsPage />);
    fireEvent.click(await screen.findByTestId('export-cancel-x2'));
    await waitFor(() => expect(fetch.mock.calls.some(([u, init]) => init?.method === 'DELETE' && String(u).endsWith('/exports/x2'))).toBe(true));
    fireEvent.click(screen.getByTestId('export-delete-x1'));
    expect(screen.getByRole('dialog').textContent).toMatch(/Delete export/);
    fireEvent.click(screen.getByTestId('confirm'));
    await waitFor(() => expect(fetch.mock.calls.some(([u, init]) => init?.method === 'DELETE' && String(u).endsWith('/exports/x1'))).toBe(true));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('says how to make one when there is none', async () => {
    mockFetch({ 'GET /exports': page([]) });
    renderAs('viewer', <ExportsPage />);
    expect((await screen.findByTestId('empty-state')).textContent).toMatch(/Select a range on the Timeline/);
  });
});
