import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeMedia, jan2, mockFetch, nativeHls, recordedPlayback, renderAs } from '../test/fixtures';
import { RecordedPlayer } from './RecordedPlayer';

describe('RecordedPlayer', () => {
  it('when the signed playlist stops working, asks for a new one and resumes where it was', async () => {
    nativeHls();
    let issued = 0;
    mockFetch({ 'GET /cameras/c1/playback/recorded': () => recordedPlayback({ url: `/api/v1/playback/recorded/c1/index.m3u8?sig=s${(issued += 1)}` }) });
    renderAs('viewer', <RecordedPlayer cameraId="c1" at={new Date(jan2(2))} />);
    const video = (await screen.findByTestId('recorded-video')) as HTMLVideoElement;
    await waitFor(() => expect(video.getAttribute('src')).toMatch(/sig=s1$/));
    fakeMedia(video, { currentTime: 0, readyState: 1, paused: true, duration: 7020 });
    act(() => {
      fireEvent.loadedMetadata(video);
    });
    expect(video.currentTime).toBe(30 * 60); // 02:00 is 30 min after the footage starts (01:30)
    video.currentTime = 1900;
    act(() => {
      fireEvent.error(video);
    });
    await waitFor(() => expect(video.getAttribute('src')).toMatch(/sig=s2$/));
    act(() => {
      fireEvent.loadedMetadata(video);
    });
    expect(video.currentTime).toBe(1900);
    expect(screen.queryByTestId('recorded-note')).toBeNull();
  });

  it('shows a 422 (no footage) as the server words it', async () => {
    nativeHls();
    const message = 'No footage between 01:00:00 and 03:00:00';
    mockFetch({ 'GET /cameras/c1/playback/recorded': () => new Response(JSON.stringify({ error: { code: 'no_footage', message } }), { status: 422 }) });
    renderAs('viewer', <RecordedPlayer cameraId="c1" at={new Date(jan2(2))} />);
    expect((await screen.findByTestId('recorded-error')).textContent).toBe(message);
  });

  it('a start inside a collapsed gap plays from where the footage resumes', async () => {
    nativeHls();
    mockFetch({ 'GET /cameras/c1/playback/recorded': recordedPlayback({ discontinuities: [{ at: jan2(2, 10), media_secs: 1200 }] }) });
    // Footage 01:30–01:50, then from 02:10: 02:00 is in the gap.
    renderAs('viewer', <RecordedPlayer cameraId="c1" at={new Date(jan2(2))} />);
    expect((await screen.findByTestId('recorded-note')).textContent).toMatch(/^No footage at \d\d:00:00; playing from \d\d:10:00, where it resumes\.$/);
  });
});
