// "Export" a selected range of a camera's footage: the range (editable) and a note, then the
// export's progress (WebSocket `export.progress`, polled as a fallback) and its download link.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api';
import { useCameraName } from '../../api/cameraSearch';
import { describeError } from '../../api/errors';
import { useExport } from '../../api/hooks';
import { keys } from '../../api/keys';
import { TextField } from '../../components/Field';
import { Modal } from '../../components/Modal';
import { formatBytes } from '../../lib/format';
import { fromLocalInput, rangeProblem, toLocalInput, type TimeRange } from '../../lib/range';
import { ExportProgress } from './ExportProgress';

const NOTE_MAX = 500;

function ExportStatus({ id }: { id: string }) {
  const x = useExport(id);
  if (!x.data) return x.error ? <div className="alert alert--error" role="alert">{describeError(x.error)}</div> : <p className="muted">Starting…</p>;
  const done = x.data.state === 'done' && x.data.download_url;
  return (
    <div className="export-status">
      <ExportProgress x={x.data} />
      {done && (
        <p>
          <a className="btn btn--primary" href={x.data.download_url ?? undefined} download data-testid="export-download">Download</a>{' '}
          <span className="muted small">{formatBytes(x.data.size_bytes)}</span>
        </p>
      )}
    </div>
  );
}

export function ExportDialog({ cameraId, range, onClose }: { cameraId: string; range: TimeRange; onClose: () => void }) {
  const qc = useQueryClient();
  const name = useCameraName(cameraId);
  const [from, setFrom] = useState(() => toLocalInput(range.from));
  const [to, setTo] = useState(() => toLocalInput(range.to));
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (r: TimeRange) =>
      api.cameras.exportClip(cameraId, { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), note: note.trim() || undefined }),
    onSuccess: (x) => {
      qc.setQueryData(keys.exportOne(x.id), x);
      void qc.invalidateQueries({ queryKey: keys.exports });
    },
  });
  const started = create.data?.id ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = { from: fromLocalInput(from), to: fromLocalInput(to) };
    const why = rangeProblem(r);
    setProblem(why);
    if (!why) create.mutate(r);
  };

  return (
    <Modal title={`Export footage of ${name}`} onClose={onClose} closeOnBackdrop={!started}>
      {started ? (
        <>
          <div className="modal__body" data-testid="export-started" data-export-id={started}>
            <ExportStatus id={started} />
          </div>
          <footer className="modal__foot">
            <Link to="/exports" className="btn btn--ghost" onClick={onClose}>All exports</Link>
            <button type="button" className="btn" onClick={onClose}>Close</button>
          </footer>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <div className="modal__body form-grid">
            <TextField label="From" type="datetime-local" step={1} value={from} onChange={(e) => setFrom(e.target.value)} required data-testid="export-from" />
            <TextField label="To" type="datetime-local" step={1} value={to} onChange={(e) => setTo(e.target.value)} required data-testid="export-to" />
            <TextField label="Note (optional)" value={note} maxLength={NOTE_MAX} onChange={(e) => setNote(e.target.value)} data-testid="export-note" />
            {(problem || create.error) && (
              <div className="alert alert--error" role="alert" data-testid="export-error">{problem ?? describeError(create.error)}</div>
            )}
          </div>
          <footer className="modal__foot">
            <button type="button" className="btn" onClick={onClose}>Cancel</button>
            <button type="submit" className="btn btn--primary" disabled={create.isPending} data-testid="export-submit">
              {create.isPending ? 'Starting…' : 'Export'}
            </button>
          </footer>
        </form>
      )}
    </Modal>
  );
}
