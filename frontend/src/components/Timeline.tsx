// Footage timelines: one bar per camera over a shared window, recorded intervals filled and gaps
// hatched (their cause on hover and in the legend). Zoom (buttons, wheel, + / -) and pan (buttons,
// PageUp / PageDown) change the window, which refetches every bar. Each bar is a slider: the arrow
// keys move a cursor, Enter picks it; a click picks the instant under the pointer. With `onSelect`,
// a shift-drag (or, in `selecting` mode, a drag or two clicks / two Enters) selects a range.

import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { instantOnBar, RangeOverlay, trackDrag, type RangeSelection } from './RangeOverlay';
import { describeError } from '../api/errors';
import { useTimeline } from '../api/hooks';
import { useCameraName } from '../api/cameraSearch';
import type { GapCause } from '../api/types';
import { pickEnd, rangeBetween } from '../lib/range';
import {
  CAUSE_LABELS, formatClock, fractionOf, instantAt, locate, pan, segments, ticks, zoomIn, zoomLevel, zoomOut,
  ZOOM_SPANS, type Hit, type Segment, type TimeWindow,
} from '../lib/timeline';

export interface TimelinePick {
  cameraId: string;
  at: Date;
  hit: Hit;
}

interface Props {
  cameraIds: string[];
  /** The visible window, inside `bounds` (the day). */
  view: TimeWindow;
  bounds: TimeWindow;
  onView: (w: TimeWindow) => void;
  onPick: (p: TimelinePick) => void;
  /** One bar, no controls, ticks or legend (a camera's last 24 h). */
  compact?: boolean;
  /** Range selection: clicks and Enter set the ends of a range instead of picking an instant. */
  selecting?: boolean;
  selection?: RangeSelection | null;
  onSelect?: (s: RangeSelection) => void;
}

/** Pixels the pointer must move before a press becomes a drag. */
const DRAG_PX = 3;

const ZOOM_NAMES = ['day', '1 hour', '10 minutes'];

function segmentTitle(s: Segment): string {
  const span = `${formatClock(new Date(s.from))} – ${formatClock(new Date(s.to))}`;
  return s.kind === 'interval' ? `Recorded ${span}` : `No footage (${CAUSE_LABELS[s.cause ?? 'unknown']}) ${span}`;
}

function hitText(h: Hit): string {
  return h.kind === 'interval' ? 'recorded' : h.kind === 'gap' ? `no footage: ${CAUSE_LABELS[h.cause]}` : 'no data';
}

function TimelineRow({ cameraId, view, bounds, onView, onPick, compact, selecting, selection, onSelect }: Omit<Props, 'cameraIds'> & { cameraId: string }) {
  const name = useCameraName(cameraId);
  const timeline = useTimeline(cameraId, view.from, view.to);
  const [cursor, setCursor] = useState(() => (view.from.getTime() + view.to.getTime()) / 2);
  // A new window recentres a cursor it left behind.
  const [fromMs, toMs] = [view.from.getTime(), view.to.getTime()];
  useEffect(() => {
    setCursor((c) => (c >= fromMs && c < toMs ? c : (fromMs + toMs) / 2));
  }, [fromMs, toMs]);
  const span = toMs - fromMs;
  const pick = (at: Date) => onPick({ cameraId, at, hit: locate(timeline.data, at) });
  const [anchor, setAnchor] = useState<number | null>(null);
  const dragged = useRef(false);
  const pickEndAt = (t: number) => {
    const next = pickEnd(anchor, t, bounds);
    setAnchor(next.anchor);
    if (next.range) onSelect?.({ cameraId, range: next.range });
  };

  const onMouseDown = (e: MouseEvent<HTMLDivElement>) => {
    if (!onSelect || e.button !== 0 || !(selecting || e.shiftKey)) return;
    e.preventDefault();
    const start = instantOnBar(e.currentTarget, view, e.clientX);
    const x0 = e.clientX;
    dragged.current = false;
    trackDrag(e.currentTarget, view, (t, x) => {
      if (!dragged.current && Math.abs(x - x0) < DRAG_PX) return;
      dragged.current = true;
      setAnchor(null);
      onSelect({ cameraId, range: rangeBetween(start, t, bounds) });
    });
  };
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    if (dragged.current) {
      dragged.current = false; // the end of a drag, not a pick
      return;
    }
    const at = instantOnBar(e.currentTarget, view, e.clientX);
    setCursor(at);
    if (onSelect && (selecting || e.shiftKey)) pickEndAt(at);
    else pick(new Date(at));
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = (span / 48) * (e.shiftKey ? 6 : 1);
    const move = (t: number) => setCursor(Math.min(toMs - 1, Math.max(fromMs, t)));
    const actions: Record<string, () => void> = {
      ArrowLeft: () => move(cursor - step),
      ArrowRight: () => move(cursor + step),
      Home: () => move(fromMs),
      End: () => move(toMs - 1),
      Enter: () => (onSelect && (selecting || e.shiftKey) ? pickEndAt(cursor) : pick(new Date(cursor))),
      ' ': () => (onSelect && selecting ? pickEndAt(cursor) : pick(new Date(cursor))),
      Escape: () => setAnchor(null),
      ...(compact ? {} : {
        '+': () => onView(zoomIn(view, bounds, new Date(cursor))),
        '=': () => onView(zoomIn(view, bounds, new Date(cursor))),
        '-': () => onView(zoomOut(view, bounds)),
        PageUp: () => onView(pan(view, bounds, -1)),
        PageDown: () => onView(pan(view, bounds, 1)),
      }),
    };
    const act = actions[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  };

  const cursorAt = new Date(cursor);
  return (
    <div className="timeline__row" data-testid={`timeline-row-${cameraId}`}>
      {!compact && <div className="timeline__name" title={name}>{name}</div>}
      <div
        className="timeline__bar"
        role="slider"
        tabIndex={0}
        aria-label={`Footage of ${name}`}
        aria-valuemin={view.from.getTime()}
        aria-valuemax={view.to.getTime()}
        aria-valuenow={cursor}
        aria-valuetext={`${formatClock(cursorAt)}, ${hitText(locate(timeline.data, cursorAt))}`}
        aria-busy={timeline.isFetching}
        data-testid={`timeline-bar-${cameraId}`}
        data-selecting={selecting || undefined}
        onMouseDown={onMouseDown}
        onClick={onClick}
        onKeyDown={onKey}
      >
        {timeline.data && segments(timeline.data, view).map((s) => (
          <div
            key={`${s.kind}-${s.from}`}
            className={s.kind === 'interval' ? 'timeline__seg timeline__seg--rec' : `timeline__seg timeline__seg--gap timeline__seg--${s.cause}`}
            style={{ left: `${s.left}%`, width: `${s.width}%` }}
            title={segmentTitle(s)}
            data-testid="timeline-seg"
            data-kind={s.kind}
            data-cause={s.cause}
          />
        ))}
        <div className="timeline__cursor" style={{ left: `${fractionOf(view, cursor) * 100}%` }} aria-hidden="true" />
        {onSelect && (
          <RangeOverlay
            view={view}
            bounds={bounds}
            range={selection?.cameraId === cameraId ? selection.range : null}
            anchor={anchor}
            onChange={(range) => onSelect({ cameraId, range })}
          />
        )}
      </div>
      {timeline.error && <div className="timeline__error small" role="alert">{describeError(timeline.error)}</div>}
    </div>
  );
}

