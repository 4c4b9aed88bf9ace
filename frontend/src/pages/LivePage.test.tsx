import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import { camera, mockFetch, renderAs } from '../test/fixtures';
import { CameraSubscriptionsContext } from '../realtime/RealtimeProvider';
import { CameraSubscriptions } from '../realtime/subscriptions';
import LivePage from './LivePage';

const ALL = [
  camera('a', { name: 'Zulu' }),
  camera('b', { name: 'Alpha', is_active: false }),
  camera('c', { name: 'Mike', stream_status: 'online' }),
  camera('d', { name: 'Bravo' }),
];

/** `GET /cameras` filtered and sorted like the server; records every query it answers. */
function server() {
  const lists: URLSearchParams[] = [];
  const fetch = mockFetch({
    'GET /cameras': (url: URL) => {
      const p = url.searchParams;
      lists.push(p);
      const items = ALL.filter((c) =>
        (!p.get('stream_status') || c.stream_status === p.get('stream_status')) &&
        (!p.get('is_active') || String(c.is_active) === p.get('is_active')),
      ).sort((x, y) => x.name.localeCompare(y.name)).slice(0, Number(p.get('limit')));
      return { items, total: items.length, page: 1, limit: Number(p.get('limit')), total_pages: 1 };
    },
    'GET /cameras/d': ALL[3],
  });
  return { fetch, lists };
}

const tiles = () => [...document.querySelectorAll('[data-testid^="player-"]')].map((el) => el.getAttribute('data-testid')).filter((t) => !t!.startsWith('player-offline-'));

describe('live wall', () => {
  it('fills itself from small sorted pages: online first, then active, then inactive, by name', async () => {
    const { lists } = server();
    renderAs('viewer', <LivePage />, '/live');
    await waitFor(() => expect(tiles()).toEqual(['player-c', 'player-d', 'player-a', 'player-b']));
    expect(screen.getByText('1 online')).toBeTruthy();
    // Never the whole camera list: every request is filtered and limited to the wall's size (4).
    for (const p of lists) {
      expect(p.get('stream_status') ?? p.get('is_active')).not.toBeNull();
      expect(Number(p.get('limit'))).toBeLessThanOrEqual(8);
    }
  });

  it('shows the picked cameras by id, in order, and drops one that is gone', async () => {
    localStorage.setItem('argus.live.picked', JSON.stringify(['gone', 'd']));
    const { fetch, lists } = server();
    renderAs('viewer', <LivePage />, '/live');
    await waitFor(() => expect(tiles()).toEqual(['player-d']));
    const paths = fetch.mock.calls.map(([u]) => new URL(String(u), 'http://localhost').pathname);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/cameras/gone', '/api/v1/cameras/d']));
    // Only the online count is asked of the list.
    expect(lists.map((p) => p.get('stream_status'))).toEqual(['online']);
    expect(screen.getAllByRole('button', { name: 'Choose cameras for empty tiles' })).toHaveLength(3);
  });

  it('"go back" on a tile opens the recorded footage of that camera 30 s ago', async () => {
    server();
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-01-02T10:00:30Z'));
    const Where = () => <output data-testid="where">{useLocation().search}</output>;
    renderAs('viewer', <Routes><Route path="/live" element={<LivePage />} /><Route path="/timeline" element={<Where />} /></Routes>, '/live');
    fireEvent.click(await screen.findByTestId('go-back-c'));
    const q = new URLSearchParams(screen.getByTestId('where').textContent!);
    expect([q.get('camera'), q.get('at')]).toEqual(['c', '2026-01-02T10:00:00.000Z']);
  });

  it('has no "go back" for a user who may not watch recordings', async () => {
    server();
    renderAs('api', <LivePage />, '/live');
    await waitFor(() => expect(tiles()).toContain('player-c'));
    expect(screen.queryByTestId('go-back-c')).toBeNull();
  });

  it('subscribes to the cameras on screen, re-subscribes when the layout changes and lets go when it leaves', async () => {
    server();
    const send = vi.fn();
    const { unmount } = renderAs('viewer', <CameraSubscriptionsContext.Provider value={new CameraSubscriptions(send)}><LivePage /></CameraSubscriptionsContext.Provider>, '/live');
    await waitFor(() => expect(send).toHaveBeenLastCalledWith(['a', 'b', 'c', 'd']));
    fireEvent.click(screen.getByTestId('layout-1'));
    await waitFor(() => expect(tiles()).toEqual(['player-c']));
    await waitFor(() => expect(send).toHaveBeenLastCalledWith(['c']));
    unmount();
    expect(send).toHaveBeenLastCalledWith(null);
    expect(send.mock.calls.filter(([ids]) => ids === null)).toHaveLength(1);
  });
});
