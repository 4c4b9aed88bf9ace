import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { describeError } from '../../api/errors';
import { keys } from '../../api/keys';
import { auditActionValues } from '../../api/schema';
import type { AuditAction, AuditLog, AuditQuery } from '../../api/types';
import { PageHeader } from '../../components/Layout';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatDateTime, localInputToIso } from '../../lib/format';
import { useDebounced } from '../../lib/useDebounced';

const TEXT_FILTERS = [
  { key: 'entity_type', label: 'Entity type', placeholder: 'Entity type (camera, user…)' },
  { key: 'entity_id', label: 'Entity id', placeholder: 'Entity id' },
  { key: 'user_id', label: 'User id', placeholder: 'User id' },
  { key: 'ip', label: 'IP', placeholder: 'IP address' },
] as const;
type TextKey = (typeof TEXT_FILTERS)[number]['key'];
// The action is picked from the server's list: it rejects any other value.
type Filters = Record<TextKey | 'from' | 'to', string> & { action: AuditAction | '' };
const NONE: Filters = { action: '', entity_type: '', entity_id: '', user_id: '', ip: '', from: '', to: '' };
const COLUMNS = ['When', 'Actor', 'Action', 'Entity', 'IP', { hidden: 'Details' }] as const;

export function toAuditQuery(f: Filters): AuditQuery {
  const out: AuditQuery = { from: localInputToIso(f.from), to: localInputToIso(f.to) };
  if (f.action) out.action = f.action;
  for (const { key } of TEXT_FILTERS) if (f[key].trim()) out[key] = f[key].trim();
  return out;
}

async function exportLog(query: AuditQuery, format: 'csv' | 'json') {
  const res = await api.audit.export(query, format);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `argus-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Change({ log }: { log: AuditLog }) {
  return (
    <div className="audit-change">
      {log.before != null && <div><strong>Before</strong><pre>{JSON.stringify(log.before, null, 2)}</pre></div>}
      {log.after != null && <div><strong>After</strong><pre>{JSON.stringify(log.after, null, 2)}</pre></div>}
      <div className="muted small">User agent: {log.user_agent ?? '—'}</div>
    </div>
  );
}

export default function AuditPage() {
  const [filters, setFilters] = useState<Filters>(NONE);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const base = toAuditQuery(useDebounced(filters, 300));
  const q = { ...base, page, limit: 50 };
  const logs = useQuery({ queryKey: keys.audit(q), queryFn: () => api.audit.list(q), placeholderData: keepPreviousData });
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => {
    setFilters((f) => ({ ...f, [k]: e.target.value }));
    setPage(1);
  };
  const doExport = async (format: 'csv' | 'json') => {
    setExportError(null);
    setExporting(true);
    try {
      await exportLog(base, format);
    } catch (e) {
      setExportError(describeError(e));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <PageHeader title="Audit log">
        <button type="button" className="btn" disabled={exporting} onClick={() => void doExport('csv')}>Export CSV</button>
        <button type="button" className="btn" disabled={exporting} onClick={() => void doExport('json')}>Export JSON</button>
      </PageHeader>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <label><span className="sr-only">Action</span>
          <select aria-label="Action" value={filters.action} onChange={set('action')}>
            <option value="">Any action</option>
            {auditActionValues.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        {TEXT_FILTERS.map((f) => (
          <label key={f.key}><span className="sr-only">{f.label}</span><input placeholder={f.placeholder} aria-label={f.label} value={filters[f.key]} onChange={set(f.key)} /></label>
        ))}
        <label className="labelled">From <input type="datetime-local" value={filters.from} onChange={set('from')} /></label>
        <label className="labelled">To <input type="datetime-local" value={filters.to} onChange={set('to')} /></label>
      </form>
      {exportError && <div className="alert alert--error" role="alert">{exportError}</div>}
      <QueryState query={logs} isEmpty={(p) => p.items.length === 0} empty={<EmptyState title="No audit entries match" />}>
        {(p) => (
          <PagedTable page={p} columns={COLUMNS} onPage={setPage} row={(l) => (
            <>
              <tr>
                <td data-label="When">{formatDateTime(l.created_at)}</td>
                <td data-label="Actor">{l.actor_name ?? l.actor_id ?? '—'} <span className="muted small">({l.actor_type})</span></td>
                <td data-label="Action"><code>{l.action}</code></td>
                <td data-label="Entity">{l.entity_type ? `${l.entity_type} ${l.entity_id?.slice(0, 8) ?? ''}` : '—'}</td>
                <td data-label="IP">{l.ip ?? '—'}</td>
                <td className="row-actions">
                  <button type="button" className="btn btn--small" aria-expanded={open === l.id} onClick={() => setOpen(open === l.id ? null : l.id)}>
                    {open === l.id ? 'Hide' : 'Details'}
                  </button>
                </td>
              </tr>
              {open === l.id && <tr className="row--detail"><td colSpan={6}><Change log={l} /></td></tr>}
            </>
          )} />
        )}
      </QueryState>
    </>
  );
}
