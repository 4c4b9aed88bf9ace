import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import type { AlertChannel, AlertDelivery } from '../../api/alerts';
import { keys } from '../../api/keys';
import { Modal } from '../../components/Modal';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatDateTime, formatRelative } from '../../lib/format';

/** How often an open log is refetched: deliveries have no WebSocket event. */
export const DELIVERY_POLL_MS = 5_000;
const COLUMNS = ['Created', 'Event', 'State', 'Attempts', 'Last status', 'Last error', 'Last attempt', 'Next / delivered'] as const;

function When({ d }: { d: AlertDelivery }) {
  if (d.state === 'delivered') return <>delivered {formatRelative(d.delivered_at)}</>;
  if (d.state === 'failed') return <>gave up</>;
  return <>next {formatRelative(d.next_attempt_at)}</>;
}

function DeliveryRow({ d }: { d: AlertDelivery }) {
  return (
    <tr data-testid={`delivery-row-${d.id}`} data-state={d.state}>
      <td data-label="Created">{formatDateTime(d.created_at)}</td>
      <td data-label="Event"><code>{d.event}</code>{d.alert_id && <div className="muted small">alert {d.alert_id.slice(0, 8)}</div>}</td>
      <td data-label="State"><span className={`tag tag--${d.state}`}>{d.state}</span></td>
      <td data-label="Attempts">{d.attempts}</td>
      <td data-label="Last status">{d.last_status ?? '—'}</td>
      <td data-label="Last error"><span className="small">{d.last_error ?? '—'}</span></td>
      <td data-label="Last attempt">{formatRelative(d.last_attempt_at)}</td>
      <td data-label="Next / delivered"><When d={d} /></td>
    </tr>
  );
}

/** A channel's delivery log (the outbox, newest first), polled while open. */
export function DeliveryLog({ channel, onClose }: { channel: AlertChannel; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const log = useQuery({
    queryKey: keys.alertDeliveries(channel.id, page),
    queryFn: () => api.alertChannels.deliveries(channel.id, page),
    placeholderData: keepPreviousData,
    refetchInterval: DELIVERY_POLL_MS,
  });
  return (
    <Modal title={`Deliveries of “${channel.name}”`} onClose={onClose} wide>
      <div className="modal__body">
        <QueryState query={log} isEmpty={(p) => p.items.length === 0} empty={<EmptyState title="Nothing delivered yet">Send a test to see one here.</EmptyState>}>
          {(p) => <PagedTable page={p} columns={COLUMNS} onPage={setPage} testId="deliveries-table" row={(d) => <DeliveryRow d={d} />} />}
        </QueryState>
      </div>
    </Modal>
  );
}
