// Attaches a camera's live HLS stream to a <video> while `enabled`, and keeps retrying until it
// plays: right after a camera goes online its playlist 404s for a few seconds. hls.js (where Media
// Source Extensions exist) gives us the quality levels; see attachStream. Disabling tears
// everything down, so nothing downloads.

import Hls, { type Level } from 'hls.js/light';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { api } from '../api';
import type { Playback } from '../api/types';
import { attachStream, detachVideo, type AttachedStream } from './attachStream';
import { playbackValid, retryDelay } from './retry';

export type PlayerState = 'idle' | 'loading' | 'playing' | 'retrying' | 'error';

export interface LevelInfo {
  index: number;
  label: string;
}

export function levelLabel(l: Pick<Level, 'height' | 'bitrate' | 'name'>): string {
  if (l.height) return `${l.height}p`;
  if (l.name) return l.name;
  return `${Math.round(l.bitrate / 1000)} kbit/s`;
}

export function useHlsPlayback(videoRef: RefObject<HTMLVideoElement | null>, cameraId: string, enabled: boolean) {
  const [state, setState] = useState<PlayerState>('idle');
  const [levels, setLevels] = useState<LevelInfo[]>([]);
  const [level, setLevelState] = useState(-1); // -1 = auto (ABR)
  const [currentLevel, setCurrentLevel] = useState(-1);
  const hlsRef = useRef<Hls | null>(null);
  const playbackRef = useRef<Playback | null>(null);
  const levelRef = useRef(-1);

  useEffect(() => {
    const video = videoRef.current;
    if (!enabled || !video) {
      setState('idle');
      return;
    }
    let cancelled = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stream: AttachedStream | null = null;

    const teardown = () => {
      stream?.destroy();
      stream = null;
      hlsRef.current = null;
      detachVideo(video);
    };
    const retry = (forgetUrl: boolean) => {
      if (cancelled) return;
      teardown();
      if (forgetUrl) playbackRef.current = null;
      setState('retrying');
      timer = setTimeout(start, retryDelay(attempt));
      attempt += 1;
    };
    const playing = () => {
      attempt = 0;
      setState('playing');
    };

    async function start() {
      setState((s) => (s === 'retrying' ? s : 'loading'));
      let pb = playbackRef.current;
      if (!pb || !playbackValid(pb.expires_at)) {
        try {
          pb = await api.cameras.playback(cameraId);
          playbackRef.current = pb;
        } catch {
          return retry(true);
        }
      }
      if (cancelled || !video) return;
      stream = attachStream(video, pb.master_url, { liveSyncDurationCount: 3, manifestLoadingMaxRetry: 1, levelLoadingMaxRetry: 2, backBufferLength: 10 }, {
        ready: (hls) => {
          if (hls) {
            setLevels(hls.levels.map((l, index) => ({ index, label: levelLabel(l) })).sort((a, b) => b.index - a.index));
            if (levelRef.current >= 0) hls.currentLevel = levelRef.current;
          }
          void video.play().catch(() => undefined);
        },
        playing,
        // The native element tells no status: fetch a fresh URL in case the signed one expired.
        fatal: (status, native) => retry(native || status === 403 || status === 401 || status === 410),
        setup: (hls) => hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => setCurrentLevel(data.level)),
      });
      hlsRef.current = stream?.hls ?? null;
      if (!stream) setState('error');
    }

    void start();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      teardown();
      setLevels([]);
      setCurrentLevel(-1);
    };
  }, [videoRef, cameraId, enabled]);

  // A stream that stalls for good (the publisher froze) is restarted.
  useEffect(() => {
    const video = videoRef.current;
    if (!video || state !== 'playing') return;
    let last = video.currentTime;
    const t = setInterval(() => {
      if (!video.paused && video.currentTime === last) hlsRef.current?.startLoad(-1);
      last = video.currentTime;
    }, 15_000);
    return () => clearInterval(t);
  }, [videoRef, state]);

  const setLevel = useCallback((index: number) => {
    setLevelState(index);
    levelRef.current = index;
    if (hlsRef.current) hlsRef.current.currentLevel = index;
  }, []);

  return { state, levels, level, currentLevel, setLevel };
}
