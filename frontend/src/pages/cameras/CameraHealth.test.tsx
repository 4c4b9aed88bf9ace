import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Availability, StreamSession } from '../../api/alerts';
import { applyEvent } from '../../realtime/applyEvent';
import { jan2, mockFetch, renderAs } from '../../test/fixtures';
import { CameraHealth } from './CameraHealth';

const availability: Availability = {
  camera_id: 'c1',
  windows: [
    { window: '24h', from: jan2(0), to: jan2(24), online_secs: 84_240, uptime_percent: 97.5, recorded_secs: 84_240, recording_percent: 100 },
    { window: '7d', from: jan2(0), to: jan2(24), online_secs: 0, uptime_percent: 0, recorded_secs: 0, recording_percent: null },
  ],
};
const session = (id: string, over: Partial<StreamSession> = {}): StreamSession => ({
  id, started_at: jan2(1), ended_at: jan2(2, 30), end_reason: 'publisher left', node: 'node-a', bytes_in: 3 * 1024 ** 2,
  client_addr: '10.0.0.7', duration_secs: 5400, ...over,
});

describe('CameraHealth', () => {
  it('shows uptime and recording continuity for 24 h and 7 days ("—" when not measurable)', async () => {
    mockFetch({ 'GET /cameras/c1/availability': availability, 'GET /cameras/c1/sessions': { items: [], total: 0, page: 1, limit: 10, total_pages: 0 } });
    renderAs('viewer', <CameraHealth cameraId="c1" />);
    expect((await screen.findByTestId('uptime-24h')).textContent).toBe('97.5 %');
    expect(screen.getByTestId('recording-24h').textContent).toBe('100 %');
    expect(screen.getByTestId('uptime-7d').textContent).toBe('0 %');
    expect(screen.getByTestId('recording-7d').textContent).toBe('—');
    expect(within(screen.getByTestId('camera-sessions')).getByTestId('empty-state').textContent).toMatch(/Never connected/);
  });

  it('pages through the connection history; a live session has no end; a status event refetches it', async () => {
    let calls = 0;
    const fetch = mockFetch({
      'GET /cameras/c1/availability': availability,
      'GET /cameras/c1/sessions': (u: URL) => {
        calls += 1;
        return u.searchParams.get('page') === '2'
          ? { items: [session('s0')], total: 11, page: 2, limit: 10, total_pages: 2 }
          : { items: [session('s2', { ended_at: null, end_reason: null, duration_secs: 120 }), session('s1')], total: 11, page: 1, limit: 10, total_pages: 2 };
      },
    });
    const { qc } = renderAs('viewer', <CameraHealth cameraId="c1" />);
    const live = await screen.findByTestId('session-row-s2');
    expect(live.textContent).toMatch(/live/);
    expect(live.textContent).toMatch(/2 min/);
    const ended = screen.getByTestId('session-row-s1');
    for (const text of ['1 h 30 min', 'publisher left', 'node-a', '3.0 MB', '10.0.0.7']) expect(ended.textContent).toContain(text);
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    await screen.findByTestId('session-row-s0');
    const sessionUrls = fetch.mock.calls.map(([u]) => String(u)).filter((u) => u.includes('/sessions'));
    expect(sessionUrls.at(-1)).toContain('page=2&limit=10');
    const before = calls;
    act(() => applyEvent(qc, { type: 'camera.status', data: { camera_id: 'c1', stream_status: 'offline', last_seen_at: null }, at: jan2(3) }));
    await waitFor(() => expect(calls).toBeGreaterThan(before));
  });
});
