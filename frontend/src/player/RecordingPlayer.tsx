// A recording's MP4 in a plain `<video>`, opened through its signed link. When the link expires
// (403 on the next range request) new links are fetched and playback resumes at the same position.

import { useEffect, useMemo, useRef, useState, type SyntheticEvent } from 'react';
import { api } from '../api';
import { describeError } from '../api/errors';
import type { RecordingLinks } from '../api/types';
import { SignedLinkRecovery, type MediaPosition } from './recordingLinks';

const NOT_PLAYABLE = 'This recording cannot be played in the browser; download it instead.';

type Media = SyntheticEvent<HTMLVideoElement>;

/** `startAt`: seconds into the recording to start from (a timeline click). */
export function RecordingPlayer({ recordingId, startAt = 0 }: { recordingId: string; startAt?: number }) {
  const [links, setLinks] = useState<RecordingLinks | null>(null);
  /** Bumped on every link refresh: remounts the `<video>` so it loads the new URL from scratch. */
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const resume = useRef<MediaPosition | null>(null);
  const lastTime = useRef(0);
  const wantsPlay = useRef(true); // autoPlay
  const recovering = useRef(false);
  const recovery = useMemo(() => new SignedLinkRecovery({ fetchLinks: () => api.recordings.links(recordingId) }), [recordingId]);

  useEffect(() => {
    let cancelled = false;
    setLinks(null);
    setError(null);
    // The first load seeks like a resume after a link refresh.
    resume.current = startAt > 0 ? { time: startAt, playing: true } : null;
    lastTime.current = 0;
    wantsPlay.current = true;
    api.recordings.links(recordingId).then(
      (l) => !cancelled && setLinks(l),
      (e) => !cancelled && setError(describeError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [recordingId, startAt]);

  // While (re)loading, the element reports position 0 and fires pause: ignore those.
  const onTimeUpdate = (e: Media) => {
    const v = e.currentTarget;
    if (v.readyState > 0 && !resume.current) lastTime.current = v.currentTime;
  };
  const onPlay = () => {
    wantsPlay.current = true;
  };
  const onPause = (e: Media) => {
    const v = e.currentTarget;
    if (v.readyState > 0 && !v.ended) wantsPlay.current = false;
  };
  const onLoadedMetadata = (e: Media) => {
    const v = e.currentTarget;
    const r = resume.current;
    if (!r) return;
    resume.current = null;
    if (r.time > 0) v.currentTime = Number.isFinite(v.duration) ? Math.min(r.time, v.duration) : r.time;
    lastTime.current = r.time;
    if (r.playing) void Promise.resolve(v.play()).catch(() => undefined);
    else v.pause();
  };
  const onLoadedData = () => recovery.loaded();
  const onError = async (e: Media) => {
    const v = e.currentTarget;
    if (!links || recovering.current) return;
    recovering.current = true;
    const position = { time: v.readyState > 0 && v.currentTime > 0 ? v.currentTime : lastTime.current, playing: wantsPlay.current };
    try {
      const r = await recovery.recover(v.getAttribute('src') ?? links.stream_url, links, position);
      if (r.kind === 'refreshed') {
        resume.current = r.resume;
        setLinks(r.links);
        setGeneration((g) => g + 1);
        setError(null);
      } else {
        setError(r.reason === 'gave-up' ? 'The recording link keeps being rejected; close the player and open it again.' : NOT_PLAYABLE);
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      recovering.current = false;
    }
  };

  return (
    <>
      {error && <div className="alert alert--error" role="alert">{error}</div>}
      {links && (
        <video
          key={generation}
          className="recording-video"
          data-testid="recording-video"
          data-generation={generation}
          src={links.stream_url}
          controls
          autoPlay
          muted
          playsInline
          onTimeUpdate={onTimeUpdate}
          onPlay={onPlay}
          onPause={onPause}
          onLoadedMetadata={onLoadedMetadata}
          onLoadedData={onLoadedData}
          onError={(e) => void onError(e)}
        />
      )}
    </>
  );
}