function Ticks({ view }: { view: TimeWindow }) {
  return (
    <div className="timeline__ticks" aria-hidden="true">
      {ticks(view).map((t) => (
        <span key={t.at.getTime()} className={t.label ? 'timeline__tick timeline__tick--major' : 'timeline__tick'} style={{ left: `${t.left}%` }}>
          {t.label}
        </span>
      ))}
    </div>
  );
}

export function TimelineLegend() {
  const causes = Object.keys(CAUSE_LABELS) as GapCause[];
  return (
    <ul className="timeline__legend small" aria-label="Legend">
      <li><span className="timeline__swatch timeline__seg--rec" /> recorded</li>
      {causes.map((c) => (
        <li key={c}><span className={`timeline__swatch timeline__seg--gap timeline__seg--${c}`} /> {CAUSE_LABELS[c]}</li>
      ))}
    </ul>
  );
}

/** The instant under the pointer, read off whichever bar it is over (all bars share the window). */
function pointerInstant(e: WheelEvent, view: TimeWindow): Date {
  const target = e.target instanceof Element ? e.target.closest('.timeline__bar') : null;
  return target ? new Date(instantOnBar(target, view, e.clientX)) : instantAt(view, 0.5);
}

export function Timeline(props: Props) {
  const { cameraIds, view, bounds, onView, compact } = props;
  const rows = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  // A native listener: React's wheel handler is passive and cannot stop the page scrolling.
  useEffect(() => {
    const el = rows.current;
    if (!el || compact) return;
    const onWheel = (e: WheelEvent) => {
      if (e.deltaY === 0) return;
      e.preventDefault();
      const { view: v, bounds: b, onView: set } = latest.current;
      set(e.deltaY < 0 ? zoomIn(v, b, pointerInstant(e, v)) : zoomOut(v, b));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [compact]);

  const level = zoomLevel(view);
  const atDay = level === 0;
  return (
    <div className={compact ? 'timeline timeline--compact' : 'timeline'} data-testid="timeline" data-zoom={level}>
      {!compact && (
        <div className="timeline__controls" role="group" aria-label="Zoom and pan">
          <button type="button" className="btn btn--small" onClick={() => onView(pan(view, bounds, -1))} disabled={view.from <= bounds.from} aria-label="Earlier">←</button>
          <button type="button" className="btn btn--small" onClick={() => onView(zoomOut(view, bounds))} disabled={atDay} aria-label="Zoom out">−</button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => onView(zoomIn(view, bounds, new Date((view.from.getTime() + view.to.getTime()) / 2)))}
            disabled={level >= ZOOM_SPANS.length - 1}
            aria-label="Zoom in"
          >+</button>
          <button type="button" className="btn btn--small" onClick={() => onView(pan(view, bounds, 1))} disabled={view.to >= bounds.to} aria-label="Later">→</button>
          <span className="muted small" data-testid="timeline-window">
            {formatClock(view.from, !atDay)} – {formatClock(view.to, !atDay)} · {ZOOM_NAMES[level]}
          </span>
        </div>
      )}
      {!compact && <Ticks view={view} />}
      <div ref={rows} className="timeline__rows">
        {cameraIds.map((id) => <TimelineRow key={id} cameraId={id} {...props} />)}
      </div>
      {!compact && <TimelineLegend />}
    </div>
  );
}
