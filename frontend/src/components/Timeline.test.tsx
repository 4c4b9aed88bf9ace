import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { dayWindow, type TimeWindow } from '../lib/timeline';
import { mockFetch, renderAs, timeline, widen } from '../test/fixtures';
import { Timeline, type TimelinePick } from './Timeline';

const day = dayWindow('2026-01-02')!;
const local = (h: number, m = 0) => new Date(2026, 0, 2, h, m);

function Harness({ onPick }: { onPick: (p: TimelinePick) => void }) {
  const [view, setView] = useState<TimeWindow>(day);
  return <Timeline cameraIds={['c1', 'c2']} view={view} bounds={day} onView={setView} onPick={onPick} />;
}

function serve() {
  return mockFetch({
    'GET /cameras/c1/timeline': timeline('c1'),
    'GET /cameras/c2/timeline': timeline('c2', { intervals: [], gaps: [{ from: local(0).toISOString(), to: local(24).toISOString(), cause: 'recording_off' }] }),
    'GET /cameras/c1': { id: 'c1', name: 'Gate' },
    'GET /cameras/c2': { id: 'c2', name: 'Dock' },
  });
}

/** The [from, to] of the last timeline request of camera c1. */
function lastWindow(fetch: ReturnType<typeof mockFetch>): [string | null, string | null] {
  const url = fetch.mock.calls.map(([u]) => new URL(String(u), 'http://x')).filter((u) => u.pathname.endsWith('/cameras/c1/timeline')).at(-1)!;
  return [url.searchParams.get('from'), url.searchParams.get('to')];
}

/** The window the bars show (cached windows are not asked again). */
function shownWindow(): [string, string] {
  const bar = screen.getByTestId('timeline-bar-c1');
  return [new Date(Number(bar.getAttribute('aria-valuemin'))).toISOString(), new Date(Number(bar.getAttribute('aria-valuemax'))).toISOString()];
}

const segs = (cam: string) => screen.getByTestId(`timeline-bar-${cam}`).querySelectorAll<HTMLElement>('[data-testid="timeline-seg"]');

describe('Timeline', () => {
  it('stacks one bar per camera with intervals and gaps at their share of the day', async () => {
    const fetch = serve();
    renderAs('viewer', <Harness onPick={() => undefined} />);
    await waitFor(() => expect(segs('c1')).toHaveLength(4));
    expect(lastWindow(fetch)).toEqual([day.from.toISOString(), day.to.toISOString()]);
    const placed = [...segs('c1')].map((s) => [s.dataset.kind, s.dataset.cause ?? null, s.style.left, s.style.width]);
    expect(placed).toEqual([['interval', null, '0%', '25%'], ['interval', null, '50%', '25%'], ['gap', 'offline', '25%', '25%'], ['gap', 'deleted', '75%', '25%']]);
    expect(segs('c1')[2].title).toMatch(/^No footage \(camera offline\) 06:00:00 – 12:00:00$/);
    await waitFor(() => expect(segs('c2')).toHaveLength(1));
    expect(segs('c2')[0].dataset.cause).toBe('recording_off');
    expect(screen.getByRole('list', { name: 'Legend' }).textContent).toMatch(/recorded.*camera offline.*recording off.*deleted/);
  });

  it('zoom and pan change the window every bar asks for', async () => {
    const fetch = serve();
    renderAs('viewer', <Harness onPick={() => undefined} />);
    await waitFor(() => expect(segs('c1')).toHaveLength(4));
    fireEvent.click(screen.getByRole('button', { name: 'Zoom in' }));
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(11, 30).toISOString(), local(12, 30).toISOString()]));
    expect(screen.getByTestId('timeline').dataset.zoom).toBe('1');
    fireEvent.click(screen.getByRole('button', { name: 'Zoom in' }));
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(11, 55).toISOString(), local(12, 5).toISOString()]));
    expect(screen.getByRole('button', { name: 'Zoom in' }).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Later' }));
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(12).toISOString(), local(12, 10).toISOString()]));
    fireEvent.click(screen.getByRole('button', { name: 'Zoom out' }));
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(11, 35).toISOString(), local(12, 35).toISOString()]));
    fireEvent.click(screen.getByRole('button', { name: 'Zoom out' }));
    expect(shownWindow()).toEqual([day.from.toISOString(), day.to.toISOString()]);
    expect(screen.getByRole('button', { name: 'Zoom out' }).hasAttribute('disabled')).toBe(true);
    // The other camera follows the same window.
    expect(fetch.mock.calls.some(([u]) => String(u).includes('/cameras/c2/timeline') && String(u).includes(encodeURIComponent(local(12, 10).toISOString())))).toBe(true);
  });

  it('the wheel zooms in around the instant under the pointer', async () => {
    const fetch = serve();
    renderAs('viewer', <Harness onPick={() => undefined} />);
    const bar = screen.getByTestId('timeline-bar-c1');
    widen(bar, 1000);
    fireEvent.wheel(bar, { deltaY: -100, clientX: 250 });
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(5, 30).toISOString(), local(6, 30).toISOString()]));
    fireEvent.wheel(bar, { deltaY: 100, clientX: 250 });
    expect(shownWindow()).toEqual([day.from.toISOString(), day.to.toISOString()]);
  });

  it('a click yields the instant under the pointer and what covers it', async () => {
    serve();
    const onPick = vi.fn();
    renderAs('viewer', <Harness onPick={onPick} />);
    await waitFor(() => expect(segs('c1')).toHaveLength(4));
    const bar = screen.getByTestId('timeline-bar-c1');
    widen(bar, 1000);
    fireEvent.click(bar, { clientX: 125 });
    expect(onPick).toHaveBeenLastCalledWith({ cameraId: 'c1', at: local(3), hit: { kind: 'interval' } });
    fireEvent.click(bar, { clientX: 375 });
    expect(onPick).toHaveBeenLastCalledWith({ cameraId: 'c1', at: local(9), hit: { kind: 'gap', cause: 'offline' } });
  });

  it('is a keyboard slider: arrows move the cursor, Enter picks, + zooms at the cursor', async () => {
    const fetch = serve();
    const onPick = vi.fn();
    renderAs('viewer', <Harness onPick={onPick} />);
    await waitFor(() => expect(segs('c1')).toHaveLength(4));
    const bar = screen.getByRole('slider', { name: 'Footage of Gate' });
    expect(bar.getAttribute('aria-valuetext')).toBe('12:00:00, recorded');
    fireEvent.keyDown(bar, { key: 'ArrowLeft', shiftKey: true }); // 6 × 30 min
    expect(bar.getAttribute('aria-valuetext')).toBe('09:00:00, no footage: camera offline');
    fireEvent.keyDown(bar, { key: 'Enter' });
    expect(onPick).toHaveBeenLastCalledWith({ cameraId: 'c1', at: local(9), hit: { kind: 'gap', cause: 'offline' } });
    fireEvent.keyDown(bar, { key: '+' });
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(8, 30).toISOString(), local(9, 30).toISOString()]));
    fireEvent.keyDown(bar, { key: 'PageDown' });
    await waitFor(() => expect(lastWindow(fetch)).toEqual([local(9).toISOString(), local(10).toISOString()]));
  });
});
