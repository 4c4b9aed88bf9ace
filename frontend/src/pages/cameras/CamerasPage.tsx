import { memo, useState } from 'react';
import { useCameraPage, useQuality } from '../../api/hooks';
import type { Camera, CameraQuery, CameraSort, StreamStatus } from '../../api/types';
import { Can, useAuth } from '../../auth/AuthProvider';
import { PageHeader } from '../../components/Layout';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { QualityBadge, StatusBadge } from '../../components/StatusBadge';
import { formatRelative } from '../../lib/format';
import { useDebounced } from '../../lib/useDebounced';
import { useCameraSubscription } from '../../realtime/RealtimeProvider';
import { CameraDetail } from './CameraDetail';
import { CameraForm } from './CameraForm';

const PAGE_SIZE = 25;
const COLUMNS = ['Camera', 'Status', 'Quality', 'Company', 'Place', 'Recording', 'Last seen'] as const;

interface Filters {
  q: string;
  status: '' | StreamStatus;
  active: '' | 'true' | 'false';
  company: string;
  place: string;
  sort: CameraSort;
}
const NO_FILTERS: Filters = { q: '', status: '', active: '', company: '', place: '', sort: 'name' };

export function toCameraQuery(f: Filters, page: number): CameraQuery {
  return {
    q: f.q.trim() || undefined,
    stream_status: f.status || undefined,
    is_active: f.active === '' ? undefined : f.active === 'true',
    company: f.company.trim() || undefined,
    place: f.place.trim() || undefined,
    sort: f.sort,
    page,
    limit: PAGE_SIZE,
  };
}

/** Memoised: a status event re-renders the row of its camera, not the whole page. */
const CameraRow = memo(function CameraRow({ camera, onOpen }: { camera: Camera; onOpen: (c: Camera) => void }) {
  const quality = useQuality(camera);
  return (
    <tr data-testid={`camera-row-${camera.id}`} className={camera.is_active ? undefined : 'row--inactive'}>
      <td data-label="Camera">
        <button type="button" className="link-button" onClick={() => onOpen(camera)} data-testid={`camera-open-${camera.id}`}>
          {camera.name}
        </button>
        <div className="muted small">{camera.serial_number}</div>
      </td>
      <td data-label="Status">
        <StatusBadge cameraId={camera.id} status={camera.stream_status} active={camera.is_active} />
        {!camera.is_active && <span className="tag tag--warn">inactive</span>}
      </td>
      <td data-label="Quality">{quality ? <QualityBadge cameraId={camera.id} quality={quality} /> : <span className="muted">—</span>}</td>
      <td data-label="Company">{camera.company ?? '—'}</td>
      <td data-label="Place">{[camera.place, camera.location].filter(Boolean).join(' · ') || '—'}</td>
      <td data-label="Recording">{camera.recording_enabled ? 'on' : 'off'}</td>
      <td data-label="Last seen">{formatRelative(camera.last_seen_at)}</td>
    </tr>
  );
});

export default function CamerasPage() {
  const { can } = useAuth();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Typed filters ask the server once typing pauses; the selects at once.
  const typed = { q: useDebounced(filters.q, 300), company: useDebounced(filters.company, 300), place: useDebounced(filters.place, 300) };
  // The page belongs to the filters it was chosen under: new filters start at page 1 in the same
  // render (an effect resetting it would first ask the server for page N of the new filters).
  const filterKey = JSON.stringify({ ...filters, ...typed });
  const [paged, setPaged] = useState({ filterKey, page: 1 });
  const page = paged.filterKey === filterKey ? paged.page : 1;
  const setPage = (p: number) => setPaged({ filterKey, page: p });
  const query = useCameraPage(toCameraQuery({ ...filters, ...typed }, page));
  const [open, setOpen] = useState<Camera | null>(null);
  const [editing, setEditing] = useState<Camera | 'new' | null>(null);
  // Status events for this page's cameras only (the details dialog shows one of them).
  useCameraSubscription(query.data?.items.map((c) => c.id));

  const set = <K extends keyof Filters>(k: K) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value as Filters[K] }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  return (
    <>
      <PageHeader title="Cameras">
        <Can needs="camera.write">
          <button type="button" className="btn btn--primary" onClick={() => setEditing('new')} data-testid="camera-add">
            + Add camera
          </button>
        </Can>
      </PageHeader>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="filters__search">
          <span className="sr-only">Search cameras</span>
          <input type="search" placeholder="Search name, serial, location…" value={filters.q} onChange={set('q')} data-testid="camera-search" />
        </label>
        <label>
          <span className="sr-only">Status</span>
          <select value={filters.status} onChange={set('status')} data-testid="filter-status">
            <option value="">Any status</option>
            <option value="online">Online</option>
            <option value="offline">Offline</option>
            <option value="error">Error</option>
          </select>
        </label>
        <label>
          <span className="sr-only">Active</span>
          <select value={filters.active} onChange={set('active')}>
            <option value="">Active and inactive</option>
            <option value="true">Active only</option>
            <option value="false">Inactive only</option>
          </select>
        </label>
        <label>
          <span className="sr-only">Company</span>
          <input placeholder="Company" value={filters.company} onChange={set('company')} />
        </label>
        <label>
          <span className="sr-only">Place</span>
          <input placeholder="Place" value={filters.place} onChange={set('place')} />
        </label>
        <label>
          <span className="sr-only">Sort</span>
          <select value={filters.sort} onChange={set('sort')}>
            <option value="name">Name A–Z</option>
            <option value="-name">Name Z–A</option>
            <option value="-created_at">Newest</option>
            <option value="created_at">Oldest</option>
            <option value="-last_seen_at">Recently seen</option>
            <option value="serial_number">Serial</option>
          </select>
        </label>
        {filtered && (
          <button type="button" className="btn btn--ghost" onClick={() => setFilters(NO_FILTERS)}>
            Clear
          </button>
        )}
      </form>
      <QueryState
        query={query}
        isEmpty={(p) => p.items.length === 0}
        empty={
          <EmptyState title={filtered ? 'No camera matches these filters' : 'No cameras yet'}>
            {!filtered && can('camera.write') && 'Add a camera to get its RTMP publish URL.'}
          </EmptyState>
        }
      >
        {(p) => (
          <PagedTable page={p} columns={COLUMNS} onPage={setPage} testId="camera-table" row={(c) => <CameraRow camera={c} onOpen={setOpen} />} />
        )}
      </QueryState>
      {open && !editing && <CameraDetail camera={open} onClose={() => setOpen(null)} onEdit={(c) => setEditing(c)} />}
      {editing && (
        <CameraForm
          camera={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(c) => {
            setEditing(null);
            setOpen(c);
          }}
        />
      )}
    </>
  );
}
