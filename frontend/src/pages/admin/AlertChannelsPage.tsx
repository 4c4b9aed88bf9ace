import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import type { AlertChannel } from '../../api/alerts';
import { describeError } from '../../api/errors';
import { keys } from '../../api/keys';
import { PageHeader } from '../../components/Layout';
import { ConfirmDialog } from '../../components/Modal';
import { Table } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatRelative } from '../../lib/format';
import { ChannelCreate } from './ChannelCreate';
import { DeliveryLog } from './DeliveryLog';

const COLUMNS = ['Name', 'Kind', 'Sends to', 'Filters', 'State', { hidden: 'Actions' }] as const;

type Action = { kind: 'toggle' | 'test' | 'remove'; channel: AlertChannel };

function ChannelState({ c }: { c: AlertChannel }) {
  return (
    <>
      <span className={`tag ${c.enabled ? 'tag--delivered' : 'tag--warn'}`} data-testid={`channel-state-${c.id}`}>{c.enabled ? 'enabled' : 'disabled'}</span>
      {c.disabled_reason && <div className="muted small">{c.disabled_reason}</div>}
      {c.failing_since && <div className="field__error small">failing since {formatRelative(c.failing_since)}</div>}
    </>
  );
}

function ChannelRow({ c, busy, onAction, onLog }: { c: AlertChannel; busy: boolean; onAction: (a: Action) => void; onLog: (c: AlertChannel) => void }) {
  const types = c.alert_types?.length ? c.alert_types.join(', ') : 'all types';
  const cameras = c.camera_ids?.length ? `${c.camera_ids.length} camera${c.camera_ids.length === 1 ? '' : 's'}` : 'all cameras';
  return (
    <tr data-testid={`channel-row-${c.id}`} className={c.enabled ? undefined : 'row--inactive'}>
      <td data-label="Name">{c.name}</td>
      <td data-label="Kind">{c.kind}</td>
      <td data-label="Sends to"><span className="small">{c.kind === 'webhook' ? c.url : c.to.join(', ')}</span></td>
      <td data-label="Filters"><span className="small">{types} · {cameras}</span></td>
      <td data-label="State"><ChannelState c={c} /></td>
      <td className="row-actions">
        <button type="button" className="btn btn--small" disabled={busy || !c.enabled} onClick={() => onAction({ kind: 'test', channel: c })} data-testid={`channel-test-${c.id}`}>Send test</button>
        <button type="button" className="btn btn--small" onClick={() => onLog(c)} data-testid={`channel-log-${c.id}`}>Deliveries</button>
        <button type="button" className="btn btn--small" disabled={busy} onClick={() => onAction({ kind: 'toggle', channel: c })} data-testid={`channel-toggle-${c.id}`}>{c.enabled ? 'Disable' : 'Enable'}</button>
        <button type="button" className="btn btn--small btn--danger" onClick={() => onAction({ kind: 'remove', channel: c })} data-testid={`channel-delete-${c.id}`}>Delete</button>
      </td>
    </tr>
  );
}

function run(a: Action): Promise<unknown> {
  const { id, enabled } = a.channel;
  if (a.kind === 'toggle') return api.alertChannels.update(id, { enabled: !enabled });
  if (a.kind === 'test') return api.alertChannels.test(id);
  return api.alertChannels.remove(id);
}

export default function AlertChannelsPage() {
  const qc = useQueryClient();
  const channels = useQuery({ queryKey: keys.alertChannelList, queryFn: api.alertChannels.list });
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<AlertChannel | null>(null);
  const [log, setLog] = useState<AlertChannel | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: run,
    onMutate: () => setNotice(null),
    onSuccess: (_, a) => {
      if (a.kind === 'test') setNotice(`A test delivery to “${a.channel.name}” is queued; see its deliveries.`);
      if (a.kind === 'remove') setRemoving(null);
      void qc.invalidateQueries({ queryKey: keys.alertChannels });
    },
  });
  const onAction = (a: Action) => (a.kind === 'remove' ? setRemoving(a.channel) : act.mutate(a));

  return (
    <>
      <PageHeader title="Alert channels">
        <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="channel-add">+ New channel</button>
      </PageHeader>
      {notice && <div className="alert alert--info" role="status" data-testid="channel-notice">{notice}</div>}
      {act.error && !removing && <div className="alert alert--error" role="alert">{describeError(act.error)}</div>}
      <QueryState query={channels} isEmpty={(list) => list.length === 0} empty={<EmptyState title="No alert channels">Add a webhook or an email channel to be told when something fails.</EmptyState>}>
        {(list) => <Table items={list} columns={COLUMNS} testId="channels-table" row={(c) => <ChannelRow c={c} busy={act.isPending} onAction={onAction} onLog={setLog} />} />}
      </QueryState>
      {creating && <ChannelCreate onClose={() => setCreating(false)} />}
      {log && <DeliveryLog channel={log} onClose={() => setLog(null)} />}
      {removing && (
        <ConfirmDialog title={`Delete “${removing.name}”?`} confirmLabel="Delete" danger busy={act.isPending}
          message={<>Alerts are no longer sent to this channel, and its delivery log is removed.{act.error ? <div className="alert alert--error">{describeError(act.error)}</div> : null}</>}
          onCancel={() => setRemoving(null)} onConfirm={() => act.mutate({ kind: 'remove', channel: removing })} />
      )}
    </>
  );
}
