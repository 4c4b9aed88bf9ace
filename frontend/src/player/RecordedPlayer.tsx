// A camera's recorded footage from a wall-clock instant, played continuously across chunks from
// one signed HLS VOD playlist (`GET /cameras/{id}/playback/recorded`) over an hour either side of
// it. Shows the wall clock of the frame playing, computed from the playlist's mapping (the one the
// server's e2e test checks frame by frame; hls.js's `playingDate` extrapolates from the fragment
// it last saw playing, which lags right after a seek) and seeks to a typed wall-clock time,
// re-asking for another window when that time is outside this one.

import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { describeError } from '../api/errors';
import type { RecordedPlayback } from '../api/footage';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/format';
import { mediaToWall, playbackWindow, startFor, wallToMedia, type MediaTarget } from '../lib/mediaTime';
import { fromLocalInput, toLocalInput } from '../lib/range';
import { formatClock } from '../lib/timeline';
import { useRecordedStream } from './useRecordedStream';

/** Link refreshes in a row without playing before giving up (a playlist that never plays). */
const MAX_REFRESHES = 2;

/** Where to start: a picked wall-clock instant, or (after a link refresh) the media time reached. */
type Start = { wall: Date } | { media: number };

function startOf(pb: RecordedPlayback, s: Start): MediaTarget {
  return 'media' in s ? { time: s.media, where: 'footage' } : startFor(pb, s.wall);
}

function startNote(pb: RecordedPlayback, s: Start, target: MediaTarget): string | null {
  if ('media' in s) return null;
  const asked = formatClock(s.wall);
  const from = formatClock(mediaToWall(pb, target.time));
  if (target.where === 'gap') return `No footage at ${asked}; playing from ${from}, where it resumes.`;
  if (target.where === 'before') return `Footage starts at ${from}.`;
  if (target.where === 'after') return `The footage at ${asked} is not filed yet (still recording); playing the latest from ${from}.`;
  return null;
}

export function RecordedPlayer({ cameraId, at }: { cameraId: string; at: Date }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [win, setWin] = useState(() => playbackWindow(at));
  const [start, setStart] = useState<Start>({ wall: at });
  const [wall, setWall] = useState<Date | null>(null);
  const [seekValue, setSeekValue] = useState(() => toLocalInput(at.getTime()));
  const refreshes = useRef(0);
  const [f, t] = [win.from.toISOString(), win.to.toISOString()];
  const pb = useQuery({
    queryKey: keys.recordedPlayback(cameraId, f, t),
    queryFn: () => api.cameras.recordedPlayback(cameraId, f, t),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
  const data = pb.data;
  const target = data ? startOf(data, start) : null;
  const { state } = useRecordedStream(videoRef, data?.url ?? null, target?.time ?? 0, (position) => {
    if (refreshes.current >= MAX_REFRESHES) return;
    refreshes.current += 1;
    setStart({ media: position });
    void pb.refetch();
  });
  if (state === 'playing') refreshes.current = 0;

  const onTimeUpdate = () => {
    const v = videoRef.current;
    if (!v || !data || v.readyState === 0) return;
    setWall(mediaToWall(data, v.currentTime));
  };
  const seek = (e: FormEvent) => {
    e.preventDefault();
    const ms = fromLocalInput(seekValue);
    const v = videoRef.current;
    if (!Number.isFinite(ms)) return;
    if (data && v && ms >= win.from.getTime() && ms < win.to.getTime()) {
      v.currentTime = wallToMedia(data, new Date(ms)).time;
      setWall(new Date(ms));
      return;
    }
    setStart({ wall: new Date(ms) });
    setWin(playbackWindow(new Date(ms)));
  };

  const note = data && target ? startNote(data, start, target) : null;
  return (
    <div className="recorded" data-testid="recorded-player" data-state={state}>
      {pb.error && <div className="alert alert--error" role="alert" data-testid="recorded-error">{describeError(pb.error)}</div>}
      {state === 'error' && <div className="alert alert--error" role="alert">This footage cannot be played in this browser.</div>}
      {note && <div className="alert alert--info" data-testid="recorded-note">{note}</div>}
      <video
        ref={videoRef}
        className="recording-video"
        data-testid="recorded-video"
        data-start-at={data?.start_at}
        controls
        autoPlay
        muted
        playsInline
        aria-label="Recorded footage"
        onTimeUpdate={onTimeUpdate}
        onSeeked={onTimeUpdate}
      />
      <div className="recorded__bar">
        <output className="recorded__clock" data-testid="recorded-wallclock" data-wallclock={wall?.toISOString() ?? ''} aria-live="off">
          {wall ? formatDateTime(wall.toISOString()) : pb.isLoading ? 'Loading footage…' : '—'}
        </output>
        <form className="recorded__seek" onSubmit={seek} aria-label="Go to a time">
          <label className="labelled">
            Go to <input type="datetime-local" step={1} value={seekValue} onChange={(e) => setSeekValue(e.target.value)} data-testid="recorded-seek-input" />
          </label>
          <button type="submit" className="btn btn--small" data-testid="recorded-seek">Go</button>
        </form>
      </div>
      {data && (
        <p className="muted small">
          {formatDateTime(data.from)} – {formatDateTime(data.to)} · {data.segments} segments
          {data.discontinuities.length ? ` · ${data.discontinuities.length} gap(s) skipped` : ''}
        </p>
      )}
    </div>
  );
}
