import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeMedia, mockFetch, renderAs } from '../test/fixtures';
import { RecordingPlayer } from './RecordingPlayer';

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const links = (n: number) => ({
  stream_url: `/api/v1/recordings/r1/stream?expires=${n}&sig=s${n}`,
  download_url: `/api/v1/recordings/r1/download?expires=${n}&sig=d${n}`,
  expires_at: inAnHour(),
});

describe('RecordingPlayer', () => {
  it('plays the signed stream_url, with no access token in the URL', async () => {
    mockFetch({ 'GET /recordings/r1/links': links(1) });
    renderAs('viewer', <RecordingPlayer recordingId="r1" />);
    const video = (await screen.findByTestId('recording-video')) as HTMLVideoElement;
    expect(video.getAttribute('src')).toBe('/api/v1/recordings/r1/stream?expires=1&sig=s1');
    expect(video.getAttribute('src')).not.toContain('access_token');
  });

  it('when the link expires mid-playback (403), fetches new links and resumes at the same time', async () => {
    let n = 0;
    const fetch = mockFetch({
      'GET /recordings/r1/links': () => links(++n),
      'GET /recordings/r1/stream': (url: URL) =>
        new Response(JSON.stringify({ error: { code: 'forbidden', message: 'link expired' } }), { status: url.searchParams.get('sig') === 's1' ? 403 : 206 }),
    });
    renderAs('viewer', <RecordingPlayer recordingId="r1" />);
    const first = (await screen.findByTestId('recording-video')) as HTMLVideoElement;
    fakeMedia(first, { currentTime: 12.5, readyState: 4, paused: false });
    fireEvent.timeUpdate(first);
    // The next range request is refused: the browser resets the element and reports an error.
    fakeMedia(first, { currentTime: 0, readyState: 0, paused: true });
    fireEvent.error(first);

    await waitFor(() => expect(screen.getByTestId('recording-video').getAttribute('src')).toContain('sig=s2'));
    const second = screen.getByTestId('recording-video') as HTMLVideoElement;
    expect(second).not.toBe(first); // remounted: loads the new URL from scratch
    const probe = fetch.mock.calls.find(([u]) => String(u).includes('/stream'))!;
    expect((probe[1]!.headers as Record<string, string>).Range).toBe('bytes=0-0');

    const { play, pause } = fakeMedia(second, { currentTime: 0, readyState: 1, paused: true });
    act(() => {
      fireEvent.loadedMetadata(second);
    });
    expect(second.currentTime).toBe(12.5);
    expect(play).toHaveBeenCalled();
    expect(pause).not.toHaveBeenCalled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('keeps a paused recording paused after the refresh', async () => {
    let n = 0;
    mockFetch({
      'GET /recordings/r1/links': () => links(++n),
      'GET /recordings/r1/stream': () => new Response('{}', { status: 403 }),
    });
    renderAs('viewer', <RecordingPlayer recordingId="r1" />);
    const first = (await screen.findByTestId('recording-video')) as HTMLVideoElement;
    fakeMedia(first, { currentTime: 30, readyState: 4, paused: true });
    fireEvent.pause(first);
    fireEvent.error(first);
    await waitFor(() => expect(screen.getByTestId('recording-video').getAttribute('src')).toContain('sig=s2'));
    const second = screen.getByTestId('recording-video') as HTMLVideoElement;
    const { play, pause } = fakeMedia(second, { currentTime: 0, readyState: 1, paused: false });
    fireEvent.loadedMetadata(second);
    expect(second.currentTime).toBe(30);
    expect(pause).toHaveBeenCalled();
    expect(play).not.toHaveBeenCalled();
  });

  it('a media error that is not the link shows the "cannot be played" message', async () => {
    const fetch = mockFetch({
      'GET /recordings/r1/links': links(1),
      'GET /recordings/r1/stream': () => new Response('x', { status: 206 }),
    });
    renderAs('viewer', <RecordingPlayer recordingId="r1" />);
    const video = (await screen.findByTestId('recording-video')) as HTMLVideoElement;
    fireEvent.error(video);
    expect((await screen.findByRole('alert')).textContent).toMatch(/cannot be played/);
    expect(fetch.mock.calls.filter(([u]) => String(u).includes('/links'))).toHaveLength(1);
  });
});
