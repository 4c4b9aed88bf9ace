import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import type { AvailabilityWindow, StreamSession } from '../../api/alerts';
import { keys } from '../../api/keys';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatBytes, formatDateTime, formatPercent, formatSpan } from '../../lib/format';

const WINDOW_LABEL = { '24h': 'Last 24 h', '7d': 'Last 7 days' } as const;
const SESSION_COLUMNS = ['Started', 'Ended', 'Duration', 'End reason', 'Node', 'Received', 'Client'] as const;
export const SESSIONS_PER_PAGE = 10;

function WindowStats({ w }: { w: AvailabilityWindow }) {
  return (
    <div className="stat" data-testid={`availability-${w.window}`}>
      <span className="stat__label">{WINDOW_LABEL[w.window]}</span>
      <span className="stat__value" data-testid={`uptime-${w.window}`} title={`online ${formatSpan(w.online_secs)}`}>{formatPercent(w.uptime_percent)}</span>
      <span className="muted small">uptime</span>
      <span className="muted small">recording continuity{' '}
        <strong data-testid={`recording-${w.window}`} title={`recorded ${formatSpan(w.recorded_secs)}`}>{formatPercent(w.recording_percent)}</strong>
      </span>
    </div>
  );
}

function SessionRow({ s }: { s: StreamSession }) {
  return (
    <tr data-testid={`session-row-${s.id}`}>
      <td data-label="Started">{formatDateTime(s.started_at)}</td>
      <td data-label="Ended">{s.ended_at ? formatDateTime(s.ended_at) : <span className="tag tag--resolved">live</span>}</td>
      <td data-label="Duration">{formatSpan(s.duration_secs)}</td>
      <td data-label="End reason">{s.end_reason ?? '—'}</td>
      <td data-label="Node">{s.node ?? '—'}</td>
      <td data-label="Received">{formatBytes(s.bytes_in)}</td>
      <td data-label="Client">{s.client_addr ?? '—'}</td>
    </tr>
  );
}

/** The camera's availability (uptime, recording continuity) and its connection history. */
export function CameraHealth({ cameraId }: { cameraId: string }) {
  const [page, setPage] = useState(1);
  const availability = useQuery({ queryKey: keys.cameraAvailability(cameraId), queryFn: () => api.cameras.availability(cameraId), staleTime: 30_000 });
  const q = { page, limit: SESSIONS_PER_PAGE };
  const sessions = useQuery({
    queryKey: keys.cameraSessions(cameraId, q),
    queryFn: () => api.cameras.sessions(cameraId, q),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  return (
    <>
      <section aria-labelledby="availability-head" data-testid="camera-availability">
        <h3 id="availability-head">Availability</h3>
        <QueryState query={availability}>
          {(a) => <div className="stat-grid stat-grid--flush">{a.windows.map((w) => <WindowStats key={w.window} w={w} />)}</div>}
        </QueryState>
      </section>
      <section aria-labelledby="sessions-head" data-testid="camera-sessions">
        <h3 id="sessions-head">Connection history</h3>
        <QueryState query={sessions} isEmpty={(p) => p.items.length === 0} empty={<EmptyState title="Never connected">Sessions appear when the camera publishes.</EmptyState>}>
          {(p) => <PagedTable page={p} columns={SESSION_COLUMNS} onPage={setPage} testId="sessions-table" row={(s) => <SessionRow s={s} />} />}
        </QueryState>
      </section>
    </>
  );
}
