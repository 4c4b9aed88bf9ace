import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { camera, fakeMedia, jan2, mockFetch, page, recording, renderAs, timeline, widen } from '../test/fixtures';
import TimelinePage, { recordingAt } from './TimelinePage';

/** Two hourly chunks 02:00–03:00 and 03:00–04:00 (local) inside the recorded 00:00–06:00. */
const chunks = [recording('r2', { started_at: jan2(2), ended_at: jan2(3) }), recording('r3', { started_at: jan2(3), ended_at: jan2(4) })];

function serve() {
  return mockFetch({
    'GET /cameras/c1/timeline': timeline('c1'),
    'GET /cameras/c1': camera('c1', { name: 'Gate' }),
    'GET /cameras': page([camera('c1', { name: 'Gate' })]),
    // As the server filters: recordings ending after `from` and starting before `to`.
    'GET /recordings': (url: URL) => page(chunks.filter((r) => r.ended_at > url.searchParams.get('from')! && r.started_at < url.searchParams.get('to')!)),
    'GET /recordings/r2/links': { stream_url: '/api/v1/recordings/r2/stream?sig=a', download_url: '/d', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
  });
}

async function bar() {
  const el = await screen.findByTestId('timeline-bar-c1');
  widen(el, 2400);
  await waitFor(() => expect(el.querySelectorAll('[data-testid="timeline-seg"]')).toHaveLength(4));
  return el;
}

describe('TimelinePage', () => {
  it('a click in recorded footage plays the covering recording from that instant', async () => {
    const fetch = serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02&camera=c1');
    // 2400 px for 24 h: x = 245 is 02:27 — 27 min into the 02:00 chunk.
    fireEvent.click(await bar(), { clientX: 245 });
    const video = (await screen.findByTestId('recording-video')) as HTMLVideoElement;
    expect(video.getAttribute('src')).toBe('/api/v1/recordings/r2/stream?sig=a');
    const asked = fetch.mock.calls.map(([u]) => new URL(String(u), 'http://x')).find((u) => u.pathname === '/api/v1/recordings')!;
    expect(asked.searchParams.get('camera_id')).toBe('c1');
    expect(asked.searchParams.get('from')).toBe(jan2(2, 27));
    fakeMedia(video, { currentTime: 0, readyState: 1, paused: true, duration: 3600 });
    act(() => {
      fireEvent.loadedMetadata(video);
    });
    expect(video.currentTime).toBe(27 * 60);
    expect(screen.getByRole('dialog').textContent).toMatch(/Gate/);
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

  it('in the sub-second hole between two chunks, the next chunk plays from its start', async () => {
    const halfSecondBefore3 = new Date(Date.parse(jan2(3)) - 500).toISOString();
    const hole = [recording('a', { started_at: jan2(2), ended_at: halfSecondBefore3 }), recording('b', { started_at: jan2(3), ended_at: jan2(4) })];
    mockFetch({ 'GET /recordings': (url: URL) => page(hole.filter((r) => r.ended_at > url.searchParams.get('from')! && r.started_at < url.searchParams.get('to')!)) });
    const found = await recordingAt('c1', new Date(Date.parse(jan2(3)) - 300));
    expect(found?.recording.id).toBe('b');
    expect(found?.offset).toBe(0);
    expect((await recordingAt('c1', new Date(Date.parse(jan2(2, 30)))))?.offset).toBe(1800);
  });

  it('without cameras asks to pick some', () => {
    serve();
    renderAs('viewer', <TimelinePage />, '/timeline?day=2026-01-02');
    expect(screen.getByTestId('empty-state').textContent).toMatch(/No camera picked/);
  });
});
