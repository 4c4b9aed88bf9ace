import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api';
import { ALERT_SEVERITIES, ALERT_STATE_FILTERS, ALERT_TYPES, type Alert } from '../../api/alerts';
import { describeError } from '../../api/errors';
import { useAlertSummary } from '../../api/hooks';
import { keys } from '../../api/keys';
import { Can } from '../../auth/AuthProvider';
import { CameraSelect } from '../../components/CameraPicker';
import { PageHeader } from '../../components/Layout';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatDateTime, formatRelative } from '../../lib/format';
import { DEFAULT_FILTERS, filtersFromParams, filtersToParams, toAlertQuery, type AlertFilters } from './alertFilters';

const COLUMNS = ['Type', 'Severity', 'Camera', 'State', 'Count', 'First seen', 'Last seen', 'Message', { hidden: 'Actions' }] as const;
const STATE_LABEL = { active: 'Active (open + acknowledged)', open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' } as const;

function Who({ label, by, at }: { label: string; by?: string | null; at?: string | null }) {
  if (!at) return null;
  return <div className="muted small">{label} {by ? `by ${by} ` : ''}{formatRelative(at)}</div>;
}

/** One filter picked from a fixed list; `any` adds an empty "any" choice first. */
function FilterSelect<T extends string>({ label, value, options, any, optionLabel = (v) => v, onChange }: {
  label: string;
  value: T | '';
  options: readonly T[];
  any?: string;
  optionLabel?: (v: T) => string;
  onChange: (v: T | '') => void;
}) {
  return (
    <label><span className="sr-only">{label}</span>
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as T | '')} data-testid={`alert-filter-${label.toLowerCase()}`}>
        {any && <option value="">{any}</option>}
        {options.map((o) => <option key={o} value={o}>{optionLabel(o)}</option>)}
      </select>
    </label>
  );
}

function AlertRow({ alert: a, busy, onAction }: { alert: Alert; busy: boolean; onAction: (a: Alert, action: 'acknowledge' | 'resolve') => void }) {
  return (
    <tr data-testid={`alert-row-${a.id}`} data-type={a.type} data-state={a.state} className={a.state === 'resolved' ? 'row--inactive' : undefined}>
      <td data-label="Type"><code className="alert-type">{a.type}</code></td>
      <td data-label="Severity"><span className={`tag tag--${a.severity}`}>{a.severity}</span></td>
      <td data-label="Camera">{a.camera_id ? a.camera_name ?? a.camera_id.slice(0, 8) : '—'}</td>
      <td data-label="State">
        <span className={`tag tag--${a.state}`} data-testid={`alert-state-${a.id}`}>{a.state}</span>
        <Who label="acknowledged" by={a.acknowledged_by} at={a.acknowledged_at} />
        <Who label="resolved" by={a.resolved_by} at={a.resolved_at} />
      </td>
      <td data-label="Count" data-testid={`alert-count-${a.id}`}>{a.count}</td>
      <td data-label="First seen">{formatDateTime(a.first_seen)}</td>
      <td data-label="Last seen" title={formatDateTime(a.last_seen)}>{formatRelative(a.last_seen)}</td>
      <td data-label="Message">{a.message}</td>
      <td className="row-actions">
        <Can needs="alert.manage">
          {a.state === 'open' && (
            <button type="button" className="btn btn--small" disabled={busy} onClick={() => onAction(a, 'acknowledge')} data-testid={`alert-ack-${a.id}`}>Acknowledge</button>
          )}
          {a.state !== 'resolved' && (
            <button type="button" className="btn btn--small" disabled={busy} onClick={() => onAction(a, 'resolve')} data-testid={`alert-resolve-${a.id}`}>Resolve</button>
          )}
        </Can>
      </td>
    </tr>
  );
}

export default function AlertsPage() {
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const { filters, page } = filtersFromParams(params);
  const q = toAlertQuery(filters, page);
  const list = useQuery({ queryKey: keys.alertList(q), queryFn: () => api.alerts.list(q), placeholderData: keepPreviousData });
  const summary = useAlertSummary().data;
  const [actionError, setActionError] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: ({ a, action }: { a: Alert; action: 'acknowledge' | 'resolve' }) =>
      action === 'acknowledge' ? api.alerts.acknowledge(a.id) : api.alerts.resolve(a.id),
    onMutate: () => setActionError(null),
    onError: (e) => setActionError(describeError(e)),
    // A 409 (resolved meanwhile) too: show what the server has now.
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.alerts }),
  });
  const go = (f: AlertFilters, p = 1) => setParams(filtersToParams(f, p), { replace: true });
  const set = <K extends keyof AlertFilters>(k: K, v: AlertFilters[K]) => go({ ...filters, [k]: v });

  return (
    <>
      <PageHeader title="Alerts">
        {summary && (
          <span className="muted" data-testid="alert-summary">{summary.open} open · {summary.acknowledged} acknowledged</span>
        )}
      </PageHeader>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Alert filters">
        <FilterSelect label="State" value={filters.state} options={ALERT_STATE_FILTERS} optionLabel={(v) => STATE_LABEL[v]} onChange={(v) => set('state', v || DEFAULT_FILTERS.state)} />
        <FilterSelect label="Type" any="Any type" value={filters.type} options={ALERT_TYPES} onChange={(v) => set('type', v)} />
        <FilterSelect label="Severity" any="Any severity" value={filters.severity} options={ALERT_SEVERITIES} onChange={(v) => set('severity', v)} />
        <CameraSelect value={filters.camera_id} onChange={(id) => set('camera_id', id)} testId="alert-filter-camera" />
        {JSON.stringify(filters) !== JSON.stringify(DEFAULT_FILTERS) && (
          <button type="button" className="btn btn--ghost" onClick={() => go(DEFAULT_FILTERS)}>Clear</button>
        )}
      </form>
      {actionError && <div className="alert alert--error" role="alert">{actionError}</div>}
      <QueryState query={list} isEmpty={(p) => p.items.length === 0} empty={<EmptyState title="No alerts match">Alerts appear here as soon as something fails.</EmptyState>}>
        {(p) => (
          <PagedTable page={p} columns={COLUMNS} onPage={(n) => go(filters, n)} testId="alerts-table" row={(a) => (
            <AlertRow alert={a} busy={act.isPending} onAction={(x, action) => act.mutate({ a: x, action })} />
          )} />
        )}
      </QueryState>
    </>
  );
}
