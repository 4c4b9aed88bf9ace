// A camera's last 24 h of footage as one compact bar (camera details); a click opens the Timeline
// page on that camera, its day and the clicked instant.

import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Timeline, type TimelinePick } from './Timeline';
import { dayKey, type TimeWindow } from '../lib/timeline';

const DAY_MS = 24 * 3_600_000;

export function timelineHref(cameraId: string, at: Date, exact = false): string {
  const q = new URLSearchParams({ day: dayKey(at), camera: cameraId });
  if (exact) q.set('at', at.toISOString());
  return `/timeline?${q}`;
}

export function RecentFootage({ cameraId }: { cameraId: string }) {
  const navigate = useNavigate();
  // Fixed while the dialog is open, so the bar is not refetched on every render.
  const last24h = useMemo<TimeWindow>(() => {
    const now = Date.now();
    return { from: new Date(now - DAY_MS), to: new Date(now) };
  }, []);
  const open = ({ at }: TimelinePick) => void navigate(timelineHref(cameraId, at, true));
  return (
    <section className="recent-footage" aria-label="Last 24 hours of footage">
      <div className="recent-footage__head">
        <h3>Last 24 hours</h3>
        <Link to={timelineHref(cameraId, last24h.to)} data-testid="open-timeline">Open in timeline</Link>
      </div>
      <Timeline cameraIds={[cameraId]} view={last24h} bounds={last24h} onView={() => undefined} onPick={open} compact />
    </section>
  );
}
