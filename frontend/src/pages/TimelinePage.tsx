// Footage of a day for several cameras stacked (the URL keeps the day, the cameras and an optional
// instant to zoom to: `/timeline?day=2026-01-02&camera=<id>&camera=<id>&at=<RFC 3339>`). A click
// in recorded footage plays the recording that covers it from that instant; a click in a gap
// says why there is no footage.

import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { useCameraName } from '../api/cameraSearch';
import { describeError } from '../api/errors';
import type { Recording } from '../api/types';
import { CameraMultiPicker } from '../components/CameraPicker';
import { PageHeader } from '../components/Layout';
import { EmptyState } from '../components/States';
import { Timeline, type TimelinePick } from '../components/Timeline';
import { RecordingPlayerModal } from '../player/RecordingPlayerModal';
import { CAUSE_LABELS, dayKey, dayWindow, formatClock, shiftDay, zoomIn, type TimeWindow } from '../lib/timeline';

/** Chunks may leave sub-second holes the timeline merges over: a click there plays the next chunk. */
const HOLE_MS = 2_000;

/** The recording of the camera covering `at` (or starting just after it) and the seconds into it. */
export async function recordingAt(cameraId: string, at: Date): Promise<{ recording: Recording; offset: number } | null> {
  const t = at.getTime();
  const found = await api.recordings.list({ camera_id: cameraId, from: at.toISOString(), to: new Date(t + HOLE_MS).toISOString(), limit: 10 });
  const byStart = [...found.items].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const r = byStart.find((x) => Date.parse(x.started_at) <= t && t < Date.parse(x.ended_at)) ?? byStart.find((x) => Date.parse(x.started_at) > t);
  return r ? { recording: r, offset: Math.max(0, (t - Date.parse(r.started_at)) / 1000) } : null;
}

type Outcome = { kind: 'playing'; recording: Recording; offset: number } | { kind: 'message'; text: string } | null;

function Player({ recording, offset, onClose }: { recording: Recording; offset: number; onClose: () => void }) {
  const name = useCameraName(recording.camera_id);
  const at = new Date(Date.parse(recording.started_at) + offset * 1000);
  return <RecordingPlayerModal recording={recording} startAt={offset} title={`${name} — ${at.toLocaleString()}`} onClose={onClose} />;
}

export default function TimelinePage() {
  const [params, setParams] = useSearchParams();
  const today = dayKey(new Date());
  const day = dayWindow(params.get('day') ?? '') ? (params.get('day') as string) : today;
  const bounds = dayWindow(day) as TimeWindow;
  const cameras = params.getAll('camera');
  const at = params.get('at') ? new Date(params.get('at') as string) : null;
  const initial = at && at >= bounds.from && at < bounds.to ? zoomIn(bounds, bounds, at) : bounds;
  // The window belongs to its day: another day starts from the whole day again.
  const [view, setView] = useState<{ day: string; w: TimeWindow }>({ day, w: initial });
  const shown = view.day === day ? view.w : bounds;
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  const update = (patch: { day?: string; cameras?: string[] }) => {
    const next = new URLSearchParams();
    next.set('day', patch.day ?? day);
    for (const c of patch.cameras ?? cameras) next.append('camera', c);
    setParams(next);
    setOutcome(null);
  };

  const onPick = async ({ cameraId, at: instant, hit }: TimelinePick) => {
    const when = formatClock(instant);
    if (hit.kind === 'gap') return setOutcome({ kind: 'message', text: `No footage at ${when}: ${CAUSE_LABELS[hit.cause]}.` });
    if (hit.kind === 'none') return setOutcome({ kind: 'message', text: `No footage at ${when}.` });
    setBusy(true);
    try {
      const found = await recordingAt(cameraId, instant);
      setOutcome(found ? { kind: 'playing', ...found } : { kind: 'message', text: `No recording found at ${when}.` });
    } catch (e) {
      setOutcome({ kind: 'message', text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title="Timeline" />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Day">
        <button type="button" className="btn btn--small" onClick={() => update({ day: shiftDay(day, -1) })} data-testid="day-prev">← Previous day</button>
        <label className="labelled">
          Day <input type="date" value={day} max={today} onChange={(e) => dayWindow(e.target.value) && update({ day: e.target.value })} data-testid="day-input" />
        </label>
        <button type="button" className="btn btn--small" onClick={() => update({ day: shiftDay(day, 1) })} disabled={day >= today} data-testid="day-next">Next day →</button>
        {day !== today && <button type="button" className="btn btn--ghost btn--small" onClick={() => update({ day: today })}>Today</button>}
      </form>
      <div className="timeline-page">
        <CameraMultiPicker value={cameras} onChange={(ids) => update({ cameras: ids })} testId="timeline-cameras" />
        <div className="timeline-page__main">
          {cameras.length === 0 ? (
            <EmptyState title="No camera picked">Pick one or more cameras to see their footage for the day.</EmptyState>
          ) : (
            <Timeline cameraIds={cameras} view={shown} bounds={bounds} onView={(w) => setView({ day, w })} onPick={(p) => void onPick(p)} />
          )}
          <div aria-live="polite" className="timeline-page__status">
            {busy && <span className="muted">Finding the recording…</span>}
            {outcome?.kind === 'message' && <div className="alert alert--info" data-testid="timeline-message">{outcome.text}</div>}
          </div>
        </div>
      </div>
      {outcome?.kind === 'playing' && <Player recording={outcome.recording} offset={outcome.offset} onClose={() => setOutcome(null)} />}
    </>
  );
}
