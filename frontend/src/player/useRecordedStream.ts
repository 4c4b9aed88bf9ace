// Attaches a recorded-footage playlist (HLS VOD across chunks) to a <video>, starting at media
// time `startAt`. hls.js plays through chunk boundaries and collapsed gaps by itself; what is left
// here is the start position and telling a signed URL that expired (403 / 410, or a native error)
// from a playlist that cannot play.

import { useEffect, useRef, useState, type RefObject } from 'react';
import { attachStream, detachVideo } from './attachStream';
import type { PlayerState } from './useHlsPlayback';

export function useRecordedStream(
  videoRef: RefObject<HTMLVideoElement | null>,
  url: string | null,
  startAt: number,
  /** The link stopped working: called with the media time reached, to resume there on a new link. */
  onExpired: (position: number) => void,
) {
  const [state, setState] = useState<PlayerState>('idle');
  const expired = useRef(onExpired);
  expired.current = onExpired;

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !url) {
      setState('idle');
      return;
    }
    setState('loading');
    const stream = attachStream(video, url, { startPosition: startAt, maxBufferLength: 30 }, {
      ready: (hls) => {
        if (!hls) video.currentTime = startAt; // hls.js starts at `startPosition` itself
        void Promise.resolve(video.play()).catch(() => undefined);
      },
      playing: () => setState('playing'),
      fatal: (status, native) => {
        if (native || status === 401 || status === 403 || status === 410) expired.current(video.currentTime || startAt);
        else setState('error');
      },
    });
    if (!stream) setState('error');
    return () => {
      stream?.destroy();
      detachVideo(video);
    };
  }, [videoRef, url, startAt]);

  return { state };
}
