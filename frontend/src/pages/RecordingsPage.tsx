import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { describeError } from '../api/errors';
import { useCamera, useCameraName } from '../api/cameraSearch';
import { useTierLocations } from '../api/hooks';
import { keys } from '../api/keys';
import type { Recording, RecordingQuery } from '../api/types';
import { Can } from '../auth/AuthProvider';
import { CameraName } from '../components/CameraName';
import { CameraSelect } from '../components/CameraPicker';
import { PageHeader } from '../components/Layout';
import { HoldToggle } from '../components/HoldToggle';
import { ConfirmDialog } from '../components/Modal';
import { PagedTable } from '../components/PagedTable';
import { EmptyState, QueryState } from '../components/States';
import { RecordingPlayerModal } from '../player/RecordingPlayerModal';
import { downloadRecording } from '../player/recordingLinks';
import { formatBytes, formatDateTime, formatDuration, localInputToIso } from '../lib/format';

interface Filters {
  camera_id: string;
  from: string;
  to: string;
  min: string;
  max: string;
}
const NONE: Filters = { camera_id: '', from: '', to: '', min: '', max: '' };
const COLUMNS = ['Camera', 'Started', 'Duration', 'Size', 'Tier', { hidden: 'Actions' }] as const;

export function toRecordingQuery(f: Filters, page: number): RecordingQuery {
  const num = (v: string) => (v.trim() === '' || Number.isNaN(Number(v)) ? undefined : Number(v));
  return {
    camera_id: f.camera_id || undefined,
    from: localInputToIso(f.from),
    to: localInputToIso(f.to),
    min_duration_s: num(f.min),
    max_duration_s: num(f.max),
    page,
    limit: 25,
  };
}

interface RowProps {
  recording: Recording;
  /** Where the recording's tier keeps its files, when the user may see the storage overview. */
  location: string | undefined;
  onPlay: (r: Recording) => void;
  onDelete: (r: Recording) => void;
  onError: (message: string | null) => void;
}

function RecordingRow({ recording: r, location, onPlay, onDelete, onError }: RowProps) {
  const cameraHeld = useCamera(r.camera_id).data?.legal_hold === true;
  const held = r.legal_hold || cameraHeld;
  return (
    <tr data-testid={`recording-row-${r.id}`} data-camera={r.camera_id} data-held={held} className={held ? 'row--held' : undefined}>
      <td data-label="Camera"><CameraName id={r.camera_id} /></td>
      <td data-label="Started">{formatDateTime(r.started_at)}</td>
      <td data-label="Duration">{formatDuration(r.duration_ms)}</td>
      <td data-label="Size">{formatBytes(r.size_bytes)}</td>
      <td data-label="Tier">
        <span className={`tag tag--${r.tier}`} data-testid={`recording-tier-${r.id}`}>{r.tier}</span>
        {r.legal_hold && <span className="tag tag--held" data-testid={`recording-held-${r.id}`}>held</span>}
        {cameraHeld && <span className="tag tag--held" title="The camera is under legal hold">camera hold</span>}
        {location && <div className="muted small recording-location" title="Where this tier keeps its files">{location}</div>}
      </td>
      <td className="row-actions">
        <button type="button" className="btn btn--small" onClick={() => onPlay(r)} data-testid={`recording-play-${r.id}`}>Play</button>
        <button type="button" className="btn btn--small" data-testid={`recording-download-${r.id}`} onClick={() => {
          onError(null);
          downloadRecording(() => api.recordings.links(r.id)).catch((e) => onError(describeError(e)));
        }}>Download</button>
        <Can needs="recording.hold"><HoldToggle recording={r} onError={onError} /></Can>
        <Can needs="recording.delete">
          <button type="button" className="btn btn--small btn--danger" disabled={held} title={held ? 'Under legal hold: cannot be deleted' : undefined} onClick={() => onDelete(r)}>Delete</button>
        </Can>
      </td>
    </tr>
  );
}

export default function RecordingsPage() {
  const qc = useQueryClient();
  const [filters, setFilters] = useState<Filters>(NONE);
  const [page, setPage] = useState(1);
  const q = toRecordingQuery(filters, page);
  const list = useQuery({ queryKey: keys.recordingList(q), queryFn: () => api.recordings.list(q), placeholderData: keepPreviousData });
  const locations = useTierLocations();
  const [playing, setPlaying] = useState<Recording | null>(null);
  const [deleting, setDeleting] = useState<Recording | null>(null);
  const playingName = useCameraName(playing?.camera_id);
  const [actionError, setActionError] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => api.recordings.remove(id),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: keys.recordings });
      void qc.invalidateQueries({ queryKey: keys.stats });
    },
  });
  const setFilter = (k: keyof Filters, value: string) => {
    setFilters((f) => ({ ...f, [k]: value }));
    setPage(1);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilter(k, e.target.value);

  return (
    <>
      <PageHeader title="Recordings" />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Recording filters">
        <CameraSelect value={filters.camera_id} onChange={(id) => setFilter('camera_id', id)} testId="rec-filter-camera" />
        <label className="labelled">From <input type="datetime-local" value={filters.from} onChange={set('from')} /></label>
        <label className="labelled">To <input type="datetime-local" value={filters.to} onChange={set('to')} /></label>
        <label className="labelled">Min s <input type="number" min={0} inputMode="numeric" className="input--short" value={filters.min} onChange={set('min')} /></label>
        <label className="labelled">Max s <input type="number" min={0} inputMode="numeric" className="input--short" value={filters.max} onChange={set('max')} /></label>
        {JSON.stringify(filters) !== JSON.stringify(NONE) && (
          <button type="button" className="btn btn--ghost" onClick={() => setFilters(NONE)}>Clear</button>
        )}
      </form>
      {actionError && <div className="alert alert--error" role="alert">{actionError}</div>}
      <QueryState query={list} isEmpty={(p) => p.items.length === 0} empty={<EmptyState title="No recordings">Recordings appear when a recording-enabled camera stops streaming or a chunk completes.</EmptyState>}>
        {(p) => (
          <PagedTable page={p} columns={COLUMNS} onPage={setPage} testId="recordings-table" row={(r) => (
            <RecordingRow recording={r} location={locations?.[r.tier]} onPlay={setPlaying} onDelete={setDeleting} onError={setActionError} />
          )} />
        )}
      </QueryState>
      {playing && <RecordingPlayerModal recording={playing} title={`${playingName} — ${formatDateTime(playing.started_at)}`} onClose={() => setPlaying(null)} />}
      {deleting && (
        <ConfirmDialog
          title="Delete recording?"
          message={<>The {formatDuration(deleting.duration_ms)} recording of <CameraName id={deleting.camera_id} /> from {formatDateTime(deleting.started_at)} is deleted for good.{remove.error ? <div className="alert alert--error">{describeError(remove.error)}</div> : null}</>}
          confirmLabel="Delete"
          danger
          busy={remove.isPending}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting.id)}
        />
      )}
    </>
  );
}
