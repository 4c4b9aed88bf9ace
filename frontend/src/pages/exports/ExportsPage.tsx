// Clip exports of the cameras the user can see, newest first: who asked for what, their progress
// (live from the WebSocket's `export.progress`) and, once done, the download link until it expires.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { describeError } from '../../api/errors';
import { exportActive, requesterName, type ExportQuery, type ExportState, type ExportView } from '../../api/footage';
import { EXPORT_POLL_MS } from '../../api/hooks';
import { keys } from '../../api/keys';
import { CameraName } from '../../components/CameraName';
import { CameraSelect } from '../../components/CameraPicker';
import { PageHeader } from '../../components/Layout';
import { ConfirmDialog } from '../../components/Modal';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatBytes, formatDateTime } from '../../lib/format';
import { ExportProgress } from './ExportProgress';

const COLUMNS = ['Camera', 'Range', 'Requested by', 'Progress', 'Size', 'Expires', { hidden: 'Actions' }] as const;
const STATES: ExportState[] = ['queued', 'running', 'done', 'failed'];

function ExportRow({ x, onCancel, onDelete }: { x: ExportView; onCancel: (x: ExportView) => void; onDelete: (x: ExportView) => void }) {
  return (
    <tr data-testid={`export-row-${x.id}`} data-state={x.state}>
      <td data-label="Camera"><CameraName id={x.camera_id} /></td>
      <td data-label="Range">
        {formatDateTime(x.from)} – {formatDateTime(x.to)}
        {x.note && <div className="muted small">{x.note}</div>}
      </td>
      <td data-label="Requested by">{requesterName(x)}<div className="muted small">{formatDateTime(x.created_at)}</div></td>
      <td data-label="Progress"><ExportProgress x={x} /></td>
      <td data-label="Size">{formatBytes(x.size_bytes)}</td>
      <td data-label="Expires">{formatDateTime(x.expires_at)}</td>
      <td className="row-actions">
        {x.state === 'done' && x.download_url && (
          <a className="btn btn--small" href={x.download_url} download data-testid={`export-download-${x.id}`}>Download</a>
        )}
        {exportActive(x) ? (
          <button type="button" className="btn btn--small" onClick={() => onCancel(x)} data-testid={`export-cancel-${x.id}`}>Cancel</button>
        ) : (
          <button type="button" className="btn btn--small btn--danger" onClick={() => onDelete(x)} data-testid={`export-delete-${x.id}`}>Delete</button>
        )}
      </td>
    </tr>
  );
}

export default function ExportsPage() {
  const qc = useQueryClient();
  const [cameraId, setCameraId] = useState('');
  const [state, setState] = useState<ExportState | ''>('');
  const [page, setPage] = useState(1);
  const q: ExportQuery = { camera_id: cameraId || undefined, state: state || undefined, page, limit: 25 };
  const list = useQuery({
    queryKey: keys.exportList(q),
    queryFn: () => api.exports.list(q),
    placeholderData: keepPreviousData,
    // A fallback for missed WebSocket events while something is still exporting.
    refetchInterval: (query) => (query.state.data?.items.some(exportActive) ? EXPORT_POLL_MS : false),
  });
  const [deleting, setDeleting] = useState<ExportView | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => api.exports.remove(id),
    onSuccess: (_v, id) => {
      setDeleting(null);
      qc.removeQueries({ queryKey: keys.exportOne(id) });
      void qc.invalidateQueries({ queryKey: keys.exports });
    },
  });

  return (
    <>
      <PageHeader title="Exports" />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Export filters">
        <CameraSelect value={cameraId} onChange={(id) => { setCameraId(id); setPage(1); }} testId="export-filter-camera" />
        <label className="labelled">
          State
          <select value={state} onChange={(e) => { setState(e.target.value as ExportState | ''); setPage(1); }} data-testid="export-filter-state">
            <option value="">All</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
      </form>
      {remove.error && !deleting && <div className="alert alert--error" role="alert">{describeError(remove.error)}</div>}
      <QueryState
        query={list}
        isEmpty={(p) => p.items.length === 0}
        empty={<EmptyState title="No exports">Select a range on the Timeline and choose Export to cut a clip.</EmptyState>}
      >
        {(p) => (
          <PagedTable page={p} columns={COLUMNS} onPage={setPage} testId="exports-table" row={(x) => (
            <ExportRow x={x} onCancel={(c) => remove.mutate(c.id)} onDelete={setDeleting} />
          )} />
        )}
      </QueryState>
      {deleting && (
        <ConfirmDialog title="Delete export?" confirmLabel="Delete" danger busy={remove.isPending} onCancel={() => setDeleting(null)} onConfirm={() => remove.mutate(deleting.id)}
          message={<>The clip of {formatDateTime(deleting.from)} – {formatDateTime(deleting.to)} and its file are removed; its download link stops working.{remove.error ? <div className="alert alert--error">{describeError(remove.error)}</div> : null}</>} />
      )}
    </>
  );
}
