// The selected range on a timeline bar (for a clip export) with a handle at each end: drag a
// handle, or focus it and use the arrow keys (Shift for bigger steps). Also the pointer tracking
// the bar uses to drag out a new range.

import type { KeyboardEvent, MouseEvent } from 'react';
import { moveEdge, type TimeRange } from '../lib/range';
import { formatClock, fractionOf, instantAt, type TimeWindow } from '../lib/timeline';

export interface RangeSelection {
  cameraId: string;
  range: TimeRange;
}

/** The instant under `clientX` on `bar`. */
export function instantOnBar(bar: Element, view: TimeWindow, clientX: number): number {
  const r = bar.getBoundingClientRect();
  return instantAt(view, r.width > 0 ? (clientX - r.left) / r.width : 0.5).getTime();
}

/** Follows the pointer over the whole window (it may leave the bar) until the button is released. */
export function trackDrag(bar: Element, view: TimeWindow, onMove: (t: number, clientX: number) => void): void {
  const move = (e: globalThis.MouseEvent) => onMove(instantOnBar(bar, view, e.clientX), e.clientX);
  const up = () => {
    window.removeEventListener('mousemove', move);
    window.removeEventListener('mouseup', up);
  };
  window.addEventListener('mousemove', move);
  window.addEventListener('mouseup', up);
}

interface Props {
  view: TimeWindow;
  bounds: TimeWindow;
  range: TimeRange | null;
  /** The first end of a range being picked by clicks / Enter. */
  anchor: number | null;
  onChange: (r: TimeRange) => void;
}

export function RangeOverlay({ view, bounds, range, anchor, onChange }: Props) {
  const span = view.to.getTime() - view.from.getTime();
  const handle = (edge: 'from' | 'to') => {
    if (!range) return null;
    const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
      const step = (span / 96) * (e.shiftKey ? 6 : 1);
      const delta = e.key === 'ArrowLeft' || e.key === 'ArrowDown' ? -step : e.key === 'ArrowRight' || e.key === 'ArrowUp' ? step : 0;
      e.stopPropagation(); // the bar's own keys (cursor, zoom) stay out of it
      if (!delta) return;
      e.preventDefault();
      onChange(moveEdge(range, edge, range[edge] + delta, bounds));
    };
    const onMouseDown = (e: MouseEvent<HTMLDivElement>) => {
      e.stopPropagation();
      e.preventDefault();
      const bar = e.currentTarget.closest('.timeline__bar');
      let r = range;
      if (bar) trackDrag(bar, view, (t) => onChange((r = moveEdge(r, edge, t, bounds))));
    };
    return (
      <div
        className={`timeline__handle timeline__handle--${edge}`}
        style={{ left: `${fractionOf(view, range[edge]) * 100}%` }}
        role="slider"
        tabIndex={0}
        aria-label={edge === 'from' ? 'Start of the selection' : 'End of the selection'}
        aria-valuemin={bounds.from.getTime()}
        aria-valuemax={bounds.to.getTime()}
        aria-valuenow={range[edge]}
        aria-valuetext={formatClock(new Date(range[edge]))}
        data-testid={`range-${edge}`}
        onKeyDown={onKey}
        onMouseDown={onMouseDown}
        onClick={(e) => e.stopPropagation()}
      />
    );
  };
  return (
    <>
      {anchor !== null && <div className="timeline__anchor" style={{ left: `${fractionOf(view, anchor) * 100}%` }} data-testid="range-anchor" aria-hidden="true" />}
      {range && (
        <div
          className="timeline__range"
          style={{ left: `${fractionOf(view, range.from) * 100}%`, width: `${(fractionOf(view, range.to) - fractionOf(view, range.from)) * 100}%` }}
          data-testid="range-selection"
          aria-hidden="true"
        />
      )}
      {handle('from')}
      {handle('to')}
    </>
  );
}
