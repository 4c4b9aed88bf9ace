// Footage of a day for several cameras stacked (the URL keeps the day, the cameras and an optional
// instant: `/timeline?day=2026-01-02&camera=<id>&camera=<id>&at=<RFC 3339>`; `at` zooms to it and
// plays the first camera's footage from there, which is how "go back" from live lands here). A
// click in recorded footage plays it continuously from that instant; a click in a gap says why
// there is no footage. "Select range" (or a shift-drag) picks a range of one camera to export.

import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCameraName } from '../api/cameraSearch';
import { CameraMultiPicker } from '../components/CameraPicker';
import { PageHeader } from '../components/Layout';
import type { RangeSelection } from '../components/RangeOverlay';
import { EmptyState } from '../components/States';
import { Timeline, type TimelinePick } from '../components/Timeline';
import { formatDuration } from '../lib/format';
import { CAUSE_LABELS, dayKey, dayWindow, formatClock, shiftDay, zoomIn, type TimeWindow } from '../lib/timeline';
import { RecordedPlayerModal } from '../player/RecordedPlayerModal';
import { ExportDialog } from './exports/ExportDialog';

type Outcome = { kind: 'playing'; cameraId: string; at: Date } | { kind: 'message'; text: string } | null;

function SelectionBar({ selection, onExport, onClear }: { selection: RangeSelection; onExport: () => void; onClear: () => void }) {
  const name = useCameraName(selection.cameraId);
  const { from, to } = selection.range;
  return (
    <div className="timeline-selection" data-testid="timeline-selection" data-from={new Date(from).toISOString()} data-to={new Date(to).toISOString()}>
      <span>
        {name}: {formatClock(new Date(from))} – {formatClock(new Date(to))} <span className="muted">({formatDuration(to - from)})</span>
      </span>
      <button type="button" className="btn btn--primary btn--small" onClick={onExport} data-testid="export-open">Export…</button>
      <button type="button" className="btn btn--ghost btn--small" onClick={onClear}>Clear</button>
    </div>
  );
}

export default function TimelinePage() {
  const [params, setParams] = useSearchParams();
  const today = dayKey(new Date());
  const day = dayWindow(params.get('day') ?? '') ? (params.get('day') as string) : today;
  const bounds = dayWindow(day) as TimeWindow;
  const cameras = params.getAll('camera');
  const atParam = params.get('at') ? new Date(params.get('at') as string) : null;
  const at = atParam && !Number.isNaN(atParam.getTime()) ? atParam : null;
  const initial = at && at >= bounds.from && at < bounds.to ? zoomIn(bounds, bounds, at) : bounds;
  // The window belongs to its day: another day starts from the whole day again.
  const [view, setView] = useState<{ day: string; w: TimeWindow }>({ day, w: initial });
  const shown = view.day === day ? view.w : bounds;
  const [outcome, setOutcome] = useState<Outcome>(() => (at && cameras[0] ? { kind: 'playing', cameraId: cameras[0], at } : null));
  const [selecting, setSelecting] = useState(false);
  const [selection, setSelection] = useState<RangeSelection | null>(null);
  const [exporting, setExporting] = useState(false);

  const update = (patch: { day?: string; cameras?: string[] }) => {
    const next = new URLSearchParams();
    next.set('day', patch.day ?? day);
    for (const c of patch.cameras ?? cameras) next.append('camera', c);
    setParams(next);
    setOutcome(null);
    setSelection(null);
  };
  /** Closing the player drops `at`, so a reload does not reopen it. */
  const closePlayer = () => {
    setOutcome(null);
    if (!params.has('at')) return;
    const next = new URLSearchParams(params);
    next.delete('at');
    setParams(next, { replace: true });
  };

  const onPick = ({ cameraId, at: instant, hit }: TimelinePick) => {
    const when = formatClock(instant);
    if (hit.kind === 'gap') return setOutcome({ kind: 'message', text: `No footage at ${when}: ${CAUSE_LABELS[hit.cause]}.` });
    if (hit.kind === 'none') return setOutcome({ kind: 'message', text: `No footage at ${when}.` });
    setOutcome({ kind: 'playing', cameraId, at: instant });
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
        <button
          type="button"
          className="btn btn--small"
          aria-pressed={selecting}
          onClick={() => setSelecting((v) => !v)}
          title="Drag on a bar, or click (Enter) at both ends; Shift-drag works in either mode"
          data-testid="select-range"
        >
          Select range
        </button>
      </form>
      <div className="timeline-page">
        <CameraMultiPicker value={cameras} onChange={(ids) => update({ cameras: ids })} testId="timeline-cameras" />
        <div className="timeline-page__main">
          {cameras.length === 0 ? (
            <EmptyState title="No camera picked">Pick one or more cameras to see their footage for the day.</EmptyState>
          ) : (
            <Timeline
              cameraIds={cameras}
              view={shown}
              bounds={bounds}
              onView={(w) => setView({ day, w })}
              onPick={onPick}
              selecting={selecting}
              selection={selection}
              onSelect={setSelection}
            />
          )}
          <div aria-live="polite" className="timeline-page__status">
            {selection && <SelectionBar selection={selection} onExport={() => setExporting(true)} onClear={() => setSelection(null)} />}
            {outcome?.kind === 'message' && <div className="alert alert--info" data-testid="timeline-message">{outcome.text}</div>}
          </div>
        </div>
      </div>
      {outcome?.kind === 'playing' && <RecordedPlayerModal cameraId={outcome.cameraId} at={outcome.at} onClose={closePlayer} />}
      {exporting && selection && <ExportDialog cameraId={selection.cameraId} range={selection.range} onClose={() => setExporting(false)} />}
    </>
  );
}
