import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { camera, fakeMedia, jan2, mockFetch, nativeHls, page, recordedPlayback, renderAs, timeline, widen } from '../test/fixtures';
import TimelinePage from './TimelinePage';

function serve() {
  nativeHls();
  return mockFetch({
    'GET /cameras/c1/timeline': timeline('c1'),
    'GET /cameras/c1': camera('c1', { name: 'Gate' }),
    'GET /cameras': page([camera('c1', { name: 'Gate' })]),
    'GET /cameras/c1/playback/recorded': recordedPlayback(),
  });
}

const asked = (fetch: ReturnType<typeof serve>, path: string) =>
  fetch.mock.calls.map(([u]) => new URL(String(u), 'http://x')).filter((u) => u.pathname === `/api/v1${path}`);

async function bar() {
  const el = await screen.findByTestId('timeline-bar-c1');
  widen(el, 2400);
  await waitFor(() => expect(el.querySelectorAll('[data-testid="timeline-seg"]')).toHaveLength(4));
  return el;
}

describe('TimelinePage', () => {
  it('a click in recorded footage plays the recorded footage from that instant, across chunks', async () => {
    const fetch = serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    // 2400 px for 24 h: x = 245 is 02:27.
    fireEvent.click(await bar(), { clientX: 245 });
    const video = (await screen.findByTestId('recorded-video')) as HTMLVideoElement;
    await waitFor(() => expect(video.getAttribute('src')).toBe('/api/v1/playback/recorded/c1/index.m3u8?sig=s1'));
    const [q] = asked(fetch, '/cameras/c1/playback/recorded');
    expect([q.searchParams.get('from'), q.searchParams.get('to')]).toEqual([jan2(1, 27), jan2(3, 27)]);
    fakeMedia(video, { currentTime: 0, readyState: 1, paused: true, duration: 7020 });
    act(() => {
      fireEvent.loadedMetadata(video);
    });
    // Footage starts at 01:30: 02:27 is 57 min in.
    expect(video.currentTime).toBe(57 * 60);
    act(() => {
      fireEvent.timeUpdate(video);
    });
    expect(screen.getByTestId('recorded-wallclock').getAttribute('data-wallclock')).toBe(jan2(2, 27));
    expect(screen.getByRole('dialog').textContent).toMatch(/Gate/);
    expect(asked(fetch, '/recordings')).toHaveLength(0);
  });

  it('`at` in the URL opens the player there (go back from live)', async () => {
    const fetch = serve();
    renderAs('viewer', <TimelinePage />, `/timeline?day=2026-01-02&camera=c1&at=${encodeURIComponent(jan2(2, 27))}`);
    await screen.findByTestId('recorded-video');
    await waitFor(() => expect(asked(fetch, '/cameras/c1/playback/recorded')).toHaveLength(1));
    expect(screen.getByTestId('timeline-window').textContent).toMatch(/01:57:00 – 02:57:00/);
  });

  it('Select range: two clicks select a range, Export opens the dialog on it', async () => {
    serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    const el = await bar();
    fireEvent.click(screen.getByTestId('select-range'));
    fireEvent.click(el, { clientX: 300 }); // 03:00
    expect(screen.getByTestId('range-anchor')).toBeTruthy();
    fireEvent.click(el, { clientX: 250 }); // 02:30
    const sel = screen.getByTestId('timeline-selection');
    expect([sel.getAttribute('data-from'), sel.getAttribute('data-to')]).toEqual([jan2(2, 30), jan2(3)]);
    expect(screen.queryByRole('dialog')).toBeNull();
    // The end handle moves by keyboard: 1/96 of the day is 15 min.
    fireEvent.keyDown(screen.getByTestId('range-to'), { key: 'ArrowRight' });
    expect(screen.getByTestId('timeline-selection').getAttribute('data-to')).toBe(jan2(3, 15));
    fireEvent.click(screen.getByTestId('export-open'));
    expect((screen.getByTestId('export-from') as HTMLInputElement).value).toBe('2026-01-02T02:30');
    expect((screen.getByTestId('export-to') as HTMLInputElement).value).toBe('2026-01-02T03:15');
  });

  it('the keyboard selects a range too: Enter at both ends of the cursor in Select range mode', async () => {
    serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    const el = await bar();
    fireEvent.click(screen.getByTestId('select-range'));
    for (const key of ['Home', 'Enter', 'ArrowRight', 'ArrowRight', 'Enter']) fireEvent.keyDown(el, { key });
    const sel = screen.getByTestId('timeline-selection');
    expect([sel.getAttribute('data-from'), sel.getAttribute('data-to')]).toEqual([jan2(0), jan2(1)]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a shift-drag selects a range without playing', async () => {
    serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    const el = await bar();
    fireEvent.mouseDown(el, { clientX: 100, shiftKey: true, button: 0 });
    fireEvent.mouseMove(window, { clientX: 160 });
    fireEvent.mouseUp(window, { clientX: 160 });
    fireEvent.click(el, { clientX: 160, shiftKey: true });
    const sel = screen.getByTestId('timeline-selection');
    expect([sel.getAttribute('data-from'), sel.getAttribute('data-to')]).toEqual([jan2(1), jan2(1, 36)]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a click in a gap says there is no footage and why', async () => {
    const fetch = serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    fireEvent.click(await bar(), { clientX: 1900 }); // 19:00, deleted
    expect((await screen.findByTestId('timeline-message')).textContent).toBe('No footage at 19:00:00: deleted (retention or by hand).');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fetch.mock.calls.some(([u]) => new URL(String(u), 'http://x').pathname === '/api/v1/recordings')).toBe(false);
  });

  it('the day picker moves the window a day and keeps the cameras', async () => {
    const fetch = serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    await bar();
    fireEvent.click(screen.getByTestId('day-prev'));
    expect((screen.getByTestId('day-input') as HTMLInputElement).value).toBe('2026-01-01');
    await waitFor(() => {
      const last = fetch.mock.calls.map(([u]) => new URL(String(u), 'http://x')).filter((u) => u.pathname.endsWith('/timeline')).at(-1)!;
      expect(last.searchParams.get('from')).toBe(new Date(2026, 0, 1).toISOString());
    });
  });

  it('without cameras asks to pick some', () => {
    serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02');
    expect(screen.getByTestId('empty-state').textContent).toMatch(/No camera picked/);
  });
});
