import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { camera, mockFetch, renderAs } from '../../test/fixtures';
import { CameraSubscriptionsContext } from '../../realtime/RealtimeProvider';
import { CameraSubscriptions } from '../../realtime/subscriptions';
import CamerasPage from './CamerasPage';

/** 60 cameras searched and paged like the server does; records every list query. */
function server() {
  const all = Array.from({ length: 60 }, (_, i) => camera(`c${String(i).padStart(2, '0')}`, { name: `${i % 2 ? 'Gate' : 'Door'} ${String(i).padStart(2, '0')}` }));
  const lists: URLSearchParams[] = [];
  mockFetch({
    'GET /cameras': (url: URL) => {
      const p = url.searchParams;
      lists.push(p);
      const q = p.get('q')?.toLowerCase();
      const matching = all.filter((c) => !q || c.name.toLowerCase().includes(q)).sort((a, b) => a.name.localeCompare(b.name));
      const [page, limit] = [Number(p.get('page') ?? 1), Number(p.get('limit') ?? 25)];
      return { items: matching.slice((page - 1) * limit, page * limit), total: matching.length, page, limit, total_pages: Math.ceil(matching.length / limit) };
    },
  });
  return { lists };
}

function renderPage() {
  const send = vi.fn();
  const subs = new CameraSubscriptions(send);
  const view = renderAs('viewer', <CameraSubscriptionsContext.Provider value={subs}><CamerasPage /></CameraSubscriptionsContext.Provider>, '/cameras');
  return { ...view, send };
}

const rowIds = () => [...document.querySelectorAll('[data-testid^="camera-row-"]')].map((r) => r.getAttribute('data-testid')!.replace('camera-row-', ''));

describe('cameras page at scale', () => {
  it('asks the server for one page at a time and subscribes to the cameras of that page only', async () => {
    const { lists } = server();
    const { send } = renderPage();
    await waitFor(() => expect(rowIds()).toHaveLength(25));
    expect(lists.every((p) => p.get('limit') === '25')).toBe(true);
    expect(send).toHaveBeenLastCalledWith([...rowIds()].sort());
    expect(screen.getByText(/Page 1 of 3 · 60 total/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    await waitFor(() => expect(screen.getByText(/Page 2 of 3/)).toBeTruthy());
    expect(lists.at(-1)!.get('page')).toBe('2');
    await waitFor(() => expect(send).toHaveBeenLastCalledWith([...rowIds()].sort()));
    expect(send.mock.calls.some(([ids]) => ids === null)).toBe(false); // never "all cameras" in between
  });

  it('searches on the server once typing pauses, from page 1', async () => {
    const { lists } = server();
    renderPage();
    await waitFor(() => expect(rowIds()).toHaveLength(25));
    fireEvent.click(screen.getByRole('button', { name: /Next/ }));
    await waitFor(() => expect(screen.getByText(/Page 2 of 3/)).toBeTruthy());
    const before = lists.length;
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const box = screen.getByTestId('camera-search');
      for (const text of ['g', 'ga', 'gat', 'gate']) fireEvent.change(box, { target: { value: text } });
      await act(async () => void vi.advanceTimersByTime(400));
    } finally {
      vi.useRealTimers();
    }
    await waitFor(() => expect(screen.getByText(/Page 1 of 2 · 30 total/)).toBeTruthy());
    const asked = lists.slice(before).map((p) => [p.get('q'), p.get('page')]);
    expect(asked).toEqual([['gate', '1']]); // one request for the whole word, back on page 1
    expect(rowIds().every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
  });
});
