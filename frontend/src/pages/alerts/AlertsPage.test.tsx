import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../api/alerts';
import { applyEvent } from '../../realtime/applyEvent';
import { alert, mockFetch, page, renderAs } from '../../test/fixtures';
import AlertsPage from './AlertsPage';

const offline = alert('a1');
const disk = alert('a2', { type: 'storage.low', severity: 'warning', camera_id: null, camera_name: null, state: 'acknowledged', acknowledged_by: 'admin', acknowledged_at: new Date().toISOString(), count: 1, message: 'HOT has 2 GB free' });

function serve(items: Alert[] = [offline, disk]) {
  return mockFetch({
    'GET /alerts': page(items),
    'GET /alerts/summary': { open: 1, acknowledged: 1, by_type: {} },
    'POST /alerts/a1/acknowledge': { ...offline, state: 'acknowledged' },
    'POST /alerts/a1/resolve': { ...offline, state: 'resolved' },
    'POST /alerts/a2/resolve': { ...disk, state: 'resolved' },
  });
}
const listCalls = (fetch: ReturnType<typeof serve>) =>
  fetch.mock.calls.map(([u]) => new URL(String(u), 'http://localhost')).filter((u) => u.pathname === '/api/v1/alerts');

describe('AlertsPage', () => {
  it('lists type, severity, camera, state, count, times and message', async () => {
    serve();
    renderAs('viewer', <AlertsPage />, '/alerts');
    const row = await screen.findByTestId('alert-row-a1');
    expect(row.textContent).toMatch(/camera\.offline/);
    expect(row.textContent).toMatch(/critical/);
    expect(row.textContent).toMatch(/Gate/);
    expect(within(row).getByTestId('alert-state-a1').textContent).toBe('open');
    expect(within(row).getByTestId('alert-count-a1').textContent).toBe('2');
    expect(row.textContent).toMatch(/offline for 2 min/);
    const diskRow = screen.getByTestId('alert-row-a2');
    expect(diskRow.textContent).toMatch(/acknowledged by admin/);
    expect(within(diskRow).getByRole('cell', { name: '—' })).toBeTruthy();
    expect(screen.getByTestId('alert-summary').textContent).toBe('1 open · 1 acknowledged');
  });

  it('asks for active alerts by default and sends each filter; the bell link opens it on open ones', async () => {
    const fetch = serve();
    renderAs('viewer', <AlertsPage />, '/alerts');
    await screen.findByTestId('alert-row-a1');
    expect(listCalls(fetch).at(-1)!.search).toBe('?state=active&page=1&limit=25');
    fireEvent.change(screen.getByTestId('alert-filter-type'), { target: { value: 'storage.low' } });
    await waitFor(() => expect(listCalls(fetch).at(-1)!.searchParams.get('type')).toBe('storage.low'));
    fireEvent.change(screen.getByTestId('alert-filter-severity'), { target: { value: 'warning' } });
    fireEvent.change(screen.getByTestId('alert-filter-state'), { target: { value: 'resolved' } });
    await waitFor(() => expect(Object.fromEntries(listCalls(fetch).at(-1)!.searchParams)).toEqual({ state: 'resolved', type: 'storage.low', severity: 'warning', page: '1', limit: '25' }));
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(listCalls(fetch).at(-1)!.search).toBe('?state=active&page=1&limit=25'));
  });

  it('reads the filters from the URL', async () => {
    const fetch = serve();
    renderAs('viewer', <AlertsPage />, '/alerts?state=open&camera_id=c1');
    await screen.findByTestId('alert-row-a1');
    expect(Object.fromEntries(listCalls(fetch)[0].searchParams)).toEqual({ state: 'open', camera_id: 'c1', page: '1', limit: '25' });
  });

  it('a viewer has no Acknowledge / Resolve buttons', async () => {
    serve();
    renderAs('viewer', <AlertsPage />, '/alerts');
    await screen.findByTestId('alert-row-a1');
    expect(screen.queryByTestId('alert-ack-a1')).toBeNull();
    expect(screen.queryByTestId('alert-resolve-a1')).toBeNull();
  });

  it('an operator acknowledges an open alert and resolves an acknowledged one', async () => {
    const fetch = serve();
    renderAs('operator', <AlertsPage />, '/alerts');
    fireEvent.click(await screen.findByTestId('alert-ack-a1'));
    await waitFor(() => expect(fetch.mock.calls.some(([u, init]) => init?.method === 'POST' && String(u).endsWith('/alerts/a1/acknowledge'))).toBe(true));
    expect(screen.queryByTestId('alert-ack-a2')).toBeNull(); // acknowledged already
    await waitFor(() => expect((screen.getByTestId('alert-resolve-a2') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('alert-resolve-a2'));
    await waitFor(() => expect(fetch.mock.calls.some(([u, init]) => init?.method === 'POST' && String(u).endsWith('/alerts/a2/resolve'))).toBe(true));
  });

  it('shows a 409 (resolved meanwhile) as an error', async () => {
    mockFetch({
      'GET /alerts': page([offline]),
      'GET /alerts/summary': { open: 1, acknowledged: 0, by_type: {} },
      'POST /alerts/a1/resolve': () => new Response(JSON.stringify({ error: { code: 'conflict', message: 'the alert is resolved already' } }), { status: 409, headers: { 'content-type': 'application/json' } }),
    });
    renderAs('operator', <AlertsPage />, '/alerts');
    fireEvent.click(await screen.findByTestId('alert-resolve-a1'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/resolved already/);
  });

  it('a WebSocket count bump updates the row live', async () => {
    serve();
    const { qc } = renderAs('viewer', <AlertsPage />, '/alerts');
    await screen.findByTestId('alert-row-a1');
    act(() => applyEvent(qc, { type: 'alert.updated', data: { alert: { ...offline, count: 9 }, open_count: 1 }, at: new Date().toISOString() }));
    await waitFor(() => expect(screen.getByTestId('alert-count-a1').textContent).toBe('9'));
  });
});
