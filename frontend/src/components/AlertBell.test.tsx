import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../realtime/applyEvent';
import { alert, mockFetch, renderAs } from '../test/fixtures';
import { AlertBell } from './AlertBell';
import { Layout } from './Layout';

describe('AlertBell', () => {
  it('shows the open count in the header and follows alert.* events without refetching', async () => {
    const fetch = mockFetch({ 'GET /alerts/summary': { open: 2, acknowledged: 1, by_type: { 'camera.offline': 3 } } });
    const { qc } = renderAs('viewer', <Layout />);
    expect((await screen.findByTestId('alert-bell-count')).textContent).toBe('2');
    const bell = screen.getByTestId('alert-bell');
    expect(bell.getAttribute('href')).toBe('/alerts?state=open');
    expect(bell.getAttribute('aria-label')).toBe('2 open alerts');
    const summaryCalls = () => fetch.mock.calls.filter(([u]) => String(u).includes('/alerts/summary')).length;
    const before = summaryCalls();

    act(() => applyEvent(qc, { type: 'alert.opened', data: { alert: alert('a3'), open_count: 3 }, at: new Date().toISOString() }));
    await waitFor(() => expect(screen.getByTestId('alert-bell-count').textContent).toBe('3'));
    act(() => applyEvent(qc, { type: 'alert.resolved', data: { alert: alert('a3', { state: 'resolved' }), open_count: 0 }, at: new Date(Date.now() + 1000).toISOString() }));
    await waitFor(() => expect(screen.queryByTestId('alert-bell-count')).toBeNull());
    expect(screen.getByTestId('alert-bell').getAttribute('aria-label')).toBe('No open alerts');
    expect(summaryCalls()).toBe(before);
  });

  it('is not there without alert.read', () => {
    const fetch = mockFetch({});
    renderAs('api', <AlertBell />);
    expect(screen.queryByTestId('alert-bell')).toBeNull();
    expect(fetch.mock.calls.some(([u]) => String(u).includes('/alerts'))).toBe(false);
  });
});
